"""Learners' self-check helpers: a pass prints one line, a failure says expected, got and hint."""

import re

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from bookkit import check
from bookkit.check import check_close, check_dtype, check_raises, check_shape, check_true

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_close_values_pass_and_say_so(capsys):
    check_close(np.array([1.0, 3.0]), [1.0, 3.0 + 1e-9], "grad")
    check_close(0.1 + 0.2, 0.3, "sum")
    assert capsys.readouterr().out == ("\u2714 grad has the expected values\n"
                                       "\u2714 sum has the expected value\n")


def test_a_wrong_value_names_index_values_count_and_hint():
    with pytest.raises(AssertionError, match=r"^grad: expected 3 at index \(1,\), got 2\.5 "
                       r"\(1 of 2 values differ\); hint: subtract b$"):
        check_close([1.0, 2.5], [1.0, 3.0], "grad", hint="subtract b")


def test_a_wrong_scalar_has_no_index_and_no_hint_part():
    with pytest.raises(AssertionError, match=r"^loss: expected 0\.5, got 0\.25$"):
        check_close(0.25, 0.5, "loss")


def test_tolerances_are_the_callers():
    check_close(1.001, 1.0, "loose", rtol=1e-2)
    with pytest.raises(AssertionError, match="tight: expected 1, got 1.001"):
        check_close(1.001, 1.0, "tight", rtol=1e-6, atol=0.0)


@pytest.mark.parametrize(("got", "message"), [
    (None, r"w: expected numbers, got None \(did the function forget to `return`\?\)"),
    ("abc", r"w: expected numbers, got str 'abc'"),
    (np.ones((2, 1)), r"w: expected shape \(2,\), got shape \(2, 1\)"),
    ([np.nan, 1.0], r"w: expected 1 at index \(0,\), got nan"),
])
def test_not_numbers_wrong_shape_and_nan_are_refused(got, message):
    with pytest.raises(AssertionError, match=message):
        check_close(got, [1.0, 1.0], "w")


def test_shape_accepts_wildcards_and_refuses_mismatches(capsys):
    check_shape(np.zeros((5, 3)), (None, 3), "A[1]")
    assert capsys.readouterr().out == "\u2714 A[1] has shape (5, 3)\n"
    with pytest.raises(AssertionError, match=r"^A\[1\]: expected shape \(5, 3\), got shape "
                       r"\(3, 5\); hint: one row per example$"):
        check_shape(np.zeros((3, 5)), (5, 3), "A[1]", hint="one row per example")
    with pytest.raises(AssertionError, match=r"expected shape \(5,\), got shape \(5, 1\)"):
        check_shape(np.zeros((5, 1)), (5,), "b")
    with pytest.raises(AssertionError, match=r"expected shape \(2,\), got None"):
        check_shape(None, (2,), "b")


def test_dtype_is_checked(capsys):
    check_dtype(np.zeros(2, dtype=np.float32), np.float32, "float32 kept")
    assert "\u2714 float32 kept has dtype float32" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="z: expected dtype float32, got float64"):
        check_dtype(np.zeros(2), "float32", "z")
    with pytest.raises(AssertionError, match="z: expected dtype float32, got list"):
        check_dtype([0.0], "float32", "z")


def test_true_reports_the_condition(capsys):
    check_true(1 < 2, "a new array")
    assert capsys.readouterr().out == "\u2714 a new array\n"
    with pytest.raises(AssertionError, match=r"^a new array: expected True, got False; hint: h$"):
        check_true(False, "a new array", hint="h")


def _refuse(value):
    if value < 0:
        raise ValueError("negative")
    return value


def test_raises_passes_only_on_the_named_exception(capsys):
    check_raises(ValueError, _refuse, -1, name="lr < 0")
    assert capsys.readouterr().out == "\u2714 lr < 0 raises ValueError\n"
    with pytest.raises(AssertionError, match=r"lr < 0: expected ValueError, got no error"):
        check_raises(ValueError, _refuse, 1, name="lr < 0")
    with pytest.raises(AssertionError, match=r"expected TypeError, got ValueError: negative"):
        check_raises(TypeError, _refuse, -1, name="lr < 0")


def test_a_stub_fails_every_helper_that_calls_it():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="expected ValueError, got NotImplementedError"):
        check_raises(ValueError, stub, -1, name="stub")


def test_two_checks_of_one_name_print_two_different_lines(capsys):
    got = np.zeros((6, 4))
    check_shape(got, (6, 4), "output_error(y_hat, y)")
    check_close(got, np.zeros((6, 4)), "output_error(y_hat, y)")
    first, second = capsys.readouterr().out.splitlines()
    assert first != second, "a shape check and a value check print the same line"
    with pytest.raises(AssertionError) as failed:
        check_close(got, np.ones((6, 4)), "output_error(y_hat, y)")
    assert not str(failed.value).startswith(first), "a failure repeats a line printed as passed"


@pytest.fixture
def shell(capsys):
    """An IPython shell with the self-checks' error display installed; its output as text."""
    shell = InteractiveShell()
    check._install(shell)
    shell.run_cell("import numpy as np\nfrom bookkit.check import check_close")
    capsys.readouterr()

    def run(cell: str) -> str:
        shell.run_cell(cell)
        captured = capsys.readouterr()
        return ANSI.sub("", captured.out + captured.err)

    yield run
    shell.clear_instance()


def test_a_failed_check_shows_the_learners_line_and_no_frame_of_the_checks(shell):
    shown = shell("check_close(np.ones(3), np.zeros(3), 'f(x)', hint='think')")
    assert "f(x): expected 0 at index (0,), got 1" in shown and "hint: think" in shown
    assert "check_close(np.ones(3)" in shown, "the learner's own line is not shown"
    assert "bookkit" not in shown and "_fail" not in shown, f"a check.py frame is shown:\n{shown}"


def test_a_matrix_product_of_the_wrong_shapes_gets_the_shape_hint(shell):
    shown = shell("W = np.ones((4, 5))\ndelta = np.ones((6, 4))\ndelta @ W.T")
    assert "size 5 is different from 4" in shown and check.SHAPE_HINT in shown
    other = shell("int('x')")
    assert "invalid literal" in other and check.SHAPE_HINT not in other
