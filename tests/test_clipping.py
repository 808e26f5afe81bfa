"""Tests for mlp.clipping: the global-norm rule against its definition."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.clipping import clip_grad_norm, global_norm


def test_clips_to_max_norm_over_all_arrays_together():
    grads = [np.array([[3.0, 0.0]]), np.array([0.0, 4.0])]  # norm sqrt(9 + 16) = 5
    before = clip_grad_norm(grads, max_norm=2.0)
    assert before == 5.0
    # each entry times 2 / 5: the direction is kept, the length becomes 2
    np.testing.assert_allclose(grads[0], [[1.2, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(grads[1], [0.0, 1.6], rtol=1e-15)


def test_a_gradient_within_the_limit_is_untouched():
    grads = [np.array([0.3, -0.4]), np.array([[0.1]])]
    copies = [g.copy() for g in grads]
    ids = [id(g) for g in grads]
    assert clip_grad_norm(grads, 10.0) == pytest.approx(np.sqrt(0.09 + 0.16 + 0.01), rel=1e-15)
    assert [id(g) for g in grads] == ids
    for g, c in zip(grads, copies, strict=True):
        np.testing.assert_array_equal(g, c)


def test_clipping_is_in_place():
    g = np.array([6.0, 8.0])
    view = g[...]
    clip_grad_norm([g], 1.0)
    assert np.shares_memory(g, view)
    np.testing.assert_allclose(view, [0.6, 0.8], rtol=1e-15)


def test_zero_gradient_is_safe():
    grads = [np.zeros((2, 3)), np.zeros(2)]
    assert clip_grad_norm(grads, 1.0) == 0.0
    assert all(np.all(g == 0) for g in grads)


def test_float32_gradients_stay_float32():
    g = np.full(4, 10.0, dtype=np.float32)
    assert clip_grad_norm([g], 1.0) == pytest.approx(20.0, rel=1e-6)
    assert g.dtype == np.float32 and np.linalg.norm(g) == pytest.approx(1.0, rel=1e-6)


def test_huge_entries_do_not_overflow_the_norm():
    g = np.array([3e200, 4e200])
    assert clip_grad_norm([g], 1.0) == pytest.approx(5e200, rel=1e-12)
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-12)
    assert global_norm([np.array([3e30], dtype=np.float32), np.array([4e30], np.float32)]) == (
        pytest.approx(5e30, rel=1e-6)
    )


def test_non_finite_gradients_are_reported_and_left_alone():
    g = np.array([np.inf, 1.0])
    assert clip_grad_norm([g], 1.0) == np.inf
    assert g[1] == 1.0
    assert np.isnan(clip_grad_norm([np.array([np.nan, 1.0])], 1.0))


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(
    grads=st.lists(arrays(np.float64, st.integers(1, 5), elements=finite), min_size=1,
                   max_size=4),
    max_norm=st.floats(1e-3, 1e3),
)
def test_never_raises_the_norm_and_respects_the_limit(grads, max_norm):
    before = np.sqrt(sum(np.sum(g**2) for g in grads))
    returned = clip_grad_norm(grads, max_norm)
    after = np.sqrt(sum(np.sum(g**2) for g in grads))
    assert returned == pytest.approx(before, rel=1e-12)
    assert after <= before * (1 + 1e-12)
    assert after <= max_norm * (1 + 1e-12)


@pytest.mark.parametrize(
    ("grads", "max_norm", "error", "match"),
    [
        ([np.ones(2)], 0.0, ValueError, r"max_norm must be > 0; got 0"),
        ([np.ones(2)], -1.0, ValueError, r"max_norm must be > 0; got -1"),
        ([[1.0, 2.0]], 1.0, TypeError, r"grads\[0\] must be a floating-point ndarray; got list"),
        ([np.ones(2, dtype=int)], 1.0, TypeError,
         r"grads\[0\] must be a floating-point ndarray; got int64"),
    ],
)
def test_arguments_are_checked(grads, max_norm, error, match):
    with pytest.raises(error, match=match):
        clip_grad_norm(grads, max_norm)
