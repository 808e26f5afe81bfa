"""Functions to optimize, with their gradients: the test functions the book runs descent on.

Every function is an object with ``f.value(x)`` (also ``f(x)``) and ``f.grad(x)``; both accept
one point of shape ``(d,)`` or a stack of points of shape ``(..., d)`` (a grid, for contour plots),
and work in float64. The runners that take descent along them (``descent_path``,
``run_optimizer``) are in ``mlp.testfunctions``, which re-exports every class here.

Examples
--------
>>> import numpy as np
>>> from mlp.objectives import Quadratic
>>> bowl = Quadratic([1.0, 10.0])
>>> bowl.M, bowl.condition_number
(10.0, 10.0)
>>> bowl.regime(0.15), float(bowl.value([1.0, 1.0]))
('oscillates and converges', 5.5)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_real_array, check_finite

__all__ = ["DoubleWell", "Objective", "Quadratic", "Rosenbrock", "Saddle", "check_lr"]


class Objective:
    """A differentiable function of ``d`` variables: the base of the test functions.

    Attributes
    ----------
    dim : int
        The number of variables ``d``.
    minimum : ndarray of shape (d,) or None
        The global minimizer, or None if there is none (a saddle).
    bounds : tuple of (low, high) pairs
        A window around the interesting region, one pair per variable, for plots.
    """

    dim: int
    minimum: np.ndarray | None
    bounds: tuple[tuple[float, float], ...]
    name: str = "objective"

    def __call__(self, x: Any) -> np.ndarray | float:
        return self.value(x)

    def value(self, x: Any) -> np.ndarray | float:
        """Return f(x) for ``x`` of shape ``(d,)`` (a float) or ``(..., d)`` (shape ``(...)``)."""
        raise NotImplementedError

    def grad(self, x: Any) -> np.ndarray:
        """Return the gradient, same shape as ``x``: ``(d,)`` or ``(..., d)``."""
        raise NotImplementedError

    def _points(self, x: Any) -> np.ndarray:
        points = as_real_array("x", x, np.float64)
        if points.ndim == 0 or points.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape (d,) or (..., d) with d = {self.dim} for {self.name}; "
                f"got shape {points.shape}"
            )
        return points


class Quadratic(Objective):
    """The quadratic bowl f(x) = 1/2 (x - x*)^T A (x - x*), A symmetric positive definite.

    Implements eq-quadratic; its gradient is A (x - x*).

    Parameters
    ----------
    curvatures : array_like of shape (d,) or (d, d)
        Either the eigenvalues of A (all > 0), or A itself (symmetric positive definite).
    angle : float, default 0.0
        For eigenvalues in 2-D only: rotate the eigenvectors by this angle (radians), so the
        valley is not aligned with the axes.
    minimum : array_like of shape (d,), optional
        The minimizer x* (default: the origin).

    Attributes
    ----------
    A : ndarray of shape (d, d)
        The Hessian.
    eigenvalues : ndarray of shape (d,)
        Its eigenvalues, ascending.
    M : float
        The smoothness constant, the largest eigenvalue: gradient descent converges from every
        start if and only if 0 < lr < 2 / M (eq-stability-bound).
    mu : float
        The smallest eigenvalue.
    condition_number : float
        M / mu.

    Raises
    ------
    ValueError
        If A is not square, symmetric and positive definite, the eigenvalues are not > 0, or an
        angle is given for anything but eigenvalues in 2-D.
    """

    name = "quadratic"

    def __init__(self, curvatures: Any, angle: float = 0.0, minimum: Any = None) -> None:
        given = as_real_array("curvatures", curvatures, np.float64)
        check_finite("curvatures", given)
        if given.ndim == 1:
            A = _matrix_from_eigenvalues(given, angle)
        elif given.ndim == 2 and given.shape[0] == given.shape[1]:
            if angle != 0.0:
                raise ValueError("angle applies to eigenvalues only; rotate A yourself")
            if not np.allclose(given, given.T):
                raise ValueError("A must be symmetric; got A != A.T; use (A + A.T) / 2")
            A = given.copy()
        else:
            raise ValueError(
                "curvatures must be eigenvalues of shape (d,) or a matrix A of shape (d, d); "
                f"got shape {given.shape}"
            )
        self.eigenvalues = np.linalg.eigvalsh(A)
        if self.eigenvalues[0] <= 0:
            raise ValueError(
                "A must be positive definite; got smallest eigenvalue "
                f"{self.eigenvalues[0]:.3g}; use Saddle for an indefinite example"
            )
        self.A, self.dim = A, A.shape[0]
        self.minimum = np.zeros(self.dim) if minimum is None else self._points(minimum).copy()
        self.M, self.mu = float(self.eigenvalues[-1]), float(self.eigenvalues[0])
        self.condition_number = self.M / self.mu
        reach = 1.2 * (np.abs(self.minimum).max() + 2.0)
        self.bounds = tuple((float(c - reach), float(c + reach)) for c in self.minimum)

    def value(self, x: Any) -> np.ndarray | float:
        error = self._points(x) - self.minimum
        return 0.5 * np.einsum("...i,ij,...j->...", error, self.A, error)

    def grad(self, x: Any) -> np.ndarray:
        return (self._points(x) - self.minimum) @ self.A  # A is symmetric

    def error_factor(self, lr: float) -> float:
        """Return max_i |1 - lr * lambda_i|, the factor by which descent shrinks the error.

        Implements eq-gd-quadratic-error: e_{k+1} = (I - lr A) e_k, whose slowest direction
        shrinks (or grows) by this factor each step. Below 1 exactly when 0 < lr < 2 / M.
        """
        return float(np.max(np.abs(1.0 - check_lr(lr) * self.eigenvalues)))

    def regime(self, lr: float) -> str:
        """Name what gradient descent with step ``lr`` does on this bowl.

        Returns
        -------
        str
            ``"converges"`` (lr M <= 1: no overshoot), ``"oscillates and converges"``
            (1 < lr M < 2), ``"oscillates forever"`` (lr M = 2, to 1e-9) or ``"diverges"``
            (lr M > 2), following eq-stability-bound.
        """
        ratio = check_lr(lr) * self.M
        if abs(ratio - 2.0) <= 1e-9:
            return "oscillates forever"
        if ratio > 2.0:
            return "diverges"
        return "converges" if ratio <= 1.0 else "oscillates and converges"


class Rosenbrock(Objective):
    """Rosenbrock's banana valley f(x, y) = (a - x)^2 + b (y - x^2)^2, minimum at (a, a^2).

    Parameters
    ----------
    a, b : float, default 1.0 and 100.0
        The minimizer's x and the valley's steepness (b > 0).
    """

    name = "rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        if not b > 0:
            raise ValueError(f"b must be > 0; got {b}")
        self.a, self.b, self.dim = float(a), float(b), 2
        self.minimum = np.array([self.a, self.a**2])
        self.bounds = ((self.a - 3.0, self.a + 1.5), (self.a**2 - 2.0, self.a**2 + 3.0))

    def value(self, x: Any) -> np.ndarray | float:
        p = self._points(x)
        return (self.a - p[..., 0]) ** 2 + self.b * (p[..., 1] - p[..., 0] ** 2) ** 2

    def grad(self, x: Any) -> np.ndarray:
        p = self._points(x)
        valley = p[..., 1] - p[..., 0] ** 2
        dx = -2.0 * (self.a - p[..., 0]) - 4.0 * self.b * p[..., 0] * valley
        return np.stack([dx, 2.0 * self.b * valley], axis=-1)


class DoubleWell(Objective):
    """A tilted double well f(x) = (x^2 - 1)^2 + tilt * x of one variable.

    Two minima near x = -1 and x = +1; for tilt > 0 the left one is lower (the global minimum),
    the right one is a poorer local minimum. Where descent ends depends on the start and the step.

    Parameters
    ----------
    tilt : float, default 0.3
        The slope added to the symmetric well, |tilt| < 1.5 keeps both minima.
    """

    name, dim = "double well", 1
    bounds = ((-2.0, 2.0),)

    def __init__(self, tilt: float = 0.3) -> None:
        if not abs(tilt) < 1.5:
            raise ValueError(f"tilt must be in (-1.5, 1.5) to keep two minima; got {tilt}")
        self.tilt = float(tilt)
        roots = np.roots([4.0, 0.0, -4.0, self.tilt])  # f'(x) = 4 x^3 - 4 x + tilt
        stationary = np.sort(roots.real)  # three real roots: minimum, maximum, minimum
        self.minima = stationary[[0, 2]]
        self.minimum = self.minima[np.argmin(self.value(self.minima[:, None]))][None]

    def value(self, x: Any) -> np.ndarray | float:
        p = self._points(x)[..., 0]
        return (p**2 - 1.0) ** 2 + self.tilt * p

    def grad(self, x: Any) -> np.ndarray:
        p = self._points(x)
        return 4.0 * p * (p**2 - 1.0) + self.tilt


class Saddle(Objective):
    """The saddle f(x, y) = x^2 - y^2: a stationary point at the origin that is no minimum."""

    name, dim, minimum = "saddle", 2, None
    bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def value(self, x: Any) -> np.ndarray | float:
        p = self._points(x)
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(self, x: Any) -> np.ndarray:
        return 2.0 * self._points(x) * np.array([1.0, -1.0])


def check_lr(lr: Any) -> float:
    """Return the step size ``lr`` as a float after checking it is a finite number > 0.

    Raises
    ------
    ValueError
        If ``lr`` is not a number, not finite, or not > 0.
    """
    if isinstance(lr, bool) or not isinstance(lr, int | float | np.number):
        raise ValueError(f"lr must be a number > 0; got {lr!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0; got {lr}")
    return float(lr)

def _matrix_from_eigenvalues(eigenvalues: np.ndarray, angle: float) -> np.ndarray:
    if eigenvalues.size == 0:
        raise ValueError("curvatures must hold at least one eigenvalue; got none")
    if angle == 0.0:
        return np.diag(eigenvalues)
    if eigenvalues.size != 2:
        raise ValueError(f"angle needs exactly 2 eigenvalues; got {eigenvalues.size}")
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    return rotation @ np.diag(eigenvalues) @ rotation.T
