"""Grade learners' notebooks against the instructor's tests.

Each submission is graded by two processes, each in its own sandbox (:mod:`bookkit.session`):
the **learner's process** runs the notebook's cells, every cell that is not a solution cell
restored from the exercise source (setup cells included), and each solution cell as the learner
wrote it; the **tests' process** runs the instructor's test cells (hidden tests included) with
each name a solution cell defines standing for the learner's function. Reference values and
comparisons stay in the tests' process; the learner's functions return plain numbers to it.
The rules, as the instructors page states them:

* a test cell scores its points when it runs without an error; a test cell edited or deleted in
  the submission changes nothing (the source's runs) and is reported;
* a solution cell that runs over the time limit or crashes its process costs its exercise;
* the whole notebook has a time limit; cells it leaves unrun score 0;
* a solution cell handed in twice is graded in its last copy; one whose nbgrader metadata is
  missing is found by the functions it defines, else by its position;
* every file gets a report line: unreadable, unknown, wrong chapter or duplicate files are
  named with the reason, and grading goes on.
"""

from __future__ import annotations

import difflib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from bookkit.intake import Submission, collect, parse, shown
from bookkit.notebook import (
    Exercise,
    SourceFormatError,
    grade_id,
    is_solution,
    load_source,
)
from bookkit.plan import Step, plan, solution_names
from bookkit.scan import scan
from bookkit.session import Outcome, Session, Settings

COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|\s*-\s*copy(\s*\d+)?|\s+copy(\s*\d+)?|_\d+)$",
                         re.IGNORECASE)


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

    ``status`` is ``"graded"``; ``"invalid"`` (unreadable file, link, bad structure),
    ``"unknown"`` (no source matches), ``"mismatch"`` (named as one exercise notebook, holds
    another's), ``"duplicate"`` (the same file named twice, or a learner with two files for one
    notebook: each is graded and the report says so) or ``"error"`` (the grader failed on this
    file). ``message`` says why, and lists what the grader noticed otherwise.
    """

    submission: str
    notebook: str | None
    status: str
    message: str = ""
    max_score: float | None = None
    exercises: list[ExerciseScore] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

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


def _by_content(nb: NotebookNode | None, sources: dict[str, Source]) -> str | None:
    ids = {grade_id(cell) for cell in nb.cells} - {None} if nb is not None else set()
    shared = {name: len(ids & set(source.cells)) for name, source in sources.items()}
    best = max(shared, key=shared.__getitem__)
    return best if shared[best] else None


def _by_name(path: Path, sources: dict[str, Source]) -> str | None:
    stem = path.stem
    while stem not in sources and COPY_SUFFIX.search(stem):
        stem = COPY_SUFFIX.sub("", stem)
    return stem if stem in sources else None


def match_source(path: Path, nb: NotebookNode | None, sources: dict[str, Source]) -> str | None:
    """Name of the source a submission belongs to: by file name (``07-backprop (1)`` counts),
    else by the most shared grade_ids."""
    return _by_name(path, sources) or _by_content(nb, sources)


def _execute(source: Source, steps: list[Step], settings: Settings,
             slot: int) -> tuple[dict[str, Outcome], int]:
    outcomes: dict[str, Outcome] = {}
    proxies: list[str] = []
    names = {grade_id(c): solution_names(c) for c in source.nb.cells if is_solution(c)}
    with Session(settings, slot) as session:
        for step in steps:
            if step.kind in ("plain", "extra", "solution"):
                outcome = session.run_learner(step.code, step.label, step.kind == "plain")
            if step.kind == "solution":
                proxies += names[step.gid]
                outcomes[step.gid] = outcome
            elif step.kind == "plain":
                session.run_tests(step.code, step.label, proxies, plain=True)
            elif step.kind == "test":
                outcomes[step.gid] = session.run_tests(step.code, step.label, proxies)
    return outcomes, session.restarts


def _score(exercise: Exercise, outcomes: dict[str, Outcome],
           solution_ids: list[str]) -> ExerciseScore:
    score, notes, stopped = 0.0, [], False
    for gid in solution_ids:
        outcome = outcomes.get(gid)
        if outcome is not None and outcome.status != "ok":
            notes.append(f"{gid}: {outcome.status}: {outcome.message}")
            if outcome.status in ("timeout", "crash"):
                stopped = True
                notes.append(f"{gid}: a solution cell that runs over the time limit or "
                             "crashes costs its exercise")
    for gid in exercise.test_ids:
        outcome = outcomes.get(gid, Outcome("timeout", "not run"))
        if outcome.status == "ok" and not stopped:
            score += exercise.points[gid]
        elif outcome.status != "ok":
            notes.append(f"{gid}: {outcome.status}: {outcome.message}")
    status = ("timeout" if stopped else "passed" if score == exercise.max_points
              else "partial" if score else "failed")
    return ExerciseScore(exercise.number, exercise.title, score, exercise.max_points,
                         status, notes)


def grade_notebook(nb: NotebookNode, source: Source, settings: Settings,
                   slot: int = 0) -> tuple[list[ExerciseScore], list[str], list[str]]:
    """Run and score one notebook: (exercise scores, notes, static-scan flags)."""
    steps, notes = plan(source, nb)
    flags = [f"{step.gid or step.label}: {flag}" for step in steps
             if step.kind in ("solution", "extra") for flag in scan(step.code)]
    outcomes, restarts = _execute(source, steps, settings, slot)
    if restarts:
        notes.append(f"the learner's process was started again {restarts} time(s) after a "
                     "time-out or a crash")
    scores = []
    for exercise in source.exercises:
        solution_ids = [grade_id(source.nb.cells[i]) for i in exercise.cell_indices
                        if is_solution(source.nb.cells[i])]
        scores.append(_score(exercise, outcomes, solution_ids))
    placed: set[str] = set()
    for score, exercise in zip(scores, source.exercises, strict=True):
        gids = {grade_id(source.nb.cells[i]) for i in exercise.cell_indices} - {None}
        mine = [note for note in notes if note.split(":", 1)[0] in gids]
        score.notes += mine
        placed.update(mine)
    return scores, [note for note in notes if note not in placed], flags


def grade_submission(entry: Submission | str | Path, sources: dict[str, Source],
                     settings: Settings | None = None, slot: int = 0) -> Report:
    """Grade one submitted notebook; never raises for a bad submission.

    Parameters
    ----------
    entry : Submission, str or Path
        A file read by :func:`bookkit.intake.collect`, or a path to read.
    sources : dict of str to Source
        From :func:`load_sources`.
    settings : Settings, optional
        Time limits, resource limits, sandbox and secret seed.
    slot : int
        Index of the parallel job (picks the sandbox's user id).

    Returns
    -------
    Report
    """
    if not isinstance(entry, Submission):
        entry = collect([entry])[0]
    settings = settings or Settings()
    try:
        return _grade_entry(entry, sources, settings, slot)
    except Exception as err:  # noqa: BLE001 - one file's failure must not end the run
        return Report(entry.name, None, "error",
                      f"{entry.name}: the grader failed on this file "
                      f"({type(err).__name__}: {shown(str(err))[:300]}); grade it again alone")


def _grade_entry(entry: Submission, sources: dict[str, Source], settings: Settings,
                 slot: int) -> Report:
    name = _by_name(entry.path, sources)
    if entry.problem or entry.data is None:
        return Report(entry.name, name, "invalid", f"{entry.name}: {entry.problem}",
                      sources[name].max_score if name else None)
    try:
        nb, repairs = parse(entry.data)
    except ValueError as err:
        return Report(entry.name, name, "invalid", f"{entry.name}: {shown(str(err))}",
                      sources[name].max_score if name else None)
    content = _by_content(nb, sources)
    if name is None and content is None:
        close = difflib.get_close_matches(entry.path.stem, sources, n=1, cutoff=0.3)
        return Report(entry.name, None, "unknown",
                      f"{entry.name}: matches no exercise source (none is named "
                      f"{shown(entry.path.name)} and no cell carries a known grade_id)"
                      + (f"; did you mean {close[0]}.ipynb?" if close else ""))
    if name is not None and content is not None and content != name and \
            not {grade_id(c) for c in nb.cells} & set(sources[name].cells):
        return Report(entry.name, name, "mismatch",
                      f"{entry.name}: named as {name}.ipynb but holds the exercises of "
                      f"{content}.ipynb; not graded (hand in the right notebook)",
                      sources[name].max_score)
    source = sources[name or content]
    scores, notes, flags = grade_notebook(nb, source, settings, slot)
    notes = entry.notes + repairs + notes
    if name is None:
        notes.insert(0, f"file name matches no source; matched to {source.name} by its cells")
    return Report(entry.name, source.name, "graded", shown("; ".join(notes)), source.max_score,
                  [_shown_score(s) for s in scores], [shown(flag) for flag in flags])


def _shown_score(score: ExerciseScore) -> ExerciseScore:
    score.notes = [shown(note) for note in score.notes]
    return score


def _mark_duplicates(entries: list[Submission], sources: dict[str, Source],
                     reports: list[Report]) -> None:
    groups: dict[tuple[str, str], list[Report]] = {}
    for entry, report in zip(entries, reports, strict=True):
        if report.notebook is not None and report.status == "graded":
            groups.setdefault((entry.learner, report.notebook), []).append(report)
    for (learner, notebook), group in groups.items():
        if len(group) > 1:
            names = ", ".join(r.submission for r in group)
            for report in group:
                report.status = "duplicate"
                report.message = "; ".join(filter(None, [
                    f"learner {learner} handed in {len(group)} files for {notebook}: {names}; "
                    "each was graded, pick one", report.message]))
    seen: dict[str, str] = {}
    for entry, report in zip(entries, reports, strict=True):
        if entry.data is not None and report.status in ("graded", "duplicate"):
            if entry.digest in seen and not seen[entry.digest].startswith(entry.learner + "\0"):
                report.message = "; ".join(filter(None, [
                    f"same content as {seen[entry.digest].split(chr(0))[1]}", report.message]))
            seen.setdefault(entry.digest, f"{entry.learner}\0{report.submission}")


def _source_of(entry: Submission, sources: dict[str, Source]) -> str | None:
    """The source a readable submission will be graded against (None: it will not be run)."""
    if entry.problem or entry.data is None:
        return None
    try:
        nb = parse(entry.data)[0]
    except ValueError:
        return None
    return _by_name(entry.path, sources) or _by_content(nb, sources)


def calibrate(source: Source, settings: Settings) -> list[str]:
    """Grade the source's own solutions; return the test cells that do not pass (should be none).

    This proves that the sandbox runs the notebook and that the hidden tests, with their inputs
    drawn from the secret seed, still pass on the instructor's solution.
    """
    scores, _, _ = grade_notebook(source.nb, source, settings)
    return [f"{source.name} {s.number}: {note}" for s in scores if s.score < s.max_score
            for note in s.notes or ["lost points"]]


def grade(paths: list[str | Path], source_dir: str | Path, timeout: float = 30.0,
          settings: Settings | None = None, jobs: int = 1) -> list[Report]:
    """Grade several submissions against the sources in ``source_dir``, ``jobs`` at a time.

    Parameters
    ----------
    paths : list of str or Path
        Notebooks or folders.
    source_dir : str or Path
        Folder of exercise sources.
    timeout : float
        Seconds per cell, when ``settings`` is not given.
    settings : Settings, optional
        Everything else (see :class:`bookkit.session.Settings`).
    jobs : int
        Submissions graded at the same time, each in its own sandboxes.

    Returns
    -------
    list of Report
        One per file found, in order.

    Raises
    ------
    SourceFormatError
        If a source is invalid.
    RuntimeError
        If a source's own solutions do not get full marks (a broken sandbox or a hidden test
        that fails with the secret seed): grading stops before any submission is scored.
    """
    sources = load_sources(source_dir)
    settings = settings or Settings(timeout=timeout)
    entries = collect(paths)
    slots = list(range(max(1, jobs)))
    lock = threading.Lock()

    def one(entry: Submission) -> Report:
        with lock:
            slot = slots.pop()
        try:
            return grade_submission(entry, sources, settings, slot)
        finally:
            with lock:
                slots.append(slot)

    needed = sorted({_source_of(entry, sources) for entry in entries} - {None})
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        problems = [p for found in pool.map(lambda n: calibrate(sources[n], settings), needed)
                    for p in found]
        if problems:
            raise RuntimeError("the instructor's own solutions do not get full marks, so "
                               "grading would be wrong:\n  " + "\n  ".join(problems))
        reports = list(pool.map(one, entries))
    _mark_duplicates(entries, sources, reports)
    return reports
