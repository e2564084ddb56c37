"""Tests of dlmath.backprop: the slides' backward pass, and gradients checked numerically."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dlmath.backprop import gradient_check, linear_gradients, numerical_gradient, train_linear
from dlmath.derivatives import gradient
from dlmath.layers import Dense, Sequential
from dlmath.losses import (
    LOSSES,
    Loss,
    categorical_crossentropy_grad,
    mse,
    mse_grad,
    one_hot,
    register_loss,
)

# The slides' data and starting point.
X_SLIDES = [0.1, 0.3, 0.6, 0.7]
Y_SLIDES = [0.2, 0.25, 0.4, 0.7]

ACTIVATION_NAMES = ["linear", "relu", "sigmoid", "tanh", "softmax"]
LOSS_NAMES = ["mse", "sparse_categorical_crossentropy", "categorical_crossentropy"]


def line_mse(x, y, w, b):
    x, y = np.asarray(x), np.asarray(y)
    return float(np.mean((y - (w * x + b)) ** 2))


# --- the one-feature model of the slides ----------------------------------------------------------


def test_linear_gradients_at_the_slides_starting_point():
    # Residuals y - 0.5x = (0.15, 0.1, 0.1, 0.35); de/dw = -(2/4) Σ x r, de/db = -(2/4) Σ r.
    de_dw, de_db = linear_gradients(X_SLIDES, Y_SLIDES, w=0.5, b=0.0)
    assert de_dw == pytest.approx(-0.5 * (0.015 + 0.03 + 0.06 + 0.245), rel=1e-14)
    assert de_db == pytest.approx(-0.5 * 0.7, rel=1e-14)
    assert type(de_dw) is float
    assert type(de_db) is float


@pytest.mark.parametrize(("w", "b"), [(0.5, 0.0), (-1.0, 2.0), (0.7308, 0.0769)])
def test_linear_gradients_match_central_differences(w, b):
    numeric = gradient(lambda p: line_mse(X_SLIDES, Y_SLIDES, p[0], p[1]), np.array([w, b]))
    np.testing.assert_allclose(linear_gradients(X_SLIDES, Y_SLIDES, w, b), numeric, atol=1e-10)


def test_linear_gradients_accept_rows():
    flat = linear_gradients(X_SLIDES, Y_SLIDES, 0.5, 0.0)
    assert linear_gradients([X_SLIDES], [Y_SLIDES], 0.5, 0.0) == pytest.approx(flat, rel=1e-15)


def test_train_linear_starts_with_the_slides_loss_and_takes_the_slides_steps():
    fit = train_linear(X_SLIDES, Y_SLIDES, learning_rate=0.1, epochs=3)
    assert set(fit) == {"w", "b", "loss"}
    assert all(len(values) == 4 for values in fit.values())
    assert fit["loss"][0] == pytest.approx(0.04125, rel=1e-14)
    assert (fit["w"][0], fit["b"][0]) == (0.5, 0.0)
    # w_u = w - α de/dw, b_u = b - α de/db
    assert fit["w"][1] == pytest.approx(0.5 + 0.1 * 0.175, rel=1e-14)
    assert fit["b"][1] == pytest.approx(0.0 + 0.1 * 0.35, rel=1e-14)
    for k in range(4):
        assert fit["loss"][k] == pytest.approx(
            line_mse(X_SLIDES, Y_SLIDES, fit["w"][k], fit["b"][k]), rel=1e-14
        )


def test_train_linear_walks_down_to_the_least_squares_line():
    fit = train_linear(X_SLIDES, Y_SLIDES, learning_rate=0.5, epochs=3000)
    slope, intercept = np.polyfit(X_SLIDES, Y_SLIDES, 1)
    assert fit["w"][-1] == pytest.approx(slope, abs=1e-8)
    assert fit["b"][-1] == pytest.approx(intercept, abs=1e-8)
    assert np.all(np.diff(fit["loss"]) <= 1e-16)  # a small enough step never goes uphill


def test_train_linear_leaves_its_inputs_alone():
    x, y = np.array(X_SLIDES), np.array(Y_SLIDES)
    train_linear(x, y, epochs=2)
    linear_gradients(x, y, 0.5, 0.0)
    np.testing.assert_array_equal(x, X_SLIDES)
    np.testing.assert_array_equal(y, Y_SLIDES)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"learning_rate": 0.0}, ValueError, r"learning_rate must be positive; got 0\.0"),
        ({"learning_rate": -0.1}, ValueError, r"learning_rate must be positive; got -0\.1"),
        ({"learning_rate": np.nan}, ValueError, "learning_rate must be finite; got nan"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1; got 0"),
        ({"epochs": 10.0}, TypeError, r"epochs must be an integer; got 10\.0"),
        ({"w": "0.5"}, TypeError, "w must be a real number; got '0.5'"),
        ({"b": np.inf}, ValueError, "b must be finite; got inf"),
        (
            {"x": X_SLIDES[:3]},
            ValueError,
            "x and y must hold the same number of values; got 3 and 4",
        ),
        ({"x": [[0.1], [0.3]]}, ValueError, "x and y must hold the same number of values"),
        ({"y": [0.2, np.nan, 0.4, 0.7]}, ValueError, "y must hold finite numbers; got 1 NaN"),
        ({"x": []}, ValueError, r"x must not be empty; got shape \(0,\)"),
        ({"x": np.zeros((1, 2, 2))}, ValueError, r"x must be a 1-D or 2-D array; got shape"),
    ],
)
def test_train_linear_rejects_bad_arguments(kwargs, error, message):
    arguments = {"x": X_SLIDES, "y": Y_SLIDES, **kwargs}
    with pytest.raises(error, match=message):
        train_linear(**arguments)


def test_linear_gradients_rejects_bad_arguments():
    with pytest.raises(TypeError, match="w must be a real number; got None"):
        linear_gradients(X_SLIDES, Y_SLIDES, None, 0.0)
    with pytest.raises(
        ValueError, match="x and y must hold the same number of values; got 4 and 2"
    ):
        linear_gradients(X_SLIDES, Y_SLIDES[:2], 0.5, 0.0)


# --- numerical gradients of whole networks ----------------------------------------------------


def test_numerical_gradient_of_the_slides_model():
    model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
    dW, dB = numerical_gradient(model, [X_SLIDES], Y_SLIDES, loss="mse")
    assert dW.shape == (1, 1)
    assert dB.shape == (1, 1)
    assert dW[0, 0] == pytest.approx(-0.175, abs=1e-9)
    assert dB[0, 0] == pytest.approx(-0.35, abs=1e-9)


def test_numerical_gradient_restores_every_parameter_exactly():
    model = Sequential([Dense(3, 4, "tanh", rng=0), Dense(4, 3, "softmax", rng=1)])
    saved = [p.copy() for p in model.parameters()]
    X = np.random.default_rng(0).normal(size=(3, 5))
    numerical_gradient(model, X, [0, 1, 2, 1, 0])
    for now, before in zip(model.parameters(), saved, strict=True):
        np.testing.assert_array_equal(now, before)


def test_numerical_gradient_rejects_bad_arguments():
    model = Sequential([Dense(2, 1, rng=0)])
    with pytest.raises(TypeError, match="model must be a dlmath Sequential model; got"):
        numerical_gradient(Dense(2, 1), np.ones((2, 3)), np.ones(3), loss="mse")
    with pytest.raises(ValueError, match=r"h must be positive; got 0\.0"):
        numerical_gradient(model, np.ones((2, 3)), np.ones(3), loss="mse", h=0.0)
    with pytest.raises(ValueError, match=r"X must have 2 rows .*; got shape \(3, 3\)"):
        numerical_gradient(model, np.ones((3, 3)), np.ones(3), loss="mse")


def test_gradient_check_detects_a_wrong_gradient():
    model = Sequential([Dense(3, 4, "tanh", rng=0), Dense(4, 3, "softmax", rng=1)])
    X, y = np.random.default_rng(2).normal(size=(3, 5)), np.array([0, 1, 2, 1, 0])
    assert gradient_check(model, X, y) < 1e-7
    right = model.compute_gradients

    def wrong(*args, **kwargs):  # twice the true gradient
        loss, grads = right(*args, **kwargs)
        return loss, [2 * g for g in grads]

    model.compute_gradients = wrong
    assert gradient_check(model, X, y) == pytest.approx(1 / 3, rel=1e-4)  # |2g - g| / (|2g| + |g|)


# --- properties: backpropagation against finite differences -----------------------------------


@st.composite
def networks(draw, losses=LOSS_NAMES):
    """A small float64 network, its data and its loss (avoiding ReLU's kinks)."""
    loss = draw(st.sampled_from(losses))
    depth = draw(st.integers(2, 4))
    widths = draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1))
    activations = draw(st.lists(st.sampled_from(ACTIVATION_NAMES), min_size=depth, max_size=depth))
    if loss != "mse":  # a classifier: a softmax over at least two classes
        activations[-1] = "softmax"
        widths[-1] = max(widths[-1], 2)
    n = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers = [Dense(widths[k], widths[k + 1], name, rng=rng) for k, name in enumerate(activations)]
    for layer in layers:
        layer.B = rng.normal(scale=0.5, size=layer.n_out)
    model = Sequential(layers)
    X = rng.normal(size=(widths[0], n))
    labels = rng.integers(0, widths[-1], size=n)
    targets = {
        "mse": rng.normal(size=(widths[-1], n)),
        "sparse_categorical_crossentropy": labels,
        "categorical_crossentropy": one_hot(labels, widths[-1]),
    }[loss]
    # Keep every ReLU's pre-activations away from 0, where it has no derivative.
    A = X
    for layer in layers:
        Z = layer.W @ A + layer.B
        if layer.activation == "relu":
            assume(np.abs(Z).min() > 1e-4)
        A = _activate(layer.activation, Z)
    return model, X, targets, loss


def _activate(name, Z):
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    if name == "tanh":
        return np.tanh(Z)
    if name == "softmax":
        E = np.exp(Z - Z.max(axis=0))
        return E / E.sum(axis=0)
    return Z


@given(networks())
def test_backpropagation_matches_finite_differences(case):
    model, X, y, loss = case
    _, analytic = model.compute_gradients(X, y, loss=loss)
    numeric = numerical_gradient(model, X, y, loss=loss, h=1e-5)
    for k, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        scale = np.linalg.norm(a) + np.linalg.norm(n)
        error = np.linalg.norm(a - n)
        if scale > 1e-3:
            assert error / scale < 1e-6, f"parameter array {k}: relative error {error / scale:.2e}"
        else:
            # Rounding in the differences, about 1e-11 per entry, is too large a part of
            # so small a gradient to resolve it to 1e-6 relative: compare absolutely.
            assert error < 1e-9, f"parameter array {k}: absolute error {error:.2e}"


@given(networks(losses=["sparse_categorical_crossentropy", "categorical_crossentropy"]))
def test_layer_by_layer_backward_equals_the_fused_gradient(case):
    """Sequential.backward applies the softmax's Jacobian; compute_gradients fuses it."""
    model, X, y, loss = case
    labels = y if y.ndim == 1 else y.argmax(axis=0)
    _, fused = model.compute_gradients(X, y, loss=loss)
    probs = model.forward(X)
    # Away from the clipping of probabilities, the two losses are the same function.
    assume(probs[labels, np.arange(labels.size)].min() > 1e-6)
    model.backward(categorical_crossentropy_grad(one_hot(labels, model.n_out), probs))
    for layered, joint in zip(model.gradients(), fused, strict=True):
        np.testing.assert_allclose(layered, joint, rtol=1e-9, atol=1e-13)


@given(networks(losses=["mse"]))
def test_backward_of_the_mse_gradient_equals_compute_gradients(case):
    model, X, y, _ = case
    _, expected = model.compute_gradients(X, y, loss="mse")
    outputs = model.forward(X)
    model.backward(2 * (outputs - y) / y.size)
    for layered, joint in zip(model.gradients(), expected, strict=True):
        np.testing.assert_allclose(layered, joint, rtol=1e-12, atol=1e-15)


class InterruptingLoss:
    """The mean squared error, until its n-th evaluation raises KeyboardInterrupt."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self, y, y_hat):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        return mse(y, y_hat)


@pytest.mark.parametrize("n", [2, 3, 8])
def test_numerical_gradient_restores_every_parameter_when_interrupted(n):
    loss = InterruptingLoss(n)
    register_loss(Loss("interrupting_mse", loss, mse_grad, targets="values"))
    try:
        model = Sequential([Dense(2, 3, "tanh", rng=0), Dense(3, 1, rng=1)])
        before = [p.copy() for p in model.parameters()]
        X, y = np.ones((2, 4)), np.zeros(4)
        with pytest.raises(KeyboardInterrupt):
            numerical_gradient(model, X, y, loss="interrupting_mse")
        assert loss.calls == n
        for p, saved in zip(model.parameters(), before, strict=True):
            np.testing.assert_array_equal(p, saved)
    finally:
        del LOSSES["interrupting_mse"]


def test_numerical_gradient_refuses_a_step_that_vanishes_beside_the_parameters():
    model = Sequential([Dense.from_weights([[1e12]], [[0.0]])])
    with pytest.raises(ValueError, match=r"h = 1e-06 is too small or too large"):
        numerical_gradient(model, [[1.0]], [0.5], loss="mse")
