"""Find, read and check submitted files before any code runs.

Every problem with an input becomes a one-line reason attached to that file, never an exception
that stops the run: a symbolic link (not followed: an unzipped upload can point anywhere), a
file that is not a regular file or is too large, bytes that are not UTF-8 JSON, JSON that is not
a notebook's structure, the same file named twice. File names are kept as the operating system
gives them (a name that is not UTF-8 keeps its bytes) and shown escaped.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

MAX_BYTES = 16 * 2**20
CELL_TYPES = ("code", "markdown", "raw")


def shown(text: str) -> str:
    """``text`` safe for a terminal and a spreadsheet: control characters and undecodable bytes
    escaped, so that a name or a message cannot move the cursor or fake a line.

    Examples
    --------
    >>> shown("ok\\x1b[2J\\n10/10")
    'ok\\\\x1b[2J\\\\n10/10'
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    out = []
    for char in text:
        code = ord(char)
        if code < 32 or 127 <= code < 160 or char in "\u2028\u2029\u200e\u200f\u202a\u202b" \
                "\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


@dataclass
class Submission:
    """One submitted file as read from disk.

    Attributes
    ----------
    path : Path
        As found (the name may hold undecodable bytes, kept with ``surrogateescape``).
    learner : str
        The folder that identifies the learner (the first folder under the folder given on
        the command line, or the file's own folder).
    data : bytes or None
        The file's content, read once before any grading; None if it could not be read.
    problem : str
        Why the file cannot be graded, or "".
    notes : list of str
        Things the report should say about the file although it can be graded.
    """

    path: Path
    learner: str
    data: bytes | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The path, escaped for display."""
        return shown(str(self.path))

    @property
    def digest(self) -> str:
        """SHA-256 of the content ("" when unread)."""
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else ""


def _read(path: Path) -> tuple[bytes | None, str, tuple[int, int] | None]:
    try:
        info = os.lstat(path)
    except OSError as err:
        return None, f"cannot read the file ({err.strerror})", None
    if stat.S_ISLNK(info.st_mode):
        return None, "is a symbolic link; links are not followed (hand in the file itself)", None
    if not stat.S_ISREG(info.st_mode):
        return None, "is not a regular file", None
    if info.st_size > MAX_BYTES:
        return None, f"is {info.st_size} bytes, more than a notebook needs ({MAX_BYTES})", None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return None, f"cannot read the file ({err.strerror})", None
    return data, "", (info.st_dev, info.st_ino)


def collect(paths: list[str | Path]) -> list[Submission]:
    """Find every notebook under ``paths`` and read it; duplicates and links are marked.

    Parameters
    ----------
    paths : list of str or Path
        Notebooks, or folders searched (without following links) for ``*.ipynb``.

    Returns
    -------
    list of Submission
        In the order given, folders sorted; each file once (a second mention of the same file
        is kept with a ``problem`` saying so).
    """
    found: list[tuple[Path, str]] = []
    for given in map(Path, paths):
        if given.is_dir() and not given.is_symlink():
            for root, dirs, files in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                here = Path(root)
                links = sorted(d for d in dirs if (here / d).is_symlink())
                for name in sorted(files) + links:
                    if name.endswith(".ipynb") or name in links:
                        relative = (here / name).relative_to(given).parts
                        learner = relative[0] if len(relative) > 1 else given.name
                        found.append((here / name, learner))
        else:
            found.append((given, given.parent.name))
    seen: dict[tuple[int, int], str] = {}
    out = []
    for path, learner in found:
        data, problem, key = _read(path)
        entry = Submission(path, shown(learner), data, problem)
        if key is not None and key in seen:
            entry.data, entry.problem = None, f"is the same file as {seen[key]}; graded once"
        elif key is not None:
            seen[key] = entry.name
        out.append(entry)
    return out


def _source_text(value: object, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    raise ValueError(f"{where}: 'source' is neither a string nor a list of strings")


def parse(data: bytes) -> tuple[NotebookNode, list[str]]:
    """Turn a file's bytes into a notebook of clean cells, or raise ValueError with one reason.

    Only what grading reads is kept: each cell's type, source and ``nbgrader`` metadata.

    Returns
    -------
    (NotebookNode, list of str)
        The notebook and notes on what was repaired (e.g. ``"metadata": null``).

    Raises
    ------
    ValueError
        If the bytes are not UTF-8 JSON with a list of cells that are objects.
    """
    notes: list[str] = []
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ValueError(f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"not valid JSON ({err}); the file is damaged: open it in Jupyter "
                         "or restore it from a copy") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4 or \
            not isinstance(raw.get("cells"), list):
        raise ValueError("not a Jupyter notebook in nbformat 4 (no 'cells' list)")
    if raw.get("metadata") is not None and not isinstance(raw.get("metadata"), dict):
        notes.append("the notebook's metadata is not an object; ignored")
    elif raw.get("metadata") is None and "metadata" in raw:
        notes.append("the notebook's metadata is null; ignored")
    cells = []
    for number, cell in enumerate(raw["cells"], start=1):
        where = f"cell {number}"
        if not isinstance(cell, dict):
            raise ValueError(f"{where} is a JSON {type(cell).__name__}, not a cell object")
        kind = cell.get("cell_type")
        if kind not in CELL_TYPES:
            raise ValueError(f"{where} has cell_type {shown(repr(kind))[:40]}; "
                             f"expected one of {', '.join(CELL_TYPES)}")
        source = _source_text(cell.get("source", ""), where)
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        clean = {"cell_type": kind, "source": source,
                 "metadata": {"nbgrader": nbgrader} if isinstance(nbgrader, dict) else {}}
        if kind == "code":
            clean.update(outputs=[], execution_count=None)
        cells.append(clean)
    nb = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    return nb, notes
