"""Tests for mlp.activations: values, derivatives, stability at extreme inputs, the registry."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp import activations, finite_difference_tolerance
from mlp.activations import (
    ACTIVATIONS,
    Activation,
    LeakyReLU,
    get_activation,
    identity,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    tanh,
)

ELEMENTWISE = [sigmoid, tanh, relu, leaky_relu, identity, LeakyReLU(0.2)]
finite = st.floats(allow_nan=False, allow_infinity=False)


def reference(act, z):
    """Each activation's textbook formula, written out independently of the library."""
    if act is sigmoid:
        return 1 / (1 + np.exp(-z))
    if act is tanh:
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if act is identity:
        return z
    return np.array([x if x > 0 else act.slope * x for x in z.ravel()]).reshape(z.shape)


@pytest.mark.parametrize("act", ELEMENTWISE, ids=repr)
def test_values_match_the_formula(act):
    z = np.linspace(-5, 5, 21)
    np.testing.assert_allclose(act(z), reference(act, z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("act", ELEMENTWISE, ids=repr)
def test_grad_matches_central_differences(act, rng, finite_differences):
    z = rng.uniform(-3, 3, size=(4, 5))  # no entry within 1e-5 of the kink at 0, almost surely
    # elementwise, so d sum(g(z)) / dz_ij = g'(z_ij)
    numerical = finite_differences(lambda: act(z).sum(), z)
    # the sum rounds like its terms; every third derivative here is at most 2 (tanh's, at 0)
    bound = finite_difference_tolerance(1e-5, value_scale=np.abs(act(z)).sum(),
                                        third_derivative_scale=2.0)
    np.testing.assert_allclose(act.grad(z), numerical, rtol=0, atol=bound)


@pytest.mark.parametrize("act", ELEMENTWISE, ids=repr)
def test_backward_is_grad_times_incoming_gradient(act, rng):
    z, grad_a = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    np.testing.assert_allclose(act.backward(z, act(z), grad_a), grad_a * act.grad(z), rtol=1e-12)


def test_relu_derivative_is_zero_at_zero_and_leaky_uses_its_slope():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu.grad(z), [0, 0, 1])
    np.testing.assert_array_equal(leaky_relu.grad(z), [0.01, 0.01, 1])
    np.testing.assert_array_equal(LeakyReLU(0.2)(z), [-0.2, 0, 2])


def test_softmax_matches_the_formula_on_rows(rng):
    z = rng.normal(size=(4, 3))
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12)


def test_softmax_jacobian_matches_central_differences(rng, finite_differences):
    z = rng.normal(size=(2, 3))
    jacobian = softmax.grad(z)
    assert jacobian.shape == (2, 3, 3)
    for row in range(2):
        for k in range(3):  # d softmax(z)[row, k] / d z[row, :]
            numerical = finite_differences(lambda: softmax(z)[row, k], z)[row]  # noqa: B023
            # softmax's outputs and third derivatives lie within [-1, 1]
            bound = finite_difference_tolerance(1e-5)
            np.testing.assert_allclose(jacobian[row, k], numerical, rtol=0, atol=bound)


def test_softmax_backward_is_the_vector_jacobian_product(rng, finite_differences):
    z, grad_a = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numerical = finite_differences(lambda: np.sum(grad_a * softmax(z)), z)
    scale = np.abs(grad_a).sum()  # |sum(grad_a * softmax(z))| and its derivatives are below it
    bound = finite_difference_tolerance(1e-5, value_scale=scale, third_derivative_scale=scale)
    np.testing.assert_allclose(softmax.backward(z, softmax(z), grad_a), numerical, rtol=0,
                               atol=bound)
    vjp = np.einsum("mk,mkj->mj", grad_a, softmax.grad(z))
    # both sum four products per entry: rounding <= a few eps times a row's sum of |grad_a|
    cancellation = 1e3 * np.finfo(np.float64).eps * np.abs(grad_a).sum(axis=1).max()
    np.testing.assert_allclose(softmax.backward(z, softmax(z), grad_a), vjp, rtol=1e-10,
                               atol=cancellation)


@pytest.mark.parametrize("size", [1e4, 1e300])
@pytest.mark.parametrize("act", [*ELEMENTWISE, softmax], ids=repr)
def test_extreme_inputs_give_finite_values_and_derivatives(act, size):
    z = np.array([[-size, 0.0, size]])
    a = act(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(act.grad(z)))
    assert np.all(np.isfinite(act.backward(z, a, np.ones_like(z))))


def test_extreme_limits_are_right():
    z = np.array([-1e4, 1e4])
    np.testing.assert_array_equal(sigmoid(z), [0, 1])
    np.testing.assert_array_equal(sigmoid.grad(z), [0, 0])
    np.testing.assert_array_equal(tanh(z), [-1, 1])
    np.testing.assert_array_equal(softmax(np.array([[1e300, -1e300, 0]])), [[1, 0, 0]])
    np.testing.assert_array_equal(softmax(np.array([[1.7e308, -1.7e308]])), [[1, 0]])
    assert sigmoid.grad(np.array([40.0]))[0] > 0  # the tail, which 1 - sigmoid(z) rounds to 0


@pytest.mark.parametrize("act", [*ELEMENTWISE, softmax], ids=repr)
def test_float32_stays_float32(act):
    z = np.array([[-2.0, 0.5, 3.0]], dtype=np.float32)
    a = act(z)
    assert a.dtype == np.float32
    assert act.grad(z).dtype == np.float32
    assert act.backward(z, a, np.ones_like(z)).dtype == np.float32


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=finite))
def test_softmax_rows_are_probability_vectors(z):
    a = softmax(z)
    assert np.all((a >= 0) & (a <= 1))
    np.testing.assert_allclose(a.sum(axis=1), 1, rtol=1e-12)


@given(arrays(np.float64, 6, elements=finite))
def test_sigmoid_is_symmetric(z):
    # each side lies within a few ulps of 1 (2.2e-16) of the exact value: 1e-14 leaves 10x margin
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), rtol=0, atol=1e-14)


def test_registry_and_lookup():
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"} <= set(ACTIVATIONS)
    assert all(get_activation(name).name == name for name in ACTIVATIONS)
    custom = LeakyReLU(0.3)
    assert get_activation(custom) is custom
    assert activations.leaky_relu.slope == 0.01


def test_unknown_name_suggests_the_nearest():
    with pytest.raises(
        ValueError, match=r"unknown activation 'rleu'; did you mean 'relu'\? valid:"
    ):
        get_activation("rleu")
    with pytest.raises(
        ValueError, match=r"unknown activation 'xyz'; valid: elu, gelu, identity, leaky_relu"
    ):
        get_activation("xyz")


def test_lookup_refuses_other_types():
    with pytest.raises(
        TypeError, match="activation must be a name or an Activation object; got int"
    ):
        get_activation(3)


@pytest.mark.parametrize("slope", [-0.1, float("nan")])
def test_leaky_relu_refuses_a_bad_slope(slope):
    with pytest.raises(ValueError, match="slope must be a finite number >= 0"):
        LeakyReLU(slope)


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        Activation()(np.zeros(1))
    with pytest.raises(NotImplementedError):
        Activation().grad(np.zeros(1))


@pytest.mark.parametrize("act", [*ELEMENTWISE, softmax], ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_apply_and_grad_into_give_call_and_grad_bit_for_bit(act, dtype, rng):
    z = (rng.normal(scale=3, size=(6, 4)) * [1, 1, 1, 1e4]).astype(dtype)
    out = np.full_like(z, np.nan)
    a = act.apply(z, out=out)
    np.testing.assert_array_equal(a, act(z))
    assert a.dtype == dtype and (a is out or a is z or not np.shares_memory(a, z))
    if act.elementwise:
        slopes = np.full_like(z, np.nan)
        np.testing.assert_array_equal(act.grad_into(z, slopes), act.grad(z))
    np.testing.assert_array_equal(act.apply(z), act(z))  # out=None: a new array


@pytest.mark.parametrize("act", [relu, tanh, softmax], ids=repr)
def test_apply_and_grad_into_write_into_out_without_touching_z(act, rng):
    z = rng.normal(size=(5, 3))
    z_before, out, slopes = z.copy(), np.empty_like(z), np.empty_like(z)
    assert act.apply(z, out=out) is out
    if act.elementwise:
        assert act.grad_into(z, slopes) is slopes
    np.testing.assert_array_equal(z, z_before)


def test_a_subclass_with_only_call_and_grad_gets_apply_and_grad_into():
    class Square(Activation):
        name = "square"

        def __call__(self, z):
            return z * z

        def grad(self, z):
            return 2 * z

    z, out = np.array([1.0, -3.0]), np.empty(2)
    np.testing.assert_array_equal(Square().apply(z, out=out), [1.0, 9.0])
    np.testing.assert_array_equal(Square().grad_into(z, out), [2.0, -6.0])


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", "leaky_relu"])
def test_elementwise_activations_accept_a_zero_dimensional_array(name):
    act = get_activation(name)
    z = np.array(0.5)
    h = 1e-6
    numerical = (act(np.array(0.5 + h)) - act(np.array(0.5 - h))) / (2 * h)
    assert np.shape(act(z)) == () and np.shape(act.grad(z)) == ()
    assert abs(act.grad(z) - numerical) <= finite_difference_tolerance(h, third_derivative_scale=2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ELEMENTWISE, ids=repr)
def test_the_slope_from_the_cache_is_grad_to_the_last_bit(act, dtype):
    z = np.linspace(-60, 60, 241, dtype=dtype).reshape(-1, 1)  # sigmoid's tails beyond 16.6, 36.7
    a = act.apply(z.copy(), out=np.empty_like(z))
    slope = act.grad_from_cache(z, a, np.empty_like(z))
    assert slope.dtype == dtype
    np.testing.assert_array_equal(slope, act.grad(z))
    np.testing.assert_array_equal(act.backward(z, a, np.ones_like(z)), act.grad(z))


def test_the_sigmoid_keeps_its_tail_in_grad_and_in_backward():
    # one formula, g(z) g(-z), in grad and in backward: at z = 40 the slope is e^-40 (to float64
    # rounding, a few ulps), where a (1 - a) would be 0 because g(40) rounds to 1
    z = np.array([40.0])
    a = sigmoid(z)
    assert a[0] == 1.0
    for slope in (sigmoid.grad(z), sigmoid.backward(z, a, np.ones(1)),
                  sigmoid.grad_from_cache(z, a, np.empty(1))):
        assert abs(slope[0] - math.exp(-40)) < 1e-14 * math.exp(-40)


@pytest.mark.parametrize("cls", [activations.Sigmoid, activations.Tanh, activations.ReLU])
def test_a_subclass_that_redefines_the_derivative_is_used_by_the_slope_from_the_cache(cls):
    class Doubled(cls):
        def grad_into(self, z, out):
            return 2 * cls().grad(z)

    z = np.array([-1.0, 0.5, 2.0])
    g = Doubled()
    np.testing.assert_array_equal(g.grad_from_cache(z, g(z), np.empty(3)), 2 * cls().grad(z))
