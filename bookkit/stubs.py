"""Prove that every graded test can fail: run each student copy and expect every test to fail.

A test that passes on the stub (``raise NotImplementedError()``) cannot tell a blank answer from
a right one. Together with nbval on the instructor copy (every test passes on the solution),
this shows each test separates the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bookkit.kernel import CellRunner, Outcome
from bookkit.notebook import grade_id, is_test, load_source
from bookkit.release import student_copy


@dataclass
class StubCheck:
    """Outcome of one graded test cell run on the stub; ``ok`` means it failed, as it must."""

    notebook: str
    grade_id: str
    outcome: Outcome

    @property
    def ok(self) -> bool:
        """True when the test failed on the stub."""
        return self.outcome.status != "ok"

    def describe(self) -> str:
        """One line for the command's output."""
        if self.ok:
            return (f"ok    {self.notebook} {self.grade_id}: fails on the stub "
                    f"({self.outcome.message})")
        return (f"FAIL  {self.notebook} {self.grade_id}: passes on the stub, so it cannot tell a "
                "blank answer from a right one; make it call the learner's code and check the "
                "result")


def check_stubs(path: str | Path, timeout: float = 30.0) -> list[StubCheck]:
    """Run the student copy of one source and report every graded test cell.

    Parameters
    ----------
    path : str or Path
        An exercise source notebook.
    timeout : float
        Time limit of one cell, in seconds.

    Returns
    -------
    list of StubCheck
        One per graded test cell, in notebook order.

    Raises
    ------
    SourceFormatError
        If the source is invalid.
    RuntimeError
        If a setup cell (before the first exercise) fails, which would make every test fail
        for a reason other than the stub.
    """
    path = Path(path)
    nb, exercises = load_source(path)
    first = exercises[0].heading_index
    checks = []
    with CellRunner(timeout=timeout) as runner:
        for index, cell in enumerate(student_copy(nb).cells):
            if cell.cell_type != "code":
                continue
            outcome = runner.run(cell.source, replay=not is_test(cell))
            if index < first and outcome.status != "ok":
                raise RuntimeError(f"{path.name}, cell {index + 1} (setup, before the first "
                                   f"exercise) failed: {outcome.status}: {outcome.message}")
            if is_test(cell):
                checks.append(StubCheck(path.name, grade_id(cell), outcome))
    return checks
