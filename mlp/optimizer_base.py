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
from ._workspace import flat_buffer, flat_views

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: per-parameter state, validation, the step loop and state round trips.

    A subclass lists its hyperparameters in ``hyperparameter_names`` and its per-parameter state
    arrays in ``state_names``, and implements ``_update(p, g, state, scratch)``, which updates one
    parameter array in place using the scratch array ``scratch`` (same shape and dtype as ``p``).
    The update must be elementwise: ``step`` also calls it once on whole 1-D buffers when the
    parameters and the gradients are views that tile one buffer each (``_fused_arrays``).

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
        parameter's shape; empty before the first step. After a step over one buffer the arrays
        are views into the optimizer's state buffers (replace them with ``load_state_dict``).
    """

    hyperparameter_names: tuple[str, ...] = ("lr",)
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = check_scalar("lr", lr, 0.0, low_open=True)
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []
        self._scratch: list[np.ndarray] = []
        self._fused_key: Any = None
        self._fused: Any = None

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
        fused = self._fused_arrays(params, grads)
        if fused is None:
            self._prepare(params, grads)
        self.t += 1
        if fused is not None:  # one update over the whole buffers: the same elementwise math
            self._update(*fused)
            return
        for p, g, state, scratch in zip(params, grads, self.state, self._scratch, strict=True):
            self._update(p, g, state, scratch)

    def _prepare(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Check the arrays; create the state (zeros) and the scratch arrays they need."""
        check_params_and_grads(params, grads)
        if not self.state:
            self.state = [{n: np.zeros_like(p) for n in self.state_names} for p in params]
        layout = [(p.shape, p.dtype) for p in params]
        if [(w.shape, w.dtype) for w in self._scratch] != layout:
            self._check_state_shapes([shape for shape, _ in layout])
            self._scratch = [np.empty_like(p) for p in params]

    def _fused_arrays(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> Any:
        """``(theta, g, state, scratch)`` as whole 1-D buffers, or None to update array by array.

        The parameters and the gradients qualify when each list tiles one contiguous buffer in
        order (``net.parameters()`` and ``net.new_gradients()`` do). The state is then moved into
        buffers of the same layout, once; ``self.state`` keeps one dict of views per array, so
        ``state_dict`` is unchanged. Every update is elementwise, so updating the buffers gives
        exactly the numbers that the loop over the arrays gives. The check is done once for a
        given pair of lists; the same arrays passed again are trusted.
        """
        key = self._fused_key
        if (key is not None and len(key[0]) == len(params) and len(key[1]) == len(grads)
                and all(a is b for a, b in zip(key[0], params, strict=True))
                and all(a is b for a, b in zip(key[1], grads, strict=True))):
            return self._fused
        self._fused_key = self._fused = None
        theta, g = flat_buffer(params), flat_buffer(grads)
        if theta is None or g is None or theta.dtype != g.dtype:
            return None
        self._prepare(params, grads)
        state = {}
        for name in self.state_names:
            views = [s[name] for s in self.state]
            state[name] = flat_buffer(views)
            if state[name] is None:  # separate arrays (a first step, or load_state_dict): gather
                gathered = flat_views([v.shape for v in views], theta.dtype)
                for new, old, s in zip(gathered, views, self.state, strict=True):
                    new[...] = old
                    s[name] = new
                state[name] = gathered[0].base
        self._scratch = flat_views([p.shape for p in params], theta.dtype)
        self._fused_key = (tuple(params), tuple(grads))
        self._fused = (theta, g, state, self._scratch[0].base)
        return self._fused

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
        self._fused_key = self._fused = None


class _BetaOptimizer(Optimizer):
    """An optimizer with one averaging factor ``beta`` in [0, 1)."""

    hyperparameter_names = ("lr", "beta")

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = check_scalar("beta", beta, 0.0, 1.0, high_open=True)

