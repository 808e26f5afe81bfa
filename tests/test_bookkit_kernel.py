"""A kernel that outlives code which ignores interrupts; the crash and plain time-out cases are
covered by the grading tests."""

import pytest

from bookkit.kernel import CellRunner

STUBBORN = """\
import time
while True:
    try:
        time.sleep(10)
    except KeyboardInterrupt:
        pass
"""


def test_a_loop_that_swallows_interrupts_costs_one_cell_and_a_restart():
    with CellRunner(timeout=2) as runner:
        assert runner.run("x = 41", replay=True).status == "ok"
        assert runner.run("y = 1").status == "ok"  # not replayed
        timed_out = runner.run(STUBBORN)
        after = runner.run("print(x + 1)\nprint('y' in dir())")
    assert (timed_out.status, timed_out.message) == ("timeout", "the cell ran longer than 2 s")
    assert runner.restarts == 1
    assert (after.status, after.output) == ("ok", "42\nFalse\n")


def test_the_time_limit_must_be_positive():
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, got 0"):
        CellRunner(timeout=0)
