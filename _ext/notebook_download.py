"""Offer every executed chapter as a notebook download, and each exercise page's student copy.

The theme lists a page's ``.ipynb`` in its download menu only when a launch service (Binder,
Colab, ...) is configured, and this book configures none that it has not been tested on. For a
MyST Markdown notebook, :func:`offer_notebook` copies the executed notebook that myst-nb wrote to
``jupyter_execute/`` (outputs included, so it reads well before it is run) into the site's
``_sources/`` and tells the theme it is there. It runs before the theme builds its header buttons
(priority 501).

An exercise page (``exercises/_reader/NAME.ipynb``) is the reader copy, solutions folded; its
download button would hand out that copy, solutions and all, beside the page's link to the
student copy. :func:`offer_student_copy` runs after the theme (priority 502) and points the
button at the student copy (``exercises/_reader/download/NAME.ipynb``, the link's file), so both
downloads of the page give the same notebook: the stubs and the self-checks.
"""

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

READER = "exercises/_reader"
STUDENT = f"{READER}/download"


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Copy ``jupyter_execute/<page>.ipynb`` next to the page's source and link it."""
    sourcename = context.get("sourcename") or ""
    if context.get("ipynb_source") or not sourcename.endswith((".md", ".md.txt")):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def offer_student_copy(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """On an exercise page, make the download button serve the student copy."""
    name = f"{Path(pagename).name}.ipynb"
    student = Path(app.srcdir) / STUDENT / name
    if not pagename.startswith(f"{READER}/") or not student.is_file():
        return
    target = Path(app.outdir) / "_sources" / STUDENT / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(student, target)
    url = f"{context['pathto']('_sources', 1)}/{STUDENT}/{name}"
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        for button in group["buttons"]:
            if button.get("label") in ("download-source-button", "download-notebook-button"):
                button["url"] = url
                button["tooltip"] = "Download the exercises as a notebook to work in"


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", offer_notebook, priority=500)
    app.connect("html-page-context", offer_student_copy, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
