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

from mlp.optimizers import SGD, Adam, AdamW, Momentum, Nesterov, RMSProp
from mlp.testfunctions import BLOW_UP, Quadratic, Rosenbrock, run_optimizer
from mlp.widgets import (
    Control,
    ControlsDemo,
    OptimizerDemo,
    SliderDemo,
    learning_rate_demo,
    learning_rate_slider,
    pack_lines,
)

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
        self.labels, self.options, self.controls, self._open = {}, [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        {"input": self.inputs, "img": self.images}.get(tag, []).append(attrs)
        if "data-control" in attrs:
            self.controls.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs
        if tag in ("label", "option"):
            self._open = (tag, attrs)

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))
            self._in_script = None
        if self._open is not None:
            tag, attrs = self._open
            if tag == "label":
                self.labels[attrs["for"]] = data
            else:
                self.options.append((data, "selected" in attrs))
            self._open = None


def decode_frames(twin):
    """Rebuild every frame from the JSON blob, as the twin's script does."""
    (blob,) = [data for attrs, data in twin.scripts if attrs.get("type") == "application/json"]
    data = json.loads(blob)
    frames = []
    for runs in data["runs"]:
        lines = [data["lines"][j] for r in range(0, len(runs), 2)
                 for j in range(runs[r], runs[r] + runs[r + 1])]
        frames.append("\n".join(lines))
    return data["labels"][0] if len(data["labels"]) == 1 else data["labels"], frames


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


def test_twin_alt_text_names_the_value_of_each_frame():
    demo = SliderDemo(tiny_frame, [1.0, 2.0, 3.0], label="slope", value=2.0, alt="A line.")
    twin = Twin(demo.html())
    (image,) = twin.images
    assert image["alt"] == "A line. Shown: slope = 2."  # the starting value, before any script
    (blob,) = [data for attrs, data in twin.scripts if attrs.get("type") == "application/json"]
    alts = json.loads(blob)["alts"]  # what the script sets as the slider moves
    assert alts == ["A line. Shown: slope = 1.", "A line. Shown: slope = 2.",
                    "A line. Shown: slope = 3."]
    (script,) = [data for attrs, data in twin.scripts if not attrs]
    assert "img.alt = data.alts[i]" in script


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
    assert image.format == "svg+xml" and image.value == demo.svg(0.5).encode()
    slider.value = 2.0
    assert image.value == demo.svg(2.0).encode() != demo.svg(0.5).encode()
    demo.show(-1.0)
    assert slider.value == -1.0 and image.value == demo.svg(-1.0).encode()


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
    assert labels[2] == "0.25 (1.00 × 2/M)"
    regimes = ["converges", "converges", "oscillates forever", "diverges"]
    assert all(f": {r}<" in frame for r, frame in zip(regimes, frames, strict=True))


def test_learning_rate_slider_default_grid():
    demo = learning_rate_slider()
    fractions = np.array(demo.values) * 10.0 / 2.0  # default bowl: M = 10
    assert fractions.min() < 0.1 and fractions.max() > 1.1 and np.isclose(fractions, 1.0).any()
    assert 15 <= len(demo.values) <= 25  # each frame costs page weight and build time
    assert demo.value == pytest.approx(0.1)  # fraction 0.5: lr = 1 / M


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


def two_control_frame(slope, kind):
    """A cheap pure frame function of two controls, titled with both."""
    fig = Figure(figsize=(2, 1.5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, slope] if kind == "line" else [slope, slope])
    ax.set(ylim=(-3, 3), title=f"slope {slope:g}, {kind}")
    return fig


@pytest.fixture
def pair():
    return ControlsDemo(two_control_frame,
                        {"slope": Control("slope", [0.0168, 0.013, 2.0], value=2.0, fmt="{:g}"),
                         "kind": Control("kind", ["line", "step"], value="step")},
                        alt="A line or a step.")


def test_twin_shows_the_frame_of_each_combination(pair):
    labels, frames = decode_frames(Twin(pair.html()))
    assert labels == [["0.0168", "0.013", "2"], ["line", "step"]]
    assert len(frames) == 6 and len(set(frames)) == 6
    for i, frame in enumerate(frames):
        k_slope, k_kind = divmod(i, 2)  # the script's index: row-major, the last control fastest
        title = f"slope {labels[0][k_slope]}, {labels[1][k_kind]}"
        assert title in frame, f"frame {i} is not titled {title!r}"
        assert frame == pair.svg(slope=pair.controls["slope"].values[k_slope],
                                 kind=pair.controls["kind"].values[k_kind])


def test_twin_has_one_labelled_keyboard_control_per_parameter(pair):
    twin = Twin(pair.html())
    assert [(tag, attrs["data-control"]) for tag, attrs in twin.controls] == [
        ("input", "slope"), ("select", "kind")]
    (slider,) = twin.inputs
    wanted = {"type": "range", "min": "0", "max": "2", "value": "2", "aria-valuetext": "2"}
    assert {key: slider[key] for key in wanted} == wanted
    for _, attrs in twin.controls:
        assert twin.labels[attrs["id"]] == attrs["data-control"], "a control without its label"
    assert twin.options == [("line", False), ("step", True)]  # a choice starts at its value
    (image,) = twin.images
    assert image["alt"] == "A line or a step. Shown: slope = 2, kind = step."
    assert len(twin.ids) == len(set(twin.ids)) == 4  # root, two controls, the frames blob


def test_twin_alt_text_follows_every_combination(pair):
    (blob,) = [data for attrs, data in Twin(pair.html()).scripts
               if attrs.get("type") == "application/json"]
    alts = json.loads(blob)["alts"]
    assert alts[1] == "A line or a step. Shown: slope = 0.0168, kind = step."
    assert alts[4] == "A line or a step. Shown: slope = 2, kind = line."
    assert len(set(alts)) == 6


def test_any_live_control_redraws_the_combination_shown(pair):
    slope, kind, image = pair.widget().children
    assert (slope.value, kind.value) == (2.0, "step") and image.value == pair.svg().encode()
    kind.value = "line"
    assert image.value == pair.svg(slope=2.0, kind="line").encode()
    assert pair.svg(slope=2.0, kind="line") != pair.svg(slope=2.0, kind="step")
    slope.value = 0.013
    assert image.value == pair.svg(slope=0.013, kind="line").encode()
    pair.show(kind="step")
    assert image.value == pair.svg(slope=0.013, kind="step").encode()
    assert type(kind).__name__ == "Dropdown" and type(slope).__name__ == "SelectionSlider"


def test_frame_index_is_row_major(pair):
    assert [pair.index(**s) for s in pair.grid] == list(range(6))
    assert pair.index(slope=0.013, kind="line") == 2
    assert pair.index() == 5  # the start: slope 2, step


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Control("", [1, 2]), ValueError, r"label must say"),
        (lambda: Control(3, [1, 2]), TypeError, r"label must be a str; got int"),
        (lambda: Control("x", [1]), ValueError, r"at least 2 values; got 1"),
        (lambda: Control("x", "ab"), TypeError, r"sequence of values; got one str"),
        (lambda: Control("x", [1, "a"]), TypeError, r"all strings .* or all numbers"),
        (lambda: Control("x", [1, 2, 1]), ValueError, r"must not repeat"),
        (lambda: Control("x", ["a", "b"], value="c"), ValueError, r"one of values; got 'c'"),
        (lambda: ControlsDemo(two_control_frame, {}), ValueError, r"at least one Control"),
        (lambda: ControlsDemo(two_control_frame, [Control("x", [1, 2])]), TypeError,
         r"map keyword names to Control objects; got list"),
        (lambda: ControlsDemo(two_control_frame, {"a b": Control("x", [1, 2])}), ValueError,
         r"keywords of the frame function; got 'a b'"),
        (lambda: ControlsDemo(two_control_frame, {"a": [1, 2]}), TypeError,
         r"controls\['a'\] must be a Control; got list"),
        (lambda: ControlsDemo(None, {"a": Control("x", [1, 2])}), TypeError,
         r"callable; got NoneType"),
    ],
)
def test_controls_reject_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_combination_off_the_grid_is_refused(pair):
    with pytest.raises(ValueError, match=r"slope: 0.5 is not on the grid"):
        pair.png(slope=0.5)
    with pytest.raises(ValueError, match=r"no control named \['speed'\]"):
        pair.svg(speed=1.0)


def test_learning_rate_demo_grid_holds_the_key_rates():
    demo = learning_rate_demo()
    ratios = np.array(demo.controls["ratio"].values)
    assert np.allclose(np.diff(ratios), 0.1), "the grid of ηM is not linear"
    for condition in demo.controls["condition"].values:
        bowl = Quadratic([1.0, condition], angle=np.pi / 6)
        for key, rate in {"1/M": 1 / bowl.M, "2/M": 2 / bowl.M,
                          "2/(μ+M)": 2 / (bowl.mu + bowl.M)}.items():
            assert np.abs(ratios - rate * bowl.M).min() < 1e-9, f"κ = {condition}: {key} missing"
    assert ratios.max() > 2.0, "the grid stops at the bound"


def test_learning_rate_demo_frames_are_titled_and_coloured_by_their_controls():
    demo = learning_rate_demo(conditions=(1.0, 9.0), ratios=[0.5, 1.0, 1.8, 2.0, 2.1],
                              ratio=1.0, condition=9.0, steps=4)
    labels, frames = decode_frames(Twin(demo.html()))
    regimes = ["converges", "converges", "oscillates and converges", "oscillates forever",
               "diverges"]
    colours = {"converges": "#0072b2", "oscillates and converges": "#009e73",
               "oscillates forever": "#e69f00", "diverges": "#d55e00"}
    for i, frame in enumerate(frames):
        k_ratio, k_kappa = divmod(i, 2)  # controls: ηM, then κ (fastest)
        title = f"κ = {labels[1][k_kappa]},  ηM = {labels[0][k_ratio]}"
        assert title in frame, f"frame {i} is not titled {title!r}"
        regime = regimes[k_ratio]
        assert f": {regime}<" in frame, f"frame {i}: not {regime}"
        assert colours[regime] in frame.lower(), f"frame {i}: not coloured for {regime}"


def test_learning_rate_demo_rejects_bad_grids():
    with pytest.raises(ValueError, match=r"condition numbers must be >= 1"):
        learning_rate_demo(conditions=(0.5, 2.0))
    with pytest.raises(ValueError, match=r"ratios eta M must be > 0"):
        learning_rate_demo(ratios=[0.0, 1.0])


@pytest.fixture(scope="module")
def optimizers():
    """A small optimizer demo: 3 rates, 2 values of β, 60 steps (2 x 6 x 3 x 2 = 72 frames)."""
    return OptimizerDemo(rates=[0.001, 0.01, 0.1], betas=(0.5, 0.9), steps=60)


@pytest.mark.parametrize("method, make", [
    ("SGD", lambda rate, beta: SGD(rate)),
    ("Momentum", lambda rate, beta: Momentum(rate, beta)),
    ("Nesterov", lambda rate, beta: Nesterov(rate, beta)),
    ("RMSProp", lambda rate, beta: RMSProp(rate, beta)),
    ("Adam", lambda rate, beta: Adam(rate, beta1=beta)),
    ("AdamW", lambda rate, beta: AdamW(rate, beta1=beta, weight_decay=0.01)),
])
def test_optimizer_demo_runs_the_method_its_controls_name(optimizers, method, make):
    for problem, (function, x0) in optimizers.problems.items():
        for rate in (0.001, 0.1):
            path = optimizers.path(problem=problem, method=method, rate=rate, beta=0.5)
            expected = run_optimizer(function, make(rate, 0.5), x0, 60)
            assert np.array_equal(path, expected), f"{problem}, {method}, η = {rate}"


def test_optimizer_demo_problems_and_final_values(optimizers):
    bowl, x0 = optimizers.problems["bowl (κ = 100)"]
    valley, r0 = optimizers.problems["Rosenbrock"]
    assert isinstance(valley, Rosenbrock) and bowl.condition_number == pytest.approx(100)
    assert np.array_equal(x0, [-2.0, 1.5]) and np.array_equal(r0, [-1.5, 2.5])
    # SGD at 0.1 > 2/M = 0.02 diverges on the bowl: reported as inf, not as a number
    diverged = optimizers.path(problem="bowl (κ = 100)", method="SGD", rate=0.1)
    assert len(diverged) <= 60 and np.abs(diverged).max() < BLOW_UP
    assert optimizers.final_value(problem="bowl (κ = 100)", method="SGD", rate=0.1) == np.inf
    path = optimizers.path(problem="Rosenbrock", method="Adam", rate=0.01, beta=0.9)
    assert len(path) == 61
    assert optimizers.final_value(problem="Rosenbrock", method="Adam", rate=0.01, beta=0.9) \
        == valley.value(path[-1]) < valley.value(r0)


def test_optimizer_demo_frames_are_titled_by_their_controls_and_move_with_each(optimizers):
    labels, frames = decode_frames(Twin(optimizers.html()))
    assert len(frames) == len(optimizers.grid) == 72
    for settings, frame in zip(optimizers.grid, frames, strict=True):
        method, beta = settings["method"], settings["beta"]
        head = f"{method}, η = {settings['rate']:.2g}"
        if method != "SGD":
            head += f", {'β₁' if method.startswith('Adam') else 'β'} = {beta:g}"
        assert f">{head}: " in frame, f"{settings}: not titled {head!r}"
        final = optimizers.final_value(**settings)
        outcome = "diverged at step" if final == np.inf else f"f = {final:.1e} after 60 steps"
        assert outcome in frame, f"{settings}: the title does not say {outcome!r}"
        # a diverged run also says so inside its loss panel, on a text of its own
        note = f">diverged at step {len(optimizers.path(**settings))}<"
        assert (note in frame) == (final == np.inf), f"{settings}: loss-panel note {note!r}"
        alt = optimizers.alt_text(**settings)
        said = "diverged at step" if final == np.inf else f"f = {final:.1e}"
        assert said in alt and optimizers.describe(**settings) in alt, f"{settings}: alt {alt!r}"
    for settings, frame in zip(optimizers.grid, frames, strict=True):
        for name, control in optimizers.controls.items():
            for value in control.values:
                if value == settings[name] or (name == "beta" and settings["method"] == "SGD"):
                    continue
                other = frames[optimizers.index(**{**settings, name: value})]
                assert other != frame, f"{settings}: moving {name} to {value} changes nothing"
    sgd = [i for i, s in enumerate(optimizers.grid) if s["method"] == "SGD"]
    for i in sgd:  # SGD has no β: its frames are the same at every β
        same = optimizers.index(**{**optimizers.grid[i], "beta": 0.5})
        assert frames[i] == frames[same], f"{optimizers.grid[i]}: SGD's frame depends on β"


def test_optimizer_demo_frames_do_not_depend_on_the_order_they_are_drawn_in():
    # every frame of a problem reuses one figure: nothing of one frame may stay in the next
    forward = OptimizerDemo(rates=[0.001, 0.1], betas=(0.5, 0.9), steps=30)
    backward = OptimizerDemo(rates=[0.001, 0.1], betas=(0.5, 0.9), steps=30)
    first = [forward.svg(**settings) for settings in forward.grid]
    last = [backward.svg(**settings) for settings in reversed(backward.grid)][::-1]
    assert first == last


@pytest.mark.parametrize("kwargs, error, match", [
    ({"rates": [0.0, 0.1]}, ValueError, r"learning rates must be > 0"),
    ({"betas": (0.9, 1.0)}, ValueError, r"every β must lie in \[0, 1\)"),
    ({"betas": (-0.1, 0.9)}, ValueError, r"every β must lie in \[0, 1\)"),
    ({"steps": 0}, ValueError, r"steps must be an int >= 1"),
    ({"steps": 10.5}, ValueError, r"steps must be an int >= 1"),
    ({"start": {"momentum": 0.9}}, ValueError, r"no control named \['momentum'\]"),
    ({"start": {"method": "Adagrad"}}, ValueError, r"value must be one of values"),
])
def test_optimizer_demo_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        OptimizerDemo(**kwargs)
