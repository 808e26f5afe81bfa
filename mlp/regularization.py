"""Regularization: the L2 penalty on the weight matrices, and the masks of inverted dropout.

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

Dropout (eq-inverted-dropout) multiplies each hidden layer's output A^[l] during training by a mask
M^[l] = r / (1 - p) with r ~ Bernoulli(1 - p) entrywise: ``dropout_mask`` draws one. The network
applies it (``MLP(..., dropout=p)``, ``forward(X, rng=...)``); ``dropout_rates`` checks the rates
it is given.

Examples
--------
>>> import numpy as np
>>> from mlp.regularization import l2_penalty
>>> l2_penalty([np.array([[1.0, 2.0]]), np.array([5.0])], lam=0.1)   # 0.1 (1 + 4); b ignored
0.5
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import as_float_dtype, check_params_and_grads, check_scalar

__all__ = ["add_l2_grad", "dropout_mask", "dropout_rates", "l2_penalty"]


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


def dropout_mask(shape: Any, p: float, rng: np.random.Generator, dtype: Any = np.float64,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Return an inverted-dropout mask M = r / (1 - p), r ~ Bernoulli(1 - p) entrywise.

    Implements eq-inverted-dropout: each entry is 0 with probability p and 1 / (1 - p)
    otherwise, independently, so that E[M] = 1 and a layer's output A has E[A * M] = A.

    Parameters
    ----------
    shape : tuple of int
        The shape of the mask, (m, n_l) for a layer's output; ignored if ``out`` is given.
    p : float
        The dropout rate, in [0, 1).
    rng : numpy.random.Generator
        The source of the random numbers (one uniform number per entry).
    dtype : floating dtype, default np.float64
        The mask's dtype (the network's); ignored if ``out`` is given.
    out : ndarray, optional
        A floating array to write the mask into (a training step reuses one).

    Returns
    -------
    ndarray
        The mask: ``out`` if given, else a new array of ``shape`` and ``dtype``.

    Raises
    ------
    TypeError
        If ``p`` is not a real number, ``rng`` is not a Generator, or the dtype is not floating.
    ValueError
        If ``p`` is not in [0, 1).

    Examples
    --------
    >>> mask = dropout_mask((2, 4), 0.5, np.random.default_rng(0))
    >>> sorted(set(mask.ravel().tolist()))   # dropped, or kept and scaled by 1 / (1 - 0.5)
    [0.0, 2.0]
    """
    p = check_scalar("p", p, 0.0, 1.0, high_open=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator; got {type(rng).__name__}; use "
            "np.random.default_rng(seed)"
        )
    if out is None:
        out = np.empty(shape, dtype=as_float_dtype(dtype))
    elif not isinstance(out, np.ndarray) or out.dtype.kind != "f":
        raise TypeError(f"out must be a floating-point ndarray; got {type(out).__name__}")
    return _fill_mask(out, p, rng)


def _fill_mask(out: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """Write r / (1 - p), r ~ Bernoulli(1 - p), into ``out`` in place (no temporary array).

    The unchecked kernel of ``dropout_mask``, which the network's training step calls.
    """
    rng.random(dtype=out.dtype, out=out)  # u ~ Uniform[0, 1), one per entry
    np.greater_equal(out, p, out=out)     # r = 1 where u >= p: probability 1 - p
    out *= 1.0 / (1.0 - p)                # r / (1 - p)
    return out


def dropout_rates(dropout: Any, n_hidden: int) -> tuple[float, ...]:
    """Return the dropout rate of each hidden layer, from one rate or one per hidden layer.

    Parameters
    ----------
    dropout : float or sequence of float
        One rate p in [0, 1) for every hidden layer, or a sequence of ``n_hidden`` of them.
    n_hidden : int
        The number of hidden layers, L - 1.

    Returns
    -------
    tuple of float
        ``n_hidden`` rates, each in [0, 1).

    Raises
    ------
    TypeError
        If ``dropout`` is neither a real number nor a sequence of real numbers.
    ValueError
        If a rate is not in [0, 1), the sequence does not have ``n_hidden`` entries, or a
        positive rate is given to a network without hidden layers.
    """
    if isinstance(dropout, numbers.Real) and not isinstance(dropout, bool):
        p = check_scalar("dropout", dropout, 0.0, 1.0, high_open=True)
        if p > 0 and n_hidden == 0:
            raise ValueError(
                f"dropout applies to hidden layers and this network has none; got dropout={p:g}"
            )
        return (p,) * n_hidden
    if not isinstance(dropout, (list, tuple, np.ndarray)):
        raise TypeError(
            "dropout must be a rate in [0, 1) or a sequence of one per hidden layer; got "
            f"{type(dropout).__name__} {dropout!r}"
        )
    if len(dropout) != n_hidden:
        raise ValueError(
            f"dropout must hold one rate per hidden layer, L - 1 = {n_hidden}; got "
            f"{len(dropout)}: {list(dropout)!r}"
        )
    return tuple(check_scalar(f"dropout[{i}]", p, 0.0, 1.0, high_open=True)
                 for i, p in enumerate(dropout))
