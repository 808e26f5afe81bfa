"""Tests for the smooth ReLU-like activations of mlp.activations: GELU, SiLU (Swish) and ELU."""

import math

import numpy as np
import pytest

from mlp import MLP, finite_difference_tolerance, gradcheck
from mlp.activations import ACTIVATIONS, ELU, elu, gelu, get_activation, silu

SMOOTH = [gelu, silu, elu, ELU(0.5)]


def reference(act, z):
    """Each activation's formula, written out entry by entry with the math module."""
    if act is gelu:
        inner = math.sqrt(2 / math.pi)
        return np.array([0.5 * x * (1 + math.tanh(inner * (x + 0.044715 * x**3))) for x in z])
    if act is silu:
        return np.array([x / (1 + math.exp(-x)) for x in z])
    return np.array([x if x > 0 else act.alpha * (math.exp(x) - 1) for x in z])


@pytest.mark.parametrize("act", SMOOTH, ids=repr)
def test_values_match_the_formula(act):
    z = np.linspace(-6, 6, 25)
    # a handful of roundings on values below 6: 1e-13 has a margin of more than 10x
    np.testing.assert_allclose(act(z), reference(act, z), rtol=0, atol=1e-13)


def test_gelu_is_within_1e_3_of_z_times_the_normal_cdf():
    z = np.linspace(-8, 8, 4001)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in z])
    assert np.abs(gelu(z) - exact).max() < 1e-3


@pytest.mark.parametrize("act", SMOOTH, ids=repr)
def test_grad_matches_central_differences(act, rng, finite_differences):
    z = rng.uniform(-4, 4, size=(4, 5))  # ELU's kink at 0 is a jump in g'' only: still C^1
    numerical = finite_differences(lambda: act(z).sum(), z)
    # a sum of 20 values below 4; third derivatives below 2 (ELU's jumps at 0 are bounded too)
    bound = finite_difference_tolerance(1e-6, value_scale=20 * 4, third_derivative_scale=2)
    gap = np.abs(act.grad(z) - numerical).max()
    assert gap <= bound, f"{act!r}: gap {gap:.2g} > bound {bound:.2g}"


@pytest.mark.parametrize("act", SMOOTH, ids=repr)
def test_backward_is_grad_times_incoming_gradient(act, rng):
    z, grad_a = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    np.testing.assert_array_equal(act.backward(z, act(z), grad_a), grad_a * act.grad(z))


@pytest.mark.parametrize("act", SMOOTH, ids=repr)
def test_extreme_inputs_give_the_limits(act):
    z = np.array([-1e300, -1e4, 0.0, 1e4, 1e300])
    lower = -act.alpha if isinstance(act, ELU) else 0.0
    np.testing.assert_array_equal(act(z), [lower, lower, 0.0, 1e4, 1e300])
    np.testing.assert_array_equal(act.grad(z)[[0, 1, 3, 4]], [0, 0, 1, 1])


@pytest.mark.parametrize("act", SMOOTH, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(act, dtype):
    z = np.array([[-2.0, 0.5, 3.0]], dtype=dtype)
    assert act(z).dtype == dtype and act.grad(z).dtype == dtype


def test_registered_by_name():
    assert {"gelu", "silu", "elu"} <= set(ACTIVATIONS)
    assert get_activation("silu") is silu and get_activation("gelu") is gelu
    assert get_activation("elu") is elu


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("inf"), float("nan")])
def test_elu_refuses_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        ELU(alpha)


@pytest.mark.parametrize("name", ["gelu", "silu", "elu"])
def test_a_network_with_them_passes_gradcheck(name, rng):
    net = MLP([3, 4, 2], activation=name, seed=0)
    result = gradcheck(net, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)), "mse")
    assert result.max_relative_error < 1e-7, result
