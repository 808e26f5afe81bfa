"""Generated toy data sets: two-dimensional classification problems and a 1-D regression curve.

Each generator is seeded and offline. The classification sets return ``X`` of shape (m, 2) (one
example per row) and integer labels ``y`` of shape (m,) (use ``mlp.data.one_hot`` or
``y.reshape(-1, 1)`` as the loss needs); ``make_regression_1d`` returns targets of shape (m, 1).
All of them are re-exported by ``mlp.data``, which also holds the real data set (``load_digits``)
and the preparation steps (``one_hot``, ``train_test_split``, ``standardize``).

Examples
--------
>>> from mlp.synthetic import make_spirals
>>> X, y = make_spirals(m=9, n_classes=3, seed=0)
>>> X.shape, sorted(set(y.tolist()))
((9, 2), [0, 1, 2])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_count, check_scalar

__all__ = ["make_circles", "make_moons", "make_regression_1d", "make_spirals", "make_xor"]


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(X))
    return X[order], y[order]


def _start(m: int, noise: float, seed: Any) -> tuple[np.random.Generator, tuple[int, int]]:
    """Check m and noise; return the generator and the two class sizes."""
    check_count("m", m, 2)
    check_scalar("noise", noise, 0.0)
    return np.random.default_rng(seed), (m // 2, m - m // 2)


def _finish(class0: np.ndarray, class1: np.ndarray, noise: float,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stack the two classes' points, add Gaussian noise, label 0 and 1, and shuffle."""
    X = np.concatenate([class0, class1])
    y = np.repeat([0, 1], [len(class0), len(class1)])
    return _shuffled(X + noise * rng.standard_normal(X.shape), y, rng)


def _on_arc(angles: np.ndarray, radius: float = 1.0, centre=(0.0, 0.0)) -> np.ndarray:
    return np.column_stack([centre[0] + radius * np.cos(angles),
                            centre[1] + radius * np.sin(angles)])


def make_moons(m: int = 200, noise: float = 0.1,
               seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one, shifted.

    Parameters
    ----------
    m : int, default 200
        Number of points, >= 2 (half in each class).
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    X : ndarray of shape (m, 2)
    y : ndarray of shape (m,)
        Labels 0 or 1.
    """
    rng, (n0, n1) = _start(m, noise, seed)
    upper = _on_arc(rng.uniform(0, np.pi, n0))
    lower = _on_arc(rng.uniform(np.pi, 2 * np.pi, n1), centre=(1.0, 0.5))
    return _finish(upper, lower, noise, rng)


def make_circles(m: int = 200, noise: float = 0.05, factor: float = 0.5,
                 seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1).

    Parameters
    ----------
    m, noise, seed
        As in ``make_moons``.
    factor : float, default 0.5
        The inner radius, in (0, 1).

    Returns
    -------
    X : ndarray of shape (m, 2)
    y : ndarray of shape (m,)
    """
    factor = check_scalar("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
    rng, (n0, n1) = _start(m, noise, seed)
    outer = _on_arc(rng.uniform(0, 2 * np.pi, n0))
    inner = _on_arc(rng.uniform(0, 2 * np.pi, n1), factor)
    return _finish(outer, inner, noise, rng)


def make_xor(m: int = 200, noise: float = 0.25,
             seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners (+-1, +-1); class 1 where the two signs differ (XOR).

    No straight line separates the classes, so a network without a hidden layer cannot.

    Parameters
    ----------
    m, noise, seed
        As in ``make_moons`` (noise: the spread around each corner).

    Returns
    -------
    X : ndarray of shape (m, 2)
    y : ndarray of shape (m,)
    """
    rng, (n0, n1) = _start(m, noise, seed)
    same_signs = np.outer(rng.choice([-1.0, 1.0], n0), [1.0, 1.0])
    different_signs = np.outer(rng.choice([-1.0, 1.0], n1), [1.0, -1.0])
    return _finish(same_signs, different_signs, noise, rng)


def make_spirals(m: int = 300, n_classes: int = 3, noise: float = 0.2,
                 seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms from the origin, one class per arm.

    Arm k holds points at radius r in [0, 1] and angle 2 pi k / K + 4 r + noise * N(0, 1).

    Parameters
    ----------
    m : int, default 300
        Number of points, >= n_classes (split as evenly as possible).
    n_classes : int, default 3
        K, the number of arms, >= 2.
    noise : float, default 0.2
        Standard deviation of the noise on the angle, in radians, >= 0.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    X : ndarray of shape (m, 2)
    y : ndarray of shape (m,)
        Labels 0 .. K - 1.
    """
    K = check_count("n_classes", n_classes, 2)
    check_count("m", m, K)
    noise = check_scalar("noise", noise, 0.0)
    rng = np.random.default_rng(seed)
    y = np.arange(m) % K
    radius = rng.uniform(0, 1, m)
    angle = 2 * np.pi * y / K + 4 * radius + noise * rng.standard_normal(m)
    return _shuffled(radius[:, None] * _on_arc(angle), y, rng)


def make_regression_1d(m: int = 100, noise: float = 0.1,
                       seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of y = sin(x) on x in [-pi, pi], a curve to fit by regression.

    Parameters
    ----------
    m : int, default 100
        Number of points, >= 1.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise on y, >= 0.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    X : ndarray of shape (m, 1)
    y : ndarray of shape (m, 1)
    """
    check_count("m", m, 1)
    noise = check_scalar("noise", noise, 0.0)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, (m, 1))
    return X, np.sin(X) + noise * rng.standard_normal((m, 1))

