"""Tests of dlmath.datasets: two moons and two spirals."""

import numpy as np
import pytest

from dlmath.datasets import spirals, two_moons

DATASETS = {"two_moons": two_moons, "spirals": spirals}


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("n", [2, 3, 101, 200])
def test_points_are_columns_and_classes_are_balanced(name, n):
    X, y = DATASETS[name](n, rng=0)
    assert X.shape == (2, n)
    assert y.shape == (n,)
    assert X.dtype == np.float64
    assert y.dtype.kind == "i"
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(np.bincount(y, minlength=2), [n // 2, n - n // 2])


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_the_same_seed_gives_the_same_points(name):
    make = DATASETS[name]
    X1, y1 = make(50, rng=3)
    X2, y2 = make(50, rng=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, make(50, rng=4)[0])
    generator = np.random.default_rng(5)
    assert not np.array_equal(make(50, rng=generator)[0], make(50, rng=generator)[0])


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_noise_is_gaussian_with_the_given_spread(name):
    make = DATASETS[name]
    clean, _ = make(2000, noise=0.0)
    noisy, _ = make(2000, noise=0.2, rng=0)
    residual = noisy - clean
    assert residual.std() == pytest.approx(0.2, rel=0.05)
    assert abs(residual.mean()) < 0.02


def test_two_moons_lie_on_their_half_circles():
    X, y = two_moons(40, noise=0.0)
    upper, lower = X[:, y == 0], X[:, y == 1]
    # Class 0 on the unit circle, above the x axis; class 1 on the circle about (1, 0.5).
    np.testing.assert_allclose(np.hypot(*upper), 1.0, rtol=1e-14)
    assert np.all(upper[1] >= -1e-15)
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0, rtol=1e-14)
    assert np.all(lower[1] <= 0.5 + 1e-15)
    np.testing.assert_allclose(upper[:, [0, -1]], [[1.0, -1.0], [0.0, 0.0]], atol=1e-15)
    np.testing.assert_allclose(lower[:, [0, -1]], [[0.0, 2.0], [0.5, 0.5]], atol=1e-15)


def test_two_moons_cannot_be_separated_by_a_straight_line():
    # The best line (least squares on ±1 targets) still misclassifies points.
    X, y = two_moons(400, noise=0.0)
    features = np.vstack([X, np.ones(X.shape[1])]).T
    weights, *_ = np.linalg.lstsq(features, 2.0 * y - 1.0, rcond=None)
    accuracy = np.mean((features @ weights > 0) == (y == 1))
    assert 0.75 < accuracy < 0.95


def test_spirals_wind_outwards_and_are_half_a_turn_apart():
    X, y = spirals(200, turns=1.5, noise=0.0)
    first, second = X[:, y == 0], X[:, y == 1]
    radius = np.hypot(*first)
    np.testing.assert_allclose(radius[[0, -1]], [0.1, 1.0], rtol=1e-14)
    assert np.all(np.diff(radius) > 0)
    np.testing.assert_allclose(second, -first, atol=1e-14)  # turned by half a circle
    angle = np.unwrap(np.arctan2(first[1], first[0]))
    assert angle[-1] - angle[0] == pytest.approx(2 * np.pi * 1.5, rel=1e-12)


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 1}, ValueError, r"n must be at least 2 \(one point per class\); got 1"),
        ({"n": 0}, ValueError, "n must be at least 1; got 0"),
        ({"n": 10.0}, TypeError, r"n must be an integer; got 10\.0"),
        ({"n": True}, TypeError, "n must be an integer; got True"),
        ({"noise": -0.1}, ValueError, r"noise must be non-negative; got -0\.1"),
        ({"noise": np.nan}, ValueError, "noise must be finite; got nan"),
        ({"noise": "0.1"}, TypeError, "noise must be a real number; got '0.1'"),
        ({"rng": -1}, ValueError, "rng must be a non-negative integer seed; got -1"),
        ({"rng": 0.5}, TypeError, "rng must be None, an integer seed or a numpy.random.Generator"),
    ],
)
def test_bad_arguments_are_rejected(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        DATASETS[name](**{"n": 10, **kwargs})


@pytest.mark.parametrize(
    ("turns", "error", "message"),
    [
        (0.0, ValueError, r"turns must be positive and at most a million; got 0\.0"),
        (-1, ValueError, r"turns must be positive and at most a million; got -1\.0"),
        (np.inf, ValueError, "turns must be finite; got inf"),
        (None, TypeError, "turns must be a real number; got None"),
    ],
)
def test_spirals_need_a_positive_number_of_turns(turns, error, message):
    with pytest.raises(error, match=message):
        spirals(10, turns=turns)
