"""Self-checks for learners, used inside the exercises' test cells.

Each helper prints one line saying what passed (``✔ grad_W has shape (3, 6)``, ``✔ grad_W has
the expected values``), so two checks of one name never print the same line, and otherwise raises
AssertionError with a message of the form ``<name>: expected ..., got ...; hint: ...``. The
numbers compared may be shown; the solution code never is.

Imported in IPython (Jupyter), the module also tidies what a learner sees when a cell fails: the
traceback of a failed check stops at the learner's own code (no frame of this file), and numpy's
error for a matrix product whose shapes do not fit gets a line explaining it, since it is raised
in the learner's code before any check can give its hint.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["check_close", "check_dtype", "check_raises", "check_shape", "check_true"]

SHAPE_HINT = ("hint: the shapes of a matrix product do not fit: in A @ B the last axis of A must "
              "be as long as the first axis of B. Print the .shape of both arrays and compare "
              "them with the shapes the exercise gives; is one of them transposed, or in the "
              "wrong order?")


def _fail(name: str, message: str, hint: str | None) -> None:
    __tracebackhide__ = True
    raise AssertionError(f"{name}: {message}" + (f"; hint: {hint}" if hint else ""))


def _passed(name: str, what: str = "") -> None:
    print(f"\u2714 {name}" + (f" {what}" if what else ""))


def _as_numbers(got: Any, name: str, hint: str | None) -> np.ndarray:
    __tracebackhide__ = True
    if got is None:
        _fail(name, "expected numbers, got None (did the function forget to `return`?)", hint)
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        _fail(name, f"expected numbers, got {type(got).__name__} {got!r:.60}", hint)
    return array


def check_shape(got: Any, shape: Sequence[int | None], name: str, hint: str | None = None) -> None:
    """Check that ``got`` has the given shape.

    Parameters
    ----------
    got : array_like
        The learner's result.
    shape : sequence of int or None
        The expected shape; ``None`` accepts any length on that axis.
    name : str
        What is checked, as the learner would say it (``"grad_weights[0]"``).
    hint : str, optional
        A nudge shown on failure.

    Raises
    ------
    AssertionError
        ``"<name>: expected shape (2, 3), got shape (3, 2); hint: ..."``.
    """
    __tracebackhide__ = True
    actual = np.shape(got) if got is not None else None
    expected = tuple(shape)
    if actual is None or len(actual) != len(expected) or any(
        want is not None and want != have for want, have in zip(expected, actual, strict=True)
    ):
        _fail(name, f"expected shape {expected}, got "
              + ("None" if actual is None else f"shape {actual}"), hint)
    _passed(name, f"has shape {actual}")


def check_close(got: Any, expected: Any, name: str, hint: str | None = None,
                rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Check that ``got`` equals ``expected`` within ``|got - expected| <= atol + rtol |expected|``.

    Parameters
    ----------
    got : array_like
        The learner's result.
    expected : array_like
        The reference value, computed in the test cell from outside the learner's code.
    name, hint : str
        As in :func:`check_shape`.
    rtol, atol : float
        Relative and absolute tolerances.

    Raises
    ------
    AssertionError
        On None or non-numbers, a shape mismatch, NaN or infinity where a finite value is
        expected, or the first element out of tolerance (its index, value and expected value).
    """
    __tracebackhide__ = True
    want = np.asarray(expected, dtype=float)
    have = _as_numbers(got, name, hint)
    if have.shape != want.shape:
        _fail(name, f"expected shape {want.shape}, got shape {have.shape}", hint)
    bad = ~np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=False)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        place = f" at index {where}" if where else ""
        count = f" ({int(bad.sum())} of {bad.size} values differ)" if bad.size > 1 else ""
        _fail(name, f"expected {want[where]:.6g}{place}, got {have[where]:.6g}{count}", hint)
    _passed(name, "has the expected value" + ("s" if want.size > 1 else ""))


def check_dtype(got: Any, dtype: Any, name: str, hint: str | None = None) -> None:
    """Check that ``got`` is an array of the given dtype (e.g. float32 kept as float32).

    Raises
    ------
    AssertionError
        ``"<name>: expected dtype float32, got float64; hint: ..."``.
    """
    __tracebackhide__ = True
    actual = getattr(got, "dtype", None)
    if actual != np.dtype(dtype):
        _fail(name, f"expected dtype {np.dtype(dtype)}, got "
              + (str(actual) if actual is not None else type(got).__name__), hint)
    _passed(name, f"has dtype {actual}")


def check_true(condition: Any, message: str, hint: str | None = None) -> None:
    """Check a condition stated in words (``message``, e.g. ``"a new array from gd_step"``).

    Raises
    ------
    AssertionError
        ``"<message>: expected True, got False; hint: ..."``.
    """
    __tracebackhide__ = True
    if not bool(condition):
        _fail(message, f"expected True, got {condition!r:.60}", hint)
    _passed(message)


def check_raises(exception: type[BaseException], func: Callable[..., Any], *args: Any,
                 name: str, hint: str | None = None, **kwargs: Any) -> None:
    """Check that ``func(*args, **kwargs)`` raises ``exception`` (bad input is refused).

    Raises
    ------
    AssertionError
        If nothing is raised, or another exception is raised instead.
    """
    __tracebackhide__ = True
    try:
        func(*args, **kwargs)
    except exception:
        _passed(name, f"raises {exception.__name__}")
        return
    except Exception as err:  # noqa: BLE001 - any other error is the learner's to see
        _fail(name, f"expected {exception.__name__}, got {type(err).__name__}: {err}", hint)
    _fail(name, f"expected {exception.__name__}, got no error", hint)


def _outside_this_file(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback ``tb`` without its frames in this file."""
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            frames.append(tb)
        tb = tb.tb_next
    kept = None
    for frame in reversed(frames):
        kept = types.TracebackType(kept, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return kept


def _show_error(shell: Any, etype: type, value: BaseException, tb: types.TracebackType | None,
                tb_offset: int | None = None) -> list[str]:
    """IPython's traceback of a failed cell, tidied as the module docstring says."""
    if issubclass(etype, AssertionError):
        tb = _outside_this_file(tb) or tb
    lines = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    if issubclass(etype, ValueError) and str(value).startswith("matmul: Input operand"):
        lines = [*lines, SHAPE_HINT]
    shell._showtraceback(etype, value, lines)
    return lines


def _install(shell: Any) -> None:
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((AssertionError, ValueError), _show_error)


try:
    from IPython import get_ipython
except ImportError:  # pragma: no cover - IPython comes with every Jupyter kernel
    pass
else:
    _install(get_ipython())
