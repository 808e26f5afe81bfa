"""No command of the book loses a learner's work in workspace/.

A copy of the book (tasks.py, which every make target runs, two chapters, one exercise) in a
temporary folder gets a workspace from ``tasks.py lab``; the learner then edits a chapter and
answers an exercise, and the commands ``clean``, ``exercises``, ``book`` and ``lab`` run for real in
that copy. Their environment is this one, seen through a folder of links whose install stamp
matches, so nothing is installed; only the Sphinx build itself (``jupyter-book``) is a stub that
records its call: it writes nothing but ``_build/`` and takes minutes, and ``make test`` runs the
real one.
"""

from __future__ import annotations

import importlib.util
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_FILES = ["tasks.py", "Makefile", "pyproject.toml", "constraints.txt",
              "chapters/01-optimization.md", "chapters/02-learning-rate.md",
              "exercises/07-backprop.ipynb"]
EDITED, UNTOUCHED = "chapters/02-learning-rate.ipynb", "chapters/01-optimization.ipynb"
ANSWERED = "exercises/07-backprop.ipynb"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="links a POSIX environment")


def linked_environment(book: Path) -> Path:
    """This environment as ``book/.venv``: links to its files, a stub jupyter-book."""
    real, venv = Path(sys.prefix), book / ".venv"
    (venv / "bin").mkdir(parents=True)
    shutil.copy2(real / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / "lib").symlink_to(real / "lib", target_is_directory=True)
    for tool in (real / "bin").iterdir():
        (venv / "bin" / tool.name).symlink_to(tool)
    stub = venv / "bin" / "jupyter-book"
    stub.unlink()
    stub.write_text(f'#!/bin/sh\necho "$@" >> "{book.parent}/jupyter-book.calls"\n'
                    "mkdir -p _build/html && touch _build/html/index.html\n")
    stub.chmod(0o755)
    spec = importlib.util.spec_from_file_location("sandbox_tasks", book / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    (venv / ".installed").write_text(tasks._digest(platform.python_version()) + "\n")
    return venv


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    for name in BOOK_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    linked_environment(root)
    return root


def make(book: Path, target: str, *options: str) -> str:
    """Run ``python tasks.py TARGET`` (what ``make TARGET`` runs) in ``book``; return its output."""
    command = [sys.executable, "tasks.py", target, *options]
    result = subprocess.run(command, cwd=book, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{target} failed:\n{result.stdout}\n{result.stderr}"
    assert "env ... installed" not in result.stdout, f"{target} reinstalled:\n{result.stdout}"
    return result.stdout


def edit(path: Path, index: int, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    [cell for cell in nb.cells if cell.cell_type == "code"][index].source = text
    nbformat.write(nb, path)


def snapshot(workspace: Path) -> dict[str, bytes]:
    return {p.relative_to(workspace).as_posix(): p.read_bytes()
            for p in sorted(workspace.rglob("*")) if p.is_file()}


def test_no_target_loses_or_touches_the_learners_work(book):
    make(book, "lab", "--sync-only")
    workspace = book / "workspace"
    edit(workspace / EDITED, 0, "print('my own experiment')")
    edit(workspace / ANSWERED, 2, "def output_error(y_hat, y):\n    return (y_hat - y) / len(y)")
    before = snapshot(workspace)
    for target in ("clean", "exercises", "book", "lab"):
        make(book, target, *(["--sync-only"] if target == "lab" else []))
        assert snapshot(workspace) == before, f"`make {target}` changed the workspace"
    assert (book.parent / "jupyter-book.calls").read_text().startswith("build --all"), \
        "make book did not reach the book build"
    assert (book / "_build" / "exercises" / "student" / "07-backprop.ipynb").is_file()


def test_make_lab_refreshes_an_untouched_copy_and_puts_a_new_version_beside_an_edited_one(book):
    make(book, "lab", "--sync-only")
    workspace = book / "workspace"
    edit(workspace / EDITED, 0, "print('my own experiment')")
    mine = (workspace / EDITED).read_bytes()
    for name in ("01-optimization", "02-learning-rate"):
        chapter = book / "chapters" / f"{name}.md"
        chapter.write_text(chapter.read_text() + "\nA paragraph added by the book.\n")
    output = make(book, "lab", "--sync-only")
    assert "A paragraph added by the book." in (workspace / UNTOUCHED).read_text()
    assert f"updated {UNTOUCHED}" in output
    assert (workspace / EDITED).read_bytes() == mine
    beside = workspace / "chapters" / "02-learning-rate.new.ipynb"
    assert "A paragraph added by the book." in beside.read_text()
    assert f"kept your {EDITED}" in output and beside.name in output
