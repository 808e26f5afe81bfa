"""Tests for mlp.network.MLP: gradients against central differences, a network worked by hand,
the fused output error, extreme logits, validation, saving and dtypes."""

import numpy as np
import pytest

from mlp import MLP, finite_difference_tolerance
from mlp.activations import Activation, LeakyReLU
from mlp.losses import MSE, BinaryCrossEntropy, CrossEntropy, get_loss

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
PAIRS = [
    ("identity", "mse"), ("identity", "mae"), ("identity", "huber"), ("tanh", "mse"),
    ("tanh", "mae"), ("tanh", "huber"), ("relu", "mse"), ("sigmoid", "huber"),
    ("sigmoid", "mse"), ("sigmoid", "mae"), ("sigmoid", "binary_cross_entropy"),
    ("sigmoid", "cross_entropy"), ("softmax", "mse"), ("softmax", "mae"),
    ("softmax", "binary_cross_entropy"), ("softmax", "cross_entropy"),
]  # fmt: skip


def targets(output, loss, m, n, rng):
    """Targets that suit the pair: one-hot for cross-entropy, in [0, 1] for probabilities."""
    if loss == "cross_entropy":
        return np.eye(n)[rng.integers(n, size=m)]
    if output in ("sigmoid", "softmax"):
        return rng.uniform(size=(m, n))
    return rng.normal(size=(m, n))


@pytest.mark.parametrize(("output", "loss"), PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_central_differences(
    hidden, output, loss, rng, numerical_gradients, assert_gradients
):
    net = MLP([3, 5, 4, 3], activation=hidden, output=output, seed=rng)
    for b in net.biases:  # nonzero: else a row of dead ReLUs puts the next z exactly on the kink
        b[...] = rng.normal(scale=0.5, size=b.shape)
    X, y = (
        rng.normal(size=(5, 3)),
        targets(output, loss, 5, 3, rng),
    )  # odd m: MAE's sum of signs != 0
    value, grads = net.loss_and_grad(X, y, loss)
    # truncation (machine-independent): worst 1.5e-8 relative over 2600 seeded nets (conftest);
    # rounding: eps |L| / h per entry with a margin of 100
    rounding = finite_difference_tolerance(1e-5, value_scale=max(abs(value), 1.0),
                                           third_derivative_scale=0)
    assert_gradients(grads, numerical_gradients(net, X, y, get_loss(loss)), tol=1e-7,
                     rounding=rounding)


def test_integer_labels_give_the_one_hot_gradients(rng):
    net = MLP([3, 4, 3], activation="tanh", output="softmax", seed=1)
    X, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 2, 0])
    value, grads = net.loss_and_grad(X, labels, "cross_entropy")
    value_dense, grads_dense = net.loss_and_grad(X, np.eye(3)[labels], "cross_entropy")
    assert value == pytest.approx(value_dense, rel=1e-14)
    for g, g_dense in zip(grads, grads_dense, strict=True):
        np.testing.assert_allclose(g, g_dense, rtol=1e-14)


def hand_network():
    """A 2-2-1 network, sigmoid hidden layer, identity output, with round numbers."""
    net = MLP([2, 2, 1], activation="sigmoid", output="identity")
    net.weights[0][...] = [[2.0, -1.0], [0.0, 0.0]]
    net.weights[1][...] = [[1.0, 3.0]]
    net.biases[1][...] = [0.5]
    return net


def test_a_network_worked_by_hand():
    net = hand_network()
    X, y = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.5], [2.5]])
    # z1 = [2*1 - 1*2, 0] = [0, 0] for the first example and [0, 0] for the second (X = 0)
    # a1 = sigmoid(0) = [0.5, 0.5]; z2 = 1*0.5 + 3*0.5 + 0.5 = 2.5 = y_hat for both examples
    out, cache = net.forward(X)
    np.testing.assert_array_equal(cache.a[1], [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(out, [[2.5], [2.5]])
    # errors y_hat - y = [2, 0]; mse = (2^2 + 0^2) / (2 * 2) = 1
    # delta2 = [2, 0] / m = [1, 0]; grad_W2 = delta2^T a1 = [0.5, 0.5]; grad_b2 = 1
    # delta1 = (delta2 W2) * sigmoid'(0) = [1, 3] * 0.25 = [0.25, 0.75] (first row), 0 (second)
    # grad_W1 = delta1^T X = [[0.25 * 1, 0.25 * 2], [0.75 * 1, 0.75 * 2]]; grad_b1 = [0.25, 0.75]
    value, (grad_W1, grad_b1, grad_W2, grad_b2) = net.loss_and_grad(X, y, "mse")
    assert value == 1.0
    np.testing.assert_allclose(grad_W2, [[0.5, 0.5]])
    np.testing.assert_allclose(grad_b2, [1.0])
    np.testing.assert_allclose(grad_W1, [[0.25, 0.5], [0.75, 1.5]])
    np.testing.assert_allclose(grad_b1, [0.25, 0.75])


@pytest.mark.parametrize(
    ("output", "loss"),
    [("identity", MSE), ("sigmoid", BinaryCrossEntropy), ("softmax", CrossEntropy)],
)
def test_fused_and_chain_rule_paths_agree(output, loss, rng):
    class ChainRule(loss):
        """The same loss under a type the network does not fuse: forces the chain rule."""

    net = MLP([3, 4, 2], activation="tanh", output=output, seed=2)
    X, y = rng.normal(size=(5, 3)), targets(output, loss.name, 5, 2, rng)
    fused_value, fused = net.loss_and_grad(X, y, loss())
    chain_value, chain = net.loss_and_grad(X, y, ChainRule())
    assert fused_value == pytest.approx(chain_value, rel=1e-12)
    for g_fused, g_chain in zip(fused, chain, strict=True):
        # two paths of a few dozen roundings each through entries of size <= 1: <= 1e-14 apart
        np.testing.assert_allclose(g_fused, g_chain, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    ("output", "loss", "y"),
    [
        ("sigmoid", "binary_cross_entropy", np.array([[0.0], [1.0]])),
        ("softmax", "cross_entropy", np.array([1, 0])),
        ("sigmoid", "mse", np.array([[0.0], [1.0]])),
    ],
)
def test_logits_of_1e4_give_finite_loss_and_gradients(output, loss, y):
    n_out = 2 if output == "softmax" else 1
    net = MLP([1, n_out], output=output)
    net.weights[0][...] = 1e4 if n_out == 1 else [[1e4], [-1e4]]
    X = np.array([[1.0], [-1.0]])  # logits +-1e4, each on the wrong side of its target
    value, grads = net.loss_and_grad(X, y, loss)
    assert np.isfinite(value) and all(np.all(np.isfinite(g)) for g in grads)
    if loss != "mse":  # from the logits: log(1 + e^1e4) = 1e4 per example, not log(eps) = 36
        assert value == pytest.approx(1e4 * n_out, rel=1e-12)


def test_float32_end_to_end(rng):
    net = MLP([3, 4, 2], output="softmax", seed=0, dtype=np.float32)
    X = rng.normal(size=(5, 3))  # float64 data, cast once
    out, cache = net.forward(X)
    assert out.dtype == np.float32 and all(a.dtype == np.float32 for a in cache.a)
    value, grads = net.loss_and_grad(X, np.array([0, 1, 1, 0, 1]), "cross_entropy")
    assert isinstance(value, float) and all(g.dtype == np.float32 for g in grads)
    value, grads = net.loss_and_grad(X, rng.uniform(size=(5, 2)), "mae")
    assert all(g.dtype == np.float32 for g in grads)


def test_out_buffers_are_filled_and_returned(rng):
    net = MLP([3, 4, 2], seed=0)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    out = [np.full_like(p, np.nan) for p in net.parameters()]
    _, grads = net.loss_and_grad(X, y, "mse", out=out)
    assert all(g is o for g, o in zip(grads, out, strict=True))
    for g, expected in zip(grads, net.loss_and_grad(X, y, "mse")[1], strict=True):
        np.testing.assert_array_equal(g, expected)


def test_cache_is_indexed_by_layer_and_parameters_are_live(rng):
    net = MLP([3, 4, 2], activation="tanh", seed=0)
    X = rng.normal(size=(5, 3))
    out, cache = net.forward(X)
    assert len(cache.a) == 3 and cache.z[0] is None and cache.a[0] is X
    np.testing.assert_allclose(cache.a[1], np.tanh(X @ net.weights[0].T + net.biases[0]))
    np.testing.assert_allclose(out, cache.z[2])
    params = net.parameters()
    assert params[0] is net.weights[0] and params[3] is net.biases[1]
    params[3] += 1.0  # writing into the live arrays changes the network
    np.testing.assert_allclose(net.predict(X), out + 1.0)


def test_seeds_and_default_initializers():
    assert all(
        np.array_equal(a, b)
        for a, b in zip(MLP([3, 4, 2], seed=5).weights, MLP([3, 4, 2], seed=5).weights, strict=True)
    )
    assert not np.array_equal(MLP([3, 4, 2], seed=5).weights[0], MLP([3, 4, 2], seed=6).weights[0])
    net = MLP([400, 300, 10], activation="relu", output="identity", seed=0)
    assert net.weights[0].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He normal
    assert np.abs(net.weights[1]).max() <= np.sqrt(6 / 310)  # Xavier uniform for identity
    assert all(np.all(b == 0) for b in net.biases)
    assert np.all(MLP([2, 3], init="normal", seed=0).weights[0] != 0)


def test_save_and_load_round_trip(tmp_path, rng):
    net = MLP([3, 4, 4, 2], activation=["tanh", LeakyReLU(0.2)], output="sigmoid", seed=3,
              dtype=np.float32)  # fmt: skip
    net.biases[0] += 0.5
    net.save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz", allow_pickle=False) as data:
        assert {"sizes", "activations", "W1", "b3"} <= set(data.files)
    loaded = MLP.load(tmp_path / "net.npz")
    X = rng.normal(size=(6, 3))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert (
        repr(loaded)
        == repr(net)
        == (
            "MLP(sizes=[3, 4, 4, 2], activation=['tanh', LeakyReLU(slope=0.2)], output='sigmoid', "
            "dtype=float32)"
        )
    )


def test_save_and_load_refuse_what_they_cannot_store(tmp_path):
    class Square(Activation):
        name = "square"

    with pytest.raises(ValueError, match="only built-in activations can be saved; got square"):
        MLP([2, 1], output=Square()).save(tmp_path / "x.npz")
    np.savez(tmp_path / "bad.npz", sizes=np.array([2, 1]))
    with pytest.raises(ValueError, match="is not a saved MLP"):
        MLP.load(tmp_path / "bad.npz")
    MLP([2, 1]).save(tmp_path / "net.npz")
    data = dict(np.load(tmp_path / "net.npz"))
    np.savez(tmp_path / "wrong.npz", **{**data, "W1": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"W1 has shape \(2, 2\); expected \(1, 2\)"):
        MLP.load(tmp_path / "wrong.npz")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": [3]}, ValueError, r"at least 2 positive ints \[n_0, \.\.\., n_L\]; got \[3\]"),
        ({"sizes": [3, 0]}, ValueError, "positive ints"),
        ({"sizes": [3, 2.0]}, ValueError, "positive ints"),
        ({"sizes": 3}, ValueError, "positive ints"),
        ({"activation": ["relu"]}, ValueError, r"one per hidden layer \(2\); got 1"),
        ({"activation": "rleu"}, ValueError, "did you mean 'relu'"),
        ({"activation": "softmax"}, ValueError, "only be the output activation; .* layer 1"),
        ({"output": "sigmod"}, ValueError, "did you mean 'sigmoid'"),
        ({"init": "hee"}, ValueError, "did you mean 'he'"),
        ({"init": lambda o, i, r, d: np.zeros((i, o))}, ValueError, r"= \(4, 3\); got \(3, 4\)"),
        ({"dtype": np.int64}, TypeError, "dtype must be floating point"),
        ({"dtype": "banana"}, TypeError, "dtype must be a numpy floating dtype"),
        ({"seed": "7"}, TypeError, "seed must be None, an int or a np.random.Generator"),
    ],
)
def test_constructor_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**{"sizes": [3, 4, 4, 2], **kwargs})


@pytest.mark.parametrize(
    ("X", "y", "loss", "output", "error", "match"),
    [
        (np.ones(3), None, "mse", "identity", ValueError,
         r"X must be 2-D of shape \(m, n_0\) = \(m, 3\); got shape \(3,\); use X.reshape\(1, -1\)"),
        (np.ones((2, 4)), None, "mse", "identity", ValueError, r"\(m, 3\); got shape \(2, 4\)"),
        ([[1, 2, np.nan]], None, "mse", "identity", ValueError, "X must be finite; got 1 NaN"),
        ([[1j, 2, 3]], None, "mse", "identity", TypeError, "X must hold real numbers"),
        (None, np.ones((2, 3)), "mse", "identity", ValueError, r"shape of y_hat, .*\(2, 2\)"),
        (None, [[0.0, np.inf]] * 2, "mse", "identity", ValueError, "y must be finite"),
        (None, [0, 2], "cross_entropy", "softmax", ValueError, r"\[0, K\) = \[0, 2\)"),
        (None, np.ones((2, 2)), "binary_cross_entropy", "identity", ValueError,
         "binary_cross_entropy needs probabilities .* got output='identity'; use output='sigmoid'"),
        (None, [0, 1], "cross_entropy", "relu", ValueError, "use output='softmax'"),
        (None, np.ones((2, 2)), "hinge", "identity", ValueError, "unknown loss 'hinge'"),
    ],
)  # fmt: skip
def test_forward_backward_refuse_bad_data(X, y, loss, output, error, match):
    net = MLP([3, 4, 2], output=output, seed=0)
    X = np.ones((2, 3)) if X is None else X
    y = np.zeros((2, 2)) if y is None else np.asarray(y)
    with pytest.raises(error, match=match):
        net.loss_and_grad(X, y, loss)
    if y.shape != (2, 2) or loss != "mse":  # a y problem: backward alone refuses it too
        with pytest.raises(error, match=match):
            net.backward(net.forward(np.ones((2, 3)))[1], y, loss)


def test_out_buffers_must_fit():
    net = MLP([3, 4, 2], seed=0)
    X, y = np.ones((2, 3)), np.zeros((2, 2))
    bad = [np.empty_like(p, dtype=np.float32) for p in net.parameters()]
    with pytest.raises(ValueError, match="out must hold one array per parameter"):
        net.loss_and_grad(X, y, "mse", out=bad)


def test_repr_names_the_architecture():
    assert repr(MLP([3, 2])) == "MLP(sizes=[3, 2], activation=[], output='identity', dtype=float64)"
    assert repr(MLP([3, 4, 2], "tanh")) == (
        "MLP(sizes=[3, 4, 2], activation='tanh', output='identity', dtype=float64)"
    )


def fresh_gradients(net, X, y, loss):
    """The gradients by a public forward (new arrays) and backward, for comparison."""
    _, cache = net.forward(X)
    return net.backward(cache, y, loss)


def test_loss_and_grad_reuses_its_arrays_for_a_batch_size_and_gives_the_same_numbers(rng):
    net = MLP([6, 5, 4, 3], output="softmax", seed=0)
    X, y = rng.normal(size=(7, 6)), rng.integers(0, 3, 7)
    net.loss_and_grad(X, y, "cross_entropy")
    first = net._workspace.forward_arrays(7), net._workspace.backward_arrays(7)
    value, grads = net.loss_and_grad(X, y, "cross_entropy")
    again = net._workspace.forward_arrays(7), net._workspace.backward_arrays(7)
    flat = [a for pair in first[0] for a in pair] + first[1][0][1:] + first[1][1][1:]
    flat_again = [a for pair in again[0] for a in pair] + again[1][0][1:] + again[1][1][1:]
    assert all(a is b for a, b in zip(flat, flat_again, strict=True))
    for g, expected in zip(grads, fresh_gradients(net, X, y, "cross_entropy"), strict=True):
        np.testing.assert_array_equal(g, expected)


def test_arrays_of_different_batch_sizes_never_share_memory(rng):
    net = MLP([6, 5, 4, 3], output="softmax", seed=0)
    data = {m: (rng.normal(size=(m, 6)), rng.integers(0, 3, m)) for m in (4, 7)}
    for m in (4, 7, 4, 7):  # alternating, as a training loop's full and last batches do
        value, grads = net.loss_and_grad(*data[m], "cross_entropy")
        for g, expected in zip(grads, fresh_gradients(net, *data[m], "cross_entropy"), strict=True):
            np.testing.assert_array_equal(g, expected)
    small = [a for pair in net._workspace.forward_arrays(4) for a in pair]
    large = [a for pair in net._workspace.forward_arrays(7) for a in pair]
    assert not any(np.shares_memory(a, b) for a in small for b in large)


def test_a_cache_from_forward_stays_valid_after_later_calls(rng):
    net = MLP([6, 5, 3], output="softmax", seed=0)
    X, y = rng.normal(size=(4, 6)), rng.integers(0, 3, 4)
    out, cache = net.forward(X)
    kept = [out.copy(), *(z.copy() for z in cache.z[1:]), *(a.copy() for a in cache.a)]
    net.forward(2 * X)
    net.forward(3 * X, reuse=True)
    net.loss_and_grad(4 * X, y, "cross_entropy")
    net.backward(net.forward(5 * X)[1], y, "cross_entropy")
    for before, now in zip(kept, [out, *cache.z[1:], *cache.a], strict=True):
        np.testing.assert_array_equal(now, before)


def test_forward_with_reuse_overwrites_the_previous_reused_output(rng):
    net = MLP([6, 5, 3], output="softmax", seed=0)
    X = rng.normal(size=(4, 6))
    out, cache = net.forward(X, reuse=True)
    out_again, cache_again = net.forward(2 * X, reuse=True)
    assert out_again is out and cache_again.z[1] is cache.z[1]  # documented: valid until then
    np.testing.assert_array_equal(out, net.forward(2 * X)[0])


def test_gradients_without_out_are_new_arrays_at_every_call(rng):
    net = MLP([6, 5, 3], output="softmax", seed=0)
    X, y = rng.normal(size=(4, 6)), rng.integers(0, 3, 4)
    _, grads = net.loss_and_grad(X, y, "cross_entropy")
    kept = [g.copy() for g in grads]
    _, other = net.loss_and_grad(-X, y, "cross_entropy")
    assert not any(np.shares_memory(g, h) for g in grads for h in other)
    for g, before in zip(grads, kept, strict=True):
        np.testing.assert_array_equal(g, before)


def test_a_training_step_allocates_no_activation_or_parameter_sized_array(rng):
    import tracemalloc

    net = MLP([300, 64, 32, 5], output="softmax", seed=0)
    X, y = rng.normal(size=(256, 300)), rng.integers(0, 5, 256)
    grads = [np.empty_like(p) for p in net.parameters()]
    net.loss_and_grad(X, y, "cross_entropy", out=grads)  # the first call makes the workspace
    tracemalloc.start()
    try:
        net.loss_and_grad(X, y, "cross_entropy", out=grads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Z^[1] is 256 * 64 * 8 = 131072 bytes and W^[1] 153600; what a step may still allocate is
    # validation's boolean mask of X (76800), the (m, n_L) output error and numpy's iteration
    # buffer for adding the bias (at most 8192 elements), never two of the big ones at once
    assert peak < 256 * 64 * 8


def test_parameters_are_live_views_into_one_buffer(rng):
    from mlp._workspace import flat_buffer

    net = MLP([4, 3, 2], seed=0)
    buffer = flat_buffer(net.parameters())
    assert buffer is not None and buffer.size == sum(p.size for p in net.parameters())
    assert flat_buffer(net.new_gradients()) is not None
    X = rng.normal(size=(2, 4))
    before = net.predict(X)
    buffer[:12] = 0  # W^[1], through the buffer: the network sees it
    assert np.array_equal(net.weights[0], np.zeros((3, 4)))
    net.biases[1][...] = 5.0  # b^[2], through the list: the buffer sees it
    assert np.array_equal(buffer[-2:], [5.0, 5.0])
    assert not np.allclose(net.predict(X), before)


@pytest.mark.parametrize(("output", "loss"), PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_the_fast_training_step_gives_the_reference_numbers(hidden, output, loss, rng):
    net = MLP([3, 5, 4, 3], activation=hidden, output=output, seed=rng)
    for b in net.biases:
        b[...] = rng.normal(scale=0.5, size=b.shape)
    X, y = rng.normal(size=(6, 3)), targets(output, loss, 6, 3, rng)
    out, cache = net.forward(X)
    reference = net.backward(cache, y, loss)
    if (output, loss) in [("identity", "mse"), ("sigmoid", "binary_cross_entropy"),
                          ("softmax", "cross_entropy")]:
        from mlp import losses

        from_logits = {"mse": losses.mse, "binary_cross_entropy":
                       losses.binary_cross_entropy_with_logits,
                       "cross_entropy": losses.cross_entropy_with_logits}[loss]
        value = from_logits(cache.z[-1], y)
    else:
        value = get_loss(loss)(out, y)
    fast_value, fast = net.loss_and_grad(X, y, loss, out=net.new_gradients())
    # the same numpy calls on the same arrays in the same order: equal to the last bit
    assert fast_value == value
    for name, g, r in zip(["W1", "b1", "W2", "b2", "W3", "b3"], fast, reference, strict=True):
        np.testing.assert_array_equal(g, r, err_msg=name)


def test_loss_and_grad_checks_the_labels_once(rng, monkeypatch):
    import mlp.losses

    calls = []
    checked = mlp.losses.as_labels
    monkeypatch.setattr(mlp.losses, "as_labels", lambda *a: calls.append(1) or checked(*a))
    net = MLP([3, 4, 3], output="softmax", seed=0)
    net.loss_and_grad(rng.normal(size=(5, 3)), rng.integers(0, 3, 5), "cross_entropy")
    assert len(calls) == 1
    with pytest.raises(ValueError, match=r"labels must lie in \[0, K\) = \[0, 3\)"):
        net.loss_and_grad(rng.normal(size=(5, 3)), np.array([0, 1, 2, 3, 0]), "cross_entropy")


def test_a_training_step_with_adam_allocates_nothing_parameter_sized(rng):
    import tracemalloc

    from mlp.optimizers import Adam

    net = MLP([300, 64, 32, 5], output="softmax", seed=0)
    X, y = rng.normal(size=(256, 300)), rng.integers(0, 5, 256)
    params, grads, opt = net.parameters(), net.new_gradients(), Adam()
    for _ in range(2):  # the first step makes the workspace and the optimizer's buffers
        opt.step(params, net.loss_and_grad(X, y, "cross_entropy", out=grads)[1])
    tracemalloc.start()
    try:
        opt.step(params, net.loss_and_grad(X, y, "cross_entropy", out=grads)[1])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the parameters take (300 * 64 + 64 + 64 * 32 + 32 + 32 * 5 + 5) * 8 = 171560 bytes and
    # Z^[1] 131072; the step may allocate the (m, n_L) output error (10240), X's NaN check and
    # numpy's iteration buffer for adding the bias (at most 8192 elements), nothing larger
    assert peak < 256 * 64 * 8


def test_loss_and_grad_runs_a_subclass_s_own_forward(rng):
    class Doubled(MLP):
        def forward(self, X, *, reuse=False):
            return super().forward(2 * np.asarray(X), reuse=reuse)

    X, y = rng.normal(size=(4, 3)), rng.integers(0, 2, 4)
    net = Doubled([3, 4, 2], output="softmax", seed=0)
    plain = MLP([3, 4, 2], output="softmax", seed=0)
    value, grads = net.loss_and_grad(X, y, "cross_entropy")
    expected_value, expected = plain.loss_and_grad(2 * X, y, "cross_entropy")
    assert value == expected_value
    for g, e in zip(grads[2:], expected[2:], strict=True):  # layer 2 sees the same inputs
        np.testing.assert_array_equal(g, e)
