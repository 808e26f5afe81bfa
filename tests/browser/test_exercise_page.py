"""The chapter-7 exercise page in a real browser: folded solutions and the student notebook.

Run after building the book (see conftest.py for the settings):

    pytest tests/browser --site _build/html

A solution's content is hidden until the reader clicks its toggle, then shown (a screenshot of
the unfolded solution is saved). The page's download link serves the student copy: a valid
notebook whose exercises are stubs (``raise NotImplementedError()``) with no solution left in it.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import nbformat
from sitecheck import severe_errors, wait_until_loaded

EXERCISE_PAGE = "exercises/_reader/07-backprop.html"
STUB = "raise NotImplementedError()"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS")

CONTENT_SHOWN = """
return Array.from(arguments[0].children).filter(c => !c.classList.contains("admonition-title"))
            .map(c => {
              const style = getComputedStyle(c);
              return style.display !== "none" && style.visibility !== "hidden"
                     && Number(style.opacity) > 0 && c.getBoundingClientRect().height > 0;
            });
"""


def fetch(url: str) -> tuple[int, bytes]:
    """GET ``url`` from the test server, bypassing any proxy of the environment."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.status, response.read()


def test_solution_is_folded_until_its_toggle_is_clicked(browser, site_url: str,
                                                        screenshot_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    wait_until_loaded(browser, site_url + EXERCISE_PAGE)
    solutions = browser.find_elements(By.CSS_SELECTOR, "div.solution.dropdown")
    assert solutions, f"no folded solution (div.solution.dropdown) on {EXERCISE_PAGE}"
    solution = solutions[0]
    WebDriverWait(browser, 10).until(  # togglebutton.js folds it once the page has loaded
        lambda d: solution.find_elements(By.CSS_SELECTOR, "button.toggle-button"))
    shown = browser.execute_script(CONTENT_SHOWN, solution)
    assert shown and not any(shown), f"the solution's content is visible before a click: {shown}"
    assert "def " not in solution.text, "the solution's code is readable before a click"

    button = solution.find_element(By.CSS_SELECTOR, "button.toggle-button")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", solution)
    button.click()
    WebDriverWait(browser, 10).until(lambda d: all(d.execute_script(CONTENT_SHOWN, solution)))
    assert "def " in solution.text, "the unfolded solution shows no code"
    assert button.get_attribute("aria-expanded") == "true"

    shot = screenshot_dir / "exercises_reader_07-backprop_solution.png"
    assert browser.save_screenshot(str(shot)), f"could not save {shot}"
    errors = severe_errors(browser.get_log("browser"))
    assert not errors, "browser console errors:\n" + "\n".join(errors)


def test_download_link_serves_the_student_notebook(browser, site_url: str) -> None:
    from selenium.webdriver.common.by import By

    wait_until_loaded(browser, site_url + EXERCISE_PAGE)
    links = browser.find_elements(By.CSS_SELECTOR, "article a.reference.download")
    assert len(links) == 1, f"expected one download link on {EXERCISE_PAGE}, found {len(links)}"
    href = urljoin(browser.current_url, links[0].get_attribute("href"))
    assert href.startswith(site_url) and href.endswith(".ipynb"), href

    status, body = fetch(href)
    assert status == 200, f"{href} answered {status}"
    text = body.decode("utf-8")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    json.loads(text)  # plain JSON too, for tools other than nbformat
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert any(STUB in source for source in code), f"no {STUB!r} stub in the download"
    leaked = [marker for marker in SOLUTION_MARKERS if marker in text]
    assert not leaked, f"the student notebook still contains {leaked}"


def test_the_download_button_serves_the_same_student_notebook(browser, site_url: str) -> None:
    from selenium.webdriver.common.by import By

    wait_until_loaded(browser, site_url + EXERCISE_PAGE)
    link = browser.find_element(By.CSS_SELECTOR, "article a.reference.download")
    buttons = [a.get_attribute("href") for a in browser.find_elements(
        By.CSS_SELECTOR, ".dropdown-download-buttons a[href]")]
    notebooks = [href for href in buttons if href.endswith(".ipynb")]
    assert notebooks, f"no notebook in the page's download menu: {buttons}"
    _, student = fetch(urljoin(browser.current_url, link.get_attribute("href")))
    for href in notebooks:
        status, body = fetch(urljoin(browser.current_url, href))
        assert status == 200 and body == student, \
            f"the download button's {href} is not the student notebook of the page's link"
