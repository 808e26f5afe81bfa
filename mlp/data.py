"""Small data sets and the preparation steps the book uses: all offline, all seeded.

``load_digits`` reads a copy of the UCI handwritten digits shipped with the package (see
``mlp/data/digits_README.txt``); ``one_hot``, ``train_test_split`` and ``standardize`` prepare
data for a network. The generated sets (``make_moons``, ``make_circles``, ``make_xor``,
``make_spirals``, ``make_regression_1d``) live in ``mlp.synthetic`` and are re-exported here: they
return ``X`` of shape (m, 2) (one example per row) and integer labels ``y`` of shape (m,) (use
``one_hot`` or ``y.reshape(-1, 1)`` as the loss needs), except ``make_regression_1d``, whose
targets have shape (m, 1).

Examples
--------
>>> from mlp.data import make_moons, one_hot
>>> X, y = make_moons(m=6, seed=0)
>>> X.shape, y.shape, one_hot(y, 2).shape
((6, 2), (6,), (6, 2))
"""

from __future__ import annotations

import hashlib
import io
import math
from importlib import resources
from typing import Any

import numpy as np

from ._validation import (
    as_float_dtype,
    as_real_array,
    check_count,
    check_finite,
    check_scalar,
)
from .synthetic import make_circles, make_moons, make_regression_1d, make_spirals, make_xor

__all__ = [
    "DIGITS_SHA256",
    "load_digits",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "make_xor",
    "one_hot",
    "standardize",
    "train_test_split",
]

DIGITS_SHA256 = "cd0cddf88f320e80304e5478421d2660b6ca74312e7696b596224317e14864f6"


def one_hot(labels: Any, K: int, dtype: Any = np.float64) -> np.ndarray:
    """Return the one-hot rows of integer class labels.

    Parameters
    ----------
    labels : array_like of shape (m,)
        Whole numbers in [0, K).
    K : int
        The number of classes, >= 1.
    dtype : floating dtype, default np.float64

    Returns
    -------
    ndarray of shape (m, K)
        Row i is 1 in column labels[i] and 0 elsewhere.

    Raises
    ------
    ValueError
        If labels is not 1-D, holds non-integers, or a label lies outside [0, K).
    """
    K = check_count("K", K, 1)
    labels = as_real_array("labels", labels)
    check_finite("labels", labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D of shape (m,); got shape {labels.shape}")
    if not np.array_equal(labels, np.round(labels)):
        raise ValueError("labels must be whole numbers; got non-integer values")
    if labels.size and (labels.min() < 0 or labels.max() >= K):
        raise ValueError(
            f"labels must lie in [0, K) = [0, {K}); got values from {labels.min():g} to "
            f"{labels.max():g}; pass a larger K"
        )
    result = np.zeros((labels.size, K), dtype=as_float_dtype(dtype))
    result[np.arange(labels.size), labels.astype(np.intp)] = 1
    return result


def train_test_split(X: Any, y: Any, test_size: float = 0.25,
                     seed: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the rows of (X, y) at random into a training and a test part.

    Parameters
    ----------
    X : array_like of shape (m, n_0)
    y : array_like of shape (m,) or (m, n_L)
    test_size : float or int, default 0.25
        A fraction in (0, 1) of the rows (rounded up), or a number of rows in [1, m - 1].
    seed : int or numpy.random.Generator, optional
        For ``np.random.default_rng``.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Rows of X and y, the test part of ceil(test_size m) (or test_size) rows.

    Raises
    ------
    ValueError
        If X and y differ in length, or test_size leaves either part empty.
    """
    X, y = np.asarray(X), np.asarray(y)
    m = len(X)
    if X.ndim == 0 or y.ndim == 0 or len(y) != m:
        raise ValueError(
            f"X and y must have one row per example; got shapes {X.shape} and {y.shape}"
        )
    if isinstance(test_size, int | np.integer) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        n_test = math.ceil(check_scalar("test_size", test_size, 0.0, 1.0, low_open=True,
                                         high_open=True) * m)
    if not 1 <= n_test <= m - 1:
        raise ValueError(
            f"test_size must leave at least one row in each part of m = {m}; got {test_size}"
        )
    order = np.random.default_rng(seed).permutation(m)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(X: Any, mean: Any = None,
                std: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (X - mean) / std column by column, with the mean and std used.

    Fit on the training data, then apply the same mean and std to any other data::

        X_train, mean, std = standardize(X_train)
        X_test, _, _ = standardize(X_test, mean, std)

    Parameters
    ----------
    X : array_like of shape (m, n_0)
    mean, std : ndarray of shape (n_0,), optional
        Computed from X when not given (both or neither).

    Returns
    -------
    Z : ndarray of shape (m, n_0)
    mean, std : ndarray of shape (n_0,)
        A column whose std is 0 (a constant feature) gets std 1, so it becomes 0, not NaN.

    Raises
    ------
    ValueError
        If X is not 2-D and finite, only one of mean and std is given, or their shape is wrong.
    """
    X = as_real_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D of shape (m, n_0); got shape {X.shape}")
    check_finite("X", X)
    X = X.astype(np.result_type(X.dtype, np.float32), copy=False)
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std (from standardize(X_train)), or neither")
    if mean is None:
        mean, std = X.mean(axis=0), X.std(axis=0)
        std = np.where(std > 0, std, 1).astype(X.dtype)
    mean, std = np.asarray(mean), np.asarray(std)
    if mean.shape != (X.shape[1],) or std.shape != (X.shape[1],):
        raise ValueError(
            f"mean and std must have shape (n_0,) = ({X.shape[1]},); got {mean.shape} and "
            f"{std.shape}"
        )
    return (X - mean) / std, mean, std


def load_digits(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Return the 1797 8x8 images of handwritten digits (UCI, via scikit-learn's copy).

    Read from ``mlp/data/digits.npz``, shipped with the package; nothing is downloaded. The
    file's SHA-256 is checked first.

    Parameters
    ----------
    dtype : floating dtype, default np.float64
        The dtype of X.

    Returns
    -------
    X : ndarray of shape (1797, 64)
        Pixel intensities 0..16, one image per row (row by row); divide by 16 for [0, 1].
    y : ndarray of shape (1797,)
        The digits, 0..9, as int64.

    Raises
    ------
    OSError
        If the file is missing or its checksum differs (a damaged install).
    """
    return _read_digits(resources.files("mlp").joinpath("data", "digits.npz"), dtype)


def _read_digits(path: Any, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Read the digits archive at ``path`` after checking its SHA-256."""
    dtype = as_float_dtype(dtype)
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != DIGITS_SHA256:
        raise OSError(
            f"{path} has SHA-256 {digest}; expected {DIGITS_SHA256}; the file is damaged: "
            "reinstall mlp"
        )
    with np.load(io.BytesIO(content), allow_pickle=False) as archive:
        return archive["X"].astype(dtype), archive["y"].astype(np.int64)
