"""Grade learners' notebooks against the instructor's tests.

Each submission runs in a fresh kernel, top to bottom, with every graded test cell replaced by
the instructor's version (hidden tests put back) and every locked cell restored. A cell gets a
time limit; a time-out or a kernel crash costs the exercise it happens in and grading goes on.
An edited test cell ("tampered") scores 0 for its exercise; a deleted one scores 0 for itself.
A file that is not a notebook, or matches no exercise source, gets a report line, not a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from bookkit.kernel import CellRunner, Outcome
from bookkit.notebook import (
    Exercise,
    SourceFormatError,
    checksum,
    grade_id,
    is_locked,
    is_test,
    load_source,
    read_notebook,
)
from bookkit.release import student_cell_source

# run before each test cell: undoes a learner's own check_close = ... or bookkit.check patching
FRESH_CHECKS = ("import importlib as _importlib\nimport bookkit.check as _checks\n"
                "_importlib.reload(_checks)\nfrom bookkit.check import *  # noqa: F403\n")


@dataclass
class Source:
    """A validated exercise source and what grading needs from it."""

    name: str
    nb: NotebookNode
    exercises: list[Exercise]

    @property
    def cells(self) -> dict[str, NotebookNode]:
        """Cells with a grade_id, keyed by it."""
        return {grade_id(cell): cell for cell in self.nb.cells if grade_id(cell)}

    def exercise_of(self, gid: str) -> Exercise | None:
        """The exercise that holds the cell ``gid``, or None for a cell outside exercises."""
        index = next(i for i, cell in enumerate(self.nb.cells) if grade_id(cell) == gid)
        return next((ex for ex in self.exercises if index in ex.cell_indices), None)

    @property
    def max_score(self) -> float:
        """Points of the whole notebook."""
        return sum(exercise.max_points for exercise in self.exercises)


@dataclass
class ExerciseScore:
    """Points of one exercise in one submission; ``notes`` explains every lost point."""

    number: str
    title: str
    score: float
    max_score: float
    status: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The grade of one submission.

    ``status`` is ``"graded"``, ``"invalid"`` (unreadable file) or ``"unknown"`` (no source
    matches); ``message`` says why in the last two cases and lists restored cells otherwise.
    """

    submission: str
    notebook: str | None
    status: str
    message: str = ""
    max_score: float | None = None
    exercises: list[ExerciseScore] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Total points earned."""
        return sum(exercise.score for exercise in self.exercises)


def load_sources(source_dir: str | Path) -> dict[str, Source]:
    """Read and validate every ``source_dir/*.ipynb``, keyed by file stem.

    Raises
    ------
    SourceFormatError
        If a source is invalid or the folder holds none.
    """
    sources = {path.stem: Source(path.stem, *load_source(path))
               for path in sorted(Path(source_dir).glob("*.ipynb"))}
    if not sources:
        raise SourceFormatError(f"no exercise notebook (*.ipynb) in {source_dir}; "
                                "pass --source DIR with the exercise sources")
    return sources


def match_source(path: Path, nb: NotebookNode | None, sources: dict[str, Source]) -> str | None:
    """Name of the source a submission belongs to: same file name, else most shared grade_ids."""
    if path.stem in sources:
        return path.stem
    ids = {grade_id(cell) for cell in nb.cells} - {None} if nb is not None else set()
    shared = {name: len(ids & set(source.cells)) for name, source in sources.items()}
    best = max(shared, key=shared.__getitem__)
    return best if shared[best] else None


def _tampered(source: Source, submitted: dict[str, NotebookNode]) -> set[str]:
    """grade_ids of locked cells whose text differs from both the student and source copies."""
    return {gid for gid, cell in source.cells.items()
            if is_locked(cell) and gid in submitted
            and checksum(submitted[gid].source) not in
            {checksum(cell.source), checksum(student_cell_source(cell))}}


def _run(nb: NotebookNode, source: Source, skip: set[str], timeout: float) -> dict[str, Outcome]:
    """Run a submission cell by cell; return the outcome of every cell with a grade_id."""
    originals, outcomes = source.cells, {}
    with CellRunner(timeout=timeout) as runner:
        for cell in nb.cells:
            gid = grade_id(cell)
            if cell.cell_type != "code" or gid in skip or gid in outcomes:
                continue
            original = originals.get(gid)
            locked = original is not None and (is_locked(original) or is_test(original))
            code = original.source if locked else cell.source
            if original is not None and is_test(original):
                code = FRESH_CHECKS + code
            outcome = runner.run(code, replay=not (original is not None and is_test(original)))
            if gid:
                outcomes[gid] = outcome
    return outcomes


def _score(exercise: Exercise, outcomes: dict[str, Outcome], tampered: set[str],
           solution_ids: list[str]) -> ExerciseScore:
    edited = [gid for gid in exercise.test_ids if gid in tampered]
    if edited:
        return ExerciseScore(exercise.number, exercise.title, 0.0, exercise.max_points,
                             "tampered", [f"{gid}: test cell edited; the exercise scores 0"
                                          for gid in edited])
    score, notes, deleted = 0.0, [], False
    for gid in solution_ids:
        outcome = outcomes.get(gid)
        if outcome is not None and outcome.status != "ok":
            notes.append(f"{gid}: {outcome.status}: {outcome.message}")
    for gid in exercise.test_ids:
        outcome = outcomes.get(gid)
        if outcome is None:
            deleted = True
            notes.append(f"{gid}: test cell deleted; it scores 0")
        elif outcome.status == "ok":
            score += exercise.points[gid]
        else:
            notes.append(f"{gid}: {outcome.status}: {outcome.message}")
    status = ("deleted" if deleted else "passed" if score == exercise.max_points
              else "partial" if score else "failed")
    return ExerciseScore(exercise.number, exercise.title, score, exercise.max_points,
                         status, notes)


def grade_submission(path: str | Path, sources: dict[str, Source],
                     timeout: float = 30.0) -> Report:
    """Grade one submitted notebook.

    Parameters
    ----------
    path : str or Path
        The learner's notebook.
    sources : dict of str to Source
        From :func:`load_sources`.
    timeout : float
        Time limit of one cell, in seconds.

    Returns
    -------
    Report
        Never raises for a bad submission: unreadable or unmatched files get a report line.
    """
    path = Path(path)
    try:
        nb, problem = read_notebook(path), ""
    except SourceFormatError as err:
        nb, problem = None, str(err)
    name = match_source(path, nb, sources)
    if nb is None:
        return Report(str(path), name, "invalid", problem,
                      sources[name].max_score if name else None)
    if name is None:
        close = difflib.get_close_matches(path.stem, sources, n=1, cutoff=0.3)
        return Report(str(path), None, "unknown",
                      f"{path}: matches no exercise source (none is named {path.name} and no "
                      "cell carries a known grade_id)"
                      + (f"; did you mean {close[0]}.ipynb?" if close else ""))
    source = sources[name]
    submitted = {}
    for cell in nb.cells:
        submitted.setdefault(grade_id(cell), cell)
    tampered = _tampered(source, submitted)
    outcomes = _run(nb, source, tampered, timeout)
    report = Report(str(path), name, "graded", max_score=source.max_score)
    restored = sorted(gid for gid in tampered if source.exercise_of(gid) is None)
    if restored:
        report.message = "edited locked cells restored: " + ", ".join(restored)
    for exercise in source.exercises:
        solution_ids = [grade_id(source.nb.cells[i]) for i in exercise.cell_indices
                        if grade_id(source.nb.cells[i]) not in exercise.test_ids]
        report.exercises.append(_score(exercise, outcomes, tampered,
                                       [gid for gid in solution_ids if gid]))
    return report


def grade(paths: list[str | Path], source_dir: str | Path,
          timeout: float = 30.0) -> list[Report]:
    """Grade several submissions against the sources in ``source_dir``; see grade_submission."""
    sources = load_sources(source_dir)
    return [grade_submission(path, sources, timeout) for path in paths]
