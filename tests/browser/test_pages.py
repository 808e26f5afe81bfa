"""Every page of the book's table of contents, in a real browser.

Run after building the book (see conftest.py for the settings):

    pytest tests/browser --site _build/html

The pages are the root page and every page its navigation sidebar links to (the chapters, their
exercise pages and the back matter). Each must load with a clean console (the allow-list of
sitecheck.py), have its math typeset by MathJax (every ``.math`` element holds an
``mjx-container``, MathJax reports no TeX error, and no ``$$``, ``\\(`` or ``\\[`` is left in the
text outside code), give every figure image a non-empty alt text and a loaded file, and, on a
chapter or exercise page, number its figures, tables, listings, equations and exercises by the
chapter (sitecheck.misnumbered).
"""

from __future__ import annotations

import re

from sitecheck import TYPESET, misnumbered, severe_errors, wait_until_loaded

# Back matter the sidebar must list, besides at least one chapter and one exercise page.
BACK_MATTER = (
    "notation.html", "errata.html", "history.html", "bibliography.html", "instructors.html"
)
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[")

NAVIGATION = """
return Array.from(document.querySelectorAll("nav.bd-docs-nav a.reference.internal"),
                  a => a.href.split("#")[0]);
"""

INSPECT = """
const article = document.querySelector("article.bd-article") || document.body;
const maths = Array.from(article.querySelectorAll(".math"));
const text = article.cloneNode(true);
text.querySelectorAll("pre, code, script, style, mjx-container, .highlight")
    .forEach(node => node.remove());
return {
  maths: maths.length,
  untypeset: maths.filter(m => !m.querySelector("mjx-container"))
                  .map(m => m.textContent.trim().slice(0, 60)),
  containers: article.querySelectorAll("mjx-container").length,
  texErrors: Array.from(article.querySelectorAll("mjx-merror"), e => e.textContent.slice(0, 80)),
  text: text.textContent,
  images: Array.from(article.querySelectorAll("figure img"),
                     img => ({src: img.src.slice(-60), alt: (img.getAttribute("alt") || "").trim(),
                              loaded: img.complete && img.naturalWidth > 0})),
  captions: Array.from(article.querySelectorAll(".caption-number"), c => c.textContent.trim()),
  equations: Array.from(article.querySelectorAll(".eqno"),
                        e => e.firstChild.textContent.trim().replace(/^\\(|\\)$/g, "")),
};
"""


def page_problems(state: dict) -> list[str]:
    """Return what is wrong with a page, from the INSPECT script's answer."""
    problems = [f"math not typeset: {snippet!r}" for snippet in state["untypeset"]]
    problems += [f"MathJax error: {error!r}" for error in state["texErrors"]]
    if state["maths"] and not state["containers"]:
        problems.append("the page has math but no mjx-container")
    for match in RAW_TEX.finditer(state["text"]):
        context = state["text"][max(0, match.start() - 30):match.end() + 30]
        problems.append(f"raw TeX delimiter {match[0]!r} in the text: {context!r}")
    for image in state["images"]:
        if not image["alt"]:
            problems.append(f"figure image without alt text: {image['src']}")
        if not image["loaded"]:
            problems.append(f"figure image did not load: {image['src']}")
    return problems


def toc_pages(browser, site_url: str) -> list[str]:
    """The root page and every page its sidebar lists, relative to the site, in toc order."""
    wait_until_loaded(browser, site_url)  # index.html redirects to the root page
    root = browser.current_url.removeprefix(site_url).split("#")[0]
    pages = [root]
    for href in browser.execute_script(NAVIGATION):
        page = href.removeprefix(site_url)
        if page not in pages:
            pages.append(page)
    return pages


def test_misnumbered_accepts_numbers_by_chapter_from_one():
    page = "chapters/07-backprop.html"
    assert misnumbered(page, ["Fig. 7.1", "Table 7.1", "Fig. 7.2 ", "Listing 7.1"],
                       ["7.1", "7.2"]) == []
    assert misnumbered("exercises/_reader/07-backprop.html",
                       ["Exercise 7.1", "Fig. 1", "Exercise 7.2"], ["1"]) == []
    assert misnumbered("errata.html", ["Fig. 15"], ["16"]) == []


def test_misnumbered_names_global_foreign_and_gapped_numbers():
    assert misnumbered("chapters/07-backprop.html", ["Fig. 15", "Fig. 7.2"], ["16"]) == [
        "Fig. 15: expected 7.1", "equation 16: expected 7.1"]
    assert misnumbered("chapters/02-learning-rate.html", ["Fig. 2.1", "Fig. 2.3"], ["7.1"]) == [
        "Fig. 2.3: expected 2.2", "equation 7.1: expected 2.1"]
    assert misnumbered("exercises/_reader/03-batches.html", ["Exercise 3"], []) == [
        "Exercise 3: expected 3.1"]
    assert misnumbered("chapters/01-optimization.html", ["Figure 1.1"], []) == [
        "unexpected caption number 'Figure 1.1'"]


def test_page_problems_names_each_failure():
    clean = {"maths": 2, "untypeset": [], "containers": 2, "texErrors": [],
             "text": "price $5 and \\alpha", "images": [{"src": "a.png", "alt": "A plot",
                                                        "loaded": True}]}
    assert page_problems(clean) == []
    broken = {**clean, "untypeset": ["\\(x\\)"], "texErrors": ["Undefined control sequence"],
              "containers": 0, "text": "see $$x$$ here",
              "images": [{"src": "b.png", "alt": "", "loaded": False}]}
    problems = page_problems(broken)
    assert len(problems) == 7, problems  # '$$' twice
    assert "raw TeX delimiter '$$'" in " ".join(problems)


def test_every_toc_page_loads_cleanly_with_typeset_math(browser, site_url: str) -> None:
    pages = toc_pages(browser, site_url)
    assert any(page.startswith("chapters/") for page in pages), pages
    assert any(page.startswith("exercises/_reader/") for page in pages), pages
    missing = [page for page in BACK_MATTER if page not in pages]
    assert not missing, f"the sidebar does not list {missing}; it lists {pages}"

    browser.set_script_timeout(30)  # MathJax's typesetting, per page
    browser.get_log("browser")  # start each page with an empty console log
    failures = {}
    for page in pages:
        wait_until_loaded(browser, site_url + page)
        typeset = browser.execute_async_script(TYPESET)
        state = browser.execute_script(INSPECT)
        problems = [] if typeset == "ok" else [typeset]
        problems += page_problems(state)
        problems += misnumbered(page, state["captions"], state["equations"])
        problems += [f"console: {error}" for error in severe_errors(browser.get_log("browser"))]
        if problems:
            failures[page] = problems
    report = "\n".join(f"{page}:\n  " + "\n  ".join(problems)
                       for page, problems in failures.items())
    assert not failures, f"{len(failures)} of {len(pages)} pages have problems:\n{report}"

