"""Tests of dlmath._validation, the argument checks behind every public function."""

import numpy as np
import pytest

from dlmath._validation import (
    as_float_array,
    as_interval,
    as_labels,
    as_rng,
    as_row,
    as_tuple,
    check_callable,
    check_finite,
    check_fraction,
    check_index,
    check_non_negative,
    check_non_negative_int,
    check_positive,
    check_positive_int,
    check_real,
    check_shape,
)

# --- as_float_array -------------------------------------------------------------------


def test_as_float_array_returns_a_float_array_unchanged():
    value = np.array([[1.0, 2.0], [3.0, 4.0]])
    checked = as_float_array(value, "X")
    assert checked is value  # no copy: callers must not write into it


@pytest.mark.parametrize("value", [[1, 2, 3], np.array([1, 2, 3]), np.array([True, False])])
def test_as_float_array_converts_integers_and_booleans_to_float64(value):
    checked = as_float_array(value, "X")
    assert checked.dtype == np.float64
    np.testing.assert_array_equal(checked, np.asarray(value, dtype=np.float64))


def test_as_float_array_keeps_float32_and_casts_on_request():
    value = np.array([1.5, 2.5], np.float32)
    assert as_float_array(value, "X").dtype == np.float32
    assert as_float_array(value, "X", dtype=np.float64).dtype == np.float64
    assert as_float_array([1, 2], "X", dtype=np.float32).dtype == np.float32


def test_as_float_array_does_not_modify_its_input():
    value = np.array([[1, 2], [3, 4]])
    copy = value.copy()
    as_float_array(value, "X", dtype=np.float32)
    np.testing.assert_array_equal(value, copy)
    assert value.dtype == copy.dtype


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a", "b"], "X must hold real numbers; got an array of dtype <U1"),
        (np.array([1 + 2j]), "X must hold real numbers; got an array of dtype complex128"),
        ([[1.0, 2.0], [3.0]], "X must be array-like numbers"),
        (object(), "X must hold real numbers"),
    ],
)
def test_as_float_array_rejects_values_that_are_not_real_numbers(value, message):
    with pytest.raises(TypeError, match=message):
        as_float_array(value, "X")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_as_float_array_rejects_non_finite_values_and_counts_them(bad):
    with pytest.raises(
        ValueError, match=r"X must hold finite numbers; got 1 NaN or infinite value$"
    ):
        as_float_array([1.0, bad], "X")
    with pytest.raises(ValueError, match="got 2 NaN or infinite values"):
        as_float_array([bad, 1.0, bad], "X")


def test_as_float_array_checks_the_number_of_dimensions():
    with pytest.raises(ValueError, match=r"X must be a 2-D array; got shape \(3,\)"):
        as_float_array([1.0, 2.0, 3.0], "X", ndim=2)
    with pytest.raises(ValueError, match=r"X must be a 1-D or 2-D array; got shape \(\)"):
        as_float_array(1.0, "X", ndim=(1, 2))
    assert as_float_array([1.0], "X", ndim=(1, 2)).shape == (1,)


def test_as_float_array_checks_the_number_of_rows():
    with pytest.raises(ValueError, match=r"X must have 2 rows; got an array of shape \(3, 4\)"):
        as_float_array(np.zeros((3, 4)), "X", rows=2)
    with pytest.raises(ValueError, match=r"X must have 2 rows; got an array of shape \(\)"):
        as_float_array(0.0, "X", rows=2)


def test_as_float_array_rejects_empty_arrays_unless_allowed():
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(2, 0\)"):
        as_float_array(np.zeros((2, 0)), "X")
    assert as_float_array(np.zeros((2, 0)), "X", allow_empty=True).shape == (2, 0)


# --- scalars ----------------------------------------------------------------------------


def test_check_finite_accepts_finite_and_names_the_argument_otherwise():
    check_finite(np.array([0.0, -1e308, 1e308]), "grad")
    check_finite(np.array([1e308, 1e308]), "grad")  # finite, though their sum is not
    check_finite(np.full(3, 3e38, np.float32), "grad")
    with pytest.raises(ValueError, match="grad must hold finite numbers; got 1 NaN"):
        check_finite(np.array([0.0, np.nan]), "grad")
    with pytest.raises(ValueError, match="got 2 NaN or infinite values"):
        check_finite(np.array([np.inf, 1.0, -np.inf]), "grad")  # a sum of NaN
    with pytest.raises(ValueError, match=r"got 1 NaN or infinite value$"):
        check_finite(np.array([1e308, 1e308, np.inf], np.float64), "grad")


@pytest.mark.parametrize("value", [3, 2.5, np.float32(1.5), np.int64(-4)])
def test_check_real_returns_a_python_float(value):
    result = check_real(value, "w")
    assert type(result) is float
    assert result == float(value)


@pytest.mark.parametrize("value", [True, "1.0", [1.0], None, 1j])
def test_check_real_rejects_values_of_the_wrong_kind(value):
    with pytest.raises(TypeError, match="w must be a real number; got"):
        check_real(value, "w")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_check_real_rejects_non_finite_numbers(value):
    with pytest.raises(ValueError, match=f"w must be finite; got {value}"):
        check_real(value, "w")


def test_check_positive():
    assert check_positive(0.5, "learning_rate") == 0.5
    for bad in (0, -0.1):
        with pytest.raises(ValueError, match=f"learning_rate must be positive; got {float(bad)}"):
            check_positive(bad, "learning_rate")
    with pytest.raises(TypeError, match="learning_rate must be a real number"):
        check_positive("0.1", "learning_rate")


def test_check_fraction_closed_and_open_at_zero():
    assert check_fraction(0.0, "momentum") == 0.0
    assert check_fraction(0.9, "momentum") == 0.9
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\); got 1.0"):
        check_fraction(1.0, "momentum")
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\); got -0.1"):
        check_fraction(-0.1, "momentum")
    with pytest.raises(ValueError, match=r"rho must lie in \(0, 1\); got 0.0"):
        check_fraction(0.0, "rho", low_open=True)
    assert check_fraction(0.5, "rho", low_open=True) == 0.5


def test_check_positive_int():
    assert check_positive_int(3, "epochs") == 3
    assert type(check_positive_int(np.int64(3), "epochs")) is int
    with pytest.raises(ValueError, match="epochs must be at least 1; got 0"):
        check_positive_int(0, "epochs")
    for bad in (2.0, True, "3", None):
        with pytest.raises(TypeError, match="epochs must be an integer; got"):
            check_positive_int(bad, "epochs")


def test_check_non_negative():
    assert check_non_negative(0, "margin") == 0.0
    assert check_non_negative(2.5, "margin") == 2.5
    with pytest.raises(ValueError, match=r"margin must be non-negative; got -0\.5"):
        check_non_negative(-0.5, "margin")
    with pytest.raises(ValueError, match="margin must be finite"):
        check_non_negative(np.inf, "margin")
    with pytest.raises(TypeError, match="margin must be a real number"):
        check_non_negative(None, "margin")


def test_check_index_accepts_positions_from_0_to_size_minus_1():
    assert check_index(0, "track", 3) == 0
    result = check_index(np.int64(2), "track", 3)
    assert result == 2
    assert type(result) is int
    for bad in (3, -1):
        with pytest.raises(ValueError, match=rf"track must be an index in \[0, 3\); got {bad}"):
            check_index(bad, "track", 3)
    for bad in (1.0, True, "1", None):
        with pytest.raises(TypeError, match="track must be an integer index; got"):
            check_index(bad, "track", 3)


def test_check_callable():
    assert check_callable(abs, "f") is abs
    with pytest.raises(TypeError, match=r"f must be callable; got 3\.0"):
        check_callable(3.0, "f")


def test_check_shape_names_the_argument_and_what_the_shape_comes_from():
    check_shape(np.zeros((2, 3)), "Y", (2, 3))
    with pytest.raises(ValueError, match=r"Y must have shape \(2, 3\); got shape \(3, 2\)"):
        check_shape(np.zeros((3, 2)), "Y", (2, 3))
    with pytest.raises(ValueError, match=r"y must have the shape of x \(4,\); got shape \(3,\)$"):
        check_shape(np.zeros(3), "y", (4,), like="x")


# --- rows, intervals, tuples -------------------------------------------------------------


@pytest.mark.parametrize("value", [[1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]], np.array([[1, 2, 3]])])
def test_as_row_accepts_a_vector_or_a_one_row_matrix(value):
    row = as_row(value, "x")
    assert row.shape == (3,)
    np.testing.assert_array_equal(row, [1.0, 2.0, 3.0])


def test_as_row_rejects_matrices_of_several_rows_and_bad_values():
    with pytest.raises(ValueError, match=r"x must be a row of numbers, .*got shape \(2, 2\)"):
        as_row([[1.0, 2.0], [3.0, 4.0]], "x")
    with pytest.raises(ValueError, match=r"x must be a 1-D or 2-D array; got shape \(\)"):
        as_row(1.0, "x")
    with pytest.raises(ValueError, match="x must hold finite numbers"):
        as_row([1.0, np.nan], "x")
    with pytest.raises(ValueError, match="x must not be empty"):
        as_row([], "x")


def test_as_interval():
    assert as_interval((-1, 2.5), "xlim") == (-1.0, 2.5)
    assert as_interval([0, 1], "xlim") == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"xlim must be \(low, high\) with low < high; got"):
        as_interval((1.0, 1.0), "xlim")
    with pytest.raises(ValueError, match="xlim must be finite"):
        as_interval((0.0, np.inf), "xlim")
    with pytest.raises(TypeError, match=r"xlim must be a tuple \(low, high\); got 1.0"):
        as_interval(1.0, "xlim")


def test_as_tuple():
    assert as_tuple([1, "a"], "mark", 2, form="(x, label)") == (1, "a")
    for bad in ((1, 2, 3), "ab", None, np.array([1, 2])):
        with pytest.raises(TypeError, match=r"mark must be a tuple \(x, label\); got"):
            as_tuple(bad, "mark", 2, form="(x, label)")


def test_check_non_negative_int():
    assert check_non_negative_int(0, "seed") == 0
    assert type(check_non_negative_int(np.uint8(7), "seed")) is int
    with pytest.raises(ValueError, match="seed must be a non-negative integer; got -1"):
        check_non_negative_int(-1, "seed")
    for bad in (2.0, False, "3", None):
        with pytest.raises(TypeError, match="seed must be an integer; got"):
            check_non_negative_int(bad, "seed")


# --- labels -----------------------------------------------------------------------------


def test_as_labels_accepts_integers_and_whole_floats():
    np.testing.assert_array_equal(as_labels([2, 0, 1], "y", n_classes=3), [2, 0, 1])
    labels = as_labels(np.array([1.0, 0.0]), "y", n_classes=2)
    assert labels.dtype == np.intp
    np.testing.assert_array_equal(labels, [1, 0])


def test_as_labels_does_not_modify_its_input():
    value = np.array([1.0, 0.0, 2.0])
    copy = value.copy()
    as_labels(value, "y", n_classes=3)
    np.testing.assert_array_equal(value, copy)


def test_as_labels_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match=r"y must lie in \[0, 3\); got values from 0 to 3"):
        as_labels([0, 3], "y", n_classes=3)
    with pytest.raises(ValueError, match=r"y must lie in \[0, ∞\); got values from -1 to 2"):
        as_labels([-1, 2], "y")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ([[0, 1]], ValueError, r"y must be a 1-D array of class labels; got shape \(1, 2\)"),
        ([], ValueError, "y must not be empty"),
        ([0.5, 1.0], ValueError, r"y must hold whole numbers \(class indices\)"),
        ([np.nan, 1.0], ValueError, r"y must hold whole numbers \(class indices\)"),
        (["a"], TypeError, "y must hold integer class labels; got dtype <U1"),
        ([True, False], TypeError, "y must hold integer class labels; got dtype bool"),
    ],
)
def test_as_labels_rejects_bad_labels(value, error, message):
    with pytest.raises(error, match=message):
        as_labels(value, "y", n_classes=3)


# --- random generators ------------------------------------------------------------------


def test_as_rng_from_a_seed_a_generator_or_none():
    generator = np.random.default_rng(0)
    assert as_rng(generator) is generator
    assert as_rng(5).random() == np.random.default_rng(5).random()
    assert as_rng(np.int64(5)).random() == np.random.default_rng(5).random()
    assert isinstance(as_rng(None), np.random.Generator)


def test_as_rng_rejects_bad_seeds():
    with pytest.raises(ValueError, match="rng must be a non-negative integer seed; got -1"):
        as_rng(-1)
    for bad in (1.5, True, "0", np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng must be None, an integer seed or a numpy"):
            as_rng(bad)
