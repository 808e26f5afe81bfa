"""What a training run records, and the bookkeeping of how it ends.

``History`` holds one entry per completed epoch (loss, accuracy, learning rate, gradient norms)
and how the run ended; ``accuracy`` is the fraction classified correctly. The three functions
below it are ``train``'s end-of-run bookkeeping: ``mark_diverged`` when the loss or the gradient
stops being finite, ``keep_best`` for early stopping, ``finish`` to restore the best weights and
say how the run ended. The training loop itself is in ``mlp.train``, which re-exports ``History``
and ``accuracy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "accuracy"]


@dataclass
class History:
    """What ``train`` records, one entry per completed epoch.

    Attributes
    ----------
    loss : list of float
        The training loss on all of X at the end of each epoch (the data loss, without the L2
        penalty, so runs with different ``l2`` compare).
    val_loss : list of float or None
        The same on the validation data; None without ``validation``.
    accuracy, val_accuracy : list of float or None
        The fraction classified correctly (see ``accuracy``), for sigmoid and softmax outputs;
        None for other outputs (and ``val_accuracy`` None without validation data).
    lr : list of float
        The learning rate of each epoch's first step.
    grad_norms : list of list of float
        ``grad_norms[e][l - 1]`` is the norm of grad W^[l] (with the L2 term, before clipping),
        averaged over epoch e's steps; ``np.array(history.grad_norms)`` has shape (epochs, L).
    best_epoch : int or None
        With early stopping, the epoch whose weights the network was left with.
    stopped_early, diverged : bool
        Whether early stopping (or a callback) ended the run, and whether the loss or the
        gradient became NaN or infinite (training then stops, without raising; an epoch cut
        short by it is not recorded).
    message : str
        How the run ended, in words.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] | None = None
    accuracy: list[float] | None = None
    val_accuracy: list[float] | None = None
    lr: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False
    message: str = ""


def accuracy(y_hat: np.ndarray, y: np.ndarray, multilabel: bool = False) -> float:
    """Return the fraction of examples classified correctly.

    Parameters
    ----------
    y_hat : ndarray of shape (m, K)
        Predicted probabilities. For K > 1 the predicted class is the row's argmax; for K = 1
        (one sigmoid output) it is 1 where y_hat >= 0.5.
    y : ndarray of shape (m,) or (m, K)
        Integer labels or one-hot rows (K > 1), or 0/1 targets (K = 1).
    multilabel : bool, default False
        K independent sigmoid outputs: threshold every entry at 0.5 and return the fraction of
        entries that match y, of shape (m, K).

    Returns
    -------
    float
        In [0, 1].
    """
    y_hat, y = np.asarray(y_hat), np.asarray(y)
    if multilabel or y_hat.shape[1] == 1:
        return float(np.mean((y_hat >= 0.5) == (y.reshape(y_hat.shape) >= 0.5)))
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    return float(np.mean(y_hat.argmax(axis=1) == labels))


def mark_diverged(history: History, what: str, lr: float) -> bool:
    """Record in ``history`` that the run diverged (``what``: where and how); return False."""
    history.diverged = True
    history.message = (
        f"diverged {what}; the learning rate (lr={lr:g}) is probably too large: try a smaller "
        "one, clip_norm=..., or standardized inputs"
    )
    return False


def keep_best(params: list[np.ndarray], best: list[np.ndarray], history: History,
              patience: int) -> bool:
    """Keep a copy of the best weights so far; False once ``patience`` epochs bring nothing.

    ``best`` holds the copies, aligned with ``params``; ``history.best_epoch`` their epoch.
    """
    val, last = history.val_loss, len(history.val_loss) - 1
    best_so_far = np.inf if history.best_epoch is None else val[history.best_epoch]
    if val[last] < best_so_far:
        history.best_epoch = last
        for saved, p in zip(best, params, strict=True):
            np.copyto(saved, p)
    since = last - (-1 if history.best_epoch is None else history.best_epoch)
    if since < patience:
        return True
    history.stopped_early = True
    history.message = (
        f"stopped early after {last + 1} epochs: the validation loss did not improve for "
        f"{patience} epochs; kept the weights of history.best_epoch = {history.best_epoch}"
    )
    return False


def finish(params: list[np.ndarray], best: list[np.ndarray] | None, history: History,
           epochs: int) -> None:
    """Restore the best weights (with early stopping) and say how the run ended."""
    kept = ""
    if best is not None and history.best_epoch is not None:
        for p, saved in zip(params, best, strict=True):
            np.copyto(p, saved)
        kept = f"; kept the weights of history.best_epoch = {history.best_epoch}"
    history.message = history.message or f"finished {epochs} epochs{kept}"
