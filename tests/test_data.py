"""Tests for mlp.data: preparation helpers by hand, generated sets by their geometry, digits."""

import hashlib
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from mlp.data import (
    DIGITS_SHA256,
    _read_digits,
    load_digits,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
    make_xor,
    one_hot,
    standardize,
    train_test_split,
)

DATA_DIR = Path(str(resources.files("mlp").joinpath("data")))


def test_one_hot_by_hand():
    np.testing.assert_array_equal(
        one_hot([2, 0, 1, 2], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    )
    assert one_hot(np.array([1.0, 0.0]), 2, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    ("labels", "K", "error", "match"),
    [
        ([0, 3], 3, ValueError, r"labels must lie in \[0, K\) = \[0, 3\); got values from 0 to 3"),
        ([-1, 0], 2, ValueError, r"labels must lie in \[0, K\)"),
        ([0.5, 1], 2, ValueError, r"labels must be whole numbers"),
        ([[0, 1]], 2, ValueError, r"labels must be 1-D of shape \(m,\); got shape \(1, 2\)"),
        ([0, 1], 0, ValueError, r"K must be an int >= 1; got 0"),
        ([0, 1], 2.0, TypeError, r"K must be an int; got float"),
        (["a"], 2, TypeError, r"labels must hold real numbers"),
    ],
)
def test_one_hot_checks_its_input(labels, K, error, match):
    with pytest.raises(error, match=match):
        one_hot(labels, K)


def test_train_test_split_partitions_the_rows_and_keeps_pairs():
    y = np.arange(10)
    X = np.column_stack([10 * y, -y])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7  # ceil(0.25 * 10)
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))
    np.testing.assert_array_equal(X_train[:, 0], 10 * y_train)
    np.testing.assert_array_equal(X_test[:, 1], -y_test)
    again = train_test_split(X, y, test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    other = train_test_split(X, y, test_size=0.25, seed=1)
    assert not np.array_equal(other[3], y_test)
    assert len(train_test_split(X, y, test_size=4, seed=0)[1]) == 4


@pytest.mark.parametrize(
    ("y", "test_size", "match"),
    [
        (np.arange(9), 0.25, r"X and y must have one row per example; got shapes \(10, 1\)"),
        (np.arange(10), 0.0, r"test_size must be in \(0, 1\); got 0"),
        (np.arange(10), 1.0, r"test_size must be in \(0, 1\); got 1"),
        (np.arange(10), 10, r"test_size must leave at least one row in each part of m = 10"),
        (np.arange(10), 0, r"test_size must leave at least one row"),
    ],
)
def test_train_test_split_checks_its_input(y, test_size, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(np.ones((10, 1)), y, test_size=test_size)


def test_standardize_fits_on_train_and_reuses_it():
    X_train = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 4.0]])  # means 2, 5, 3; stds 1, 0, 1
    Z, mean, std = standardize(X_train)
    np.testing.assert_array_equal(mean, [2.0, 5.0, 3.0])
    np.testing.assert_array_equal(std, [1.0, 1.0, 1.0])  # the constant column keeps std 1
    np.testing.assert_array_equal(Z, [[-1.0, 0.0, -1.0], [1.0, 0.0, 1.0]])
    Z_test, *_ = standardize(np.array([[4.0, 7.0, 3.0]]), mean, std)
    np.testing.assert_array_equal(Z_test, [[2.0, 2.0, 0.0]])
    assert standardize(np.ones((2, 2), dtype=np.float32))[0].dtype == np.float32


@pytest.mark.parametrize(
    ("X", "mean", "std", "match"),
    [
        (np.ones(3), None, None, r"X must be 2-D of shape \(m, n_0\); got shape \(3,\)"),
        (np.ones((2, 2)), np.zeros(2), None, r"pass both mean and std"),
        (np.ones((2, 2)), np.zeros(3), np.ones(3),
         r"mean and std must have shape \(n_0,\) = \(2,\)"),
        (np.array([[1.0, np.nan]]), None, None, r"X must be finite"),
    ],
)
def test_standardize_checks_its_input(X, mean, std, match):
    with pytest.raises(ValueError, match=match):
        standardize(X, mean, std)


GENERATORS = [make_moons, make_circles, make_xor, make_spirals]


@pytest.mark.parametrize("make", GENERATORS)
def test_generated_sets_are_seeded_and_balanced(make):
    X, y = make(m=120, seed=5)
    assert X.shape == (120, 2) and y.shape == (120,) and y.dtype.kind == "i"
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    X2, y2 = make(m=120, seed=5)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(m=120, seed=6)[0])
    assert len(set(y[:10])) > 1  # shuffled, not sorted by class


def test_moons_lie_on_two_half_circles():
    X, y = make_moons(m=100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)


def test_circles_have_radii_one_and_factor():
    X, y = make_circles(m=100, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_xor_labels_are_the_sign_disagreement():
    X, y = make_xor(m=100, noise=0.0, seed=0)
    np.testing.assert_array_equal(np.abs(X), 1.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_spiral_arms_turn_with_the_radius():
    X, y = make_spirals(m=90, n_classes=3, noise=0.0, seed=0)
    radius, angle = np.hypot(*X.T), np.arctan2(X[:, 1], X[:, 0])
    offset = (angle - 2 * np.pi * y / 3 - 4 * radius) / (2 * np.pi)
    np.testing.assert_allclose(offset, np.round(offset), atol=1e-9)  # a whole number of turns
    assert np.bincount(y).tolist() == [30, 30, 30]


def test_regression_1d_samples_a_sine():
    X, y = make_regression_1d(m=50, noise=0.0, seed=0)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert np.all(np.abs(X) <= math.pi)
    np.testing.assert_array_equal(y, np.sin(X))
    noisy = make_regression_1d(m=2000, noise=0.1, seed=0)
    assert np.std(noisy[1] - np.sin(noisy[0])) == pytest.approx(0.1, rel=0.1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: make_moons(m=1), ValueError, r"m must be an int >= 2; got 1"),
        (lambda: make_moons(noise=-0.1), ValueError, r"noise must be >= 0; got -0.1"),
        (lambda: make_circles(factor=1.0), ValueError, r"factor must be in \(0, 1\); got 1"),
        (lambda: make_xor(m=2.5), TypeError, r"m must be an int; got float"),
        (lambda: make_spirals(n_classes=1), ValueError, r"n_classes must be an int >= 2; got 1"),
        (lambda: make_spirals(m=2, n_classes=3), ValueError, r"m must be an int >= 3; got 2"),
        (lambda: make_regression_1d(m=0), ValueError, r"m must be an int >= 1; got 0"),
    ],
)
def test_generators_check_their_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_load_digits_gives_the_uci_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    assert np.bincount(y).min() >= 170 and len(np.bincount(y)) == 10
    assert y[:10].tolist() == list(range(10))  # the set opens with one of each digit, in order
    assert load_digits(np.float32)[0].dtype == np.float32


def test_digits_checksum_is_the_documented_one():
    content = (DATA_DIR / "digits.npz").read_bytes()
    assert hashlib.sha256(content).hexdigest() == DIGITS_SHA256
    readme = (DATA_DIR / "digits_README.txt").read_text()
    assert DIGITS_SHA256 in readme and "CC BY 4.0" in readme and "BSD 3-Clause" in readme


def test_a_damaged_digits_file_is_refused(tmp_path):
    damaged = bytearray((DATA_DIR / "digits.npz").read_bytes())
    damaged[100] ^= 0xFF
    path = tmp_path / "digits.npz"
    path.write_bytes(bytes(damaged))
    with pytest.raises(OSError, match=r"has SHA-256 [0-9a-f]{64}; expected .*reinstall mlp"):
        _read_digits(path, np.float64)
