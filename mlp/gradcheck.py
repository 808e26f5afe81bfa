"""Gradient checking: backpropagation's gradients against central finite differences.

This module is an independent judge of ``mlp.network``: it uses only numpy, the network's
``parameters()``, ``forward`` and ``backward``, and the standalone loss function (never
``loss_and_grad``), so a bug in the network's fused loss or its backward pass cannot hide itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import Sigmoid, Softmax
from .losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Loss,
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    get_loss,
)

__all__ = ["GradcheckResult", "finite_difference_tolerance", "gradcheck", "relative_error"]

# Output activation and loss pairs whose backward pass uses the fused output error (y_hat - y)/m:
# for them the numerical side differentiates the loss computed from the logits z^[L], which stays
# exact where the probability saturates (the loss from clipped probabilities is flat there).
_FROM_LOGITS = {
    (Sigmoid, BinaryCrossEntropy): binary_cross_entropy_with_logits,
    (Softmax, CrossEntropy): cross_entropy_with_logits,
}


@dataclass
class GradcheckResult:
    """The outcome of ``gradcheck``.

    Attributes
    ----------
    max_relative_error : float
        The largest of ``errors``.
    errors : dict of str to float
        Relative error per parameter array, keyed "W[1]", "b[1]", ..., "W[L]", "b[L]".
    numerical : list of ndarray
        Central-difference gradients, aligned with ``net.parameters()``.
    analytic : list of ndarray
        ``net.backward``'s gradients, aligned with ``net.parameters()``.
    """

    max_relative_error: float
    errors: dict[str, float]
    numerical: list[np.ndarray]
    analytic: list[np.ndarray]

    def __repr__(self) -> str:
        rows = "\n".join(f"  {name:>6}  {error:.3e}" for name, error in self.errors.items())
        return (
            f"GradcheckResult(max_relative_error={self.max_relative_error:.3e})\n"
            f"  {'param':>6}  relative error\n{rows}"
        )


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """Return ||analytic - numerical|| / max(||analytic|| + ||numerical||, tiny).

    Implements eq-relative-error.

    Norms are Euclidean over the whole array; ``tiny`` is the smallest positive float64, so two
    zero gradients give 0 rather than 0/0. The result lies in [0, 1].

    Examples
    --------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numerical), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(analytic - numerical) / scale)


def finite_difference_tolerance(
    h: float,
    dtype: Any = np.float64,
    value_scale: float = 1.0,
    third_derivative_scale: float = 1.0,
    margin: float = 100.0,
) -> float:
    """Return a bound on the absolute error of a central difference with step ``h``.

    Implements eq-central-total-error with a safety margin:
    ``margin * (h**2 / 6 * third_derivative_scale + eps * value_scale / h)``, where ``eps`` is the
    machine precision of ``dtype``. The rounding term assumes that the function is computed with a
    relative error of a few ``eps``; a sum of ``n`` terms can round by up to ``n * eps`` (by about
    ``sqrt(n) * eps`` in practice), which the default margin of 100 covers for sums of up to
    thousands of terms on any processor, whatever its BLAS kernel, SIMD width or thread count. Use
    the bound to compare a finite-difference gradient with an analytic one entry by entry:
    ``np.max(np.abs(analytic - numerical)) <= finite_difference_tolerance(h, ...)``.

    Parameters
    ----------
    h : float
        The step of the central difference, > 0.
    dtype : numpy dtype, default float64
        The precision in which the function was evaluated.
    value_scale : float, default 1.0
        A bound on the magnitude of the function near the point (for a sum or mean, on the
        magnitude of its largest terms), >= 0.
    third_derivative_scale : float, default 1.0
        A bound on the magnitude of the third derivative near the point, >= 0.
    margin : float, default 100.0
        The factor between the error estimate and the tolerance returned, >= 1.

    Returns
    -------
    float
        The tolerance, in the function's units per unit of the variable.

    Raises
    ------
    ValueError
        If ``h`` is not positive and finite, a scale is negative or not finite, ``margin`` < 1,
        or ``dtype`` is not a floating-point type.

    Examples
    --------
    >>> f"{finite_difference_tolerance(1e-6):.1e}"   # float64: rounding term 2.2e-10, times 100
    '2.2e-08'
    >>> finite_difference_tolerance(1e-3, np.float32) > 1e-2   # float32 rounds 5e8 times coarser
    True
    """
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number; got {h!r}")
    scales = {"value_scale": value_scale, "third_derivative_scale": third_derivative_scale}
    for name, value in scales.items():
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    if not (np.isfinite(margin) and margin >= 1):
        raise ValueError(f"margin must be a finite number >= 1; got {margin!r}")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type such as np.float64; got {dtype}")
    eps = float(np.finfo(dtype).eps)
    return float(margin * (h**2 / 6 * third_derivative_scale + eps * value_scale / h))


def gradcheck(net: Any, X: Any, y: Any, loss: str | Loss, eps: float = 1e-6, *,
              seed: int = 0) -> GradcheckResult:
    """Compare ``net.backward`` with central differences on every entry of every parameter.

    Implements eq-central-difference and eq-relative-error.

    For each entry theta of each array in ``net.parameters()``, the numerical derivative is
    (L(theta + eps) - L(theta - eps)) / (2 eps), L evaluated as ``loss(net.forward(X)[0], y)``,
    except for a sigmoid output with binary cross-entropy and a softmax output with
    cross-entropy, where L is computed from the output layer's logits z^[L]
    (``binary_cross_entropy_with_logits``, ``cross_entropy_with_logits``). Those are the pairs
    whose backward pass uses the fused output error (y_hat - y)/m, exact however large z is;
    the loss computed from probabilities clips them to [eps, 1 - eps] and is flat once the output
    saturates, which would report a correct backward as wrong (eq-gradcheck-saturation).
    The entry is perturbed in place and always restored. A network with dropout
    (``net.dropout``) is checked in a training pass with fixed masks: every forward pass, the
    analytic one and each of the perturbed ones, draws its masks from a new generator seeded with
    ``seed``, so all of them drop the same units and the differences measure the change of theta
    alone (eq-inverted-dropout). Each array is then scored by
    ``relative_error`` (||analytic - numerical|| / (||analytic|| + ||numerical||)). With a
    float64 network and eps = 1e-6, a correct backward pass typically scores below 1e-7.
    The cost is 2 forward passes per parameter: use a small network and batch.

    Parameters
    ----------
    net : MLP
        A float64 network (float32 would drown the differences in rounding error).
    X : array_like of shape (m, n_0)
    y : array_like of shape (m, n_L), or (m,) integer labels for cross_entropy
    loss : str or Loss
    eps : float, default 1e-6
        The step, > 0.
    seed : int, default 0
        Seeds the dropout masks, the same for every evaluation; ignored by a network without
        dropout.

    Returns
    -------
    GradcheckResult

    Notes
    -----
    The differences carry a rounding error of about 1e-16 |L| / eps besides the truncation error
    of about eps^2, so an array whose gradient is small (norm below 1e-3) may score near 1e-7
    although backward is right; eps = 1e-5 balances the two better than the default.
    Where the loss has a kink (ReLU or MAE at exactly 0), the two sides of a central difference
    see different slopes and the check can fail although backward is right: a row of dead ReLUs
    with zero biases puts the next layer's z exactly at 0, for instance.

    Raises
    ------
    ValueError
        If ``eps`` is not a positive finite number or the network's parameters are not float64
        (the message says how to build a float64 copy), or as ``net.forward``/``net.backward``.
    TypeError
        If ``seed`` is not an int (a Generator would draw new masks at every evaluation).

    Examples
    --------
    >>> import numpy as np
    >>> from mlp import MLP
    >>> net = MLP([2, 3, 1], activation="tanh", seed=0)
    >>> X, y = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([[1.0], [0.0]])
    >>> gradcheck(net, X, y, "mse").max_relative_error < 1e-7
    True
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number; got {eps!r}")
    params = net.parameters()
    if any(p.dtype != np.float64 for p in params):
        raise ValueError(
            f"gradcheck needs a float64 network; got {params[0].dtype}; build the same network "
            "with dtype=np.float64 and copy the parameters in (float32 rounding swamps eps)"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"seed must be an int, which gives the same dropout masks at every evaluation; got "
            f"{type(seed).__name__}"
        )
    loss = get_loss(loss)
    # dropout: a training pass whose masks are drawn afresh from the same seed at every call
    training = {"rng": int(seed)} if any(getattr(net, "dropout", ())) else {}
    _, cache = net.forward(X, **training)
    analytic = net.backward(cache, y, loss)
    objective = _objective(net, X, y, loss, training)
    numerical = [_central_differences(p, objective, eps) for p in params]
    names = [f"{'Wb'[i % 2]}[{i // 2 + 1}]" for i in range(len(params))]
    errors = {
        name: relative_error(a, n) for name, a, n in zip(names, analytic, numerical, strict=True)
    }
    return GradcheckResult(max(errors.values()), errors, numerical, analytic)


def _objective(net: Any, X: Any, y: Any, loss: Loss, training: dict[str, Any]) -> Any:
    """The loss as a function of the parameters: from the logits for the fused pairs.

    ``training`` holds the keyword arguments of ``net.forward`` (the seed of fixed dropout masks).
    """
    from_logits = _FROM_LOGITS.get((type(getattr(net, "output", None)), type(loss)))
    if from_logits is None:
        return lambda: loss(net.forward(X, **training)[0], y)
    return lambda: from_logits(net.forward(X, **training)[1].z[-1], y)


def _central_differences(param: np.ndarray, objective: Any, eps: float) -> np.ndarray:
    """d objective / d param by central differences, perturbing ``param`` in place."""
    grad = np.empty_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        try:
            param[index] = saved + eps
            plus = objective()
            param[index] = saved - eps
            minus = objective()
        finally:
            param[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad
