"""Tests of dlmath.layers: Dense layers and the Sequential model."""

import gc
import math
import re
import warnings

import numpy as np
import pytest

from dlmath.datasets import two_moons
from dlmath.derivatives import gradient
from dlmath.layers import Dense, Sequential, glorot_uniform
from dlmath.losses import one_hot, softmax_crossentropy
from dlmath.optimizers import Adam, GradientDescent, Momentum, RMSprop
from dlmath.transforms import affine

ACTIVATION_NAMES = ["linear", "relu", "sigmoid", "tanh", "softmax"]
ENGINES = ["reference", "fast"]

# Activations written out independently of dlmath (columns are examples).
REFERENCE = {
    "linear": lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z - z.max(0)) / np.exp(z - z.max(0)).sum(0),
}


def small_classifier(seed=0, dtype=np.float64):
    return Sequential(
        [
            Dense(2, 8, "tanh", rng=seed, dtype=dtype),
            Dense(8, 3, "softmax", rng=seed + 1, dtype=dtype),
        ]
    )


def classification_data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, n)), rng.integers(0, 3, size=n)


def reference_forward(model, X):
    """The forward pass written out layer by layer: A = ϱ(W·X + B)."""
    A = np.asarray(X, dtype=np.float64)
    for layer in model.layers:
        A = REFERENCE[layer.activation](layer.W.astype(np.float64) @ A + layer.B)
    return A


# --- Glorot's initialisation ------------------------------------------------------------------


def test_glorot_uniform_shape_bounds_and_spread():
    W = glorot_uniform(300, 200, rng=0)
    limit = math.sqrt(6 / 500)
    assert W.shape == (200, 300)
    assert W.dtype == np.float64
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit  # uniform: it reaches close to the bounds
    assert W.var() == pytest.approx(limit**2 / 3, rel=0.02)  # the variance of U(-l, l)
    assert abs(W.mean()) < 0.01 * limit


def test_glorot_uniform_is_reproducible_and_takes_a_dtype():
    np.testing.assert_array_equal(glorot_uniform(3, 2, rng=7), glorot_uniform(3, 2, rng=7))
    assert not np.array_equal(glorot_uniform(3, 2, rng=7), glorot_uniform(3, 2, rng=8))
    generator = np.random.default_rng(1)
    first, second = glorot_uniform(3, 2, rng=generator), glorot_uniform(3, 2, rng=generator)
    assert not np.array_equal(first, second)  # a generator moves on
    assert glorot_uniform(3, 2, rng=0, dtype=np.float32).dtype == np.float32


def test_glorot_uniform_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_in must be at least 1; got 0"):
        glorot_uniform(0, 2)
    with pytest.raises(TypeError, match=r"n_out must be an integer; got 2\.0"):
        glorot_uniform(3, 2.0)
    with pytest.raises(ValueError, match="rng must be a non-negative integer seed; got -1"):
        glorot_uniform(3, 2, rng=-1)


# --- Dense: construction -----------------------------------------------------------------------


def test_dense_starts_from_glorot_weights_and_zero_biases():
    layer = Dense(4, 3, "relu", rng=5)
    np.testing.assert_array_equal(layer.W, glorot_uniform(4, 3, rng=5))
    np.testing.assert_array_equal(layer.B, np.zeros((3, 1)))
    assert (layer.n_in, layer.n_out, layer.activation) == (4, 3, "relu")
    assert layer.dtype == np.float64
    assert Dense(4, 3).activation == "linear"
    assert repr(layer) == "Dense(n_in=4, n_out=3, activation='relu', dtype=float64)"


def test_dense_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_in must be at least 1; got 0"):
        Dense(0, 3)
    with pytest.raises(TypeError, match="n_out must be an integer; got '3'"):
        Dense(2, "3")
    with pytest.raises(ValueError, match=r"activation name must be None or one of .*; got 'gelu'"):
        Dense(2, 3, "gelu")
    with pytest.raises(ValueError, match="dtype must be float32 or float64; got float16"):
        Dense(2, 3, dtype=np.float16)
    with pytest.raises(ValueError, match="dtype must be float32 or float64; got int64"):
        Dense(2, 3, dtype=np.int64)


def test_from_weights_takes_the_given_weights_and_infers_the_dtype():
    layer = Dense.from_weights([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [1.0, 2.0, 3.0], "tanh")
    assert (layer.n_in, layer.n_out, layer.activation) == (2, 3, "tanh")
    np.testing.assert_array_equal(layer.W, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(layer.B, [[1], [2], [3]])
    assert layer.dtype == np.float64
    assert Dense.from_weights([[1, 2]]).dtype == np.float64  # integers become float64
    np.testing.assert_array_equal(Dense.from_weights([[1, 2]]).B, [[0.0]])
    assert Dense.from_weights(np.ones((2, 2), np.float32)).dtype == np.float32
    assert Dense.from_weights(np.ones((2, 2)), dtype=np.float32).dtype == np.float32


def test_from_weights_copies_its_arguments():
    W, B = np.array([[1.0, 2.0]]), np.array([[0.5]])
    layer = Dense.from_weights(W, B)
    W[0, 0], B[0, 0] = 100.0, 100.0
    np.testing.assert_array_equal(layer.W, [[1.0, 2.0]])
    np.testing.assert_array_equal(layer.B, [[0.5]])


def test_from_weights_rejects_bad_weights():
    with pytest.raises(ValueError, match=r"W must be a 2-D array; got shape \(2,\)"):
        Dense.from_weights([1.0, 2.0])
    with pytest.raises(
        ValueError, match=r"B must have shape \(1, 1\) or \(1,\), one bias per row of W; got \(2,\)"
    ):
        Dense.from_weights([[1.0, 2.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="W must hold finite numbers"):
        Dense.from_weights([[np.nan]])
    with pytest.raises(ValueError, match="dtype must be float32 or float64; got int64"):
        Dense.from_weights([[1.0]], dtype=np.int64)


# --- Dense: parameters ------------------------------------------------------------------------


def test_setting_w_and_b_copies_into_the_existing_arrays():
    layer = Dense(2, 3, rng=0)
    W, B = layer.W, layer.B
    new_W = np.arange(6.0).reshape(3, 2)
    layer.W = new_W
    layer.B = [1.0, 2.0, 3.0]
    assert layer.W is W
    assert layer.B is B
    np.testing.assert_array_equal(W, new_W)
    np.testing.assert_array_equal(B, [[1.0], [2.0], [3.0]])
    new_W[0, 0] = 99.0  # the layer holds a copy
    assert layer.W[0, 0] == 0.0
    layer.B = np.array([[4.0], [5.0], [6.0]])
    np.testing.assert_array_equal(layer.B, [[4.0], [5.0], [6.0]])


def test_setters_check_shapes_and_values():
    layer = Dense(2, 3)
    with pytest.raises(ValueError, match=r"W must have shape \(3, 2\); got \(2, 3\)"):
        layer.W = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"W must be a 2-D array; got shape \(6,\)"):
        layer.W = np.zeros(6)
    with pytest.raises(ValueError, match="W must hold finite numbers"):
        layer.W = np.full((3, 2), np.inf)
    with pytest.raises(
        ValueError,
        match=r"B must have shape \(3, 1\) or \(3,\), one bias per row of W; got \(1, 3\)",
    ):
        layer.B = np.zeros((1, 3))
    with pytest.raises(ValueError, match=r"B must be a 1-D or 2-D array; got shape \(\)"):
        layer.B = 0.0
    with pytest.raises(TypeError, match="B must hold real numbers"):
        layer.B = ["a", "b", "c"]


def test_gradients_are_read_only():
    layer = Dense(2, 3, rng=0)
    layer.forward(np.ones((2, 4)))
    layer.backward(np.ones((3, 4)))
    for grad in (layer.dW, layer.dB, *layer.gradients()):
        assert not grad.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            grad[0, 0] = 1.0
    assert layer.dW.shape == (3, 2)
    assert layer.dB.shape == (3, 1)
    with pytest.raises(AttributeError):
        layer.dW = np.zeros((3, 2))


def test_parameters_are_the_arrays_themselves():
    layer = Dense(3, 2, rng=0)
    W, B = layer.parameters()
    assert W is layer.W
    assert B is layer.B
    W[0, 0] = 5.0
    assert layer.W[0, 0] == 5.0


# --- Dense: forward and backward -------------------------------------------------------------


def test_the_slides_forward_pass():
    layer = Dense.from_weights([[0.5]], [[0.0]])
    Y_prime = layer.forward([[0.1, 0.3, 0.6, 0.7]])
    np.testing.assert_allclose(Y_prime, [[0.05, 0.15, 0.3, 0.35]], rtol=1e-15)
    assert Y_prime.shape == (1, 4)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_dense_forward_is_the_activation_of_wx_plus_b(name):
    rng = np.random.default_rng(1)
    W, B, X = rng.normal(size=(3, 4)), rng.normal(size=(3, 1)), rng.normal(size=(4, 5))
    layer = Dense.from_weights(W, B, name)
    np.testing.assert_allclose(layer.forward(X), REFERENCE[name](W @ X + B), rtol=1e-13)


def test_the_slides_relu_layer_zeroes_negative_pre_activations():
    layer = Dense.from_weights([[1.0], [-1.0]], [[0.0], [0.0]], "relu")
    np.testing.assert_array_equal(layer.forward([[-2.0, 3.0]]), [[0.0, 3.0], [2.0, 0.0]])


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_dense_backward_matches_central_differences(name):
    rng = np.random.default_rng(2)
    W, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    X, U = rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    layer = Dense.from_weights(W, B, name)
    layer.forward(X)
    dX = layer.backward(U)  # the gradient of L = Σ U ⊙ A

    def loss(W=W, B=B, X=X):
        return float(np.sum(U * REFERENCE[name](W @ X + B)))

    np.testing.assert_allclose(layer.dW, gradient(lambda w: loss(W=w), W), atol=1e-8)
    np.testing.assert_allclose(layer.dB, gradient(lambda b: loss(B=b), B), atol=1e-8)
    np.testing.assert_allclose(dX, gradient(lambda x: loss(X=x), X), atol=1e-8)


def test_dense_forward_and_backward_leave_their_arguments_alone():
    layer = Dense(4, 3, "relu", rng=0)
    X = np.random.default_rng(0).normal(size=(4, 5))
    dA = np.ones((3, 5))
    saved = X.copy()
    A = layer.forward(X)
    assert not np.shares_memory(A, X)
    layer.backward(dA)
    np.testing.assert_array_equal(X, saved)
    np.testing.assert_array_equal(dA, np.ones((3, 5)))


def test_dense_rejects_bad_inputs():
    layer = Dense(3, 2, rng=0)
    with pytest.raises(ValueError, match="backward needs a forward pass first"):
        layer.backward(np.ones((2, 4)))
    message = r"X must have 3 rows \(features × examples, one example per column\); got shape"
    with pytest.raises(ValueError, match=message + r" \(4, 3\)"):
        layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"X must be a 2-D array; got shape \(3,\)"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(3, 0\)"):
        layer.forward(np.ones((3, 0)))
    with pytest.raises(ValueError, match="X must hold finite numbers; got 1 NaN"):
        layer.forward([[np.nan], [0.0], [0.0]])
    layer.forward(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"dA must have the shape of the last output \(2, 4\)"):
        layer.backward(np.ones((2, 5)))


def test_dense_in_float32_computes_in_float32():
    layer = Dense(3, 2, "sigmoid", rng=0, dtype=np.float32)
    A = layer.forward(np.ones((3, 4)))  # float64 input is cast
    assert A.dtype == np.float32
    layer.backward(np.ones((2, 4)))
    assert layer.dW.dtype == np.float32
    assert layer.dB.dtype == np.float32


# --- Sequential: construction ------------------------------------------------------------------


def test_sequential_rejects_bad_stacks():
    with pytest.raises(ValueError, match="layers must hold at least one Dense layer; got none"):
        Sequential([])
    with pytest.raises(TypeError, match="layers\\[1\\] must be a Dense layer; got"):
        Sequential([Dense(2, 2), "relu"])
    layer = Dense(2, 2)
    with pytest.raises(ValueError, match="a layer cannot appear twice in a model"):
        Sequential([layer, layer])
    with pytest.raises(
        ValueError, match=r"layers\[1\] expects 4 inputs but layers\[0\] has 3 outputs"
    ):
        Sequential([Dense(2, 3), Dense(4, 1)])
    with pytest.raises(
        ValueError, match=r"all layers must share one dtype; got \['float32', 'float64'\]"
    ):
        Sequential([Dense(2, 3), Dense(3, 1, dtype=np.float32)])


def test_sequential_keeps_the_weights_of_its_layers():
    first, second = Dense(2, 3, "relu", rng=0), Dense(3, 1, rng=1)
    second.B = [0.25]
    before = [p.copy() for layer in (first, second) for p in layer.parameters()]
    model = Sequential([first, second])
    for kept, now in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(now, kept)


def test_sequential_describes_itself():
    model = Sequential([Dense(784, 512, "relu"), Dense(512, 10, "softmax")])
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10 == 407_050
    assert (model.n_in, model.n_out, model.dtype) == (784, 10, np.float64)
    assert isinstance(model.layers, tuple)
    assert len(model.layers) == 2
    summary = model.summary()
    assert "relu" in summary
    assert "401,920" in summary
    assert "407,050" in summary
    assert repr(model).startswith("Sequential([Dense(n_in=784, n_out=512")


def test_a_layer_belongs_to_one_model():
    first, second = Dense(2, 3, "relu", rng=0), Dense(3, 1, rng=1)
    model = Sequential([first, second])
    assert model.parameters()[0] is first.W
    message = r"layers\[1\] already belongs to another Sequential model.*layers\[1\]\.copy\(\)"
    with pytest.raises(ValueError, match=message):
        Sequential([Dense(2, 3, rng=2), second])
    # The failed model took none of its layers: the fresh one is still free.
    fresh = Dense(2, 3, rng=3)
    with pytest.raises(ValueError, match="already belongs"):
        Sequential([fresh, second])
    Sequential([fresh, second.copy()])  # a copy is a new, independent layer
    # Training the first model still trains its own layers.
    X, y = np.random.default_rng(4).normal(size=(2, 20)), np.random.default_rng(5).normal(size=20)
    before = first.W.copy()
    model.fit(X, y, epochs=3, batch_size=5, loss="mse", verbose=0)
    assert not np.array_equal(first.W, before)


def test_a_layer_is_free_again_once_its_model_is_gone():
    layer = Dense(2, 2, rng=0)
    model = Sequential([layer])
    del model
    gc.collect()
    assert Sequential([layer]).layers == (layer,)


def test_a_layer_copy_is_independent():
    layer = Dense(3, 2, "tanh", rng=0)
    twin = layer.copy()
    twin.W = np.zeros((2, 3))
    assert not np.array_equal(layer.W, twin.W)
    assert (twin.n_in, twin.n_out, twin.activation, twin.dtype) == (3, 2, "tanh", layer.dtype)


def test_an_optimizer_step_on_the_parameters_updates_the_layers():
    model = small_classifier()
    X, y = classification_data()
    _, grads = model.compute_gradients(X, y)
    expected = [p - 0.1 * g for p, g in zip(model.parameters(), grads, strict=True)]
    GradientDescent(0.1).step(model.parameters(), grads)
    for layer, k in zip(model.layers, (0, 2), strict=True):
        np.testing.assert_allclose(layer.W, expected[k], rtol=1e-15)
        np.testing.assert_allclose(layer.B, expected[k + 1], rtol=1e-15)


# --- Sequential: forward, backward, predict ------------------------------------------------------


def test_two_dense_layers_without_activation_collapse_into_one_affine_map():
    first, second = Dense(2, 3, rng=0), Dense(3, 2, rng=1)
    first.B, second.B = [0.1, -0.2, 0.3], [0.5, -0.5]
    model = Sequential([first, second])
    X = np.random.default_rng(2).normal(size=(2, 6))
    A = second.W @ first.W
    b = second.W @ first.B + second.B
    np.testing.assert_allclose(model.forward(X), affine(X, A, b), rtol=1e-13, atol=1e-15)
    one = Dense.from_weights(A, b)
    np.testing.assert_allclose(model.forward(X), one.forward(X), rtol=1e-13, atol=1e-15)


def test_a_relu_between_the_layers_breaks_the_collapse():
    model = Sequential(
        [Dense.from_weights([[1.0], [-1.0]], activation="relu"), Dense.from_weights([[1.0, 1.0]])]
    )
    # |x| = relu(x) + relu(-x) is not affine: the midpoint rule fails.
    left, right, middle = model.forward([[-2.0, 2.0, 0.0]])[0]
    assert (left, right, middle) == (2.0, 2.0, 0.0)
    assert middle != (left + right) / 2


def test_sequential_forward_matches_the_layer_by_layer_formula():
    model = Sequential(
        [Dense(3, 5, "relu", rng=0), Dense(5, 4, "sigmoid", rng=1), Dense(4, 2, "softmax", rng=2)]
    )
    for layer, seed in zip(model.layers, (3, 4, 5), strict=True):
        layer.B = np.random.default_rng(seed).normal(size=layer.n_out)
    X = np.random.default_rng(6).normal(size=(3, 7))
    np.testing.assert_allclose(model.forward(X), reference_forward(model, X), rtol=1e-13)


def test_predict_equals_forward_in_any_batch_size():
    model = small_classifier()
    X, _ = classification_data(n=25)
    expected = reference_forward(model, X)
    for batch_size in (1, 7, 25, 4096):
        np.testing.assert_allclose(model.predict(X, batch_size=batch_size), expected, rtol=1e-13)
    np.testing.assert_allclose(model.predict(X).sum(axis=0), 1.0, rtol=1e-14)


def test_forward_and_predict_leave_their_input_alone():
    model = Sequential([Dense(2, 2, rng=0)])
    X, _ = classification_data(n=5)
    saved = X.copy()
    for result in (model.forward(X), model.predict(X)):
        assert not np.shares_memory(result, X)
    np.testing.assert_array_equal(X, saved)


def test_sequential_backward_matches_central_differences():
    model = Sequential([Dense(3, 4, "tanh", rng=0), Dense(4, 2, "sigmoid", rng=1)])
    rng = np.random.default_rng(7)
    X, U = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))
    model.forward(X)
    dX = model.backward(U)  # gradient of L = Σ U ⊙ model(X)

    def loss_of(k):
        def loss(value):
            saved = model.parameters()[k].copy()
            model.parameters()[k][...] = value
            result = float(np.sum(U * reference_forward(model, X)))
            model.parameters()[k][...] = saved
            return result

        return loss

    for k, (param, grad) in enumerate(zip(model.parameters(), model.gradients(), strict=True)):
        np.testing.assert_allclose(grad, gradient(loss_of(k), param.copy()), atol=1e-8)
    numeric_dX = gradient(lambda x: float(np.sum(U * reference_forward(model, x))), X)
    np.testing.assert_allclose(dX, numeric_dX, atol=1e-8)


def test_sequential_backward_leaves_its_argument_alone_and_needs_a_forward_pass():
    model = Sequential([Dense(2, 3, "relu", rng=0), Dense(3, 2, rng=1)])
    with pytest.raises(ValueError, match="backward needs a forward pass first"):
        model.backward(np.ones((2, 4)))
    model.forward(np.ones((2, 4)))
    dY = np.ones((2, 4))
    model.backward(dY)
    np.testing.assert_array_equal(dY, np.ones((2, 4)))
    with pytest.raises(
        ValueError, match=r"dY must have the shape of the last output \(2, 4\); got \(2, 3\)"
    ):
        model.backward(np.ones((2, 3)))


def test_predict_rejects_bad_input():
    model = small_classifier()
    with pytest.raises(ValueError, match=r"X must have 2 rows .*; got shape \(3, 4\)"):
        model.predict(np.ones((3, 4)))
    with pytest.raises(ValueError, match="batch_size must be at least 1; got 0"):
        model.predict(np.ones((2, 4)), batch_size=0)
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(2, 0\)"):
        model.predict(np.ones((2, 0)))


# --- losses, gradients, evaluation --------------------------------------------------------------


def test_compute_gradients_of_the_slides_model():
    model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
    X, Y = [[0.1, 0.3, 0.6, 0.7]], [0.2, 0.25, 0.4, 0.7]
    loss, (dW, dB) = model.compute_gradients(X, Y, loss="mse")
    assert loss == pytest.approx(0.04125, rel=1e-14)
    # de/dw = -2/N Σ x (y - y'), de/db = -2/N Σ (y - y')
    residual = np.array(Y) - 0.5 * np.array(X[0])
    assert dW[0, 0] == pytest.approx(-0.5 * np.sum(np.array(X[0]) * residual), rel=1e-14)
    assert dB[0, 0] == pytest.approx(-0.5 * np.sum(residual), rel=1e-14)


def test_compute_gradients_returns_copies_and_leaves_its_inputs_alone():
    model = small_classifier()
    X, y = classification_data()
    saved = X.copy(), y.copy()
    _, grads = model.compute_gradients(X, y)
    for grad, view in zip(grads, model.gradients(), strict=True):
        assert not np.shares_memory(grad, view)
        grad[...] = 0.0  # writeable copies
    assert any(np.any(view != 0) for view in model.gradients())
    np.testing.assert_array_equal(X, saved[0])
    np.testing.assert_array_equal(y, saved[1])


def test_compute_gradients_with_one_hot_targets_equals_labels():
    model = small_classifier()
    X, y = classification_data()
    sparse_loss, sparse = model.compute_gradients(X, y)
    loss, dense = model.compute_gradients(X, one_hot(y, 3), loss="categorical_crossentropy")
    assert loss == pytest.approx(sparse_loss, rel=1e-14)
    for a, b in zip(sparse, dense, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_evaluate_classification_from_the_logits():
    model = small_classifier()
    X, y = classification_data()
    loss, acc = model.evaluate(X, y)
    hidden = np.tanh(model.layers[0].W @ X + model.layers[0].B)
    logits = model.layers[1].W @ hidden + model.layers[1].B
    assert loss == pytest.approx(softmax_crossentropy(y, logits), rel=1e-13)
    assert acc == np.mean(logits.argmax(axis=0) == y)
    assert model.evaluate(X, y, batch_size=4) == pytest.approx((loss, acc), rel=1e-13)
    assert model.evaluate(X, one_hot(y, 3), loss="categorical_crossentropy") == pytest.approx(
        (loss, acc)
    )


def test_evaluate_regression_gives_no_accuracy():
    model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
    loss, acc = model.evaluate([[0.1, 0.3, 0.6, 0.7]], [0.2, 0.25, 0.4, 0.7], loss="mse")
    assert loss == pytest.approx(0.04125, rel=1e-14)
    assert acc is None
    loss_2d, _ = model.evaluate([[0.1, 0.3, 0.6, 0.7]], [[0.2, 0.25, 0.4, 0.7]], loss="mse")
    assert loss_2d == loss


@pytest.mark.parametrize(
    ("model", "y", "loss", "error", "message"),
    [
        (small_classifier(), np.array([0, 1, 3, 0]), "sparse_categorical_crossentropy", ValueError,
         r"y must lie in \[0, 3\); got values from 0 to 3"),
        (small_classifier(), np.array([0, 1, 2]), "sparse_categorical_crossentropy", ValueError,
         r"y must have one label per column of X \(4\); got 3"),
        (small_classifier(), np.array([0.5, 1, 2, 0]), "sparse_categorical_crossentropy",
         ValueError, "y must hold whole numbers"),
        (small_classifier(), np.ones((3, 4)), "categorical_crossentropy", ValueError,
         "y must be one-hot: each column a single 1 among 0s"),
        (small_classifier(), np.eye(3), "categorical_crossentropy", ValueError,
         r"y must have shape \(3, 4\), one column per example of X; got \(3, 3\)"),
        (Sequential([Dense(2, 3, rng=0)]), np.array([0, 1, 2, 0]),
         "sparse_categorical_crossentropy", ValueError,
         "loss='sparse_categorical_crossentropy' needs a softmax output layer; the last layer's "
         "activation is 'linear'"),
        (Sequential([Dense(2, 3, rng=0)]), np.ones((2, 4)), "mse", ValueError,
         r"y must have shape \(3, 4\), one column per example of X; got \(2, 4\)"),
        (Sequential([Dense(2, 2, rng=0)]), np.ones(8), "mse", ValueError,
         r"y must have shape \(2, 4\), one column per example of X; got \(8,\)"),
        (Sequential([Dense(2, 1, rng=0)]), np.ones(4) * np.nan, "mse", ValueError,
         "y must hold finite numbers"),
        (small_classifier(), np.array([0, 1, 2, 0]), "hinge", ValueError,
         "loss name must be one of 'mse', .*; got 'hinge'"),
    ],
)  # fmt: skip
def test_targets_are_checked(model, y, loss, error, message):
    X = np.ones((2, 4))
    for call in (model.compute_gradients, model.evaluate):
        with pytest.raises(error, match=message):
            call(X, y, loss=loss)
    with pytest.raises(error, match=message):
        model.fit(X, y, loss=loss, verbose=0)


# --- training -------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_is_deterministic_for_a_seed(engine):
    X, y = two_moons(60, rng=0)

    def train(seed):
        model = small_classifier(seed=3)
        model.fit(
            X, y, epochs=3, batch_size=16, optimizer=Adam(0.01), seed=seed, verbose=0, engine=engine
        )
        return [p.copy() for p in model.parameters()]

    first, again, other = train(1), train(1), train(2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_without_shuffling_ignores_the_seed(engine):
    X, y = two_moons(40, rng=0)
    results = []
    for seed in (1, 2):
        model = small_classifier()
        model.fit(X, y, epochs=2, batch_size=16, shuffle=False, seed=seed, verbose=0, engine=engine)
        results.append(model.parameters()[0].copy())
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("validation", [False, True])
@pytest.mark.parametrize("engine", ENGINES)
def test_fit_history_keys_and_lengths(validation, engine):
    X, y = two_moons(40, rng=0)
    model = small_classifier()
    data = (X[:, :10], y[:10]) if validation else None
    history = model.fit(
        X, y, epochs=4, batch_size=16, validation_data=data, verbose=0, engine=engine
    )
    keys = {"loss", "accuracy"} | ({"val_loss", "val_accuracy"} if validation else set())
    assert set(history) == keys
    assert all(len(values) == 4 for values in history.values())
    assert model.history is history
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])
    assert all(np.isfinite(history["loss"]))
    if validation:  # evaluated with the final weights of each epoch
        last = model.evaluate(X[:, :10], y[:10])
        assert (history["val_loss"][-1], history["val_accuracy"][-1]) == pytest.approx(last)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_regression_history_has_no_accuracy(engine):
    x = np.linspace(0, 1, 20).reshape(1, -1)
    model = Sequential([Dense(1, 1, rng=0)])
    history = model.fit(
        x,
        2 * x,
        epochs=3,
        batch_size=5,
        loss="mse",
        validation_data=(x, 2 * x),
        verbose=0,
        engine=engine,
    )
    assert set(history) == {"loss", "val_loss"}
    assert len(history["loss"]) == len(history["val_loss"]) == 3


class Recorder:
    """A Keras-style callback that records every call."""

    def __init__(self):
        self.calls = []

    def on_epoch_begin(self, epoch):
        self.calls.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs):
        self.calls.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs):
        self.calls.append(("epoch_end", epoch, dict(logs)))


class OnlyEpochEnd:
    def __init__(self):
        self.epochs = []

    def on_epoch_end(self, epoch, logs):
        self.epochs.append(epoch)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_calls_the_callbacks_with_the_right_arguments(engine):
    X, y = classification_data(n=10)
    model = small_classifier()
    first_batch_loss = model.evaluate(X[:, :4], y[:4])[0]  # before any update
    recorder, partial = Recorder(), OnlyEpochEnd()
    history = model.fit(
        X,
        y,
        epochs=2,
        batch_size=4,
        shuffle=False,
        callbacks=[recorder, partial],
        verbose=0,
        engine=engine,
    )
    kinds = [call[:2] for call in recorder.calls]
    per_epoch = [("batch_end", 0), ("batch_end", 1), ("batch_end", 2)]
    assert kinds == [
        ("epoch_begin", 0),
        *per_epoch,
        ("epoch_end", 0),
        ("epoch_begin", 1),
        *per_epoch,
        ("epoch_end", 1),
    ]
    batch_logs = [call[2] for call in recorder.calls if call[0] == "batch_end"]
    assert all(set(logs) == {"loss", "accuracy"} for logs in batch_logs)
    # The running loss after the first batch is that batch's loss with the initial weights.
    assert batch_logs[0]["loss"] == pytest.approx(first_batch_loss, rel=1e-12)
    # After the last batch, the running means are the epoch's history.
    for epoch, logs in ((0, batch_logs[2]), (1, batch_logs[5])):
        assert logs["loss"] == pytest.approx(history["loss"][epoch], rel=1e-12)
        assert logs["accuracy"] == pytest.approx(history["accuracy"][epoch], rel=1e-12)
    epoch_logs = [call[2] for call in recorder.calls if call[0] == "epoch_end"]
    for epoch, logs in enumerate(epoch_logs):
        assert logs == {key: values[epoch] for key, values in history.items()}
    assert partial.epochs == [0, 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_learns_the_two_moons(engine):
    X, y = two_moons(200, noise=0.1, rng=0)
    X_test, y_test = two_moons(200, noise=0.1, rng=1)
    model = Sequential([Dense(2, 16, "tanh", rng=0), Dense(16, 2, "softmax", rng=1)])
    before = model.evaluate(X_test, y_test)
    history = model.fit(
        X, y, epochs=60, batch_size=20, optimizer=Adam(0.02), seed=0, verbose=0, engine=engine
    )
    loss, acc = model.evaluate(X_test, y_test)
    assert acc >= 0.95  # beyond any straight line (see tests/test_datasets.py)
    assert loss < before[0] / 4
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_learns_a_line_with_the_slides_gradient_descent(engine):
    x = np.linspace(-1, 1, 30).reshape(1, -1)
    y = -3.0 * x + 0.5
    model = Sequential([Dense(1, 1, rng=0)])
    model.fit(
        x,
        y,
        epochs=300,
        batch_size=30,
        loss="mse",
        optimizer=GradientDescent(0.5),
        verbose=0,
        engine=engine,
    )
    assert model.layers[0].W[0, 0] == pytest.approx(-3.0, abs=1e-6)
    assert model.layers[0].B[0, 0] == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_updates_the_layers_arrays_in_place(engine):
    X, y = classification_data()
    model = small_classifier()
    W = model.layers[0].W
    saved = W.copy()
    model.fit(X, y, epochs=1, verbose=0, engine=engine)
    assert model.layers[0].W is W
    assert not np.array_equal(W, saved)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_optimizer_state_carries_over_between_calls(engine):
    X, y = classification_data()
    once, twice = small_classifier(), small_classifier()
    once.fit(
        X,
        y,
        epochs=2,
        batch_size=8,
        shuffle=False,
        optimizer=Momentum(0.1),
        verbose=0,
        engine=engine,
    )
    optimizer = Momentum(0.1)
    for _ in range(2):
        twice.fit(
            X,
            y,
            epochs=1,
            batch_size=8,
            shuffle=False,
            optimizer=optimizer,
            verbose=0,
            engine=engine,
        )
    for a, b in zip(once.parameters(), twice.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert optimizer.iterations == 2 * 4


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_uses_rmsprop_by_default(engine):
    X, y = classification_data()
    default, explicit = small_classifier(), small_classifier()
    default.fit(X, y, epochs=1, batch_size=8, seed=0, verbose=0, engine=engine)
    explicit.fit(
        X, y, epochs=1, batch_size=8, seed=0, optimizer=RMSprop(), verbose=0, engine=engine
    )
    for a, b in zip(default.parameters(), explicit.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_leaves_the_data_alone(engine):
    X, y = classification_data()
    saved = X.copy(), y.copy()
    small_classifier().fit(
        X, y, epochs=2, batch_size=7, validation_data=(X, y), verbose=0, engine=engine
    )
    np.testing.assert_array_equal(X, saved[0])
    np.testing.assert_array_equal(y, saved[1])


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
@pytest.mark.parametrize("engine", ENGINES)
def test_fit_on_integer_inputs_equals_fit_on_their_float_conversion(dtype, engine):
    # Integer inputs (raw pixels) are gathered as integers and converted batch by batch:
    # the result must be bit for bit that of converting them all first.
    rng = np.random.default_rng(4)
    X_int = rng.integers(0, 256, size=(6, 50)).astype(dtype)
    X_int = np.asfortranarray(X_int)  # one example per column, contiguous in memory
    y = rng.integers(0, 3, size=50)
    results = []
    for X in (X_int, X_int.astype(np.float32)):
        model = Sequential(
            [
                Dense(6, 5, "relu", rng=0, dtype=np.float32),
                Dense(5, 3, "softmax", rng=1, dtype=np.float32),
            ]
        )
        history = model.fit(X, y, epochs=2, batch_size=16, seed=3, verbose=0, engine=engine)
        results.append(([p.copy() for p in model.parameters()], history))
    (int_params, int_history), (float_params, float_history) = results
    for a, b in zip(int_params, float_params, strict=True):
        np.testing.assert_array_equal(a, b)
    assert int_history == float_history
    assert X_int.dtype == dtype  # the caller's array is not converted in place


def test_fit_rejects_bad_integer_data():
    model = small_classifier()
    with pytest.raises(ValueError, match=r"X must have 2 rows .*; got shape \(3, 4\)"):
        model.fit(np.ones((3, 4), np.uint8), np.zeros(4, int), verbose=0)
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(2, 0\)"):
        model.fit(np.ones((2, 0), np.uint8), np.zeros(0, int), verbose=0)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_draws_a_progress_bar_per_epoch(capsys, engine):
    X, y = classification_data()
    history = small_classifier().fit(X, y, epochs=3, batch_size=10, verbose=1, engine=engine)
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()  # off a terminal: one finished line per epoch
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1/3: 100%")
    assert "3/3" in lines[0]
    assert f"loss={history['loss'][0]:.4f}" in lines[0]
    assert f"accuracy={history['accuracy'][2]:.4f}" in lines[2]
    small_classifier().fit(X, y, epochs=2, verbose=0, engine=engine)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be at least 1; got 0"),
        ({"epochs": 1.5}, TypeError, "epochs must be an integer; got 1.5"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1; got 0"),
        ({"verbose": 2}, ValueError, "verbose must be 0 or 1; got 2"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be a dlmath Optimizer; got 'adam'"),
        ({"validation_data": np.ones((2, 3))}, TypeError,
         r"validation_data must be a tuple \(X_val, y_val\)"),
        ({"shuffle": "no"}, TypeError, "shuffle must be True or False; got 'no'"),
        ({"callbacks": "progress"}, TypeError, "callbacks must be a list of callback objects"),
        ({"callbacks": [{"on_epoch_end": print}]}, TypeError,
         r"callbacks\[0\] must be an object with a method among on_epoch_begin"),
        ({"callbacks": [object()]}, TypeError, r"callbacks\[0\] must be an object with a method"),
        ({"engine": "turbo"}, ValueError, r"engine must be one of \('auto', 'reference', 'fast'\)"),
        ({"engine": 3}, TypeError, "engine must be one of"),
        ({"validation_data": (np.ones((3, 2)), np.zeros(2, int))}, ValueError,
         r"validation_data\[0\] must have 2 rows .*; got shape \(3, 2\)"),
        ({"validation_data": (np.ones((2, 2)), np.array([0, 5]))}, ValueError,
         r"validation_data\[1\] must lie in \[0, 3\); got values from 0 to 5"),
        ({"seed": -3}, ValueError, "seed must be a non-negative integer seed; got -3"),
        ({"seed": 1.5}, TypeError, "seed must be None, an integer seed or a numpy.random"),
    ],
)  # fmt: skip
def test_fit_rejects_bad_arguments(kwargs, error, message):
    X, y = classification_data(n=6)
    with pytest.raises(error, match=message):
        small_classifier().fit(X, y, **{"verbose": 0, **kwargs})


def test_fit_rejects_bad_data():
    model = small_classifier()
    with pytest.raises(ValueError, match=r"X must not be empty; got shape \(2, 0\)"):
        model.fit(np.ones((2, 0)), np.zeros(0, int), verbose=0)
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        model.fit([[np.inf, 0.0], [0.0, 0.0]], [0, 1], verbose=0)
    with pytest.raises(ValueError, match="y must not be empty"):
        model.fit(np.ones((2, 2)), [], verbose=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("engine", ENGINES)
def test_models_train_in_their_own_dtype(dtype, engine):
    X, y = two_moons(60, rng=0)
    model = small_classifier(dtype=dtype)
    history = model.fit(
        X, y, epochs=5, batch_size=16, optimizer=Adam(0.01), seed=0, verbose=0, engine=engine
    )
    assert model.dtype == dtype
    assert all(p.dtype == dtype for p in model.parameters())
    assert model.predict(X).dtype == dtype
    assert all(np.isfinite(history["loss"]))
    assert history["loss"][-1] < history["loss"][0]
    loss, grads = model.compute_gradients(X, y)
    assert isinstance(loss, float)
    assert all(g.dtype == dtype for g in grads)


def test_float32_and_float64_models_agree_to_float32_precision():
    X, y = classification_data()
    wide, narrow = small_classifier(), small_classifier(dtype=np.float32)
    np.testing.assert_allclose(narrow.predict(X), wide.predict(X), rtol=1e-5, atol=1e-6)
    loss64, grads64 = wide.compute_gradients(X, y)
    loss32, grads32 = narrow.compute_gradients(X, y)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for a, b in zip(grads32, grads64, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


# --- saving and loading ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_and_load_round_trip(tmp_path, dtype):
    model = Sequential(
        [
            Dense(3, 4, "relu", rng=0, dtype=dtype),
            Dense(4, 4, "sigmoid", rng=1, dtype=dtype),
            Dense(4, 2, "softmax", rng=2, dtype=dtype),
        ]
    )
    model.layers[0].B = [0.1, -0.2, 0.3, 0.4]
    path = tmp_path / "model.npz"
    model.save(path)
    again = Sequential.load(path)
    assert again is not model
    assert [layer.activation for layer in again.layers] == ["relu", "sigmoid", "softmax"]
    assert again.dtype == dtype
    for a, b in zip(again.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    X = np.random.default_rng(0).normal(size=(3, 5))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def test_save_appends_npz_and_accepts_strings(tmp_path):
    model = Sequential([Dense(2, 1, rng=0)])
    model.save(str(tmp_path / "model"))
    assert (tmp_path / "model.npz").exists()
    np.testing.assert_array_equal(
        Sequential.load(str(tmp_path / "model.npz")).layers[0].W, model.layers[0].W
    )


def test_save_keeps_metadata_and_load_restores_it(tmp_path):
    model = Sequential([Dense(2, 1, rng=0)])
    assert model.metadata == {}
    model.metadata["pixels"] = "raw pixels"
    model.save(tmp_path / "own.npz")
    assert Sequential.load(tmp_path / "own.npz").metadata == {"pixels": "raw pixels"}
    model.save(tmp_path / "given.npz", metadata={"pixels": "pixels / 255", "note": "é"})
    again = Sequential.load(tmp_path / "given.npz")
    assert again.metadata == {"pixels": "pixels / 255", "note": "é"}
    # A file written before metadata existed loads with none.
    arrays = dict(np.load(tmp_path / "given.npz"))
    del arrays["metadata_keys"], arrays["metadata_values"]
    np.savez(tmp_path / "old.npz", **arrays)
    assert Sequential.load(tmp_path / "old.npz").metadata == {}


@pytest.mark.parametrize("metadata", [{"scale": 255}, {1: "a"}, {"a": None}])
def test_save_rejects_metadata_that_is_not_text(tmp_path, metadata):
    with pytest.raises(TypeError, match="metadata must map strings to strings"):
        Sequential([Dense(2, 1, rng=0)]).save(tmp_path / "m.npz", metadata=metadata)
    assert not (tmp_path / "m.npz").exists()


def write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def corrupt_files(folder):
    """Files that are not dlmath models, or are broken ones."""
    good = folder / "good.npz"
    Sequential([Dense(3, 2, "relu", rng=0), Dense(2, 1, rng=1)]).save(good)
    raw = good.read_bytes()
    tag = np.array("dlmath.Sequential/1")
    files = {
        "truncated": folder / "truncated.npz",
        "garbage": folder / "garbage.npz",
        "other arrays": write_npz(folder / "other.npz", a=np.arange(3)),
        "wrong format tag": write_npz(
            folder / "tag.npz", format=np.array("keras"), activations=np.array(["relu"])
        ),
        "no activations": write_npz(
            folder / "noact.npz", format=tag, W0=np.ones((2, 3)), B0=np.zeros((2, 1))
        ),
        "no weights": write_npz(folder / "now.npz", format=tag, activations=np.array(["relu"])),
        "inconsistent shapes": write_npz(
            folder / "shapes.npz", format=tag, activations=np.array(["relu", "linear"]),
            W0=np.ones((2, 3)), B0=np.zeros((2, 1)), W1=np.ones((1, 5)), B1=np.zeros((1, 1)),
        ),
        "unknown activation": write_npz(
            folder / "act.npz", format=tag, activations=np.array(["gelu"]),
            W0=np.ones((2, 3)), B0=np.zeros((2, 1)),
        ),
        "pickled": write_npz(
            folder / "pickled.npz", format=tag, activations=np.array([None], dtype=object),
            W0=np.ones((2, 3)), B0=np.zeros((2, 1)),
        ),
        "inconsistent metadata": write_npz(
            folder / "meta.npz", format=tag, activations=np.array(["relu"]),
            W0=np.ones((2, 3)), B0=np.zeros((2, 1)), metadata_keys=np.array(["a", "b"]),
            metadata_values=np.array(["x"]),
        ),
    }  # fmt: skip
    files["truncated"].write_bytes(raw[: len(raw) // 2])
    files["garbage"].write_bytes(b"not a model at all" * 10)
    return files


@pytest.mark.parametrize(
    "case",
    [
        "truncated",
        "garbage",
        "other arrays",
        "wrong format tag",
        "no activations",
        "no weights",
        "inconsistent shapes",
        "unknown activation",
        "pickled",
        "inconsistent metadata",
    ],
)
def test_load_gives_a_clear_error_for_a_file_that_is_not_a_dlmath_model(tmp_path, case):
    path = corrupt_files(tmp_path)[case]
    error = load_error(path)
    assert isinstance(error, ValueError), f"load raised {type(error).__name__}: {error}"
    assert re.search(r"dlmath|layer|activation|lacks|expects|metadata", str(error))


def test_load_of_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.npz"):
        Sequential.load(tmp_path / "missing.npz")


def load_error(path):
    """The exception Sequential.load raises, or None.

    np.load leaks its file handle when a file looks like a zip archive but is not one;
    the handle is collected here, quietly, so that its ResourceWarning cannot surface
    in another test.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            Sequential.load(path)
        except Exception as exc:  # any kind: the test examines it
            error = exc
        else:
            return None
        cause = error
        while cause is not None:  # drop the frames that hold the handle
            cause.__traceback__ = None
            cause = cause.__cause__ or cause.__context__
        gc.collect()
    return error


# --- Keras ---------------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_dense_forward_matches_keras(keras, name):
    rng = np.random.default_rng(8)
    W = rng.normal(size=(4, 6)).astype(np.float32)
    B = rng.normal(size=(4, 1)).astype(np.float32)
    X = rng.normal(size=(6, 9)).astype(np.float32)
    ours = Dense.from_weights(W, B, name).forward(X)
    theirs_layer = keras.layers.Dense(4, activation=name, dtype="float32")
    theirs_layer.build((None, 6))
    theirs_layer.set_weights([W.T, B.ravel()])  # Keras's kernel is (inputs, outputs)
    theirs = keras.ops.convert_to_numpy(theirs_layer(X.T)).T  # Keras: one example per row
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
