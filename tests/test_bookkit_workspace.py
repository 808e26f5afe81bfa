"""The learner's workspace: copies made when missing, learner's work never overwritten.

A tiny book in a temporary folder (one MyST chapter, the sample exercise source) is synced into a
workspace; the learner's edits and the book's updates are then played in every order.
"""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from bookkit.workspace import MANIFEST, book_notebooks, fingerprint, sync

SAMPLE = Path(__file__).parent / "fixtures" / "exercises" / "source" / "01-sample.ipynb"
CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# 1. A chapter

```{{note}}
{note}
```

```{{code-cell}} ipython3
x = 1 + 1
```
"""
CHAPTER_KEY, EXERCISE_KEY = "chapters/01-chapter.ipynb", "exercises/01-sample.ipynb"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "exercises").mkdir()
    write_chapter(root, "A first note.")
    shutil.copy(SAMPLE, root / "exercises" / SAMPLE.name)
    return root


def write_chapter(root: Path, note: str) -> None:
    (root / "chapters" / "01-chapter.md").write_text(CHAPTER.format(note=note), encoding="utf-8")


def learner_edits(path: Path, text: str) -> bytes:
    """Put ``text`` into the notebook's last code cell, as a learner typing would; return bytes."""
    nb = nbformat.read(path, as_version=4)
    [cell for cell in nb.cells if cell.cell_type == "code"][-1].source = text
    nbformat.write(nb, path)
    return path.read_bytes()


def sources(path: Path) -> str:
    return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)


def test_the_first_sync_copies_every_chapter_and_the_student_copy_of_every_exercise(book,
                                                                                    tmp_path):
    workspace = tmp_path / "workspace"
    actions = sync(book, workspace)
    assert sorted((a.kind, a.path.as_posix()) for a in actions) == [
        ("created", CHAPTER_KEY), ("created", EXERCISE_KEY)]
    chapter = nbformat.read(workspace / CHAPTER_KEY, as_version=4)
    assert [c.cell_type for c in chapter.cells] == ["markdown", "code"], "opens as a notebook"
    assert "A first note." in chapter.cells[0].source and chapter.cells[1].source == "x = 1 + 1"
    assert "jupytext" not in chapter.metadata, "the copy must not be paired with the book's .md"
    exercise = sources(workspace / EXERCISE_KEY)
    source = sources(book / "exercises" / SAMPLE.name)
    assert "### BEGIN SOLUTION" in source and "### BEGIN HIDDEN TESTS" in source
    assert "raise NotImplementedError()" in exercise
    assert "BEGIN SOLUTION" not in exercise and "HIDDEN TESTS" not in exercise, \
        "the learner's copy holds neither the solutions nor the hidden tests"
    manifest = json.loads((workspace / MANIFEST).read_text())
    assert manifest == {key: fingerprint(workspace / key) for key in (CHAPTER_KEY, EXERCISE_KEY)}


def test_a_second_sync_of_an_unchanged_book_rewrites_nothing(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in workspace.rglob("*.ipynb")}
    assert sync(book, workspace) == []
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in workspace.rglob("*.ipynb")} == before


def test_an_edited_copy_survives_a_sync_when_the_book_has_not_changed(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    answer = learner_edits(workspace / EXERCISE_KEY, "def my_answer():\n    return 42")
    assert sync(book, workspace) == []
    assert (workspace / EXERCISE_KEY).read_bytes() == answer
    assert not list(workspace.rglob("*.new*.ipynb"))


def test_an_untouched_copy_follows_the_book(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    write_chapter(book, "A corrected note.")
    actions = sync(book, workspace)
    assert [(a.kind, a.path.as_posix()) for a in actions] == [("updated", CHAPTER_KEY)]
    assert "A corrected note." in sources(workspace / CHAPTER_KEY)
    assert not list(workspace.rglob("*.new*.ipynb"))


def test_running_a_notebook_does_not_count_as_changing_it(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    path = workspace / CHAPTER_KEY
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, path)
    write_chapter(book, "A corrected note.")
    assert [a.kind for a in sync(book, workspace)] == ["updated"]
    assert "A corrected note." in sources(path)


def test_an_edited_copy_is_kept_and_the_new_version_is_written_beside_it(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    mine = learner_edits(workspace / CHAPTER_KEY, "x = 'my own experiment'")
    write_chapter(book, "A corrected note.")
    actions = sync(book, workspace)
    assert (workspace / CHAPTER_KEY).read_bytes() == mine
    beside = workspace / "chapters" / "01-chapter.new.ipynb"
    assert [(a.kind, a.written) for a in actions] == [("new-version", beside.relative_to(
        workspace))]
    assert "A corrected note." in sources(beside)
    message = actions[0].describe()
    assert "kept your chapters/01-chapter.ipynb" in message and "01-chapter.new.ipynb" in message
    assert sync(book, workspace) == [], "the same new version is announced once"
    assert (workspace / CHAPTER_KEY).read_bytes() == mine


def test_a_new_version_never_overwrites_an_edited_new_version(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    mine = learner_edits(workspace / CHAPTER_KEY, "x = 'mine'")
    write_chapter(book, "Second version.")
    sync(book, workspace)
    beside = workspace / "chapters" / "01-chapter.new.ipynb"
    also_mine = learner_edits(beside, "x = 'merged by hand'")
    write_chapter(book, "Third version.")
    actions = sync(book, workspace)
    assert [a.written.name for a in actions] == ["01-chapter.new-2.ipynb"]
    assert (workspace / CHAPTER_KEY).read_bytes() == mine and beside.read_bytes() == also_mine
    assert "Third version." in sources(workspace / "chapters" / "01-chapter.new-2.ipynb")


def test_an_untouched_new_version_is_replaced_by_a_newer_one(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    learner_edits(workspace / CHAPTER_KEY, "x = 'mine'")
    write_chapter(book, "Second version.")
    sync(book, workspace)
    write_chapter(book, "Third version.")
    assert [a.written.name for a in sync(book, workspace)] == ["01-chapter.new.ipynb"]
    assert "Third version." in sources(workspace / "chapters" / "01-chapter.new.ipynb")


def test_a_deleted_copy_is_made_again(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    (workspace / EXERCISE_KEY).unlink()
    assert [a.kind for a in sync(book, workspace)] == ["created"]
    assert "raise NotImplementedError()" in sources(workspace / EXERCISE_KEY)


@pytest.mark.parametrize("damage", ["manifest lost", "manifest corrupt"])
def test_without_a_manifest_a_differing_file_is_treated_as_the_learners(book, tmp_path, damage):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    mine = learner_edits(workspace / EXERCISE_KEY, "answer = 1")
    if damage == "manifest lost":
        (workspace / MANIFEST).unlink()
    else:
        (workspace / MANIFEST).write_text("{not json")
    actions = sync(book, workspace)
    assert [(a.kind, a.path.as_posix()) for a in actions] == [("new-version", EXERCISE_KEY)]
    assert (workspace / EXERCISE_KEY).read_bytes() == mine


def test_a_file_that_is_no_longer_a_notebook_is_kept(book, tmp_path):
    workspace = tmp_path / "workspace"
    sync(book, workspace)
    (workspace / CHAPTER_KEY).write_text("{half a notebook")
    write_chapter(book, "A corrected note.")
    assert [a.kind for a in sync(book, workspace)] == ["new-version"]
    assert (workspace / CHAPTER_KEY).read_text() == "{half a notebook"


def test_the_real_book_gives_one_notebook_per_chapter_and_exercise():
    root = Path(__file__).resolve().parents[1]
    keys = list(book_notebooks(root))
    chapters = sorted(p.stem for p in (root / "chapters").glob("*.md"))
    exercises = sorted(p.stem for p in (root / "exercises").glob("*.ipynb"))
    assert keys == [f"chapters/{c}.ipynb" for c in chapters] + [
        f"exercises/{e}.ipynb" for e in exercises]


def test_bad_folders_are_refused_with_a_clear_message(book, tmp_path):
    with pytest.raises(ValueError, match=r"no chapter \(chapters/\*\.md\) in .*; run this from"):
        sync(tmp_path / "nowhere", tmp_path / "workspace")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ValueError, match="workspace must be a folder; .*a-file is a file"):
        sync(book, tmp_path / "a-file")
