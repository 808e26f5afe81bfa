"""Tests for mlp.losses: hand-computed values, gradients, saturation, fused logits, validation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp import finite_difference_tolerance
from mlp.losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_with_logits,
    get_loss,
    mae,
    mse,
    residual,
)

Y_HAT = np.array([[0.2, 0.8], [0.6, 0.4]])
Y = np.array([[0.0, 1.0], [1.0, 0.0]])


def test_values_worked_by_hand():
    # differences: [0.2, -0.2], [-0.4, 0.4]; squares sum 0.04 + 0.04 + 0.16 + 0.16 = 0.4
    assert mse(Y_HAT, Y) == pytest.approx(0.4 / (2 * 2))
    # absolute differences sum 0.2 + 0.2 + 0.4 + 0.4 = 1.2, over m = 2
    assert mae(Y_HAT, Y) == pytest.approx(1.2 / 2)
    # only the y = 1 entries count: -(log 0.8 + log 0.6) / 2
    assert cross_entropy(Y_HAT, Y) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    # each entry: the log of the probability given to the target; 0.8, 0.8, 0.6, 0.6
    expected = -(2 * np.log(0.8) + 2 * np.log(0.6)) / 2
    assert binary_cross_entropy(Y_HAT, Y) == pytest.approx(expected)


@pytest.mark.parametrize("loss", list(LOSSES.values()), ids=repr)
def test_grad_matches_central_differences(loss, finite_differences):
    y_hat = Y_HAT.copy()
    numerical = finite_differences(lambda: loss(y_hat, Y), y_hat)
    # Y_HAT lies in [0.2, 0.8]: every loss here is below 2, its third derivative below 2/0.2**3
    bound = finite_difference_tolerance(1e-5, value_scale=2.0, third_derivative_scale=250.0)
    np.testing.assert_allclose(loss.grad(y_hat, Y), numerical, rtol=0, atol=bound)


def test_integer_labels_equal_one_hot():
    labels = np.array([1, 0])
    assert cross_entropy(Y_HAT, labels) == pytest.approx(cross_entropy(Y_HAT, Y), rel=1e-14)
    np.testing.assert_allclose(cross_entropy.grad(Y_HAT, labels), cross_entropy.grad(Y_HAT, Y))
    np.testing.assert_array_equal(residual(Y_HAT, labels), Y_HAT - Y)
    assert cross_entropy(Y_HAT, labels.astype(float)) == pytest.approx(cross_entropy(Y_HAT, Y))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", [binary_cross_entropy, cross_entropy], ids=repr)
def test_predictions_of_exactly_zero_and_one_stay_finite(loss, dtype):
    y_hat = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    wrong = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)  # confidently wrong: log(eps)
    assert np.isfinite(loss(y_hat, wrong)) and np.all(np.isfinite(loss.grad(y_hat, wrong)))
    eps = np.finfo(dtype).eps
    per_entry = -np.log(eps) if loss is cross_entropy else -2 * np.log(eps)
    assert loss(y_hat, wrong) == pytest.approx(per_entry, rel=1e-3)
    assert loss(y_hat, 1 - wrong) == pytest.approx(0, abs=1e-6)  # right: about eps per entry


def test_bce_with_logits_matches_probabilities_and_survives_saturation(rng):
    z, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 3))
    p = 1 / (1 + np.exp(-z))
    assert binary_cross_entropy_with_logits(z, y) == pytest.approx(binary_cross_entropy(p, y))
    # softplus(1e4) - 0 * 1e4 = 1e4; softplus(-1e4) - 1 * (-1e4) = 1e4, on one row
    z_extreme, y_wrong = np.array([[1e4, -1e4]]), np.array([[0.0, 1.0]])
    assert binary_cross_entropy_with_logits(z_extreme, y_wrong) == pytest.approx(2e4)


def test_ce_with_logits_matches_probabilities_and_survives_saturation(rng):
    z, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    one_hot = np.eye(3)[labels]
    assert cross_entropy_with_logits(z, labels) == pytest.approx(cross_entropy(p, labels))
    assert cross_entropy_with_logits(z, one_hot) == pytest.approx(cross_entropy(p, one_hot))
    # log(e^1e4 + e^-1e4) - (-1e4) = 2e4 when the label is the small logit
    assert cross_entropy_with_logits(np.array([[1e4, -1e4]]), np.array([1])) == pytest.approx(2e4)
    assert cross_entropy_with_logits(np.array([[1e300, -1e300]]), np.array([0])) == 0


@pytest.mark.parametrize("loss", list(LOSSES.values()), ids=repr)
def test_float32_gradients_stay_float32(loss):
    y_hat, y = Y_HAT.astype(np.float32), Y.astype(np.float64)
    assert loss.grad(y_hat, y).dtype == np.float32
    assert isinstance(loss(y_hat, y), float)


probabilities = arrays(np.float64, (3, 2), elements=st.floats(0, 1))


@given(probabilities, probabilities, st.integers(0, 1))
def test_losses_are_non_negative(y_hat, y, label):
    for loss in (mse, mae, binary_cross_entropy):
        assert loss(y_hat, y) >= 0
    assert cross_entropy(y_hat, np.full(3, label)) >= 0


eighths = arrays(np.float64, (3, 2), elements=st.integers(-80, 80).map(lambda k: k / 8))


@given(eighths, eighths)  # a grid, so a nonzero difference cannot underflow when squared
def test_mse_is_zero_exactly_when_equal(y_hat, y):
    assert mse(y_hat, y_hat) == 0
    assert (mse(y_hat, y) == 0) == np.array_equal(y_hat, y)


def test_registry_lookup():
    assert set(LOSSES) == {"mse", "mae", "binary_cross_entropy", "cross_entropy"}
    assert get_loss("mae") is mae and get_loss(mse) is mse
    with pytest.raises(ValueError, match=r"unknown loss 'cross_entropi'; did you mean 'cross_ent"):
        get_loss("cross_entropi")
    with pytest.raises(TypeError, match="loss must be a name or a Loss object; got function"):
        get_loss(lambda y_hat, y: 0.0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mse(Y_HAT, Y[:, :1]), ValueError, r"y must have the shape of y_hat, .* \(2, 2\)"),
        (lambda: mse(Y_HAT[0], Y[0]), ValueError, r"y_hat must be 2-D .*; got shape \(2,\)"),
        (lambda: mse(np.zeros((0, 2)), Y[:0]), ValueError, r"with m >= 1; got shape \(0, 2\)"),
        (lambda: mse(Y_HAT, Y * np.nan), ValueError, "y must be finite; got 4 NaN"),
        (lambda: mae(Y_HAT + np.inf, Y), ValueError, "y_hat must be finite"),
        (lambda: mse(Y_HAT, np.array([["a", "b"]] * 2)), TypeError, "y must hold real numbers"),
        (lambda: binary_cross_entropy(Y_HAT, Y + 1), ValueError, r"y must be probabilities in"),
        (lambda: binary_cross_entropy(Y_HAT - 1, Y), ValueError, "y_hat must be probabilities"),
        (lambda: cross_entropy(Y_HAT * 2, Y), ValueError, "y_hat must be probabilities"),
        (lambda: cross_entropy(Y_HAT, np.array([0, 2])), ValueError, r"\[0, K\) = \[0, 2\)"),
        (lambda: cross_entropy(Y_HAT, np.array([-1, 0])), ValueError, "got values from -1 to 0"),
        (lambda: cross_entropy(Y_HAT, np.array([0.5, 1])), ValueError, "must be whole numbers"),
        (lambda: cross_entropy(Y_HAT, np.array([0, 1, 1])), ValueError, r"shape \(m,\) = \(2,\)"),
        (lambda: cross_entropy(Y_HAT, np.array([0, np.nan])), ValueError, "y must be finite"),
        (
            lambda: cross_entropy(Y_HAT, Y * 0.5),
            ValueError,
            "rows of y must sum to 1 .*; got sums from 0.5 to 0.5",
        ),
        (lambda: cross_entropy(Y_HAT, Y * 2 - 0.5), ValueError, "y must be probabilities in"),
        (lambda: cross_entropy_with_logits(Y_HAT, Y + Y[::-1]), ValueError, "sums from 2 to 2"),
        (
            lambda: binary_cross_entropy_with_logits(Y_HAT, Y - 2),
            ValueError,
            "y must be probabilities",
        ),
        (lambda: cross_entropy_with_logits(Y_HAT[0], Y), ValueError, "z must be 2-D"),
        (lambda: cross_entropy_with_logits(Y_HAT, Y[:1]), ValueError, "y must have the shape of z"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        Loss()(Y_HAT, Y)
    with pytest.raises(NotImplementedError):
        Loss().grad(Y_HAT, Y)
