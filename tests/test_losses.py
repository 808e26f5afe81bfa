"""Tests for mlp.losses: hand-computed values, gradients, saturation, fused logits, validation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp import finite_difference_tolerance
from mlp.losses import (
    LOSSES,
    Huber,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_with_logits,
    get_loss,
    huber,
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
    for loss in (mse, mae, huber, binary_cross_entropy):
        assert loss(y_hat, y) >= 0
    assert cross_entropy(y_hat, np.full(3, label)) >= 0


eighths = arrays(np.float64, (3, 2), elements=st.integers(-80, 80).map(lambda k: k / 8))


@given(eighths, eighths)  # a grid, so a nonzero difference cannot underflow when squared
def test_mse_is_zero_exactly_when_equal(y_hat, y):
    assert mse(y_hat, y_hat) == 0
    assert (mse(y_hat, y) == 0) == np.array_equal(y_hat, y)


def test_registry_lookup():
    assert set(LOSSES) == {"mse", "mae", "huber", "binary_cross_entropy", "cross_entropy"}
    assert get_loss("huber") is huber and huber.delta == 1.0
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


def test_huber_worked_by_hand_on_both_sides_of_delta():
    loss = Huber(delta=0.5)
    y_hat = np.array([[0.25, -2.0], [0.5, 1.0]])
    y = np.array([[0.0, 0.0], [0.0, 0.0]])
    # r = 0.25: 0.25^2 / 2 = 0.03125; r = -2: 0.5 (2 - 0.25) = 0.875;
    # r = 0.5 (at delta): 0.125 either way; r = 1: 0.5 (1 - 0.25) = 0.375; sum 1.40625, m = 2
    assert loss(y_hat, y) == pytest.approx(1.40625 / 2, rel=1e-15)
    np.testing.assert_array_equal(loss.grad(y_hat, y), [[0.125, -0.25], [0.25, 0.25]])


def test_huber_is_continuous_with_its_gradient_at_delta():
    delta = 0.7
    loss = Huber(delta)
    below, above = np.array([[np.nextafter(delta, 0)]]), np.array([[np.nextafter(delta, 1)]])
    zero = np.zeros((1, 1))
    assert loss(below, zero) == pytest.approx(delta**2 / 2, rel=1e-15)
    assert loss(above, zero) == pytest.approx(delta**2 / 2, rel=1e-15)
    assert loss.grad(below, zero).item() == pytest.approx(delta, rel=1e-15)
    assert loss.grad(above, zero).item() == delta


def test_huber_is_mse_for_small_residuals_and_scaled_mae_for_large_ones(rng):
    y_hat, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    largest, smallest = np.abs(y_hat - y).max(), np.abs(y_hat - y).min()
    wide = Huber(delta=2 * largest)  # every residual in the quadratic part: h(r) = r^2 / 2
    assert wide(y_hat, y) == pytest.approx(mse(y_hat, y), rel=1e-14)
    np.testing.assert_allclose(wide.grad(y_hat, y), mse.grad(y_hat, y), rtol=1e-15)
    narrow = Huber(delta=smallest / 2)  # every residual beyond: h(r) = delta |r| - delta^2 / 2
    delta = narrow.delta
    expected = delta * mae(y_hat, y) - 3 * delta**2 / 2  # n_L = 3 entries per row, mean over m
    assert narrow(y_hat, y) == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(narrow.grad(y_hat, y), delta * mae.grad(y_hat, y), rtol=1e-15)


@pytest.mark.parametrize("delta", [0.3, 1.0, 3.0])
def test_huber_grad_matches_central_differences_across_both_pieces(delta, finite_differences):
    # residuals on both sides of delta, each at least 0.05 from it: the central difference with
    # h = 1e-5 then never straddles the kink of h'' and sees pieces of third derivative 0
    residuals = np.array([[0.1, -0.2, 0.8], [-1.5, 2.5, -4.0]]) * delta
    assert np.abs(np.abs(residuals) - delta).min() >= 0.05 * delta
    y = np.full((2, 3), 0.5)
    y_hat = y + residuals
    loss = Huber(delta)
    numerical = finite_differences(lambda: loss(y_hat, y), y_hat)
    bound = finite_difference_tolerance(1e-5, value_scale=10.0, third_derivative_scale=0.0)
    np.testing.assert_allclose(loss.grad(y_hat, y), numerical, rtol=0, atol=bound)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huber_of_huge_residuals_is_finite_and_warning_free(dtype):
    big = np.finfo(dtype).max / 4
    y_hat, y = np.array([[big, -big, 1e4]], dtype=dtype), np.zeros((1, 3), dtype=dtype)
    value, grad = huber(y_hat, y), huber.grad(y_hat, y)
    assert np.isfinite(value) and value == pytest.approx(2 * big + 1e4 - 1.5, rel=1e-6)
    np.testing.assert_array_equal(grad, np.array([[1.0, -1.0, 1.0]], dtype=dtype))
    assert grad.dtype == dtype


@pytest.mark.parametrize(("delta", "error", "match"), [
    (0.0, ValueError, r"delta must be > 0; got 0"),
    (-1.0, ValueError, r"delta must be > 0; got -1"),
    (float("nan"), ValueError, r"delta must be > 0; got nan"),
    (float("inf"), ValueError, r"delta must be finite \(MSE is the limit .*got inf"),
    ("1", TypeError, r"delta must be a real number; got str"),
    (True, TypeError, r"delta must be a real number; got bool"),
])
def test_huber_rejects_a_bad_delta(delta, error, match):
    with pytest.raises(error, match=match):
        Huber(delta)


def test_huber_repr_names_its_delta():
    assert repr(Huber(0.25)) == "Huber(delta=0.25)" and repr(huber) == "Huber(delta=1)"
