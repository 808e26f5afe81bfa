"""Tests for mlp.gradcheck: it passes a correct network, flags broken ones, and leaves no trace."""

import numpy as np
import pytest

from mlp import MLP, gradcheck
from mlp.gradcheck import GradcheckResult, relative_error


@pytest.fixture
def problem(rng):
    net = MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)
    return net, rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])


def test_a_correct_network_passes(problem, numerical_gradients, assert_gradients):
    net, X, y = problem
    result = gradcheck(net, X, y, "cross_entropy")
    assert isinstance(result, GradcheckResult)
    assert list(result.errors) == ["W[1]", "b[1]", "W[2]", "b[2]"]
    assert result.max_relative_error == max(result.errors.values()) < 1e-7
    assert [g.shape for g in result.numerical] == [p.shape for p in net.parameters()]
    # its finite differences agree with the tests' own, and its analytic side is net.backward
    from mlp.losses import cross_entropy

    assert_gradients(result.numerical, numerical_gradients(net, X, y, cross_entropy), tol=1e-9)
    assert_gradients(result.analytic, net.loss_and_grad(X, y, "cross_entropy")[1], tol=1e-15)


def test_parameters_are_restored_exactly(problem):
    net, X, y = problem
    before = [p.copy() for p in net.parameters()]
    gradcheck(net, X, y, "cross_entropy")
    assert all(np.array_equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


@pytest.mark.parametrize(
    "break_it",
    [
        lambda grads: [g * 5 for g in grads],  # the 1/m forgotten (m = 5)
        lambda grads: [*grads[:2], grads[2].T.reshape(grads[2].shape), grads[3]],  # W^[2] mixed up
        lambda grads: [grads[0] * 0, *grads[1:]],  # one layer's weights never learn
    ],
)
def test_a_broken_backward_is_flagged(problem, break_it, monkeypatch):
    net, X, y = problem
    correct_backward = net.backward
    monkeypatch.setattr(net, "backward", lambda *args: break_it(correct_backward(*args)))
    assert gradcheck(net, X, y, "cross_entropy").max_relative_error > 1e-2


def test_it_judges_with_the_standalone_loss_not_loss_and_grad(problem, monkeypatch):
    net, X, y = problem

    def refuse(*args, **kwargs):
        raise AssertionError("gradcheck must not call loss_and_grad")

    monkeypatch.setattr(net, "loss_and_grad", refuse)
    assert gradcheck(net, X, y, "cross_entropy").max_relative_error < 1e-7


def test_relative_error_formula():
    # ||a - n|| = ||[3, -4]|| = 5; ||a|| + ||n|| = 3 + 4 = 7
    assert relative_error(np.array([3.0, 0.0]), np.array([0.0, 4.0])) == pytest.approx(5 / 7)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_repr_lists_each_parameter(problem):
    net, X, y = problem
    text = repr(gradcheck(net, X, y, "cross_entropy"))
    assert text.startswith("GradcheckResult(max_relative_error=")
    assert all(name in text for name in ("W[1]", "b[1]", "W[2]", "b[2]"))


def test_refuses_float32_and_a_bad_step(problem):
    net, X, y = problem
    net32 = MLP([3, 4, 2], output="softmax", dtype=np.float32)
    with pytest.raises(ValueError, match="gradcheck needs a float64 network; got float32"):
        gradcheck(net32, X, y, "cross_entropy")
    for eps in (0.0, -1e-6, float("nan")):
        with pytest.raises(ValueError, match="eps must be a positive finite number"):
            gradcheck(net, X, y, "cross_entropy", eps=eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("h", [1e-8, 1e-6, 1e-4, 1e-2])
def test_the_tolerance_bounds_real_central_differences(dtype, h):
    # sin at 201 points: |f| <= 1 and |f'''| <= 1, so the default scales apply. Every error must
    # lie under the bound, and the largest must be within 1000x of it: a bound that is loose by
    # orders of magnitude more would let a wrong gradient pass.
    x = np.linspace(-3, 3, 201).astype(dtype)
    step = dtype(h)
    estimate = (np.sin(x + step) - np.sin(x - step)) / (2 * step)
    # the step as rounded to dtype: what the estimate really divides by
    error = np.abs(estimate.astype(np.float64) - np.cos(x.astype(np.float64)))
    tolerance = mlp_tolerance(float(step), dtype)
    assert error.max() <= tolerance
    if float(step) ** 2 < np.finfo(dtype).eps / float(step):  # rounding dominates: it is visible
        assert error.max() > tolerance / 1e4


def mlp_tolerance(h, dtype, **scales):
    from mlp import finite_difference_tolerance

    return finite_difference_tolerance(h, dtype, **scales)


def test_the_tolerance_has_both_terms_and_the_margin():
    eps = np.finfo(np.float64).eps
    assert mlp_tolerance(1e-6, np.float64, margin=1.0) == pytest.approx(1e-12 / 6 + eps / 1e-6)
    assert mlp_tolerance(1e-2, np.float64, margin=1.0, value_scale=0.0) == pytest.approx(1e-4 / 6)
    assert mlp_tolerance(1e-2, np.float64, margin=1.0, third_derivative_scale=0.0) == (
        pytest.approx(eps / 1e-2))
    assert mlp_tolerance(1e-6, np.float64, value_scale=3.0, margin=10.0) == pytest.approx(
        10 * (1e-12 / 6 + 3 * eps / 1e-6))
    assert mlp_tolerance(1e-3, np.float32) == pytest.approx(
        100 * (1e-6 / 6 + np.finfo(np.float32).eps / 1e-3))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"h": 0.0}, "h must be a positive"),
        ({"h": float("nan")}, "h must be a positive"),
        ({"h": 1e-6, "value_scale": -1.0}, "value_scale must be"),
        ({"h": 1e-6, "third_derivative_scale": float("inf")}, "third_derivative_scale must be"),
        ({"h": 1e-6, "margin": 0.5}, "margin must be"),
        ({"h": 1e-6, "dtype": np.int64}, "floating-point"),
    ],
)
def test_the_tolerance_rejects_bad_input(kwargs, match):
    from mlp import finite_difference_tolerance

    with pytest.raises(ValueError, match=match):
        finite_difference_tolerance(**kwargs)


@pytest.mark.parametrize(
    ("output", "loss", "y", "saturating_bias"),
    [
        ("sigmoid", "binary_cross_entropy", np.zeros((4, 1)), [45.0]),
        ("softmax", "cross_entropy", np.array([1, 2, 1, 2]), [60.0, 0.0, 0.0]),
    ],
)
def test_a_saturated_fused_output_is_not_a_false_alarm(rng, output, loss, y, saturating_bias):
    # the output saturates on the wrong class: clipped probabilities give a flat loss, while
    # backward's fused (y_hat - y)/m is exact, so the numerical side must come from the logits
    net = MLP([2, 3, len(saturating_bias)], activation="tanh", output=output, seed=0)
    net.biases[1][:] = saturating_bias
    X = rng.normal(size=(4, 2))
    result = gradcheck(net, X, y, loss)
    assert result.max_relative_error < 1e-6, result
    # and the gradient it checks is not small: the network is confidently wrong
    assert np.abs(result.analytic[3]).max() > 0.4
