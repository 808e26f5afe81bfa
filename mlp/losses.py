"""Loss functions L(y_hat, y) and their gradients with respect to the prediction y_hat.

Every loss is a mean over the m examples (rows) of a per-example loss summed over the n_L outputs,
so its gradient carries the factor 1/m:

- ``mse``: (1/2m) sum_i sum_k (y_hat_ik - y_ik)^2
- ``mae``: (1/m) sum_i sum_k |y_hat_ik - y_ik|
- ``huber``: (1/m) sum_i sum_k h(y_hat_ik - y_ik), h(r) = r^2 / 2 for |r| <= delta and
  delta (|r| - delta / 2) beyond (``Huber(delta)``; ``huber`` has delta = 1)
- ``binary_cross_entropy``: -(1/m) sum_i sum_k [y log y_hat + (1 - y) log(1 - y_hat)]
- ``cross_entropy``: -(1/m) sum_i sum_k y_ik log y_hat_ik, y one-hot (m, K) (rows summing to 1)
  or integer labels (m,)

The two cross-entropies take probabilities. A probability of exactly 0 or 1 would give log(0), so
they clip it to [eps, 1 - eps] with ``eps = np.finfo(dtype).eps`` (about 2.2e-16 in float64,
1.2e-7 in float32) and evaluate both the value and the gradient at the clipped probability. The
fused versions ``binary_cross_entropy_with_logits`` and ``cross_entropy_with_logits`` take the
output layer's input z instead, and need no clipping: they use log-sum-exp.

Examples
--------
>>> import numpy as np
>>> from mlp.losses import mse
>>> mse(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))  # (1 + 9) / (2 * 2)
2.5
>>> mse.grad(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))  # (y_hat - y) / m
array([[0.5],
       [1.5]])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import (
    as_labels,
    as_pair,
    as_prediction,
    check_distributions,
    check_probabilities,
    check_scalar,
    lookup,
)

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Huber",
    "Loss",
    "MAE",
    "MSE",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_with_logits",
    "get_loss",
    "huber",
    "mae",
    "mse",
    "residual",
]


class Loss:
    """Base class: ``loss(y_hat, y)`` is a float, ``loss.grad(y_hat, y)`` an array like ``y_hat``.

    Subclasses define ``value`` and ``gradient`` on checked arrays; ``validate`` checks the
    arguments once, at the public boundary.
    """

    name = "loss"

    def __call__(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        """Return the loss, a mean over the m rows."""
        return float(self.value(*self.validate(y_hat, y)))

    def grad(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return dL/dy_hat, an array of shape (m, n_L) and y_hat's dtype."""
        return self.gradient(*self.validate(y_hat, y))

    def validate(self, y_hat: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(y_hat, y)`` as finite 2-D arrays of one shape and y_hat's float dtype.

        Raises
        ------
        TypeError
            If either holds something other than real numbers.
        ValueError
            If they are not finite, ``y_hat`` is not 2-D, or the shapes differ.
        """
        return as_pair(y_hat, y)

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        raise NotImplementedError

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class MSE(Loss):
    """(1/2m) sum (y_hat - y)^2; gradient (y_hat - y) / m. Implements eq-mse and eq-mse-grad."""

    name = "mse"

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        diff = y_hat - y
        return np.vdot(diff, diff) / (2 * len(y_hat))

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (y_hat - y) / len(y_hat)


class MAE(Loss):
    """(1/m) sum |y_hat - y|; gradient sign(y_hat - y) / m (0 where they are equal).

    Implements eq-mae and eq-mae-grad.
    """

    name = "mae"

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        return np.abs(y_hat - y).sum() / len(y_hat)

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.sign(y_hat - y) / len(y_hat)


class Huber(Loss):
    """Squared error near the fit, absolute error beyond: implements eq-huber and eq-huber-grad.

    For each entry r = y_hat - y, h(r) = r^2 / 2 if |r| <= delta and delta (|r| - delta / 2)
    otherwise; the loss is (1/m) sum_i sum_k h(r_ik), and its gradient clip(r, -delta, delta) / m.
    Both pieces of h meet with equal value and slope at |r| = delta, so the gradient is continuous:
    it is MSE's gradient for small residuals and delta times MAE's for large ones, which caps the
    pull of any one outlier at delta / m.

    Parameters
    ----------
    delta : float, default 1.0
        Where the quadratic part ends, in the units of y; finite and > 0.

    Raises
    ------
    TypeError
        If ``delta`` is not a real number.
    ValueError
        If ``delta`` is not finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> loss = Huber(delta=1.0)
    >>> y_hat, y = np.array([[0.5], [3.0]]), np.array([[0.0], [0.0]])
    >>> loss(y_hat, y)  # (0.5**2 / 2 + 1 * (3 - 1/2)) / 2 = (0.125 + 2.5) / 2
    1.3125
    >>> loss.grad(y_hat, y)  # (0.5, clipped 3 -> 1) / m
    array([[0.25],
           [0.5 ]])
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = check_scalar("delta", delta, 0.0, low_open=True)
        if math.isinf(self.delta):
            raise ValueError("delta must be finite (MSE is the limit delta -> inf: use 'mse'); "
                             "got inf")

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        diff = y_hat - y
        near = np.clip(diff, -self.delta, self.delta)
        # near^2 / 2 + delta (|r| - |near|) is h(r) on both sides, and never squares a large r
        np.abs(diff, out=diff)
        diff -= np.abs(near)
        return (np.vdot(near, near) / 2 + self.delta * diff.sum()) / len(y_hat)

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = y_hat - y
        np.clip(diff, -self.delta, self.delta, out=diff)
        diff /= len(y_hat)
        return diff

    def __repr__(self) -> str:
        return f"Huber(delta={self.delta:g})"


class BinaryCrossEntropy(Loss):
    """-(1/m) sum [y log p + (1 - y) log(1 - p)], p = y_hat clipped to [eps, 1 - eps].

    Implements eq-bce and eq-bce-grad.

    Gradient (p - y) / (p (1 - p) m). Targets y must lie in [0, 1].
    """

    name = "binary_cross_entropy"

    def validate(self, y_hat: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        y_hat, y = super().validate(y_hat, y)
        check_probabilities("y_hat", y_hat)
        check_probabilities("y", y)
        return y_hat, y

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        p = _clip(y_hat)
        return -(y * np.log(p) + (1 - y) * np.log1p(-p)).sum() / len(p)

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = _clip(y_hat)
        return (p - y) / (p * (1 - p) * len(p))


class CrossEntropy(Loss):
    """-(1/m) sum y log p, p = y_hat clipped to [eps, 1 - eps]; gradient -y / (p m).

    ``y`` is one-hot of shape (m, K) (or soft labels: each row a probability distribution, which
    the fused output error (Yhat - Y)/m relies on), or integer labels of shape (m,) in [0, K),
    read as one-hot without building the (m, K) array. Implements eq-ce and eq-ce-grad.
    """

    name = "cross_entropy"

    def validate(self, y_hat: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        if np.ndim(y) == 1:
            y_hat = as_prediction(y_hat)
            y = as_labels(y, y_hat.shape)
        else:
            y_hat, y = as_pair(y_hat, y)
            check_distributions(y)
        check_probabilities("y_hat", y_hat)
        return y_hat, y

    def value(self, y_hat: np.ndarray, y: np.ndarray) -> np.floating:
        if y.ndim == 1:
            return -np.log(_clip(y_hat[np.arange(len(y)), y])).sum() / len(y)
        return -(y * np.log(_clip(y_hat))).sum() / len(y)

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        m = len(y_hat)
        if y.ndim == 1:
            grad = np.zeros_like(y_hat)
            rows = np.arange(m)
            grad[rows, y] = -1 / (_clip(y_hat[rows, y]) * m)
            return grad
        return -y / (_clip(y_hat) * m)


mse = MSE()
mae = MAE()
huber = Huber()
binary_cross_entropy = BinaryCrossEntropy()
cross_entropy = CrossEntropy()

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (mse, mae, huber, binary_cross_entropy, cross_entropy)
}


def get_loss(name_or_obj: str | Loss) -> Loss:
    """Return the loss called ``name_or_obj``, or the object itself if it is a ``Loss``.

    Raises
    ------
    ValueError
        If the name is unknown; the message suggests the nearest valid name.
    TypeError
        If ``name_or_obj`` is neither a string nor a ``Loss``.

    Examples
    --------
    >>> get_loss("cross_entropy").name
    'cross_entropy'
    """
    if isinstance(name_or_obj, Loss):
        return name_or_obj
    return lookup("loss", name_or_obj, LOSSES, "a Loss object")


def binary_cross_entropy_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy of ``sigmoid(z)`` against ``y``, computed from the logits z.

    Implements eq-bce-logits.

    Uses -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z, with log(1 + e^z) as
    ``np.logaddexp(0, z)``: exact and finite for every finite z, no clipping.

    Parameters
    ----------
    z : ndarray of shape (m, n_L)
        The output layer's input (logits).
    y : ndarray of shape (m, n_L)
        Targets in [0, 1].

    Returns
    -------
    float
        The mean over the m rows of the sum over outputs.

    Raises
    ------
    ValueError
        If the shapes differ, a value is not finite, or a target is outside [0, 1].
    """
    z, y = as_pair(z, y, "z")
    check_probabilities("y", y)
    return _binary_cross_entropy_from_logits(z, y)


def _binary_cross_entropy_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """``binary_cross_entropy_with_logits`` on checked arrays (the training step's path)."""
    return float((np.logaddexp(0, z) - y * z).sum() / len(z))


def cross_entropy_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy of ``softmax(z)`` against ``y``, computed from the logits z.

    Implements eq-ce-logits.

    Uses -sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k (the rows of y sum to 1),
    the log-sum-exp shifted by the row maximum: finite for every finite z, no clipping.

    Parameters
    ----------
    z : ndarray of shape (m, K)
        The output layer's input (logits).
    y : ndarray of shape (m, K) or (m,)
        One-hot (or soft) targets whose rows sum to 1, or integer labels in [0, K).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes disagree, a value is not finite, a row of y is not a probability
        distribution, or a label is not an integer in [0, K).
    """
    z = as_prediction(z, "z")
    if np.ndim(y) == 1:
        y = as_labels(y, z.shape)
    else:
        z, y = as_pair(z, y, "z")
        check_distributions(y)
    return _cross_entropy_from_logits(z, y)


def _cross_entropy_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """``cross_entropy_with_logits`` on checked arrays (the training step's path)."""
    top = z.max(axis=1, keepdims=True)
    with np.errstate(over="ignore"):  # a gap near 1e308 gives -inf, and exp(-inf) = 0
        log_sum_exp = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
    if y.ndim == 1:
        per_example = log_sum_exp - z[np.arange(len(y)), y]
    else:
        per_example = log_sum_exp - (y * z).sum(axis=1)
    return float(per_example.sum() / len(z))


def residual(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return y_hat - y as a new array, reading integer labels y of shape (m,) as one-hot.

    Trusts its (already validated) input.
    """
    if y.ndim == 1:
        diff = y_hat.copy()
        diff[np.arange(len(y)), y] -= 1
        return diff
    return y_hat - y


def _clip(p: np.ndarray) -> np.ndarray:
    """Clip probabilities to [eps, 1 - eps], eps the machine epsilon of p's dtype."""
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)
