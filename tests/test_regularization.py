"""Tests for mlp.regularization: the penalty by hand, its gradient by central differences."""

import numpy as np
import pytest

from mlp import finite_difference_tolerance
from mlp.regularization import add_l2_grad, l2_penalty


def test_penalty_sums_squared_weights_and_ignores_biases():
    W1, b1 = np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([100.0, 100.0])
    W2, b2 = np.array([[3.0, 1.0]]), np.array([-7.0])
    # 0.1 * ((1 + 4 + 0.25) + (9 + 1)) = 0.1 * 15.25
    assert l2_penalty([W1, b1, W2, b2], lam=0.1) == pytest.approx(1.525, rel=1e-15)
    assert l2_penalty([W1, W2], lam=0.1) == pytest.approx(1.525, rel=1e-15)
    assert l2_penalty([W1, b1], lam=0.0) == 0.0


def test_gradient_is_two_lam_w_on_weights_only():
    W, b = np.array([[1.0, -2.0]]), np.array([3.0])
    grads = [np.zeros((1, 2)), np.array([0.5])]
    add_l2_grad([W, b], grads, lam=0.25)
    np.testing.assert_array_equal(grads[0], [[0.5, -1.0]])  # 2 * 0.25 * W
    np.testing.assert_array_equal(grads[1], [0.5])  # the bias gradient is untouched


def test_gradient_matches_central_differences_of_the_penalty():
    rng = np.random.default_rng(0)
    params = [rng.normal(size=shape) for shape in ((3, 2), (3,), (1, 3), (1,))]
    lam, h = 0.3, 1e-6
    grads = [np.zeros_like(p) for p in params]
    add_l2_grad(params, grads, lam)
    for p, g in zip(params, grads, strict=True):
        numeric = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + h
            up = l2_penalty(params, lam)
            p[index] = saved - h
            down = l2_penalty(params, lam)
            p[index] = saved
            numeric[index] = (up - down) / (2 * h)
        # the penalty is quadratic (no truncation error): rounding alone, eps |R| / h
        bound = finite_difference_tolerance(h, value_scale=l2_penalty(params, lam),
                                            third_derivative_scale=0)
        np.testing.assert_allclose(g, numeric, rtol=0, atol=bound)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: l2_penalty([np.ones((2, 2))], -0.1), ValueError, r"lam must be >= 0; got -0.1"),
        (lambda: l2_penalty([[1.0]], 0.1), TypeError, r"params\[0\] must be a numpy ndarray"),
        (lambda: add_l2_grad([np.ones((2, 2))], [np.ones((2, 2))], -1), ValueError,
         r"lam must be >= 0; got -1"),
        (lambda: add_l2_grad([np.ones((2, 2))], [np.ones((2, 3))], 0.1), ValueError,
         r"grads\[0\] must have the shape of params\[0\]"),
        (lambda: add_l2_grad([np.ones((2, 2))], [], 0.1), ValueError,
         r"same length; got 1 params and 0 grads"),
    ],
)
def test_arguments_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()
