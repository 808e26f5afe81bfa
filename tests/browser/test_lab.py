"""JupyterLab as a learner meets it, in a real browser: ``python -m bookkit lab`` (``make lab``).

The fixture runs the learner's command on a fresh workspace (any free port on 127.0.0.1, a
random token, no browser window, JupyterLab's own settings kept in a temporary folder) and shuts
the server down whatever happens. In headless Chromium (conftest.py), the tests open the workspace
copy of chapter 2 and check that it is a notebook whose MyST renders (a note, an equation
reference), that "Run All Cells" completes without an error output, that the live slider redraws
its figure when moved and that the console shows no error; then they open the chapter-7 student
notebook, type an answer, run its self-check and read ✔.

Run with the other browser tests (``make browser``) or alone: ``pytest tests/browser/test_lab.py``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "chapters/02-learning-rate.ipynb"
EXERCISE = "exercises/07-backprop.ipynb"
ADDRESS = re.compile(r"^JupyterLab: (http://127\.0\.0\.1:\d+)/lab\?token=([0-9a-f]+)$")
# Exercise 7.1 answered in two lines that the editor's auto-indent cannot disturb.
ANSWER = ("output_error = lambda y_hat, y: (y_hat - y) / len(y_hat)\n"
          "hidden_error = lambda delta, W_next, z, g_prime: (delta @ W_next) * g_prime(z)")
# Every cell rendered, not only those in view, so that the tests can find the slider's output.
SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
            {"windowingMode": "none"}}
# jupyterlab-myst resolves references to labels it can see in Markdown cells; a chapter's figures
# are named in their code cells' options (for the book build), so {numref}`fig-...` is unresolved
# in JupyterLab and the extension logs this (the reference then shows as plain text).
ALLOWED_CONSOLE = re.compile(r'jupyterlab-myst/.* "(Cross reference target was not found: '
                             r'fig-[a-z0-9-]+(\\n)?)+"$')


@dataclass
class Lab:
    """A running JupyterLab: its address, token, workspace and log."""

    base: str
    token: str
    workspace: Path
    log: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{path}?token={self.token}"

    def request(self, method: str, path: str) -> int:
        """Send an API request (bypassing any proxy); return the status."""
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=5) as response:
            return response.status


def _read_lines(stream: Any, lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


def _wait_for(condition: Any, timeout: float, what: str, log: list[str]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    tail = "\n".join(log[-30:])
    pytest.fail(f"{what} within {timeout:.0f} s; the last lines of `bookkit lab`:\n{tail}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``python -m bookkit lab --port 0 --no-browser`` on a fresh workspace; stopped at the end."""
    home = tmp_path_factory.mktemp("lab")
    for name, settings in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    environment = {**os.environ, "PYTHONUNBUFFERED": "1",
                   "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
                   "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                   "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                   "JUPYTER_CONFIG_DIR": str(home / "config")}
    workspace = home / "workspace"
    server = subprocess.Popen(
        [sys.executable, "-m", "bookkit", "lab", "--workspace", str(workspace), "--port", "0",
         "--no-browser"], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, encoding="utf-8", start_new_session=True)
    log: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(server.stdout, log), daemon=True)
    reader.start()
    try:
        def address() -> tuple[str, str] | None:
            if server.poll() is not None:
                pytest.fail("`bookkit lab` stopped early:\n" + "\n".join(log[-30:]))
            return address_of(log)

        running = Lab(*_wait_for(address, 120, "`bookkit lab` printed no address", log),
                      workspace, log)

        def ready() -> bool:
            try:
                return running.request("GET", "/api/status") == 200
            except OSError:
                return False

        _wait_for(ready, 120, "JupyterLab did not answer", log)
        yield running
    finally:
        printed = address_of(log)
        try:  # the server's own shutdown stops its kernels too
            if printed:
                Lab(*printed, workspace).request("POST", "/api/shutdown")
        except OSError:
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        reader.join(timeout=10)
        server.stdout.close()


def address_of(log: list[str]) -> tuple[str, str] | None:
    """The (base, token) that `bookkit lab` printed, if it printed one yet."""
    match = next(filter(None, map(ADDRESS.match, log)), None)
    return (match[1], match[2]) if match else None


@pytest.fixture(scope="module")
def shots() -> Path:
    path = Path(os.environ.get("MLP_SCREENSHOTS") or ROOT / "_build" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_notebook(browser: Any, lab: Lab, path: str) -> Any:
    """Open ``path`` of the workspace; return its notebook panel once all its cells are shown."""
    import nbformat
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    count = len(nbformat.read(lab.workspace / path, as_version=4).cells)
    browser.get(lab.url(path))
    name = Path(path).name
    WebDriverWait(browser, 90).until(lambda d: [t.text for t in d.find_elements(
        By.CSS_SELECTOR, ".lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")]
        == [name])
    panel = WebDriverWait(browser, 90).until(lambda d: next(
        (p for p in d.find_elements(By.CSS_SELECTOR, ".jp-MainAreaWidget")
         if p.is_displayed() and len(p.find_elements(By.CSS_SELECTOR, ".jp-Cell")) == count),
        None))
    WebDriverWait(browser, 90).until(kernel_idle)
    return panel


def kernel_idle(browser: Any) -> bool:
    return bool(browser.execute_script(
        "const s = document.querySelector('.jp-mod-current .jp-Notebook-ExecutionIndicator')"
        " || document.querySelector('.jp-Notebook-ExecutionIndicator');"
        "return s && s.getAttribute('data-status') === 'idle';"))


def run_command(browser: Any, menu: str, command: str) -> None:
    """Click ``menu`` in the menu bar, then the item that runs ``command``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    item = next(i for i in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                if i.text.strip() == menu)
    item.click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, f'.lm-Menu-item[data-command="{command}"]'))[0].click()


def click(browser: Any, element: Any, timeout: float = 20) -> None:
    """Scroll ``element`` to the middle of the window and click it.

    A notebook's layout keeps moving while its Markdown, math and outputs render, so a click can
    land on a neighbour for a moment ("element click intercepted"); it is tried again until the
    element is where it is drawn or ``timeout`` seconds have passed.
    """
    from selenium.common.exceptions import ElementClickInterceptedException

    deadline = time.monotonic() + timeout
    while True:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def prompts(panel: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [p.get_attribute("textContent").strip()
            for p in panel.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]


def error_outputs(panel: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [o.text[:500] for o in panel.find_elements(
        By.CSS_SELECTOR, '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]


def console_errors(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser")
            if e["level"] == "SEVERE" and not ALLOWED_CONSOLE.search(e["message"])]


def test_a_chapter_opens_as_a_notebook_renders_runs_and_its_slider_redraws(lab, chromium, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    chromium.get_log("browser")
    panel = open_notebook(chromium, lab, CHAPTER)
    assert not chromium.find_elements(By.CSS_SELECTOR, ".jp-FileEditor"), "opened as a text file"
    assert len(panel.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")) > 5, "not a notebook"

    # MyST: the chapter's note is an admonition box, {eq} a link with the equation's number.
    notes = panel.find_elements(By.CSS_SELECTOR, "aside.myst-admonition-note")
    assert notes and notes[0].is_displayed(), "no rendered note (aside.myst-admonition-note)"
    raw = re.findall(r"```\{(?:note|admonition)\}", panel.text)
    assert not raw, f"admonitions shown as raw MyST: {raw}"
    refs = panel.find_elements(By.CSS_SELECTOR, '.jp-MarkdownCell a[href="#eq-quadratic"]')
    assert refs and re.fullmatch(r"\(\d+\)", refs[-1].text), \
        f"{{eq}}`eq-quadratic` is not a numbered link: {[r.text for r in refs]}"
    assert "{eq}" not in panel.text, "an {eq} role is shown as raw text"

    started = time.monotonic()
    run_command(chromium, "Run", "runmenu:run-all")
    WebDriverWait(chromium, 120).until(lambda d: all(
        re.fullmatch(r"\[\d+\]:", p) for p in prompts(panel)))
    ran = time.monotonic() - started
    assert not error_outputs(panel), f"error output after Run All: {error_outputs(panel)}"

    slider = WebDriverWait(chromium, 30).until(lambda d: panel.find_elements(
        By.CSS_SELECTOR, ".jp-OutputArea .widget-slider .noUi-handle"))[0]
    image = panel.find_element(By.CSS_SELECTOR, ".jp-OutputArea .widget-image")
    readout = panel.find_element(By.CSS_SELECTOR, ".jp-OutputArea .widget-slider .widget-readout")
    chromium.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
    before, label = image.get_attribute("src"), readout.text
    chromium.save_screenshot(str(shots / "lab-chapter-02.png"))
    click(chromium, slider)
    slider.send_keys(Keys.ARROW_RIGHT)
    WebDriverWait(chromium, 20).until(lambda d: image.get_attribute("src") != before)
    assert readout.text != label, f"the slider's value did not change from {label}"
    chromium.save_screenshot(str(shots / "lab-chapter-02-moved.png"))
    # the demo has a second control (the condition number κ): it must redraw the same image
    handles = panel.find_elements(By.CSS_SELECTOR, ".jp-OutputArea .widget-slider .noUi-handle")
    assert len(handles) >= 2, "chapter 2's demo has no second control"
    readouts = panel.find_elements(By.CSS_SELECTOR,
                                   ".jp-OutputArea .widget-slider .widget-readout")
    before, label = image.get_attribute("src"), readouts[1].text
    click(chromium, handles[1])
    handles[1].send_keys(Keys.ARROW_RIGHT)
    WebDriverWait(chromium, 20).until(lambda d: image.get_attribute("src") != before)
    assert readouts[1].text != label, f"the second control's value did not change from {label}"
    errors = console_errors(chromium)
    assert not errors, f"console errors in JupyterLab: {errors}"
    assert ran < 90, f"Run All took {ran:.0f} s >= 90 s"


def test_the_student_notebook_takes_an_answer_and_its_self_check_passes(lab, chromium, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    text = (lab.workspace / EXERCISE).read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, \
        "the learner's copy holds the instructor's solutions or hidden tests"
    chromium.get_log("browser")
    panel = open_notebook(chromium, lab, EXERCISE)
    cells = panel.find_elements(By.CSS_SELECTOR, ".jp-Cell")
    solution, check = cells[4], cells[5]
    assert "raise NotImplementedError()" in solution.text, "cell 5 is not exercise 7.1's stub"
    click(chromium, solution.find_element(By.CSS_SELECTOR, ".cm-content"))
    ActionChains(chromium).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    ActionChains(chromium).send_keys(ANSWER).send_keys(Keys.ESCAPE).perform()
    assert "NotImplementedError" not in solution.text and "lambda y_hat" in solution.text

    click(chromium, check.find_element(By.CSS_SELECTOR, ".jp-InputPrompt"))
    run_command(chromium, "Run", "notebook:run-all-above")
    ActionChains(chromium).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    WebDriverWait(chromium, 60).until(lambda d: re.fullmatch(
        r"\[\d+\]:", check.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").text.strip()))
    chromium.execute_script("arguments[0].scrollIntoView({block: 'center'})", check)
    chromium.save_screenshot(str(shots / "lab-exercise-07.png"))
    output = check.find_element(By.CSS_SELECTOR, ".jp-OutputArea").text.strip().splitlines()
    assert not error_outputs(check), f"the self-check failed: {error_outputs(check)}"
    assert output and all(line.startswith("\u2714") for line in output), \
        f"expected only ✔ lines from the self-check, got {output}"
    errors = console_errors(chromium)
    assert not errors, f"console errors in JupyterLab: {errors}"
