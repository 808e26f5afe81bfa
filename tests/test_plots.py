"""Tests of mlp.plots: each figure function returns a Figure with the expected artists."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from mlp import plots
from mlp.schedules import Constant, StepDecay
from mlp.testfunctions import Quadratic, Rosenbrock, Saddle, descent_path

BOWL = Quadratic([1.0, 10.0], angle=0.5)


@pytest.fixture(autouse=True)
def no_figures_left_open():
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before, "a plot function left a figure open in pyplot"


def test_contour_plot_draws_each_path_and_the_minimum():
    paths = {
        "lr 0.05": descent_path(BOWL, 0.05, [-2.0, 1.5], 20),
        "lr 0.15": descent_path(BOWL, 0.15, [-2.0, 1.5], 20),
    }
    fig = plots.contour_plot(BOWL, paths, title="two rates")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "two rates"
    # per path: the line through the iterates and the start marker; plus the minimum's star
    assert len(ax.lines) == 2 * 2 + 1
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), paths["lr 0.05"][:, 0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimum", *paths]
    assert ax.collections, "no contour lines drawn"
    assert ax.get_xlim() == BOWL.bounds[0]


def test_contour_plot_of_a_saddle_has_no_minimum_marker_and_takes_bounds():
    fig = plots.contour_plot(Saddle(), descent_path(Saddle(), 0.1, [1.0, 0.1], 10),
                             bounds=((-1, 1), (-3, 3)))
    (ax,) = fig.axes
    assert len(ax.lines) == 2 and ax.get_legend() is None
    assert ax.get_ylim() == (-3, 3)


def test_contour_plot_draws_into_given_axes():
    fig, axes = plots.subplots(2)
    assert plots.contour_plot(Rosenbrock(), ax=axes[1]) is fig
    assert not axes[0].lines and axes[1].lines


def test_contour_plot_needs_two_variables():
    with pytest.raises(ValueError, match=r"needs a function of 2 variables; got dim = 1"):
        plots.contour_plot(Quadratic([1.0]))


def test_loss_curves_one_line_per_run_on_a_log_axis():
    losses = {"a": [1.0, 0.5, 0.25], "b": [1.0, 0.0, -1.0], "c": [3.0, 2.0, 1.0]}
    fig = plots.loss_curves(losses, title="losses")
    (ax,) = fig.axes
    assert len(ax.lines) == 3 and ax.get_yscale() == "log" and ax.get_title() == "losses"
    # values a log axis cannot show are masked, not passed on (no warning, no clipping)
    assert np.isnan(ax.lines[1].get_ydata()[1:]).all()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert len({line.get_color() for line in ax.lines}) == 3


def test_loss_curves_linear_axis():
    (ax,) = plots.loss_curves({"a": [1.0, -1.0]}, log=False).axes
    assert ax.get_yscale() == "linear" and ax.get_legend() is None
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, -1.0])


@pytest.mark.parametrize(
    ("fraction", "regime"),
    [(0.3, "converges"), (0.9, "oscillates and converges"), (1.0, "oscillates forever"),
     (1.1, "diverges")],
)
def test_learning_rate_figure_names_the_regime(fraction, regime):
    lr = fraction * 2.0 / BOWL.M
    fig = plots.learning_rate_figure(BOWL, lr, [-2.0, 1.5], steps=25)
    left, right = fig.axes
    assert fig.get_suptitle().endswith(f": {regime}")
    assert f"ηM = {lr * BOWL.M:.2f}" in fig.get_suptitle()
    assert right.get_yscale() == "log" and len(right.lines) == 1
    assert len(right.lines[0].get_ydata()) == 26  # f(x_0), ..., f(x_25): nothing diverges that far
    np.testing.assert_allclose(right.lines[0].get_ydata()[0], BOWL.value([-2.0, 1.5]))


def test_learning_rate_frames_share_their_axes_limits():
    limits = []
    for lr in (0.01, 0.1, 0.5):
        left, right = plots.learning_rate_figure(BOWL, lr, [-2.0, 1.5], steps=20).axes
        limits.append((left.get_xlim(), left.get_ylim(), right.get_xlim(), right.get_ylim()))
    assert limits[0] == limits[1] == limits[2]


def test_learning_rate_figure_in_one_dimension_draws_the_parabola():
    fig = plots.learning_rate_figure(Quadratic([2.0]), 0.4, [2.0], steps=10)
    left, _ = fig.axes
    parabola, path = left.lines
    x = 2.0 * 0.2 ** np.arange(11)  # x_k = (1 - 0.4 * 2)^k x_0
    np.testing.assert_allclose(path.get_xdata(), x)
    np.testing.assert_allclose(path.get_ydata(), x**2)  # f = 2 x^2 / 2
    np.testing.assert_allclose(parabola.get_ydata(), parabola.get_xdata() ** 2)
    assert "converges" in fig.get_suptitle()


def test_learning_rate_figure_rejects_three_variables():
    with pytest.raises(ValueError, match=r"needs 1 or 2 variables; got dim = 3"):
        plots.learning_rate_figure(Quadratic([1.0, 2.0, 3.0]), 0.1, [1.0, 1.0, 1.0])


@pytest.mark.parametrize(("value", "text"), [(1e-6, "10⁻⁶"), (1e3, "10³"), (1.0, "1"),
                                             (10.0, "10"), (3.0, "")])
def test_log_ticks_are_plain_unicode(value, text):
    assert plots._power_of_ten(value, None) == text


def test_schedule_curves_draw_each_schedule_from_its_closed_form():
    fig = plots.schedule_curves({"constant": Constant(0.1), "step": StepDecay(0.1, 0.5, 3)}, 7)
    (ax,) = fig.axes
    constant, step = (line.get_ydata() for line in ax.get_lines())
    np.testing.assert_allclose(constant, [0.1] * 7)
    # 0.1 * 0.5 ** floor(t / 3) for t = 0..6, written out
    np.testing.assert_allclose(step, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    assert ax.get_xlabel() == "epoch t" and ax.get_yscale() == "linear"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["constant", "step"]


def test_each_regime_has_its_own_colour():
    colours = []
    for fraction in (0.3, 0.9, 1.0, 1.1):
        _, right = plots.learning_rate_figure(BOWL, fraction * 2.0 / BOWL.M, [-2.0, 1.5],
                                              steps=10).axes
        colours.append(right.lines[0].get_color())
    assert len(set(colours)) == 4, colours


@pytest.mark.parametrize("fraction", [0.3, 0.9, 1.0, 1.1])
def test_contraction_panel_marks_the_rate_and_bounds_the_loss(fraction):
    lr = fraction * 2.0 / BOWL.M
    fig = plots.learning_rate_figure(BOWL, lr, [-2.0, 1.5], steps=20, contraction=True,
                                     title="my title")
    _, loss, rho = fig.axes
    assert fig.get_suptitle().startswith("my title: ")
    curve, bound = loss.lines
    # f(x_k) = sum_i lambda_i (1 - lr lambda_i)^(2k) c_i^2 / 2 <= rho^(2k) f(x_0)
    rho_value = max(abs(1 - lr * lam) for lam in BOWL.eigenvalues)
    predicted = curve.get_ydata()[0] * rho_value ** (2 * np.arange(21))
    np.testing.assert_allclose(bound.get_ydata(), predicted)
    assert np.all(curve.get_ydata() <= bound.get_ydata() * (1 + 1e-12))
    marker = rho.lines[-1]
    np.testing.assert_allclose([marker.get_xdata()[0], marker.get_ydata()[0]],
                               [lr * BOWL.M, rho_value])
    assert marker.get_color() == curve.get_color()


def test_log_axis_labels_powers_of_ten_without_mathtext():
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [1e-12, 1.0, 1e3])
    plots.log_axis(ax)
    fig.canvas.draw()
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "10⁻⁶" in labels and "1" in labels, labels
    assert not any("$" in text for text in labels), "a label is mathtext"
    plots.log_axis(ax, "x")
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match=r'which must be "x" or "y"; got \'z\''):
        plots.log_axis(ax, "z")
