"""Tests of mlp.testfunctions: values and gradients, the stability bound, the runners."""

import numpy as np
import pytest

from mlp.optimizers import SGD, Momentum
from mlp.testfunctions import (
    BLOW_UP,
    DoubleWell,
    Quadratic,
    Rosenbrock,
    Saddle,
    descent_path,
    run_optimizer,
)

FUNCTIONS = [
    Quadratic([1.0, 10.0], angle=0.7, minimum=[0.5, -1.0]),
    Quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]),
    Quadratic([4.0]),
    Rosenbrock(),
    Rosenbrock(a=-0.5, b=7.0),
    Saddle(),
    DoubleWell(),
    DoubleWell(tilt=-1.0),
]


def central_difference(function, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (function.value(x + step) - function.value(x - step)) / (2 * h)
    return grad


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f"{f.name}-{f.dim}d")
def test_gradient_matches_central_differences(function):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-2, 2, size=function.dim)
        expected = central_difference(function, x)
        np.testing.assert_allclose(function.grad(x), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f"{f.name}-{f.dim}d")
def test_value_and_grad_work_on_a_grid_of_points(function):
    points = np.random.default_rng(1).normal(size=(4, 3, function.dim))
    values, grads = function.value(points), function.grad(points)
    assert values.shape == (4, 3) and grads.shape == (4, 3, function.dim)
    assert values[2, 1] == pytest.approx(function(points[2, 1]))
    np.testing.assert_allclose(grads[3, 0], function.grad(points[3, 0]))


def test_quadratic_by_hand():
    # A = [[2, 1], [1, 2]] has eigenvalues 1 and 3 (det - 4 t + 3 = 0 ... t = 1, 3)
    bowl = Quadratic([[2.0, 1.0], [1.0, 2.0]])
    assert bowl.M == pytest.approx(3.0) and bowl.mu == pytest.approx(1.0)
    assert bowl.condition_number == pytest.approx(3.0)
    # f(1, 1) = 1/2 (2 + 1 + 1 + 2) = 3, grad = A (1, 1) = (3, 3)
    assert bowl.value([1.0, 1.0]) == pytest.approx(3.0)
    np.testing.assert_allclose(bowl.grad([1.0, 1.0]), [3.0, 3.0])


def test_rotated_quadratic_keeps_its_eigenvalues_and_minimum():
    bowl = Quadratic([2.0, 50.0], angle=0.3, minimum=[1.0, -2.0])
    assert bowl.M == pytest.approx(50.0) and bowl.condition_number == pytest.approx(25.0)
    assert abs(bowl.A[0, 1]) > 1.0  # rotated: no longer diagonal
    assert bowl.value(bowl.minimum) == 0.0
    np.testing.assert_array_equal(bowl.grad(bowl.minimum), [0.0, 0.0])
    # along the rotated first eigenvector (cos 0.3, sin 0.3) the curvature is 2
    direction = np.array([np.cos(0.3), np.sin(0.3)])
    assert bowl.value(bowl.minimum + direction) == pytest.approx(1.0)


def test_rosenbrock_and_saddle_by_hand():
    banana = Rosenbrock()
    assert banana.value([0.0, 0.0]) == 1.0  # (1 - 0)^2 + 100 (0 - 0)^2
    np.testing.assert_allclose(banana.grad([0.0, 0.0]), [-2.0, 0.0])
    np.testing.assert_array_equal(banana.grad(banana.minimum), [0.0, 0.0])
    saddle = Saddle()
    np.testing.assert_array_equal(saddle.grad([0.0, 0.0]), [0.0, 0.0])
    assert saddle.value([0.5, 0.0]) > 0 > saddle.value([0.0, 0.5])
    assert saddle.minimum is None


def test_double_well_minima():
    symmetric = DoubleWell(tilt=0.0)  # (x^2 - 1)^2: minima at -1 and +1, both f = 0
    np.testing.assert_allclose(symmetric.minima, [-1.0, 1.0])
    tilted = DoubleWell(tilt=0.3)
    np.testing.assert_allclose(tilted.grad(tilted.minima[:, None]), 0.0, atol=1e-12)
    assert tilted.value(tilted.minima[:1]) < tilted.value(tilted.minima[1:])  # left is lower
    np.testing.assert_array_equal(tilted.minimum, tilted.minima[:1])
    assert DoubleWell(tilt=-0.3).minimum[0] > 0


def test_step_size_picks_the_basin_of_a_double_well():
    well = DoubleWell(tilt=0.3)
    poor, best = well.minima[1], well.minima[0]
    assert descent_path(well, 0.02, [1.8], 300)[-1, 0] == pytest.approx(poor)
    assert descent_path(well, 0.2, [1.8], 300)[-1, 0] == pytest.approx(best)
    assert descent_path(well, 0.2, [-1.8], 300)[-1, 0] == pytest.approx(poor)


def test_double_well_rejects_a_tilt_with_one_minimum():
    with pytest.raises(ValueError, match=r"tilt must be in \(-1.5, 1.5\) .*got 2"):
        DoubleWell(tilt=2)


def test_descent_on_a_1d_quadratic_follows_the_closed_form():
    # x_k = (1 - lr * lam)^k x_0 for f = lam x^2 / 2
    lam, lr, x0 = 4.0, 0.1, 3.0
    path = descent_path(Quadratic([lam]), lr, [x0], steps=6)
    np.testing.assert_allclose(path[:, 0], x0 * (1 - lr * lam) ** np.arange(7))


@pytest.mark.parametrize("angle", [0.0, 0.9])
def test_stability_bound_two_over_l(angle):
    bowl = Quadratic([1.0, 10.0], angle=angle)
    bound = 2.0 / bowl.M
    below = descent_path(bowl, 0.98 * bound, [1.0, 1.0], steps=2000)
    above = descent_path(bowl, 1.05 * bound, [1.0, 1.0], steps=2000)  # error x 1.1 a step
    assert len(below) == 2001 and np.linalg.norm(below[-1]) < 1e-8
    assert len(above) < 2001  # stopped: the iterates left the box |x| <= BLOW_UP
    assert np.abs(above[-1]).max() > 1e40 and np.isfinite(above).all()


def test_at_the_bound_descent_oscillates_forever():
    path = descent_path(Quadratic([4.0]), 0.5, [1.0], steps=9)
    np.testing.assert_allclose(path[:, 0], (-1.0) ** np.arange(10))


def test_regime_and_error_factor():
    bowl = Quadratic([1.0, 10.0])
    assert bowl.regime(0.05) == "converges"
    assert bowl.regime(0.15) == "oscillates and converges"
    assert bowl.regime(0.2) == "oscillates forever"
    assert bowl.regime(0.21) == "diverges"
    assert bowl.error_factor(0.05) == pytest.approx(0.95)  # slow direction: |1 - 0.05 * 1|
    assert bowl.error_factor(0.25) == pytest.approx(1.5)  # fast direction: |1 - 0.25 * 10|


def test_divergence_returns_a_finite_prefix_without_warnings():
    # filterwarnings = error: an overflow warning would fail this test
    path = descent_path(Rosenbrock(), 0.1, [2.0, 2.0], steps=500)
    assert 1 < len(path) < 501
    assert np.isfinite(path).all() and np.abs(path).max() <= BLOW_UP
    assert np.isfinite(Rosenbrock().value(path)).all()
    assert len(descent_path(Saddle(), 0.1, [1.0, 1e-3], steps=5000)) < 5001


def test_run_optimizer_with_sgd_equals_descent_path():
    bowl = Quadratic([1.0, 10.0], angle=0.4)
    expected = descent_path(bowl, 0.07, [-2.0, 1.0], steps=40)
    np.testing.assert_array_equal(run_optimizer(bowl, SGD(0.07), [-2.0, 1.0], 40), expected)


def test_run_optimizer_with_momentum_matches_its_recursion():
    # v <- beta v - lr g;  x <- x + v, on f = 2 x^2 (g = 4 x), worked step by step
    lr, beta, x, v = 0.1, 0.9, 1.0, 0.0
    expected = [x]
    for _ in range(3):
        v = beta * v - lr * 4 * x
        x = x + v
        expected.append(x)
    path = run_optimizer(Quadratic([4.0]), Momentum(lr, beta=beta), [1.0], steps=3)
    np.testing.assert_allclose(path[:, 0], expected)


def test_runners_do_not_touch_x0_and_allow_zero_steps():
    x0 = np.array([1.0, 2.0])
    path = descent_path(Saddle(), 0.1, x0, steps=0)
    assert path.shape == (1, 2) and np.array_equal(path[0], x0)
    descent_path(Saddle(), 0.1, x0, steps=3)
    np.testing.assert_array_equal(x0, [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, r"lr must be a finite number > 0; got -0.1"),
        ({"lr": np.nan}, r"lr must be a finite number > 0"),
        ({"lr": "0.1"}, r"lr must be a number > 0; got '0.1'"),
        ({"steps": -1}, r"steps must be an integer >= 0; got -1"),
        ({"steps": 2.5}, r"steps must be an integer >= 0; got 2.5"),
        ({"x0": [1.0, 2.0, 3.0]}, r"shape \(d,\) or \(\.\.\., d\) with d = 2 .*got shape \(3,\)"),
        ({"x0": [[1.0, 2.0]]}, r"x0 must be one point of shape \(2,\); got shape \(1, 2\)"),
        ({"x0": [1.0, np.inf]}, r"x0 must be finite"),
        ({"x0": ["a", "b"]}, r"x must hold real numbers"),
    ],
)
def test_descent_path_rejects_bad_input(kwargs, match):
    arguments = {"lr": 0.1, "x0": [1.0, 1.0], "steps": 3} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        descent_path(Saddle(), **arguments)


def test_run_optimizer_needs_a_step_method():
    with pytest.raises(TypeError, match=r"step\(params, grads\) method.*got str"):
        run_optimizer(Saddle(), "sgd", [1.0, 1.0], 3)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([[1.0, 2.0], [0.0, 1.0]],), {}, r"A must be symmetric"),
        (([1.0, -1.0],), {}, r"positive definite; got smallest eigenvalue -1.*use Saddle"),
        (([[1.0, 0.0], [0.0, 0.0]],), {}, r"positive definite; got smallest eigenvalue 0"),
        (([[1.0, 2.0, 3.0]],), {}, r"or a matrix A of shape \(d, d\); got shape \(1, 3\)"),
        (([[1.0, 0.0], [0.0, 1.0]],), {"angle": 0.5}, r"angle applies to eigenvalues only"),
        (([1.0, 2.0, 3.0],), {"angle": 0.5}, r"angle needs exactly 2 eigenvalues; got 3"),
        (([],), {}, r"at least one eigenvalue"),
        (([1.0, np.nan],), {}, r"curvatures must be finite"),
    ],
)
def test_quadratic_rejects_bad_curvatures(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Quadratic(*args, **kwargs)


def test_rosenbrock_rejects_nonpositive_b():
    with pytest.raises(ValueError, match=r"b must be > 0; got 0"):
        Rosenbrock(b=0)
