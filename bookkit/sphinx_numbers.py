"""Sphinx extension: an exercise labelled ``ex-7-1`` is numbered "Exercise 7.1" on the website.

The book's table of contents is not numbered (each chapter carries its number in its title), so
sphinx-exercise would number the exercises 1, 2, 3, ... across the whole book, and the website
would disagree with the notebooks, the grading reports and the text. This extension runs after
Sphinx has assigned its figure numbers and gives every exercise whose label reads
``ex-<chapter>-<n>`` the number ``<chapter>.<n>``: in its title, in "Solution to Exercise 7.1",
and in every ``{numref}`` or ``{ref}`` to it. The reader copies written by ``bookkit release``
carry such labels; a chapter can use them too. Enable it with ``bookkit.sphinx_numbers`` in
``sphinx: extra_extensions`` of ``_config.yml``.
"""

from __future__ import annotations

import re
from typing import Any

LABEL = re.compile(r"^ex-(\d+(?:-\d+)+)$")


def renumber(app: Any, env: Any) -> list[str]:
    """Replace the number of every exercise labelled ``ex-C-N`` by ``(C, N)``.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        Unused; part of the ``env-get-updated`` event's signature.
    env : sphinx.environment.BuildEnvironment
        Its ``toc_fignumbers`` (docname -> figure type -> node id -> number tuple) is updated.

    Returns
    -------
    list of str
        No extra documents to rewrite.
    """
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        for node_id in exercises:
            match = LABEL.match(node_id)
            if match:
                exercises[node_id] = tuple(int(part) for part in match[1].split("-"))
    return []


def setup(app: Any) -> dict[str, bool]:
    """Register :func:`renumber` after Sphinx's own figure numbering (priority 500)."""
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
