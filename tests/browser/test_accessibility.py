"""Accessibility of every page of the built book: an axe-core audit and a reflow check.

Run after building the book (see conftest.py for the settings), with axe-core installed from
the npm registry (``npm ci --prefix tests/browser``; ``make browser`` does both):

    pytest tests/browser --site _build/html

The audit runs axe-core's WCAG 2.0/2.1 level A and AA rules on every HTML page of the site, after
MathJax has typeset it. Any serious or critical violation fails the test, naming the rule, the
page and the element; every finding, minor and moderate ones too, is counted in a table printed
at the end of the run and written to ``axe-report.txt`` beside the screenshots.

The reflow check (WCAG 1.4.10) loads every chapter at 1280 px, where no display equation and no
code line may be wider than the text column, and at 320 CSS px (1280 px at 400 % zoom), where the
page itself must not scroll sideways (an equation or a code block may scroll inside its own box,
which the audit's ``scrollable-region-focusable`` rule keeps reachable by keyboard).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axecheck import (
    AXE_REPORT,
    RUN_AXE,
    WCAG21AA_TAGS,
    blocking,
    findings,
    report,
    site_pages,
    table,
)
from sitecheck import TYPESET, wait_until_loaded

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_HINT = ("install it with `npm ci --prefix tests/browser` (axe-core from the npm registry, "
            "pinned in tests/browser/package-lock.json), or set MLP_AXE_JS to an axe.min.js")

# Display equations and code blocks of the article wider than the box they sit in.
OVERFLOW = """
const article = document.querySelector("article.bd-article");
const wide = [];
for (const box of article.querySelectorAll("div.math, mjx-container[display='true'], pre")) {
  const over = box.scrollWidth - box.clientWidth;
  if (over > 1) {
    const eqno = box.closest("div.math") && box.closest("div.math").querySelector(".eqno");
    wide.push({kind: box.tagName.toLowerCase() === "pre" ? "code" : "equation",
               over: over, id: (box.closest("[id]") || {}).id || "",
               text: eqno ? eqno.textContent.trim() : box.textContent.trim().slice(0, 70)});
  }
}
return {wide: wide, page: document.documentElement.scrollWidth - window.innerWidth};
"""


def test_findings_and_table_count_pages_and_nodes():
    node = {"impact": "serious", "target": "#a", "html": "<a>"}
    violations = [{"rule": "summary-name", "impact": "serious", "help": "h",
                   "nodes": [node, {**node, "target": "#b"}]},
                  {"rule": "aria-deprecated-role", "impact": "minor", "help": "h",
                   "nodes": [{**node, "impact": None}]}]
    found = findings("a.html", violations) + findings("b.html", violations[:1])
    assert [f["impact"] for f in found] == ["serious", "serious", "minor", "serious", "serious"]
    assert table(found) == [("summary-name", "serious", 2, 4), ("aria-deprecated-role", "minor",
                                                               1, 1)]
    assert len(blocking(found)) == 4
    assert "summary-name (serious) on b.html: #b" in "\n".join(blocking(found))
    text = report(found, 2)
    assert "critical 0, serious 4, moderate 0, minor 1" in text, text
    with pytest.raises(ValueError, match="impact must be one of"):
        findings("a.html", [{**violations[0], "nodes": [{**node, "impact": "severe"}]}])


def test_site_pages_lists_pages_not_assets(tmp_path: Path):
    for name in ("index.html", "search.html", "chapters/01-x.html", "_static/t.html",
                 "_sources/chapters/01-x.html", "chapters/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert site_pages(tmp_path) == ["chapters/01-x.html", "index.html", "search.html"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = Path(os.environ.get("MLP_AXE_JS") or AXE_JS)
    if not path.is_file():
        pytest.fail(f"the accessibility audit needs axe-core; {path} is missing; " + AXE_HINT)
    return path.read_text(encoding="utf-8")


def test_every_page_passes_axe_wcag21aa(browser, site_url: str, site_dir: Path,
                                        screenshot_dir: Path, axe_source: str,
                                        request: pytest.FixtureRequest) -> None:
    pages = site_pages(site_dir)
    assert len(pages) > 20, f"expected the whole book; found only {pages}"
    browser.set_script_timeout(120)  # MathJax's typesetting, then axe's rules, per page
    found = []
    for page in pages:
        wait_until_loaded(browser, site_url + page)
        typeset = browser.execute_async_script(TYPESET)
        assert typeset == "ok", f"{page}: {typeset}"
        browser.execute_script(axe_source)
        violations = browser.execute_async_script(RUN_AXE, list(WCAG21AA_TAGS))
        assert isinstance(violations, list), f"{page}: {violations}"
        found += findings(page, violations)
    summary = report(found, len(pages))
    request.config.stash[AXE_REPORT] = summary
    (screenshot_dir / "axe-report.txt").write_text(
        summary + "\n\n" + "\n".join(f"{f['rule']} ({f['impact']}) on {f['page']}: "
                                     f"{f['target']}  {f['html']}" for f in found) + "\n")
    serious = blocking(found)
    assert not serious, (f"{len(serious)} serious or critical accessibility violations:\n"
                         + "\n".join(serious) + "\n\n" + summary)


@pytest.mark.parametrize("width", [1280, 320])
def test_equations_and_code_reflow(browser, site_url: str, site_dir: Path, width: int) -> None:
    pages = [page for page in site_pages(site_dir) if page.startswith("chapters/")]
    assert pages, f"no chapter pages in {site_dir}"
    browser.set_script_timeout(60)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    problems = []
    try:
        for page in pages:
            wait_until_loaded(browser, site_url + page)
            assert browser.execute_async_script(TYPESET) == "ok", page
            state = browser.execute_script(OVERFLOW)
            if state["page"] > 1:
                problems.append(f"{page}: the page scrolls sideways by {state['page']} px")
            if width >= 1280:
                problems += [f"{page}: {box['kind']} {box['text']!r} (#{box['id']}) is "
                             f"{box['over']} px wider than the column" for box in state["wide"]]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not problems, f"at {width} px:\n" + "\n".join(problems)


def test_slider_is_operable_by_keyboard_alone(browser, site_url: str, page_path: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    wait_until_loaded(browser, site_url + page_path)
    slider = browser.find_element("css selector", "div.mlp-slider input[type='range']")
    state = ("const i = arguments[0], root = i.closest('.mlp-slider');"
             "return {focused: document.activeElement === i, value: i.value,"
             " text: i.getAttribute('aria-valuetext'), alt: root.querySelector('img').alt,"
             " label: i.labels.length ? i.labels[0].textContent : ''};")
    presses = 0
    while not browser.execute_script(state, slider)["focused"]:
        ActionChains(browser).send_keys(Keys.TAB).perform()
        presses += 1
        assert presses <= 300, f"the slider of {page_path} is not reachable with the Tab key"
    before = browser.execute_script(state, slider)
    assert before["label"].strip(), "the slider has no visible label"
    key = Keys.ARROW_LEFT if before["value"] == slider.get_attribute("max") else Keys.ARROW_RIGHT
    ActionChains(browser).send_keys(key).perform()
    after = browser.execute_script(state, slider)
    assert after["value"] != before["value"], "an arrow key did not move the slider"
    assert after["text"] != before["text"] and after["text"] in after["alt"], (
        f"the announced value and the alt text do not follow the slider: {after}")


def test_math_reaches_screen_readers_as_mathml(browser, site_url: str) -> None:
    wait_until_loaded(browser, site_url + "chapters/07-backprop.html")
    assert browser.execute_async_script(TYPESET) == "ok"
    containers, assistive = browser.execute_script(
        "return [document.querySelectorAll('article mjx-container').length,"
        " document.querySelectorAll('article mjx-container > mjx-assistive-mml math').length];")
    assert containers > 10, f"expected the chapter's math; found {containers} formulas"
    assert assistive == containers, (
        f"{containers - assistive} of {containers} formulas have no assistive MathML")


def test_print_layout_shows_the_article_and_the_default_frame(browser, site_url: str,
                                                               page_path: str,
                                                               screenshot_dir: Path) -> None:
    wait_until_loaded(browser, site_url + page_path)
    slider = browser.find_element("css selector", "div.mlp-slider input[type='range']")
    start = slider.get_attribute("value")
    browser.execute_script(
        "const i = arguments[0]; i.value = i.max === i.defaultValue ? i.min : i.max;"
        "i.dispatchEvent(new Event('input', {bubbles: true}));"
        "window.dispatchEvent(new Event('beforeprint'));", slider)
    assert slider.get_attribute("value") == start, "printing does not show the default frame"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = browser.execute_script(
            "const on = s => Array.from(document.querySelectorAll(s))"
            "  .some(e => getComputedStyle(e).display !== 'none');"
            "return {sidebar: on('.bd-sidebar-primary'), toc: on('.bd-sidebar-secondary'),"
            " figures: on('article .mlp-slider img'), article: on('article.bd-article')};")
        shot = screenshot_dir / (page_path.replace("/", "_").removesuffix(".html") + "_print.png")
        assert browser.save_screenshot(str(shot)), f"could not save {shot}"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown == {"sidebar": False, "toc": False, "figures": True, "article": True}, shown
