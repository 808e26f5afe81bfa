"""Adaptive optimizers: ``AdaGrad``, ``RMSProp``, ``Adam`` and ``AdamW``.

Each scales the step of every coordinate by the root of a running sum or average of its squared
gradients, so coordinates with large gradients take smaller steps. ``SGD`` and the momentum
family are in ``mlp.sgd``; the shared machinery is ``mlp.optimizer_base.Optimizer``. Import all
of them from ``mlp.optimizers``.

Throughout, g is the gradient at the current parameters theta, t counts steps from 1, eta is
``lr`` and every product, square, square root and division is elementwise.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import check_scalar
from .optimizer_base import Optimizer, _BetaOptimizer

__all__ = ["AdaGrad", "Adam", "AdamW", "RMSProp"]


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
        self.eps = check_scalar("eps", eps, 0.0, low_open=True)

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
    eps sits outside the square root (as in PyTorch, whose ``alpha`` is our beta); Srivastava
    (section 3.2), Zeiler's Adadelta and TensorFlow 1 write sqrt(s + eps), which differs once
    the gradients are about sqrt(eps) or smaller; Tieleman and Hinton's slides have no eps.
    There is no bias correction: the first steps are larger than later ones, since
    s_1 = (1 - beta) g_1^2 is small.

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
        self.eps = check_scalar("eps", eps, 0.0, low_open=True)

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
    Srivastava (section 3.3) writes sqrt(v_hat + eps), which with the same eps damps far more
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
        self.beta1 = check_scalar("beta1", beta1, 0.0, 1.0, high_open=True)
        self.beta2 = check_scalar("beta2", beta2, 0.0, 1.0, high_open=True)
        self.eps = check_scalar("eps", eps, 0.0, low_open=True)

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
        self.weight_decay = check_scalar("weight_decay", weight_decay, 0.0)

    def _update(self, p, g, state, scratch):
        p *= 1.0 - self.lr * self.weight_decay  # theta <- theta - eta lambda theta, first
        super()._update(p, g, state, scratch)
