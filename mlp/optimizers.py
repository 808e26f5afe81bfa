"""Gradient-descent optimizers that update parameter arrays in place.

Every optimizer takes a step with ``opt.step(params, grads)``: ``params`` is the list of live
parameter arrays (``net.parameters()``) and ``grads`` the gradients aligned with it. The state
(velocity, moments, ...) is kept per parameter array, created as zeros on the first step, and every
update is written into the parameter arrays themselves through a scratch array allocated once, so a
step allocates nothing the size of the parameters. ``opt.lr`` may change between steps (that is how
a schedule acts), and ``state_dict`` / ``load_state_dict`` let a stopped run resume exactly.

Throughout, g is the gradient at the current parameters theta, t counts steps from 1, eta is
``lr`` and every product, square, square root and division is elementwise. Plain gradient descent
is eq-gd-update; the other updates are written out in each class.

Examples
--------
>>> import numpy as np
>>> from mlp.optimizers import SGD
>>> theta = np.array([1.0, -2.0])
>>> SGD(lr=0.1).step([theta], [np.array([10.0, 10.0])])
>>> theta
array([ 0., -3.])
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["SGD", "AdaGrad", "Adam", "AdamW", "Momentum", "Nesterov", "Optimizer", "RMSProp"]


def _check_scalar(name: str, value: Any, low: float, high: float = math.inf, *,
                  low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float after checking it is a real number in the given interval."""
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


def _check_params_and_grads(params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
    """Check that ``params`` and ``grads`` are aligned lists of float arrays of equal shapes."""
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
        self.lr = _check_scalar("lr", lr, 0.0, low_open=True)
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []
        self._scratch: list[np.ndarray] = []

    @property
    def lr(self) -> float:
        """The learning rate used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_scalar("lr", value, 0.0)

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
        _check_params_and_grads(params, grads)
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


class SGD(Optimizer):
    """Plain (stochastic) gradient descent, eq-gd-update.

    Algorithm::

        input: eta (lr), theta_0, gradient g_t of the loss at theta_(t-1)
        for t = 1, 2, ...:
            theta_t <- theta_(t-1) - eta g_t

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0.
    """

    def _update(self, p, g, state, scratch):
        np.multiply(g, self.lr, out=scratch)
        p -= scratch


class _BetaOptimizer(Optimizer):
    """An optimizer with one averaging factor ``beta`` in [0, 1)."""

    hyperparameter_names = ("lr", "beta")

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = _check_scalar("beta", beta, 0.0, 1.0, high_open=True)


class Momentum(_BetaOptimizer):
    """Gradient descent with (heavy-ball) momentum.

    Algorithm::

        input: eta (lr), beta (momentum), theta_0
        initialize: v_0 <- 0
        for t = 1, 2, ...:
            v_t     <- beta v_(t-1) - eta g_t
            theta_t <- theta_(t-1) + v_t

    Notes
    -----
    The velocity here carries the learning rate, as in source 001 section 17. Source 003
    section 3.1 averages instead, v <- beta v + (1 - beta) g and theta <- theta - eta v: the
    same path as this form run with eta (1 - beta) in place of eta, so for equal eta and
    beta = 0.9 its steps are ten times shorter. PyTorch's ``SGD(momentum=beta)`` writes
    u <- beta u + g and theta <- theta - eta u, which is this form (v = -eta u) while eta is
    constant; after eta changes they differ: here a new eta affects only new gradients, there
    it rescales the whole accumulated velocity at once.

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0.
    beta : float, default 0.9
        The momentum factor, in [0, 1); beta = 0 is plain gradient descent.
    """

    state_names = ("velocity",)

    def _update(self, p, g, state, scratch):
        v = state["velocity"]
        v *= self.beta
        np.multiply(g, self.lr, out=scratch)
        v -= scratch
        p += v


class Nesterov(_BetaOptimizer):
    """Nesterov accelerated gradient, in the form that needs only the gradient at theta.

    Algorithm::

        input: eta (lr), beta (momentum), theta_0
        initialize: u_0 <- 0
        for t = 1, 2, ...:
            u_t     <- beta u_(t-1) + g_t
            theta_t <- theta_(t-1) - eta (g_t + beta u_t)

    Notes
    -----
    Nesterov's method is usually written with the gradient taken at a look-ahead point,
    v <- beta v - eta grad L(theta + beta v), theta <- theta + v. Substituting the look-ahead
    point as the new variable gives the form above (as in Sutskever et al. 2013 and PyTorch's
    ``SGD(nesterov=True)``), which needs only the gradient at the current parameters, so it
    fits the same ``step(params, grads)`` as every other optimizer.

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0.
    beta : float, default 0.9
        The momentum factor, in [0, 1).
    """

    state_names = ("u",)

    def _update(self, p, g, state, scratch):
        u = state["u"]
        u *= self.beta
        u += g
        np.multiply(u, self.beta, out=scratch)
        scratch += g
        scratch *= self.lr
        p -= scratch


def _descend_scaled(p: np.ndarray, numerator: np.ndarray, s: np.ndarray, eps: float,
                    factor: float, scratch: np.ndarray) -> None:
    """theta <- theta - factor * numerator / (sqrt(s) + eps), in place through ``scratch``."""
    np.sqrt(s, out=scratch)
    scratch += eps
    np.divide(numerator, scratch, out=scratch)
    scratch *= factor
    p -= scratch


class AdaGrad(Optimizer):
    """AdaGrad: a per-coordinate step that shrinks with the sum of past squared gradients.

    Algorithm::

        input: eta (lr), eps, theta_0
        initialize: s_0 <- 0
        for t = 1, 2, ...:
            s_t     <- s_(t-1) + g_t^2
            theta_t <- theta_(t-1) - eta g_t / (sqrt(s_t) + eps)

    Notes
    -----
    eps sits outside the square root, as in PyTorch; some texts write sqrt(s + eps), which
    differs only while s is about eps or smaller.

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0.
    eps : float, default 1e-10
        Added to the root to avoid dividing by zero, > 0.
    """

    hyperparameter_names = ("lr", "eps")
    state_names = ("sum_squares",)

    def __init__(self, lr: float, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = _check_scalar("eps", eps, 0.0, low_open=True)

    def _update(self, p, g, state, scratch):
        s = state["sum_squares"]
        np.multiply(g, g, out=scratch)
        s += scratch
        _descend_scaled(p, g, s, self.eps, self.lr, scratch)


class RMSProp(_BetaOptimizer):
    """RMSProp: AdaGrad with an exponential moving average of squared gradients.

    Algorithm::

        input: eta (lr), beta, eps, theta_0
        initialize: s_0 <- 0
        for t = 1, 2, ...:
            s_t     <- beta s_(t-1) + (1 - beta) g_t^2
            theta_t <- theta_(t-1) - eta g_t / (sqrt(s_t) + eps)

    Notes
    -----
    eps sits outside the square root (as in PyTorch, whose ``alpha`` is our beta); source 003
    section 3.2 writes sqrt(s + eps). There is no bias correction: the first steps are larger than
    later ones, since s_1 = (1 - beta) g_1^2 is small.

    Parameters
    ----------
    lr : float
        The learning rate eta, > 0.
    beta : float, default 0.9
        The averaging factor of the squared gradients, in [0, 1).
    eps : float, default 1e-8
        Added to the root to avoid dividing by zero, > 0.
    """

    hyperparameter_names = ("lr", "beta", "eps")
    state_names = ("mean_squares",)

    def __init__(self, lr: float, beta: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(lr, beta)
        self.eps = _check_scalar("eps", eps, 0.0, low_open=True)

    def _update(self, p, g, state, scratch):
        s = state["mean_squares"]
        np.multiply(g, g, out=scratch)
        s -= scratch
        s *= self.beta
        s += scratch  # s <- beta (s - g^2) + g^2 = beta s + (1 - beta) g^2
        _descend_scaled(p, g, s, self.eps, self.lr, scratch)


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSProp's scaling, both bias-corrected.

    Algorithm::

        input: eta (lr), beta1, beta2, eps, theta_0
        initialize: m_0 <- 0, v_0 <- 0
        for t = 1, 2, ...:
            m_t     <- beta1 m_(t-1) + (1 - beta1) g_t
            v_t     <- beta2 v_(t-1) + (1 - beta2) g_t^2
            m_hat   <- m_t / (1 - beta1^t)
            v_hat   <- v_t / (1 - beta2^t)
            theta_t <- theta_(t-1) - eta m_hat / (sqrt(v_hat) + eps)

    Notes
    -----
    eps sits outside the square root, as in Kingma and Ba (2015), PyTorch and scikit-learn.
    Source 003 section 3.3 writes sqrt(v_hat + eps), which with the same eps damps far more
    where v_hat is small (sqrt(1e-8) = 1e-4 instead of 1e-8). The code applies the
    two bias corrections as scalars, theta <- theta - eta_t m / (sqrt(v) + eps_t) with
    eta_t = eta sqrt(1 - beta2^t) / (1 - beta1^t) and eps_t = eps sqrt(1 - beta2^t), which is
    the same update with fewer passes over the arrays.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate eta, > 0.
    beta1 : float, default 0.9
        The averaging factor of the gradients (first moment), in [0, 1).
    beta2 : float, default 0.999
        The averaging factor of the squared gradients (second moment), in [0, 1).
    eps : float, default 1e-8
        Added to the root to avoid dividing by zero, > 0.
    """

    hyperparameter_names = ("lr", "beta1", "beta2", "eps")
    state_names = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = _check_scalar("beta1", beta1, 0.0, 1.0, high_open=True)
        self.beta2 = _check_scalar("beta2", beta2, 0.0, 1.0, high_open=True)
        self.eps = _check_scalar("eps", eps, 0.0, low_open=True)

    def _update(self, p, g, state, scratch):
        m, v = state["m"], state["v"]
        m -= g
        m *= self.beta1
        m += g  # m <- beta1 (m - g) + g = beta1 m + (1 - beta1) g
        np.multiply(g, g, out=scratch)
        v -= scratch
        v *= self.beta2
        v += scratch  # v <- beta2 v + (1 - beta2) g^2
        root_c2 = math.sqrt(1.0 - self.beta2**self.t)
        factor = self.lr * root_c2 / (1.0 - self.beta1**self.t)
        _descend_scaled(p, m, v, self.eps * root_c2, factor, scratch)


class AdamW(Adam):
    """AdamW: Adam with weight decay decoupled from the gradient.

    Algorithm::

        input: eta (lr), beta1, beta2, eps, lambda (weight_decay), theta_0
        initialize: m_0 <- 0, v_0 <- 0
        for t = 1, 2, ...:
            m_t, v_t, m_hat, v_hat as in Adam (from g_t alone)
            theta_t <- theta_(t-1) - eta (m_hat / (sqrt(v_hat) + eps) + lambda theta_(t-1))

    Notes
    -----
    L2 regularization adds lambda' theta to the gradient, so in Adam the decay is divided by
    sqrt(v_hat) like every gradient and heavily-updated weights decay less. AdamW (Loshchilov
    and Hutter, 2019) instead shrinks every weight by the same factor (1 - eta lambda) each step.
    As in PyTorch the decay is scaled by eta; the paper scales it by a schedule multiplier only.
    It applies to every array given, biases included; pass only the weights to exclude them.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As in ``Adam``.
    weight_decay : float, default 1e-2
        The decay factor lambda, >= 0; 0 gives Adam.
    """

    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "weight_decay")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = _check_scalar("weight_decay", weight_decay, 0.0)

    def _update(self, p, g, state, scratch):
        p *= 1.0 - self.lr * self.weight_decay  # theta <- theta - eta lambda theta, first
        super()._update(p, g, state, scratch)
