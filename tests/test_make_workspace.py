"""No command of the Makefile loses a learner's work in workspace/.

A copy of the book (the Makefile, two chapters, one exercise) in a temporary folder gets a
workspace from ``make lab``; the learner then edits a chapter and answers an exercise, and
``make clean``, ``make exercises``, ``make book`` and ``make lab`` run for real in that copy, with
this environment's tools. Only the Sphinx build itself is replaced (``JUPYTER_BOOK``) by a stub
that records its call: it writes nothing but ``_build/`` and takes minutes, and ``make test``
runs the real one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_FILES = ["Makefile", "pyproject.toml", "constraints.txt", "chapters/01-optimization.md",
              "chapters/02-learning-rate.md", "exercises/07-backprop.ipynb"]
EDITED, UNTOUCHED = "chapters/02-learning-rate.ipynb", "chapters/01-optimization.ipynb"
ANSWERED = "exercises/07-backprop.ipynb"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    for name in BOOK_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    stub = tmp_path / "jupyter-book"
    stub.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/jupyter-book.calls"\n'
                    'mkdir -p _build/html && touch _build/html/index.html\n')
    stub.chmod(0o755)
    return root


def make(book: Path, *args: str) -> str:
    """Run ``make ARGS`` in ``book`` with this environment; return its output, fail on error."""
    stamp = book.parent / "installed"
    stamp.touch()
    command = ["make", "--no-print-directory", "-o", str(stamp), f"STAMP={stamp}",
               f"BIN={Path(sys.executable).parent}", f"JUPYTER_BOOK={book.parent / 'jupyter-book'}",
               *args]
    result = subprocess.run(command, cwd=book, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def edit(path: Path, index: int, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    [cell for cell in nb.cells if cell.cell_type == "code"][index].source = text
    nbformat.write(nb, path)


def snapshot(workspace: Path) -> dict[str, bytes]:
    return {p.relative_to(workspace).as_posix(): p.read_bytes()
            for p in sorted(workspace.rglob("*")) if p.is_file()}


def test_no_target_loses_or_touches_the_learners_work(book):
    make(book, "lab", "LAB_ARGS=--sync-only")
    workspace = book / "workspace"
    edit(workspace / EDITED, 0, "print('my own experiment')")
    edit(workspace / ANSWERED, 2, "def output_error(y_hat, y):\n    return (y_hat - y) / len(y)")
    before = snapshot(workspace)
    for target in ("clean", "exercises", "book", "lab"):
        make(book, target, "LAB_ARGS=--sync-only")
        assert snapshot(workspace) == before, f"`make {target}` changed the workspace"
    assert (book.parent / "jupyter-book.calls").read_text().startswith("build --all"), \
        "make book did not reach the book build"
    assert (book / "_build" / "exercises" / "student" / "07-backprop.ipynb").is_file()


def test_make_lab_refreshes_an_untouched_copy_and_puts_a_new_version_beside_an_edited_one(book):
    make(book, "lab", "LAB_ARGS=--sync-only")
    workspace = book / "workspace"
    edit(workspace / EDITED, 0, "print('my own experiment')")
    mine = (workspace / EDITED).read_bytes()
    for name in ("01-optimization", "02-learning-rate"):
        chapter = book / "chapters" / f"{name}.md"
        chapter.write_text(chapter.read_text() + "\nA paragraph added by the book.\n")
    output = make(book, "lab", "LAB_ARGS=--sync-only")
    assert "A paragraph added by the book." in (workspace / UNTOUCHED).read_text()
    assert f"updated {UNTOUCHED}" in output
    assert (workspace / EDITED).read_bytes() == mine
    beside = workspace / "chapters" / "02-learning-rate.new.ipynb"
    assert "A paragraph added by the book." in beside.read_text()
    assert f"kept your {EDITED}" in output and beside.name in output
