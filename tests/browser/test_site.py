"""The built book in a real browser: the static slider moves, and the console stays clean.

Run after building the book (see conftest.py for the settings):

    pytest tests/browser --site _build/html --page chapters/02-learning-rate.html

It serves the site on 127.0.0.1, opens the page in headless Chromium, moves every static slider
(sets the range input and dispatches ``input``, as a drag does), checks that the image, its
label and its alt text change and the new image loads, saves a screenshot, and fails on any
SEVERE console entry except the network failures listed in sitecheck.ALLOWED_OFFLINE_FAILURES.
A second test opens every page of the site that holds a demo and moves every one of its controls
(``[data-control]``: range inputs and choices) in turn, each of which must change the figure.
"""

from __future__ import annotations

import re
from pathlib import Path

from sitecheck import severe_errors

MOVE_SLIDER = """
const input = arguments[0], index = arguments[1];
input.value = String(index);
input.dispatchEvent(new Event("input", {bubbles: true}));
"""

STATE = """
const root = arguments[0], img = root.querySelector("img");
return {src: img.src, alt: img.alt, label: root.querySelector("output").textContent,
        loaded: img.complete && img.naturalWidth > 0,
        min: Number(root.querySelector("input").min), max: Number(root.querySelector("input").max),
        value: Number(root.querySelector("input").value)};
"""


def test_allow_list_names_only_cdn_load_failures():
    allowed = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js - Failed to load " \
              "resource: net::ERR_NAME_NOT_RESOLVED"
    missing = "http://127.0.0.1:80/_static/x.js - Failed to load resource: the server " \
              "responded with a status of 404 (File not found)"
    syntax = "https://cdn.jsdelivr.net/x.js 3:1 Uncaught SyntaxError: Unexpected token"
    entries = [{"level": "SEVERE", "message": allowed}, {"level": "SEVERE", "message": missing},
               {"level": "SEVERE", "message": syntax}, {"level": "WARNING", "message": "any"}]
    assert severe_errors(entries) == [missing, syntax]


def test_static_slider_moves_and_console_is_clean(browser, site_url: str, page_path: str,
                                                  screenshot_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site_url + page_path)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    sliders = browser.find_elements(By.CSS_SELECTOR, "div.mlp-slider")
    assert sliders, f"no static slider (div.mlp-slider) on {page_path}"
    source = browser.page_source
    assert "interactive(children=" not in source, "a bare interact() output reached the page"
    assert "application/vnd.jupyter.widget-view+json" not in source
    ids = browser.execute_script(
        "return Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)), "duplicate element ids on the page"

    for root in sliders:
        before = browser.execute_script(STATE, root)
        assert before["loaded"], "the slider's first frame did not load"
        target = before["max"] if before["value"] != before["max"] else before["min"]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
        browser.execute_script(MOVE_SLIDER, root.find_element(By.TAG_NAME, "input"), target)
        WebDriverWait(browser, 10).until(lambda d, r=root: d.execute_script(STATE, r)["loaded"])
        after = browser.execute_script(STATE, root)
        assert after["src"] != before["src"], "moving the slider did not change the image"
        assert after["label"] != before["label"], "moving the slider did not change its label"
        assert after["label"] in after["alt"], "the image's alt text does not follow the slider"
        assert after["src"].startswith("data:image/svg+xml")

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", sliders[0])
    shot = screenshot_dir / (page_path.replace("/", "_").removesuffix(".html") + ".png")
    assert browser.save_screenshot(str(shot)), f"could not save {shot}"
    errors = severe_errors(browser.get_log("browser"))
    assert not errors, "browser console errors:\n" + "\n".join(errors)


MOVE_CONTROL = """
const input = arguments[0];
if (input.tagName === "SELECT") {  // a choice: pick another option, as a reader does
  const last = input.options.length - 1;
  input.selectedIndex = input.selectedIndex === last ? 0 : last;
} else {  // a slider: go to the other end
  input.value = String(Number(input.value) === Number(input.max) ? input.min : input.max);
}
input.dispatchEvent(new Event("input", {bubbles: true}));
input.dispatchEvent(new Event("change", {bubbles: true}));
"""

CONTROL_STATE = """
const input = arguments[0], root = input.closest(".mlp-slider"), img = root.querySelector("img");
const output = root.querySelector('output[for="' + input.id + '"]');
return {src: img.src, alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
        text: input.tagName === "SELECT" ? input.options[input.selectedIndex].textContent
                                         : output.textContent,
        announced: input.tagName === "SELECT" ? input.options[input.selectedIndex].textContent
                                              : input.getAttribute("aria-valuetext"),
        label: input.labels.length ? input.labels[0].textContent : ""};
"""


def demo_pages(site_dir: Path) -> list[str]:
    """Every page of the built site that holds a static demo (a ``div.mlp-slider``)."""
    return sorted(str(path.relative_to(site_dir)) for path in site_dir.rglob("*.html")
                  if re.search(r'class="mlp-slider"', path.read_text(encoding="utf-8")))


def test_every_control_of_every_demo_moves_the_figure(browser, site_url: str,
                                                       site_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    pages = demo_pages(site_dir)
    assert pages, f"no page of {site_dir} holds a demo (div.mlp-slider)"
    moved = []
    for page in pages:
        browser.get(site_url + page)
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        demos = browser.find_elements(By.CSS_SELECTOR, "div.mlp-slider")
        assert demos, f"{page}: the demo's HTML did not render"
        for number, root in enumerate(demos):
            controls = root.find_elements(By.CSS_SELECTOR, "[data-control]")
            assert controls, f"{page}, demo {number}: no control ([data-control])"
            for control in controls:
                name = f"{page}, demo {number}, control {control.get_attribute('data-control')}"
                browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
                before = browser.execute_script(CONTROL_STATE, control)
                assert before["loaded"], f"{name}: the first frame did not load"
                assert before["label"].strip(), f"{name}: the control has no label"
                browser.execute_script(MOVE_CONTROL, control)
                WebDriverWait(browser, 10).until(
                    lambda d, c=control: d.execute_script(CONTROL_STATE, c)["loaded"])
                after = browser.execute_script(CONTROL_STATE, control)
                assert after["src"] != before["src"], f"{name}: the figure did not change"
                assert after["text"] != before["text"], f"{name}: the shown value did not change"
                assert after["announced"] == after["text"], f"{name}: announces {after}"
                assert after["text"] in after["alt"], f"{name}: the alt text does not follow"
                moved.append(name)
        errors = severe_errors(browser.get_log("browser"))
        assert not errors, f"{page}: browser console errors:\n" + "\n".join(errors)
    print(f"moved {len(moved)} controls on {len(pages)} pages: {moved}")
