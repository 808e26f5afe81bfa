"""Tests for mlp.optimizers: each update re-derived from its formula, in scalar arithmetic."""

import copy
import math
import tracemalloc

import numpy as np
import pytest

from mlp.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

THETA0 = [1.0, -2.0]
GRADS = [[0.5, -1.0], [0.2, 0.4], [-0.3, 0.1]]  # the gradient fed at steps 1, 2, 3


# Reference updates: one coordinate at a time, plain floats, straight from DESIGN.md's table.
def ref_sgd(theta, gs, lr):
    for g in gs:
        theta = theta - lr * g
        yield theta


def ref_momentum(theta, gs, lr, beta):
    v = 0.0
    for g in gs:
        v = beta * v - lr * g
        theta = theta + v
        yield theta


def ref_nesterov(theta, gs, lr, beta):
    u = 0.0
    for g in gs:
        u = beta * u + g
        theta = theta - lr * (g + beta * u)
        yield theta


def ref_adagrad(theta, gs, lr, eps):
    s = 0.0
    for g in gs:
        s = s + g * g
        theta = theta - lr * g / (math.sqrt(s) + eps)
        yield theta


def ref_rmsprop(theta, gs, lr, beta, eps):
    s = 0.0
    for g in gs:
        s = beta * s + (1 - beta) * g * g
        theta = theta - lr * g / (math.sqrt(s) + eps)
        yield theta


def ref_adamw(theta, gs, lr, beta1, beta2, eps, weight_decay=0.0):
    m = v = 0.0
    for t, g in enumerate(gs, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta = theta - lr * (m_hat / (math.sqrt(v_hat) + eps) + weight_decay * theta)
        yield theta


# (optimizer, reference, its hyperparameters); eps large enough to matter in the arithmetic
CASES = [
    (SGD, ref_sgd, dict(lr=0.1)),
    (Momentum, ref_momentum, dict(lr=0.1, beta=0.9)),
    (Nesterov, ref_nesterov, dict(lr=0.1, beta=0.8)),
    (AdaGrad, ref_adagrad, dict(lr=0.5, eps=1e-3)),
    (RMSProp, ref_rmsprop, dict(lr=0.01, beta=0.9, eps=1e-3)),
    (Adam, ref_adamw, dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-3)),
    (AdamW, ref_adamw, dict(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-3, weight_decay=0.5)),
]
IDS = [case[0].__name__ for case in CASES]
ALL = [SGD(0.1), Momentum(0.1), Nesterov(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(), AdamW()]


def reference_steps(reference, hyper):
    """The three expected parameter vectors, coordinate by coordinate."""
    per_coordinate = [
        list(reference(theta, [g[i] for g in GRADS], **hyper)) for i, theta in enumerate(THETA0)
    ]
    return np.array(per_coordinate).T  # shape (3 steps, 2 coordinates)


@pytest.mark.parametrize(("cls", "reference", "hyper"), CASES, ids=IDS)
def test_first_three_steps_follow_the_formula(cls, reference, hyper):
    theta = np.array(THETA0)
    opt = cls(**hyper)
    expected = reference_steps(reference, hyper)
    for t, g in enumerate(GRADS):
        opt.step([theta], [np.array(g)])
        np.testing.assert_allclose(theta, expected[t], rtol=1e-13, atol=1e-15)


def test_sgd_and_momentum_by_hand():
    theta = np.array([1.0])
    opt = Momentum(lr=0.1, beta=0.9)
    opt.step([theta], [np.array([0.5])])  # v = -0.1*0.5 = -0.05; theta = 0.95
    opt.step([theta], [np.array([0.2])])  # v = 0.9*-0.05 - 0.02 = -0.065; theta = 0.885
    opt.step([theta], [np.array([-0.3])])  # v = 0.9*-0.065 + 0.03 = -0.0285; theta = 0.8565
    assert theta[0] == pytest.approx(0.8565, abs=1e-15)
    theta = np.array([1.0])
    SGD(lr=0.1).step([theta], [np.array([0.5])])  # 1 - 0.05
    assert theta[0] == pytest.approx(0.95, abs=1e-15)


def test_adam_first_step_is_lr_times_sign():
    # with m_hat = g and v_hat = g^2 at t = 1, the step is lr * g / (|g| + eps)
    theta = np.array([1.0, -2.0])
    Adam(lr=0.1, eps=1e-8).step([theta], [np.array([0.5, -1.0])])
    np.testing.assert_allclose(theta, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 / (1 + 1e-8)])


def test_nesterov_equals_the_look_ahead_form():
    # classic form: v <- beta v - lr grad(theta + beta v); theta <- theta + v. Its look-ahead
    # point theta + beta v follows the update this library implements.
    a = np.array([1.0, 10.0])
    lr, beta = 0.05, 0.9
    theta, v = np.array([3.0, -2.0]), np.zeros(2)
    ours = theta.copy()
    opt = Nesterov(lr=lr, beta=beta)
    for _ in range(20):
        opt.step([ours], [a * ours])
        v = beta * v - lr * a * (theta + beta * v)
        theta = theta + v
        np.testing.assert_allclose(ours, theta + beta * v, rtol=1e-12, atol=1e-14)


def test_momentum_matches_the_other_sources_forms_as_documented():
    # 003: v <- beta v + (1 - beta) g, theta <- theta - lr v   == ours with lr (1 - beta)
    # PyTorch: u <- beta u + g, theta <- theta - lr u          == ours with lr
    a, lr, beta = np.array([1.0, 10.0]), 0.05, 0.9
    ours_003, ours_pt = np.array([3.0, -2.0]), np.array([3.0, -2.0])
    opt_003, opt_pt = Momentum(lr=lr * (1 - beta), beta=beta), Momentum(lr=lr, beta=beta)
    theta_003, v, theta_pt, u = ours_003.copy(), np.zeros(2), ours_pt.copy(), np.zeros(2)
    for _ in range(30):
        v = beta * v + (1 - beta) * a * theta_003
        theta_003 = theta_003 - lr * v
        u = beta * u + a * theta_pt
        theta_pt = theta_pt - lr * u
        opt_003.step([ours_003], [a * ours_003])
        opt_pt.step([ours_pt], [a * ours_pt])
    np.testing.assert_allclose(ours_003, theta_003, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ours_pt, theta_pt, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_converges_on_a_quadratic(opt):
    a = np.array([1.0, 10.0])  # f(theta) = 1/2 sum a theta^2, gradient a theta
    opt.lr = {"Adam": 0.05, "AdamW": 0.05, "RMSProp": 0.01, "AdaGrad": 0.5}.get(
        type(opt).__name__, 0.05
    )
    theta = np.array([3.0, -2.0])
    f0 = 0.5 * np.sum(a * theta**2)
    for _ in range(2000):
        opt.step([theta], [a * theta])
    assert 0.5 * np.sum(a * theta**2) < 1e-3 * f0


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_step_updates_in_place_and_reuses_its_buffers(opt):
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(4, 3)), rng.normal(size=4)]
    views, before = [p[...] for p in params], [p.copy() for p in params]
    opt.step(params, [np.ones((4, 3)), np.ones(4)])
    state, scratch = [dict(s) for s in opt.state], list(opt._scratch)
    opt.step(params, [np.ones((4, 3)), np.ones(4)])
    for p, view, old in zip(params, views, before, strict=True):
        assert np.shares_memory(p, view) and np.array_equal(p, view)  # written where it was
        assert np.all(p < old)  # and actually moved against the gradient
    for old, new in zip(state, opt.state, strict=True):
        assert all(old[name] is new[name] for name in old)
    assert all(x is y for x, y in zip(scratch, opt._scratch, strict=True))


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_a_step_allocates_nothing_parameter_sized(opt):
    theta, g = np.ones(250_000), np.full(250_000, 0.1)  # 2 MB each
    opt.step([theta], [g])  # the first step creates the state and the scratch array
    tracemalloc.start()
    try:
        opt.step([theta], [g])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_state_round_trip_resumes_identically(opt):
    rng = np.random.default_rng(1)
    grads = [[rng.normal(size=(3, 2)), rng.normal(size=3)] for _ in range(3)]
    params = [rng.normal(size=(3, 2)), rng.normal(size=3)]
    for g in grads[:2]:
        opt.step(params, g)
    saved, saved_params = opt.state_dict(), [p.copy() for p in params]
    opt.step(params, grads[2])
    assert not np.array_equal(saved_params[0], params[0])
    fresh = type(opt)(**saved["hyperparameters"])
    fresh.load_state_dict(saved)
    for arrays in saved["state"]:  # loading copies: changing the dict afterwards changes nothing
        for array in arrays.values():
            array[...] = 99.0
    fresh.step(saved_params, grads[2])
    for resumed, original in zip(saved_params, params, strict=True):
        np.testing.assert_array_equal(resumed, original)
    assert fresh.t == 3


def test_state_dict_is_a_deep_copy():
    opt, theta = Adam(), np.ones(3)
    opt.step([theta], [np.ones(3)])
    saved = opt.state_dict()
    opt.step([theta], [np.ones(3)])
    assert saved["t"] == 1 and not np.array_equal(saved["state"][0]["m"], opt.state[0]["m"])


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64])
def test_float32_parameters_stay_float32(opt, grad_dtype):
    theta = np.ones((3, 2), dtype=np.float32)
    opt.step([theta], [np.full((3, 2), 0.5, dtype=grad_dtype)])
    opt.step([theta], [np.full((3, 2), 0.5, dtype=grad_dtype)])
    assert theta.dtype == np.float32
    assert all(s.dtype == np.float32 for s in opt.state[0].values())
    assert np.all(theta < 1)


def test_changing_lr_between_steps_takes_effect():
    theta = np.array([1.0])
    opt = SGD(lr=0.1)
    opt.step([theta], [np.array([1.0])])
    opt.lr = 0.01
    opt.step([theta], [np.array([1.0])])
    assert theta[0] == pytest.approx(1 - 0.1 - 0.01)
    theta, opt = np.array([0.0]), Momentum(lr=1.0, beta=0.5)
    opt.step([theta], [np.array([1.0])])  # v = -1, theta = -1
    opt.lr = 0.0  # an annealed schedule may reach 0: the velocity still coasts
    opt.step([theta], [np.array([1.0])])  # v = -0.5, theta = -1.5
    assert theta[0] == pytest.approx(-1.5)


def test_adamw_without_decay_is_adam_and_decay_shrinks_weights():
    a, b, c = np.array([1.0, -2.0]), np.array([1.0, -2.0]), np.array([1.0, -2.0])
    adam, adamw, decayed = Adam(lr=0.1), AdamW(lr=0.1, weight_decay=0.0), AdamW(lr=0.1)
    for _ in range(3):
        adam.step([a], [np.array([0.3, 0.3])])
        adamw.step([b], [np.array([0.3, 0.3])])
        decayed.step([c], [np.array([0.3, 0.3])])
    np.testing.assert_array_equal(a, b)
    assert np.all(np.abs(c) < np.abs(b))


def test_repr_shows_the_hyperparameters():
    assert repr(Momentum(0.1)) == "Momentum(lr=0.1, beta=0.9)"
    assert repr(AdamW()) == "AdamW(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)"


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: SGD(-0.1), ValueError, r"lr must be > 0; got -0.1"),
        (lambda: SGD(0), ValueError, r"lr must be > 0; got 0"),
        (lambda: SGD(float("nan")), ValueError, r"lr must be > 0; got nan"),
        (lambda: SGD("0.1"), TypeError, r"lr must be a real number; got str"),
        (lambda: SGD(True), TypeError, r"lr must be a real number; got bool"),
        (lambda: Momentum(0.1, beta=1.0), ValueError, r"beta must be in \[0, 1\); got 1"),
        (lambda: Nesterov(0.1, beta=-0.1), ValueError, r"beta must be in \[0, 1\); got -0.1"),
        (lambda: RMSProp(0.1, beta=1.5), ValueError, r"beta must be in \[0, 1\); got 1.5"),
        (lambda: AdaGrad(0.1, eps=0), ValueError, r"eps must be > 0; got 0"),
        (lambda: RMSProp(0.1, eps=-1e-8), ValueError, r"eps must be > 0; got -1e-08"),
        (lambda: Adam(beta1=1), ValueError, r"beta1 must be in \[0, 1\); got 1"),
        (lambda: Adam(beta2=-0.5), ValueError, r"beta2 must be in \[0, 1\); got -0.5"),
        (lambda: Adam(eps=0.0), ValueError, r"eps must be > 0; got 0"),
        (lambda: AdamW(weight_decay=-0.01), ValueError, r"weight_decay must be >= 0; got -0.01"),
    ],
)
def test_hyperparameters_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_lr_setter_allows_zero_but_not_negative():
    opt = SGD(0.1)
    opt.lr = 0.0
    with pytest.raises(ValueError, match=r"lr must be >= 0; got -1"):
        opt.lr = -1.0


@pytest.mark.parametrize(
    ("params", "grads", "error", "match"),
    [
        ([np.ones(2)], [np.ones(2), np.ones(2)], ValueError,
         r"same length; got 1 params and 2 grads"),
        ([np.ones(2)], [np.ones(3)], ValueError,
         r"grads\[0\] must have the shape of params\[0\], \(2,\); got \(3,\)"),
        ([[1.0, 2.0]], [np.ones(2)], TypeError, r"params\[0\] must be a numpy ndarray; got list"),
        ([np.ones(2)], [(1.0, 2.0)], TypeError, r"grads\[0\] must be a numpy ndarray; got tuple"),
        ([np.ones(2, dtype=int)], [np.ones(2)], TypeError,
         r"params\[0\] must be a floating-point array.*got dtype int64"),
    ],
)
def test_step_checks_params_and_grads(params, grads, error, match):
    with pytest.raises(error, match=match):
        Adam().step(params, grads)


def test_step_refuses_parameters_of_another_shape():
    opt = Momentum(0.1)
    opt.step([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match=r"state was created for parameters of shapes \[\(2,\)\]"):
        opt.step([np.ones(3)], [np.ones(3)])


def test_load_state_dict_checks_its_input():
    with pytest.raises(ValueError, match=r"state_dict was saved by Adam, not SGD"):
        SGD(0.1).load_state_dict(Adam().state_dict())
    broken = SGD(0.1).state_dict()
    del broken["t"]
    with pytest.raises(ValueError, match=r"lacks the key\(s\) \['t'\]"):
        SGD(0.1).load_state_dict(broken)


def flat_pair(shapes, rng):
    """Parameters and gradients as views into one buffer each, as an MLP makes them."""
    from mlp._workspace import flat_views

    params, grads = flat_views(shapes, np.float64), flat_views(shapes, np.float64)
    for p, g in zip(params, grads, strict=True):
        p[...], g[...] = rng.normal(size=p.shape), rng.normal(size=g.shape)
    return params, grads


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_the_fused_step_over_one_buffer_gives_the_per_array_numbers(opt):
    rng = np.random.default_rng(2)
    params, grads = flat_pair([(4, 3), (4,), (2, 4), (2,)], rng)
    separate, twin = [p.copy() for p in params], copy.deepcopy(opt)
    for step in range(3):
        if step == 2:
            opt.lr = twin.lr = 0.5 * opt.lr
        for g in grads:
            g[...] = rng.normal(size=g.shape)
        opt.step(params, grads)
        twin.step(separate, [g.copy() for g in grads])  # separate arrays: the loop per array
        assert opt._fused is not None and twin._fused is None
        for p, q in zip(params, separate, strict=True):
            np.testing.assert_array_equal(p, q)  # elementwise math, the same operations
    for ours, theirs in zip(opt.state_dict()["state"], twin.state_dict()["state"], strict=True):
        assert ours.keys() == theirs.keys()
        for name in ours:
            np.testing.assert_array_equal(ours[name], theirs[name])


@pytest.mark.parametrize("opt", copy.deepcopy([Momentum(0.1), Adam()]), ids=repr)
def test_a_loaded_state_is_gathered_into_one_buffer_and_resumes(opt):
    rng = np.random.default_rng(3)
    params, grads = flat_pair([(3, 2), (3,)], rng)
    separate = [p.copy() for p in params]
    reference = copy.deepcopy(opt)
    reference.step(separate, [g.copy() for g in grads])
    opt.load_state_dict(reference.state_dict())  # separate state arrays
    for p, q in zip(params, separate, strict=True):
        p[...] = q
    for _ in range(2):
        opt.step(params, grads)
        reference.step(separate, [g.copy() for g in grads])
    for p, q in zip(params, separate, strict=True):
        np.testing.assert_array_equal(p, q)
    first = opt.state_names[0]
    assert np.shares_memory(opt.state[0][first], opt._fused[2][first])  # views, one buffer


@pytest.mark.parametrize("opt", copy.deepcopy(ALL), ids=repr)
def test_a_fused_step_allocates_nothing_parameter_sized(opt):
    rng = np.random.default_rng(4)
    params, grads = flat_pair([(500, 250), (500,), (10, 500), (10,)], rng)  # 1 MB in all
    opt.step(params, grads)  # the first step creates the state and the scratch buffer
    tracemalloc.start()
    try:
        opt.step(params, grads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000  # no temporaries: the smallest parameter array alone is 4000 bytes
