"""Tests of dlmath.losses: mean squared error and cross-entropy, with their gradients."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmath.activations import ACTIVATIONS, softmax
from dlmath.derivatives import gradient
from dlmath.losses import (
    EPSILON,
    LOSSES,
    Loss,
    accuracy,
    categorical_crossentropy,
    categorical_crossentropy_grad,
    get_loss,
    mse,
    mse_grad,
    one_hot,
    register_loss,
    softmax_crossentropy,
    softmax_crossentropy_grad,
    sparse_categorical_crossentropy,
    sparse_categorical_crossentropy_grad,
)

# The slides' forward pass: Y, and the predictions W·X with W = 0.5, B = 0.
SLIDES_Y = [0.2, 0.25, 0.4, 0.7]
SLIDES_PREDICTIONS = [0.05, 0.15, 0.3, 0.35]

PROBS = np.array([[0.7, 0.1, 0.3], [0.2, 0.8, 0.3], [0.1, 0.1, 0.4]])
LABELS = np.array([0, 1, 2])


def problem(seed, classes=None, examples=None):
    """Random labels and strictly positive, unnormalised 'probabilities'."""
    rng = np.random.default_rng(seed)
    classes = classes or int(rng.integers(2, 5))
    examples = examples or int(rng.integers(1, 5))
    labels = rng.integers(0, classes, size=examples)
    probs = rng.uniform(0.05, 1.0, size=(classes, examples))
    return labels, probs


# --- mean squared error ----------------------------------------------------------------------


def test_mse_of_the_slides_first_forward_pass():
    # (0.15² + 0.1² + 0.1² + 0.35²) / 4 = 0.165 / 4
    assert mse(SLIDES_Y, SLIDES_PREDICTIONS) == pytest.approx(0.04125, rel=1e-14)
    # The slides print 0.0412: the exact 0.04125 cut to four decimals.
    assert 0.0412 <= mse(SLIDES_Y, SLIDES_PREDICTIONS) < 0.0413
    assert type(mse(SLIDES_Y, SLIDES_PREDICTIONS)) is float


def test_mse_is_the_mean_over_every_entry():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_hat = np.array([[1.0, 0.0], [3.0, 5.0]])
    assert mse(y, y_hat) == (0 + 4 + 0 + 1) / 4
    assert mse(y, y) == 0.0
    assert type(mse(y.astype(np.float32), y_hat.astype(np.float32))) is float


def test_mse_grad_matches_the_formula_and_central_differences():
    y, y_hat = np.array(SLIDES_Y), np.array(SLIDES_PREDICTIONS)
    np.testing.assert_allclose(mse_grad(y, y_hat), 2 * (y_hat - y) / 4, rtol=1e-15)
    np.testing.assert_allclose(mse_grad(y, y_hat), gradient(lambda p: mse(y, p), y_hat), atol=1e-10)


def test_mse_leaves_its_inputs_alone():
    y, y_hat = np.array(SLIDES_Y), np.array(SLIDES_PREDICTIONS)
    mse(y, y_hat)
    grad = mse_grad(y, y_hat)
    np.testing.assert_array_equal(y, SLIDES_Y)
    np.testing.assert_array_equal(y_hat, SLIDES_PREDICTIONS)
    assert not np.shares_memory(grad, y_hat)


@pytest.mark.parametrize("function", [mse, mse_grad])
def test_mse_rejects_bad_input(function):
    with pytest.raises(
        ValueError, match=r"y and y_hat must have the same shape; got \(4,\) and \(3,\)"
    ):
        function(SLIDES_Y, SLIDES_PREDICTIONS[:3])
    with pytest.raises(ValueError, match="y_hat must hold finite numbers; got 1 NaN"):
        function(SLIDES_Y, [0.0, np.nan, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"y must not be empty; got shape \(0,\)"):
        function([], [])
    with pytest.raises(TypeError, match="y must hold real numbers"):
        function(["a"], [1.0])


# --- one-hot ------------------------------------------------------------------------------------


def test_one_hot_puts_a_one_in_each_labels_row():
    np.testing.assert_array_equal(
        one_hot([2, 0, 1, 2], 3), [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]]
    )
    assert one_hot(np.array([1]), np.int64(2)).shape == (2, 1)


def test_one_hot_rejects_bad_labels_and_class_counts():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\); got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\); got values from -1 to 0"):
        one_hot([-1, 0], 3)
    with pytest.raises(ValueError, match="n_classes must be at least 1; got 0"):
        one_hot([0], 0)
    for bad in (True, 3.0, "3"):
        with pytest.raises(TypeError, match="n_classes must be an integer; got"):
            one_hot([0], bad)
    with pytest.raises(ValueError, match="labels must not be empty"):
        one_hot([], 3)


# --- cross-entropy on probabilities -----------------------------------------------------------


def test_categorical_crossentropy_is_minus_the_mean_log_probability_of_the_truth():
    expected = -(math.log(0.7) + math.log(0.8) + math.log(0.4)) / 3
    assert categorical_crossentropy(one_hot(LABELS, 3), PROBS) == pytest.approx(expected, rel=1e-14)
    assert sparse_categorical_crossentropy(LABELS, PROBS) == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_of_soft_targets():
    targets = np.array([[0.5], [0.5], [0.0]])
    probs = np.array([[0.25], [0.5], [0.25]])
    expected = -(0.5 * math.log(0.25) + 0.5 * math.log(0.5))
    assert categorical_crossentropy(targets, probs) == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_of_a_zero_probability_is_large_but_finite():
    expected = -math.log(EPSILON)  # ≈ 16.118
    assert sparse_categorical_crossentropy([2], [[0.5], [0.5], [0.0]]) == pytest.approx(expected)
    assert categorical_crossentropy(one_hot([1], 2), [[1.0], [0.0]]) == pytest.approx(expected)
    assert sparse_categorical_crossentropy([1], [[1.0], [0.0]], epsilon=1e-3) == pytest.approx(
        -math.log(1e-3)
    )


def test_cross_entropy_normalises_each_column_first():
    # As in Keras: probs are divided by their column sums.
    unnormalised = PROBS * np.array([2.0, 0.5, 10.0])
    assert sparse_categorical_crossentropy(LABELS, unnormalised) == pytest.approx(
        sparse_categorical_crossentropy(LABELS, PROBS), rel=1e-14
    )


def test_perfect_predictions_cost_almost_nothing():
    assert sparse_categorical_crossentropy([0, 1], np.eye(2)) == pytest.approx(
        -math.log(1 - EPSILON), rel=1e-6
    )


@pytest.mark.parametrize("seed", range(5))
def test_cross_entropy_gradients_match_central_differences(seed):
    labels, probs = problem(seed)
    targets = one_hot(labels, probs.shape[0])
    numeric = gradient(lambda p: categorical_crossentropy(targets, p), probs, h=1e-7)
    np.testing.assert_allclose(categorical_crossentropy_grad(targets, probs), numeric, atol=1e-7)
    np.testing.assert_allclose(
        sparse_categorical_crossentropy_grad(labels, probs), numeric, atol=1e-7
    )


def test_cross_entropy_gradient_on_normalised_probabilities():
    # For columns summing to 1: -(y/p - Σ y)/N.
    targets = one_hot(LABELS, 3)
    expected = -(targets / PROBS - 1.0) / 3
    np.testing.assert_allclose(categorical_crossentropy_grad(targets, PROBS), expected, rtol=1e-13)


def test_cross_entropy_gradient_vanishes_where_the_probability_is_clipped():
    grad = sparse_categorical_crossentropy_grad([2], [[0.5], [0.5], [0.0]])
    np.testing.assert_array_equal(grad, np.zeros((3, 1)))


def test_cross_entropy_leaves_its_inputs_alone():
    probs, labels, targets = PROBS.copy(), LABELS.copy(), one_hot(LABELS, 3)
    saved = targets.copy()
    for function in (categorical_crossentropy, categorical_crossentropy_grad):
        function(targets, probs)
    for function in (sparse_categorical_crossentropy, sparse_categorical_crossentropy_grad):
        function(labels, probs)
    np.testing.assert_array_equal(probs, PROBS)
    np.testing.assert_array_equal(labels, LABELS)
    np.testing.assert_array_equal(targets, saved)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sparse_categorical_crossentropy([0, 3, 1], PROBS), ValueError,
         r"labels must lie in \[0, 3\), one class per row of probs; got values up to 3"),
        (lambda: sparse_categorical_crossentropy([0, 1], PROBS), ValueError,
         r"labels must have one entry per column of probs \(3\); got 2"),
        (lambda: sparse_categorical_crossentropy([0.5, 1, 2], PROBS), ValueError,
         "labels must hold whole numbers"),
        (lambda: sparse_categorical_crossentropy([[0, 1, 2]], PROBS), ValueError,
         r"labels must be a 1-D array of class labels; got shape \(1, 3\)"),
        (lambda: sparse_categorical_crossentropy(LABELS, PROBS[:, 0]), ValueError,
         r"probs must be a 2-D array; got shape \(3,\)"),
        (lambda: sparse_categorical_crossentropy(LABELS, -PROBS), ValueError,
         r"probs must be non-negative \(class probabilities\)"),
        (lambda: sparse_categorical_crossentropy([0], [[0.0], [0.0]]), ValueError,
         "every column of probs must have a positive sum"),
        (lambda: sparse_categorical_crossentropy(LABELS, PROBS, epsilon=0.0), ValueError,
         r"epsilon must lie in \(0, 1\); got 0.0"),
        (lambda: sparse_categorical_crossentropy_grad(LABELS, PROBS, epsilon=1.0), ValueError,
         r"epsilon must lie in \(0, 1\); got 1.0"),
        (lambda: sparse_categorical_crossentropy([], np.zeros((3, 0))), ValueError,
         r"probs must not be empty; got shape \(3, 0\)"),
        (lambda: categorical_crossentropy(np.eye(2), PROBS), ValueError,
         r"y_true must have the shape of probs \(3, 3\); got \(2, 2\)"),
        (lambda: categorical_crossentropy_grad(np.eye(3), PROBS * [[np.nan], [1], [1]]),
         ValueError, "probs must hold finite numbers"),
        (lambda: categorical_crossentropy(np.eye(3), PROBS, epsilon="small"), TypeError,
         "epsilon must be a real number"),
        (lambda: sparse_categorical_crossentropy(["a", "b", "c"], PROBS), TypeError,
         "labels must hold integer class labels"),
    ],
)  # fmt: skip
def test_cross_entropy_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- cross-entropy from logits -----------------------------------------------------------------


def test_softmax_crossentropy_equals_cross_entropy_of_the_softmax():
    logits = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, 0.5], [-1.0, 0.0, 2.0]])
    assert softmax_crossentropy(LABELS, logits) == pytest.approx(
        sparse_categorical_crossentropy(LABELS, softmax(logits)), rel=1e-13
    )
    assert softmax_crossentropy([0], [[0.0], [0.0]]) == pytest.approx(math.log(2), rel=1e-15)


def test_softmax_crossentropy_stays_exact_where_probabilities_underflow():
    assert softmax_crossentropy([1], [[0.0], [-200.0]]) == pytest.approx(200.0, rel=1e-15)
    assert softmax_crossentropy([1], [[1000.0], [0.0]]) == pytest.approx(1000.0, rel=1e-15)
    # The clipped loss on probabilities cannot tell these apart.
    assert sparse_categorical_crossentropy([1], softmax([[1000.0], [0.0]])) == pytest.approx(
        -math.log(EPSILON)
    )


@pytest.mark.parametrize("seed", range(3))
def test_softmax_crossentropy_grad_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(4, 3))
    labels = rng.integers(0, 4, size=3)
    numeric = gradient(lambda z: softmax_crossentropy(labels, z), logits)
    np.testing.assert_allclose(softmax_crossentropy_grad(labels, logits), numeric, atol=1e-9)


def test_softmax_crossentropy_grad_is_prediction_minus_target():
    logits = np.array([[2.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    expected = (softmax(logits) - one_hot([0, 2], 3)) / 2
    np.testing.assert_allclose(softmax_crossentropy_grad([0, 2], logits), expected, rtol=1e-15)


def test_softmax_crossentropy_leaves_its_inputs_alone():
    logits = np.array([[2.0, 0.0], [1.0, 0.0]])
    labels = np.array([0, 1])
    softmax_crossentropy(labels, logits)
    grad = softmax_crossentropy_grad(labels, logits)
    np.testing.assert_array_equal(logits, [[2.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(labels, [0, 1])
    assert not np.shares_memory(grad, logits)


@pytest.mark.parametrize("function", [softmax_crossentropy, softmax_crossentropy_grad])
def test_softmax_crossentropy_rejects_bad_input(function):
    with pytest.raises(ValueError, match=r"logits must be a 2-D array; got shape \(2,\)"):
        function([0], [0.0, 1.0])
    with pytest.raises(
        ValueError,
        match=r"labels must lie in \[0, 2\), one class per row of logits; got values up to 2",
    ):
        function([2], [[0.0], [1.0]])
    with pytest.raises(ValueError, match="logits must hold finite numbers"):
        function([0], [[np.inf], [1.0]])
    with pytest.raises(ValueError, match=r"labels must have one entry per column .*\(1\); got 2"):
        function([0, 1], [[0.0], [1.0]])


@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 4))
def test_cross_entropy_chained_with_softmax_is_the_fused_gradient(seed, classes, examples):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(classes, examples))
    labels = rng.integers(0, classes, size=examples)
    probs = softmax(logits)
    chained = ACTIVATIONS["softmax"].backward(
        logits, sparse_categorical_crossentropy_grad(labels, probs)
    )
    np.testing.assert_allclose(chained, softmax_crossentropy_grad(labels, logits), atol=1e-12)


# --- accuracy -------------------------------------------------------------------------------------


def test_accuracy_counts_the_columns_whose_top_score_is_the_label():
    assert accuracy([0, 1, 1], [[0.9, 0.2, 0.6], [0.1, 0.8, 0.4]]) == pytest.approx(2 / 3)
    assert accuracy(LABELS, PROBS) == 1.0
    assert accuracy([1, 0, 0], PROBS) == 0.0
    assert type(accuracy(LABELS, PROBS)) is float


def test_accuracy_rejects_bad_input():
    with pytest.raises(ValueError, match=r"scores must be a 2-D array; got shape \(3,\)"):
        accuracy([0], [0.1, 0.2, 0.7])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        accuracy([5, 0, 0], PROBS)


# --- the table used by the trainer -------------------------------------------------------------


def test_the_table_of_losses():
    assert set(LOSSES) == {"mse", "sparse_categorical_crossentropy", "categorical_crossentropy"}
    for name, entry in LOSSES.items():
        assert isinstance(entry, Loss)
        assert entry.name == name
        assert get_loss(name) is entry
    assert LOSSES["mse"].loss is mse
    assert LOSSES["mse"].grad is mse_grad
    assert (LOSSES["mse"].targets, LOSSES["mse"].output, LOSSES["mse"].joint_grad) == (
        "values",
        None,
        None,
    )
    sparse, dense = LOSSES["sparse_categorical_crossentropy"], LOSSES["categorical_crossentropy"]
    assert (sparse.targets, dense.targets) == ("labels", "one-hot")
    assert sparse.output == dense.output == "softmax"
    assert sparse.loss is sparse_categorical_crossentropy
    assert sparse.joint_loss is softmax_crossentropy
    assert sparse.joint_grad is softmax_crossentropy_grad
    assert sparse.classifies
    assert dense.classifies
    assert not LOSSES["mse"].classifies


@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 6))
def test_each_entry_is_its_loss_and_gradient_for_one_hot_and_label_targets(seed, classes, n):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(classes, n))
    labels = rng.integers(0, classes, size=n)
    sparse, dense = LOSSES["sparse_categorical_crossentropy"], LOSSES["categorical_crossentropy"]
    targets = one_hot(labels, classes)
    assert dense.joint_loss(targets, logits) == sparse.joint_loss(labels, logits)
    np.testing.assert_array_equal(
        dense.joint_grad(targets, logits), sparse.joint_grad(labels, logits)
    )
    probs = softmax(logits)
    # The joint loss is the loss of the probabilities (while none is clipped).
    assert sparse.joint_loss(labels, logits) == pytest.approx(sparse.loss(labels, probs))
    # ... and the joint gradient is the loss's gradient chained through the softmax.
    chained = ACTIVATIONS["softmax"].backward(logits, dense.grad(targets, probs))
    np.testing.assert_allclose(dense.joint_grad(targets, logits), chained, atol=1e-12)


def mean_absolute_error():
    return Loss(
        "mae",
        loss=lambda y, y_hat: float(np.mean(np.abs(y_hat - y))),
        grad=lambda y, y_hat: np.sign(y_hat - y) / np.size(y),
        targets="values",
    )


def test_register_loss_adds_an_entry_that_get_loss_finds():
    entry = register_loss(mean_absolute_error())
    try:
        assert get_loss("mae") is entry
        with pytest.raises(ValueError, match="a loss named 'mae' is already registered"):
            register_loss(mean_absolute_error())
    finally:
        del LOSSES["mae"]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"name": ""}, ValueError, "name must be a non-empty string"),
        ({"name": "mse"}, ValueError, "a loss named 'mse' is already registered"),
        ({"loss": "mean"}, TypeError, "the loss's loss must be callable; got 'mean'"),
        ({"grad": None}, TypeError, "the loss's loss and grad must both be given"),
        ({"targets": "classes"}, ValueError, "the loss's targets must be one of"),
        ({"output": "gelu"}, ValueError, "the loss's output must be None or an activation"),
        ({"joint_grad": mse_grad}, ValueError, "give both joint_loss and joint_grad"),
        (
            {"joint_grad": mse_grad, "joint_loss": mse},
            ValueError,
            "joint_loss and joint_grad are for losses with output='softmax'",
        ),
    ],
)
def test_register_loss_rejects_bad_entries(change, error, message):
    entry = mean_absolute_error()._replace(**change)
    with pytest.raises(error, match=message):
        register_loss(entry)
    assert "mae" not in LOSSES
    with pytest.raises(TypeError, match=r"entry must be a dlmath\.losses\.Loss"):
        register_loss(("mae", mse, mse_grad))


@pytest.mark.parametrize("name", ["hinge", "MSE", None, 1])
def test_get_loss_rejects_unknown_names(name):
    message = r"loss name must be one of 'mse', 'sparse_categorical_crossentropy', .*; got"
    with pytest.raises(ValueError, match=message):
        get_loss(name)


# --- Keras --------------------------------------------------------------------------------------


@pytest.mark.keras
def test_mse_matches_keras(keras):
    rng = np.random.default_rng(3)
    y, y_hat = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    # Keras: one example per row.
    theirs = keras.losses.MeanSquaredError()(y.T.astype(np.float32), y_hat.T.astype(np.float32))
    assert mse(y.astype(np.float32), y_hat.astype(np.float32)) == pytest.approx(
        float(theirs), rel=1e-6
    )
    assert mse(SLIDES_Y, SLIDES_PREDICTIONS) == pytest.approx(
        float(keras.losses.MeanSquaredError()([SLIDES_Y], [SLIDES_PREDICTIONS])), rel=1e-6
    )


def keras_probabilities():
    probs = np.random.default_rng(4).dirichlet(np.ones(4), size=6).T.astype(np.float32)
    probs[:, 0] = [0.5, 0.5, 0.0, 0.0]  # a zero probability for the true class
    labels = np.array([2, 0, 1, 3, 3, 1])
    return labels, probs


@pytest.mark.keras
def test_sparse_categorical_crossentropy_matches_keras(keras):
    labels, probs = keras_probabilities()
    theirs = keras.losses.SparseCategoricalCrossentropy()(labels, probs.T)
    ours = sparse_categorical_crossentropy(labels, probs)
    assert ours == pytest.approx(float(theirs), rel=1e-6)
    assert ours > -math.log(EPSILON) / 6  # the zero probability is in it


@pytest.mark.keras
def test_categorical_crossentropy_matches_keras(keras):
    labels, probs = keras_probabilities()
    targets = one_hot(labels, 4).astype(np.float32)
    theirs = keras.losses.CategoricalCrossentropy()(targets.T, probs.T)
    assert categorical_crossentropy(targets, probs) == pytest.approx(float(theirs), rel=1e-6)
    # Per example, too.
    per_example = keras.ops.convert_to_numpy(
        keras.losses.categorical_crossentropy(targets.T, probs.T)
    )
    for i in range(6):
        assert categorical_crossentropy(targets[:, [i]], probs[:, [i]]) == pytest.approx(
            float(per_example[i]), rel=1e-6
        )


# --- exactness -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_crossentropy_grad_is_exactly_p_minus_y_over_n(dtype):
    rng = np.random.default_rng(8)
    logits = (rng.normal(size=(10, 64)) * rng.choice([1.0, 30.0, 300.0], size=64)).astype(dtype)
    labels = rng.integers(0, 10, size=64)
    grad = softmax_crossentropy_grad(labels, logits)
    assert grad.dtype == dtype
    expected = (softmax(logits) - one_hot(labels, 10).astype(dtype)) / 64
    np.testing.assert_array_equal(grad, expected)


def test_tiny_probabilities_are_kept_in_the_public_gradient():
    # exp(-80) ~ 1.8e-35 is below eps² of the largest probability; it is still there.
    grad = softmax_crossentropy_grad([0, 0], [[0.0, 0.0], [-80.0, -70.0]])
    assert grad[1, 0] == pytest.approx(math.exp(-80.0) / 2, rel=1e-12)
    assert grad[1, 1] == pytest.approx(math.exp(-70.0) / 2, rel=1e-12)


def test_probabilities_whose_sum_overflows_are_normalised_correctly():
    huge = np.finfo(np.float64).max / 2
    probs = np.array([[huge, 1.0], [huge, 3.0]])  # the first column sums to infinity
    targets = one_hot([0, 1], 2)
    assert categorical_crossentropy(targets, probs) == pytest.approx(
        -(math.log(0.5) + math.log(0.75)) / 2, rel=1e-12
    )
    grad = categorical_crossentropy_grad(targets, probs)
    assert np.all(np.isfinite(grad))
    # dL/dp for q = p / sum(p): (dL/dq - sum dL/dq q) / sum(p); the first column's sum is
    # 2 * huge, so its entries are tiny but exact ratios of the second's pattern.
    expected_first = np.array([-1.0 / 0.5 / 2 + 1.0 / 2, 1.0 / 2]) / (2 * huge)
    np.testing.assert_allclose(grad[:, 0], expected_first, rtol=1e-12)
