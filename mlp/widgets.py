"""Demos with sliders and choices that are live in Jupyter and still move on the static website.

A :class:`ControlsDemo` wraps a pure *frame function* (one keyword per control in, one Figure
out) and one :class:`Control` per parameter: a slider over numbers or a choice among names.
:class:`SliderDemo` is its one-slider case. Displayed, a demo offers four forms of itself
(``_repr_mimebundle_``):

- ``application/vnd.jupyter.widget-view+json``: one ipywidgets control per parameter above an
  image (the frame as SVG) that follows any change (a kernel is needed);
- ``text/html``: the static twin, every frame of the product grid precomputed as SVG text
  (``svg.fonttype: none``; the lines frames share stored once, :func:`pack_lines`) in one JSON
  blob, shown in an ``<img>`` behind one labelled, keyboard-operable control per parameter (a
  range input, or a ``<select>`` for a choice; each marked ``data-control``) by a few lines of
  inline JavaScript (no external script, ids unique per display);
- ``image/png``: the frame at the starting values, for PDF output;
- ``text/plain``.

Jupyter shows the widget; the book's HTML build is told to drop the widget view, so the twin shows.

Examples
--------
>>> from mlp.widgets import learning_rate_slider
>>> demo = learning_rate_slider()
>>> slider, image = demo.widget().children
>>> before = image.value
>>> slider.value = demo.values[-1]   # a redraw, exactly as a reader's drag causes
>>> image.value != before
True
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import itertools
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .objectives import Objective
from .optimizers import SGD, Adam, AdamW, Momentum, Nesterov, RMSProp
from .plots import COLORS, contour_plot, learning_rate_figure, log_axis, subplots
from .testfunctions import Quadratic, Rosenbrock, run_optimizer

__all__ = ["Control", "ControlsDemo", "OptimizerDemo", "SliderDemo", "learning_rate_demo",
           "learning_rate_slider", "pack_lines"]

_COUNTER = itertools.count()
_DECIMALS = re.compile(r"(\d\.\d\d)\d+")
_ATTRIBUTE = re.compile(r'="[^"]*"')  # coordinates live in attributes; titles and labels do not
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "mlp-slider"}  # text as text; stable ids

_SCRIPT = r"""(function () {
  var root = document.getElementById("%(uid)s");
  var data = JSON.parse(document.getElementById("%(uid)s-frames").textContent);
  var urls = {};
  function url(i) {  // frame i = runs of lines of the shared table, built when first shown
    if (!(i in urls)) {
      var runs = data.runs[i], lines = [];
      for (var r = 0; r < runs.length; r += 2) {
        for (var j = runs[r]; j < runs[r] + runs[r + 1]; j++) lines.push(data.lines[j]);
      }
      urls[i] = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(lines.join("\n"));
    }
    return urls[i];
  }
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-control]"));
  var img = root.querySelector("img");
  function position(input) {
    return input.tagName === "SELECT" ? input.selectedIndex : Number(input.value);
  }
  function show() {  // the image, its alt text and each announced value follow the controls
    var i = 0;
    inputs.forEach(function (input, c) {
      var k = position(input), text = data.labels[c][k];
      i = i * data.labels[c].length + k;  // row-major over the product grid
      var output = root.querySelector('output[for="' + input.id + '"]');
      if (output) output.textContent = text;
      if (input.tagName !== "SELECT") input.setAttribute("aria-valuetext", text);
    });
    img.src = url(i);
    img.alt = data.alts[i];
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  });
  window.addEventListener("beforeprint", function () {  // print the frame the page opens at
    inputs.forEach(function (input) {
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.options, function (option) {
          option.selected = option.defaultSelected;
        });
      } else {
        input.value = input.defaultValue;
      }
    });
    show();
  });
  show();
})();"""


class Control:
    """One control of a demo: a slider over numbers, or a choice among names.

    Parameters
    ----------
    label : str
        What the control sets, shown before it (e.g. ``"learning rate η"``).
    values : sequence of shape (n,)
        The grid (n >= 2, no repeats): numbers give a slider; strings give a choice (a drop-down
        list), e.g. activation names.
    value : optional
        The starting value, one of ``values`` (default: the first).
    fmt : str or callable, optional
        How to show a value: a format string or a function of the value (default ``"{:.3g}"``
        for numbers, the string itself for a choice).

    Attributes
    ----------
    choice : bool
        True for a choice among strings, False for a slider.

    Raises
    ------
    ValueError
        If ``label`` is empty, there are fewer than 2 values, a value repeats, or ``value`` is
        not one of them.
    TypeError
        If ``label`` is not a string, or ``values`` mixes strings with other values.
    """

    def __init__(self, label: str, values: Sequence[Any], value: Any = None,
                 fmt: str | Callable[[Any], str] | None = None) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str; got {type(label).__name__}")
        if not label.strip():
            raise ValueError("label must say what the control sets; got an empty string")
        if isinstance(values, str):
            raise TypeError("values must be a sequence of values; got one str")
        self.label, self.values = label, list(values)
        if len(self.values) < 2:
            raise ValueError(f"values must hold at least 2 values; got {len(self.values)}")
        strings = [isinstance(v, str) for v in self.values]
        if any(strings) and not all(strings):
            raise TypeError("values must be all strings (a choice) or all numbers (a slider); "
                            f"got {self.values!r}")
        self.choice = all(strings)
        if any(self.values.count(v) > 1 for v in self.values):
            raise ValueError(f"values must not repeat; got {self.values!r}")
        self.value = self.values[0] if value is None else value
        if self.value not in self.values:
            raise ValueError(f"value must be one of values; got {value!r}; pick one of the grid")
        if fmt is None:
            fmt = str if self.choice else "{:.3g}"
        self._fmt = fmt.format if isinstance(fmt, str) else fmt

    def __repr__(self) -> str:
        kind = "choice" if self.choice else "slider"
        return f"Control({self.label!r}, {kind} of {len(self.values)})"

    def text(self, value: Any) -> str:
        """Return how ``value`` is shown beside the control, e.g. ``"0.1"``."""
        return self._fmt(value)

    def format(self, value: Any) -> str:
        """Return the control's label and ``value``, e.g. ``"learning rate η = 0.1"``."""
        return f"{self.label} = {self.text(value)}"

    def index(self, value: Any) -> int:
        """Return the position of ``value`` on the grid.

        Raises
        ------
        ValueError
            If ``value`` is not on the grid.
        """
        if value not in self.values:
            raise ValueError(f"{self.label}: {value!r} is not on the grid; pick one of "
                             f"{[self.text(v) for v in self.values]}")
        return self.values.index(value)

    def widget(self) -> ipywidgets.ValueWidget:
        """Return a new live control: a ``SelectionSlider``, or a ``Dropdown`` for a choice."""
        options = [(self.text(v), v) for v in self.values]
        style = {"description_width": "initial"}
        if self.choice:
            return ipywidgets.Dropdown(options=options, value=self.value, description=self.label,
                                       style=style)
        return ipywidgets.SelectionSlider(
            options=options, value=self.value, description=self.label, continuous_update=True,
            style=style, layout=ipywidgets.Layout(width="min(100%, 36em)"))


class ControlsDemo:
    """A figure that depends on a few values, with one control each over a grid of combinations.

    Parameters
    ----------
    frame_function : callable
        ``frame_function(**settings) -> Figure`` with one keyword per control; pure, and fast
        (a live redraw should take < 200 ms).
    controls : mapping of str to Control
        The controls in the order shown, by the keyword the frame function takes.
    alt : str, optional
        What the figure shows, the alt text of the static twin's image (default: built from the
        labels); each frame's alt text adds the values shown (:meth:`alt_text`).
    dpi : int, default 80
        Resolution of the PNG frame (the start, for PDF output).

    Attributes
    ----------
    names : list of str
        The keywords, in the order of the controls.
    grid : list of dict
        Every combination of the controls' values, row-major (the last control varies fastest):
        frame i of the static twin is ``frame_function(**grid[i])``.

    Raises
    ------
    ValueError
        If there are no controls or a name is not a Python identifier.
    TypeError
        If ``frame_function`` is not callable or a control is not a :class:`Control`.
    """

    _kind = "ControlsDemo"

    def __init__(self, frame_function: Callable[..., Figure], controls: Mapping[str, Control],
                 alt: str | None = None, dpi: int = 80) -> None:
        if not callable(frame_function):
            raise TypeError(f"frame_function must be callable; got {type(frame_function).__name__}")
        if not isinstance(controls, Mapping):
            raise TypeError("controls must map keyword names to Control objects; got "
                            f"{type(controls).__name__}")
        if not controls:
            raise ValueError("controls must hold at least one Control; got none")
        for name, control in controls.items():
            if not (isinstance(name, str) and name.isidentifier()):
                raise ValueError(f"control names must be keywords of the frame function; "
                                 f"got {name!r}")
            if not isinstance(control, Control):
                raise TypeError(f"controls[{name!r}] must be a Control; "
                                f"got {type(control).__name__}")
        self.controls = dict(controls)
        self.names = list(self.controls)
        self.grid = [dict(zip(self.names, combination, strict=True)) for combination in
                     itertools.product(*(c.values for c in self.controls.values()))]
        self._frame_function, self.dpi = frame_function, dpi
        self.alt = alt or ("Figure for " + ", ".join(c.label for c in self.controls.values())
                           + "; move the controls to change it")
        self._widget: ipywidgets.VBox | None = None
        self._frames: dict[tuple[int, str], bytes] = {}  # rendered frames, by (index, format)

    def __repr__(self) -> str:
        controls = ", ".join(map(repr, self.controls.values()))
        return f"ControlsDemo({controls}: {len(self.grid)} frames)"

    @property
    def start(self) -> dict[str, Any]:
        """The starting value of each control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def settings(self, **settings: Any) -> dict[str, Any]:
        """Return a full combination: ``settings``, with each control not given at its start.

        Raises
        ------
        ValueError
            If a name is not a control's, or a value is not on that control's grid.
        """
        unknown = set(settings) - set(self.names)
        if unknown:
            raise ValueError(f"no control named {sorted(unknown)}; the controls are {self.names}")
        full = {**self.start, **settings}
        for name, value in full.items():
            self.controls[name].index(value)
        return full

    def index(self, **settings: Any) -> int:
        """Return the frame number of a combination (row-major; unnamed controls at start)."""
        index = 0
        for name, value in self.settings(**settings).items():
            control = self.controls[name]
            index = index * len(control.values) + control.index(value)
        return index

    def describe(self, **settings: Any) -> str:
        """Return what the controls show, e.g. ``"κ = 4, learning rate η = 0.1"``."""
        full = self.settings(**settings)
        return ", ".join(self.controls[name].format(value) for name, value in full.items())

    def alt_text(self, **settings: Any) -> str:
        """Return the alt text of a frame: ``alt``, then what the controls show."""
        return f"{self.alt} Shown: {self.describe(**settings)}."

    def png(self, **settings: Any) -> bytes:
        """Return the frame of a combination as PNG bytes (cached)."""
        return self._render(self.index(**settings), "png")

    def svg(self, **settings: Any) -> str:
        """Return the frame of a combination as SVG text, from ``<svg`` on (cached).

        Text stays text (``svg.fonttype: none``), coordinates keep 2 decimals (of a point,
        1/72 inch) and the RDF metadata is dropped, so frames are small and share most lines.
        Only numbers inside attributes (path data, positions) are shortened: the text a reader
        sees, such as a title's "η = 0.0168", is kept as drawn.
        """
        return self._render(self.index(**settings), "svg").decode("utf-8")

    def _render(self, index: int, kind: str) -> bytes:
        key = (index, kind)
        if key not in self._frames:
            figure = self._frame_function(**self.grid[index])
            buffer = io.BytesIO()
            with matplotlib.rc_context(_SVG_RC):
                figure.savefig(buffer, format=kind, dpi=self.dpi, metadata=_metadata(kind))
            data = buffer.getvalue()
            self._frames[key] = _shorten(data.decode("utf-8")).encode("utf-8") if kind == "svg" \
                else data
        return self._frames[key]

    def widget(self) -> ipywidgets.VBox:
        """Return the live widget: ``VBox([*controls, image])``, made once and then reused.

        Setting any control's ``value`` (a reader's drag or choice does that) redraws
        ``image.value`` for the combination the controls show: the frame's SVG bytes, the same
        frames as the static twin's. Displaying the demo builds the twin, so every frame is then
        drawn already and a redraw is a look-up; before that, a redraw draws one frame.
        """
        if self._widget is None:
            inputs = [c.widget() for c in self.controls.values()]
            image = ipywidgets.Image(value=self.svg(**self.start).encode("utf-8"),
                                     format="svg+xml", layout=ipywidgets.Layout(max_width="100%"))

            def redraw(_change: Any) -> None:
                shown = dict(zip(self.names, (i.value for i in inputs), strict=True))
                image.value = self.svg(**shown).encode("utf-8")

            for control in inputs:
                control.observe(redraw, names="value")
            self._widget = ipywidgets.VBox([*inputs, image])
        return self._widget

    def show(self, **settings: Any) -> None:
        """Move the live widget's named controls to ``settings`` (the others stay), redrawing."""
        self.settings(**settings)  # check them all before moving any
        for name, control in zip(self.names, self.widget().children, strict=False):
            if name in settings:
                control.value = settings[name]

    def html(self) -> str:
        """Return the static twin: all frames as SVG, one labelled control each, and a script."""
        start = self.index()
        frames = [self.svg(**combination) for combination in self.grid]
        lines, runs = pack_lines(frames)
        blob = json.dumps({"labels": [[c.text(v) for v in c.values]
                                      for c in self.controls.values()],
                           "alts": [self.alt_text(**combination) for combination in self.grid],
                           "lines": lines, "runs": runs},
                          separators=(",", ":")).replace("</", "<\\/")
        digest = hashlib.sha1(blob.encode("utf-8")).hexdigest()[:10]
        uid = f"mlp-slider-{digest}-{next(_COUNTER)}"
        parts = [f'<div class="mlp-slider" id="{uid}">']
        for position, (name, control) in enumerate(self.controls.items()):
            ident = f"{uid}-input" if len(self.controls) == 1 else f"{uid}-input{position}"
            parts.append(f'<label for="{ident}">{html.escape(control.label)}</label>')
            shown = html.escape(control.text(control.value))
            if control.choice:
                options = "".join(
                    f'<option{" selected" if v == control.value else ""}>'
                    f"{html.escape(control.text(v))}</option>" for v in control.values)
                parts.append(f'<select id="{ident}" data-control="{name}">{options}</select><br>')
            else:
                parts.append(
                    f'<input type="range" id="{ident}" data-control="{name}" min="0" '
                    f'max="{len(control.values) - 1}" step="1" '
                    f'value="{control.values.index(control.value)}" aria-valuetext="{shown}" '
                    'style="width:min(100%,24em);vertical-align:middle">\n'
                    f'<output for="{ident}">{shown}</output><br>')
        src = "data:image/svg+xml;charset=utf-8," + urllib.parse.quote(frames[start])
        alt = html.escape(self.alt_text(**self.start))
        parts += [f'<img alt="{alt}" src="{src}" style="max-width:100%">',
                  f'<script type="application/json" id="{uid}-frames">{blob}</script>',
                  f"<script>{_SCRIPT % {'uid': uid}}</script>", "</div>"]
        return "\n".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        view = self.widget()._repr_mimebundle_()
        return {
            "application/vnd.jupyter.widget-view+json":
                view["application/vnd.jupyter.widget-view+json"],
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png(**self.start)).decode("ascii"),
            "text/plain": repr(self),
        }


class SliderDemo(ControlsDemo):
    """A figure that depends on one value, with a slider over a grid of values.

    The one-control case of :class:`ControlsDemo`, whose methods take the value itself.

    Parameters
    ----------
    frame_function : callable
        ``frame_function(value) -> Figure``; pure, and fast (a live redraw should take < 200 ms).
    values : sequence of shape (n,)
        The grid the slider moves over (n >= 2), e.g. learning rates.
    label : str
        What the value is, shown before it (e.g. ``"learning rate"``).
    value : optional
        The starting value, one of ``values`` (default: the first).
    fmt : str or callable, default "{:.3g}"
        How to show a value: a format string or a function of the value.
    alt : str, optional
        What the figure shows, the alt text of the static twin's image (default: built from
        ``label``); each frame's alt text adds the value shown (:meth:`alt_text`).
    dpi : int, default 80
        Resolution of the PNG frame (the start, for PDF output).

    Raises
    ------
    ValueError
        If there are fewer than 2 values or ``value`` is not one of them.
    TypeError
        If ``frame_function`` is not callable.
    """

    def __init__(self, frame_function: Callable[[Any], Figure], values: Sequence[Any], label: str,
                 value: Any = None, fmt: str | Callable[[Any], str] = "{:.3g}",
                 alt: str | None = None, dpi: int = 80) -> None:
        if not callable(frame_function):
            raise TypeError(f"frame_function must be callable; got {type(frame_function).__name__}")
        control = Control(label, values, value, fmt)
        super().__init__(lambda value: frame_function(value), {"value": control},
                         alt=alt or f"Figure for {label}; move the slider to change it", dpi=dpi)
        self.frame_function, self.label = frame_function, label
        self.values, self.value = control.values, control.value

    def __repr__(self) -> str:
        control = self.controls["value"]
        return (f"SliderDemo({self.label!r}: {len(self.values)} values from "
                f"{control.format(self.values[0])} to {control.format(self.values[-1])})")

    def format(self, value: Any) -> str:  # type: ignore[override]
        """Return the text shown for ``value``, e.g. ``"learning rate = 0.1"``."""
        return self.controls["value"].format(value)

    def alt_text(self, value: Any) -> str:  # type: ignore[override]
        """Return the alt text of the frame for ``value``: ``alt``, then what the slider shows."""
        return super().alt_text(value=value)

    def png(self, value: Any) -> bytes:  # type: ignore[override]
        """Return the frame for ``value`` as PNG bytes (cached per value)."""
        return super().png(value=value)

    def svg(self, value: Any) -> str:  # type: ignore[override]
        """Return the frame for ``value`` as SVG text, from ``<svg`` on (see ControlsDemo.svg)."""
        return super().svg(value=value)

    def show(self, value: Any) -> None:  # type: ignore[override]
        """Move the live widget's slider to ``value``, which redraws its image."""
        super().show(value=value)


def learning_rate_slider(function: Quadratic | None = None, x0: Any = None, steps: int = 30,
                         fractions: Sequence[float] | None = None,
                         value: float = 0.5) -> SliderDemo:
    """Gradient descent on a quadratic, with the learning rate on a slider.

    The grid holds learning rates ``lr = fraction * 2 / M``, so it reaches below, exactly at and
    above the stability bound 2 / M of eq-stability-bound (fraction 1).

    Parameters
    ----------
    function : Quadratic, optional
        A bowl of 1 or 2 variables (default: eigenvalues 1 and 10, rotated by 30 degrees).
    x0 : array_like of shape (d,), optional
        The start (default: (-2, 1.5) in 2-D, (2,) in 1-D).
    steps : int, default 30
        Updates per frame.
    fractions : sequence of float, optional
        The grid as multiples of 2 / M (default: 13 log-spaced values from 0.05 to 1.15, with
        0.5, 0.95, 1 and 1.05 exactly: 17 frames).
    value : float, default 0.5
        The starting fraction, one of ``fractions``.

    Returns
    -------
    SliderDemo
        Frames from ``mlp.plots.learning_rate_figure``.
    """
    function = Quadratic([1.0, 10.0], angle=np.pi / 6) if function is None else function
    x0 = ([-2.0, 1.5] if function.dim == 2 else [2.0]) if x0 is None else x0
    if fractions is None:
        fractions = np.union1d(np.geomspace(0.05, 1.15, 13).round(3), [0.5, 0.95, 1.0, 1.05])
    bound = 2.0 / function.M
    rates = [float(f) * bound for f in fractions]
    start = rates[int(np.argmin(np.abs(np.asarray(fractions, dtype=float) - value)))]
    return SliderDemo(
        functools.partial(learning_rate_figure, function, x0=x0, steps=steps), rates,
        label="learning rate \u03b7", value=start,
        fmt=lambda lr: f"{lr:.3g} ({lr / bound:.2f} \u00d7 2/M)",
        alt="Gradient descent on a quadratic bowl for the chosen learning rate: the path on the "
            "contour lines, and the loss per step on a log scale.")


def learning_rate_demo(conditions: Sequence[float] = (1.0, 3.0, 9.0, 19.0),
                       ratios: Sequence[float] | None = None, x0: Any = (-2.0, 1.5),
                       steps: int = 30, ratio: float = 1.0, condition: float = 9.0
                       ) -> ControlsDemo:
    """Gradient descent on a bowl, with the learning rate and the condition number as controls.

    The bowl for condition number kappa has curvatures 1 and kappa (so M = kappa, mu = 1),
    rotated by 30 degrees. The rate is set in units of 1/M, as eta M, so that the stability
    bound 2/M of eq-stability-bound is eta M = 2 and the fastest rate 2/(mu + M) is
    eta M = 2 kappa / (kappa + 1) for every bowl: the default grid, eta M = 0.1, 0.2, ..., 2.2,
    holds 1/M, 2/M and, for kappa = 1, 3, 9 and 19, the fastest rate (1, 1.5, 1.8 and 1.9).

    Parameters
    ----------
    conditions : sequence of float, default (1, 3, 9, 19)
        The condition numbers kappa >= 1 on the second control.
    ratios : sequence of float, optional
        The grid of eta M, > 0 (default: 0.1 to 2.2 in steps of 0.1, 22 values).
    x0 : array_like of shape (2,), default (-2, 1.5)
        The start.
    steps : int, default 30
        Updates per frame.
    ratio, condition : float, default 1.0 and 9.0
        The starting eta M and kappa, on their grids.

    Returns
    -------
    ControlsDemo
        Controls ``ratio`` (eta M) and ``condition`` (kappa); frames from
        ``mlp.plots.learning_rate_figure(..., contraction=True)``: the path, the loss with its
        predicted slope f(x_0) rho^(2k), and rho(eta) with a marker at the chosen rate.

    Raises
    ------
    ValueError
        If a condition number is below 1, a ratio is not > 0, or as in :class:`Control`.
    """
    ratios = [round(0.1 * j, 10) for j in range(1, 23)] if ratios is None else list(ratios)
    if any(not float(c) >= 1.0 for c in conditions):
        raise ValueError(f"condition numbers must be >= 1; got {list(conditions)}")
    if any(not float(r) > 0.0 for r in ratios):
        raise ValueError(f"ratios eta M must be > 0; got {ratios}")
    bowls = {c: Quadratic([1.0, float(c)], angle=np.pi / 6) for c in conditions}

    def frame(ratio: float, condition: float) -> Figure:
        bowl = bowls[condition]
        lr = ratio / bowl.M
        return learning_rate_figure(bowl, lr, x0=x0, steps=steps, contraction=True,
                                    figsize=(8.4, 2.8),
                                    title=f"κ = {condition:g},  ηM = {ratio:.2f} (η = {lr:.3g})")

    return ControlsDemo(
        frame,
        {"ratio": Control("learning rate ηM", ratios, ratio, fmt="{:.2f}"),
         "condition": Control("condition number κ", list(conditions), condition, fmt="{:g}")},
        alt="Gradient descent on a quadratic bowl with curvatures 1 and κ: the path on the "
            "contour lines; the loss per step on a log scale with the predicted slope "
            "f(x₀)ρ²ᵏ dashed; and the contraction factor ρ against ηM, regimes shaded, with a "
            "dot at the chosen rate.")


class OptimizerDemo(ControlsDemo):
    """Six optimizers on two test functions: problem × method × learning rate × β.

    Each frame runs one method from a fixed start for ``steps`` updates and shows its path on
    the contour lines (left) and f(x_k) on a log axis (right; both problems have minimum value
    0, so this is the distance to the minimum in value). The axes depend only on the problem,
    so frames line up; each method keeps its colour. β is momentum's β for Momentum and
    Nesterov, the decay of the mean squares for RMSProp and β₁ for Adam and AdamW (β₂ = 0.999);
    SGD has none, and its frames are the same for every β.

    Parameters
    ----------
    rates : sequence of float, optional
        The learning rates (default: 10^(k/2) for k = -7, ..., 0, from 3.2e-4 to 1: 8 values).
    betas : sequence of float, default (0.5, 0.9, 0.99)
        The grid of β, each in [0, 1).
    steps : int, default 1000
        Updates per run.
    weight_decay : float, default 0.01
        AdamW's λ (its decoupled decay pulls every coordinate towards 0, so AdamW settles near,
        not at, a minimum away from the origin).
    start : mapping, optional
        The controls' starting values, e.g. ``{"method": "Adam", "rate": 0.1}``.

    Attributes
    ----------
    problems : dict of str to (Objective, ndarray of shape (2,))
        ``"bowl (κ = 100)"``: curvatures 1 and 100 rotated by 30 degrees, from (-2, 1.5);
        ``"Rosenbrock"``: Rosenbrock's valley, minimum (1, 1), from (-1.5, 2.5).

    Raises
    ------
    ValueError
        If a rate is not > 0, a β is outside [0, 1), ``steps`` < 1, or as in :class:`Control`.
    """

    _kind = "OptimizerDemo"
    methods = ("SGD", "Momentum", "Nesterov", "RMSProp", "Adam", "AdamW")

    def __init__(self, rates: Sequence[float] | None = None,
                 betas: Sequence[float] = (0.5, 0.9, 0.99), steps: int = 1000,
                 weight_decay: float = 0.01, start: Mapping[str, Any] | None = None) -> None:
        rates = [float(10.0 ** (k / 2)) for k in range(-7, 1)] if rates is None else list(rates)
        if any(not float(r) > 0.0 for r in rates):
            raise ValueError(f"learning rates must be > 0; got {rates}")
        if any(not 0.0 <= float(b) < 1.0 for b in betas):
            raise ValueError(f"every β must lie in [0, 1); got {list(betas)}")
        if not (isinstance(steps, int) and steps >= 1):
            raise ValueError(f"steps must be an int >= 1; got {steps!r}")
        self.problems: dict[str, tuple[Objective, np.ndarray]] = {
            "bowl (κ = 100)": (Quadratic([1.0, 100.0], angle=np.pi / 6), np.array([-2.0, 1.5])),
            "Rosenbrock": (Rosenbrock(), np.array([-1.5, 2.5]))}
        self.steps, self.weight_decay = steps, weight_decay
        self._paths: dict[tuple[Any, ...], np.ndarray] = {}
        self._figures: dict[str, tuple[Figure, dict[str, Any]]] = {}
        start = dict(start or {})
        controls = {
            "problem": Control("problem", list(self.problems), start.pop("problem", "Rosenbrock")),
            "method": Control("method", list(self.methods), start.pop("method", "Adam")),
            "rate": Control("learning rate η", rates, start.pop("rate", _nearest(rates, 0.1)),
                            fmt="{:.2g}"),
            "beta": Control("β", list(betas), start.pop("beta", _nearest(betas, 0.9)),
                            fmt="{:g}")}
        if start:
            raise ValueError(f"no control named {sorted(start)}; the controls are "
                             f"{list(controls)}")
        super().__init__(self._frame, controls,
                         alt="An optimizer's path on the contour lines of the chosen problem, "
                             "and its loss f(xₖ) per step on a log scale, or, for a run that "
                             "diverged, the step at which it did.")

    def path(self, **settings: Any) -> np.ndarray:
        """Return the iterates of a run, shape (k + 1, 2); k < ``steps`` means it diverged.

        ``settings`` name controls as :meth:`ControlsDemo.settings` does (the rest at their
        start); runs are cached, so a frame and the chapter's checks share them.
        """
        full = self._canonical(self.settings(**settings))
        key = tuple(full.values())
        if key not in self._paths:
            function, x0 = self.problems[full["problem"]]
            optimizer = self._optimizer(full["method"], full["rate"], full["beta"])
            self._paths[key] = run_optimizer(function, optimizer, x0, self.steps)
        return self._paths[key]

    def final_value(self, **settings: Any) -> float:
        """Return f at the run's last iterate, or inf if the run diverged."""
        path = self.path(**settings)
        if len(path) <= self.steps:
            return float("inf")
        function, _ = self.problems[self.settings(**settings)["problem"]]
        return float(function.value(path[-1]))

    def alt_text(self, **settings: Any) -> str:
        """Return the alt text of a frame: what it shows, its settings and where the run ends."""
        final = self.final_value(**settings)
        if final == float("inf"):
            outcome = f"The run diverged at step {len(self.path(**settings))}."
        else:
            outcome = f"After {self.steps} steps f = {final:.1e}."
        return f"{super().alt_text(**settings)} {outcome}"

    def _canonical(self, settings: dict[str, Any]) -> dict[str, Any]:
        # SGD has no β: its runs and frames are the same at every β, so they are made once
        if settings["method"] == "SGD":
            return {**settings, "beta": self.controls["beta"].value}
        return settings

    def _render(self, index: int, kind: str) -> bytes:
        return super()._render(self.index(**self._canonical(self.grid[index])), kind)

    def _optimizer(self, method: str, rate: float, beta: float) -> Any:
        if method == "SGD":
            return SGD(rate)
        if method in ("Momentum", "Nesterov"):
            return (Momentum if method == "Momentum" else Nesterov)(rate, beta)
        if method == "RMSProp":
            return RMSProp(rate, beta)
        if method == "Adam":
            return Adam(rate, beta1=beta)
        return AdamW(rate, beta1=beta, weight_decay=self.weight_decay)

    def _frame(self, problem: str, method: str, rate: float, beta: float) -> Figure:
        # One figure per problem, drawn once (contours, axes, ticks); a frame only moves its
        # lines and title, which makes drawing it several times cheaper.
        if problem not in self._figures:
            self._figures[problem] = self._figure(problem)
        figure, parts = self._figures[problem]
        path = self.path(problem=problem, method=method, rate=rate, beta=beta)
        function, _ = self.problems[problem]
        color = COLORS[self.methods.index(method) % len(COLORS)]
        # every iterate: matplotlib drops the points that would not move the drawn line, and
        # thinning instead would alias a zigzag of period 2 into a smooth curve
        parts["path"].set(data=(path[:, 0], path[:, 1]), color=color)
        parts["first"].set(color=color)
        values = np.maximum(function.value(path), 1e-300)  # log axis: no zeros
        parts["loss"].set(data=(np.arange(len(path)), values), color=color)
        which = "" if method == "SGD" else (
            ", β₁" if method.startswith("Adam") else ", β") + f" = {beta:g}"
        final = self.final_value(problem=problem, method=method, rate=rate, beta=beta)
        diverged = f"diverged at step {len(path)}" if final == float("inf") else ""
        outcome = diverged or f"f = {final:.1e} after {self.steps} steps"
        parts["title"].set_text(f"{method}, η = {rate:.2g}{which}: {outcome}")
        # a diverging loss leaves the axes within a few steps, too close to the edge to see
        parts["note"].set(text=diverged, color=color)
        return figure

    def _figure(self, problem: str) -> tuple[Figure, dict[str, Any]]:
        function, x0 = self.problems[problem]
        figure, (left, right) = subplots(2, figsize=(8.4, 3.5), layout=None)
        figure.subplots_adjust(left=0.07, right=0.955, bottom=0.15, top=0.86, wspace=0.28)
        contour_plot(function, ax=left, levels=10)
        left.set(xticks=[], yticks=[])  # the shape matters here, not the coordinates
        path_line, = left.plot([], [], linewidth=1.0)
        first, = left.plot(*x0, marker="o", markersize=7, markerfacecolor="white",
                           linestyle="none")
        log_axis(right)
        loss_line, = right.plot([], [], linewidth=1.2)
        right.set(xlim=(0, self.steps), ylim=(1e-14, 1e6), xlabel="step k", ylabel="f(xₖ)")
        right.set_yticks([10.0**k for k in range(-14, 7, 4)])
        right.minorticks_off()  # ticks are most of a frame's drawing time: few, and grid lines
        right.tick_params(length=0)
        right.grid(True, color="0.9", linewidth=0.6)
        note = right.text(0.5, 0.55, "", transform=right.transAxes, ha="center",
                          fontsize="large")
        title = figure.suptitle("", fontsize="medium")
        return figure, {"path": path_line, "first": first, "loss": loss_line, "note": note,
                        "title": title}


def _nearest(values: Sequence[float], target: float) -> float:
    return min(values, key=lambda v: abs(np.log(float(v) / target)) if v > 0 else np.inf)


def pack_lines(texts: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Store texts that share most of their lines as one table of distinct lines plus runs.

    Frames of one demo differ in a few lines (a path, a title), so the static twin keeps each
    distinct line once; this is what keeps 25 SVG frames at tens of KiB where the frames one
    after another would not compress (each is larger than gzip's 32 KiB window).

    Parameters
    ----------
    texts : sequence of str, length n
        The frames.

    Returns
    -------
    lines : list of str
        Every distinct line, in order of first appearance.
    runs : list of n lists of int
        For text i, pairs ``start, length``: text i is ``"\n".join`` of
        ``lines[start:start + length]`` for each pair, in order.
    """
    table: dict[str, int] = {}
    runs = []
    for text in texts:
        pairs: list[int] = []
        for line in text.split("\n"):
            j = table.setdefault(line, len(table))
            if pairs and pairs[-2] + pairs[-1] == j:
                pairs[-1] += 1
            else:
                pairs += [j, 1]
        runs.append(pairs)
    return list(table), runs


def _shorten(svg: str) -> str:
    """Drop an SVG's metadata and keep 2 decimals of the numbers inside its attributes only."""
    svg = _METADATA.sub("", svg[svg.index("<svg"):])
    return _ATTRIBUTE.sub(lambda attribute: _DECIMALS.sub(r"\1", attribute.group(0)), svg)


def _metadata(kind: str) -> dict[str, Any]:
    # no timestamps or software versions in the frames: identical input gives identical bytes
    return {"Date": None} if kind == "svg" else {"Software": None}
