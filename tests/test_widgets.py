"""Tests of mlp.widgets: one object, a live widget and a static twin, tested without a browser.

The twin's JavaScript runs in tests/browser/test_site.py; here its data are checked by decoding
them the way the script does.
"""

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from matplotlib.figure import Figure

from mlp.testfunctions import Quadratic
from mlp.widgets import SliderDemo, learning_rate_slider, pack_lines

VIEW = "application/vnd.jupyter.widget-view+json"


def tiny_frame(value):
    """A cheap pure frame function: a line of slope ``value``."""
    fig = Figure(figsize=(2, 1.5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, value])
    ax.set(ylim=(-3, 3), title=f"slope {value}")
    return fig


@pytest.fixture
def demo():
    return SliderDemo(tiny_frame, [-2.0, -1.0, 0.5, 2.0], label="slope", value=0.5)


class Twin(HTMLParser):
    """Collect a twin's ids, its range input, its image and its scripts."""

    def __init__(self, text):
        super().__init__()
        self.ids, self.inputs, self.images, self.scripts, self._in_script = [], [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        {"input": self.inputs, "img": self.images}.get(tag, []).append(attrs)
        if tag == "script":
            self._in_script = attrs

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))
            self._in_script = None


def decode_frames(twin):
    """Rebuild every frame from the JSON blob, as the twin's script does."""
    (blob,) = [data for attrs, data in twin.scripts if attrs.get("type") == "application/json"]
    data = json.loads(blob)
    frames = []
    for runs in data["runs"]:
        lines = [data["lines"][j] for r in range(0, len(runs), 2)
                 for j in range(runs[r], runs[r] + runs[r + 1])]
        frames.append("\n".join(lines))
    return data["labels"], frames


def test_mimebundle_has_all_four_forms(demo):
    bundle = demo._repr_mimebundle_()
    assert set(bundle) == {VIEW, "text/html", "image/png", "text/plain"}
    assert bundle[VIEW]["model_id"] == demo.widget().model_id
    assert base64.b64decode(bundle["image/png"]) == demo.png(0.5)
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert bundle["text/plain"] == "SliderDemo('slope': 4 values from slope = -2 to slope = 2)"


def test_twin_holds_every_frame_and_label(demo):
    twin = Twin(demo.html())
    labels, frames = decode_frames(twin)
    assert labels == ["-2", "-1", "0.5", "2"]  # shown after the slider, whose label says "slope"
    assert frames == [demo.svg(v) for v in demo.values]
    assert all(f.startswith("<svg") and f.rstrip().endswith("</svg>") for f in frames)
    assert len(set(frames)) == 4
    assert ">slope -1<" in frames[1] or "slope -1" in frames[1]  # text kept as text


def test_twin_input_image_and_scripts(demo):
    twin = Twin(demo.html())
    (slider,) = twin.inputs
    wanted = {"type": "range", "min": "0", "max": "3", "value": "2"}  # starts at 0.5, index 2
    assert {key: slider[key] for key in wanted} == wanted
    (image,) = twin.images
    assert image["src"].startswith("data:image/svg+xml") and image["alt"]
    assert all("src" not in attrs for attrs, _ in twin.scripts), "no external scripts"
    urls = set(re.findall(r"https?://[^\"\\\s]+", demo.html()))
    assert urls == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # namespaces
    assert "require" not in demo.html()


def test_twin_ids_are_unique_across_displays(demo):
    other = SliderDemo(tiny_frame, [1.0, 2.0], label="slope")
    ids = Twin(demo.html() + demo.html() + other.html()).ids
    assert len(ids) == len(set(ids)) == 3 * 3  # root, input, frames blob per twin
    assert all(i.startswith("mlp-slider-") for i in ids)


def test_script_addresses_its_own_elements(demo):
    twin = Twin(demo.html())
    root = twin.ids[0]
    (script,) = [data for attrs, data in twin.scripts if "type" not in attrs]
    assert f'getElementById("{root}")' in script and f'getElementById("{root}-frames")' in script


def test_moving_the_live_slider_redraws(demo):
    slider, image = demo.widget().children
    assert image.value == demo.png(0.5)
    slider.value = 2.0
    assert image.value == demo.png(2.0) != demo.png(0.5)
    demo.show(-1.0)
    assert slider.value == -1.0 and image.value == demo.png(-1.0)


def test_widget_is_made_once(demo):
    assert demo.widget() is demo.widget()


def test_frames_come_from_the_frame_function(demo):
    assert demo.png(2.0) != demo.png(-2.0)
    assert "slope 2" in demo.svg(2.0) and "slope -2" in demo.svg(-2.0)
    assert re.search(r"\d\.\d{3}", demo.svg(2.0)) is None  # coordinates keep 2 decimals


def test_pack_lines_round_trips():
    rng = np.random.default_rng(0)
    words = ["<a>", "<b x='1'>", "", "L 1.5 2", "</a>"]
    texts = ["\n".join(rng.choice(words, size=rng.integers(1, 12))) for _ in range(20)]
    lines, runs = pack_lines(texts)
    assert len(lines) == len(set(lines)) <= len(words)
    for text, pairs in zip(texts, runs, strict=True):
        rebuilt = [lines[j] for r in range(0, len(pairs), 2)
                   for j in range(pairs[r], pairs[r] + pairs[r + 1])]
        assert "\n".join(rebuilt) == text


def test_pack_lines_shares_common_lines():
    lines, runs = pack_lines(["a\nb\nc\nd", "a\nb\nX\nd"])
    assert lines == ["a", "b", "c", "d", "X"]
    assert runs == [[0, 4], [0, 2, 4, 1, 3, 1]]


def test_learning_rate_slider_spans_the_stability_bound():
    bowl = Quadratic([2.0, 8.0])
    demo = learning_rate_slider(bowl, fractions=[0.25, 0.5, 1.0, 1.1], value=0.5)
    bound = 2.0 / 8.0
    assert demo.values == pytest.approx([0.25 * bound, 0.5 * bound, bound, 1.1 * bound])
    assert demo.value == pytest.approx(0.5 * bound)
    labels, frames = decode_frames(Twin(demo.html()))
    assert labels[2] == "0.25 (1.00 × 2/L)"
    regimes = ["converges", "converges", "oscillates forever", "diverges"]
    assert all(f": {r}<" in frame for r, frame in zip(regimes, frames, strict=True))


def test_learning_rate_slider_default_grid():
    demo = learning_rate_slider()
    fractions = np.array(demo.values) * 10.0 / 2.0  # default bowl: L = 10
    assert fractions.min() < 0.1 and fractions.max() > 1.1 and np.isclose(fractions, 1.0).any()
    assert 15 <= len(demo.values) <= 25  # each frame costs page weight and build time
    assert demo.value == pytest.approx(0.1)  # fraction 0.5: lr = 1 / L


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((tiny_frame, [1.0], "x"), {}, ValueError, r"at least 2 values; got 1"),
        ((tiny_frame, [1.0, 2.0], "x"), {"value": 3.0}, ValueError, r"one of values; got 3.0"),
        (("frame", [1.0, 2.0], "x"), {}, TypeError, r"frame_function must be callable; got str"),
    ],
)
def test_slider_demo_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        SliderDemo(*args, **kwargs)


def test_svg_frames_keep_every_digit_of_their_text_and_round_coordinates():
    demo = SliderDemo(tiny_frame, [0.0168, 0.013], label="slope")
    svg = demo.svg(0.0168)
    assert "slope 0.0168" in svg  # a title is text, never rounded
    coordinates = re.findall(r'\sd="([^"]*)"', svg)
    assert coordinates and not any(re.search(r"\d\.\d{3}", d) for d in coordinates)


def test_every_learning_rate_frame_is_titled_with_its_slider_label():
    demo = learning_rate_slider(steps=5)
    for lr in demo.values:
        assert f"η = {lr:.3g}," in demo.svg(lr), f"frame of η = {lr:.3g} has another title"
        assert demo.format(lr).startswith(f"learning rate η = {lr:.3g} ")
