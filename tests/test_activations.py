"""Tests of dlmath.activations: each activation, its derivative and its backward pass."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlmath.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    linear,
    linear_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_grad,
)
from dlmath.derivatives import derivative

ELEMENTWISE = {
    "linear": (linear, linear_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
}

# Written out independently: the textbook definitions.
REFERENCE = {
    "linear": lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1),
}

Z = np.array([[-3.0, -0.5, 0.0, 0.25], [1.5, -1e-3, 2.0, -2.0], [0.1, 3.0, -0.2, 0.7]])


def columns_of_scores(max_rows=5, max_cols=4, bound=1e3):
    shape = st.tuples(st.integers(1, max_rows), st.integers(1, max_cols))
    return shape.flatmap(
        lambda s: arrays(np.float64, s, elements=st.floats(-bound, bound, allow_nan=False))
    )


# --- the slides' ReLU ---------------------------------------------------------------------


def test_relu_replaces_negative_values_with_zero():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(relu(z), [[0.0, 0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(relu_grad(z), [[0.0, 0.0, 0.0, 1.0, 1.0]])


# --- each elementwise activation -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_matches_its_textbook_formula(name):
    function, _ = ELEMENTWISE[name]
    np.testing.assert_allclose(function(Z), REFERENCE[name](Z), rtol=1e-15, atol=1e-16)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_derivative_matches_central_differences(name):
    _, grad = ELEMENTWISE[name]
    z = np.where(Z == 0.0, 0.3, Z)  # away from ReLU's kink
    np.testing.assert_allclose(grad(z), derivative(REFERENCE[name], z, h=1e-6), atol=1e-9)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_returns_a_new_array_and_leaves_its_input_alone(name):
    function, grad = ELEMENTWISE[name]
    z = Z.copy()
    for result in (function(z), grad(z)):
        assert result.shape == z.shape
        assert not np.shares_memory(result, z)
    np.testing.assert_array_equal(z, Z)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_writes_into_out_when_given(name):
    function, _ = ELEMENTWISE[name]
    out = np.empty_like(Z)
    assert function(Z, out=out) is out
    np.testing.assert_allclose(out, REFERENCE[name](Z), rtol=1e-15, atol=1e-16)
    z = Z.copy()
    assert function(z, out=z) is z  # in place
    np.testing.assert_allclose(z, REFERENCE[name](Z), rtol=1e-15, atol=1e-16)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_keeps_float32(name):
    function, grad = ELEMENTWISE[name]
    z = Z.astype(np.float32)
    assert function(z).dtype == np.float32
    assert grad(z).dtype == np.float32


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_accepts_lists_any_shape_and_empty_arrays(name):
    function, grad = ELEMENTWISE[name]
    assert function([0.5, -0.5]).dtype == np.float64
    assert function(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    assert function(np.zeros((3, 0))).shape == (3, 0)
    assert grad(np.zeros((3, 0))).shape == (3, 0)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_rejects_bad_input(name):
    function, grad = ELEMENTWISE[name]
    for call in (function, grad):
        with pytest.raises(ValueError, match="z must hold finite numbers; got 1 NaN"):
            call([0.0, np.nan])
        with pytest.raises(TypeError, match="z must hold real numbers; got an array of dtype"):
            call(["a"])


@pytest.mark.parametrize("name", [*sorted(ELEMENTWISE), "softmax"])
def test_out_must_have_the_shape_of_the_result(name):
    function = softmax if name == "softmax" else ELEMENTWISE[name][0]
    message = r"out must be an array of shape \(3, 4\); got shape \(4, 3\)"
    with pytest.raises(ValueError, match=message):
        function(Z, out=np.empty((4, 3)))
    with pytest.raises(ValueError, match=r"out must be an array of shape \(3, 4\); got shape \(\)"):
        function(Z, out=0.0)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_scalars_give_zero_dimensional_arrays(name):
    function, grad = ELEMENTWISE[name]
    for z in (0.7, np.float32(-0.7), np.array(2.0)):
        for result in (function(z), grad(z)):
            assert isinstance(result, np.ndarray)
            assert result.shape == ()
        assert float(function(z)) == pytest.approx(float(REFERENCE[name](np.float64(z))), rel=1e-7)


def test_sigmoid_and_tanh_saturate_without_overflow():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sigmoid([-1000.0, 0.0, 1000.0]), [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(tanh([-1000.0, 1000.0]), [-1.0, 1.0])
        np.testing.assert_array_equal(sigmoid_grad([-1000.0, 1000.0]), [0.0, 0.0])
    assert float(sigmoid_grad([0.0])[0]) == 0.25
    assert float(tanh_grad([0.0])[0]) == 1.0


def test_relu_derivative_at_the_kink_is_zero():
    assert relu_grad([0.0]).tolist() == [0.0]
    assert relu_grad([-0.0]).tolist() == [0.0]


# --- softmax ------------------------------------------------------------------------------------


def test_softmax_of_a_column_is_exp_over_the_sum():
    z = np.array([0.0, 1.0, 2.0])
    expected = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-15)
    np.testing.assert_allclose(softmax(z.reshape(3, 1)), expected.reshape(3, 1), rtol=1e-15)


def test_softmax_normalises_each_column_not_each_row():
    z = np.array([[1.0, 0.0], [1.0, math.log(3.0)]])
    np.testing.assert_allclose(softmax(z), [[0.5, 0.25], [0.5, 0.75]], rtol=1e-15)


def test_softmax_of_huge_scores_does_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_array_equal(
            softmax([[1000.0, -1000.0], [1000.0, 0.0]]), [[0.5, 0.0], [0.5, 1.0]]
        )
    # A column spanning the whole float range.
    np.testing.assert_array_equal(softmax([[1e308], [-1e308]]), [[1.0], [0.0]])


def test_softmax_leaves_its_input_alone_and_writes_into_out():
    z = Z.copy()
    result = softmax(z)
    np.testing.assert_array_equal(z, Z)
    assert not np.shares_memory(result, z)
    assert softmax(z, out=z) is z
    np.testing.assert_allclose(z, result, rtol=1e-15)


def test_softmax_rejects_bad_shapes_and_values():
    with pytest.raises(ValueError, match=r"z must be a 1-D or 2-D array; got shape \(\)"):
        softmax(1.0)
    with pytest.raises(ValueError, match=r"z must be a 1-D or 2-D array; got shape \(2, 2, 2\)"):
        softmax(np.zeros((2, 2, 2)))
    with pytest.raises(
        ValueError, match=r"z must have at least one class \(row\); got shape \(0, 3\)"
    ):
        softmax(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="z must hold finite numbers; got 1 NaN"):
        softmax([[0.0], [np.inf]])


def test_softmax_jacobian_matches_central_differences():
    z = np.array([0.3, -1.2, 2.0, 0.0])
    h, steps = 1e-6, 1e-6 * np.eye(4)
    # Column j is ∂s/∂z_j.
    numeric = np.column_stack([(softmax(z + e) - softmax(z - e)) / (2 * h) for e in steps])
    np.testing.assert_allclose(softmax_jacobian(z), numeric, atol=1e-9)


def test_softmax_jacobian_formula_and_shape_check():
    s = softmax([1.0, 2.0])
    expected = [[s[0] * (1 - s[0]), -s[0] * s[1]], [-s[1] * s[0], s[1] * (1 - s[1])]]
    np.testing.assert_allclose(softmax_jacobian([1.0, 2.0]), expected, rtol=1e-15)
    with pytest.raises(ValueError, match=r"z must be a 1-D array; got shape \(2, 1\)"):
        softmax_jacobian([[1.0], [2.0]])


@given(columns_of_scores())
def test_softmax_columns_are_probabilities(z):
    p = softmax(z)
    assert np.all(p >= 0)
    assert np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)
    # The largest score gets the largest probability.
    np.testing.assert_array_equal(p[z.argmax(axis=0), range(z.shape[1])], p.max(axis=0))


@given(columns_of_scores(bound=1e300))
def test_softmax_of_any_finite_scores_is_a_distribution(z):
    p = softmax(z)
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)


@given(
    columns_of_scores(bound=50.0),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=4, max_size=4),
)
def test_softmax_is_invariant_to_adding_a_constant_to_a_column(z, constants):
    c = np.array(constants[: z.shape[1]])
    shifted = z + c
    # z + c is rounded to the spacing of c; the probabilities move by about that much.
    tolerance = 1e-12 + 4 * 50 * np.spacing(np.abs(c).max())
    np.testing.assert_allclose(softmax(shifted), softmax(z), rtol=0, atol=tolerance)


@given(columns_of_scores(max_rows=4, bound=1e4), st.integers(0, 2**32 - 1))
def test_softmax_backward_is_the_jacobian_transpose_product(z, seed):
    upstream = np.random.default_rng(seed).normal(size=z.shape)
    expected = np.column_stack(
        [softmax_jacobian(z[:, i]).T @ upstream[:, i] for i in range(z.shape[1])]
    )
    result = ACTIVATIONS["softmax"].backward(z, upstream)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


# --- the table used by the layers -----------------------------------------------------------------


def test_the_table_holds_every_activation_by_name():
    assert set(ACTIVATIONS) == {"linear", "relu", "sigmoid", "tanh", "softmax"}
    for name, activation in ACTIVATIONS.items():
        assert isinstance(activation, Activation)
        assert activation.name == name
    assert ACTIVATIONS["softmax"].grad is None


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_table_forward_and_backward_match_the_public_functions(name):
    function, grad = ELEMENTWISE[name]
    entry = ACTIVATIONS[name]
    a = entry.forward(Z.copy())
    np.testing.assert_array_equal(a, function(Z))
    upstream = np.random.default_rng(0).normal(size=Z.shape)
    saved = upstream.copy(), Z.copy()
    dz = entry.backward(Z, upstream)  # the chain rule: ϱ'(z) ⊙ upstream
    np.testing.assert_array_equal(dz, upstream * grad(Z))
    np.testing.assert_array_equal(upstream, saved[0])  # inputs untouched
    np.testing.assert_array_equal(Z, saved[1])


def test_get_activation_by_name_and_none():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    assert get_activation(None) is ACTIVATIONS["linear"]


@pytest.mark.parametrize("name", ["Relu", "gelu", "", 3, relu])
def test_get_activation_rejects_unknown_names(name):
    message = r"activation name must be None or one of 'linear', 'relu', .*'softmax'; got"
    with pytest.raises((ValueError, TypeError), match=message):
        get_activation(name)


# --- Keras --------------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("name", ["linear", "relu", "sigmoid", "tanh", "softmax"])
def test_activation_matches_keras_in_float32(keras, name):
    z = np.random.default_rng(1).normal(scale=4.0, size=(5, 7)).astype(np.float32)
    z[0, :3] = [0.0, 30.0, -30.0]
    ours = {"softmax": softmax, **{k: f for k, (f, _) in ELEMENTWISE.items()}}[name](z)
    # Keras: one example per row, and softmax along the last axis.
    theirs = keras.ops.convert_to_numpy(keras.activations.get(name)(z.T)).T
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=2e-7)
