"""L2 regularization (weight decay through the loss) of the weight matrices.

The penalised objective is L(theta) + lam sum_l ||W^[l]||^2, with ||W|| the Frobenius norm, so
its gradient with respect to W^[l] gains 2 lam W^[l]. Some texts write (lam / 2) ||W||^2 (the
gradient then gains lam W) or divide by m; those are the same penalty with lam rescaled.

Only the weights are penalised, never the biases. The penalty is there to keep the function
simple, and it is the weights that set how steeply and in which combinations the network responds
to its input; a bias only shifts a unit's output and does not make the function more complex.
Pulling the biases towards 0 would shift the outputs (a class's base rate, a regression's mean)
without any gain in smoothness.

Both functions take the parameter list ``net.parameters()`` and treat its 2-D arrays as the
weights W^[l] of shape (n_l, n_(l-1)) and its 1-D arrays as the biases b^[l]; ``net.weights``
works as well.

Examples
--------
>>> import numpy as np
>>> from mlp.regularization import l2_penalty
>>> l2_penalty([np.array([[1.0, 2.0]]), np.array([5.0])], lam=0.1)   # 0.1 (1 + 4); b ignored
0.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import check_params_and_grads, check_scalar

__all__ = ["add_l2_grad", "l2_penalty"]


def _weights(params: Sequence[np.ndarray]) -> list[np.ndarray]:
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a numpy ndarray; got {type(p).__name__}")
    return [p for p in params if p.ndim >= 2]


def l2_penalty(params: Sequence[np.ndarray], lam: float) -> float:
    """Return lam sum_l ||W^[l]||^2, the sum of squares of every weight (biases excluded).

    Parameters
    ----------
    params : list of ndarray
        ``net.parameters()`` or ``net.weights``; the 2-D arrays are the weights.
    lam : float
        The regularization strength, >= 0.

    Returns
    -------
    float
        The penalty, >= 0.

    Raises
    ------
    TypeError
        If an entry is not an ndarray.
    ValueError
        If ``lam`` < 0.
    """
    lam = check_scalar("lam", lam, 0.0)
    return lam * sum(float(np.vdot(W, W)) for W in _weights(params))


def add_l2_grad(params: Sequence[np.ndarray], grads: Sequence[np.ndarray], lam: float) -> None:
    """Add the penalty's gradient 2 lam W^[l] to each weight gradient, in place.

    The bias gradients are left unchanged (see the module's notes).

    Parameters
    ----------
    params : list of ndarray
        ``net.parameters()``: W^[l] of shape (n_l, n_(l-1)) and b^[l] of shape (n_l,).
    grads : list of ndarray
        The gradients aligned with ``params``, updated in place.
    lam : float
        The regularization strength, >= 0.

    Raises
    ------
    TypeError
        If an entry is not an ndarray.
    ValueError
        If ``lam`` < 0 or ``params`` and ``grads`` do not match in length and shapes.
    """
    lam = check_scalar("lam", lam, 0.0)
    check_params_and_grads(params, grads)
    if lam == 0.0:
        return
    for W, grad_W in zip(params, grads, strict=True):
        if W.ndim >= 2:
            grad_W += (2.0 * lam) * W
