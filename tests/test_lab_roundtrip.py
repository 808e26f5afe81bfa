"""A self-learner's round trip through the public command line: workspace, answer, grade.

``python -m bookkit lab --sync-only`` makes the workspace; the learner answers exercise 7.1 in the
student copy; ``python -m bookkit grade workspace/exercises/07-backprop.ipynb`` (run from the
repository's folder, as the README says) gives full points for 7.1 and none for the stubs left.
"""

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

from bookkit.notebook import is_solution
from bookkit.release import drop_markers

ROOT = Path(__file__).resolve().parents[1]


def bookkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookkit", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)


def test_an_answer_written_in_the_workspace_is_graded_by_the_instructors_tests(tmp_path):
    workspace = tmp_path / "workspace"
    bookkit("lab", "--sync-only", "--workspace", str(workspace))
    copy = workspace / "exercises" / "07-backprop.ipynb"
    learner = nbformat.read(copy, as_version=4)
    assert not any(is_solution(c) and "BEGIN SOLUTION" in c.source for c in learner.cells)
    source = nbformat.read(ROOT / "exercises" / "07-backprop.ipynb", as_version=4)
    answer = next(c for c in source.cells if is_solution(c))   # exercise 7.1's, by hand here
    target = next(c for c in learner.cells if is_solution(c))
    target.source = drop_markers(answer.source)
    nbformat.write(learner, copy)

    report = tmp_path / "grades.csv"
    printed = bookkit("grade", str(copy), "--csv", str(report)).stdout
    assert "07-backprop" in printed
    with open(report, newline="", encoding="utf-8") as handle:
        scores = {row["exercise"]: (float(row["score"]), float(row["max_score"]))
                  for row in csv.DictReader(handle)}
    total = scores.pop("total")
    assert len(scores) == 5, f"chapter 7 has five exercises: {scores}"
    answered, *others = scores.values()
    assert answered[0] == answered[1] > 0, f"the answered exercise lost points: {scores}"
    assert all(score == 0 for score, _ in others), f"stubs must score 0: {scores}"
    assert total == (answered[0], sum(most for _, most in scores.values()))
