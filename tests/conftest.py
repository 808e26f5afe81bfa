"""Shared fixtures for the numpy core's tests: seeded data and an independent gradient judge."""

import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import settings

# No time limit per example: Hypothesis's default deadline (200 ms) turns a busy shared machine
# into a failed test, and speed is measured by the benchmarks, never by a test. The examples are
# derandomized so that every run checks the same inputs.
settings.register_profile("book", deadline=None, derandomize=True)
settings.load_profile("book")


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator, so every test sees the same numbers."""
    return np.random.default_rng(20240607)


def central_differences(f: Callable[[], float], param: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """(f(theta + h) - f(theta - h)) / 2h for every entry theta of ``param``, perturbed in place.

    Written here, independently of ``mlp.gradcheck``, so the tests do not trust the library to
    judge itself. The step h = 1e-5 balances the truncation error (about h^2) against rounding
    (about 1e-16 / h): over 2600 seeded networks the worst relative error was 1.5e-8 with it,
    1.5e-7 with h = 1e-6. Compare with a tolerance from ``mlp.finite_difference_tolerance(h, ...)``
    (eq-central-total-error with a margin), never with one tuned to what one machine printed.
    """
    grad = np.zeros_like(param, dtype=np.float64)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + h
        plus = f()
        param[index] = saved - h
        minus = f()
        param[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def assert_gradients_close(
    analytic: list[np.ndarray], numerical: list[np.ndarray], tol: float, rounding: float = 0.0
) -> None:
    """Assert ||a - n|| <= tol (||a|| + ||n||) + sqrt(size) rounding per parameter array.

    ``tol`` bounds the truncation error of the differences relative to the gradient: it depends
    only on the network and the step, not on the machine. ``rounding`` bounds each entry's
    rounding error (``mlp.finite_difference_tolerance`` with the loss's size), which does depend
    on the machine's BLAS kernel and SIMD width: it gets its own allowance instead of eating into
    ``tol``. The message names the array and prints both gradients.
    """
    for i, (a, n) in enumerate(zip(analytic, numerical, strict=True)):
        name = f"{'Wb'[i % 2]}[{i // 2 + 1}]"
        error = np.linalg.norm(a - n)
        allowed = tol * (np.linalg.norm(a) + np.linalg.norm(n)) + np.sqrt(a.size) * rounding
        assert error <= allowed, (
            f"{name}: ||backprop - differences|| = {error:.3e} > {allowed:.3e} allowed "
            f"(relative tolerance {tol:.0e}, rounding {rounding:.1e} per entry)\n"
            f"backprop:\n{a}\ncentral differences:\n{n}"
        )


@pytest.fixture
def numerical_gradients() -> Callable:
    """``numerical_gradients(net, X, y, loss)``: central differences on every parameter.

    ``loss`` is a callable ``loss(y_hat, y) -> float`` evaluated on ``net.forward(X)[0]``.
    """

    def compute(net, X, y, loss, h=1e-5):
        def objective():
            return loss(net.forward(X)[0], y)

        return [central_differences(objective, p, h) for p in net.parameters()]

    return compute


@pytest.fixture
def assert_gradients() -> Callable:
    """``assert_gradients(analytic, numerical, tol)``, see ``assert_gradients_close``."""
    return assert_gradients_close


@pytest.fixture
def finite_differences() -> Callable:
    """``finite_differences(f, param, h=1e-5)``, see ``central_differences``."""
    return central_differences


# The grader runs learners' code in a bubblewrap sandbox (Linux namespaces): these modules grade
# notebooks, so elsewhere (macOS, Windows) they are skipped with the reason, never silently passed.
SANDBOXED = {"test_bookkit_grade", "test_bookkit_hostile", "test_bookkit_limits",
             "test_bookkit_main", "test_bookkit_secret", "test_lab_roundtrip"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if sys.platform.startswith("linux"):
        return
    skip = pytest.mark.skip(reason="the grader's sandbox (bubblewrap) needs Linux")
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__.rsplit(".", 1)[-1] in SANDBOXED:
            item.add_marker(skip)
