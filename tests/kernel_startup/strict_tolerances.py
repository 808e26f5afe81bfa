"""IPython startup file for the notebooks stage: a comparison that cannot fail is an error.

numpy's ``isclose`` and ``allclose`` default to ``atol=1e-8``, which lets any two numbers below
about 1e-8 pass, whatever ``rtol`` asks. ``tasks.py notebooks`` installs this file in the
kernels that run the pages and exercises. A call written in a notebook cell that leaves ``atol``
at its default and passes only because of it raises ``AssertionError`` with the cell's line;
calls from libraries, and calls that pass ``atol`` explicitly, behave as in numpy.
"""

import linecache
import sys

import numpy as np

_DEFAULT_ATOL = object()
_isclose = np.isclose


def _in_a_cell(frame) -> bool:
    # ipykernel compiles each cell under a file name of the form .../ipykernel_<pid>/<hash>.py
    return "ipykernel_" in frame.f_code.co_filename


def _compare(a, b, rtol, atol, equal_nan):
    if atol is not _DEFAULT_ATOL:
        return _isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    result = _isclose(a, b, rtol=rtol, atol=1e-8, equal_nan=equal_nan)
    caller = sys._getframe(2)
    if _in_a_cell(caller) and np.any(
            result & ~_isclose(a, b, rtol=rtol, atol=0.0, equal_nan=equal_nan)):
        line = linecache.getline(caller.f_code.co_filename, caller.f_lineno).strip()
        raise AssertionError(
            f"this comparison passes only through numpy's default atol=1e-8: {line!r}; pass "
            "atol explicitly (0 for a purely relative check, or the error bound of the values)")
    return result


def isclose(a, b, rtol=1e-05, atol=_DEFAULT_ATOL, equal_nan=False):
    """numpy.isclose, refusing a pass that only the default atol grants (see the module)."""
    return _compare(a, b, rtol, atol, equal_nan)


def allclose(a, b, rtol=1e-05, atol=_DEFAULT_ATOL, equal_nan=False):
    """numpy.allclose, refusing a pass that only the default atol grants (see the module)."""
    return bool(np.all(_compare(a, b, rtol, atol, equal_nan)))


np.isclose, np.allclose = isclose, allclose
