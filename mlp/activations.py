"""Activation functions g and their derivatives g'.

Each activation is a small object: ``act(z)`` gives ``a = g(z)``, ``act.grad(z)`` gives
``g'(z)`` elementwise, and ``act.backward(z, a, grad_a)`` gives ``grad_z``, the gradient of a loss
with respect to ``z`` when ``grad_a`` is its gradient with respect to ``a``; ``act.apply(z, out)``
is ``act(z)`` written into an array the caller reuses (the training step does). All work on arrays
of any shape (softmax on rows of a 2-D array), keep the input's dtype, and are stable for every
finite input: no overflow, no NaN, no numpy warning, even at ``|z| = 1e300``.

Examples
--------
>>> import numpy as np
>>> from mlp.activations import get_activation, sigmoid
>>> sigmoid(np.array([-1e4, 0.0, 1e4]))
array([0. , 0.5, 1. ])
>>> get_activation("relu").grad(np.array([-2.0, 3.0]))
array([0., 1.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import lookup

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
    "identity",
    "leaky_relu",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


class Activation:
    """Base class: an elementwise activation g with derivative g'.

    Subclasses define ``__call__`` and ``grad``; ``backward`` then multiplies elementwise.
    ``elementwise`` is False for an activation that couples its inputs (softmax), which may then
    only be used as the output layer.
    """

    name = "activation"
    elementwise = True

    def __call__(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def apply(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return g(z), written into ``out`` where the activation can do so without a temporary.

        ``out`` (shape and dtype of ``z``, or None) is an array the caller reuses from step to
        step; always use the returned array, which need not be ``out``. The default ignores
        ``out`` and returns ``self(z)``, so a subclass need only define ``__call__``.
        """
        return self(z)

    def grad(self, z: np.ndarray) -> np.ndarray:
        """Return g'(z), same shape as ``z``."""
        raise NotImplementedError

    def grad_into(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Return g'(z) like ``grad``, written into ``out`` where the activation can.

        As for ``apply``: use the returned array; the default returns ``self.grad(z)``.
        """
        return self.grad(z)

    def grad_from_cache(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Return g'(z) like ``grad``, read from the forward pass's ``z`` and ``a = g(z)``.

        The backward pass calls this with its cache, so an activation whose derivative is a
        function of its output (tanh: 1 - a^2, ReLU: a > 0) need not evaluate g again. The value
        equals ``grad(z)``; it is written into ``out`` where the activation can (use the
        returned array). The default returns ``grad_into(z, out)``, and so does a built-in
        activation's shortcut when a subclass redefines ``grad`` or ``grad_into``.
        """
        return self.grad_into(z, out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """Return ``grad_z = grad_a * g'(z)``, the chain rule through an elementwise g.

        Parameters
        ----------
        z : ndarray of shape (m, n_l)
            The layer's input.
        a : ndarray of shape (m, n_l)
            Its output ``g(z)``, so subclasses can reuse it.
        grad_a : ndarray of shape (m, n_l)
            Gradient of the loss with respect to ``a``.

        Returns
        -------
        ndarray of shape (m, n_l)
        """
        return grad_a * self.grad(z)

    def __repr__(self) -> str:
        return self.name


def _derivative_overridden(g: Activation, cls: type) -> bool:
    """Whether ``g``'s class redefines ``grad`` or ``grad_into`` below ``cls``."""
    return any(getattr(type(g), name) is not getattr(cls, name) for name in ("grad", "grad_into"))


class Identity(Activation):
    """g(z) = z (returns ``z`` itself, not a copy); g'(z) = 1."""

    name = "identity"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z

    def grad(self, z: np.ndarray) -> np.ndarray:
        return np.ones_like(z)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a


class Sigmoid(Activation):
    """g(z) = 1 / (1 + exp(-z)); g'(z) = g(z) g(-z) = g(z) (1 - g(z)).

    Implements eq-sigmoid and eq-sigmoid-grad.

    Computed from ``e = exp(-|z|)``, which lies in (0, 1], so nothing overflows:
    g(z) = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0.

    The derivative is g(z) g(-z) everywhere (``grad``, ``grad_from_cache``, ``backward``),
    never g(z) (1 - g(z)): g(z) rounds to 1 beyond z = 36.7 (float64) or 16.6 (float32), where
    1 - g(z) is exactly 0 but g(-z) keeps the tiny true slope. ``grad_from_cache`` and
    ``backward`` take g(z) from the cache (``a``) and evaluate only g(-z).
    """

    name = "sigmoid"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1, e) / (1 + e)

    def grad(self, z: np.ndarray) -> np.ndarray:
        return self(z) * self(-z)

    def grad_from_cache(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _derivative_overridden(self, Sigmoid):
            return super().grad_from_cache(z, a, out)
        return np.multiply(a, self(-z), out=out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a * (a * self(-z))


class Tanh(Activation):
    """g(z) = tanh(z); g'(z) = 1 - tanh(z)^2. Implements eq-tanh and eq-tanh-grad."""

    name = "tanh"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.apply(z)

    def apply(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.tanh(z, out=out)

    def grad(self, z: np.ndarray) -> np.ndarray:
        return 1 - np.tanh(z) ** 2

    def grad_into(self, z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        t = np.tanh(z, out=out)
        np.square(t, out=t)
        return np.subtract(1, t, out=t)

    def grad_from_cache(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _derivative_overridden(self, Tanh):
            return super().grad_from_cache(z, a, out)
        np.multiply(a, a, out=out)
        return np.subtract(1, out, out=out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a * (1 - a * a)


class LeakyReLU(Activation):
    """g(z) = z for z > 0, slope * z otherwise; g'(z) = 1 for z > 0, slope otherwise.

    Implements eq-leaky-relu.

    ``LeakyReLU(0)`` is the ReLU. At z = 0 the derivative is taken as ``slope``.

    Parameters
    ----------
    slope : float, default 0.01
        The slope for negative inputs; finite and >= 0.

    Raises
    ------
    ValueError
        If ``slope`` is negative or not finite.
    """

    name = "leaky_relu"

    def __init__(self, slope: float = 0.01) -> None:
        if not (np.isfinite(slope) and slope >= 0):
            raise ValueError(f"slope must be a finite number >= 0; got {slope!r}")
        self.slope = float(slope)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.slope * z)

    def grad(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, 1, self.slope).astype(z.dtype, copy=False)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class ReLU(LeakyReLU):
    """g(z) = max(z, 0); g'(z) = 1 for z > 0, else 0 (0 at z = 0).

    Implements eq-relu and eq-relu-grad.
    """

    name = "relu"

    def __init__(self) -> None:
        super().__init__(slope=0.0)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.apply(z)

    def apply(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.maximum(z, 0, out=out)

    def grad(self, z: np.ndarray) -> np.ndarray:
        return self.grad_into(z, np.empty_like(z))

    def grad_into(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.greater(z, 0, out=out)  # 1.0 where z > 0, else 0.0, in z's dtype

    def grad_from_cache(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        if _derivative_overridden(self, ReLU):
            return super().grad_from_cache(z, a, out)
        return np.greater(a, 0, out=out)  # a = max(z, 0) > 0 exactly where z > 0

    def __repr__(self) -> str:
        return self.name


class Softmax(Activation):
    """g(z)_k = exp(z_k) / sum_j exp(z_j) along each row (the last axis).

    Implements eq-softmax, eq-softmax-shift, eq-softmax-grad and eq-softmax-vjp.

    The row maximum is subtracted before ``exp`` (the log-sum-exp shift), so the largest exponent
    is exp(0) = 1 and nothing overflows; a gap too large for floating point gives exactly 0.
    ``grad(z)`` returns the Jacobian diag(a) - a a^T of each row, shape (m, K, K);
    ``backward`` applies it without building it: a * (grad_a - sum(grad_a * a, axis=1)).
    """

    name = "softmax"
    elementwise = False

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.apply(z)

    def apply(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        with np.errstate(over="ignore"):  # z - max may be -inf for gaps near 1e308: exp gives 0
            e = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
            np.exp(e, out=e)
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def grad(self, z: np.ndarray) -> np.ndarray:
        a = self(z)
        return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


identity = Identity()
sigmoid = Sigmoid()
tanh = Tanh()
relu = ReLU()
leaky_relu = LeakyReLU()
softmax = Softmax()

ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (identity, sigmoid, tanh, relu, leaky_relu, softmax)
}


def get_activation(name_or_obj: str | Activation) -> Activation:
    """Return the activation called ``name_or_obj``, or the object itself if it is one.

    Parameters
    ----------
    name_or_obj : str or Activation
        A key of ``ACTIVATIONS`` (``"relu"``, ``"sigmoid"``, ...) or an ``Activation``.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If the name is unknown; the message suggests the nearest valid name.
    TypeError
        If ``name_or_obj`` is neither a string nor an ``Activation``.

    Examples
    --------
    >>> get_activation("tanh").name
    'tanh'
    """
    if isinstance(name_or_obj, Activation):
        return name_or_obj
    return lookup("activation", name_or_obj, ACTIVATIONS, "an Activation object")


def hidden_activations(activation: Any, n_hidden: int) -> list[Activation]:
    """One elementwise Activation per hidden layer, from one name/object or a sequence of them.

    Raises
    ------
    ValueError
        If a sequence has the wrong length, a name is unknown, or an activation couples its
        inputs (softmax), which only the output layer may use.
    """
    names = list(activation) if isinstance(activation, (list, tuple)) else [activation] * n_hidden
    if len(names) != n_hidden:
        raise ValueError(
            f"activation must be one name or one per hidden layer ({n_hidden}); "
            f"got {len(names)}: {names!r}"
        )
    hidden = [get_activation(name) for name in names]
    for layer, g in enumerate(hidden, start=1):
        if not g.elementwise:
            raise ValueError(
                f"{g.name} couples its inputs, so it can only be the output activation; "
                f"got it for hidden layer {layer}; use 'relu', 'tanh' or 'sigmoid'"
            )
    return hidden


class GELU(Activation):
    """g(z) = z Phi(z), Phi the standard normal CDF, in its tanh form.

    Implements eq-gelu: g(z) = z (1 + tanh(u)) / 2 with u = c (z + 0.044715 z^3) and
    c = sqrt(2 / pi), the form of Hendrycks and Gimpel that GPT-2 and PyTorch's
    ``gelu(approximate="tanh")`` use; it differs from z Phi(z) by less than 1e-3 everywhere.
    g'(z) = (1 + t) / 2 + z (1 - t^2) c (1 + 3 * 0.044715 z^2) / 2, with t = tanh(u).

    The cubic is evaluated on z clipped to [-10, 10]: beyond, tanh(u) is exactly +-1 in every
    floating-point type, so nothing changes except that z^3 cannot overflow.
    """

    name = "gelu"
    _C, _K = float(np.sqrt(2 / np.pi)), 0.044715

    def _t(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        clipped = np.clip(z, -10, 10)
        return clipped, np.tanh(self._C * (clipped + self._K * clipped**3))

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return 0.5 * z * (1 + self._t(z)[1])

    def grad(self, z: np.ndarray) -> np.ndarray:
        clipped, t = self._t(z)
        slope = (1 - t * t) * self._C * (1 + 3 * self._K * clipped**2)
        return 0.5 * (1 + t) + 0.5 * z * slope  # slope is exactly 0 where |z| > 10


class SiLU(Activation):
    """g(z) = z s(z), s the sigmoid: the SiLU (Swish with beta = 1); g'(z) = s (1 + z (1 - s)).

    Implements eq-silu and eq-silu-grad. ``1 - s`` is computed as sigmoid(-z), which keeps the
    tail for large z, and every product is of a finite number with one in [0, 1], so nothing
    overflows.
    """

    name = "silu"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return z * sigmoid(z)

    def grad(self, z: np.ndarray) -> np.ndarray:
        s = sigmoid(z)
        return s + s * (z * sigmoid(-z))


class ELU(Activation):
    """g(z) = z for z > 0, alpha (exp(z) - 1) otherwise; g'(z) = 1 for z > 0, alpha exp(z) else.

    Implements eq-elu. ``exp`` is evaluated on min(z, 0) (``expm1`` for the value, exact near 0),
    so a large positive z cannot overflow. At z = 0 the derivative is taken as alpha.

    Parameters
    ----------
    alpha : float, default 1.0
        The value approached as z -> -inf is -alpha; finite and > 0.

    Raises
    ------
    ValueError
        If ``alpha`` is not a finite number > 0.
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        if not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(f"alpha must be a finite number > 0; got {alpha!r}")
        self.alpha = float(alpha)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0)))

    def grad(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, 1, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)

    def __repr__(self) -> str:
        return self.name if self.alpha == 1.0 else f"ELU(alpha={self.alpha})"


gelu = GELU()
silu = SiLU()
elu = ELU()
ACTIVATIONS.update({act.name: act for act in (gelu, silu, elu)})
__all__ += ["ELU", "GELU", "SiLU", "elu", "gelu", "silu"]
