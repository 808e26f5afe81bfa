"""Gradient descent and its momentum variants: ``SGD``, ``Momentum`` and ``Nesterov``.

These updates move every coordinate by the same learning rate eta; the adaptive optimizers, which
scale each coordinate by its own gradient history, are in ``mlp.adaptive``. The shared machinery
(state, scratch arrays, checks, state round trips) is ``mlp.optimizer_base.Optimizer``. Import
all of them from ``mlp.optimizers``.

Throughout, g is the gradient at the current parameters theta, t counts steps from 1, eta is
``lr`` and every product is elementwise. Plain gradient descent is eq-gd-update.
"""

from __future__ import annotations

import numpy as np

from .optimizer_base import Optimizer, _BetaOptimizer

__all__ = ["SGD", "Momentum", "Nesterov"]


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
    The velocity here carries the learning rate, as in Mahesh (section 17). Srivastava
    (section 3.1) averages instead, v <- beta v + (1 - beta) g and theta <- theta - eta v: the
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

