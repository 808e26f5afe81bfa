"""Offer every executed chapter as a notebook download.

The theme lists a page's ``.ipynb`` in its download menu only when a launch service (Binder,
Colab, ...) is configured, and this book configures none that it has not been tested on. For a
MyST Markdown notebook, this handler copies the executed notebook that myst-nb wrote to
``jupyter_execute/`` into the site's ``_sources/`` and tells the theme it is there. It runs before
the theme builds its header buttons (priority 501).
"""

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", offer_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
