"""Which cells run where: the plan of one grading run.

Every cell of the exercise source that is not a solution cell runs as the source has it (setup
cells included); each solution cell comes from the submission, found by its ``grade_id`` (the
last copy if it was duplicated), else by the functions it defines, else by its position; the
learner's own extra cells run in the learner's process before the next cell they preceded.
Test cells always come from the source; an edited, deleted or raw copy is only reported.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nbformat import NotebookNode

from bookkit.notebook import checksum, grade_id, is_solution, is_test
from bookkit.release import student_cell_source

if TYPE_CHECKING:
    from bookkit.grade import Source


def solution_names(cell: NotebookNode) -> list[str]:
    """Top-level names a source solution cell defines (functions, classes, assignments)."""
    names = []
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _defined(source: str) -> set[str]:
    return set(re.findall(r"^\s*(?:def|class)\s+(\w+)", source, flags=re.MULTILINE))


@dataclass
class Step:
    """One cell of the grading run: ``plain`` (both processes), ``solution`` or ``extra``
    (learner's process), ``test`` (tests' process)."""

    kind: str
    code: str
    gid: str | None = None
    label: str = ""


def _solution_cell(source: Source, index: int, gid: str, nb: NotebookNode,
                   used: set[int], notes: list[str]) -> str:
    copies = [i for i, cell in enumerate(nb.cells) if grade_id(cell) == gid]
    code_copies = [i for i in copies if nb.cells[i].cell_type == "code"]
    if code_copies:
        used.update(copies)
        if len(code_copies) > 1:
            notes.append(f"{gid}: {len(code_copies)} copies of this solution cell; the last "
                         "one was graded")
        return nb.cells[code_copies[-1]].source
    if copies:
        used.update(copies)
        notes.append(f"{gid}: the solution cell is a {nb.cells[copies[-1]].cell_type} cell, "
                     "not code; it was not run")
        return student_cell_source(source.nb.cells[index])
    wanted = _defined(source.nb.cells[index].source)
    free = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            and not grade_id(cell) and i not in used]
    by_content = [i for i in free if wanted and wanted <= _defined(nb.cells[i].source)]
    if by_content:
        used.add(by_content[-1])
        notes.append(f"{gid}: nbgrader metadata missing; the cell that defines "
                     f"{', '.join(sorted(wanted))} was graded")
        return nb.cells[by_content[-1]].source
    if index in free:
        used.add(index)
        notes.append(f"{gid}: nbgrader metadata missing; the cell at the same position "
                     f"(cell {index + 1}) was graded")
        return nb.cells[index].source
    notes.append(f"{gid}: solution cell missing; graded as blank")
    return student_cell_source(source.nb.cells[index])


def plan(source: Source, nb: NotebookNode) -> tuple[list[Step], list[str]]:
    """The cells to run for a submission, in order, and notes on what was matched how."""
    notes: list[str] = []
    used: set[int] = set()
    solutions = {}
    for index, cell in enumerate(source.nb.cells):
        if cell.cell_type == "code" and is_solution(cell):
            solutions[index] = _solution_cell(source, index, grade_id(cell), nb, used, notes)
    known = {checksum(cell.source) for cell in source.nb.cells}
    known |= {checksum(student_cell_source(cell)) for cell in source.nb.cells}
    originals = source.cells
    for i, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid in originals and is_test(originals[gid]) and cell.cell_type != "code":
            notes.append(f"{gid}: test cell is a {cell.cell_type} cell in the submission; the "
                         "original ran")
        elif gid in originals and is_test(originals[gid]) and checksum(cell.source) not in {
                checksum(originals[gid].source), checksum(student_cell_source(originals[gid]))}:
            notes.append(f"{gid}: test cell edited in the submission; the original ran")
        if gid in originals:
            used.add(i)
    present = {grade_id(cell) for cell in nb.cells}
    notes += [f"{gid}: test cell not found by its grade_id (deleted, or its metadata "
              "stripped); the original ran"
              for gid, cell in originals.items() if is_test(cell) and gid not in present]
    # the learner's own extra code cells run before the next solution cell they preceded
    extras: dict[int, list[str]] = {}
    pending: list[str] = []
    order = {grade_id(c): i for i, c in enumerate(source.nb.cells) if grade_id(c)}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = grade_id(cell)
        if i not in used and checksum(cell.source) not in known:
            pending.append(cell.source)
        elif gid in order and pending:
            extras.setdefault(order[gid], []).extend(pending)
            pending = []
    steps: list[Step] = []
    for index, cell in enumerate(source.nb.cells):
        if cell.cell_type != "code":
            continue
        gid = grade_id(cell)
        steps += [Step("extra", code, None, f"learner's cell before {gid}")
                  for code in extras.get(index, [])]
        if index in solutions:
            steps.append(Step("solution", solutions[index], gid, gid))
        elif is_test(cell):
            steps.append(Step("test", cell.source, gid, gid))
        else:
            steps.append(Step("plain", cell.source, gid, gid or f"cell {index + 1}"))
    return steps, notes
