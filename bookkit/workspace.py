"""The learner's workspace: their own copy of every chapter and student exercise notebook.

``python -m bookkit lab`` (and ``make lab``, which calls it) keeps a git-ignored folder,
``workspace/`` by default, holding

* ``chapters/NAME.ipynb``: each chapter ``chapters/NAME.md`` as a notebook (no outputs);
* ``exercises/NAME.ipynb``: the student copy of each exercise (stubs, visible self-checks only).

The promise is that a learner's work is never lost. A notebook's *text* is the kind and source of
each of its cells (outputs and execution counts come back by running it); a hidden manifest,
``.bookkit-manifest.json``, records the text of each file as last copied from the book. Then, for
each notebook of the book:

* missing from the workspace: copied;
* present and unchanged since the last copy: replaced by the book's version when that differs
  (so an untouched chapter follows the book);
* changed by the learner: never touched; when the book's version differs from the one last
  copied, it is written beside the learner's as ``NAME.new.ipynb`` (or ``NAME.new-2.ipynb``, ...
  when a ``.new`` copy has itself been edited) and the returned actions say so.

No other command of the project writes into the workspace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode

from bookkit.notebook import load_source
from bookkit.release import student_copy

MANIFEST = ".bookkit-manifest.json"

__all__ = ["MANIFEST", "Action", "book_notebooks", "fingerprint", "sync"]


@dataclass(frozen=True)
class Action:
    """What :func:`sync` did with one notebook of the book.

    ``kind`` is one of ``"created"``, ``"updated"`` (an untouched copy replaced by the book's
    new version) or ``"new-version"`` (the learner's copy kept, the book's version written to
    ``written``). A copy that needs nothing (unchanged, or the learner's own version of an
    unchanged page) produces no action.
    """

    kind: str
    path: Path
    written: Path | None = None

    def describe(self) -> str:
        """One line for the learner."""
        if self.kind == "new-version":
            return (f"kept your {self.path}: the book has a new version of it, written beside "
                    f"yours as {self.written}; compare the two and copy what you want")
        return f"{self.kind} {self.path}"


def _digest(nb: NotebookNode) -> str:
    text = [(cell.cell_type, cell.source) for cell in nb.cells]
    return hashlib.sha256(json.dumps(text).encode("utf-8")).hexdigest()


def fingerprint(path: str | Path) -> str:
    """Return the SHA-256 of a notebook's text: the kind and source of each cell, in order.

    Outputs, execution counts, cell ids and metadata do not count, so running a notebook does
    not change its fingerprint and editing a cell does. A file that is not a readable notebook
    is fingerprinted by its bytes (so it never matches a notebook of the book).

    Parameters
    ----------
    path : str or Path
        A notebook file.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    data = Path(path).read_bytes()
    try:
        return _digest(nbformat.reads(data.decode("utf-8"), as_version=4))
    except (ValueError, UnicodeDecodeError, KeyError, AttributeError, TypeError):
        return hashlib.sha256(data).hexdigest()


def _chapter_notebook(path: Path) -> NotebookNode:
    nb = jupytext.read(path)
    nb.metadata.pop("jupytext", None)  # an .ipynb of its own, not paired with the book's .md
    return nb


def book_notebooks(root: str | Path) -> dict[str, NotebookNode]:
    """Return the learner's notebooks of the book at ``root``, keyed by workspace path.

    Parameters
    ----------
    root : str or Path
        The book's folder, holding ``chapters/*.md`` and ``exercises/*.ipynb``.

    Returns
    -------
    dict of str to NotebookNode
        ``"chapters/NAME.ipynb"`` for each chapter and ``"exercises/NAME.ipynb"`` (the student
        copy) for each exercise source, in that order.

    Raises
    ------
    ValueError
        If ``root`` holds no chapter.
    SourceFormatError
        If an exercise source is invalid.
    """
    root = Path(root)
    chapters = sorted((root / "chapters").glob("*.md"))
    if not chapters:
        raise ValueError(f"no chapter (chapters/*.md) in {root}; run this from the book's folder")
    notebooks = {f"chapters/{p.stem}.ipynb": _chapter_notebook(p) for p in chapters}
    for path in sorted((root / "exercises").glob("*.ipynb")):
        notebooks[f"exercises/{path.name}"] = student_copy(load_source(path)[0])
    return notebooks


def _read_manifest(workspace: Path) -> dict[str, str]:
    try:
        manifest = json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _write(nb: NotebookNode, workspace: Path, key: str, manifest: dict[str, str]) -> None:
    path = workspace / key
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    manifest[key] = _digest(nb)


def _beside(workspace: Path, key: str, manifest: dict[str, str]) -> str:
    """Where the book's new version of ``key`` goes: a free or untouched ``.new`` name."""
    stem = key.removesuffix(".ipynb")
    for suffix in ("new", *(f"new-{n}" for n in range(2, 1000))):
        candidate = f"{stem}.{suffix}.ipynb"
        path = workspace / candidate
        if not path.exists() or manifest.get(candidate) == fingerprint(path):
            return candidate
    raise RuntimeError(f"no free name for the new version of {key} in {workspace}")


def sync(root: str | Path, workspace: str | Path) -> list[Action]:
    """Bring the workspace up to date with the book without losing any of the learner's work.

    Parameters
    ----------
    root : str or Path
        The book's folder (``chapters/``, ``exercises/``).
    workspace : str or Path
        The learner's folder; created if missing.

    Returns
    -------
    list of Action
        What was done, one entry per notebook that was created, updated or kept apart from the
        book's version.

    Raises
    ------
    ValueError
        If ``root`` holds no chapter, or ``workspace`` is an existing file.
    """
    workspace = Path(workspace)
    if workspace.exists() and not workspace.is_dir():
        raise ValueError(f"workspace must be a folder; {workspace} is a file")
    manifest, actions = _read_manifest(workspace), []
    for key, nb in book_notebooks(root).items():
        path, book = workspace / key, _digest(nb)
        if not path.exists():
            _write(nb, workspace, key, manifest)
            actions.append(Action("created", Path(key)))
            continue
        theirs = fingerprint(path)
        if theirs == book:
            manifest[key] = book
        elif theirs == manifest.get(key):  # untouched since the last copy: follow the book
            _write(nb, workspace, key, manifest)
            actions.append(Action("updated", Path(key)))
        elif book != manifest.get(key):  # the learner's version, and the book's has changed
            beside = _beside(workspace, key, manifest)
            _write(nb, workspace, beside, manifest)
            manifest[key] = book
            actions.append(Action("new-version", Path(key), Path(beside)))
    (workspace / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return actions
