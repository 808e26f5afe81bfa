"""Tests for mlp._validation, the checks every public entry point shares."""

import numpy as np
import pytest

from mlp._validation import (
    as_float_dtype,
    as_generator,
    as_matrix,
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
