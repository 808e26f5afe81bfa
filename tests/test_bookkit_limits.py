"""Time limits and failures per file: a runaway notebook is cut off, a grader error is one line."""

import time

import nbformat
from hostile import SLEEP_FOREVER, SOURCE, solve

import bookkit.grade
from bookkit.grade import grade_submission, load_sources
from bookkit.session import Settings


def test_the_whole_notebook_has_a_time_limit(tmp_path):
    path = tmp_path / "sleeper" / "01-sample.ipynb"
    path.parent.mkdir()
    nbformat.write(solve({name: SLEEP_FOREVER for name in
                          ("ex1-1-solution", "ex1-2-solution", "ex1-3-solution")}), path)
    started = time.monotonic()
    report = grade_submission(path, load_sources(SOURCE.parent),
                              Settings(timeout=5, notebook_timeout=15))
    elapsed = time.monotonic() - started
    assert [ex.score for ex in report.exercises] == [0, 0, 0]
    notes = [note for ex in report.exercises for note in ex.notes]
    assert notes[0] == "ex1-1-tests: timeout: the cell ran longer than 5 s"
    assert notes[-1] == "ex1-3-tests: timeout: not run: the notebook ran over its time limit " \
                        "of 15 s"
    # a hang detector, not a speed test: the limit plus one cell plus a minute for a busy machine
    assert elapsed < 15 + 5 + 60, f"grading took {elapsed:.1f} s; the notebook's limit is 15 s"


def test_a_grader_failure_on_one_file_is_a_line_in_the_report(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("\x1b[2Jsomething went wrong")

    monkeypatch.setattr(bookkit.grade, "grade_notebook", broken)
    report = grade_submission(SOURCE, load_sources(SOURCE.parent))
    assert (report.status, report.score) == ("error", 0)
    assert report.message == f"{SOURCE}: the grader failed on this file (RuntimeError: " \
                             "\\x1b[2Jsomething went wrong); grade it again alone"
