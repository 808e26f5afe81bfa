"""Page weight, build time and live redraw time of every demo of the book's chapters.

    .venv/bin/python benchmarks/widgets.py                       # chapters 2, 11 and 13
    .venv/bin/python benchmarks/widgets.py chapters/02-learning-rate.md --site _build/html

For each chapter it runs the code cells (as the notebook would, magics left out) and finds the
demos (``mlp.widgets.ControlsDemo``, which ``SliderDemo`` is) they end with. For each demo it
reports the frames of its grid; the time to draw each frame as SVG from a cold cache (median and
worst: what a live redraw costs before the demo is displayed); the bytes of its static twin
(``html()``, raw and gzipped) and the time to build it (every frame drawn, then packed); and the
live redraw time once the demo is displayed, which is what a reader's move costs in Jupyter: the
controls of ``widget()`` set to each combination of the grid in turn (median and worst). With
``--site`` it also reports each chapter page of the built book, raw and gzipped.

Drawing a frame is timed by the wall clock and by the process's CPU time, which leaves out the
time other jobs hold the core: on a small shared machine the wall-clock times vary a lot.
The targets are a redraw under 200 ms and every chapter page under 2 MB gzipped.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gzip
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ["chapters/02-learning-rate.md", "chapters/11-optimizers.md",
           "chapters/13-gradients.md"]


def chapter_demos(path: Path) -> list[tuple[str, object]]:
    """Run a chapter's code cells; return (name, demo) for every demo they leave or display."""
    import jupytext
    import matplotlib

    from mlp.widgets import ControlsDemo

    matplotlib.use("Agg")
    namespace: dict[str, object] = {"__name__": "__chapter__"}
    shown: list[tuple[str, object]] = []
    for number, cell in enumerate(jupytext.read(path).cells):
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith("%"))
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(io.StringIO()):  # the chapter's printout is not ours
            exec(compile(tree, f"{path.name} cell {number}", "exec"), namespace)  # noqa: S102
            if last is None:
                continue
            expression = ast.Expression(last.value)  # a cell ending in an expression shows it
            value = eval(compile(expression, f"{path.name} cell {number}", "eval"), namespace)  # noqa: S307
        if isinstance(value, ControlsDemo):
            shown.append((f"{path.stem} cell {number}", value))
    return shown


def measure(demo) -> dict[str, float]:
    """Frames, twin bytes (raw, gzip), twin build time and live redraw times of one demo."""
    demo.svg(**demo.grid[-1])  # warm-up: fonts and caches of matplotlib, not the demo's cost
    demo._frames.clear()
    wall, cpu = [], []
    for settings in demo.grid:  # each frame drawn from a cold cache: a redraw before display
        start, start_cpu = time.perf_counter(), time.process_time()
        demo.svg(**settings)  # SliderDemo.svg(value) takes its one setting by keyword too
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    start = time.perf_counter()
    page = demo.html().encode("utf-8")  # every frame drawn: packing and JSON only
    build = sum(wall) + time.perf_counter() - start
    controls = demo.widget().children[:-1]
    warm = []
    for settings in demo.grid:  # after display: what a reader's move costs in Jupyter
        start = time.perf_counter()
        for control, name in zip(controls, demo.names, strict=True):
            control.value = settings[name]
        warm.append(time.perf_counter() - start)
    return {"frames": len(demo.grid), "raw_kB": len(page) / 1e3,
            "gzip_kB": len(gzip.compress(page, 9)) / 1e3, "build_s": build,
            "cold_median_ms": 1e3 * statistics.median(wall), "cold_worst_ms": 1e3 * max(wall),
            "cold_cpu_median_ms": 1e3 * statistics.median(cpu),
            "cold_cpu_worst_ms": 1e3 * max(cpu),
            "redraw_median_ms": 1e3 * statistics.median(warm), "redraw_worst_ms": 1e3 * max(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", default=DEFAULT)
    parser.add_argument("--site", help="a built book, e.g. _build/html: report its page weights")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    results = []
    print(f"{'demo':26} {'frames':>6} {'raw kB':>7} {'gzip kB':>7} {'build s':>7}   "
          "frame drawn ms (wall median, worst; CPU median, worst)   redraw ms (median, worst)")
    for chapter in args.chapters:
        for name, demo in chapter_demos(ROOT / chapter):
            row = {"demo": name, **measure(demo)}
            results.append(row)
            print(f"{name:26} {row['frames']:6d} {row['raw_kB']:7.0f} {row['gzip_kB']:7.0f} "
                  f"{row['build_s']:7.1f}   {row['cold_median_ms']:4.0f} "
                  f"{row['cold_worst_ms']:4.0f}   {row['cold_cpu_median_ms']:4.0f} "
                  f"{row['cold_cpu_worst_ms']:4.0f}   {row['redraw_median_ms']:6.2f} "
                  f"{row['redraw_worst_ms']:6.2f}")
    if args.site:
        print(f"\n{'page':40} {'raw kB':>8} {'gzip kB':>8}")
        for page in sorted(Path(args.site).glob("chapters/*.html")):
            data = page.read_bytes()
            row = {"page": page.name, "raw_kB": len(data) / 1e3,
                   "gzip_kB": len(gzip.compress(data, 9)) / 1e3}
            results.append(row)
            print(f"{page.name:40} {row['raw_kB']:8.0f} {row['gzip_kB']:8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
