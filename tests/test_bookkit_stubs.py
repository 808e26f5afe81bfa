"""Every graded test must fail on the stub: checked for the book's exercises and the fixtures."""

from pathlib import Path

import nbformat
import pytest

from bookkit.__main__ import main
from bookkit.stubs import check_stubs

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "exercises"
SOURCES = sorted((ROOT / "exercises").glob("*.ipynb")) + [FIXTURES / "source" / "01-sample.ipynb"]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_every_graded_test_fails_on_the_stub(path):
    nb = nbformat.read(path, as_version=4)
    graded = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
              if cell.metadata.get("nbgrader", {}).get("grade")]
    checks = check_stubs(path, timeout=20)
    assert [check.grade_id for check in checks] == graded
    assert [check.describe() for check in checks if not check.ok] == []


def test_a_vacuous_test_is_caught_and_named(capsys):
    status = main(["check-stubs", str(FIXTURES / "vacuous" / "02-vacuous.ipynb"),
                   "--timeout", "20"])
    out = capsys.readouterr().out
    assert status == 1
    assert "ok    02-vacuous.ipynb ex2-1-tests: fails on the stub (NotImplementedError)" in out
    assert "FAIL  02-vacuous.ipynb ex2-1-tests-vacuous: passes on the stub" in out
    assert out.strip().endswith("1 test(s) pass on the stub")


def test_a_failing_setup_cell_is_an_error_not_a_pass(tmp_path):
    nb = nbformat.read(FIXTURES / "source" / "01-sample.ipynb", as_version=4)
    nb.cells[1].source = "import a_module_that_does_not_exist"
    nbformat.write(nb, tmp_path / "01-sample.ipynb")
    with pytest.raises(RuntimeError, match=r"01-sample\.ipynb, cell 2 \(setup, before the first "
                       r"exercise\) failed: error: ModuleNotFoundError"):
        check_stubs(tmp_path / "01-sample.ipynb", timeout=20)
