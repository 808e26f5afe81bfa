"""Learning-rate schedules: ``schedule(t) -> float`` for t = 0, 1, 2, ...

A schedule maps a counter t (the epoch, or the step: ``train(..., schedule_per=...)`` chooses) to
a learning rate. Each one is a small frozen dataclass whose arguments are checked when it is made,
so it prints as it was written and two equal schedules compare equal. eta_0 is ``lr0``.

Examples
--------
>>> from mlp.schedules import StepDecay, tabulate
>>> tabulate(StepDecay(lr0=1.0, gamma=0.5, step_size=2), 5)
array([1.  , 1.  , 0.5 , 0.5 , 0.25])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_count, check_scalar

__all__ = [
    "Constant",
    "CosineAnnealing",
    "ExponentialDecay",
    "InverseTimeDecay",
    "Schedule",
    "StepDecay",
    "Warmup",
    "tabulate",
]


class Schedule:
    """Base class: checks t, then asks the subclass for the rate with ``_lr(t)``."""

    def __call__(self, t: int) -> float:
        """Return the learning rate at epoch (or step) ``t``.

        Raises
        ------
        TypeError
            If ``t`` is not an int.
        ValueError
            If ``t`` < 0.
        """
        return self._lr(check_count("t", t, 0))

    def _lr(self, t: int) -> float:
        raise NotImplementedError


@dataclass(frozen=True)
class _StartsAt(Schedule):
    """A schedule that starts at ``lr0`` > 0."""

    lr0: float

    def __post_init__(self) -> None:
        check_scalar("lr0", self.lr0, 0.0, low_open=True)


@dataclass(frozen=True)
class _DecaysAtRate(_StartsAt):
    """A schedule that starts at ``lr0`` and decays at a rate ``k`` >= 0."""

    k: float

    def __post_init__(self) -> None:
        super().__post_init__()
        check_scalar("k", self.k, 0.0)


@dataclass(frozen=True)
class Constant(_StartsAt):
    """eta(t) = eta_0, the same rate at every t.

    Parameters
    ----------
    lr0 : float
        The learning rate, > 0.
    """

    def _lr(self, t: int) -> float:
        return float(self.lr0)


@dataclass(frozen=True)
class StepDecay(_StartsAt):
    """eta(t) = eta_0 gamma^floor(t / s): multiply by gamma every s = ``step_size`` epochs.

    Parameters
    ----------
    lr0 : float
        The initial rate, > 0.
    gamma : float
        The factor applied every ``step_size`` epochs, in (0, 1].
    step_size : int
        The number s of epochs between decays, >= 1.
    """

    gamma: float
    step_size: int

    def __post_init__(self) -> None:
        super().__post_init__()
        check_scalar("gamma", self.gamma, 0.0, 1.0, low_open=True)
        check_count("step_size", self.step_size, 1)

    def _lr(self, t: int) -> float:
        return float(self.lr0 * self.gamma ** (t // self.step_size))


@dataclass(frozen=True)
class ExponentialDecay(_DecaysAtRate):
    """eta(t) = eta_0 exp(-k t).

    Parameters
    ----------
    lr0 : float
        The initial rate, > 0.
    k : float
        The decay rate, >= 0 (k = 0 is constant).
    """

    def _lr(self, t: int) -> float:
        return float(self.lr0 * math.exp(-self.k * t))


@dataclass(frozen=True)
class InverseTimeDecay(_DecaysAtRate):
    """eta(t) = eta_0 / (1 + k t): decays like 1/t, slowly enough for SGD to converge.

    Parameters
    ----------
    lr0, k : float
        As in ``ExponentialDecay``: the initial rate eta_0 > 0 and the decay rate k >= 0.
    """

    def _lr(self, t: int) -> float:
        return float(self.lr0 / (1.0 + self.k * t))


@dataclass(frozen=True)
class CosineAnnealing(_StartsAt):
    """eta(t) = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T)) / 2 for t <= T, eta_min after.

    Parameters
    ----------
    lr0 : float
        The initial rate eta_0, > 0.
    t_max : int
        The epoch T at which the rate reaches ``lr_min``, >= 1; it stays there afterwards
        (no warm restart).
    lr_min : float, default 0
        The final rate eta_min, in [0, lr0].
    """

    t_max: int
    lr_min: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_count("t_max", self.t_max, 1)
        check_scalar("lr_min", self.lr_min, 0.0, self.lr0)

    def _lr(self, t: int) -> float:
        if t >= self.t_max:
            return float(self.lr_min)
        cosine = 1.0 + math.cos(math.pi * t / self.t_max)
        return float(self.lr_min + 0.5 * (self.lr0 - self.lr_min) * cosine)


@dataclass(frozen=True)
class Warmup(Schedule):
    """Linear warm-up over ``steps`` epochs, then ``schedule`` started from its own t = 0.

    eta(t) = schedule(0) (t + 1) / (steps + 1)   for t < steps   (rising from near 0),
    eta(t) = schedule(t - steps)                 for t >= steps.

    The inner schedule is shifted: its clock starts when the warm-up ends, so
    ``Warmup(CosineAnnealing(lr0, T), w)`` reaches lr0 at t = w and its minimum at t = w + T, and
    the warm-up never eats into the decay. The warm-up never gives exactly 0, which would waste
    a step.

    Parameters
    ----------
    schedule : callable
        The schedule to warm up to, called as ``schedule(t)`` (any ``Schedule``).
    steps : int
        The length of the warm-up, >= 1.
    """

    schedule: Callable[[int], float]
    steps: int

    def __post_init__(self) -> None:
        if not callable(self.schedule):
            raise TypeError(
                f"schedule must be callable as schedule(t); got {type(self.schedule).__name__}; "
                "e.g. Warmup(Constant(0.1), steps=5)"
            )
        check_count("steps", self.steps, 1)

    def _lr(self, t: int) -> float:
        if t < self.steps:
            return float(self.schedule(0)) * (t + 1) / (self.steps + 1)
        return float(self.schedule(t - self.steps))


def tabulate(schedule: Callable[[int], float], t_max: int) -> np.ndarray:
    """Return the first ``t_max`` learning rates, at t = 0, 1, ..., t_max - 1.

    That is one value per epoch of a ``t_max``-epoch run, so for ``train(..., epochs=t_max,
    schedule=schedule)`` it equals ``history.lr``.

    Parameters
    ----------
    schedule : callable
        Called as ``schedule(t)``.
    t_max : int
        The number of values, >= 1.

    Returns
    -------
    ndarray of shape (t_max,)
        ``schedule(t)`` for each t, as float64.
    """
    check_count("t_max", t_max, 1)
    if not callable(schedule):
        raise TypeError(f"schedule must be callable; got {type(schedule).__name__}")
    return np.array([schedule(t) for t in range(t_max)], dtype=np.float64)
