"""Fixtures of the browser test: the built site served on 127.0.0.1, and headless Chromium.

Choose the site and page with options (when running ``pytest tests/browser``) or environment
variables (always):

    --site DIR          MLP_SITE           the built book, e.g. _build/html (required)
    --page PATH         MLP_SITE_PAGE      the page, default chapters/02-learning-rate.html
    --screenshots DIR   MLP_SCREENSHOTS    default: DIR/../screenshots, e.g. _build/screenshots
                        MLP_SKIP_BROWSER=1 opt out (a reported skip) on a machine without Chromium
                        MLP_CHROMIUM       default /usr/bin/chromium
                        MLP_CHROMEDRIVER   default /usr/bin/chromedriver

Without a site the test is skipped with a reason saying how to run it. With a site and no
Chromium it fails, saying how to install it, unless MLP_SKIP_BROWSER=1.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axecheck import AXE_REPORT

INSTALL_HINT = (
    "install it with: apt-get update && apt-get install -y chromium chromium-driver "
    "(or point MLP_CHROMIUM / MLP_CHROMEDRIVER at a Chromium and its driver); "
    "set MLP_SKIP_BROWSER=1 to skip this test on purpose"
)
# Chromium's own flags: no sandbox (root in a container), and nothing that calls home.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--no-first-run", "--disable-quic",
    "--disable-component-update", "--disable-sync", "--window-size=1280,1500",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("browser", "browser test of the built book")
    group.addoption("--site", default=None, help="built book directory (or MLP_SITE)")
    group.addoption("--page", default=None, help="page to open, relative to --site")
    group.addoption("--screenshots", default=None, help="where to save screenshots")


def _setting(config: pytest.Config, option: str, variable: str) -> str | None:
    try:
        value = config.getoption(option)
    except ValueError:  # options unknown: this conftest was not loaded at start-up
        value = None
    return value or os.environ.get(variable) or None


@pytest.fixture(scope="session")
def site_dir(pytestconfig: pytest.Config) -> Path:
    site = _setting(pytestconfig, "--site", "MLP_SITE")
    if site is None:
        pytest.skip("no built site to test: build the book, then run "
                    "`pytest tests/browser --site _build/html` (or set MLP_SITE)")
    path = Path(site).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(f"--site must be a built book holding index.html; got {path}; "
                    "run `jupyter-book build .` first")
    return path


@pytest.fixture(scope="session")
def page_path(pytestconfig: pytest.Config, site_dir: Path) -> str:
    page = _setting(pytestconfig, "--page", "MLP_SITE_PAGE") or "chapters/02-learning-rate.html"
    if not (site_dir / page).is_file():
        pytest.fail(f"page {page} is not in {site_dir}; pass --page (or MLP_SITE_PAGE)")
    return page


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config, site_dir: Path) -> Path:
    chosen = _setting(pytestconfig, "--screenshots", "MLP_SCREENSHOTS")
    path = Path(chosen) if chosen else site_dir.parent / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging; answer the browser's own /favicon.ico probe with 204.

    The book sets no favicon, and Chromium asks for /favicon.ico on its own; a 404 for that
    request would be a console error that no page of the site causes.
    """

    def do_GET(self) -> None:
        if self.path == "/favicon.ico" and not Path(self.directory, "favicon.ico").exists():
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """Serve the site over http on 127.0.0.1, on a free port, from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Headless Chromium driven by Selenium 4, with the browser console log enabled."""
    if os.environ.get("MLP_SKIP_BROWSER") == "1":
        pytest.skip("MLP_SKIP_BROWSER=1: browser test skipped on purpose")
    chromium = os.environ.get("MLP_CHROMIUM", "/usr/bin/chromium")
    chromedriver = os.environ.get("MLP_CHROMEDRIVER", "/usr/bin/chromedriver")
    missing = [p for p in (chromium, chromedriver) if shutil.which(p) is None]
    if missing:
        pytest.fail(f"the browser test needs Chromium; not found: {', '.join(missing)}; "
                    + INSTALL_HINT)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download anything
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    """Print the accessibility audit's table (every finding counted, passed or not)."""
    summary = config.stash.get(AXE_REPORT, None)
    if summary:
        terminalreporter.write_sep("-", "accessibility audit (axe-core)")
        terminalreporter.write_line(summary)


@pytest.fixture(scope="session")
def browser(site_dir: Path, chromium: object) -> object:
    """The same Chromium, for the tests of the built site (skipped without a site)."""
    return chromium
