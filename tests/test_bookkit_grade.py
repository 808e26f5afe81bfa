"""Grading: exact points for known submissions, and a report line (never a traceback) for bad ones.

Expected points come from the fixture's metadata (1.1: 2 points; 1.2: 1 + 2; 1.3: 4; total 9)
and from what each fixture learner wrote (tests/fixtures/exercises/make_submissions.py).
All submissions are graded once, in one module-scoped run, with a 5 s limit per cell, each in
the bubblewrap sandbox.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest

from bookkit.grade import grade, grade_submission, load_sources, match_source
from bookkit.notebook import read_notebook
from bookkit.report import table, write_csv, write_json

FIXTURES = Path(__file__).parent / "fixtures" / "exercises"
SOURCE_DIR = FIXTURES / "source"
SUBMISSIONS = FIXTURES / "submissions"
LEARNERS = ["half-solved", "infinite-loop", "crash", "tampered", "deleted-cell"]
# points per exercise (1.1, 1.2, 1.3) that each learner must get
EXPECTED = {
    # 1.1 passes the visible test only (np.diag(A) * x): the hidden test costs both points;
    # 1.2 updates x in place: 1 point for the value, 0 of 2 for the copy test (3 of 3 if the
    # grader let this learner's own `check_true = <no-op>` stand)
    "half-solved": (0, 1, 4),
    "infinite-loop": (0, 3, 4),  # 1.1 never returns: the time limit costs that exercise only
    "crash": (2, 0, 4),  # 1.2's cell kills the kernel; 1.3 still needs numpy: replayed imports
    # 1.2 updates x in place and its copy test is rewritten to pass: the original test runs
    "tampered": (2, 1, 4),
    "deleted-cell": (2, 3, 0),  # a wrong 1.3 whose test cell was deleted: the original runs
    "instructor": (2, 3, 4),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    damaged = tmp_path_factory.mktemp("damaged") / "01-sample.ipynb"
    damaged.write_text((SOURCE_DIR / "01-sample.ipynb").read_text()[:500])
    paths = [SUBMISSIONS / name / "01-sample.ipynb" for name in LEARNERS]
    paths += [SOURCE_DIR / "01-sample.ipynb", damaged, SUBMISSIONS / "unknown" / "notes.ipynb"]
    results = grade(paths, SOURCE_DIR, timeout=5)
    return dict(zip([*LEARNERS, "instructor", "damaged", "unknown"], results, strict=True))


@pytest.mark.parametrize("learner", list(EXPECTED))
def test_each_exercise_gets_exactly_the_expected_points(reports, learner):
    report = reports[learner]
    assert report.status == "graded" and report.notebook == "01-sample"
    assert tuple(ex.score for ex in report.exercises) == EXPECTED[learner]
    assert [ex.max_score for ex in report.exercises] == [2, 3, 4]
    assert (report.score, report.max_score) == (sum(EXPECTED[learner]), 9)


def _notes(report):
    return "\n".join(note for ex in report.exercises for note in ex.notes)


def test_reports_say_why_points_were_lost(reports):
    assert [ex.status for ex in reports["half-solved"].exercises] == [
        "failed", "partial", "passed"]
    assert "ex1-1-tests: error: AssertionError: gradient with a non-diagonal A: expected 2 at " \
           "index (0,), got 3" in _notes(reports["half-solved"])
    assert _notes(reports["infinite-loop"]) == \
        "ex1-1-tests: timeout: the cell ran longer than 5 s"
    assert "ex1-2-solution: crash: the learner's process died" in _notes(reports["crash"])
    assert reports["tampered"].exercises[1].status == "partial"
    assert _notes(reports["tampered"]).splitlines() == [
        "ex1-2-tests-copy: error: AssertionError: a new array from gd_step: expected True, got "
        "False; hint: x - lr * grad builds a new array; x -= ... does not",
        "ex1-2-tests-copy: test cell edited in the submission; the original ran"]
    assert reports["deleted-cell"].exercises[2].status == "failed"
    assert _notes(reports["deleted-cell"]).splitlines()[-1] == \
        "ex1-3-tests: test cell not found by its grade_id (deleted, or its metadata " \
        "stripped); the original ran"
    assert _notes(reports["instructor"]) == ""


def test_damaged_and_unknown_notebooks_get_a_report_line(reports):
    damaged, unknown = reports["damaged"], reports["unknown"]
    assert (damaged.status, damaged.notebook, damaged.score, damaged.max_score) == \
        ("invalid", "01-sample", 0, 9)
    assert "01-sample.ipynb: not valid JSON (" in damaged.message
    assert (unknown.status, unknown.notebook, unknown.max_score) == ("unknown", None, None)
    assert unknown.message.endswith("notes.ipynb: matches no exercise source (none is named "
                                    "notes.ipynb and no cell carries a known grade_id)")


def test_json_and_csv_read_back_with_the_same_numbers(reports, tmp_path):
    ordered = list(reports.values())
    write_json(ordered, tmp_path / "g.json")
    write_csv(ordered, tmp_path / "g.csv")
    data = json.loads((tmp_path / "g.json").read_text())
    assert [s["score"] for s in data["submissions"]] == [r.score for r in ordered]
    assert [[e["score"] for e in s["exercises"]] for s in data["submissions"]][:6] == \
        [list(EXPECTED[name]) for name in EXPECTED]
    with open(tmp_path / "g.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    totals = {row["submission"]: float(row["score"]) for row in rows
              if row["exercise"] == "total"}
    assert totals == {r.submission: r.score for r in ordered}
    per_exercise = [(row["exercise"], float(row["score"]), float(row["max_score"]))
                    for row in rows if row["submission"] == reports["half-solved"].submission]
    assert per_exercise == [("1.1", 0, 2), ("1.2", 1, 3), ("1.3", 4, 4), ("total", 5, 9)]


def test_table_shows_one_line_per_exercise(reports):
    text = table([reports["half-solved"], reports["unknown"]])
    assert "01-sample.ipynb  [01-sample]  graded  5/9" in text
    assert "    1.2        1/3     partial   One gradient-descent step" in text
    assert "notes.ipynb  [?]  unknown  0/?" in text


def test_a_renamed_submission_is_matched_by_its_grade_ids(tmp_path):
    sources = load_sources(SOURCE_DIR)
    renamed = tmp_path / "01-sample (1).ipynb"
    shutil.copy(SUBMISSIONS / "tampered" / "01-sample.ipynb", renamed)
    assert match_source(renamed, read_notebook(renamed), sources) == "01-sample"
    typo = tmp_path / "01-sampel.ipynb"
    shutil.copy(SUBMISSIONS / "unknown" / "notes.ipynb", typo)
    assert grade_submission(typo, sources).message.endswith("did you mean 01-sample.ipynb?")
