"""Sphinx extension: numbers by chapter, "Fig. 7.3", "(7.12)" and "Exercise 7.1", on the website.

The book's table of contents is not numbered (each chapter carries its outline number in its
title, and chapters 4-6 are not written yet), so Sphinx would number figures, tables, code
captions and equations 1, 2, 3, ... across the whole book: chapter 7 would show "Fig. 15". This
extension runs after Sphinx has assigned those numbers and rewrites them:

* on a chapter page ``chapters/NN-name``, the k-th figure, table, captioned code block and
  labelled display equation becomes ``NN.k`` (counted per kind, from 1, in page order);
* on any other page (preface, exercise pages, errata, ...) it becomes ``k``, counted per page;
* an exercise labelled ``ex-<chapter>-<n>`` becomes ``<chapter>.<n>``, in its title, in
  "Solution to Exercise 7.1", and in every reference to it, matching the notebooks and the
  grading reports (the reader copies written by ``bookkit release`` carry such labels).

Sphinx reads every number it prints from ``env.toc_fignumbers``: the caption of a figure, table
or code block, the ``(7.12)`` beside an equation (``math_numfig``, via
``sphinx.util.math.get_node_equation_number``), and every ``{numref}`` and ``{eq}`` from any page
(``sphinx/domains/std.py``, ``sphinx/domains/math.py``). Rewriting that table once is enough.
Enable it with ``bookkit.sphinx_numbers`` in ``sphinx: extra_extensions`` of ``_config.yml``,
with ``numfig`` and ``math_numfig`` on.
"""

from __future__ import annotations

import re
from typing import Any

LABEL = re.compile(r"^ex-(\d+(?:-\d+)+)$")
CHAPTER = re.compile(r"^chapters/(\d+)-")
# Kinds numbered per page: Sphinx's own (std domain) and the math domain's labelled equations.
PER_PAGE = ("figure", "table", "code-block", "displaymath")


def chapter_number(docname: str) -> tuple[int, ...]:
    """Return ``(NN,)`` for a chapter page ``chapters/NN-name``, else ``()``."""
    match = CHAPTER.match(docname)
    return (int(match[1]),) if match else ()


def number_exercises(exercises: dict[str, tuple[int, ...]]) -> None:
    """Give every exercise labelled ``ex-C-N`` the number ``(C, N)``, in place."""
    for node_id in exercises:
        match = LABEL.match(node_id)
        if match:
            exercises[node_id] = tuple(int(part) for part in match[1].split("-"))


def number_page(docname: str, numbers: dict[str, dict[str, tuple[int, ...]]]) -> None:
    """Number each kind in PER_PAGE from 1 on one page, prefixed by its chapter number."""
    prefix = chapter_number(docname)
    for figtype in PER_PAGE:
        ids = numbers.get(figtype)
        if ids:
            in_order = sorted(ids, key=ids.__getitem__)  # Sphinx counts in document order
            ids.update({node_id: (*prefix, k) for k, node_id in enumerate(in_order, start=1)})


def renumber(app: Any, env: Any) -> list[str]:
    """Rewrite the numbers Sphinx assigned: per page, by chapter, and exercises by label.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        Unused; part of the ``env-get-updated`` event's signature.
    env : sphinx.environment.BuildEnvironment
        Its ``toc_fignumbers`` (docname -> figure type -> node id -> number tuple) is updated.

    Returns
    -------
    list of str
        No extra documents to rewrite: Sphinx already rewrites every page whose numbers it
        assigned differently from the last build's (renumbered) ones.
    """
    for docname, numbers in env.toc_fignumbers.items():
        number_page(docname, numbers)
        number_exercises(numbers.get("exercise", {}))
    return []


def setup(app: Any) -> dict[str, bool]:
    """Register :func:`renumber` after Sphinx's own figure numbering (priority 500)."""
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
