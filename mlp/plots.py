"""Small figures the chapters call: contours with descent paths, loss curves, a learning-rate demo.

Every function returns a :class:`matplotlib.figure.Figure` and leaves no figure open in pyplot
(each is closed right after it is made), so a notebook shows it once, when it is the cell's value,
and nothing piles up in memory. No global style is changed. Colours come from the Okabe-Ito
palette, which stays distinguishable under the common colour-vision deficiencies; lines also
differ in marker, never in colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .schedules import tabulate
from .testfunctions import Objective, Quadratic, descent_path

__all__ = [
    "COLORS",
    "MARKERS",
    "REGIME_COLORS",
    "contour_plot",
    "learning_rate_figure",
    "log_axis",
    "loss_curves",
    "schedule_curves",
    "subplots",
]

#: Okabe-Ito colours: blue, vermillion, bluish green, orange, reddish purple, sky blue, black.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
#: Markers, one per line, so that lines differ in more than colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: One colour per regime of ``Quadratic.regime`` (eq-stability-bound): no overshoot, blue;
#: oscillates and converges, bluish green; oscillates forever, orange; diverges, vermillion.
REGIME_COLORS = {"converges": COLORS[0], "oscillates and converges": COLORS[2],
                 "oscillates forever": COLORS[3], "diverges": COLORS[1]}
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def subplots(ncols: int = 1, figsize: tuple[float, float] = (4.5, 3.6),
             layout: str | None = "constrained") -> tuple[Figure, Any]:
    """Return ``(fig, axes)``: a new figure with ``ncols`` axes in a row, not kept by pyplot.

    ``axes`` is one Axes for ``ncols = 1`` and an array of them otherwise.
    """
    fig, axes = plt.subplots(1, ncols, figsize=figsize, layout=layout)
    plt.close(fig)  # the caller owns the figure; pyplot must not show it a second time
    return fig, axes


def log_axis(ax: Axes, which: str = "y") -> None:
    """Give ``ax`` a logarithmic y (or x) axis labelled 10⁻⁵, 10⁰, ... in plain Unicode.

    Matplotlib's own labels are mathtext, whose parsing costs ~10 ms a tick: on a demo with
    hundreds of frames that is most of the build time. Ticks that are not powers of ten get no
    label.

    Parameters
    ----------
    ax : Axes
        The axes to change.
    which : {"y", "x"}, default "y"
        Which axis.

    Raises
    ------
    ValueError
        If ``which`` is neither "x" nor "y".
    """
    if which not in ("x", "y"):
        raise ValueError(f'which must be "x" or "y"; got {which!r}')
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis.set_major_formatter(FuncFormatter(_power_of_ten))


def contour_plot(function: Objective, paths: Any = None, bounds: Any = None,
                 title: str | None = None, ax: Axes | None = None, levels: int = 14) -> Figure:
    """Draw the contour lines of a 2-D function, with descent paths on top.

    Parameters
    ----------
    function : Objective
        A function of 2 variables (e.g. ``Quadratic``, ``Rosenbrock``, ``Saddle``).
    paths : ndarray of shape (k + 1, 2), or mapping of label to such arrays, optional
        Iterates to draw in order, e.g. from ``descent_path``.
    bounds : ((x_low, x_high), (y_low, y_high)), optional
        The window (default: ``function.bounds``).
    title : str, optional
        The axes' title.
    ax : Axes, optional
        Draw into these axes instead of a new figure.
    levels : int, default 14
        How many contour lines (at quantiles of f over the window, so they spread evenly).

    Returns
    -------
    Figure
        The figure holding the axes.

    Raises
    ------
    ValueError
        If the function does not have 2 variables.
    """
    if function.dim != 2:
        raise ValueError(f"contour_plot needs a function of 2 variables; got dim = {function.dim}")
    fig, ax = subplots() if ax is None else (ax.figure, ax)
    (x_low, x_high), (y_low, y_high) = function.bounds if bounds is None else bounds
    grid_x, grid_y = np.meshgrid(np.linspace(x_low, x_high, 121), np.linspace(y_low, y_high, 121))
    values = function.value(np.stack([grid_x, grid_y], axis=-1))
    ax.contour(grid_x, grid_y, values, levels=np.unique(np.quantile(values, _quantiles(levels))),
               colors="0.6", linewidths=0.8)
    if function.minimum is not None:
        ax.plot(*function.minimum, marker="*", color="black", markersize=11, linestyle="none",
                label="minimum", zorder=3)
    labelled = paths if isinstance(paths, Mapping) else {None: paths} if paths is not None else {}
    for index, (label, path) in enumerate(labelled.items()):
        _draw_path(ax, np.asarray(path), label, COLORS[index % len(COLORS)],
                   MARKERS[index % len(MARKERS)])
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), xlabel="x₁", ylabel="x₂", title=title)
    ax.set_aspect("equal")
    if any(label is not None for label in labelled):
        ax.legend(loc="upper right", fontsize="small")
    return fig


def loss_curves(losses: Mapping[str, Any], title: str | None = None, log: bool = True,
                ylabel: str = "loss", ax: Axes | None = None) -> Figure:
    """Plot one loss-per-step curve for each labelled run.

    Parameters
    ----------
    losses : mapping of str to array_like of shape (k + 1,)
        ``losses[label][t]`` is the loss after t steps.
    title : str, optional
        The axes' title.
    log : bool, default True
        Use a logarithmic loss axis (values <= 0 are left out of the curve).
    ylabel : str, default "loss"
        The loss axis' label.
    ax : Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    Figure
        The figure, with one line per entry of ``losses``.
    """
    fig, ax = subplots() if ax is None else (ax.figure, ax)
    for index, (label, values) in enumerate(losses.items()):
        values = np.asarray(values, dtype=np.float64)
        if log:  # mask what a log axis cannot show, rather than let it warn
            values = np.where(values > 0, values, np.nan)
        ax.plot(values, color=COLORS[index % len(COLORS)], marker=MARKERS[index % len(MARKERS)],
                markersize=3, linewidth=1.2, label=label)
    if log:
        log_axis(ax)
    ax.set(xlabel="step k", ylabel=ylabel, title=title)
    if len(losses) > 1:
        ax.legend(fontsize="small")
    return fig


def schedule_curves(schedules: Mapping[str, Any], t_max: int, log: bool = False,
                    ax: Axes | None = None) -> Figure:
    """Plot the learning rate eta_t of each labelled schedule for t = 0, ..., t_max - 1.

    Parameters
    ----------
    schedules : mapping of str to callable
        ``schedules[label](t)`` is the learning rate at epoch (or step) t, as every schedule of
        ``mlp.schedules`` gives it.
    t_max : int
        How many epochs to show.
    log : bool, default False
        Use a logarithmic learning-rate axis.
    ax : Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    Figure
        The figure, with one line per schedule.
    """
    rates = {label: tabulate(schedule, t_max) for label, schedule in schedules.items()}
    fig = loss_curves(rates, log=log, ylabel="learning rate η", ax=ax)
    (ax or fig.axes[0]).set_xlabel("epoch t")
    return fig


def learning_rate_figure(function: Quadratic, lr: float, x0: Any, steps: int = 30,
                         figsize: tuple[float, float] = (7.0, 2.8), contraction: bool = False,
                         title: str | None = None) -> Figure:
    """Gradient descent on a quadratic with step ``lr``: the path, and the loss per step.

    The left panel shows the iterates on the function (its graph in 1-D, its contours in 2-D),
    the next one f(x_k) on a log axis; the title says whether descent converges, oscillates or
    diverges (``Quadratic.regime``, eq-stability-bound), and each regime has its own colour
    (``REGIME_COLORS``). Axes limits depend only on the function, ``x0`` and ``steps``, never on
    ``lr``, so frames for several rates line up.

    With ``contraction``, the loss panel also shows the predicted slope f(x_0) rho^(2k), with
    rho = max_i |1 - lr lambda_i| the error factor of eq-gd-quadratic-error (an upper bound on
    f(x_k), reached by the slowest direction), and a third panel plots rho against lr M with a
    marker at ``lr`` and the regimes shaded in their colours.

    Parameters
    ----------
    function : Quadratic
        A bowl of 1 or 2 variables.
    lr : float
        The learning rate, > 0.
    x0 : array_like of shape (d,)
        The start.
    steps : int, default 30
        The number of updates.
    figsize : (float, float), default (7.0, 2.8)
        Figure size in inches.
    contraction : bool, default False
        Add the predicted-slope line and the panel of rho(lr).
    title : str, optional
        What the title says before the regime (default: ``"η = ...,  ηM = ..."``).

    Returns
    -------
    Figure
        Two axes (the path and the loss curve), or three with ``contraction``.

    Raises
    ------
    ValueError
        If the function has more than 2 variables, or as in ``descent_path``.
    """
    if function.dim not in (1, 2):
        raise ValueError(f"learning_rate_figure needs 1 or 2 variables; got dim = {function.dim}")
    path = descent_path(function, lr, x0, steps)
    regime = function.regime(lr)
    color = REGIME_COLORS[regime]
    fig, axes = subplots(3 if contraction else 2, figsize, layout=None)  # fixed margins: fast
    left, right = axes[0], axes[1]
    if contraction:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.17, top=0.86, wspace=0.36)
    else:
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.86, wspace=0.3)
    if function.dim == 2:
        contour_plot(function, ax=left, levels=10)
        _draw_path(left, path, None, color, "o")
    else:
        _draw_parabola(left, function, path, color)
    start = float(function.value(path[0]))
    loss_curves({"f": function.value(path)}, ax=right, ylabel="f(xₖ)")
    right.lines[0].set(color=color, label="f(xₖ)")
    right.set(xlim=(0, steps), ylim=(start * 1e-10, start * 1e4))
    ratio = lr * function.M
    if contraction:
        rho = function.error_factor(lr)
        ks = np.arange(steps + 1)
        with np.errstate(under="ignore"):  # rho = 0 (one-step convergence) leaves no line
            predicted = start * rho ** (2.0 * ks)
        right.plot(ks, np.where(predicted > 0, predicted, np.nan), color="0.3", linestyle="--",
                   linewidth=0.9, label="f(x₀) ρ²ᵏ")
        right.legend(loc="lower left", fontsize="x-small")
        _draw_contraction(axes[2], function, lr, color)
    # plain text, not mathtext: parsing a new TeX string per frame costs more than the plot
    head = f"η = {lr:.3g},  ηM = {ratio:.2f}" if title is None else title
    fig.suptitle(f"{head}: {regime}", fontsize="medium")
    return fig


def _draw_contraction(ax: Axes, function: Quadratic, lr: float, color: str) -> None:
    """rho(eta) = max_i |1 - eta lambda_i| against eta M, regimes shaded, a marker at ``lr``."""
    high = max(2.3, 1.05 * lr * function.M)
    ratios = np.linspace(0.0, high, 231)
    rho = np.max(np.abs(1.0 - np.outer(ratios / function.M, function.eigenvalues)), axis=1)
    ax.axvspan(0.0, 1.0, color=REGIME_COLORS["converges"], alpha=0.12, linewidth=0)
    ax.axvspan(1.0, 2.0, color=REGIME_COLORS["oscillates and converges"], alpha=0.12, linewidth=0)
    ax.axvspan(2.0, high, color=REGIME_COLORS["diverges"], alpha=0.12, linewidth=0)
    ax.axvline(2.0, color=REGIME_COLORS["oscillates forever"], linewidth=1.2)
    ax.axhline(1.0, color="0.5", linestyle="--", linewidth=0.8)
    ax.plot(ratios, rho, color="0.2", linewidth=1.2)
    best = 2.0 * function.M / (function.mu + function.M)
    ax.plot([best], [function.error_factor(best / function.M)], marker="|", color="0.2",
            markersize=9, linestyle="none")
    ax.annotate("2/(μ+M)", (best, function.error_factor(best / function.M)), xytext=(0, -11),
                textcoords="offset points", ha="center", fontsize="x-small")
    ax.plot([lr * function.M], [function.error_factor(lr)], marker="o", color=color,
            markersize=7, markeredgecolor="black", linestyle="none")
    ax.set(xlim=(0.0, high), ylim=(0.0, 1.5), xlabel="ηM", title="ρ = max |1 − ηλᵢ|")
    ax.title.set_fontsize("small")


def _draw_path(ax: Axes, path: np.ndarray, label: str | None, color: str, marker: str) -> None:
    ax.plot(path[:, 0], path[:, 1], color=color, marker=marker, markersize=3, linewidth=1.2,
            label=label)
    ax.plot(*path[0], marker=marker, color=color, markersize=7, markerfacecolor="white")


def _draw_parabola(ax: Axes, function: Quadratic, path: np.ndarray, color: str) -> None:
    low, high = function.bounds[0]
    xs = np.linspace(low, high, 200)
    ax.plot(xs, function.value(xs[:, None]), color="0.6", linewidth=1.0)
    ax.plot(path[:, 0], function.value(path), color=color, marker="o", markersize=3,
            linewidth=0.8)
    ax.set(xlim=(low, high), ylim=(0, float(function.value(np.array([high]))) * 1.05),
           xlabel="x", ylabel="f(x)")


def _power_of_ten(value: float, _position: Any) -> str:
    """Label a log-axis tick 10 to a power in plain Unicode: mathtext would cost ~10 ms a tick."""
    exponent = int(np.round(np.log10(value)))
    if not np.isclose(value, 10.0**exponent):
        return ""
    return "10" + str(exponent).translate(_SUPERSCRIPTS) if exponent not in (0, 1) else f"{value:g}"


def _quantiles(levels: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, levels + 2)[1:-1] ** 2
