"""Tests for mlp._validation, the checks every public entry point shares."""

import numpy as np
import pytest

from mlp._validation import (
    as_float_dtype,
    as_generator,
    as_matrix,
    check_count,
    check_finite,
    check_params_and_grads,
    check_scalar,
    check_sizes,
    lookup,
    unknown_name_message,
)


def test_as_matrix_casts_once_and_keeps_matching_arrays():
    X = np.ones((2, 3))
    assert as_matrix("X", X, 3, "n_0", np.float64) is X
    cast = as_matrix("X", [[1, 2, 3]], 3, "n_0", np.float32)
    assert cast.dtype == np.float32 and cast.shape == (1, 3)


def test_as_matrix_messages():
    with pytest.raises(ValueError, match=r"\(m, 3\); got shape \(3,\); use X.reshape\(1, -1\)"):
        as_matrix("X", np.ones(3), 3, "n_0")
    with pytest.raises(ValueError, match=r"got shape \(1, 1, 3\)$"):
        as_matrix("X", np.ones((1, 1, 3)), 3, "n_0")
    with pytest.raises(ValueError, match="X must be finite; got 2 NaN or infinite value"):
        as_matrix("X", [[np.nan, np.inf, 0]], 3, "n_0")
    with pytest.raises(TypeError, match="X must hold real numbers; got dtype <U1"):
        as_matrix("X", [["a", "b", "c"]], 3, "n_0")


def test_float_dtype():
    assert as_float_dtype("float32") == np.float32
    with pytest.raises(TypeError, match="floating point .*; got int32"):
        as_float_dtype(np.int32)


def test_sizes_and_seed():
    assert check_sizes((np.int64(3), 2)) == [3, 2]
    with pytest.raises(ValueError, match="positive ints"):
        check_sizes([True, 2])
    generator = np.random.default_rng(0)
    assert as_generator(generator) is generator
    with pytest.raises(TypeError, match="seed must be None"):
        as_generator(1.5)


def test_lookup_and_suggestion():
    registry = {"alpha": 1, "beta": 2}
    assert lookup("thing", "beta", registry, "a number") == 2
    with pytest.raises(ValueError, match=r"unknown thing 'alpah'; did you mean 'alpha'\? valid: "):
        lookup("thing", "alpah", registry, "a number")
    with pytest.raises(TypeError, match="thing must be a name or a number; got list"):
        lookup("thing", [], registry, "a number")
    assert unknown_name_message("thing", "zzz", ["b", "a"]) == "unknown thing 'zzz'; valid: a, b"


def test_check_scalar_accepts_the_interval_and_returns_a_float():
    assert check_scalar("lr", np.float32(0.5), 0.0, low_open=True) == 0.5
    assert type(check_scalar("lr", 1, 0.0)) is float
    assert check_scalar("beta", 0.0, 0.0, 1.0, high_open=True) == 0.0  # closed end included
    assert check_scalar("lr_min", 2.0, 0.0, 2.0) == 2.0


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "match"),
    [
        (0.0, {"low_open": True}, ValueError, r"^x must be > 0; got 0$"),
        (-1.0, {}, ValueError, r"^x must be >= 0; got -1$"),
        (1.0, {"high": 1.0, "high_open": True}, ValueError, r"^x must be in \[0, 1\); got 1$"),
        (0.0, {"high": 1.0, "low_open": True}, ValueError, r"^x must be in \(0, 1\]; got 0$"),
        (float("nan"), {}, ValueError, r"^x must be >= 0; got nan$"),
        (True, {}, TypeError, r"^x must be a real number; got bool True$"),
        ("0.1", {}, TypeError, r"^x must be a real number; got str '0.1'$"),
    ],
)
def test_check_scalar_messages(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_scalar("x", value, 0.0, **kwargs)


def test_check_count():
    assert check_count("m", np.int64(3), 1) == 3 and type(check_count("m", np.int64(3), 1)) is int
    with pytest.raises(ValueError, match=r"^m must be an int >= 2; got 1$"):
        check_count("m", 1, 2)
    with pytest.raises(TypeError, match=r"^m must be an int; got float 2.0$"):
        check_count("m", 2.0, 1)
    with pytest.raises(TypeError, match=r"^m must be an int; got bool True$"):
        check_count("m", True, 0)


def test_check_params_and_grads():
    check_params_and_grads([np.ones((2, 3)), np.ones(2)], [np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match=r"same length; got 2 params and 1 grads"):
        check_params_and_grads([np.ones(2), np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match=r"grads\[1\] must have the shape of params\[1\]"):
        check_params_and_grads([np.ones(2), np.ones(2)], [np.ones(2), np.ones((2, 1))])
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point array"):
        check_params_and_grads([np.ones(2, dtype=np.int32)], [np.ones(2)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_finite_accepts_finite_values_whose_sum_overflows(dtype):
    huge = np.full((4, 3), np.finfo(dtype).max / 2, dtype=dtype)  # the sum is inf, no entry is
    check_finite("X", huge)  # no error, and no overflow warning (warnings are errors)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_counts_the_bad_values(bad):
    values = np.zeros((3, 2))
    values[0, 1] = values[2, 0] = bad
    with pytest.raises(ValueError, match=r"X must be finite; got 2 NaN or infinite value\(s\)"):
        check_finite("X", values)


def test_check_finite_finds_opposite_infinities_that_sum_to_nan():
    with pytest.raises(ValueError, match="got 2 NaN"):
        check_finite("y", np.array([np.inf, -np.inf, 1.0]))
