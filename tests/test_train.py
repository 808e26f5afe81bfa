"""Tests for mlp.train: against hand-written loops, finite differences, and real data sets."""

import sys

import numpy as np
import pytest

from mlp import MLP
from mlp.clipping import global_norm
from mlp.data import load_digits, make_moons, make_regression_1d, standardize, train_test_split
from mlp.optimizers import SGD, Adam
from mlp.regularization import l2_penalty
from mlp.schedules import InverseTimeDecay, tabulate
from mlp.train import History, accuracy, train


def small_problem(m=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, 3)), rng.integers(0, 2, m)


def make_net(seed=0, **kwargs):
    return MLP([3, 5, 2], activation="tanh", output="softmax", seed=seed, **kwargs)


class RecordingSGD(SGD):
    """SGD that remembers each step's learning rate and batch size."""

    def __init__(self, lr):
        super().__init__(lr)
        self.lrs, self.batch_sizes = [], []

    def step(self, params, grads):
        self.lrs.append(self.lr)
        super().step(params, grads)


def test_full_batch_sgd_is_the_hand_written_loop():
    X, y = small_problem()
    net, reference = make_net(), make_net()
    history = train(net, X, y, "cross_entropy", SGD(lr=0.3), epochs=5)
    losses = []
    for _ in range(5):
        _, grads = reference.loss_and_grad(X, y, "cross_entropy")
        for p, g in zip(reference.parameters(), grads, strict=True):
            p -= 0.3 * g  # theta <- theta - lr g
        losses.append(reference.loss_and_grad(X, y, "cross_entropy")[0])
    for got, expected in zip(net.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(history.loss, losses, rtol=1e-12)
    assert history.lr == [0.3] * 5 and history.message == "finished 5 epochs"


def test_mini_batches_without_shuffling_are_consecutive_slices_last_one_partial():
    X, y = small_problem(m=10)
    net, reference = make_net(), make_net()
    train(net, X, y, "cross_entropy", SGD(lr=0.2), epochs=2, batch_size=4, shuffle=False)
    for _ in range(2):
        for start in (0, 4, 8):  # batches of 4, 4 and the remaining 2
            _, grads = reference.loss_and_grad(X[start:start + 4], y[start:start + 4],
                                               "cross_entropy")
            for p, g in zip(reference.parameters(), grads, strict=True):
                p -= 0.2 * g
    for got, expected in zip(net.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_seeded_runs_are_identical_and_seeds_matter():
    X, y = small_problem(m=20)
    runs = []
    for seed in (7, 7, 8):
        net = make_net()
        history = train(net, X, y, "cross_entropy", Adam(0.01), epochs=3, batch_size=3, seed=seed)
        runs.append((net.parameters(), history))
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]
    assert not np.array_equal(runs[0][0][0], runs[2][0][0])


def test_batch_size_one_takes_m_steps_per_epoch():
    X, y = small_problem(m=7)
    optimizer = SGD(0.1)
    train(make_net(), X, y, "cross_entropy", optimizer, epochs=3, batch_size=1, seed=0)
    assert optimizer.t == 21
    optimizer = SGD(0.1)
    train(make_net(), X, y, "cross_entropy", optimizer, epochs=3, batch_size=3, seed=0)
    assert optimizer.t == 9  # ceil(7 / 3) = 3 steps per epoch


def test_schedule_per_epoch_and_per_step():
    X, y = small_problem(m=6)
    schedule = InverseTimeDecay(lr0=1.0, k=1.0)  # 1 / (1 + t)
    per_epoch = RecordingSGD(1.0)
    history = train(make_net(), X, y, "cross_entropy", per_epoch, epochs=3, batch_size=2,
                    schedule=schedule)
    assert per_epoch.lrs == pytest.approx([1, 1, 1, 1 / 2, 1 / 2, 1 / 2, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(history.lr, tabulate(schedule, 3))
    per_step = RecordingSGD(1.0)
    history = train(make_net(), X, y, "cross_entropy", per_step, epochs=3, batch_size=2,
                    schedule=schedule, schedule_per="step")
    assert per_step.lrs == pytest.approx([1 / (1 + t) for t in range(9)])
    assert history.lr == pytest.approx([1, 1 / 4, 1 / 7])  # each epoch's first step


def test_l2_step_follows_finite_differences_of_loss_plus_penalty():
    X, y = small_problem()
    lam, lr, h = 0.05, 0.1, 1e-6
    net, probe = make_net(), make_net()
    params = probe.parameters()

    def objective():
        return probe.loss_and_grad(X, y, "cross_entropy")[0] + l2_penalty(params, lam)

    numeric = []
    for p in params:
        grad = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + h
            up = objective()
            p[index] = saved - h
            grad[index] = (up - objective()) / (2 * h)
            p[index] = saved
        numeric.append(grad)
    before = [p.copy() for p in net.parameters()]
    train(net, X, y, "cross_entropy", SGD(lr), epochs=1, l2=lam)
    for old, new, g in zip(before, net.parameters(), numeric, strict=True):
        np.testing.assert_allclose((old - new) / lr, g, rtol=1e-6, atol=1e-9)


def test_clip_norm_limits_the_step():
    X, y = small_problem()
    net = make_net()
    before = [p.copy() for p in net.parameters()]
    history = train(net, X, y, "cross_entropy", SGD(1.0), epochs=1, clip_norm=1e-3)
    step = global_norm([new - old for new, old in zip(net.parameters(), before, strict=True)])
    assert step == pytest.approx(1e-3, rel=1e-9)  # lr * c: the raw gradient is far longer
    assert history.grad_norms[0][0] > 1e-2


def test_grad_norms_are_the_weight_gradient_norms_per_layer():
    X, y = small_problem()
    net = make_net()
    _, grads = make_net().loss_and_grad(X, y, "cross_entropy")
    history = train(net, X, y, "cross_entropy", SGD(0.1), epochs=2)
    assert np.array(history.grad_norms).shape == (2, 2)
    np.testing.assert_allclose(history.grad_norms[0],
                               [np.linalg.norm(grads[0]), np.linalg.norm(grads[2])], rtol=1e-12)


def test_mini_batch_grad_norms_are_averaged_over_the_steps():
    X, y = small_problem(m=4)
    reference = make_net()
    norms = []
    for start in (0, 2):
        _, grads = reference.loss_and_grad(X[start:start + 2], y[start:start + 2], "cross_entropy")
        norms.append([np.linalg.norm(grads[0]), np.linalg.norm(grads[2])])
        for p, g in zip(reference.parameters(), grads, strict=True):
            p -= 0.1 * g
    history = train(make_net(), X, y, "cross_entropy", SGD(0.1), 1, batch_size=2, shuffle=False)
    np.testing.assert_allclose(history.grad_norms[0], np.mean(norms, axis=0), rtol=1e-12)


def test_validation_and_accuracy_are_recorded():
    X, y = small_problem(m=20)
    X_val, y_val = small_problem(m=8, seed=1)
    net = make_net()
    history = train(net, X, y, "cross_entropy", Adam(0.05), epochs=4, validation=(X_val, y_val))
    assert len(history.val_loss) == len(history.accuracy) == len(history.val_accuracy) == 4
    assert history.accuracy[-1] == np.mean(net.predict(X).argmax(axis=1) == y)
    assert history.val_accuracy[-1] == np.mean(net.predict(X_val).argmax(axis=1) == y_val)
    regression = train(MLP([1, 4, 1], seed=0), *make_regression_1d(m=20, seed=0), "mse",
                       SGD(0.01), epochs=2)
    assert regression.accuracy is None and regression.val_loss is None


def test_accuracy_by_hand():
    assert accuracy(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), np.array([0, 0, 0])) == 2 / 3
    assert accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0, 1], [0, 1]])) == 0.5
    assert accuracy(np.array([[0.7], [0.2], [0.5]]), np.array([[1], [1], [1]])) == 2 / 3
    # two independent sigmoid outputs: 3 of the 4 entries are right
    y_hat, y = np.array([[0.9, 0.2], [0.4, 0.6]]), np.array([[1, 0], [1, 1]])
    assert accuracy(y_hat, y, multilabel=True) == 0.75 and accuracy(y_hat, y) == 0.5


def test_early_stopping_restores_the_best_weights():
    X, y = small_problem(m=30)
    X_val, y_val = X, 1 - y  # validation labels flipped: fitting the data hurts validation
    net, snapshots = make_net(), []

    def keep(epoch, net, history):
        snapshots.append([p.copy() for p in net.parameters()])

    history = train(net, X, y, "cross_entropy", Adam(0.05), epochs=50,
                    validation=(X_val, y_val), early_stopping=3, callbacks=[keep])
    best = int(np.argmin(history.val_loss))
    assert history.stopped_early and history.best_epoch == best
    assert len(history.val_loss) == best + 3 + 1 < 50
    for p, saved in zip(net.parameters(), snapshots[best], strict=True):
        np.testing.assert_array_equal(p, saved)
    assert "history.best_epoch" in history.message


def test_early_stopping_keeps_the_best_weights_when_it_runs_to_the_end():
    X, y = small_problem(m=30)
    net, snapshots = make_net(), []
    history = train(net, X, y, "cross_entropy", Adam(0.05), epochs=6, validation=(X, 1 - y),
                    early_stopping=100,
                    callbacks=lambda e, n, h: snapshots.append([p.copy() for p in n.parameters()]))
    best = int(np.argmin(history.val_loss))
    assert not history.stopped_early and history.best_epoch == best < 5  # not the last epoch
    assert history.message == f"finished 6 epochs; kept the weights of history.best_epoch = {best}"
    for p, saved in zip(net.parameters(), snapshots[best], strict=True):
        np.testing.assert_array_equal(p, saved)


def test_a_callback_can_stop_training():
    X, y = small_problem()
    calls = []

    def stop_after_two(epoch, net, history):
        calls.append((epoch, len(history.loss)))
        return epoch == 1

    history = train(make_net(), X, y, "cross_entropy", SGD(0.1), 10, callbacks=stop_after_two)
    assert calls == [(0, 1), (1, 2)] and history.stopped_early and len(history.loss) == 2
    assert history.message == "stopped by a callback after epoch 2"


def test_divergence_is_reported_not_raised():
    X, y = make_regression_1d(m=50, seed=0)
    history = train(MLP([1, 16, 1], activation="tanh", seed=0), X, y, "mse", SGD(10.0), 500)
    assert history.diverged and not history.stopped_early
    assert len(history.loss) < 500 and not np.isfinite(history.loss[-1])
    assert "diverged" in history.message and "lr=10" in history.message
    history = train(MLP([1, 16, 1], seed=0), X, y, "mse", SGD(1.0), 50, batch_size=5,
                    shuffle=False)
    assert history.message.startswith("diverged at step 7 of epoch 1: the loss became inf")
    assert history.loss == [] and history.lr == []  # an epoch cut short is not recorded
    history = train(MLP([1, 16, 1], seed=0), X, y, "mse", SGD(10.0), 50, batch_size=10,
                    shuffle=False)
    assert history.diverged and "the gradient became infinite or NaN" in history.message


def test_divergence_with_early_stopping_keeps_the_best_finite_weights():
    X, y = make_regression_1d(m=50, seed=0)
    net = MLP([1, 16, 1], activation="tanh", seed=0)
    history = train(net, X, y, "mse", SGD(5.0), 500, validation=(X, y), early_stopping=1000)
    assert history.diverged and history.best_epoch is not None
    assert all(np.isfinite(p).all() for p in net.parameters())


def test_float32_networks_train_in_float32():
    X, y = small_problem()
    net = make_net(dtype=np.float32)
    history = train(net, X, y, "cross_entropy", Adam(0.01), epochs=3, batch_size=4, seed=0)
    assert all(p.dtype == np.float32 for p in net.parameters()) and np.isfinite(history.loss).all()


def test_progress_bar_on_demand(capsys, monkeypatch):
    X, y = small_problem()
    monkeypatch.delenv("MLP_PROGRESS", raising=False)
    train(make_net(), X, y, "cross_entropy", SGD(0.1), 2)
    assert "epoch" not in capsys.readouterr().err  # not a terminal: off by default
    train(make_net(), X, y, "cross_entropy", SGD(0.1), 2, progress=True)
    assert "2/2" in capsys.readouterr().err
    monkeypatch.setenv("MLP_PROGRESS", "1")
    train(make_net(), X, y, "cross_entropy", SGD(0.1), 2)
    assert "2/2" in capsys.readouterr().err


def test_progress_without_tqdm(monkeypatch):
    X, y = small_problem()
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setenv("MLP_PROGRESS", "1")
    assert train(make_net(), X, y, "cross_entropy", SGD(0.1), 1).loss  # quietly without a bar
    with pytest.raises(ImportError, match=r"progress=True needs tqdm; install it"):
        train(make_net(), X, y, "cross_entropy", SGD(0.1), 1, progress=True)


def test_history_is_a_plain_dataclass():
    history = History()
    assert history.loss == [] and history.val_loss is None and not history.diverged


X10, Y10 = small_problem()
BAD_CALLS = [
    (dict(net=object()), TypeError, r"net must be an MLP \(with parameters\(\)"),
    (dict(X=np.ones((10, 4))), ValueError, r"X must be 2-D of shape \(m, n_0\) = \(m, 3\)"),
    (dict(y=Y10[:9]), ValueError, r"y must have one row per example, m = 10; got shape \(9,\)"),
    (dict(loss="mse", y=np.ones(10)), ValueError,
     r"y of shape \(m,\) only fits integer labels with cross_entropy.*reshape\(-1, 1\)"),
    (dict(loss="cross_entrpy"), ValueError, r"did you mean 'cross_entropy'"),
    (dict(optimizer="sgd"), TypeError, r"optimizer must have a step\(params, grads\) method"),
    (dict(epochs=0), ValueError, r"epochs must be an int >= 1; got 0"),
    (dict(epochs=2.0), TypeError, r"epochs must be an int; got float"),
    (dict(batch_size=0), ValueError, r"batch_size must be an int >= 1; got 0"),
    (dict(batch_size=11), ValueError, r"batch_size must be in \[1, m\] = \[1, 10\]; got 11"),
    (dict(schedule=0.1), TypeError, r"schedule must be callable as schedule\(t\); got float"),
    (dict(schedule_per="epochs"), ValueError, r"unknown schedule_per 'epochs'; did you mean"),
    (dict(clip_norm=0), ValueError, r"clip_norm must be > 0; got 0"),
    (dict(l2=-0.1), ValueError, r"l2 must be >= 0; got -0.1"),
    (dict(validation=np.ones((2, 3))), TypeError, r"validation must be a tuple \(X_val, y_val\)"),
    (dict(validation=(np.ones((2, 2)), Y10[:2])), ValueError, r"X_val must be 2-D of shape"),
    (dict(validation=(np.ones((2, 3)), Y10[:3])), ValueError,
     r"y_val must have one row per example, m = 2"),
    (dict(early_stopping=3), ValueError, r"early_stopping needs validation data"),
    (dict(early_stopping=0, validation=(X10, Y10)), ValueError,
     r"early_stopping must be an int >= 1; got 0"),
    (dict(callbacks=[print, 3]), TypeError, r"callbacks\[1\] must be callable"),
    (dict(progress="yes"), TypeError, r"progress must be True, False or None; got 'yes'"),
    (dict(X=np.full((10, 3), np.nan)), ValueError, r"X must be finite"),
]


@pytest.mark.parametrize(("changes", "error", "match"), BAD_CALLS)
def test_arguments_are_checked(changes, error, match):
    arguments = dict(net=make_net(), X=X10, y=Y10, loss="cross_entropy", optimizer=SGD(0.1),
                     epochs=1)
    arguments.update(changes)
    with pytest.raises(error, match=match):
        train(**arguments)


def test_digits_reach_95_percent_test_accuracy():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.25, seed=0)
    net = MLP([64, 64, 10], output="softmax", seed=0)
    history = train(net, X_train, y_train, "cross_entropy", Adam(0.01), epochs=20, batch_size=32,
                    seed=0, validation=(X_test, y_test))
    assert history.val_accuracy[-1] >= 0.95
    assert accuracy(net.predict(X_test), y_test) == history.val_accuracy[-1]


def test_moons_are_separated():
    X, y = make_moons(m=200, noise=0.1, seed=0)
    X, *_ = standardize(X)
    net = MLP([2, 16, 16, 1], activation="tanh", output="sigmoid", seed=0)
    history = train(net, X, y.reshape(-1, 1), "binary_cross_entropy", Adam(0.02), epochs=100,
                    batch_size=32, seed=0)
    assert history.accuracy[-1] >= 0.95


def test_train_checks_the_data_once_and_not_at_every_step(monkeypatch):
    import mlp.losses
    import mlp.network

    calls = {"labels": 0, "X": 0}
    check_labels, check_X = mlp.losses.as_labels, mlp.network.as_matrix

    def count(kind, check):
        return lambda *a: calls.__setitem__(kind, calls[kind] + 1) or check(*a)

    monkeypatch.setattr(mlp.losses, "as_labels", count("labels", check_labels))
    monkeypatch.setattr(mlp.network, "as_matrix", count("X", check_X))
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, 40)
    net = MLP([3, 4, 3], output="softmax", seed=0)
    train(net, X, y, "cross_entropy", SGD(0.1), epochs=2, batch_size=5, progress=False)
    # 16 steps; the labels: once at the start, then the loss at the end of each of the 2 epochs;
    # X (in the network): only the end-of-epoch predictions
    assert calls == {"labels": 1 + 2, "X": 2}
    with pytest.raises(ValueError, match=r"labels must lie in \[0, K\) = \[0, 3\)"):
        train(net, X, np.full(40, 3), "cross_entropy", SGD(0.1), epochs=1, progress=False)


def test_a_subclass_that_redefines_a_pass_or_loss_and_grad_is_what_train_runs():
    class NoBiasGradient(MLP):
        def backward(self, cache, y, loss, out=None):
            grads = super().backward(cache, y, loss, out)
            for grad_b in grads[1::2]:
                grad_b[...] = 0.0
            return grads

    class HalfGradient(MLP):
        def loss_and_grad(self, X, y, loss, out=None):
            value, grads = super().loss_and_grad(X, y, loss, out)
            for g in grads:
                g *= 0.5
            return value, grads

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, 20)
    net = NoBiasGradient([3, 4, 3], output="softmax", seed=0)
    train(net, X, y, "cross_entropy", SGD(0.5), epochs=3, batch_size=5, progress=False)
    assert all(np.all(b == 0) for b in net.biases)
    plain = MLP([3, 4, 3], output="softmax", seed=0)
    half = HalfGradient([3, 4, 3], output="softmax", seed=0)
    train(plain, X, y, "cross_entropy", SGD(0.5), epochs=1, progress=False)
    train(half, X, y, "cross_entropy", SGD(1.0), epochs=1, progress=False)
    for p, q in zip(plain.parameters(), half.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)  # one full-batch step of 0.5 g either way
