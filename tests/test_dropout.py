"""Tests for inverted dropout (eq-inverted-dropout): the masks, the network's training pass and its
backward pass, prediction without dropout, reproducible training, gradcheck and validation.

The gradients are judged against central differences of a forward pass written here, which
applies the masks that the library's forward pass cached: the same masks at every evaluation, and
no trust in the library's forward pass.
"""

import math

import numpy as np
import pytest

from mlp import MLP, finite_difference_tolerance, gradcheck, train
from mlp.activations import get_activation
from mlp.losses import get_loss
from mlp.optimizers import SGD, Adam
from mlp.regularization import dropout_mask, dropout_rates

HIDDEN = ["tanh", "relu", "sigmoid"]
PAIRS = [("identity", "mse"), ("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"),
         ("sigmoid", "mse")]  # three fused output errors and one through the chain rule


def targets(output, loss, m, n, rng):
    """Targets that suit the pair: one-hot for cross-entropy, in [0, 1] for probabilities."""
    if loss == "cross_entropy":
        return np.eye(n)[rng.integers(n, size=m)]
    if output in ("sigmoid", "softmax"):
        return rng.uniform(size=(m, n))
    return rng.normal(size=(m, n))


def forward_with_masks(net, X, masks):
    """A^[L] by eq-forward-batch with each hidden A^[l] multiplied by masks[l], written here."""
    a = X
    for l, (W, b) in enumerate(zip(net.weights, net.biases, strict=True), start=1):
        a = get_activation(net.activations[l - 1].name)(a @ W.T + b)
        if l < net.n_layers and masks[l] is not None:
            a = a * masks[l]
    return a


def network(hidden, output, rng, dropout=0.4, sizes=(3, 6, 5, 3)):
    net = MLP(list(sizes), activation=hidden, output=output, seed=rng, dropout=dropout)
    for b in net.biases:  # nonzero: else a row of dead ReLUs puts the next z exactly on the kink
        b[...] = rng.normal(scale=0.5, size=b.shape)
    return net


@pytest.mark.parametrize(("output", "loss"), PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradients_with_fixed_masks_match_central_differences_with_the_same_masks(
    hidden, output, loss, rng, finite_differences, assert_gradients
):
    net = network(hidden, output, rng)
    X, y = rng.normal(size=(7, 3)), targets(output, loss, 7, 3, rng)
    out, cache = net.forward(X, rng=np.random.default_rng(5))
    masks = cache.masks
    kept = {l: masks[l] for l in (1, 2)}
    for l, mask in kept.items():  # both values occur, else the test would not test dropout
        assert set(np.unique(mask)) == {0.0, 1 / (1 - 0.4)}, f"mask {l}: {np.unique(mask)}"
    assert masks[0] is None and masks[3] is None, "only hidden layers are dropped"
    # the library's training pass is the masked forward pass written above
    np.testing.assert_allclose(out, forward_with_masks(net, X, masks), rtol=1e-13, atol=1e-15)
    grads = net.backward(cache, y, loss)
    loss_fn = get_loss(loss)

    def objective():
        return loss_fn(forward_with_masks(net, X, masks), y)

    numerical = [finite_differences(objective, p) for p in net.parameters()]
    rounding = finite_difference_tolerance(1e-5, value_scale=max(abs(objective()), 1.0),
                                           third_derivative_scale=0)
    # truncation: relative 1e-7 as for the networks without dropout (test_network); the masks
    # scale some activations by 1 / (1 - p) < 2, which moves the third derivatives by a few times
    assert_gradients(grads, numerical, tol=1e-7, rounding=rounding)


@pytest.mark.parametrize(("output", "loss"), PAIRS)
def test_the_fast_training_step_with_dropout_gives_the_reference_numbers(output, loss, rng):
    net = network("tanh", output, rng)
    X, y = rng.normal(size=(6, 3)), targets(output, loss, 6, 3, rng)
    _, cache = net.forward(X, rng=11)  # an int seeds a new generator: the same masks below
    reference = net.backward(cache, y, loss)
    _, fast = net.loss_and_grad(X, y, loss, out=net.new_gradients(), rng=11)
    _, no_dropout = net.loss_and_grad(X, y, loss)
    for g, r in zip(fast, reference, strict=True):
        np.testing.assert_array_equal(g, r)  # the same numpy calls in the same order
    assert not np.allclose(fast[0], no_dropout[0]), "the fast step did not drop anything"


def test_a_training_pass_with_rate_zero_gives_exactly_the_gradients_without_dropout(rng):
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 3, 8)
    plain = MLP([3, 6, 5, 3], activation="relu", output="softmax", seed=1)
    zero = MLP([3, 6, 5, 3], activation="relu", output="softmax", seed=1, dropout=0.0)
    value, grads = plain.loss_and_grad(X, y, "cross_entropy")
    value_zero, grads_zero = zero.loss_and_grad(X, y, "cross_entropy", rng=3)
    _, cache = zero.forward(X, rng=3)
    reference = zero.backward(cache, y, "cross_entropy")
    assert value_zero == value
    for g, g_zero, r in zip(grads, grads_zero, reference, strict=True):
        np.testing.assert_array_equal(g_zero, g)
        np.testing.assert_array_equal(r, g)
    assert all(mask is None for mask in cache.masks), "rate 0 must draw no mask"


def test_a_rate_per_hidden_layer_drops_only_the_layers_with_a_positive_rate(rng):
    net = MLP([3, 6, 5, 2], activation="tanh", seed=0, dropout=[0.0, 0.5])
    assert net.dropout == (0.0, 0.5)
    X = rng.normal(size=(400, 3))
    out, cache = net.forward(X, rng=0)
    assert cache.masks[1] is None and cache.masks[2] is not None
    np.testing.assert_array_equal(cache.a[1], np.tanh(cache.z[1]))  # layer 1 untouched
    np.testing.assert_array_equal(cache.a[2], np.tanh(cache.z[2]) * cache.masks[2])


def test_predict_is_deterministic_and_equals_the_network_without_dropout(rng):
    X, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    dropping = MLP([3, 8, 8, 2], activation="tanh", seed=4, dropout=0.5)
    plain = MLP([3, 8, 8, 2], activation="tanh", seed=4)
    first = dropping.predict(X)
    np.testing.assert_array_equal(first, plain.predict(X))
    np.testing.assert_array_equal(dropping.predict(X), first)  # no randomness left
    out, cache = dropping.forward(X)  # no rng: an evaluation pass
    np.testing.assert_array_equal(out, first)
    assert cache.masks == [None] * 4
    assert dropping.loss_and_grad(X, y, "mse")[0] == plain.loss_and_grad(X, y, "mse")[0]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_mask_is_zero_with_probability_p_and_has_mean_one(p, dtype):
    n = 1_000_000
    mask = dropout_mask((1000, 1000), p, np.random.default_rng(2024), dtype=dtype)
    assert mask.dtype == dtype and mask.shape == (1000, 1000)
    scale = dtype(1 / (1 - p))
    assert np.all((mask == 0) | (mask == scale)), f"values {np.unique(mask)}"
    # binomial: the fraction dropped has standard deviation sqrt(p (1 - p) / n) <= 5e-4, and
    # the mean of the mask, an entry of variance p / (1 - p), sqrt(p / (1 - p) / n) <= 3e-3;
    # 6 of them is a bound a correct mask misses with probability 2e-9
    dropped = np.mean(mask == 0)
    assert abs(dropped - p) < 6 * math.sqrt(p * (1 - p) / n), f"dropped {dropped}, p = {p}"
    mean = mask.mean(dtype=np.float64)
    assert abs(mean - 1) < 6 * math.sqrt(p / (1 - p) / n), f"mean of the mask {mean}, p = {p}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_network_s_masks_keep_the_expected_activation_and_its_dtype(dtype):
    net = MLP([2, 400, 3], activation="sigmoid", seed=0, dropout=0.3, dtype=dtype)
    X = np.ones((2500, 2))  # one example, many times: every row has the same A^[1]
    out, cache = net.forward(X, rng=np.random.default_rng(7))
    assert out.dtype == dtype and cache.masks[1].dtype == dtype and cache.a[1].dtype == dtype
    a = get_activation("sigmoid")(cache.z[1][0].astype(np.float64))
    dropped_mean = cache.a[1].mean(axis=0, dtype=np.float64)
    # E[A * M] = A; over 2500 rows the standard deviation is a sqrt(p / (1 - p) / 2500) <= 0.013
    # (a < 1): 0.08 is 6 of them, for each of the 400 units
    assert np.max(np.abs(dropped_mean - a)) < 0.08, f"off by {np.max(np.abs(dropped_mean - a))}"
    grads = net.loss_and_grad(X, np.zeros((2500, 3)), "mse", rng=1)[1]
    assert all(g.dtype == dtype for g in grads)


def dropout_run(seed, dropout=0.3, epochs=5):
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.sin(X[:, :1]) + X[:, 1:]
    net = MLP([2, 16, 16, 1], activation="tanh", seed=0, dropout=dropout)
    history = train(net, X, y, "mse", Adam(0.01), epochs=epochs, batch_size=8, seed=seed,
                    validation=(X[:10], y[:10]), progress=False)
    return net, history, X, y


def test_training_with_dropout_is_reproducible_for_a_seed_and_differs_between_seeds():
    net, history, _, _ = dropout_run(seed=1)
    again, history_again, _, _ = dropout_run(seed=1)
    other, history_other, _, _ = dropout_run(seed=2)
    plain, _, _, _ = dropout_run(seed=1, dropout=0.0)
    for p, q in zip(net.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
    assert history.loss == history_again.loss
    assert not np.allclose(net.weights[0], other.weights[0]), "another seed, other masks"
    assert not np.allclose(net.weights[0], plain.weights[0]), "train did not drop anything"


def test_train_draws_the_masks_from_a_generator_spawned_from_its_seed():
    X = np.random.default_rng(0).normal(size=(12, 2))
    y = X[:, :1] ** 2
    net = MLP([2, 8, 1], activation="tanh", seed=0, dropout=0.5)
    by_hand = MLP([2, 8, 1], activation="tanh", seed=0, dropout=0.5)
    train(net, X, y, "mse", SGD(0.1), epochs=4, seed=9, progress=False)  # full batch: no shuffle
    masks = np.random.default_rng(9).spawn(1)[0]
    for _ in range(4):
        _, grads = by_hand.loss_and_grad(X, y, "mse", rng=masks)
        SGD(0.1).step(by_hand.parameters(), grads)
    for p, q in zip(net.parameters(), by_hand.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_the_losses_in_the_history_are_measured_without_dropout():
    net, history, X, y = dropout_run(seed=3)
    mse = get_loss("mse")
    assert history.loss[-1] == pytest.approx(mse(net.predict(X), y), rel=1e-12)
    assert history.val_loss[-1] == pytest.approx(mse(net.predict(X[:10]), y[:10]), rel=1e-12)


def test_gradcheck_fixes_the_masks_and_checks_the_dropout_backward_pass(rng):
    net = network("tanh", "softmax", rng, dropout=0.5)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    result = gradcheck(net, X, y, "cross_entropy", eps=1e-5, seed=3)
    assert result.max_relative_error < 1e-7, repr(result)
    no_dropout = net.loss_and_grad(X, y, "cross_entropy")[1]
    assert not np.allclose(result.analytic[0], no_dropout[0]), "gradcheck dropped nothing"
    again = gradcheck(net, X, y, "cross_entropy", eps=1e-5, seed=3)
    np.testing.assert_array_equal(again.analytic[0], result.analytic[0])


def test_gradcheck_finds_a_backward_pass_that_forgets_the_masks(rng):
    class Forgetful(MLP):
        def backward(self, cache, y, loss, out=None):
            cache.masks = []  # the bug: Delta^[l] is not multiplied by M^[l]
            return super().backward(cache, y, loss, out=out)

    net = Forgetful([3, 6, 5, 3], activation="tanh", output="softmax", seed=0, dropout=0.5)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    assert gradcheck(net, X, y, "cross_entropy", seed=3).max_relative_error > 1e-2


def test_gradcheck_refuses_a_generator_as_the_seed_of_the_masks(rng):
    net = MLP([3, 4, 2], activation="tanh", seed=0, dropout=0.5)
    X, y = rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    with pytest.raises(TypeError, match="seed must be an int, which gives the same dropout masks"):
        gradcheck(net, X, y, "mse", seed=np.random.default_rng(0))


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, float("nan"), [0.2, 1.0]])
def test_a_rate_outside_zero_to_one_is_a_value_error_naming_it(bad):
    shown = bad if not isinstance(bad, list) else bad[1]
    with pytest.raises(ValueError, match=rf"must be in \[0, 1\); got {shown:g}"):
        MLP([2, 4, 4, 1], dropout=bad)


@pytest.mark.parametrize("bad", ["0.5", None, True, {0.5}, [0.5, "0.5"]])
def test_a_rate_that_is_not_a_number_is_a_type_error(bad):
    with pytest.raises(TypeError, match="dropout"):
        MLP([2, 4, 4, 1], dropout=bad)


def test_a_wrong_number_of_rates_or_no_hidden_layer_is_a_value_error():
    with pytest.raises(ValueError, match=r"one rate per hidden layer, L - 1 = 2; got 3"):
        MLP([2, 4, 4, 1], dropout=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="this network has none; got dropout=0.5"):
        MLP([2, 1], dropout=0.5)
    assert MLP([2, 1], dropout=0.0).dropout == ()
    assert dropout_rates(0.25, 3) == (0.25, 0.25, 0.25)


def test_bad_arguments_of_the_mask_and_the_training_pass_raise(rng):
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\); got 1"):
        dropout_mask((2, 2), 1.0, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        dropout_mask((2, 2), 0.5, 0)
    with pytest.raises(TypeError, match="p must be a real number"):
        dropout_mask((2, 2), "0.5", rng)
    net = MLP([2, 4, 1], dropout=0.5, seed=0)
    with pytest.raises(TypeError, match="rng must be None, an int or a np.random.Generator"):
        net.forward(np.ones((2, 2)), rng="0")


def test_a_training_step_with_dropout_allocates_no_activation_sized_array(rng):
    import tracemalloc

    net = MLP([300, 64, 32, 5], output="softmax", seed=0, dropout=0.5)
    X, y = rng.normal(size=(256, 300)), rng.integers(0, 5, 256)
    grads, masks = net.new_gradients(), np.random.default_rng(0)
    net.loss_and_grad(X, y, "cross_entropy", out=grads, rng=masks)  # makes the workspace
    tracemalloc.start()
    try:
        net.loss_and_grad(X, y, "cross_entropy", out=grads, rng=masks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a mask of layer 1 is 256 * 64 * 8 = 131072 bytes, like Z^[1]: the masks, the dropped
    # outputs and the slopes go into reused arrays; what remains is as without dropout
    # (test_network): X's check, the (m, n_L) output error, numpy's iteration buffers
    assert peak < 256 * 64 * 8


def test_save_and_load_keep_the_rates_and_repr_shows_them(tmp_path):
    net = MLP([2, 4, 4, 1], activation="tanh", seed=0, dropout=[0.25, 0.5])
    net.save(tmp_path / "net.npz")
    loaded = MLP.load(tmp_path / "net.npz")
    assert loaded.dropout == (0.25, 0.5)
    assert repr(loaded).endswith("dtype=float64, dropout=[0.25, 0.5])")
    assert repr(MLP([2, 4, 1], seed=0, dropout=0.1)).endswith("dropout=0.1)")
