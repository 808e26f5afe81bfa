"""Grading throughput: notebooks per minute for a course's worth of submissions of one chapter.

Writes N submissions of one exercise notebook (half solved with the instructor's solutions,
half the blank student copy, as a class hands them in), grades them all with ``bookkit grade``
(each in its own sandboxes, ``--jobs`` at a time) and prints the rate. A measurement, never a
test: the machine is shared, so run it when it is quiet and read the rate as an estimate.

Usage: ``.venv/bin/python benchmarks/bench_grade.py [--n 200] [--notebook 07-backprop]
[--jobs CORES]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from bookkit.grade import grade
from bookkit.notebook import read_notebook
from bookkit.release import instructor_copy, student_copy
from bookkit.session import Settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Write the submissions, grade them, print notebooks per minute."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="submissions (200)")
    parser.add_argument("--notebook", default="07-backprop", help="exercise notebook")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    source = read_notebook(ROOT / "exercises" / f"{args.notebook}.ipynb")
    copies = [instructor_copy(source), student_copy(source)]
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as folder:
        for i in range(args.n):
            path = Path(folder) / f"learner{i:04d}" / f"{args.notebook}.ipynb"
            path.parent.mkdir()
            nbformat.write(copies[i % 2], path)
        started = time.perf_counter()
        reports = grade([folder], ROOT / "exercises", settings=Settings(), jobs=args.jobs)
        seconds = time.perf_counter() - started
    full = sum(r.score == r.max_score for r in reports)
    print(f"{args.n} submissions of {args.notebook} ({full} with full marks) graded in "
          f"{seconds:.0f} s with --jobs {args.jobs} on {os.cpu_count()} cores: "
          f"{60 * args.n / seconds:.1f} notebooks per minute "
          f"({seconds / args.n * args.jobs:.2f} s per notebook per job)")


if __name__ == "__main__":
    main()
