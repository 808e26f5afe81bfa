"""Read and validate exercise sources written in the book's nbgrader-compatible format.

A source notebook (``exercises/07-backprop.ipynb``) holds, for each exercise, a markdown heading
``## Exercise 7.1 — <title>``, solution code cells whose learner part sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, and one or more graded test cells whose
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` part is withheld from learners. Every marked
cell carries nbgrader's version 3 cell metadata, so the same file loads into nbgrader unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
REQUIRED_KEYS = ("schema_version", "grade", "solution", "locked", "task", "grade_id")
HEADING = re.compile(r"^##\s+Exercise\s+(\d+(?:\.\d+)*)\s*[—–-]+\s*(\S.*?)\s*$")


class SourceFormatError(ValueError):
    """An exercise notebook does not follow the source format described in exercises/README.md."""


@dataclass
class Exercise:
    """One exercise of a source notebook.

    Attributes
    ----------
    number : str
        The book's number, e.g. ``"7.1"``.
    title : str
        The title after the dash of the heading.
    heading_index : int
        Index of the markdown cell that opens the exercise.
    cell_indices : list of int
        Indices of every cell of the exercise, heading included, in order.
    test_ids : list of str
        ``grade_id`` of each graded test cell, in order.
    points : dict of str to float
        Points of each graded test cell, keyed by ``grade_id``.
    """

    number: str
    title: str
    heading_index: int
    cell_indices: list[int] = field(default_factory=list)
    test_ids: list[str] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Cross-reference label of the exercise in the reader copy, e.g. ``ex-7-1``."""
        return "ex-" + self.number.replace(".", "-")

    @property
    def max_points(self) -> float:
        """Sum of the points of the exercise's graded test cells."""
        return sum(self.points.values())


def nbgrader_meta(cell: NotebookNode) -> dict:
    """Return the cell's ``nbgrader`` metadata, or an empty dict for a plain cell."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_solution(cell: NotebookNode) -> bool:
    """True for a cell whose learner part is replaced by a stub in the student copy."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    """True for a graded test cell (nbgrader ``grade: true``)."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_locked(cell: NotebookNode) -> bool:
    """True for a cell the learner must not edit (nbgrader ``locked: true``)."""
    return bool(nbgrader_meta(cell).get("locked"))


def grade_id(cell: NotebookNode) -> str | None:
    """Return the cell's nbgrader ``grade_id``, or None for a plain cell."""
    value = nbgrader_meta(cell).get("grade_id")
    return value if isinstance(value, str) else None


def checksum(source: str) -> str:
    """SHA-256 of a cell source, ignoring trailing whitespace on lines and at the ends."""
    lines = [line.rstrip() for line in source.replace("\r\n", "\n").strip().split("\n")]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def read_notebook(path: str | Path) -> NotebookNode:
    """Read a notebook, turning every kind of unreadable file into one clear ValueError.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file.

    Returns
    -------
    NotebookNode
        The notebook, as nbformat version 4.

    Raises
    ------
    SourceFormatError
        If the file is missing, is not JSON, or is not a version 4 notebook.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceFormatError(f"{path}: cannot read the file ({err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SourceFormatError(
            f"{path}: not valid JSON ({err}); "
            "the file is damaged: open it in Jupyter or restore it from a copy"
        ) from None
    if not isinstance(data, dict) or data.get("nbformat") != 4 or "cells" not in data:
        raise SourceFormatError(f"{path}: not a Jupyter notebook in nbformat 4 (no 'cells' list)")
    return nbformat.reads(text, as_version=4)


def marked_regions(source: str, begin: str, end: str) -> list[tuple[int, int]]:
    """Return (begin_line, end_line) index pairs of every ``begin``...``end`` region.

    Raises
    ------
    ValueError
        If the markers are unbalanced or nested.
    """
    regions, start = [], None
    for number, line in enumerate(source.split("\n")):
        marker = line.strip()
        if marker == begin:
            if start is not None:
                raise ValueError(f"'{begin}' on line {number + 1} inside an open region")
            start = number
        elif marker == end:
            if start is None:
                raise ValueError(f"'{end}' on line {number + 1} without '{begin}'")
            regions.append((start, number))
            start = None
    if start is not None:
        raise ValueError(f"'{begin}' on line {start + 1} has no matching '{end}'")
    return regions


def _cell_name(path: Path, index: int, cell: NotebookNode) -> str:
    gid = grade_id(cell)
    return f"{path.name}, cell {index + 1}" + (f" ({gid})" if gid else "")


def _metadata_problems(cell: NotebookNode) -> list[str]:
    meta = nbgrader_meta(cell)
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        return [f"nbgrader metadata lacks {', '.join(map(repr, missing))}; nbgrader needs "
                f"all of {', '.join(REQUIRED_KEYS)}"]
    problems = []
    if meta["schema_version"] != 3:
        problems.append(f"schema_version is {meta['schema_version']!r}; nbgrader 0.9 needs 3")
    if meta["solution"] and cell.cell_type != "code":
        problems.append("solution cells must be code cells (written answers are not graded)")
    if meta["task"]:
        problems.append("task cells (graded by hand) are not supported; use a test cell")
    if meta["grade"] and meta["solution"]:
        problems.append("grade and solution are both true (a hand-graded answer); split it "
                        "into a solution cell and a test cell")
    points = meta.get("points")
    if meta["grade"] and (isinstance(points, bool) or not isinstance(points, int | float)
                          or points <= 0):
        problems.append(f"graded cell needs positive 'points', got {points!r}")
    if meta["grade"] and not meta["locked"]:
        problems.append("graded test cell must be locked (locked: true)")
    return problems


def _marker_problems(cell: NotebookNode) -> list[str]:
    source, problems = cell.source, []
    for begin, end, allowed, kind in ((BEGIN_SOLUTION, END_SOLUTION, is_solution(cell),
                                       "solution"),
                                      (BEGIN_HIDDEN, END_HIDDEN, is_test(cell), "graded test")):
        try:
            regions = marked_regions(source, begin, end)
        except ValueError as err:
            problems.append(str(err))
            continue
        if regions and not allowed:
            problems.append(f"'{begin}' found, but the cell is not a {kind} cell; it would "
                            "leak into the student copy")
        if kind == "solution" and allowed and cell.cell_type == "code" and not regions:
            problems.append(f"solution cell has no '{BEGIN_SOLUTION}' / '{END_SOLUTION}' pair")
    return problems


def _group_exercises(path: Path, nb: NotebookNode, errors: list[str]) -> list[Exercise]:
    exercises: list[Exercise] = []
    for index, cell in enumerate(nb.cells):
        first_line = cell.source.split("\n", 1)[0] if cell.source else ""
        if cell.cell_type == "markdown" and re.match(r"^##\s+Exercise\b", first_line):
            match = HEADING.match(first_line)
            if match is None:
                errors.append(f"{_cell_name(path, index, cell)}: heading {first_line!r} should "
                              "read '## Exercise 7.1 — Title'")
                continue
            exercises.append(Exercise(match[1], match[2], index))
        if exercises:
            exercises[-1].cell_indices.append(index)
        elif is_solution(cell) or is_test(cell):
            errors.append(f"{_cell_name(path, index, cell)}: marked cell before the first "
                          "'## Exercise' heading")
        if exercises and is_test(cell) and grade_id(cell):
            exercises[-1].test_ids.append(grade_id(cell))
            exercises[-1].points[grade_id(cell)] = float(nbgrader_meta(cell).get("points", 0))
    return exercises


def validate(nb: NotebookNode, path: str | Path) -> list[Exercise]:
    """Check a source notebook against the format and return its exercises.

    Parameters
    ----------
    nb : NotebookNode
        The source notebook.
    path : str or Path
        Its file name, used in messages.

    Returns
    -------
    list of Exercise
        The exercises in notebook order.

    Raises
    ------
    SourceFormatError
        Listing every problem found, each naming the notebook and the cell.
    """
    path, errors, seen = Path(path), [], {}
    for index, cell in enumerate(nb.cells):
        where = _cell_name(path, index, cell)
        if "nbgrader" in cell.get("metadata", {}):
            errors += [f"{where}: {problem}" for problem in _metadata_problems(cell)]
            gid = grade_id(cell)
            if gid in seen:
                errors.append(f"{where}: grade_id {gid!r} is also used by cell {seen[gid] + 1}; "
                              "grade_ids must be unique in a notebook")
            seen.setdefault(gid, index)
        errors += [f"{where}: {problem}" for problem in _marker_problems(cell)]
    exercises = _group_exercises(path, nb, errors)
    numbers = [exercise.number for exercise in exercises]
    for exercise in exercises:
        if numbers.count(exercise.number) > 1:
            errors.append(f"{path.name}: exercise number {exercise.number} is used twice")
        if not exercise.test_ids:
            errors.append(f"{path.name}: Exercise {exercise.number} ({exercise.title}) has no "
                          "graded test cell (nbgrader grade: true with points)")
    if not exercises:
        errors.append(f"{path.name}: no '## Exercise N.M — Title' heading found")
    if errors:
        raise SourceFormatError("\n".join(dict.fromkeys(errors)))
    return exercises


def load_source(path: str | Path) -> tuple[NotebookNode, list[Exercise]]:
    """Read and validate a source notebook; return it with its exercises."""
    nb = read_notebook(path)
    return nb, validate(nb, path)
