"""Tests for mlp.init: each initializer's distribution, seeding, lookup and defaults."""

import numpy as np
import pytest

from mlp.activations import identity, leaky_relu, relu, sigmoid, softmax, tanh
from mlp.init import (
    INITIALIZERS,
    default_initializer,
    get_initializer,
    he,
    he_uniform,
    normal,
    xavier,
    xavier_normal,
)

N_OUT, N_IN = 300, 200

# (initializer, bound of |W| or None for a normal law, standard deviation), from the formulas
EXPECTED = [
    (xavier, np.sqrt(6 / (N_IN + N_OUT)), np.sqrt(6 / (N_IN + N_OUT)) / np.sqrt(3)),
    (xavier_normal, None, np.sqrt(2 / (N_IN + N_OUT))),
    (he, None, np.sqrt(2 / N_IN)),
    (he_uniform, np.sqrt(6 / N_IN), np.sqrt(2 / N_IN)),
    (normal, None, 0.01),
]


@pytest.mark.parametrize(
    ("init", "bound", "std"), EXPECTED, ids=lambda v: getattr(v, "__name__", "")
)
def test_distribution_matches_the_formula(init, bound, std):
    W = init(N_OUT, N_IN, np.random.default_rng(0), np.float64)
    assert W.shape == (N_OUT, N_IN) and W.dtype == np.float64
    assert W.std() == pytest.approx(std, rel=0.02)  # 60 000 draws: sampling error ~0.3%
    assert abs(W.mean()) < 0.02 * std
    if bound is not None:
        assert np.abs(W).max() <= bound
        assert np.abs(W).max() > 0.99 * bound  # it uses the whole interval


@pytest.mark.parametrize("init", list(INITIALIZERS.values()))
def test_seeded_and_dtype_respected(init):
    first = init(4, 3, np.random.default_rng(7), np.float32)
    assert first.dtype == np.float32 and first.shape == (4, 3)
    np.testing.assert_array_equal(first, init(4, 3, np.random.default_rng(7), np.float32))
    assert not np.array_equal(first, init(4, 3, np.random.default_rng(8), np.float32))


def test_lookup_by_name_or_callable():
    assert set(INITIALIZERS) == {"xavier", "xavier_normal", "he", "he_uniform", "normal"}
    assert get_initializer("xavier_normal") is xavier_normal

    def zeros(n_out, n_in, rng, dtype):
        return np.zeros((n_out, n_in), dtype)

    assert get_initializer(zeros) is zeros


def test_unknown_name_suggests_the_nearest():
    with pytest.raises(ValueError, match=r"unknown initializer 'xaiver'; did you mean 'xavier'\?"):
        get_initializer("xaiver")
    with pytest.raises(TypeError, match="initializer must be a name or a callable; got float"):
        get_initializer(0.01)


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        (relu, he),
        (leaky_relu, he),
        (tanh, xavier),
        (sigmoid, xavier),
        (identity, xavier),
        (softmax, xavier),
    ],
)
def test_default_is_he_for_relu_family_else_xavier(activation, expected):
    assert default_initializer(activation) is expected
