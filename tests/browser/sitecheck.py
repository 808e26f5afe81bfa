"""Helpers shared by the browser tests: the console allow-list, page loading, and page numbers.

Plain functions of what the browser returns, so that the rules are unit-tested without a browser
(tests/browser/test_site.py and test_pages.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

# The machines that build and test the book have no internet. Pages ask two hosts for files
# that then fail to load, which Chromium logs as SEVERE "Failed to load resource: net::ERR_...":
#   cdn.jsdelivr.net  MathJax 3 (Sphinx's default mathjax_path) and the fonts MathJax requests;
#   unpkg.com         thebe (sphinx-thebe), only if a reader presses "launch".
# Only such network failures of those hosts are allowed; every JavaScript error still fails.
ALLOWED_OFFLINE_FAILURES = re.compile(
    r"^https://(cdn\.jsdelivr\.net|unpkg\.com)/\S+ - Failed to load resource: net::ERR_[A-Z_]+$"
)

# A chapter page and an exercise page carry their chapter number in their path.
CHAPTER_PAGE = re.compile(r"^(chapters|exercises/_reader)/0*(\d+)-[^/]*\.html$")
CAPTION = re.compile(r"^(Fig\.|Table|Listing|Exercise) (\d+(?:\.\d+)*)$")

# Resolves once MathJax has typeset the page (or at once when the page loads no MathJax).
TYPESET = """
const done = arguments[arguments.length - 1];
const startup = window.MathJax && window.MathJax.startup;
if (!startup || !startup.promise) { done(document.querySelector(".math") ? "no MathJax" : "ok"); }
else { startup.promise.then(() => done("ok"), error => done("MathJax failed: " + error)); }
"""


def severe_errors(entries: list[dict]) -> list[str]:
    """Return the SEVERE console messages that are not allowed offline failures."""
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"
            and not ALLOWED_OFFLINE_FAILURES.match(entry["message"])]


def wait_until_loaded(browser: Any, url: str, timeout: float = 30) -> None:
    """Open ``url`` and wait until the document, deferred scripts included, has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def misnumbered(page: str, captions: list[str], equations: list[str]) -> list[str]:
    """Return the numbers of a page that do not follow the book's numbering.

    On ``chapters/NN-*.html`` every caption number (``Fig. 7.1``, ``Table 7.1``, ``Listing 7.1``)
    and every equation number (``7.1``) must read ``NN.k``, with k = 1, 2, ... per kind in page
    order. On ``exercises/_reader/NN-*.html`` the exercises must read ``Exercise NN.k``. Other
    pages are not checked.

    Parameters
    ----------
    page : str
        Path of the page in the site, e.g. ``chapters/07-backprop.html``.
    captions : list of str
        The page's caption numbers in page order, e.g. ``["Fig. 7.1", "Exercise 7.1"]``.
    equations : list of str
        The page's equation numbers in page order, without parentheses, e.g. ``["7.1"]``.

    Returns
    -------
    list of str
        One message per wrong number; empty when all are right.
    """
    match = CHAPTER_PAGE.match(page)
    if not match:
        return []
    on_chapter, chapter = match[1] == "chapters", match[2]
    labelled = [CAPTION.match(caption.strip()) for caption in captions]
    wrong = [f"unexpected caption number {caption!r}"
             for caption, parsed in zip(captions, labelled, strict=True) if parsed is None]
    items = [(parsed[1], parsed[2]) for parsed in labelled
             if parsed and (on_chapter or parsed[1] == "Exercise")]
    if on_chapter:
        items += [("equation", number.strip()) for number in equations]
    seen: dict[str, int] = defaultdict(int)
    for kind, number in items:
        seen[kind] += 1
        if number != f"{chapter}.{seen[kind]}":
            wrong.append(f"{kind} {number}: expected {chapter}.{seen[kind]}")
    return wrong
