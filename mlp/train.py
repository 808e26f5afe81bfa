"""The training loop: mini-batch gradient descent on a network, with a history of every epoch.

One step on a batch of rows of X computes the loss and its gradient (backpropagation), adds the
L2 term, clips, and lets the optimizer update the parameters in place. ``batch_size=None`` is full
batch (eq-batch-gradient), ``1`` is stochastic (eq-sgd-gradient) and ``k`` is mini-batch
(eq-minibatch-gradient); the last, partial batch of an epoch is kept.

``History`` and ``accuracy`` (re-exported here) and the end-of-run bookkeeping (divergence, early
stopping) are in ``mlp.history``; the progress bar is in ``mlp.progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._validation import as_matrix, check_count, check_scalar, unknown_name_message
from .clipping import clip_grad_norm
from .history import History, accuracy, finish, keep_best, mark_diverged
from .losses import Loss, get_loss
from .network import MLP
from .progress import progress_bar
from .regularization import add_l2_grad

__all__ = ["History", "accuracy", "train"]


def train(net: Any, X: Any, y: Any, loss: str | Loss, optimizer: Any, epochs: int,
          batch_size: int | None = None, *, schedule: Callable[[int], float] | None = None,
          schedule_per: str = "epoch", shuffle: bool = True, seed: Any = None,
          clip_norm: float | None = None, l2: float = 0.0,
          validation: tuple[Any, Any] | None = None, early_stopping: int | None = None,
          callbacks: Iterable[Callable[[int, Any, History], Any]] = (),
          progress: bool | None = None) -> History:
    """Train ``net`` on (X, y) by mini-batch gradient descent; return the history.

    Parameters
    ----------
    net : MLP
        Updated in place.
    X : array_like of shape (m, n_0)
    y : array_like of shape (m, n_L), or (m,) integer labels for cross_entropy
    loss : str or Loss
        "mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", or a Loss object.
    optimizer : Optimizer
        Any object with ``step(params, grads)`` and a settable ``lr`` (``mlp.optimizers``).
    epochs : int
        The number of passes over the data, >= 1.
    batch_size : int, optional
        Examples per step, in [1, m]; None (default) for full batch.
    schedule : callable, optional
        ``schedule(t) -> lr``, applied to ``optimizer.lr`` before each epoch or each step.
    schedule_per : {"epoch", "step"}, default "epoch"
        Whether t counts epochs or steps (from 0).
    shuffle : bool, default True
        Visit the examples in a new random order each epoch (not needed, so not done, for full
        batch: the order would change only the rounding).
    seed : int or numpy.random.Generator, optional
        For ``np.random.default_rng``; the same seed gives the same run. It orders the examples
        and, for a network with dropout, draws the masks of every step from a generator spawned
        from it (``Generator.spawn``), so that the order is the same with dropout as without.
    clip_norm : float, optional
        Clip the gradients' global norm to this value (``clip_grad_norm``) before each update.
    l2 : float, default 0
        L2 strength lam: minimize loss + lam sum ||W^[l]||^2 (weights only).
    validation : tuple (X_val, y_val), optional
        Data to evaluate after each epoch.
    early_stopping : int, optional
        Patience: stop when the validation loss has not improved for this many epochs, and
        leave the network with the weights of the best epoch. Needs ``validation``.
    callbacks : callable or iterable of callables
        Each called as ``callback(epoch, net, history)`` after every epoch (epoch counts from
        0); one returning True stops training.
    progress : bool, optional
        Show a tqdm progress bar. Default: on in a terminal or notebook, off otherwise; the
        environment variable MLP_PROGRESS=0 or 1 overrides the default.

    Returns
    -------
    History
        Per-epoch loss, accuracy, learning rate and gradient norms, and how the run ended. A
        diverging run (NaN or infinite loss) stops and says so in ``history.message``. The
        losses and accuracies are measured with ``net.predict``, so without dropout.

    Raises
    ------
    TypeError, ValueError
        If an argument does not fit (each message says what was expected).

    Examples
    --------
    >>> from mlp import MLP, train
    >>> from mlp.data import make_moons
    >>> from mlp.optimizers import Adam
    >>> X, y = make_moons(m=100, seed=0)
    >>> net = MLP([2, 8, 1], activation="tanh", output="sigmoid", seed=0)
    >>> history = train(net, X, y.reshape(-1, 1), "binary_cross_entropy", Adam(0.05), epochs=50,
    ...                 batch_size=16, seed=0, progress=False)
    >>> history.message, history.accuracy[-1] > 0.8
    ('finished 50 epochs', True)
    """
    X, y, loss, validation = _check_data(net, X, y, loss, validation)
    n_examples = len(X)  # N in the book's notation; m is a batch's size
    batch = _check_options(optimizer, epochs, batch_size, n_examples, schedule, schedule_per,
                           clip_norm, l2, validation, early_stopping)
    callbacks = _check_callbacks(callbacks)
    rng = np.random.default_rng(seed)
    run = _Run(net, loss, optimizer, batch, schedule, schedule_per, clip_norm, l2,
               rng.spawn(1)[0] if any(getattr(net, "dropout", ())) else None)
    history = run.new_history(validation is not None)
    best = [p.copy() for p in run.params] if early_stopping else None
    bar = progress_bar(progress, epochs)
    try:
        for epoch in range(epochs):
            order = rng.permutation(n_examples) if shuffle and batch < n_examples else None
            data = (X, y) if order is None else (X[order], y[order])
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                ok = run.epoch(epoch, *data, history) and run.record(X, y, validation, history)
            if ok and best is not None:
                ok = keep_best(run.params, best, history, early_stopping)
            if ok and any(callback(epoch, net, history) is True for callback in callbacks):
                history.stopped_early, ok = True, False
                history.message = f"stopped by a callback after epoch {epoch + 1}"
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=history.loss[-1] if history.loss else float("nan"))
            if not ok:
                break
    finally:
        if bar is not None:
            bar.close()
    finish(run.params, best, history, epochs)
    return history


class _Run:
    """The state of one training run: buffers, step counter, and the per-step work."""

    def __init__(self, net, loss, optimizer, batch, schedule, schedule_per, clip_norm, l2,
                 dropout_rng=None):
        self.net, self.loss, self.optimizer, self.batch = net, loss, optimizer, batch
        # a network with dropout draws each step's masks from this generator (None: no dropout)
        self.training = {} if dropout_rng is None else {"rng": dropout_rng}
        self.schedule, self.per_step = schedule, schedule_per == "step"
        self.clip_norm, self.l2 = clip_norm, l2
        self.params = net.parameters()
        new_gradients = getattr(net, "new_gradients", None)  # one buffer: a fused optimizer step
        self.grads = new_gradients() if new_gradients else [np.empty_like(p) for p in self.params]
        # an MLP's unchecked step (train checked X and y once); loss_and_grad for any other net
        self.loss_and_grad = net._loss_and_grad if _checks_once(net) else net.loss_and_grad
        self.is_weight = [p.ndim >= 2 for p in self.params]
        output = getattr(getattr(net, "output", None), "name", None)
        self.classifier = output in ("sigmoid", "softmax")
        self.multilabel = output == "sigmoid" and net.sizes[-1] > 1
        self.steps = 0

    def new_history(self, validation: bool) -> History:
        return History(val_loss=[] if validation else None,
                       accuracy=[] if self.classifier else None,
                       val_accuracy=[] if self.classifier and validation else None)

    def epoch(self, epoch: int, X: np.ndarray, y: np.ndarray, history: History) -> bool:
        """Take one epoch's steps; record lr and gradient norms; False if the loss diverged."""
        norms, lrs = np.zeros(sum(self.is_weight)), []
        for k, start in enumerate(range(0, len(X), self.batch)):
            if self.schedule is not None:
                self.optimizer.lr = self.schedule(self.steps if self.per_step else epoch)
            lrs.append(self.optimizer.lr)
            value = self._gradients(X[start:start + self.batch], y[start:start + self.batch])
            norms += [np.sqrt(np.vdot(g, g))
                      for g, w in zip(self.grads, self.is_weight, strict=True) if w]
            if not np.isfinite(value) or not np.isfinite(norms).all():
                what = (f"the loss became {value}" if not np.isfinite(value) else
                        "the gradient became infinite or NaN")
                return mark_diverged(history, f"at step {k + 1} of epoch {epoch + 1}: {what}",
                                     self.optimizer.lr)
            if self.clip_norm is not None:
                clip_grad_norm(self.grads, self.clip_norm)
            self.optimizer.step(self.params, self.grads)
            self.steps += 1
        history.lr.append(float(lrs[0]))
        history.grad_norms.append((norms / (k + 1)).tolist())
        return True

    def _gradients(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fill self.grads with the gradient on one batch; return the batch loss (nan: overflow)."""
        try:
            value, self.grads = self.loss_and_grad(X, y, self.loss, out=self.grads,
                                                   **self.training)
        except ValueError:
            if np.isfinite(self.net.predict(X)).all():
                raise
            return float("nan")
        if self.l2:
            add_l2_grad(self.params, self.grads, self.l2)
        return value

    def record(self, X, y, validation, history: History) -> bool:
        """Append the end-of-epoch loss (and accuracy); False if the training loss diverged."""
        parts = [(X, y, history.loss, history.accuracy)]
        if validation is not None:
            parts.append((*validation, history.val_loss, history.val_accuracy))
        for X_part, y_part, losses, accuracies in parts:
            out = self.net.predict(X_part)
            finite = bool(np.isfinite(out).all())
            losses.append(self.loss(out, y_part) if finite else float("nan"))
            if accuracies is not None:
                accuracies.append(accuracy(out, y_part, self.multilabel) if finite
                                  else float("nan"))
        if np.isfinite(history.loss[-1]):
            return True
        return mark_diverged(history, f"by the end of epoch {len(history.loss)}: the loss "
                             f"became {history.loss[-1]}", self.optimizer.lr)


def _check_targets(name: str, y: Any, m: int, loss: Loss, dtype: np.dtype) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim not in (1, 2) or len(y) != m:
        raise ValueError(f"{name} must have one row per example, m = {m}; got shape {y.shape}")
    if y.ndim == 1 and loss.name != "cross_entropy":
        raise ValueError(
            f"{name} of shape (m,) only fits integer labels with cross_entropy; loss "
            f"{loss.name!r} needs shape (m, n_L); use {name}.reshape(-1, 1) for one output"
        )
    return y if y.ndim == 1 else y.astype(dtype, copy=False)


def _check_data(net, X, y, loss, validation):
    if not all(callable(getattr(net, name, None)) for name in ("parameters", "loss_and_grad",
                                                                "predict")) or not all(
            hasattr(net, name) for name in ("sizes", "dtype")):
        raise TypeError(
            "net must be an MLP (with parameters(), loss_and_grad(), predict(), sizes and "
            f"dtype); got {type(net).__name__}"
        )
    loss = get_loss(loss)
    X = as_matrix("X", X, net.sizes[0], "n_0", net.dtype)
    y = _check_targets("y", y, len(X), loss, net.dtype)
    if _checks_once(net):  # once for the whole run, as loss_and_grad would at every step
        loss = net._check_loss(loss)
        y = net._check_targets(y, len(X), loss)
    if validation is not None:
        if not isinstance(validation, tuple | list) or len(validation) != 2:
            raise TypeError(
                f"validation must be a tuple (X_val, y_val); got {type(validation).__name__}"
            )
        X_val = as_matrix("X_val", validation[0], net.sizes[0], "n_0", net.dtype)
        validation = (X_val, _check_targets("y_val", validation[1], len(X_val), loss, net.dtype))
    return X, y, loss, validation


def _checks_once(net: Any) -> bool:
    """Whether train may check the data once and call ``net._loss_and_grad`` at every step.

    True for an MLP whose ``loss_and_grad`` is the library's own (a subclass may redefine it).
    """
    return isinstance(net, MLP) and type(net).loss_and_grad is MLP.loss_and_grad


def _check_options(optimizer, epochs, batch_size, m, schedule, schedule_per, clip_norm, l2,
                   validation, early_stopping) -> int:
    """Check train's options; return the batch size (m for full batch)."""
    if not callable(getattr(optimizer, "step", None)) or not hasattr(optimizer, "lr"):
        raise TypeError(
            f"optimizer must have a step(params, grads) method and an lr attribute; got "
            f"{type(optimizer).__name__}; e.g. mlp.optimizers.SGD(lr=0.1)"
        )
    check_count("epochs", epochs, 1)
    if batch_size is not None and check_count("batch_size", batch_size, 1) > m:
        raise ValueError(
            f"batch_size must be in [1, m] = [1, {m}]; got {batch_size}; use batch_size=None "
            "for full batch"
        )
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be callable as schedule(t); got {type(schedule).__name__}")
    if schedule_per not in ("epoch", "step"):
        raise ValueError(unknown_name_message("schedule_per", schedule_per, ["epoch", "step"]))
    if clip_norm is not None:
        check_scalar("clip_norm", clip_norm, 0.0, low_open=True)
    check_scalar("l2", l2, 0.0)
    if early_stopping is not None:
        check_count("early_stopping", early_stopping, 1)
        if validation is None:
            raise ValueError(
                "early_stopping needs validation data; pass validation=(X_val, y_val)"
            )
    return m if batch_size is None else int(batch_size)


def _check_callbacks(callbacks: Any) -> list[Callable]:
    if callable(callbacks):
        callbacks = [callbacks]
    callbacks = list(callbacks)
    for i, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                f"callbacks[{i}] must be callable as callback(epoch, net, history); got "
                f"{type(callback).__name__}"
            )
    return callbacks
