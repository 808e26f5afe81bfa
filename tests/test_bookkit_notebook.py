"""The exercise source format: parsing, and a clear error for every way to break it."""

import copy
import json
from pathlib import Path

import pytest

from bookkit.notebook import (
    SourceFormatError,
    checksum,
    load_source,
    marked_regions,
    read_notebook,
    validate,
)

SAMPLE = Path(__file__).parent / "fixtures" / "exercises" / "source" / "01-sample.ipynb"
# cell indices of the sample (see the notebook): 1 imports, 2/5/9 headings, 3/6/10 solutions,
# 4/7/8/11 graded tests
IMPORTS, HEADING, SOLUTION, TEST, LAST_TEST = 1, 2, 3, 4, 11


@pytest.fixture
def nb():
    return read_notebook(SAMPLE)


def test_the_sample_has_three_exercises_with_their_tests_and_points(nb):
    exercises = validate(nb, SAMPLE)
    assert [(e.number, e.title) for e in exercises] == [
        ("1.1", "The gradient of a quadratic"), ("1.2", "One gradient-descent step"),
        ("1.3", "Gradient descent on the quadratic")]
    assert [e.test_ids for e in exercises] == [
        ["ex1-1-tests"], ["ex1-2-tests-value", "ex1-2-tests-copy"], ["ex1-3-tests"]]
    points = {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
              for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    assert [e.max_points for e in exercises] == [
        points["ex1-1-tests"], points["ex1-2-tests-value"] + points["ex1-2-tests-copy"],
        points["ex1-3-tests"]]
    assert exercises[0].cell_indices == [2, 3, 4] and exercises[0].label == "ex-1-1"


def _meta(nb, index):
    return nb.cells[index].metadata["nbgrader"]


def _drop(key):
    return lambda nb: _meta(nb, TEST).pop(key)


def _set(index, key, value):
    return lambda nb: _meta(nb, index).__setitem__(key, value)


def _source(index, old, new):
    return lambda nb: setattr(nb.cells[index], "source", nb.cells[index].source.replace(old, new))


BROKEN = [
    (_drop("locked"), r"01-sample.ipynb, cell 5 \(ex1-1-tests\): nbgrader metadata lacks "
                      r"'locked'; nbgrader needs all of schema_version, grade"),
    (_set(TEST, "schema_version", 1), r"cell 5 \(ex1-1-tests\): schema_version is 1; "
                                      r"nbgrader 0\.9 needs 3"),
    (_drop("points"), r"cell 5 \(ex1-1-tests\): graded cell needs positive 'points', got None"),
    (_set(TEST, "points", 0), r"graded cell needs positive 'points', got 0"),
    (_set(TEST, "points", "2"), r"graded cell needs positive 'points', got '2'"),
    (_set(TEST, "locked", False), r"cell 5 \(ex1-1-tests\): graded test cell must be locked"),
    (_set(TEST, "task", True), r"task cells \(graded by hand\) are not supported"),
    (_set(SOLUTION, "grade", True), r"cell 4 \(ex1-1-solution\): grade and solution are both"),
    (_set(TEST, "grade_id", "ex1-1-solution"), r"cell 5 \(ex1-1-solution\): grade_id "
                                               r"'ex1-1-solution' is also used by cell 4"),
    (_source(SOLUTION, "### END SOLUTION", ""), r"cell 4 \(ex1-1-solution\): '### BEGIN "
                                                r"SOLUTION' on line 3 has no matching"),
    (_source(SOLUTION, "### BEGIN SOLUTION", ""), r"'### END SOLUTION' on line 5 without"),
    (_source(SOLUTION, "### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"),
     r"'### BEGIN SOLUTION' on line 4 inside an open region"),
    (lambda nb: setattr(nb.cells[SOLUTION], "source", "def f():\n    return 1"),
     r"cell 4 \(ex1-1-solution\): solution cell has no '### BEGIN SOLUTION' / '### END"),
    (_source(TEST, "A = ", "### BEGIN SOLUTION\n### END SOLUTION\nA = "),
     r"cell 5 \(ex1-1-tests\): '### BEGIN SOLUTION' found, but the cell is not a solution "
     r"cell; it would leak"),
    (_source(SOLUTION, "def ", "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\ndef "),
     r"'### BEGIN HIDDEN TESTS' found, but the cell is not a graded test cell"),
    (lambda nb: nb.cells[LAST_TEST].metadata.pop("nbgrader"),
     r"Exercise 1\.3 \(Gradient descent on the quadratic\) has no graded test cell"),
    (_source(HEADING, "## Exercise 1.1 —", "## Exercise one:"),
     r"cell 3: heading '## Exercise one: The gradient of a quadratic' should read "
     r"'## Exercise 7\.1 — Title'"),
    (_source(5, "Exercise 1.2", "Exercise 1.1"), r"exercise number 1\.1 is used twice"),
    (lambda nb: nb.cells[IMPORTS].metadata.update(nbgrader={
        "schema_version": 3, "grade": False, "solution": True, "locked": False, "task": False,
        "grade_id": "setup"}), r"cell 2 \(setup\): marked cell before the first '## Exercise'"),
    (lambda nb: setattr(nb.cells[SOLUTION], "cell_type", "markdown"),
     r"cell 4 \(ex1-1-solution\): solution cells must be code cells"),
    (lambda nb: setattr(nb, "cells", nb.cells[:2]), r"no '## Exercise N\.M — Title' heading"),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN, ids=[m[-40:] for _, m in BROKEN])
def test_every_broken_rule_is_named_with_notebook_and_cell(nb, breakage, message):
    broken = copy.deepcopy(nb)
    breakage(broken)
    with pytest.raises(SourceFormatError, match=message):
        validate(broken, SAMPLE)


def test_all_problems_are_reported_at_once(nb):
    _meta(nb, TEST).pop("points")
    _meta(nb, LAST_TEST)["schema_version"] = 2
    with pytest.raises(SourceFormatError) as info:
        validate(nb, SAMPLE)
    assert "cell 5 (ex1-1-tests): graded cell needs positive 'points'" in str(info.value)
    assert "cell 12 (ex1-3-tests): schema_version is 2" in str(info.value)


def test_unreadable_files_get_one_clear_error(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [')
    with pytest.raises(SourceFormatError, match=r"bad\.ipynb: not valid JSON \(Expecting value: "
                       r"line 1 column 12 \(char 11\)\); the file is damaged"):
        read_notebook(bad)
    bad.write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    with pytest.raises(SourceFormatError, match=r"not a Jupyter notebook in nbformat 4"):
        read_notebook(bad)
    with pytest.raises(SourceFormatError, match=r"missing\.ipynb: cannot read the file"):
        load_source(tmp_path / "missing.ipynb")


def test_regions_and_checksums():
    text = "a\n  ### BEGIN SOLUTION\nb\n  ### END SOLUTION\nc\n### BEGIN SOLUTION\n### END SOLUTION"
    assert marked_regions(text, "### BEGIN SOLUTION", "### END SOLUTION") == [(1, 3), (5, 6)]
    assert checksum("x = 1  \r\ny = 2\n") == checksum("x = 1\ny = 2")
    assert checksum("x = 1\ny = 2") != checksum("x = 1\ny = 3")
