"""The base class every optimizer of ``mlp.optimizers`` derives from.

``Optimizer`` holds what all the updates share: the learning rate (settable between steps), the
step counter t, the per-parameter state created as zeros on the first step, one scratch array per
parameter so that a step allocates nothing the size of the parameters, the checks at the
boundary, and the ``state_dict`` / ``load_state_dict`` round trip. ``_BetaOptimizer`` adds one
averaging factor beta, shared by ``Momentum``, ``Nesterov`` (``mlp.sgd``) and ``RMSProp``
(``mlp.adaptive``). The updates themselves live in those two modules; import them all from
``mlp.optimizers``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import check_params_and_grads, check_scalar

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: per-parameter state, validation, the step loop and state round trips.

    A subclass lists its hyperparameters in ``hyperparameter_names`` and its per-parameter state
    arrays in ``state_names``, and implements ``_update(p, g, state, scratch)``, which updates one
    parameter array in place using the scratch array ``scratch`` (same shape and dtype as ``p``).

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0. It may later be set to any value >= 0 (a schedule may anneal
        it to 0).

    Attributes
    ----------
    t : int
        The number of steps taken so far.
    state : list of dict
        One dict per parameter array, mapping each name in ``state_names`` to an array of the
        parameter's shape; empty before the first step.
    """

    hyperparameter_names: tuple[str, ...] = ("lr",)
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = check_scalar("lr", lr, 0.0, low_open=True)
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []
        self._scratch: list[np.ndarray] = []

    @property
    def lr(self) -> float:
        """The learning rate used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_scalar("lr", value, 0.0)

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameter_names)
        return f"{type(self).__name__}({args})"

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place, one step against ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The live parameter arrays, e.g. ``net.parameters()`` = [W^[1], b^[1], ...].
        grads : list of ndarray
            The gradients, aligned with ``params`` and of the same shapes.

        Raises
        ------
        TypeError
            If an entry is not an ndarray, or a parameter is not floating point.
        ValueError
            If the lists differ in length, a gradient's shape differs from its parameter's, or
            the parameters' shapes differ from those the state was created for.
        """
        check_params_and_grads(params, grads)
        if not self.state:
            self.state = [{n: np.zeros_like(p) for n in self.state_names} for p in params]
        layout = [(p.shape, p.dtype) for p in params]
        if [(w.shape, w.dtype) for w in self._scratch] != layout:
            self._check_state_shapes([shape for shape, _ in layout])
            self._scratch = [np.empty_like(p) for p in params]
        self.t += 1
        for p, g, state, scratch in zip(params, grads, self.state, self._scratch, strict=True):
            self._update(p, g, state, scratch)

    def _check_state_shapes(self, shapes: list[tuple[int, ...]]) -> None:
        any_name = self.state_names[0] if self.state_names else None
        have = [s[any_name].shape for s in self.state] if any_name else shapes
        if have != shapes:
            raise ValueError(
                f"this optimizer's state was created for parameters of shapes {have}; got "
                f"{shapes}; use a new optimizer for a different network"
            )

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray],
                scratch: np.ndarray) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Return a deep copy of everything needed to resume: type, hyperparameters, t, state."""
        return {
            "type": type(self).__name__,
            "hyperparameters": {n: getattr(self, n) for n in self.hyperparameter_names},
            "t": self.t,
            "state": copy.deepcopy(self.state),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` of an optimizer of the same type (deep-copied in).

        Raises
        ------
        ValueError
            If the dict comes from another optimizer type or lacks a key.
        """
        kind = state_dict.get("type")
        if kind != type(self).__name__:
            raise ValueError(
                f"state_dict was saved by {kind}, not {type(self).__name__}; load it into a "
                f"{kind} optimizer"
            )
        missing = {"hyperparameters", "t", "state"} - set(state_dict)
        if missing:
            raise ValueError(f"state_dict lacks the key(s) {sorted(missing)}; use opt.state_dict()")
        for name, value in state_dict["hyperparameters"].items():
            setattr(self, name, value)
        self.t = int(state_dict["t"])
        self.state = copy.deepcopy(state_dict["state"])
        self._scratch = []


class _BetaOptimizer(Optimizer):
    """An optimizer with one averaging factor ``beta`` in [0, 1)."""

    hyperparameter_names = ("lr", "beta")

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = check_scalar("beta", beta, 0.0, 1.0, high_open=True)

