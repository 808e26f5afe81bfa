"""Slider demos that are live in Jupyter and still move on the static website.

A :class:`SliderDemo` wraps a pure *frame function* (one value in, one Figure out) and a grid of
values. Displayed, it offers four forms of itself (``_repr_mimebundle_``):

- ``application/vnd.jupyter.widget-view+json``: an ipywidgets slider above an image that the
  frame function redraws on every move (a kernel is needed);
- ``text/html``: the static twin, every frame precomputed as SVG text (``svg.fonttype: none``) in
  one JSON blob, shown in an ``<img>`` behind a range input by a few lines of inline JavaScript
  (no external script, ids unique per display);
- ``image/png``: the frame at the starting value, for PDF output;
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
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .plots import learning_rate_figure
from .testfunctions import Quadratic

__all__ = ["SliderDemo", "learning_rate_slider", "pack_lines"]

_COUNTER = itertools.count()
_DECIMALS = re.compile(r"(\d\.\d\d)\d+")
_ATTRIBUTE = re.compile(r'="[^"]*"')  # coordinates live in attributes; titles and labels do not
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "mlp-slider"}  # text as text; stable ids

_SCRIPT = r"""(function () {
  var root = document.getElementById("%(uid)s");
  var data = JSON.parse(document.getElementById("%(uid)s-frames").textContent);
  var urls = data.runs.map(function (runs) {  // frame = runs of lines of the shared table
    var lines = [];
    for (var r = 0; r < runs.length; r += 2) {
      for (var j = runs[r]; j < runs[r] + runs[r + 1]; j++) lines.push(data.lines[j]);
    }
    return "data:image/svg+xml;charset=utf-8," + encodeURIComponent(lines.join("\n"));
  });
  var input = root.querySelector("input"), img = root.querySelector("img");
  var label = root.querySelector("output");
  function show() {
    var i = Number(input.value);
    img.src = urls[i];
    label.textContent = data.labels[i];
    input.setAttribute("aria-valuetext", data.labels[i]);
  }
  input.addEventListener("input", show);
  show();
})();"""


class SliderDemo:
    """A figure that depends on one value, with a slider over a grid of values.

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
        Alt text of the static twin's image (default: built from ``label``).
    dpi : int, default 80
        Resolution of the live widget's and the PDF's PNG frames.

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
        self.values = list(values)
        if len(self.values) < 2:
            raise ValueError(f"values must hold at least 2 values; got {len(self.values)}")
        self.value = self.values[0] if value is None else value
        if self.value not in self.values:
            raise ValueError(f"value must be one of values; got {value!r}; pick one of the grid")
        self.frame_function, self.label, self.dpi = frame_function, label, dpi
        self._fmt = fmt.format if isinstance(fmt, str) else fmt
        self.alt = alt or f"Figure for {label}; move the slider to change it"
        self._widget: ipywidgets.VBox | None = None
        self._frames: dict[tuple[int, str], bytes] = {}  # rendered frames, by (index, format)

    def __repr__(self) -> str:
        return (f"SliderDemo({self.label!r}: {len(self.values)} values from "
                f"{self.format(self.values[0])} to {self.format(self.values[-1])})")

    def format(self, value: Any) -> str:
        """Return the text shown for ``value``, e.g. ``"learning rate = 0.1"``."""
        return f"{self.label} = {self._fmt(value)}"

    def png(self, value: Any) -> bytes:
        """Return the frame for ``value`` as PNG bytes (cached per value)."""
        return self._render(value, "png")

    def svg(self, value: Any) -> str:
        """Return the frame for ``value`` as SVG text, from ``<svg`` on.

        Text stays text (``svg.fonttype: none``), coordinates keep 2 decimals (of a point,
        1/72 inch) and the RDF metadata is dropped, so frames are small and share most lines.
        Only numbers inside attributes (path data, positions) are shortened: the text a reader
        sees, such as a title's "η = 0.0168", is kept as drawn.
        """
        text = self._render(value, "svg").decode("utf-8")
        text = _METADATA.sub("", text[text.index("<svg"):])
        return _ATTRIBUTE.sub(lambda attribute: _DECIMALS.sub(r"\1", attribute.group(0)), text)

    def _render(self, value: Any, kind: str) -> bytes:
        key = (self.values.index(value), kind)
        if key not in self._frames:
            figure = self.frame_function(value)
            buffer = io.BytesIO()
            with matplotlib.rc_context(_SVG_RC):
                figure.savefig(buffer, format=kind, dpi=self.dpi, metadata=_metadata(kind))
            self._frames[key] = buffer.getvalue()
        return self._frames[key]

    def widget(self) -> ipywidgets.VBox:
        """Return the live widget: ``VBox([slider, image])``, made once and then reused.

        Setting ``slider.value`` (a reader's drag does that) redraws ``image.value`` (PNG bytes).
        """
        if self._widget is None:
            options = [(self._fmt(v), v) for v in self.values]
            slider = ipywidgets.SelectionSlider(
                options=options, value=self.value, description=self.label,
                continuous_update=True, style={"description_width": "initial"},
                layout=ipywidgets.Layout(width="min(100%, 36em)"))
            image = ipywidgets.Image(value=self.png(self.value), format="png")
            slider.observe(lambda change: self._redraw(image, change["new"]), names="value")
            self._widget = ipywidgets.VBox([slider, image])
        return self._widget

    def show(self, value: Any) -> None:
        """Move the live widget's slider to ``value``, which redraws its image."""
        self.widget().children[0].value = value

    def _redraw(self, image: ipywidgets.Image, value: Any) -> None:
        image.value = self.png(value)

    def html(self) -> str:
        """Return the static twin: all frames as SVG, a range input, and its script."""
        start = self.values.index(self.value)
        frames = [self.svg(v) for v in self.values]
        lines, runs = pack_lines(frames)
        blob = json.dumps({"labels": [self._fmt(v) for v in self.values], "lines": lines,
                           "runs": runs}, separators=(",", ":")).replace("</", "<\\/")
        digest = hashlib.sha1(blob.encode("utf-8")).hexdigest()[:10]
        uid = f"mlp-slider-{digest}-{next(_COUNTER)}"
        src = "data:image/svg+xml;charset=utf-8," + urllib.parse.quote(frames[start])
        return (
            f'<div class="mlp-slider" id="{uid}">\n'
            f'<label for="{uid}-input">{html.escape(self.label)}</label>\n'
            f'<input type="range" id="{uid}-input" min="0" max="{len(frames) - 1}" step="1" '
            f'value="{start}" style="width:min(100%,24em);vertical-align:middle">\n'
            f'<output for="{uid}-input">{html.escape(self._fmt(self.value))}</output><br>\n'
            f'<img alt="{html.escape(self.alt)}" src="{src}" style="max-width:100%">\n'
            f'<script type="application/json" id="{uid}-frames">{blob}</script>\n'
            f"<script>{_SCRIPT % {'uid': uid}}</script>\n</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        view = self.widget()._repr_mimebundle_()
        return {
            "application/vnd.jupyter.widget-view+json":
                view["application/vnd.jupyter.widget-view+json"],
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png(self.value)).decode("ascii"),
            "text/plain": repr(self),
        }


def learning_rate_slider(function: Quadratic | None = None, x0: Any = None, steps: int = 30,
                         fractions: Sequence[float] | None = None,
                         value: float = 0.5) -> SliderDemo:
    """Gradient descent on a quadratic, with the learning rate on a slider.

    The grid holds learning rates ``lr = fraction * 2 / L``, so it reaches below, exactly at and
    above the stability bound 2 / L of eq-stability-bound (fraction 1).

    Parameters
    ----------
    function : Quadratic, optional
        A bowl of 1 or 2 variables (default: eigenvalues 1 and 10, rotated by 30 degrees).
    x0 : array_like of shape (d,), optional
        The start (default: (-2, 1.5) in 2-D, (2,) in 1-D).
    steps : int, default 30
        Updates per frame.
    fractions : sequence of float, optional
        The grid as multiples of 2 / L (default: 13 log-spaced values from 0.05 to 1.15, with
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
    bound = 2.0 / function.L
    rates = [float(f) * bound for f in fractions]
    start = rates[int(np.argmin(np.abs(np.asarray(fractions, dtype=float) - value)))]
    return SliderDemo(
        functools.partial(learning_rate_figure, function, x0=x0, steps=steps), rates,
        label="learning rate \u03b7", value=start,
        fmt=lambda lr: f"{lr:.3g} ({lr / bound:.2f} \u00d7 2/L)",
        alt="Gradient descent on a quadratic bowl for the chosen learning rate: the path on the "
            "contour lines, and the loss per step on a log scale.")


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


def _metadata(kind: str) -> dict[str, Any]:
    # no timestamps or software versions in the frames: identical input gives identical bytes
    return {"Date": None} if kind == "svg" else {"Software": None}
