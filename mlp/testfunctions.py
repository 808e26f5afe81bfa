"""The paths descent takes on the test functions, which this module also re-exports.

The functions to optimize (``Objective``, ``Quadratic``, ``Rosenbrock``, ``DoubleWell``,
``Saddle``), each with ``f.value(x)`` and ``f.grad(x)``, live in ``mlp.objectives`` and are
importable from here. This module runs descent on them: ``descent_path`` runs plain gradient
descent; ``run_optimizer`` runs any optimizer of :mod:`mlp.optimizers` through its
``opt.step([x], [g])``.

Divergence is a result, not an error: when the next iterate would leave the box |x_i| <= BLOW_UP
(1e50) or the gradient would not be finite, both runners stop and return the path so far, without
a numpy warning. A returned path shorter than ``steps + 1`` rows therefore means "diverged", and
the values of the test functions along any returned path are finite.

Examples
--------
>>> import numpy as np
>>> from mlp.testfunctions import Quadratic, descent_path
>>> bowl = Quadratic([1.0, 10.0])
>>> bowl.M, bowl.condition_number
(10.0, 10.0)
>>> path = descent_path(bowl, lr=0.1, x0=[1.0, 1.0], steps=50)
>>> path.shape, bool(np.allclose(path[-1], bowl.minimum, atol=1e-2))
((51, 2), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_finite
from .objectives import DoubleWell, Objective, Quadratic, Rosenbrock, Saddle, check_lr

__all__ = [
    "DoubleWell",
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "descent_path",
    "run_optimizer",
]

BLOW_UP = 1e50


def descent_path(function: Objective, lr: float, x0: Any, steps: int) -> np.ndarray:
    """Run gradient descent x_{k+1} = x_k - lr * grad f(x_k) and return every iterate.

    On a Quadratic its error follows eq-gd-quadratic-error.

    Parameters
    ----------
    function : Objective
        What to minimize.
    lr : float
        The learning rate (step size) eta, > 0.
    x0 : array_like of shape (d,)
        The start.
    steps : int
        The number of updates, >= 0.

    Returns
    -------
    path : ndarray of shape (k + 1, d)
        ``path[0] = x0`` and ``path[k]`` the k-th iterate. ``k = steps`` unless descent diverged
        (an iterate left the box |x_i| <= BLOW_UP or a gradient was not finite); then
        ``k < steps`` and the path stops at the last iterate inside the box.

    Raises
    ------
    ValueError
        If lr is not a finite number > 0, steps is negative or x0 has the wrong shape or is not
        finite.
    """
    lr = check_lr(lr)
    return _run(function, x0, steps, lambda x, g: np.subtract(x, lr * g, out=x))


def run_optimizer(function: Objective, optimizer: Any, x0: Any, steps: int) -> np.ndarray:
    """Run ``optimizer`` (e.g. ``mlp.optimizers.Momentum``) on ``function`` from ``x0``.

    Each step calls ``optimizer.step([x], [g])``, which updates ``x`` in place.

    Parameters
    ----------
    function, x0, steps
        As in :func:`descent_path`.
    optimizer : object with ``step(params, grads)``
        A fresh optimizer (its state, if any, is used as is).

    Returns
    -------
    path : ndarray of shape (k + 1, d)
        As in :func:`descent_path`: ``k < steps`` only if the run diverged.

    Raises
    ------
    TypeError
        If the optimizer has no ``step`` method.
    ValueError
        If steps is negative or x0 has the wrong shape or is not finite.
    """
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"optimizer must have a step(params, grads) method, like mlp.optimizers.SGD; "
            f"got {type(optimizer).__name__}"
        )
    return _run(function, x0, steps, lambda x, g: optimizer.step([x], [g]))


def _run(function: Objective, x0: Any, steps: int, update: Any) -> np.ndarray:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0; got {steps!r}")
    x = function._points(x0).copy()
    if x.ndim != 1:
        raise ValueError(f"x0 must be one point of shape ({function.dim},); got shape {x.shape}")
    check_finite("x0", x)
    path = np.empty((steps + 1, x.size))
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            g = function.grad(x)
            if not np.isfinite(g).all():
                return path[:k]
            update(x, g)
            if not np.all(np.abs(x) <= BLOW_UP):  # also catches NaN
                return path[:k]
            path[k] = x
    return path
