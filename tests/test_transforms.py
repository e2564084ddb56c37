"""Tests of dlmath.transforms: the slides' square, moved, scaled, rotated."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlmath.transforms import (
    UNIT_SQUARE,
    affine,
    affine_matrix,
    homogeneous,
    rotate,
    rotation_matrix,
    scale,
    scaling_matrix,
    translate,
)

# The slides' matrix X (2 × 6), written out independently of the module's constant.
SLIDES_SQUARE = [[0, 0, 1, 1, 0, 0], [0, 1, 1, 0, 0, 1]]

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
angles = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)


def points(max_columns=8):
    return st.integers(1, max_columns).flatmap(
        lambda n: arrays(np.float64, (2, n), elements=finite)
    )


def matrices(rows, cols):
    return arrays(np.float64, (rows, cols), elements=st.floats(-10, 10, allow_nan=False))


# --- the unit square ------------------------------------------------------------------


def test_unit_square_is_the_slides_matrix_and_read_only():
    np.testing.assert_array_equal(UNIT_SQUARE, SLIDES_SQUARE)
    assert UNIT_SQUARE.shape == (2, 6)
    with pytest.raises(ValueError, match="read-only"):
        UNIT_SQUARE[0, 0] = 1.0


# --- the slides' numbers ----------------------------------------------------------------


def test_translate_the_square_by_0_2_adds_0_2_to_every_element():
    moved = translate(UNIT_SQUARE, 0.2)
    np.testing.assert_allclose(moved, np.array(SLIDES_SQUARE) + 0.2, rtol=0, atol=1e-15)
    # Each corner moves by the vector (0.2, 0.2).
    np.testing.assert_allclose(moved[:, 2], [1.2, 1.2])


def test_translate_by_a_vector_moves_each_coordinate_separately():
    moved = translate(SLIDES_SQUARE, [1.0, -2.0])
    np.testing.assert_array_equal(moved[0], np.array(SLIDES_SQUARE[0]) + 1.0)
    np.testing.assert_array_equal(moved[1], np.array(SLIDES_SQUARE[1]) - 2.0)
    np.testing.assert_array_equal(translate(SLIDES_SQUARE, [[1.0], [-2.0]]), moved)


def test_scale_the_square_by_50_percent_halves_every_coordinate():
    np.testing.assert_array_equal(scaling_matrix(0.5), [[0.5, 0.0], [0.0, 0.5]])
    np.testing.assert_array_equal(scale(UNIT_SQUARE, 0.5), np.array(SLIDES_SQUARE) / 2)


def test_scale_by_different_factors_along_x_and_y():
    np.testing.assert_array_equal(scaling_matrix(2.0, 3.0), [[2.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(scale([[1.0], [1.0]], 2.0, 3.0), [[2.0], [3.0]])


def test_rotation_matrix_is_the_slides_matrix():
    c, s = math.cos(0.175), math.sin(0.175)
    np.testing.assert_allclose(rotation_matrix(0.175), [[c, -s], [s, c]], rtol=0, atol=1e-16)


def test_rotation_by_0_175_turns_counter_clockwise_by_about_10_degrees():
    # The slides call this a rotation by "negative 10 degrees"; it is +10.03°,
    # counter-clockwise: the corner (1, 0) moves *up*.
    rotated = rotate(UNIT_SQUARE, 0.175)
    corner = rotated[:, 3]  # the image of (1, 0)
    assert corner[1] > 0
    assert math.degrees(math.atan2(corner[1], corner[0])) == pytest.approx(10.027, abs=1e-3)
    np.testing.assert_allclose(corner, [math.cos(0.175), math.sin(0.175)], atol=1e-15)
    # (0, 1) moves left.
    np.testing.assert_allclose(rotated[:, 1], [-math.sin(0.175), math.cos(0.175)], atol=1e-15)


def test_rotation_by_a_quarter_turn_maps_the_axes_onto_each_other():
    np.testing.assert_allclose(
        rotate([[1.0, 0.0], [0.0, 1.0]], math.pi / 2), [[0, -1], [1, 0]], atol=1e-15
    )


def test_affine_of_the_slides_rotates_then_translates():
    c, s = math.cos(0.175), math.sin(0.175)
    corners = list(zip(*SLIDES_SQUARE, strict=True))
    expected = np.array(
        [[c * x - s * y + 0.2 for x, y in corners], [s * x + c * y + 0.2 for x, y in corners]]
    )
    np.testing.assert_allclose(
        affine(UNIT_SQUARE, rotation_matrix(0.175), 0.2), expected, atol=1e-15
    )


def test_affine_maps_between_dimensions():
    A = np.array([[1.0, 2.0, 3.0]])  # 3 inputs -> 1 output, like a layer
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(affine(X, A, [0.5]), [[4.5, 5.5]])
    assert affine_matrix(A, 0.5).shape == (2, 4)


def test_affine_matrix_has_the_block_form():
    A, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([5.0, 6.0])
    np.testing.assert_array_equal(affine_matrix(A, b), [[1, 2, 5], [3, 4, 6], [0, 0, 1]])
    np.testing.assert_array_equal(affine_matrix(A, 0.2)[:2, 2], [0.2, 0.2])


def test_homogeneous_appends_a_row_of_ones():
    np.testing.assert_array_equal(
        homogeneous(SLIDES_SQUARE), np.vstack([SLIDES_SQUARE, np.ones(6)])
    )


# --- inputs are never modified ------------------------------------------------------------


def test_transforms_return_new_arrays_and_leave_inputs_alone():
    X = np.array([[0.1, 0.5, -0.3], [0.2, -0.4, 0.9]])
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.5], [-0.5]])
    saved = X.copy(), A.copy(), b.copy()
    results = [
        translate(X, b),
        scale(X, 2.0),
        rotate(X, 0.3),
        affine(X, A, b),
        affine_matrix(A, b),
        homogeneous(X),
    ]
    for kept, now in zip(saved, (X, A, b), strict=True):
        np.testing.assert_array_equal(kept, now)
    for result in results:
        assert not np.shares_memory(result, X)
        assert not np.shares_memory(result, A)


def test_transforms_accept_integer_lists():
    np.testing.assert_array_equal(translate([[0, 1], [2, 3]], 1), [[1.0, 2.0], [3.0, 4.0]])
    assert translate([[0, 1], [2, 3]], 1).dtype == np.float64


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda X: translate(X, 0.2),
        lambda X: scale(X, 0.5),
        lambda X: rotate(X, 0.175),
    ],
)
def test_plane_transforms_need_two_rows(call):
    with pytest.raises(ValueError, match=r"X must have 2 rows; got an array of shape \(3, 4\)"):
        call(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"X must be a 2-D array; got shape \(2,\)"):
        call(np.zeros(2))
    with pytest.raises(ValueError, match="X must hold finite numbers; got 1 NaN"):
        call([[0.0, np.nan], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(2, 0\)"):
        call(np.zeros((2, 0)))
    with pytest.raises(TypeError, match="X must hold real numbers"):
        call([["a", "b"], ["c", "d"]])


def test_translate_rejects_a_vector_of_the_wrong_size():
    message = r"t must be a scalar or a vector of shape \(2,\) or \(2, 1\); got shape \(3,\)"
    with pytest.raises(ValueError, match=message):
        translate(UNIT_SQUARE, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"got shape \(1, 2\)"):
        translate(UNIT_SQUARE, [[1.0, 2.0]])
    with pytest.raises(ValueError, match="t must hold finite numbers"):
        translate(UNIT_SQUARE, np.inf)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: scaling_matrix("2"), TypeError, "sx must be a real number; got '2'"),
        (lambda: scaling_matrix(1.0, np.nan), ValueError, "sy must be finite; got nan"),
        (lambda: rotation_matrix(None), TypeError, "theta must be a real number; got None"),
        (lambda: rotation_matrix(np.inf), ValueError, "theta must be finite; got inf"),
        (
            lambda: rotate(UNIT_SQUARE, [0.1]),
            TypeError,
            r"theta must be a real number; got \[0.1\]",
        ),
    ],
)
def test_scalar_arguments_are_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_affine_checks_the_shapes_of_a_and_b():
    message = r"A must have as many columns as X has rows \(2\); got A of shape \(2, 3\)"
    with pytest.raises(ValueError, match=message):
        affine(UNIT_SQUARE, np.ones((2, 3)), 0.0)
    with pytest.raises(ValueError, match=r"A must be a 2-D array; got shape \(2,\)"):
        affine(UNIT_SQUARE, np.ones(2), 0.0)
    with pytest.raises(ValueError, match=r"b must be a scalar or a vector of shape \(3,\)"):
        affine(UNIT_SQUARE, np.ones((3, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"b must be a scalar or a vector of shape \(2,\)"):
        affine_matrix(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"X must be a 2-D array; got shape \(\)"):
        homogeneous(1.0)


# --- properties -----------------------------------------------------------------------------


@given(points(), angles)
def test_rotation_preserves_lengths(X, theta):
    rotated = rotate(X, theta)
    np.testing.assert_allclose(
        np.linalg.norm(rotated, axis=0), np.linalg.norm(X, axis=0), rtol=1e-12, atol=1e-9
    )


@given(points(), angles, angles)
def test_rotations_compose_by_adding_angles(X, alpha, beta):
    np.testing.assert_allclose(rotate(rotate(X, alpha), beta), rotate(X, alpha + beta), atol=1e-9)
    np.testing.assert_allclose(
        rotation_matrix(beta) @ rotation_matrix(alpha), rotation_matrix(alpha + beta), atol=1e-13
    )


@given(angles)
def test_rotation_matrix_is_orthogonal_with_determinant_one(theta):
    R = rotation_matrix(theta)
    np.testing.assert_allclose(R.T @ R, np.eye(2), atol=1e-15)
    assert np.linalg.det(R) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(rotation_matrix(-theta), R.T, atol=0)


@given(points(), matrices(2, 2), matrices(2, 1), matrices(3, 2), matrices(3, 1))
def test_affine_maps_compose(X, A1, b1, A2, b2):
    twice = affine(affine(X, A1, b1), A2, b2)
    once = affine(X, A2 @ A1, A2 @ b1 + b2)
    np.testing.assert_allclose(twice, once, rtol=1e-9, atol=1e-7)
    # In homogeneous coordinates, composing maps is multiplying their matrices.
    M = affine_matrix(A2, b2) @ affine_matrix(A1, b1)
    np.testing.assert_allclose(M, affine_matrix(A2 @ A1, A2 @ b1 + b2), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((M @ homogeneous(X))[:3], once, rtol=1e-9, atol=1e-7)
    np.testing.assert_array_equal((M @ homogeneous(X))[3], np.ones(X.shape[1]))


@given(points(), finite, finite)
def test_translations_compose_by_adding_and_undo_by_subtracting(X, s, t):
    np.testing.assert_allclose(translate(translate(X, s), t), translate(X, s + t), atol=1e-9)
    np.testing.assert_allclose(translate(translate(X, t), -t), X, atol=1e-9)


@given(points(), st.floats(0.01, 100), st.floats(0.01, 100))
def test_scaling_is_undone_by_the_inverse_factors(X, sx, sy):
    np.testing.assert_allclose(scale(scale(X, sx, sy), 1 / sx, 1 / sy), X, rtol=1e-12, atol=1e-12)
