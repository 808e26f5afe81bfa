"""Give every control of the book's pages an accessible name that matches what it shows.

An axe-core audit (WCAG 2.1 A and AA; ``tests/browser/test_accessibility.py``) of the pages as
the theme and extensions write them finds three kinds of markup that this extension writes
differently, each where it is made, so that the fix survives upgrades that leave the markup alone
and the audit catches any upgrade that does not:

- **Sidebar toggles** (axe ``summary-name``). pydata-sphinx-theme opens and closes a chapter's
  entries in the navigation with a ``<summary>`` that holds only a chevron icon, so a screen
  reader announces an unnamed control. The theme's ``generate_toctree_html`` is wrapped to give
  each such summary the name "Sections of <chapter title>".
- **Hidden code cells** (axe ``label-content-name-mismatch``). myst-nb writes
  ``<summary aria-label="Toggle hidden content">`` around the visible words "Show code cell
  source", so speech-input users cannot say what they see. The summary is written without the
  label; its name is then its visible text.
- **The bibliography** (axe ``aria-required-children``, ``aria-deprecated-role``). docutils
  writes each entry as ``role="doc-biblioentry"`` inside ``role="list"``; DPUB-ARIA 1.1
  deprecates that role, so browsers and axe drop it and the list holds links instead of items.
  Each entry is written as ``role="listitem"``, which is what DPUB-ARIA 1.1 asks for.

Two header controls are template overrides in ``_templates/`` (the search field's and the colour
mode button's names), and colours and the print layout are in ``_static/accessibility.css``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode
from sphinx.application import Sphinx


def name_toc_toggles(soup: Any) -> Any:
    """Name each unnamed ``<summary>`` of a navigation tree after the entry it opens.

    Parameters
    ----------
    soup : bs4.BeautifulSoup or str
        What the theme's ``generate_toctree_html`` returned (a string is passed through).

    Returns
    -------
    The same object, changed in place.
    """
    if isinstance(soup, str):
        return soup
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        entry = summary.find_parent("li").find("a", recursive=False)
        title = entry.get_text(" ", strip=True) if entry is not None else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Sections"
    return soup


def wrap_toctree(app: Sphinx, pagename: str, templatename: str, context: dict,
                 doctree: Any) -> None:
    """Make the page's ``generate_toctree_html`` name its toggles (runs after the theme's)."""
    generate: Callable[..., Any] | None = context.get("generate_toctree_html")
    if generate is None:
        return

    @functools.wraps(generate)
    def generate_named(*args: Any, **kwargs: Any) -> Any:
        return name_toc_toggles(generate(*args, **kwargs))

    context["generate_toctree_html"] = generate_named


def visit_hidden_cell(self: Any, node: HideCodeCellNode) -> None:
    """Open a folded code cell: a ``<details>`` whose summary is named by its visible text."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    for state, prompt in (("collapsed", node["prompt_show"]), ("expanded", node["prompt_hide"])):
        self.body.append(f'<p class="{state} admonition-title">{self.encode(prompt)}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_cell(self: Any, node: HideCodeCellNode) -> None:
    self.body.append("</details>\n")


def visit_citation(self: Any, node: nodes.citation) -> None:
    """Open a bibliography entry as a list item (a run of entries is one list)."""
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=["citation"], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", wrap_toctree, priority=900)
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
