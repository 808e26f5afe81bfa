"""Hostile and careless submissions: exact points for every one, and a report that tells.

One run of the command line grades every submission of tests/hostile.py (one per attack class
of the grader's threat model) together with honest ones, two at a time, each in its sandboxes,
and every number below is checked against what each learner's code deserves.
"""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import FULL, SOURCE, solve, write_all, write_broken, write_names


def _second_source(folder: Path) -> None:
    text = SOURCE.read_text().replace("ex1-", "ex2-").replace("Exercise 1.", "Exercise 2.")
    (folder / "02-copy.ipynb").write_text(text)
    (folder / "01-sample.ipynb").write_text(SOURCE.read_text())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    import nbformat

    root = tmp_path_factory.mktemp("hostile")
    source, out = root / "source", root / "out"
    source.mkdir()
    _second_source(source)
    expected = write_all(root / "submitted", [out / "grades.csv", out / "grades.json"])
    broken = write_broken(root / "broken")
    odd_name = write_names(root / "names")
    (root / "links" / "linker").mkdir(parents=True)
    (root / "links" / "linker" / "01-sample.ipynb").symlink_to(SOURCE)
    twice = root / "dups" / "twice"
    twice.mkdir(parents=True)
    nbformat.write(solve({}), twice / "01-sample.ipynb")
    nbformat.write(solve({}), twice / "01-sample (1).ipynb")
    (root / "wrong" / "mixup").mkdir(parents=True)
    nbformat.write(solve({}), root / "wrong" / "mixup" / "02-copy (1).ipynb")
    honest = root / "submitted" / "honest-first" / "01-sample.ipynb"
    before = hashlib.sha256(honest.read_bytes()).hexdigest()
    # the command line in its own process: its stdout and stderr are what a terminal shows
    command = [sys.executable, "-m", "bookkit", "grade", str(root / "submitted"),
               str(root / "broken"), str(root / "names"), str(root / "links"),
               str(root / "dups"), str(twice / "01-sample.ipynb"), str(root / "wrong"),
               "--source", str(source), "--out", str(out), "--timeout", "6",
               "--notebook-timeout", "60", "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, timeout=600, check=False)
    status = done.returncode
    terminal = (done.stdout + done.stderr).decode("utf-8", "replace")
    csv_text = (out / "grades.csv").read_text(encoding="utf-8")
    time.sleep(1.0)  # a detached process would have rewritten the outputs by now
    return {"status": status, "root": root, "out": out, "expected": expected, "broken": broken,
            "odd": odd_name, "honest_before": before, "csv": csv_text,
            "terminal": terminal,
            "data": json.loads((out / "grades.json").read_text(encoding="utf-8"))}


def _by_learner(run):
    found = {}
    for entry in run["data"]["submissions"]:
        parts = Path(entry["submission"]).parts
        found.setdefault(parts[-2], []).append(entry)
    return found


def test_the_run_ends_normally_with_every_output(run):
    assert run["status"] == 0
    assert {p.name for p in run["out"].iterdir()} == {"grades.json", "grades.csv", "report.txt"}


@pytest.mark.parametrize("learner", [
    "patch-numpy", "reload-noop", "frame-walk", "array-trick", "steal-source", "setup-poison",
    "daemon", "kernel-json", "escape-codes", "write-fds", "kill-parent", "sleep-forever",
    "huge-print", "huge-result", "memory", "fork-bomb", "big-file", "solution-timeout",
    "careless-duplicated-solution", "careless-stripped-metadata", "careless-raw-test-cell",
    "careless-print-in-test", "honest-first", "honest-last"])
def test_every_hostile_submission_gets_exactly_its_points(run, learner):
    points, why = run["expected"][learner]
    (entry,) = _by_learner(run)[learner]
    got = tuple(ex["score"] for ex in entry["exercises"])
    assert (entry["status"], got) == ("graded", points), f"{learner} ({why}): {entry}"


def test_files_that_cannot_be_graded_get_one_line_each(run):
    by = _by_learner(run)
    for name, status in run["broken"].items():
        (entry,) = by[name.split("/")[0]]
        assert entry["status"] == status, entry
        if status == "invalid":
            assert entry["score"] == 0 and entry["message"].startswith(entry["submission"])
        else:
            assert [ex["score"] for ex in entry["exercises"]] == list(FULL)
    assert "cell 1 is a JSON int, not a cell object" in by["cells-not-objects"][0]["message"]
    assert "cell 1 has cell_type None" in by["empty-cell"][0]["message"]
    assert "metadata is null; ignored" in by["metadata-null"][0]["message"]
    (link,) = by["linker"]
    assert (link["status"], link["score"]) == ("invalid", 0)
    assert "symbolic link; links are not followed" in link["message"]


def test_a_name_that_is_not_utf8_is_graded_and_shown_escaped(run):
    (entry,) = _by_learner(run)["latin1"]
    assert entry["submission"].endswith("latin1/caf\\xe9 01-sample.ipynb")
    assert (entry["status"], entry["score"]) == ("graded", sum(FULL))
    assert "matched to 01-sample by its cells" in entry["message"]
    assert "caf\\xe9 01-sample.ipynb" in run["csv"]


def test_duplicates_and_a_renamed_notebook_of_another_exercise_are_named(run):
    by = _by_learner(run)
    statuses = sorted((Path(e["submission"]).name, e["status"], e["score"]) for e in by["twice"])
    assert statuses == [("01-sample (1).ipynb", "duplicate", 9),
                        ("01-sample.ipynb", "duplicate", 9), ("01-sample.ipynb", "invalid", 0)]
    assert any("is the same file as" in e["message"] for e in by["twice"])
    assert all("handed in 2 files for 01-sample" in e["message"] for e in by["twice"]
               if e["status"] == "duplicate")
    (mixup,) = by["mixup"]
    assert (mixup["status"], mixup["notebook"], mixup["score"]) == ("mismatch", "02-copy", 0)
    assert "holds the exercises of 01-sample.ipynb" in mixup["message"]


def test_no_submission_reaches_the_terminal_files_or_other_learners(run):
    report = (run["out"] / "report.txt").read_text(encoding="utf-8")
    assert "fake-line" not in run["terminal"] and "\x1b" not in run["terminal"]
    assert report in run["terminal"]
    assert "fake-line" not in report and "\x1b" not in report and "\x1b" not in run["csv"]
    assert "ex1-2-tests-value: error: ValueError: \\x1b[2J\\x1b[H\n" in report
    honest = run["root"] / "submitted" / "honest-first" / "01-sample.ipynb"
    assert hashlib.sha256(honest.read_bytes()).hexdigest() == run["honest_before"]
    assert not (run["root"] / "submitted" / "marker-from-sandbox").exists()
    assert (run["out"] / "grades.csv").read_text(encoding="utf-8") == run["csv"]
    for prefix in {sys.prefix, sys.base_prefix}:
        kernel = Path(prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
        assert not kernel.exists() or "os._exit" not in kernel.read_text()


def test_the_static_scan_flags_what_honest_work_never_needs(run):
    by = _by_learner(run)
    flags = {name: " | ".join(by[name][0]["flags"]) for name in
             ("patch-numpy", "reload-noop", "frame-walk", "steal-source", "kill-parent")}
    assert "ex1-1-solution: line 3: assigns to np.isclose of an imported module" in \
        flags["patch-numpy"]
    assert "imports importlib" in flags["reload-noop"] and ".meta_path" in flags["reload-noop"]
    assert "uses ._getframe" in flags["frame-walk"]
    assert "mentions /proc" in flags["steal-source"]
    assert "uses .kill" in flags["kill-parent"]
    assert by["honest-last"][0]["flags"] == []


def test_careless_learners_are_told_what_was_matched(run):
    by = _by_learner(run)
    notes = {name: json.dumps(by[name][0]) for name in by if name.startswith("careless")}
    assert "ex1-2-solution: 2 copies of this solution cell; the last one was graded" in \
        notes["careless-duplicated-solution"]
    assert "ex1-1-solution: nbgrader metadata missing; the cell that defines " \
           "quadratic_gradient was graded" in notes["careless-stripped-metadata"]
    assert "ex1-3-tests: test cell is a raw cell in the submission; the original ran" in \
        notes["careless-raw-test-cell"]
    assert "ex1-1-tests: test cell edited in the submission; the original ran" in \
        notes["careless-print-in-test"]
    assert "solution-timeout" in by
    timeout = by["solution-timeout"][0]["exercises"][1]
    assert timeout["status"] == "timeout" and "costs its exercise" in " ".join(timeout["notes"])
