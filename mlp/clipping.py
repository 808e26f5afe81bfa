"""Gradient clipping by the global norm.

Examples
--------
>>> import numpy as np
>>> from mlp.clipping import clip_grad_norm
>>> grads = [np.array([3.0]), np.array([[4.0]])]    # global norm sqrt(9 + 16) = 5
>>> clip_grad_norm(grads, max_norm=1.0)
5.0
>>> grads
[array([0.6]), array([[0.8]])]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import check_scalar

__all__ = ["clip_grad_norm", "global_norm"]


def global_norm(arrays: Sequence[np.ndarray]) -> float:
    """Return the Euclidean norm of all the arrays' entries taken together.

    Parameters
    ----------
    arrays : list of ndarray
        Any shapes, e.g. the gradients [grad W^[1], grad b^[1], ...].

    Returns
    -------
    float
        sqrt(sum over arrays of sum of squares). Huge finite entries are rescaled rather than
        allowed to overflow, so the result is inf or nan only if some entry is.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = math.fsum(float(np.vdot(a, a)) for a in arrays)
        if math.isfinite(total):
            return math.sqrt(total)
        largest = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
        if not math.isfinite(largest):
            return largest
        scaled = math.fsum(float(np.vdot(a / largest, a / largest)) for a in arrays)
        return largest * math.sqrt(scaled)


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> float:
    """Rescale ``grads`` in place so that their global norm is at most ``max_norm``.

    With g the concatenation of all the gradients and c = ``max_norm``:
    g <- g min(1, c / ||g||). The direction is kept; only a step longer than c is shortened.
    Gradients whose norm is 0, NaN or infinite are left unchanged (there is no direction to keep).

    Parameters
    ----------
    grads : list of ndarray
        The gradients, e.g. from ``net.backward``; floating point, modified in place.
    max_norm : float
        The largest norm c allowed, > 0.

    Returns
    -------
    float
        The global norm ||g|| before clipping (useful to log).

    Raises
    ------
    TypeError
        If an entry of ``grads`` is not a floating-point ndarray.
    ValueError
        If ``max_norm`` is not > 0.
    """
    max_norm = check_scalar("max_norm", max_norm, 0.0, low_open=True)
    for i, g in enumerate(grads):
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            got = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"grads[{i}] must be a floating-point ndarray; got {got}")
    norm = global_norm(grads)
    if math.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm
