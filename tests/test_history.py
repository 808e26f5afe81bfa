"""Tests for mlp.history: the per-epoch record of a run and the bookkeeping of how it ends."""

import numpy as np

from mlp.history import History, finish, keep_best, mark_diverged


def run_keep_best(val_losses, patience):
    """Feed keep_best one validation loss per epoch, as train does; return its answers."""
    params, best = [np.zeros(2)], [np.full(2, -1.0)]
    history, answers = History(val_loss=[]), []
    for epoch, value in enumerate(val_losses):
        history.val_loss.append(value)
        params[0][:] = epoch  # the weights "after epoch e" are all e
        answers.append(keep_best(params, best, history, patience))
    return history, best, answers


def test_keep_best_copies_the_best_weights_and_stops_after_patience_epochs():
    # best at epoch 1 (2.0); epochs 2 and 3 do not improve, so patience 2 runs out at epoch 3
    history, best, answers = run_keep_best([3.0, 2.0, 2.5, 2.6, 1.0], patience=2)
    assert answers == [True, True, True, False, True]
    assert history.best_epoch == 4  # a later improvement is still taken if the caller goes on
    history, best, answers = run_keep_best([3.0, 2.0, 2.5, 2.6], patience=2)
    assert history.best_epoch == 1 and history.stopped_early
    np.testing.assert_array_equal(best[0], [1.0, 1.0])  # a copy of the weights after epoch 1
    assert "did not improve for 2 epochs" in history.message
    assert "history.best_epoch = 1" in history.message


def test_keep_best_ignores_a_tie():
    history, _, answers = run_keep_best([2.0, 2.0, 2.0], patience=2)
    assert history.best_epoch == 0 and answers == [True, True, False]


def test_finish_restores_the_best_weights_and_says_how_the_run_ended():
    params, best = [np.zeros(3)], [np.arange(3.0)]
    history = History(best_epoch=4)
    finish(params, best, history, epochs=10)
    np.testing.assert_array_equal(params[0], [0.0, 1.0, 2.0])
    assert params[0] is not best[0]
    assert history.message == "finished 10 epochs; kept the weights of history.best_epoch = 4"
    plain = History()
    finish([np.zeros(1)], None, plain, epochs=3)
    assert plain.message == "finished 3 epochs"
    ended = History(message="stopped by a callback after epoch 2")
    finish([np.zeros(1)], None, ended, epochs=3)
    assert ended.message == "stopped by a callback after epoch 2"  # an earlier ending is kept


def test_mark_diverged():
    history = History()
    assert mark_diverged(history, "at step 3 of epoch 1: the loss became inf", 0.5) is False
    assert history.diverged and not history.stopped_early
    assert history.message.startswith("diverged at step 3 of epoch 1: the loss became inf; ")
    assert "(lr=0.5) is probably too large" in history.message
