"""Scratch arrays that a network reuses from one training step to the next.

A training step on a batch of m examples needs arrays of shape (m, n_l): the Z^[l] and A^[l] of the
forward pass and the Delta^[l] of the backward pass. Allocating them afresh at every step costs
page faults and cache misses that, for a small network, are a sizeable part of the step. A
``Workspace`` keeps one set per batch size m and hands out the same arrays again at the next call
with that m. It keeps the sets of the ``keep`` most recently started batch sizes (a training loop
alternates between its batch size and the last, smaller batch of an epoch); a new batch size beyond
that drops the oldest set, so the memory held is bounded by a few batches' activations.

``flat_views`` makes arrays of given shapes as views into one contiguous buffer (the network's
parameters and gradients are made this way), and ``flat_buffer`` finds that buffer again, which lets
an optimizer update all of them at once.

Whoever takes an array from a workspace must be done with it before the next call that takes the
same one: ``MLP.backward`` uses it for its deltas, which never leave it, ``MLP.forward`` only
when asked to (``reuse=True``), and ``MLP._loss_and_grad`` (the training step) for its Z^[l] and
A^[l], which never leave it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


class Workspace:
    """Arrays of shape (m, n_l) and one dtype, kept per batch size m.

    Parameters
    ----------
    sizes : list of int
        The layer widths [n_0, ..., n_L].
    dtype : numpy dtype
        The dtype of every array.
    keep : int, default 2
        How many batch sizes to keep arrays for at once.
    """

    def __init__(self, sizes: list[int], dtype: np.dtype, keep: int = 2) -> None:
        self.sizes, self.dtype, self.keep = sizes, dtype, keep
        self._by_rows: dict[int, dict[tuple[str, int], np.ndarray]] = {}

    def array(self, kind: str, l: int, m: int) -> np.ndarray:
        """The uninitialized array of shape (m, n_l) called ``kind`` (e.g. "z", "a", "delta").

        The same array object is returned at every call with the same ``(kind, l, m)``, for as long
        as the set of batch size m is kept; different names, layers or batch sizes never share
        memory.
        """
        arrays = self._by_rows.get(m)
        if arrays is None:
            if len(self._by_rows) >= self.keep:
                del self._by_rows[next(iter(self._by_rows))]  # the oldest batch size
            arrays = self._by_rows[m] = {}
        array = arrays.get((kind, l))
        if array is None:
            array = arrays[kind, l] = np.empty((m, self.sizes[l]), dtype=self.dtype)
        return array

    def forward_arrays(self, m: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The pairs of arrays (m, n_l) for Z^[l] and A^[l], l = 1..L."""
        return [(self.array("z", l, m), self.array("a", l, m)) for l in range(1, len(self.sizes))]

    def backward_arrays(self, m: int) -> tuple[list[Any], list[Any]]:
        """Arrays (m, n_l) for Delta^[l] and g^[l]'(Z^[l]), l = 1..L-1 (index 0 is None)."""
        hidden = range(1, len(self.sizes) - 1)
        deltas = [None, *(self.array("delta", l, m) for l in hidden)]
        return deltas, [None, *(self.array("slope", l, m) for l in hidden)]

    def clear(self) -> None:
        """Drop every array (they are made again on demand)."""
        self._by_rows.clear()


def flat_views(shapes: list[tuple[int, ...]], dtype: Any) -> list[np.ndarray]:
    """New uninitialized arrays of the given shapes, views into one contiguous 1-D buffer.

    The buffer is every view's ``base``; the views tile it in order, so ``flat_buffer`` finds it
    again and an optimizer can update all of them in one pass.
    """
    sizes = [math.prod(shape) for shape in shapes]
    buffer = np.empty(sum(sizes), dtype=dtype)
    ends = np.cumsum(sizes)
    return [buffer[end - size:end].reshape(shape)
            for size, end, shape in zip(sizes, ends.tolist(), shapes, strict=True)]


def flat_buffer(arrays: Sequence[np.ndarray]) -> np.ndarray | None:
    """The 1-D buffer that ``arrays`` tile in order (as ``flat_views`` makes them), or None.

    Returns the common ``base`` when it is one C-contiguous 1-D array and the arrays are
    C-contiguous views that cover it exactly, one after the other; None otherwise (separate
    arrays, a gap, another order, a strided view).
    """
    base = getattr(arrays[0], "base", None) if len(arrays) else None
    if not (isinstance(base, np.ndarray) and base.ndim == 1 and base.flags.c_contiguous):
        return None
    address = base.ctypes.data
    for array in arrays:
        if (array.base is not base or not array.flags.c_contiguous
                or array.ctypes.data != address):
            return None
        address += array.nbytes
    return base if address == base.ctypes.data + base.nbytes else None


def gradient_arrays(params: list[np.ndarray], out: list[np.ndarray] | None) -> list[np.ndarray]:
    """Return ``out`` after checking it fits ``params``, or new arrays like them in one buffer.

    Raises
    ------
    ValueError
        If ``out`` does not hold one array per parameter, of its shape and dtype.
    """
    if out is None:
        return flat_views([p.shape for p in params], params[0].dtype)
    if [(g.shape, g.dtype) for g in out] != [(p.shape, p.dtype) for p in params]:
        raise ValueError("out must hold one array per parameter, of its shape and dtype")
    return out
