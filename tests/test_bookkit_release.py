"""Student, instructor and reader copies of an exercise source."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bookkit.notebook import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    SourceFormatError,
    load_source,
)
from bookkit.release import instructor_copy, reader_copy, release, student_copy

SOURCE_DIR = Path(__file__).parent / "fixtures" / "exercises" / "source"
SAMPLE = SOURCE_DIR / "01-sample.ipynb"


@pytest.fixture
def source():
    nb, exercises = load_source(SAMPLE)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="old output")]
    nb.cells[3].execution_count = 7
    return nb, exercises


def _between(source, begin, end):
    """Non-blank lines strictly inside begin/end regions, read independently of bookkit."""
    inside, lines = False, []
    for line in source.split("\n"):
        if line.strip() in (begin, end):
            inside = line.strip() == begin
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def _secret_lines(nb, begin, end):
    return [line for cell in nb.cells for line in _between(cell.source, begin, end)]


def test_student_copy_has_no_solution_and_no_hidden_test(source):
    nb, _ = source
    text = json.dumps(student_copy(nb).cells)
    solutions = _secret_lines(nb, BEGIN_SOLUTION, END_SOLUTION)
    hidden = _secret_lines(nb, BEGIN_HIDDEN, END_HIDDEN)
    assert "return A @ x - b" in solutions and "A3 = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, " \
        "0.0], [0.0, 0.0, 1.0]])" in hidden
    for line in solutions + hidden + [BEGIN_SOLUTION, BEGIN_HIDDEN, "END SOLUTION"]:
        assert json.dumps(line)[1:-1] not in text, line


def test_stubs_keep_the_code_around_the_region_at_its_indentation(source):
    nb, _ = source
    student = student_copy(nb)
    assert student.cells[3].source == (
        'def quadratic_gradient(A, b, x):\n'
        '    """Return A x - b, the gradient of x^T A x / 2 - b^T x; shape (n,)."""\n'
        '    # YOUR CODE HERE\n    raise NotImplementedError()')
    assert "    for _ in range(n_steps):\n        # YOUR CODE HERE\n        raise " \
           "NotImplementedError()\n    return np.array(iterates)" in student.cells[10].source


def test_stubs_raise_not_implemented(source):
    nb, _ = source
    student = student_copy(nb)
    namespace = {"np": np}
    for index in (3, 6, 10):
        exec(student.cells[index].source, namespace)  # noqa: S102 - our own fixture
    calls = [lambda: namespace["quadratic_gradient"](np.eye(2), np.zeros(2), np.ones(2)),
             lambda: namespace["gd_step"](np.ones(2), np.ones(2), 0.1),
             lambda: namespace["gradient_descent"](np.eye(2), np.zeros(2), np.ones(2), 0.1, 1)]
    for call in calls:
        with pytest.raises(NotImplementedError):
            call()


def test_copies_keep_metadata_and_clear_outputs(source):
    nb, _ = source
    for copy in (student_copy(nb), instructor_copy(nb)):
        nbformat.validate(copy)
        assert [cell.metadata for cell in copy.cells] == [cell.metadata for cell in nb.cells]
        assert copy.metadata == nb.metadata
        assert all(cell.outputs == [] and cell.execution_count is None
                   for cell in copy.cells if cell.cell_type == "code")
    assert [c.source for c in instructor_copy(nb).cells] == [c.source for c in nb.cells]
    assert nb.cells[3].execution_count == 7  # the source itself is left alone


def _directives(page):
    text = "\n".join(cell.source for cell in page.cells if cell.cell_type == "markdown")
    return re.findall(r"```\{(exercise-start|exercise-end|solution-start|solution-end)\}"
                      r" ?(.*)\n(:\w+: \S+)?", text)


def test_reader_page_folds_each_numbered_solution(source):
    nb, exercises = source
    page = reader_copy(nb, exercises, "download/01-sample.ipynb")
    expected = []
    for label in ("ex-1-1", "ex-1-2", "ex-1-3"):
        expected += [("exercise-start", "", f":label: {label}"), ("exercise-end", "", ""),
                     ("solution-start", label, ":class: dropdown"), ("solution-end", "", "")]
    assert [(kind, arg if kind == "solution-start" else "", option)
            for kind, arg, option in _directives(page)] == expected
    assert "```{exercise-start} The gradient of a quadratic\n" in page.cells[3].source
    assert "{download}`01-sample.ipynb <download/01-sample.ipynb>`" in page.cells[1].source
    code = [cell for cell in page.cells if cell.cell_type == "code"]
    stubs = [cell for cell in code if cell.metadata.get("tags") == ["skip-execution"]]
    assert len(stubs) == 3 and all("raise NotImplementedError()" in c.source for c in stubs)
    assert page.cells[6].source == ('def quadratic_gradient(A, b, x):\n    """Return A x - b, '
                                    'the gradient of x^T A x / 2 - b^T x; shape (n,)."""\n'
                                    '    return A @ x - b')
    text = json.dumps(page.cells)
    for secret in _secret_lines(nb, BEGIN_HIDDEN, END_HIDDEN) + [BEGIN_SOLUTION, "HIDDEN TESTS"]:
        assert json.dumps(secret)[1:-1] not in text


def test_student_edition_leaves_solutions_out(source):
    nb, exercises = source
    page = reader_copy(nb, exercises, "download/01-sample.ipynb", edition="student")
    assert {kind for kind, _, _ in _directives(page)} == {"exercise-start", "exercise-end"}
    text = json.dumps(page.cells)
    for secret in _secret_lines(nb, BEGIN_SOLUTION, END_SOLUTION):
        assert json.dumps(secret)[1:-1] not in text
    code = [cell for cell in page.cells if cell.cell_type == "code"]
    assert [cell.metadata.get("tags") for cell in code] == [None] + [["skip-execution"]] * 7
    with pytest.raises(ValueError, match=r"edition must be one of \('full', 'student'\), "
                       r"got 'teacher'"):
        reader_copy(nb, exercises, "x.ipynb", edition="teacher")


def test_release_writes_every_copy(tmp_path):
    written = release(SOURCE_DIR, tmp_path / "out", tmp_path / "reader")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "out/instructor/01-sample.ipynb", "out/student/01-sample.ipynb",
        "reader/01-sample.ipynb", "reader/download/01-sample.ipynb"]
    student = nbformat.read(tmp_path / "out" / "student" / "01-sample.ipynb", as_version=4)
    assert student == student_copy(load_source(SAMPLE)[0])
    assert (tmp_path / "reader" / "download" / "01-sample.ipynb").read_text() == \
        (tmp_path / "out" / "student" / "01-sample.ipynb").read_text()


def test_release_writes_nothing_when_a_source_is_invalid(tmp_path):
    sources = tmp_path / "exercises"
    sources.mkdir()
    shutil.copy(SAMPLE, sources)
    (sources / "02-broken.ipynb").write_text("{")
    with pytest.raises(SourceFormatError, match=r"02-broken\.ipynb: not valid JSON"):
        release(sources, tmp_path / "out", tmp_path / "reader")
    assert not (tmp_path / "out").exists() and not (tmp_path / "reader").exists()
    with pytest.raises(SourceFormatError, match=r"no exercise notebook \(\*\.ipynb\) in"):
        release(tmp_path / "out", tmp_path / "out", tmp_path / "reader")
