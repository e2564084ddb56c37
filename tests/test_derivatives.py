"""Tests of dlmath.derivatives: central differences, gradients, the chain rule."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlmath.derivatives import (
    DEFAULT_STEP,
    chain_factors,
    chain_rule,
    compose,
    derivative,
    gradient,
)

moderate = st.floats(-2.0, 2.0, allow_nan=False)

# --- derivative -------------------------------------------------------------------------


def test_derivative_of_the_parabola_is_2x():
    for x in (-3.0, 0.0, 0.5, 3.0):
        assert derivative(lambda u: u**2, x) == pytest.approx(2 * x, abs=1e-9)


def test_derivative_returns_a_float_for_a_scalar_and_an_array_for_an_array():
    assert type(derivative(np.sin, 0.0)) is float
    assert type(derivative(np.sin, 1)) is float  # integers are points too
    slopes = derivative(np.sin, np.array([[0.0, np.pi], [np.pi / 2, -np.pi]]))
    assert slopes.shape == (2, 2)
    np.testing.assert_allclose(slopes, [[1.0, -1.0], [0.0, -1.0]], atol=1e-10)


def test_derivative_error_is_second_order_in_the_step():
    # Central differences of exp at 0: error ≈ h²/6. Halving h divides it by ~4.
    errors = [abs(derivative(np.exp, 0.0, h=h) - 1.0) for h in (1e-2, 5e-3)]
    assert errors[0] == pytest.approx(1e-4 / 6, rel=1e-3)
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=1e-3)


def test_derivative_does_not_modify_its_input():
    x = np.array([0.5, 1.5])
    derivative(np.square, x)
    np.testing.assert_array_equal(x, [0.5, 1.5])


@pytest.mark.parametrize("h", [0.0, -1e-5])
def test_derivative_rejects_a_non_positive_step(h):
    with pytest.raises(ValueError, match=f"h must be positive; got {float(h)}"):
        derivative(np.sin, 1.0, h=h)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_derivative_of_narrow_floats_is_taken_in_float64(dtype):
    # In float16, 1 + 1e-5 rounds back to 1: the slope would be a confident zero.
    x = np.array([1.0, 2.0], dtype=dtype)
    np.testing.assert_allclose(derivative(np.square, x), [2.0, 4.0], rtol=1e-9)
    assert derivative(np.square, dtype(3.0)) == pytest.approx(6.0, rel=1e-9)


def test_a_step_that_vanishes_beside_x_is_refused():
    with pytest.raises(ValueError, match=r"h = 1e-05 is too small or too large for x"):
        derivative(np.sin, 1e300)
    with pytest.raises(ValueError, match="h = 1e-05 is too small"):
        gradient(lambda p: float(p.sum()), [1.0, 1e300])
    assert derivative(lambda x: x, 1e300, h=1e295) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("f", "error", "message"),
    [
        (None, TypeError, "f must be callable; got None"),
        (lambda x: "slope", TypeError, "f must return real numbers; got 'slope'"),
        (lambda x: [1.0, 2.0], ValueError, r"f must return one value per point of x"),
        (np.log, ValueError, "f must be finite around x"),
    ],
)
def test_derivative_checks_f(f, error, message):
    with pytest.raises(error, match=message):
        derivative(f, 0.0)


@pytest.mark.parametrize(
    ("f", "error", "message"),
    [
        (3.0, TypeError, "f must be callable; got 3.0"),
        (lambda p: p, TypeError, r"f must return one real number; got array\(\[1\.0"),
        (lambda p: np.log(p[0] - 1.0), ValueError, "f must be finite around x"),
    ],
)
def test_gradient_checks_f(f, error, message):
    with pytest.raises(error, match=message):
        gradient(f, [1.0, 2.0])


def test_derivative_rejects_bad_points():
    with pytest.raises(ValueError, match="x must hold finite numbers; got 1 NaN"):
        derivative(np.sin, np.nan)
    with pytest.raises(ValueError, match=r"x must not be empty; got shape \(0,\)"):
        derivative(np.sin, [])
    with pytest.raises(TypeError, match="x must be array-like numbers; got 'one'"):
        derivative(np.sin, "one")
    with pytest.raises(TypeError, match="h must be a real number"):
        derivative(np.sin, 1.0, h="small")


# --- gradient ---------------------------------------------------------------------------


def test_gradient_of_the_slides_surface_is_2x_2y():
    surface = lambda p: p[0] ** 2 + p[1] ** 2  # noqa: E731
    for point in ([1.0, -2.0], [0.0, 0.0], [3.5, 0.25]):
        np.testing.assert_allclose(
            gradient(surface, np.array(point)), 2 * np.array(point), atol=1e-9
        )


def test_gradient_has_the_shape_of_a_weight_matrix():
    W = np.arange(6.0).reshape(2, 3)
    grad = gradient(lambda w: np.sum(w**2), W)
    assert grad.shape == (2, 3)
    np.testing.assert_allclose(grad, 2 * W, atol=1e-8)


@pytest.mark.parametrize(
    "layout",
    [np.asfortranarray, lambda a: np.repeat(a, 2, axis=1)[:, ::2], lambda a: a.T.copy().T],
    ids=["fortran", "strided", "transposed"],
)
def test_gradient_works_for_any_memory_layout(layout):
    W = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    X = layout(W)
    np.testing.assert_array_equal(X, W)
    grad = gradient(lambda w: float(np.sum(weights * w**2)), X)
    np.testing.assert_allclose(grad, 2 * weights * W, rtol=1e-8)


def test_gradient_does_not_modify_its_input_and_sees_it_unchanged_at_the_end():
    x = np.array([1.0, 2.0, 3.0])
    seen = []
    gradient(lambda p: seen.append(p.copy()) or float(p @ p), x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    assert len(seen) == 6  # two evaluations per coordinate
    for k, point in enumerate(seen):  # each moves exactly one coordinate by ±h
        moved = np.flatnonzero(point != x)
        np.testing.assert_array_equal(moved, [k // 2])
        assert abs(point[k // 2] - x[k // 2]) == pytest.approx(DEFAULT_STEP, rel=1e-6)


def test_gradient_of_a_scalar_point():
    grad = gradient(lambda p: float(p) ** 3, 2.0)
    assert grad.shape == ()
    assert float(grad) == pytest.approx(12.0, abs=1e-8)


def test_gradient_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"h must be positive; got 0\.0"):
        gradient(np.sum, [1.0], h=0.0)
    with pytest.raises(ValueError, match="x must hold finite numbers; got 1 NaN"):
        gradient(np.sum, [1.0, np.inf])
    with pytest.raises(ValueError, match=r"x must not be empty; got shape \(0,\)"):
        gradient(np.sum, [])


# --- composition and the chain rule ------------------------------------------------------


def test_compose_applies_the_innermost_function_first():
    assert compose(math.sqrt, abs)(-16.0) == 4.0
    assert compose(lambda x: x + 1, lambda x: 2 * x)(3) == 7  # 2·3 + 1, not 2·(3 + 1)
    assert compose(abs)(-2) == 2


def test_compose_needs_callables():
    with pytest.raises(TypeError, match="functions must be one or more callables"):
        compose()
    with pytest.raises(TypeError, match="functions must be one or more callables"):
        compose(math.sin, 3)


def test_chain_factors_evaluate_each_derivative_at_its_own_input():
    f = (lambda u: u**2, lambda u: 2 * u)
    g = (math.sin, math.cos)
    h = (lambda x: 3 * x, lambda x: 3.0)
    x = 0.4
    factors = chain_factors([f, g, h], x)
    # f'(g(h(x))) = 2 sin(3x), g'(h(x)) = cos(3x), h'(x) = 3
    assert factors == pytest.approx([2 * math.sin(1.2), math.cos(1.2), 3.0], abs=1e-15)


def test_chain_rule_of_two_three_and_four_functions():
    f = (np.sin, np.cos)
    g = (np.exp, np.exp)
    h = (np.square, lambda u: 2 * u)
    j = (lambda x: 3 * x, lambda x: 3.0)
    x = 0.2
    # Written out by hand: d/dx sin(e^{(3x)^2}) = cos(e^{9x²}) e^{9x²} 18x, etc.
    assert chain_rule(f, g)(x) == pytest.approx(math.cos(math.exp(x)) * math.exp(x), rel=1e-15)
    assert chain_rule(f, g, h)(x) == pytest.approx(
        math.cos(math.exp(x**2)) * math.exp(x**2) * 2 * x, rel=1e-14
    )
    e = math.exp(9 * x**2)
    assert chain_rule(f, g, h, j)(x) == pytest.approx(math.cos(e) * e * 18 * x, rel=1e-14)


def test_chain_rule_works_elementwise_on_arrays():
    x = np.linspace(-1.0, 1.0, 5)
    slope = chain_rule((np.tanh, lambda u: 1 - np.tanh(u) ** 2), (np.square, lambda u: 2 * u))(x)
    np.testing.assert_allclose(slope, (1 - np.tanh(x**2) ** 2) * 2 * x, rtol=1e-15)


@pytest.mark.parametrize(
    ("pairs", "error", "message"),
    [
        ([], ValueError, r"pairs must hold at least one \(function, derivative\) pair"),
        ([math.sin], TypeError, r"pairs\[0\] must be a \(function, derivative\) tuple; got"),
        ([(math.sin, math.cos, math.tan)], TypeError, r"pairs\[0\] must be a"),
        ([(math.sin, math.cos), (math.exp, 2.0)], TypeError, r"pairs\[1\] must hold two callables"),
    ],
)
def test_chain_rule_rejects_malformed_pairs(pairs, error, message):
    with pytest.raises(error, match=message):
        chain_rule(*pairs)
    with pytest.raises(error, match=message):
        chain_factors(pairs, 1.0)


# Functions with their derivatives, written independently of dlmath.
_FUNCTIONS = {
    "sin": (np.sin, np.cos),
    "tanh": (np.tanh, lambda u: 1.0 - np.tanh(u) ** 2),
    "cube": (lambda u: u**3 / 4, lambda u: 0.75 * u**2),  # maps [-2, 2] into itself
    "affine": (lambda u: 0.7 * u - 0.3, lambda u: 0.7),
    "sigmoid": (lambda u: 1.0 / (1.0 + np.exp(-u)), lambda u: np.exp(-u) / (1.0 + np.exp(-u)) ** 2),
}


@given(st.lists(st.sampled_from(sorted(_FUNCTIONS)), min_size=1, max_size=4), moderate)
def test_chain_rule_matches_central_differences(names, x):
    pairs = [_FUNCTIONS[name] for name in names]
    exact = chain_rule(*pairs)(x)
    numeric = derivative(compose(*(f for f, _ in pairs)), x, h=1e-6)
    assert float(exact) == pytest.approx(numeric, rel=1e-6, abs=1e-7)


@given(arrays(np.float64, st.integers(1, 5), elements=moderate))
def test_gradient_of_a_quadratic_form_is_exact_to_rounding(x):
    # f(x) = Σ c_i x_i² + x_0 x_{-1}: central differences are exact for quadratics.
    c = np.arange(1.0, x.size + 1.0)
    expected = 2 * c * x
    expected[0] += x[-1]
    expected[-1] += x[0]
    np.testing.assert_allclose(
        gradient(lambda p: float(np.sum(c * p**2) + p[0] * p[-1]), x), expected, atol=1e-8
    )
