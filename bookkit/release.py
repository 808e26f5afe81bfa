"""Write the student, instructor and reader copies of every exercise source.

One source, three copies (DESIGN.md, "Exercises: one source, three copies"):

* instructor: the source with outputs cleared (solutions and hidden tests kept);
* student: each solution region replaced by ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
  at the region's indentation, hidden tests removed, outputs cleared, metadata intact;
* reader: the web page, each exercise wrapped in sphinx-exercise's gated directives, its solution
  folded in a dropdown (or left out entirely in the student edition), with a download link to
  the student copy.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from bookkit.notebook import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    STUB,
    Exercise,
    SourceFormatError,
    is_solution,
    is_test,
    load_source,
    marked_regions,
)

EDITIONS = ("full", "student")
SKIP = "skip-execution"


def stub_solutions(source: str) -> str:
    """Replace each solution region by the stub, indented like its BEGIN marker."""
    lines = source.split("\n")
    for begin, end in reversed(marked_regions(source, BEGIN_SOLUTION, END_SOLUTION)):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        lines[begin : end + 1] = [indent + line for line in STUB]
    return "\n".join(lines)


def drop_hidden_tests(source: str) -> str:
    """Remove every hidden-test region, markers included."""
    lines = source.split("\n")
    for begin, end in reversed(marked_regions(source, BEGIN_HIDDEN, END_HIDDEN)):
        del lines[begin : end + 1]
    return "\n".join(lines).rstrip()


def drop_markers(source: str) -> str:
    """Remove the solution marker lines, keeping the solution between them."""
    markers = {BEGIN_SOLUTION, END_SOLUTION}
    return "\n".join(line for line in source.split("\n") if line.strip() not in markers)


def _cleared(nb: NotebookNode) -> NotebookNode:
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def instructor_copy(nb: NotebookNode) -> NotebookNode:
    """Return the source with outputs and execution counts cleared."""
    return _cleared(nb)


def student_cell_source(cell: NotebookNode) -> str:
    """Return the source a cell has in the student copy."""
    if is_solution(cell):
        return stub_solutions(cell.source)
    if is_test(cell):
        return drop_hidden_tests(cell.source)
    return cell.source


def student_copy(nb: NotebookNode) -> NotebookNode:
    """Return the student copy: stubs for solutions, no hidden tests, no outputs."""
    out = _cleared(nb)
    for cell in out.cells:
        cell.source = student_cell_source(cell)
    return out


def _markdown(text: str) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _code(source: str, skip: bool) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if skip:
        cell.metadata["tags"] = [SKIP]
    return cell


def _reader_exercise(nb: NotebookNode, exercise: Exercise, edition: str) -> list[NotebookNode]:
    heading = nb.cells[exercise.heading_index].source.split("\n", 1)
    task = heading[1].strip() if len(heading) > 1 else ""
    body = [_markdown(f"```{{exercise-start}} {exercise.title}\n:label: {exercise.label}\n```"
                      f"\n\n{task}")]
    solution: list[NotebookNode] = []
    for index in exercise.cell_indices[1:]:
        cell = nb.cells[index]
        solved = bool(solution) or is_solution(cell)
        if is_solution(cell):
            body.append(_code(stub_solutions(cell.source), skip=True))
            solution.append(_code(drop_markers(cell.source), skip=False))
        elif edition == "student" or not solved:
            skip = edition == "student" and cell.cell_type == "code"
            source = drop_hidden_tests(cell.source)
            body.append(_code(source, skip) if cell.cell_type == "code" else _markdown(source))
        elif cell.cell_type == "code":
            solution.append(_code(drop_hidden_tests(cell.source), skip=False))
        else:
            solution.append(_markdown(cell.source))
    if edition == "student":
        return [*body, _markdown("```{exercise-end}\n```")]
    opening = (f"```{{exercise-end}}\n```\n\n```{{solution-start}} {exercise.label}\n"
               ":class: dropdown\n```")
    return [*body, _markdown(opening), *solution, _markdown("```{solution-end}\n```")]


def reader_copy(nb: NotebookNode, exercises: list[Exercise], download: str,
                edition: str = "full") -> NotebookNode:
    """Return the web page of a source notebook.

    Parameters
    ----------
    nb : NotebookNode
        The validated source notebook.
    exercises : list of Exercise
        Its exercises, as returned by :func:`bookkit.notebook.validate`.
    download : str
        Path of the student copy relative to the page, for the ``{download}`` link.
    edition : {"full", "student"}
        ``"full"`` folds each solution in a dropdown; ``"student"`` leaves solutions out.

    Returns
    -------
    NotebookNode
        The page: text and code outside exercises unchanged, exercises numbered by
        sphinx-exercise, stub cells and (student edition) test cells tagged ``skip-execution``.

    Raises
    ------
    ValueError
        If ``edition`` is not one of EDITIONS.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    out = _cleared(nb)
    starts = {exercise.heading_index: exercise for exercise in exercises}
    inside = {index for exercise in exercises for index in exercise.cell_indices}
    name = Path(download).name
    link = _markdown(f"To work these exercises in Jupyter, download the notebook "
                     f"{{download}}`{name} <{download}>`; its self-checks tell you when an "
                     "answer is right.")
    cells = [out.cells[0], link] if out.cells else [link]
    for index, cell in enumerate(out.cells[1:], start=1):
        if index in starts:
            cells += _reader_exercise(out, starts[index], edition)
        elif index not in inside:
            cells.append(cell)
    out.cells = cells
    return out


def _write(nb: NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def release(source_dir: str | Path, out_dir: str | Path, reader_dir: str | Path,
            edition: str = "full") -> list[Path]:
    """Write every copy of every ``source_dir/*.ipynb``.

    Parameters
    ----------
    source_dir : str or Path
        Folder of exercise sources.
    out_dir : str or Path
        Receives ``student/NAME.ipynb`` and ``instructor/NAME.ipynb``.
    reader_dir : str or Path
        Folder inside the book source that receives the pages ``NAME.ipynb`` and the
        downloadable student copies ``download/NAME.ipynb``.
    edition : {"full", "student"}
        Edition of the reader pages.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    SourceFormatError
        If a source is invalid (nothing is written) or ``source_dir`` holds no notebook.
    """
    sources = sorted(Path(source_dir).glob("*.ipynb"))
    if not sources:
        raise SourceFormatError(f"no exercise notebook (*.ipynb) in {source_dir}")
    loaded, errors = [], []
    for path in sources:
        try:
            loaded.append((path, *load_source(path)))
        except SourceFormatError as err:
            errors.append(str(err))
    if errors:
        raise SourceFormatError("\n".join(errors))
    out, reader, written = Path(out_dir), Path(reader_dir), []
    for path, nb, exercises in loaded:
        student = student_copy(nb)
        written.append(_write(student, out / "student" / path.name))
        written.append(_write(instructor_copy(nb), out / "instructor" / path.name))
        written.append(_write(student, reader / "download" / path.name))
        page = reader_copy(nb, exercises, f"download/{path.name}", edition)
        written.append(_write(page, reader / path.name))
    return written
