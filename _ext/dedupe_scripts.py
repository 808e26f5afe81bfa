"""Drop repeated <script> entries from every page.

Sphinx 7.4 emits sphinx-thebe's inline script twice (once with filename None, once with an
empty filename), and the second copy makes the browser raise ``SyntaxError: Identifier
'THEBE_JS_URL' has already been declared`` on every page. This handler runs after the other
extensions have added their scripts and keeps the first of the entries that load the same file
or run the same inline code.

It also drops the ipywidgets state that myst-nb embeds in a page whose notebook displayed a live
widget (its models, PNG frames included, as JSON). With ``nb_ipywidgets_js: {}`` no script on the
site reads it; the widget's static twin (text/html) is what the page shows.
"""

from typing import Any

from sphinx.application import Sphinx

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # An inline script has filename None in one copy and "" in the other.
    filename = getattr(script, "filename", script) or ""
    return (str(filename), tuple(sorted((key, str(value)) for key, value in attributes.items())))


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Keep the first of each group of identical script entries of a page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    drop_widget_state = not app.config.nb_ipywidgets_js
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        if drop_widget_state and attributes.get("type") == WIDGET_STATE:
            continue
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
