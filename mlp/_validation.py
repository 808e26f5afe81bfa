"""Checks shared by the public entry points of the numpy core.

Every public function of ``mlp`` validates its input here, once, at the boundary; private helpers
trust what they are given. Each error says what was expected, what was got and, where there is one,
the fix.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def as_float_dtype(dtype: Any) -> np.dtype:
    """Return ``np.dtype(dtype)``, which must be a floating-point type.

    Raises
    ------
    TypeError
        If ``dtype`` is not a numpy dtype or is not floating point.
    """
    try:
        result = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be a numpy floating dtype; got {dtype!r}") from error
    if not np.issubdtype(result, np.floating):
        raise TypeError(f"dtype must be floating point (np.float32 or np.float64); got {result}")
    return result


def as_real_array(name: str, values: Any, dtype: Any = None) -> np.ndarray:
    """Return ``values`` as an array of real numbers, cast to ``dtype`` if given.

    Raises
    ------
    TypeError
        If the values are not real numbers (strings, objects, complex numbers).
    """
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {array.dtype}")
    return array if dtype is None else array.astype(dtype, copy=False)


def check_finite(name: str, array: np.ndarray) -> None:
    """Raise ``ValueError`` if ``array`` holds a NaN or an infinity.

    A finite sum proves every entry finite without a boolean array the size of the data; the
    entries are examined one by one only when the sum is not finite (a bad value, or finite values
    whose sum overflows). Integer arrays are always finite.
    """
    if array.dtype.kind in "biu":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    if np.isfinite(total):
        return
    finite = np.isfinite(array)
    if not finite.all():
        bad = int(np.size(array) - np.count_nonzero(finite))
        raise ValueError(
            f"{name} must be finite; got {bad} NaN or infinite value(s); "
            "remove or impute them first"
        )


def as_matrix(name: str, values: Any, n_cols: int, cols: str, dtype: Any = None) -> np.ndarray:
    """Return ``values`` as a finite 2-D array of shape ``(m, n_cols)``.

    Parameters
    ----------
    name : str
        The argument's name, for messages (e.g. ``"X"``).
    values : array_like
        The data, one example per row.
    n_cols : int
        The number of columns required.
    cols : str
        The book's symbol for that number, for messages (e.g. ``"n_0"``).
    dtype : dtype, optional
        Cast to this dtype (no copy if it already has it).

    Raises
    ------
    TypeError
        If the values are not real numbers.
    ValueError
        If the array is not 2-D, has the wrong number of columns, or is not finite.
    """
    array = as_real_array(name, values, dtype)
    wanted = f"{name} must be 2-D of shape (m, {cols}) = (m, {n_cols})"
    if array.ndim != 2:
        fix = "; use X.reshape(1, -1) for one example" if array.ndim == 1 else ""
        raise ValueError(f"{wanted}; got shape {array.shape}{fix}")
    if array.shape[1] != n_cols:
        raise ValueError(f"{wanted}; got shape {array.shape}")
    check_finite(name, array)
    return array


def check_sizes(sizes: Any) -> list[int]:
    """Return ``sizes`` as a list of ints, at least two, all positive."""
    valid = (
        isinstance(sizes, (list, tuple, np.ndarray))
        and len(sizes) >= 2
        and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in sizes
        )
    )
    if not valid:
        raise ValueError(
            f"sizes must be a list of at least 2 positive ints [n_0, ..., n_L]; got {sizes!r}"
        )
    return [int(n) for n in sizes]


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """``np.random.default_rng(seed)`` for None, an int or a Generator (``name`` for messages)."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator))
    ):
        raise TypeError(f"{name} must be None, an int or a np.random.Generator; got {seed!r}")
    return np.random.default_rng(seed)


def lookup(kind: str, name: Any, registry: Mapping[str, Any], expected: str) -> Any:
    """Return ``registry[name]``.

    Parameters
    ----------
    kind : str
        What is looked up, for messages (e.g. ``"activation"``).
    name : str
        The key.
    registry : mapping
        Valid names to objects.
    expected : str
        What else the caller accepts, for the TypeError (e.g. ``"an Activation object"``).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If the name is not in the registry; the message suggests the nearest valid name.
    """
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a name or {expected}; got {type(name).__name__}")
    if name not in registry:
        raise ValueError(unknown_name_message(kind, name, list(registry)))
    return registry[name]


def unknown_name_message(kind: str, name: str, valid: list[str]) -> str:
    """Say that ``name`` is not a valid ``kind``, suggesting the nearest valid name."""
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    return f"unknown {kind} {name!r}{hint} valid: {', '.join(sorted(valid))}"


def as_prediction(y_hat: Any, name: str = "y_hat") -> np.ndarray:
    """Return ``y_hat`` as a finite, floating, 2-D array of shape (m, n_L)."""
    y_hat = as_real_array(name, y_hat)
    if y_hat.dtype.kind != "f":
        y_hat = y_hat.astype(np.float64)
    if y_hat.ndim != 2 or len(y_hat) == 0:
        raise ValueError(
            f"{name} must be 2-D of shape (m, n_L) with m >= 1; got shape {y_hat.shape}"
        )
    check_finite(name, y_hat)
    return y_hat


def as_pair(y_hat: Any, y: Any, name: str = "y_hat") -> tuple[np.ndarray, np.ndarray]:
    """Return a checked prediction and a target ``y`` of its shape, cast to its dtype."""
    y_hat = as_prediction(y_hat, name)
    y = as_real_array("y", y, y_hat.dtype)
    check_finite("y", y)
    if y.shape != y_hat.shape:
        raise ValueError(
            f"y must have the shape of {name}, (m, n_L) = {y_hat.shape}; got shape {y.shape}"
        )
    return y_hat, y


def as_labels(y: Any, shape: tuple[int, int]) -> np.ndarray:
    """Return integer labels of shape (m,) with values in [0, K), for predictions of ``shape``."""
    m, k = shape
    y = as_real_array("y", y)
    check_finite("y", y)
    if y.shape != (m,):
        raise ValueError(f"integer labels y must have shape (m,) = ({m},); got shape {y.shape}")
    if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
        raise ValueError(
            "integer labels y must be whole numbers; got non-integer values; "
            "pass one-hot targets of shape (m, K) for soft labels"
        )
    labels = y.astype(np.intp, copy=False)
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(
            f"labels must lie in [0, K) = [0, {k}); "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def check_probabilities(name: str, values: np.ndarray) -> None:
    """Raise ``ValueError`` unless every value lies in [0, 1]."""
    if values.size and (values.min() < 0 or values.max() > 1):
        raise ValueError(
            f"{name} must be probabilities in [0, 1]; got values from {values.min():.4g} "
            f"to {values.max():.4g}"
        )


def check_distributions(y: np.ndarray) -> None:
    """Raise ``ValueError`` unless every row of ``y`` is in [0, 1] and sums to 1."""
    check_probabilities("y", y)
    sums = y.sum(axis=1)
    if not np.allclose(sums, 1, rtol=0, atol=np.sqrt(np.finfo(y.dtype).eps)):
        raise ValueError(
            "the rows of y must sum to 1 for cross_entropy (one-hot or soft labels); got sums "
            f"from {sums.min():.4g} to {sums.max():.4g}; use integer labels of shape (m,) "
            "or binary_cross_entropy for independent targets"
        )


def check_scalar(name: str, value: Any, low: float, high: float = math.inf, *,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float after checking it is a real number in the given interval.

    The interval is [low, high], with either end open if ``low_open`` / ``high_open``
    (e.g. a learning rate: ``check_scalar("lr", lr, 0.0, low_open=True)`` for lr > 0).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a bool is not one).
    ValueError
        If it is NaN or outside the interval.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if math.isnan(value) or too_low or too_high:
        if high == math.inf:
            wanted = f"> {low:g}" if low_open else f">= {low:g}"
        else:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            wanted = f"in {left}{low:g}, {high:g}{right}"
        raise ValueError(f"{name} must be {wanted}; got {value:g}")
    return value


def check_count(name: str, value: Any, low: int) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``low``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (a bool is not one).
    ValueError
        If it is below ``low``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value}")
    return int(value)


def check_params_and_grads(params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
    """Check that ``params`` and ``grads`` are aligned lists of arrays of equal shapes.

    Raises
    ------
    TypeError
        If an entry is not an ndarray, or a parameter is not floating point (it could not be
        updated in place).
    ValueError
        If the lists differ in length or a gradient's shape differs from its parameter's.
    """
    if len(params) != len(grads):
        raise ValueError(
            f"params and grads must have the same length; got {len(params)} params and "
            f"{len(grads)} grads; pass grads aligned with net.parameters()"
        )
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        for name, array in (("params", p), ("grads", g)):
            if not isinstance(array, np.ndarray):
                raise TypeError(
                    f"{name}[{i}] must be a numpy ndarray; got {type(array).__name__}; "
                    "use np.asarray(...)"
                )
        if not np.issubdtype(p.dtype, np.floating):
            raise TypeError(
                f"params[{i}] must be a floating-point array to be updated in place; got dtype "
                f"{p.dtype}; use p.astype(np.float64)"
            )
        if p.shape != g.shape:
            raise ValueError(
                f"grads[{i}] must have the shape of params[{i}], {p.shape}; got {g.shape}"
            )
