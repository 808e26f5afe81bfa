"""tasks.py, the runner behind every make target: counts, stages and the failure paragraph."""

import importlib.util
import traceback
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
tasks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tasks)


def test_the_two_readme_commands_run_every_stage():
    assert tasks.COMMANDS["book"] == ["env", "exercises", "site"]
    assert tasks.COMMANDS["test"] == [
        "env", "lint", "unit", "notebooks", "exercises", "site", "browser"]
    assert set(tasks.STAGES) >= {s for stages in tasks.COMMANDS.values() for s in stages}


def test_the_makefile_sends_every_target_to_tasks_py():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = makefile.split(".PHONY:")[1].split("\n")[0].split()
    assert set(targets) <= set(tasks.COMMANDS), set(targets) - set(tasks.COMMANDS)
    assert "$(PYTHON) tasks.py $@" in makefile


def test_pytest_closing_lines_are_counted(tmp_path):
    runner = tasks.Runner(tmp_path, "python", verbose=False)
    log = tmp_path / "unit.log"
    log.write_text("....\n== 1 failed, 277 passed, 2 skipped in 159.66s (0:02:39) ==\n")
    runner._count(log)
    log.write_text("....\n12 passed in 3.1s\n")
    runner._count(log)
    assert (runner.passed, runner.failed) == (289, 1)


@pytest.fixture(scope="module")
def failure_report(tmp_path_factory) -> Path:
    """A real myst-nb report: the formatted CellExecutionError of a notebook whose claim fails."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import math"),
        nbformat.v4.new_code_cell(
            "gap = 4.4e-10\nbound = 1e-10\nprint('checking')\n"
            'assert gap <= bound, f"the gap {gap:.1e} exceeds {bound:.0e}"'),
    ])
    try:
        NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    except CellExecutionError as error:
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    else:
        pytest.fail("the notebook was meant to fail")
    report = tmp_path_factory.mktemp("html") / "reports" / "chapters" / "06-losses.err.log"
    report.parent.mkdir(parents=True)
    report.write_text(text, encoding="utf-8")
    return report


def test_a_failed_claim_is_named_by_page_cell_and_message(failure_report, tmp_path):
    log = tmp_path / "site.log"
    log.write_text(f"WARNING: Executing notebook failed: CellExecutionError [mystnb.exec]\n"
                   f"WARNING: Notebook exception traceback saved in: {failure_report}\n")
    paragraph = tasks.explain_build_failure(log)
    assert "chapters/06-losses.md" in paragraph
    assert "AssertionError: the gap 4.4e-10 exceeds 1e-10" in paragraph
    assert 'assert gap <= bound, f"the gap' in paragraph  # the failing line
    assert "    gap = 4.4e-10" in paragraph  # the start of the cell
    assert str(failure_report) in paragraph
    assert "\x1b[" not in paragraph  # no terminal colour codes


def test_a_failure_that_stopped_the_build_is_named_from_the_log(failure_report, tmp_path):
    # myst-nb raises when a cell fails and Sphinx prints the traceback in the log, no report
    log = tmp_path / "site.log"
    page = tasks.ROOT / "chapters" / "08-autodiff.md"
    log.write_text(
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\n"
        "\x1b[91mException occurred:\x1b[39;49;00m\n"
        f"myst_nb.core.execute.base.ExecutionError: {page}\n"
        "The full traceback has been saved in /tmp/sphinx-err-x.log\n"
        + failure_report.read_text(encoding="utf-8")
        + "\nRuntimeError: a later, unrelated error\n", encoding="utf-8")
    paragraph = tasks.explain_build_failure(log)
    assert paragraph.startswith("A cell of chapters/08-autodiff.md failed")
    assert "AssertionError: the gap 4.4e-10 exceeds 1e-10" in paragraph
    assert "RuntimeError" not in paragraph and "TCP" not in paragraph
    assert 'assert gap <= bound, f"the gap' in paragraph and "    gap = 4.4e-10" in paragraph


def test_a_build_that_failed_on_a_warning_lists_the_warnings(tmp_path):
    log = tmp_path / "site.log"
    log.write_text("[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\n"
                   "reading sources...\nintro.md:3: WARNING: undefined label: 'fig-x'\n")
    paragraph = tasks.explain_build_failure(log)
    assert "undefined label: 'fig-x'" in paragraph and "TCP" not in paragraph


def test_lab_takes_bookkit_lab_options_and_refuses_them_elsewhere(monkeypatch, capsys):
    seen = {}
    monkeypatch.setitem(tasks.STAGES, "env", lambda runner, log: "up to date")
    monkeypatch.setitem(tasks.STAGES, "lab", lambda runner, log: seen.setdefault(
        "options", runner.lab_options) and "ran")
    assert tasks.main(["lab", "--sync-only", "--port", "9999", "--no-browser"]) == 0
    assert seen["options"] == ["--sync-only", "--port", "9999", "--no-browser"]
    with pytest.raises(SystemExit):
        tasks.main(["unit", "--sync-only"])
    assert "unrecognized arguments: --sync-only" in capsys.readouterr().err
