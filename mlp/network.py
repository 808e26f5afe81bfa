"""The multilayer perceptron: its parameters, the forward pass, and backpropagation.

Shapes follow the book: X is (m, n_0), one example per row; W^[l] is (n_l, n_(l-1)) and b^[l] is
(n_l,); the batched forward pass is Z^[l] = A^[l-1] W^[l]^T + b^[l], A^[l] = g^[l](Z^[l]).
``net.weights[l - 1]`` is W^[l], ``net.activations[l - 1]`` is g^[l], and the cache of a forward
pass is indexed by the book's layer numbers: ``cache.a[l]`` for l = 0..L and ``cache.z[l]`` for
l = 1..L.

Dropout (eq-inverted-dropout), if the network was built with ``dropout=p``, acts only in a training
pass, one given a random generator (``forward(X, rng=...)``, ``loss_and_grad(..., rng=...)``,
``train``): each hidden layer's output is multiplied by a fresh mask, ``cache.a[l]`` holds that
product and ``cache.masks[l]`` the mask, and ``backward`` multiplies the hidden layer's Delta by the
same mask. Without a generator (``predict``, every evaluation) nothing is dropped.

Two paths compute a gradient. ``forward`` then ``backward`` is the reference path the book shows:
each checks its input. ``loss_and_grad`` checks X and y once and then runs ``_loss_and_grad``,
the same arithmetic without the checks (``train`` calls it at every step after checking its data
once); a test checks that both give the same numbers. The weights and biases are views into one
contiguous buffer, so that an optimizer can update all of them in a few numpy calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import activations as act
from . import losses
from ._io import load_network, save_network
from ._validation import as_float_dtype, as_generator, as_matrix, check_sizes
from ._workspace import Workspace, flat_views, gradient_arrays
from .activations import Activation, get_activation, hidden_activations
from .init import default_initializer, get_initializer
from .losses import Loss, get_loss, residual
from .regularization import _fill_mask, dropout_rates

__all__ = ["MLP", "Cache"]

# (output activation, loss) pairs whose output error is (Yhat - Y) / m, each with the function that
# computes the loss from the output layer's input z^[L] (stable: no probabilities, no clipping),
# on arrays already checked (loss_and_grad checks X and y first).
_FUSED = {
    (act.Identity, losses.MSE): losses.mse.value,
    (act.Sigmoid, losses.BinaryCrossEntropy): losses._binary_cross_entropy_from_logits,
    (act.Softmax, losses.CrossEntropy): losses._cross_entropy_from_logits,
}
# losses that need probabilities, and the output activation to suggest
_PROBABILITY_LOSSES = {losses.BinaryCrossEntropy: "sigmoid", losses.CrossEntropy: "softmax"}


@dataclass
class Cache:
    """What the forward pass keeps for the backward pass, indexed by layer number.

    Attributes
    ----------
    a : list of ndarray
        ``a[l]`` is A^[l], shape (m, n_l), for l = 0..L; ``a[0]`` is X (cast to the net's dtype).
        In a training pass with dropout, a hidden layer's entry is what it passes on, the
        dropped-out A^[l] * M^[l] (eq-inverted-dropout).
    z : list of ndarray or None
        ``z[l]`` is Z^[l], shape (m, n_l), for l = 1..L; ``z[0]`` is None.
    masks : list of ndarray or None
        ``masks[l]`` is the dropout mask M^[l], shape (m, n_l), of a hidden layer dropped out in
        this pass, None for the other layers (l = 0..L); an empty list when nothing was dropped.
    """

    a: list[np.ndarray]
    z: list[np.ndarray | None]
    masks: list[np.ndarray | None] = field(default_factory=list)


class MLP:
    """A fully connected feed-forward network with sizes [n_0, n_1, ..., n_L].

    Parameters
    ----------
    sizes : sequence of int
        Layer widths [n_0, ..., n_L], at least two, all positive.
    activation : str or Activation, or a sequence of them, default "relu"
        The hidden layers' activation: one for all, or one per hidden layer (L - 1 of them).
    output : str or Activation, default "identity"
        The output layer's activation g^[L] ("identity", "sigmoid", "softmax", ...).
    init : str or callable, optional
        A name from ``mlp.init.INITIALIZERS`` or a function ``(n_out, n_in, rng, dtype) -> W``.
        Default: He for ReLU-family layers, Xavier for the others. Biases start at zero.
    seed : int or numpy.random.Generator, optional
        Seed for the initial weights.
    dtype : floating dtype, default np.float64
        The dtype of the parameters, of the computation and of every result.
    dropout : float or sequence of float, default 0.0
        The inverted-dropout rate p in [0, 1) of the hidden layers (eq-inverted-dropout): one
        for all, or one per hidden layer (L - 1 of them). It acts only in a training pass, one
        given a random generator; 0 never drops.

    Raises
    ------
    ValueError
        If ``sizes`` is not a list of at least two positive ints, ``activation`` or
        ``dropout`` has the wrong length, a name is unknown, softmax is used for a hidden layer,
        ``init`` returns an array of the wrong shape, or a dropout rate is not in [0, 1).
    TypeError
        If ``dtype`` is not floating point, ``seed`` is not an int or Generator, or ``dropout``
        is not a number or a sequence of numbers.

    Notes
    -----
    The network keeps scratch arrays (a ``Workspace``) that ``backward`` and ``loss_and_grad``
    reuse from call to call instead of allocating them at every training step, so one network
    must not be used from several threads at once.

    Examples
    --------
    >>> import numpy as np
    >>> net = MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)
    >>> out, cache = net.forward(np.ones((5, 3)))
    >>> out.shape, [W.shape for W in net.weights], np.allclose(out.sum(axis=1), 1)
    ((5, 2), [(4, 3), (2, 4)], True)
    """

    def __init__(
        self,
        sizes: Any,
        activation: Any = "relu",
        output: str | Activation = "identity",
        init: Any = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = np.float64,
        dropout: float | Any = 0.0,
    ) -> None:
        self.sizes = check_sizes(sizes)
        self.dtype = as_float_dtype(dtype)
        self.activations = hidden_activations(activation, len(self.sizes) - 2)
        self._dropout = dropout_rates(dropout, len(self.sizes) - 2)
        self.activations.append(get_activation(output))
        chosen = None if init is None else get_initializer(init)
        rng = as_generator(seed)
        # every W^[l] and b^[l] is a view into one buffer, so an optimizer can update them at once
        params = flat_views(self._shapes(), self.dtype)
        self.weights, self.biases = params[0::2], params[1::2]
        for W, b, g in zip(self.weights, self.biases, self.activations, strict=True):
            n_out, n_in = W.shape
            initializer = chosen or default_initializer(g)
            initial = np.asarray(initializer(n_out, n_in, rng, self.dtype), dtype=self.dtype)
            if initial.shape != (n_out, n_in):
                raise ValueError(
                    f"init must return W of shape (n_out, n_in) = {(n_out, n_in)}; got "
                    f"{initial.shape}"
                )
            W[...] = initial
            b[...] = 0
        self._workspace = Workspace(self.sizes, self.dtype)

    @property
    def n_layers(self) -> int:
        """L, the number of layers with parameters."""
        return len(self.weights)

    @property
    def dropout(self) -> tuple[float, ...]:
        """The dropout rate p of each hidden layer, l = 1..L-1 (eq-inverted-dropout)."""
        return self._dropout

    @property
    def output(self) -> Activation:
        """The output activation g^[L]."""
        return self.activations[-1]

    def parameters(self) -> list[np.ndarray]:
        """Return the live arrays [W^[1], b^[1], ..., W^[L], b^[L]]."""
        return [p for W, b in zip(self.weights, self.biases, strict=True) for p in (W, b)]

    def new_gradients(self) -> list[np.ndarray]:
        """Return new arrays aligned with ``parameters()``, for ``loss_and_grad(..., out=)``.

        Like the parameters, they are views into one contiguous buffer, which lets an optimizer
        update every parameter in a few passes over that buffer instead of a few per array.
        Their values are undefined until a gradient is written into them.
        """
        return flat_views(self._shapes(), self.dtype)

    def _shapes(self) -> list[tuple[int, ...]]:
        """The shapes of [W^[1], b^[1], ..., W^[L], b^[L]]: (n_l, n_(l-1)) and (n_l,)."""
        pairs = zip(self.sizes[:-1], self.sizes[1:], strict=True)
        return [shape for n_in, n_out in pairs for shape in ((n_out, n_in), (n_out,))]

    def forward(
        self, X: Any, *, reuse: bool = False, rng: int | np.random.Generator | None = None
    ) -> tuple[np.ndarray, Cache]:
        """Run a batch through the network, keeping every Z^[l] and A^[l] for backward.

        Implements eq-forward-batch: Z^[l] = A^[l-1] W^[l]^T + b^[l], A^[l] = g^[l](Z^[l]);
        in a training pass with dropout, each hidden A^[l] is then multiplied by a mask M^[l]
        drawn from ``rng`` (eq-inverted-dropout).

        Parameters
        ----------
        X : array_like of shape (m, n_0)
            One example per row; cast once to the network's dtype.
        reuse : bool, default False
            Write every Z^[l] and A^[l] into arrays the network keeps and reuses at the next call
            with ``reuse=True`` and the same m, instead of new ones. The output and the cache are
            then valid only until that next call, which overwrites them (``loss_and_grad`` uses
            this: its cache never leaves it). By default every call returns new arrays.
        rng : int or numpy.random.Generator, optional
            Make this a training pass: the hidden layers with a dropout rate p > 0 draw their
            masks from this generator (an int seeds a new one at every call, so the same int
            gives the same masks). None (default): nothing is dropped, as at prediction.

        Returns
        -------
        out : ndarray of shape (m, n_L)
            A^[L], the network's output.
        cache : Cache
            ``cache.a[l]`` (l = 0..L) and ``cache.z[l]`` (l = 1..L), each (m, n_l), and the
            dropout masks ``cache.masks[l]`` of a training pass.

        Raises
        ------
        ValueError
            If X is not 2-D with n_0 columns, or holds NaN or infinity.
        TypeError
            If X does not hold real numbers, or ``rng`` is not None, an int or a Generator.
        """
        a = as_matrix("X", X, self.sizes[0], "n_0", self.dtype)
        masks = self._draw_masks(len(a), rng, reuse)  # all None unless dropping out
        cache = Cache(a=[a], z=[None], masks=masks)
        outs = self._forward_arrays(len(a), reuse)
        for W, b, g, (z_out, a_out), mask in zip(
            self.weights, self.biases, self.activations, outs, masks[1:], strict=True
        ):
            z = np.matmul(a, W.T, out=z_out)
            z += b
            a = g.apply(z, out=a_out)
            if mask is not None:  # a training pass with dropout: A^[l] * M^[l]
                a = np.multiply(a, mask, out=a_out)
            cache.z.append(z)
            cache.a.append(a)
        return a, cache

    def backward(
        self, cache: Cache, y: Any, loss: str | Loss, out: list[np.ndarray] | None = None
    ) -> list[np.ndarray]:
        """Backpropagate: the gradient of the loss with respect to every parameter.

        Implements eq-delta-output-fused, eq-delta-output, eq-delta-hidden, eq-grad-weights and
        eq-grad-bias, one batch at a time (rows are examples; the loss is a mean, so delta
        carries the 1/m)::

            Delta^[L]   = (Yhat - Y) / m                 identity+mse, sigmoid+binary_cross_entropy,
                                                         softmax+cross_entropy
            Delta^[L]   = g^[L] backward of dL/dYhat     any other pair (the chain rule)
            grad_W^[l]  = Delta^[l]^T A^[l-1]
            grad_b^[l]  = sum of the rows of Delta^[l]
            Delta^[l-1] = (Delta^[l] W^[l]) * g^[l-1]'(Z^[l-1])

        and, for a hidden layer dropped out in the forward pass (eq-inverted-dropout,
        eq-dropout-delta),
        Delta^[l-1] = (Delta^[l] W^[l]) * M^[l-1] * g^[l-1]'(Z^[l-1]) with the cached mask
        M^[l-1]: a dropped unit passed nothing on, so no error flows back through it, and a
        kept one passed on its output times 1 / (1 - p).

        Parameters
        ----------
        cache : Cache
            From ``forward(X)`` (with its dropout masks if it was a training pass).
        y : array_like of shape (m, n_L), or (m,) integer labels for cross_entropy
            The targets.
        loss : str or Loss
            "mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", or a Loss object.
        out : list of ndarray, optional
            Arrays shaped like ``parameters()`` to write the gradients into (saves allocating).

        Returns
        -------
        grads : list of ndarray
            [grad_W^[1], grad_b^[1], ..., grad_W^[L], grad_b^[L]], aligned with ``parameters()``:
            shapes (n_l, n_(l-1)) and (n_l,).

        Raises
        ------
        ValueError
            If y does not fit the output (shape, NaN, labels outside [0, n_L)), or a
            cross-entropy loss is paired with an output that does not give probabilities.
        """
        loss = self._check_loss(loss)
        y_hat, y = loss.validate(cache.a[-1], y)
        grads = gradient_arrays(self.parameters(), out)
        deltas, slopes = self._workspace.backward_arrays(len(y_hat))  # reused, never returned
        if (type(self.output), type(loss)) in _FUSED:
            delta = residual(y_hat, y) / len(y_hat)  # eq-delta-output-fused
        else:
            delta = self.output.backward(cache.z[-1], y_hat, loss.grad(y_hat, y))  # eq-delta-output
        for l in range(self.n_layers, 0, -1):
            grad_weights, grad_bias = grads[2 * l - 2], grads[2 * l - 1]
            np.matmul(delta.T, cache.a[l - 1], out=grad_weights)  # eq-grad-weights
            np.sum(delta, axis=0, out=grad_bias)  # eq-grad-bias
            if l > 1:
                delta = np.matmul(delta, self.weights[l - 1], out=deltas[l - 1])  # eq-delta-hidden
                g, mask = self.activations[l - 2], cache.masks[l - 1] if cache.masks else None
                if mask is None:  # g^[l-1]', read from the cache
                    delta *= g.grad_from_cache(cache.z[l - 1], cache.a[l - 1], slopes[l - 1])
                else:  # dropped out: cache.a holds A * M, so g' comes from Z
                    delta *= mask
                    delta *= g.grad_into(cache.z[l - 1], slopes[l - 1])
        return grads

    def loss_and_grad(
        self, X: Any, y: Any, loss: str | Loss, out: list[np.ndarray] | None = None, *,
        rng: int | np.random.Generator | None = None,
    ) -> tuple[float, list[np.ndarray]]:
        """Return the loss on (X, y) and its gradient, aligned with ``parameters()``.

        For the fused pairs the value is computed from the logits Z^[L]
        (``binary_cross_entropy_with_logits``, ``cross_entropy_with_logits``): finite and exact
        even when the output saturates at 0 or 1.

        Parameters
        ----------
        X : array_like of shape (m, n_0)
        y : array_like of shape (m, n_L), or (m,) integer labels for cross_entropy
        loss : str or Loss
        out : list of ndarray, optional
            Passed to ``backward``.
        rng : int or numpy.random.Generator, optional
            Passed to ``forward``: a training step with dropout, whose loss and gradient are
            those of the network with this step's masks. None: nothing is dropped.

        Returns
        -------
        value : float
        grads : list of ndarray

        Raises
        ------
        ValueError, TypeError
            As ``forward`` and ``backward``.

        Notes
        -----
        X and y are checked once, here; the step itself is ``_loss_and_grad``, which ``train``
        calls directly after checking its data once per call.
        """
        loss = self._check_loss(loss)
        X = as_matrix("X", X, self.sizes[0], "n_0", self.dtype)
        y = self._check_targets(y, len(X), loss)
        return self._loss_and_grad(X, y, loss, out, rng)

    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, loss: Loss, out: list[np.ndarray] | None = None,
        rng: int | np.random.Generator | None = None,
    ) -> tuple[float, list[np.ndarray]]:
        """The loss and its gradient on a checked batch: the training step's fast path.

        The arithmetic of ``forward(X, reuse=True)`` followed by ``backward`` (the reference
        path, which the book shows), without their checks: X must be (m, n_0) in the network's
        dtype and y the output of ``_check_targets``, ``loss`` a Loss that ``_check_loss``
        accepted. A test checks that both paths give the same numbers. A subclass that redefines
        ``forward`` or ``backward`` gets the reference path, so that its version runs.
        """
        from_logits = _FUSED.get((type(self.output), type(loss)))
        if type(self).forward is not MLP.forward or type(self).backward is not MLP.backward:
            training = {} if rng is None else {"rng": rng}
            y_hat, cache = self.forward(X, reuse=True, **training)
            value = from_logits(cache.z[-1], y) if from_logits else loss.value(y_hat, y)
            return float(value), self.backward(cache, y, loss, out=out)
        masks = self._draw_masks(len(X), rng, reuse=True)
        a, z_all, a_all = X, [None], [X]
        for W, b, g, (z, a_out), mask in zip(self.weights, self.biases, self.activations,
                                             self._workspace.forward_arrays(len(X)), masks[1:],
                                             strict=True):
            np.matmul(a, W.T, out=z)  # eq-forward-batch, into reused arrays
            z += b
            a = g.apply(z, out=a_out)
            if mask is not None:  # eq-inverted-dropout
                a = np.multiply(a, mask, out=a_out)
            z_all.append(z)
            a_all.append(a)
        if from_logits:
            value, delta = from_logits(z_all[-1], y), residual(a, y) / len(a)
        else:
            value, delta = loss.value(a, y), self.output.backward(z, a, loss.gradient(a, y))
        grads = gradient_arrays(self.parameters(), out)
        deltas, slopes = self._workspace.backward_arrays(len(a))
        for l in range(self.n_layers, 0, -1):  # as in backward
            np.matmul(delta.T, a_all[l - 1], out=grads[2 * l - 2])
            np.sum(delta, axis=0, out=grads[2 * l - 1])
            if l > 1:
                delta = np.matmul(delta, self.weights[l - 1], out=deltas[l - 1])
                g, mask = self.activations[l - 2], masks[l - 1]
                if mask is None:
                    delta *= g.grad_from_cache(z_all[l - 1], a_all[l - 1], slopes[l - 1])
                else:
                    delta *= mask
                    delta *= g.grad_into(z_all[l - 1], slopes[l - 1])
        return float(value), grads

    def _check_targets(self, y: Any, m: int, loss: Loss) -> np.ndarray:
        """Return y checked as ``loss`` checks targets for an output of shape (m, n_L).

        The loss's own ``validate`` runs against a stand-in output (0.5 everywhere, a valid
        prediction for every loss, broadcast without allocating), so the errors are the ones
        ``backward`` raises for the real output.
        """
        stand_in = np.broadcast_to(np.asarray(0.5, dtype=self.dtype), (m, self.sizes[-1]))
        return loss.validate(stand_in, y)[1]

    def predict(self, X: Any) -> np.ndarray:
        """Return A^[L], shape (m, n_L): probabilities for sigmoid and softmax outputs.

        Nothing is dropped out: with inverted dropout the network is used as it is.
        """
        return self.forward(X)[0]

    def save(self, path: Any) -> None:
        """Write the network to an ``.npz`` file of plain arrays (no pickled objects).

        Raises
        ------
        ValueError
            If an activation is not one of the built-in kinds (it could not be stored by name).
        """
        save_network(self, path)

    @classmethod
    def load(cls, path: Any) -> MLP:
        """Read a network written by ``save`` (``np.load`` with ``allow_pickle=False``).

        Raises
        ------
        ValueError
            If the file lacks an entry or an array has the wrong shape.
        """
        return load_network(cls, path)

    def __repr__(self) -> str:
        hidden = [_describe(g) for g in self.activations[:-1]]
        activation = hidden[0] if len(set(hidden)) == 1 else f"[{', '.join(hidden)}]"
        rates = self.dropout[0] if len(set(self.dropout)) == 1 else list(self.dropout)
        dropout = f", dropout={rates!r}" if any(self.dropout) else ""
        return (
            f"MLP(sizes={self.sizes}, activation={activation}, "
            f"output={_describe(self.output)}, dtype={self.dtype.name}{dropout})"
        )

    def _check_loss(self, loss: str | Loss) -> Loss:
        """Return the Loss, refusing cross-entropies on outputs that are not probabilities."""
        loss = get_loss(loss)
        for kind, fix in _PROBABILITY_LOSSES.items():
            if isinstance(loss, kind) and not isinstance(self.output, (act.Sigmoid, act.Softmax)):
                raise ValueError(
                    f"{loss.name} needs probabilities from the output layer; got "
                    f"output={self.output.name!r}; use output={fix!r}"
                )
        return loss

    def _draw_masks(self, m: int, rng: Any, reuse: bool) -> list[np.ndarray | None]:
        """The dropout masks M^[l] of a pass on m examples, indexed by layer (l = 0..L).

        None for a layer that is not dropped out: the input and output layers, a hidden layer of
        rate 0, and every layer when ``rng`` is None (not a training pass). A mask is written
        into an array the network reuses if ``reuse``, else into a new one.
        """
        masks: list[np.ndarray | None] = [None] * (self.n_layers + 1)
        if rng is None:
            return masks
        generator = as_generator(rng, "rng")
        for l, p in enumerate(self.dropout, start=1):
            if p > 0:
                out = (self._workspace.array("mask", l, m) if reuse
                       else np.empty((m, self.sizes[l]), dtype=self.dtype))
                masks[l] = _fill_mask(out, p, generator)  # eq-inverted-dropout
        return masks

    def _forward_arrays(self, m: int, reuse: bool) -> list[tuple[Any, Any]]:
        """Per layer, the arrays to write Z^[l] and A^[l] into: reused ones, or None (new ones)."""
        return self._workspace.forward_arrays(m) if reuse else [(None, None)] * self.n_layers


def _describe(g: Activation) -> str:
    """'relu' for a registered activation, its repr (e.g. LeakyReLU(slope=0.2)) otherwise."""
    return repr(g.name) if repr(g) == g.name else repr(g)
