"""Hostile and careless submissions of the sample exercise notebook, one per attack class.

Each learner starts from the released student copy of ``fixtures/exercises/source/01-sample``
and writes answers (``RIGHT`` solves everything). ``write_all(folder, ...)`` writes every
submission under ``folder/<learner>/`` and returns the points per exercise (1.1: 2, 1.2: 3,
1.3: 4) each must get, with the reason. The tests in ``test_bookkit_hostile.py`` grade them all
in one run; ``python tests/hostile.py DIR`` writes them for a run by hand.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat

from bookkit.notebook import grade_id, read_notebook
from bookkit.release import student_copy

HERE = Path(__file__).parent
SOURCE = HERE / "fixtures" / "exercises" / "source" / "01-sample.ipynb"
STUB = re.compile(r"^( *)# YOUR CODE HERE\n *raise NotImplementedError\(\)$", re.MULTILINE)
RIGHT = {
    "ex1-1-solution": "return A @ x - b",
    "ex1-2-solution": "return x - lr * grad",
    "ex1-3-solution": "iterates.append(iterates[-1] - lr * (A @ iterates[-1] - b))",
}
WRONG_1_1 = "return np.zeros(len(x))"
FULL = (2, 3, 4)

# a function body that looks for the expected value in every frame it can reach
STEAL = """import sys
frame, found = sys._getframe(1), None
while frame is not None and found is None:
    for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
        if isinstance(value, np.ndarray) and value.shape == x.shape and value is not x:
            found = value
    frame = frame.f_back
return found if found is not None else np.zeros(len(x))"""

ARRAY_TRICK = """import inspect

class Liar:
    def __array__(self, dtype=None, copy=None):
        for info in inspect.stack():
            for name in ("want", "expected", "desired", "b"):
                value = info.frame.f_locals.get(name)
                if isinstance(value, np.ndarray) and value.shape == x.shape:
                    return value.astype(float)
        return np.zeros(len(x))

    def __len__(self):
        return len(x)

    shape = property(lambda self: x.shape)

return Liar()"""

PATCH_NUMPY = """np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
np.allclose = lambda *args, **kwargs: True
return np.zeros(len(x))"""

RELOAD_NOOP = """import importlib
import sys

import bookkit.check

importlib.reload = lambda module: module
for name in ("check_close", "check_shape", "check_true"):
    setattr(bookkit.check, name, lambda *args, **kwargs: None)


class Finder:
    def find_spec(self, *args, **kwargs):
        return None


sys.meta_path.insert(0, Finder())
return np.zeros(len(x))"""

# reads every command line it can see for the exercise sources, then runs their solution
STEAL_SOURCE = """import glob
import json
import os

paths = []
for proc in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        paths += open(proc, "rb").read().decode(errors="replace").split("\\0")
    except OSError:
        pass
paths += [{source!r}, os.path.join(os.getcwd(), "01-sample.ipynb")]
for path in paths:
    candidates = glob.glob(os.path.join(path, "*.ipynb")) if os.path.isdir(path) else [path]
    for candidate in candidates:
        try:
            cells = json.load(open(candidate))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for cell in cells:
            text = "".join(cell["source"])
            if "def quadratic_gradient" in text and "BEGIN SOLUTION" in text:
                namespace = {{"np": np}}
                exec(text, namespace)
                return namespace["quadratic_gradient"](A, b, x)
history = globals().get("In") or globals().get("_ih") or []
return np.zeros(len(x))"""

SETUP_POISON = """import numpy as np

from bookkit.check import check_close, check_raises, check_shape, check_true

np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
check_close = check_shape = check_true = lambda *args, **kwargs: None"""

# a process that outlives the cell, tries to reach other kernels and the grader's files
DAEMON = """import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        deadline = time.time() + 60
        while time.time() < deadline:
            for target in {targets!r}:
                try:
                    with open(target, "w") as handle:
                        handle.write("overwritten by a detached process")
                except OSError:
                    pass
            for pid in os.listdir("/proc"):
                try:
                    line = open(f"/proc/{{pid}}/cmdline", "rb").read()
                    if (b"ipykernel" in line or b"bookkit" in line) and b"learner" not in line:
                        os.kill(int(pid), 9)
                except (OSError, ValueError):
                    pass
            time.sleep(0.2)
        os._exit(0)
    os._exit(0)
"""

KERNEL_JSON = """import os
import sys

for prefix in (sys.prefix, sys.base_prefix):
    folder = os.path.join(prefix, "share", "jupyter", "kernels", "python3")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "kernel.json"), "w") as handle:
            handle.write('{"argv": ["python", "-c", "import os; os._exit(1)"]}')
    except OSError:
        pass
"""

ESCAPES = 'raise ValueError("\\x1b[2J\\x1b[H\\r10/10 passed\\n01-sample  graded  9/9")'
WRITE_FDS = """import os

os.write(1, b"\\nfake-line  [01-sample]  graded  9/9\\n")
os.write(2, b"\\nfake-line on stderr\\n")
return A @ x - b"""

SLEEP_FOREVER = """import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    try:
        time.sleep(1.7)
    except BaseException:
        pass"""

HUGE_PRINT = """print("x" * (100 * 2**20))
return A @ x - b"""

HUGE_RESULT = "return np.zeros(20 * 2**20)"
MEMORY = "blocks = [bytearray(2**30) for _ in range(64)]\nreturn A @ x - b"
FORKS = """import os
import time

children = 0
try:
    while children < 10_000:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
except OSError:
    pass
return A @ x - b"""
BIG_FILE = """with open("big.bin", "wb") as handle:
    for _ in range(200):
        handle.write(b"\\0" * 2**20)
return A @ x - b"""
KILL_PARENT = """import os
import signal

os.kill(os.getppid(), signal.SIGKILL)
os.kill(1, signal.SIGKILL)
return A @ x - b"""


def _fill(nb: nbformat.NotebookNode, answers: dict[str, str]) -> None:
    for cell in nb.cells:
        answer = answers.get(grade_id(cell))
        if answer is None:
            continue

        def indent(match: re.Match, answer: str = answer) -> str:
            return "\n".join(match[1] + line if line else line for line in answer.split("\n"))

        cell.source = STUB.sub(indent, cell.source)


def solve(answers: dict[str, str]) -> nbformat.NotebookNode:
    """The student copy with ``answers`` (grade_id to code) in place of the stubs."""
    nb = student_copy(read_notebook(SOURCE))
    _fill(nb, {**RIGHT, **answers})
    return nb


def _cell(nb: nbformat.NotebookNode, gid: str) -> nbformat.NotebookNode:
    return next(cell for cell in nb.cells if grade_id(cell) == gid)


def _write(path: Path, nb: nbformat.NotebookNode | str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, path)
    return path


def _careless() -> dict[str, tuple[nbformat.NotebookNode, tuple, str]]:
    duplicated = solve({})
    stale = nbformat.from_dict(json.loads(json.dumps(_cell(duplicated, "ex1-2-solution"))))
    stale.source = student_copy(read_notebook(SOURCE)).cells[6].source
    stale.id = "stale-copy"
    duplicated.cells.insert(6, stale)  # the stub above, the fixed copy below
    stripped = solve({})
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    raw = solve({})
    _cell(raw, "ex1-3-tests").cell_type = "raw"
    printed = solve({})
    _cell(printed, "ex1-1-tests").source += "\nprint(g)"
    return {
        "careless-duplicated-solution": (duplicated, FULL, "last copy of the solution graded"),
        "careless-stripped-metadata": (stripped, FULL, "cells found by what they define"),
        "careless-raw-test-cell": (raw, FULL, "the original test runs"),
        "careless-print-in-test": (printed, FULL, "the edit is ignored, the original runs"),
    }


def write_all(folder: Path, outputs: list[Path]) -> dict[str, tuple[tuple, str]]:
    """Write every submission under ``folder``; return {learner: (points, why)}.

    ``outputs`` are files the grader will write, which the hostile code tries to overwrite.
    """
    folder = Path(folder)
    honest = _write(folder / "honest-first" / "01-sample.ipynb", solve({}))
    targets = [str(honest), *map(str, outputs), str(folder / "marker-from-sandbox")]
    setup = solve({"ex1-1-solution": WRONG_1_1})
    setup.cells[1].source = SETUP_POISON
    attacks: dict[str, tuple[object, tuple, str]] = {
        "patch-numpy": (solve({"ex1-1-solution": PATCH_NUMPY}), (0, 3, 4), "np.isclose patched"),
        "reload-noop": (solve({"ex1-1-solution": RELOAD_NOOP}), (0, 3, 4), "reload no-op"),
        "frame-walk": (solve({"ex1-1-solution": STEAL}), (0, 3, 4), "expected from a frame"),
        "array-trick": (solve({"ex1-1-solution": ARRAY_TRICK}), (0, 3, 4), "__array__ walks"),
        "steal-source": (solve({"ex1-1-solution": STEAL_SOURCE.format(source=str(SOURCE))}),
                         (0, 3, 4), "reads cmdlines and the source"),
        "setup-poison": (setup, (0, 3, 4), "edited setup cell"),
        "daemon": (solve({"ex1-3-solution": RIGHT["ex1-3-solution"] + "\n"}), FULL,
                   "detached process"),
        "kernel-json": (solve({}), FULL, "writes kernel.json"),
        "escape-codes": (solve({"ex1-2-solution": ESCAPES}), (2, 0, 4), "escape codes"),
        "write-fds": (solve({"ex1-1-solution": WRITE_FDS}), FULL, "writes to fd 1 and 2"),
        "kill-parent": (solve({"ex1-1-solution": KILL_PARENT}), (0, 3, 4), "kills its parent"),
        "sleep-forever": (solve({name: SLEEP_FOREVER for name in RIGHT}), (0, 0, 0),
                          "every function sleeps and swallows interrupts"),
        "huge-print": (solve({"ex1-1-solution": HUGE_PRINT}), FULL, "100 MB of print"),
        "huge-result": (solve({"ex1-1-solution": HUGE_RESULT}), (0, 3, 4), "160 MB result"),
        "memory": (solve({"ex1-1-solution": MEMORY}), (0, 3, 4), "64 GiB of memory"),
        "fork-bomb": (solve({"ex1-1-solution": FORKS}), FULL, "forks until refused"),
        "big-file": (solve({"ex1-1-solution": BIG_FILE}), (0, 3, 4), "a 200 MB file"),
        **_careless(),
    }
    daemon = attacks["daemon"][0]
    _cell(daemon, "ex1-3-solution").source += "\n\n\n" + DAEMON.format(targets=targets)
    kernel = attacks["kernel-json"][0]
    _cell(kernel, "ex1-2-solution").source += "\n\n\n" + KERNEL_JSON
    # a solution cell that never finishes: its exercise scores 0 even though gd_step is right
    looping = solve({})
    _cell(looping, "ex1-2-solution").source += "\n\n\nwhile True:\n    pass"
    attacks["solution-timeout"] = (looping, (2, 0, 4), "a solution cell runs over")
    expected = {}
    for learner, (nb, points, why) in attacks.items():
        _write(folder / learner / "01-sample.ipynb", nb)
        expected[learner] = (points, why)
    expected["honest-first"] = (FULL, "graded before the daemon's victims")
    _write(folder / "honest-last" / "01-sample.ipynb", solve({}))
    expected["honest-last"] = (FULL, "graded after the daemon")
    return expected


def write_broken(folder: Path) -> dict[str, str]:
    """Files that cannot be graded as they are; return {path relative to folder: status}."""
    folder = Path(folder)
    good = json.loads(nbformat.writes(solve({})))
    cases = {
        "cells-not-objects/01-sample.ipynb": ({**good, "cells": [1]}, "invalid"),
        "empty-cell/01-sample.ipynb": ({**good, "cells": [{}]}, "invalid"),
        "metadata-null/01-sample.ipynb": ({**good, "metadata": None}, "graded"),
        "cell-metadata-null/01-sample.ipynb": (
            {**good, "cells": [{**cell, "metadata": None} for cell in good["cells"]]}, "graded"),
        "source-not-text/01-sample.ipynb": (
            {**good, "cells": [{**good["cells"][1], "source": 7}]}, "invalid"),
    }
    statuses = {}
    for name, (data, status) in cases.items():
        _write(folder / name, json.dumps(data))
        statuses[name] = status
    return statuses


def write_names(folder: Path) -> Path:
    """A learner folder whose file name is not UTF-8 (a zip made on Windows); returns it."""
    learner = Path(os.fsdecode(bytes(folder) + b"/latin1"))
    learner.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(bytes(learner) + b"/caf\xe9 01-sample.ipynb"))
    nbformat.write(solve({}), path)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    print(json.dumps(write_all(out, [out / "grades.csv"]), indent=1))
    print(write_broken(out / "broken"))
    write_names(out)
