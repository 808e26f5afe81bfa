"""Weight initializers: how W^[l], of shape (n_l, n_(l-1)), starts before training.

Each initializer is a function ``init(n_out, n_in, rng, dtype)`` returning W of shape
``(n_out, n_in)``; the network starts every bias at zero. Random numbers are drawn in float64 and
then cast, so one seed gives the same weights (up to rounding) in float32 and float64.

- ``"xavier"`` (Glorot uniform): U(-r, r) with r = sqrt(6 / (n_in + n_out))
- ``"xavier_normal"`` (Glorot normal): N(0, s^2) with s = sqrt(2 / (n_in + n_out))
- ``"he"`` (He normal): N(0, s^2) with s = sqrt(2 / n_in)
- ``"he_uniform"``: U(-r, r) with r = sqrt(6 / n_in)
- ``"normal"``: N(0, 0.01^2), the naive small initialization (signals shrink with depth)

The default, ``default_initializer(activation)``, is He for the ReLU family and Xavier otherwise.

Examples
--------
>>> import numpy as np
>>> W = xavier(3, 2, np.random.default_rng(0), np.float32)
>>> W.shape, W.dtype, bool(np.all(np.abs(W) <= np.sqrt(6 / 5)))
((3, 2), dtype('float32'), True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import lookup
from .activations import Activation, LeakyReLU

__all__ = [
    "INITIALIZERS",
    "Initializer",
    "default_initializer",
    "get_initializer",
    "he",
    "he_uniform",
    "normal",
    "xavier",
    "xavier_normal",
]

Initializer = Callable[[int, int, np.random.Generator, np.dtype], np.ndarray]


def xavier(n_out: int, n_in: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Glorot uniform: W ~ U(-r, r), r = sqrt(6 / (n_in + n_out)); shape (n_out, n_in)."""
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in)).astype(dtype)


def xavier_normal(n_out: int, n_in: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Glorot normal: W ~ N(0, s^2), s = sqrt(2 / (n_in + n_out)); shape (n_out, n_in)."""
    return rng.normal(0, np.sqrt(2 / (n_in + n_out)), size=(n_out, n_in)).astype(dtype)


def he(n_out: int, n_in: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """He normal: W ~ N(0, s^2), s = sqrt(2 / n_in); shape (n_out, n_in)."""
    return rng.normal(0, np.sqrt(2 / n_in), size=(n_out, n_in)).astype(dtype)


def he_uniform(n_out: int, n_in: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """He uniform: W ~ U(-r, r), r = sqrt(6 / n_in) (variance 2 / n_in); shape (n_out, n_in)."""
    limit = np.sqrt(6 / n_in)
    return rng.uniform(-limit, limit, size=(n_out, n_in)).astype(dtype)


def normal(n_out: int, n_in: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Naive small init: W ~ N(0, 0.01^2), whatever the layer's size; shape (n_out, n_in)."""
    return rng.normal(0, 0.01, size=(n_out, n_in)).astype(dtype)


INITIALIZERS: dict[str, Initializer] = {
    "xavier": xavier,
    "xavier_normal": xavier_normal,
    "he": he,
    "he_uniform": he_uniform,
    "normal": normal,
}


def get_initializer(name_or_fn: str | Initializer) -> Initializer:
    """Return the initializer called ``name_or_fn``, or the callable itself.

    Parameters
    ----------
    name_or_fn : str or callable
        A key of ``INITIALIZERS``, or a function ``(n_out, n_in, rng, dtype) -> W``.

    Returns
    -------
    callable

    Raises
    ------
    ValueError
        If the name is unknown; the message suggests the nearest valid name.
    TypeError
        If ``name_or_fn`` is neither a string nor callable.

    Examples
    --------
    >>> get_initializer("he") is he
    True
    """
    if callable(name_or_fn):
        return name_or_fn
    return lookup("initializer", name_or_fn, INITIALIZERS, "a callable")


def default_initializer(activation: Activation) -> Initializer:
    """He for the ReLU family (relu, leaky_relu), Xavier for every other activation.

    Examples
    --------
    >>> from mlp.activations import relu, tanh
    >>> default_initializer(relu).__name__, default_initializer(tanh).__name__
    ('he', 'xavier')
    """
    return he if isinstance(activation, LeakyReLU) else xavier
