"""Tests for mlp.schedules: closed forms at several t, warm-up boundaries, monotonicity."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.schedules import (
    Constant,
    CosineAnnealing,
    ExponentialDecay,
    InverseTimeDecay,
    StepDecay,
    Warmup,
    tabulate,
)

TS = [0, 1, 2, 3, 7, 10, 25]


def test_constant():
    assert [Constant(0.3)(t) for t in TS] == [0.3] * len(TS)


def test_step_decay_multiplies_by_gamma_every_step_size_epochs():
    schedule = StepDecay(lr0=0.8, gamma=0.5, step_size=3)
    # floor(t / 3) for t = 0, 1, 2, 3, 7, 10, 25 is 0, 0, 0, 1, 2, 3, 8
    expected = [0.8, 0.8, 0.8, 0.4, 0.2, 0.1, 0.8 / 256]
    assert [schedule(t) for t in TS] == pytest.approx(expected, rel=1e-15)


def test_exponential_decay():
    schedule = ExponentialDecay(lr0=0.5, k=0.1)
    assert schedule(0) == 0.5
    assert schedule(10) == pytest.approx(0.5 / math.e, rel=1e-15)  # 0.5 exp(-1)
    assert schedule(7) == pytest.approx(0.5 * math.exp(-0.7), rel=1e-15)


def test_inverse_time_decay():
    schedule = InverseTimeDecay(lr0=0.6, k=0.5)
    # 0.6 / (1 + 0.5 t): t = 0 -> 0.6, t = 2 -> 0.3, t = 10 -> 0.1
    assert [schedule(0), schedule(2), schedule(10)] == pytest.approx([0.6, 0.3, 0.1], rel=1e-15)


def test_cosine_annealing_hits_its_landmarks_and_holds_the_minimum():
    schedule = CosineAnnealing(lr0=1.0, t_max=8, lr_min=0.2)
    assert schedule(0) == 1.0
    assert schedule(4) == pytest.approx(0.6, rel=1e-15)  # halfway: the midpoint (1 + 0.2) / 2
    assert schedule(2) == pytest.approx(0.2 + 0.4 * (1 + math.sqrt(0.5)), rel=1e-15)  # cos(pi/4)
    assert schedule(8) == 0.2 and schedule(100) == 0.2
    assert CosineAnnealing(0.5, 4)(4) == 0.0


def test_warmup_rises_linearly_then_runs_the_shifted_inner_schedule():
    inner = StepDecay(lr0=0.9, gamma=0.1, step_size=2)
    schedule = Warmup(inner, steps=3)
    # warm-up: 0.9 (t + 1) / 4 for t = 0, 1, 2; then inner(t - 3)
    got = [schedule(t) for t in range(8)]
    expected = [0.225, 0.45, 0.675, 0.9, 0.9, 0.09, 0.09, 0.009]
    assert got == pytest.approx(expected, rel=1e-14)
    assert schedule(0) > 0  # never exactly zero
    peak = Warmup(CosineAnnealing(1.0, t_max=5), steps=4)
    assert peak(3) < peak(4) == 1.0 and peak(9) == 0.0


def test_tabulate_gives_one_value_per_epoch():
    values = tabulate(StepDecay(1.0, 0.5, 1), 4)
    assert values.shape == (4,) and values.dtype == np.float64
    np.testing.assert_array_equal(values, [1.0, 0.5, 0.25, 0.125])


DECAYING = [
    StepDecay(1.0, 0.7, 3),
    ExponentialDecay(1.0, 0.05),
    InverseTimeDecay(1.0, 0.3),
    CosineAnnealing(1.0, 50, 0.01),
]


@given(t=st.integers(0, 10_000), dt=st.integers(1, 1000))
def test_decaying_schedules_never_rise_and_stay_in_bounds(t, dt):
    for schedule in DECAYING:
        assert 0 <= schedule(t + dt) <= schedule(t) <= schedule.lr0


@given(steps=st.integers(1, 50), t=st.integers(0, 100))
def test_warmup_rises_to_the_inner_peak(steps, t):
    schedule = Warmup(ExponentialDecay(2.0, 0.01), steps)
    if t < steps:
        assert 0 < schedule(t) < schedule(t + 1) <= 2.0
    else:
        assert schedule(t) == pytest.approx(2.0 * math.exp(-0.01 * (t - steps)), rel=1e-15)


def test_schedules_compare_and_print_as_written():
    assert CosineAnnealing(0.1, 10) == CosineAnnealing(0.1, 10)
    assert repr(StepDecay(0.1, 0.5, 2)) == "StepDecay(lr0=0.1, gamma=0.5, step_size=2)"


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Constant(0), ValueError, r"lr0 must be > 0; got 0"),
        (lambda: Constant(-0.1), ValueError, r"lr0 must be > 0; got -0.1"),
        (lambda: Constant("0.1"), TypeError, r"lr0 must be a real number; got str"),
        (lambda: StepDecay(0.1, 0.0, 2), ValueError, r"gamma must be in \(0, 1\]; got 0"),
        (lambda: StepDecay(0.1, 1.5, 2), ValueError, r"gamma must be in \(0, 1\]; got 1.5"),
        (lambda: StepDecay(0.1, 0.5, 0), ValueError, r"step_size must be an int >= 1; got 0"),
        (lambda: StepDecay(0.1, 0.5, 2.0), TypeError, r"step_size must be an int; got float"),
        (lambda: ExponentialDecay(0.1, -1), ValueError, r"k must be >= 0; got -1"),
        (lambda: InverseTimeDecay(0.1, -0.5), ValueError, r"k must be >= 0; got -0.5"),
        (lambda: CosineAnnealing(0.1, 0), ValueError, r"t_max must be an int >= 1; got 0"),
        (lambda: CosineAnnealing(0.1, 10, 0.2), ValueError,
         r"lr_min must be in \[0, 0.1\]; got 0.2"),
        (lambda: Warmup(Constant(0.1), 0), ValueError, r"steps must be an int >= 1; got 0"),
        (lambda: Warmup(0.1, 5), TypeError,
         r"schedule must be callable as schedule\(t\); got float"),
        (lambda: Constant(0.1)(-1), ValueError, r"t must be an int >= 0; got -1"),
        (lambda: Constant(0.1)(1.5), TypeError, r"t must be an int; got float"),
        (lambda: Constant(0.1)(True), TypeError, r"t must be an int; got bool"),
        (lambda: tabulate(Constant(0.1), 0), ValueError, r"t_max must be an int >= 1; got 0"),
        (lambda: tabulate(0.1, 3), TypeError, r"schedule must be callable; got float"),
    ],
)
def test_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_numpy_integers_are_accepted_as_t():
    assert StepDecay(1.0, 0.5, 1)(np.int64(2)) == 0.25
