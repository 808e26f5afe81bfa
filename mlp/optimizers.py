"""Gradient-descent optimizers that update parameter arrays in place.

Every optimizer takes a step with ``opt.step(params, grads)``: ``params`` is the list of live
parameter arrays (``net.parameters()``) and ``grads`` the gradients aligned with it. The state
(velocity, moments, ...) is kept per parameter array, created as zeros on the first step, and every
update is written into the parameter arrays themselves through a scratch array allocated once, so a
step allocates nothing the size of the parameters. When ``params`` and ``grads`` each tile one
contiguous buffer (``net.parameters()`` and ``net.new_gradients()`` do), the update runs once over
the whole buffers instead of once per array: the same elementwise arithmetic in a handful of numpy
calls, with the state kept in buffers of the same layout. ``opt.lr`` may change between steps
(that is how a schedule acts), and ``state_dict`` / ``load_state_dict`` let a stopped run resume
exactly.

Throughout, g is the gradient at the current parameters theta, t counts steps from 1, eta is
``lr`` and every product, square, square root and division is elementwise. Plain gradient descent
is eq-gd-update; the other updates are written out in each class.

The classes live in three modules, all re-exported here (import them from ``mlp.optimizers``):

- ``mlp.optimizer_base``: ``Optimizer``, the base class (state, scratch arrays, checks,
  ``state_dict``);
- ``mlp.sgd``: ``SGD``, ``Momentum``, ``Nesterov`` (the same step size for every coordinate);
- ``mlp.adaptive``: ``AdaGrad``, ``RMSProp``, ``Adam``, ``AdamW`` (a step per coordinate, scaled
  by its gradient history).

Examples
--------
>>> import numpy as np
>>> from mlp.optimizers import SGD
>>> theta = np.array([1.0, -2.0])
>>> SGD(lr=0.1).step([theta], [np.array([10.0, 10.0])])
>>> theta
array([ 0., -3.])
"""

from .adaptive import AdaGrad, Adam, AdamW, RMSProp
from .optimizer_base import Optimizer
from .sgd import SGD, Momentum, Nesterov

__all__ = ["SGD", "AdaGrad", "Adam", "AdamW", "Momentum", "Nesterov", "Optimizer", "RMSProp"]
