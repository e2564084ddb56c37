"""Tests of dlmath.mnist.model: the slides' model, the training helper, and the check of
the arguments that both backends share."""

from __future__ import annotations

import numpy as np
import pytest

from dlmath.mnist import build_model, images_to_columns, load_mnist_sample, train_and_evaluate
from dlmath.mnist.model import check_run


# === build_model =====================================================================
def test_build_model_architecture_and_initialisation():
    model = build_model(seed=0)
    W1, B1, W2, B2 = model.parameters()
    assert [p.shape for p in (W1, B1, W2, B2)] == [(512, 784), (512, 1), (10, 512), (10, 1)]
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert [layer.activation for layer in model.layers] == ["relu", "softmax"]
    assert not B1.any()
    assert not B2.any()
    for W, fan in ((W1, 784 + 512), (W2, 512 + 10)):
        limit = np.sqrt(6 / fan)
        assert np.abs(W).max() <= limit
        # Uniform on [-limit, limit]: standard deviation limit / sqrt(3), mean 0.
        assert W.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
        assert abs(W.mean()) < 0.02 * limit


def test_build_model_seeds():
    first, again, other = build_model(0), build_model(0), build_model(1)
    for a, b in zip(first.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.layers[0].W, other.layers[0].W)
    with pytest.raises(ValueError, match="seed"):
        build_model(-1)


# === train_and_evaluate ==============================================================
@pytest.fixture(scope="module")
def sample_split():
    x, y = load_mnist_sample()
    return (x[:800], y[:800]), (x[800:], y[800:])


def test_train_and_evaluate_learns_and_is_reproducible(sample_split):
    train, test = sample_split
    result = train_and_evaluate(train, test, scale=True, epochs=8, seed=3)
    again = train_and_evaluate(train, test, scale=True, epochs=8, seed=3)
    assert result.backend == "numpy"
    assert result.scale
    assert result.epochs == 8
    assert len(result.history["loss"]) == 8
    assert len(result.history["accuracy"]) == 8
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.train_accuracy > 0.9
    assert result.test_accuracy > 0.8
    assert result.history == again.history
    assert result.test_accuracy == again.test_accuracy
    assert result.fit_seconds > 0
    # The accuracies are those of the returned model on the data.
    X_test = images_to_columns(test[0], scale=True)
    predictions = result.model.predict(X_test).argmax(axis=0)
    assert result.test_accuracy == pytest.approx(np.mean(predictions == test[1]))


def test_train_and_evaluate_uses_the_given_model_and_callbacks(sample_split):
    train, test = sample_split
    model = build_model(5)
    events = []

    class Recorder:
        def on_epoch_begin(self, epoch):
            events.append(("begin", epoch))

        def on_epoch_end(self, epoch, logs):
            events.append(("end", epoch, sorted(logs)))

    result = train_and_evaluate(train, test, epochs=2, model=model, callbacks=[Recorder()])
    assert result.model is model
    assert events == [
        ("begin", 0),
        ("end", 0, ["accuracy", "loss"]),
        ("begin", 1),
        ("end", 1, ["accuracy", "loss"]),
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"scale": "yes"}, TypeError, "scale"),
        ({"model": "model"}, TypeError, "Sequential"),
    ],
)
def test_train_and_evaluate_validates_settings(sample_split, kwargs, error, words):
    train, test = sample_split
    with pytest.raises(error, match=words):
        train_and_evaluate(train, test, **kwargs)


def test_train_and_evaluate_validates_data(sample_split):
    (x, y), test = sample_split
    with pytest.raises(ValueError, match="one label per image"):
        train_and_evaluate((x, y[:-1]), test)
    bad = y.copy()
    bad[0] = 10
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        train_and_evaluate((x, bad), test)
    with pytest.raises(TypeError, match="pair"):
        train_and_evaluate(x, test)


# === check_run ========================================================================
def test_check_run_returns_rows_labels_and_settings_without_copying(sample_split):
    (x, y), (xt, yt) = sample_split
    (rows, labels), (test_rows, _), epochs, batch_size, seed = check_run(
        (x, y), (xt.reshape(len(xt), 784), yt), True, 2, 64, 7
    )
    assert rows.shape == (800, 784)
    assert test_rows.shape == (200, 784)
    assert np.shares_memory(rows, x)  # a view of the caller's images, not a copy
    np.testing.assert_array_equal(labels, y)
    assert labels.dtype.kind == "i"
    assert (epochs, batch_size, seed) == (2, 64, 7)
    assert all(type(v) is int for v in (epochs, batch_size, seed))


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((1, 5, 128, 0), TypeError, "scale must be True or False"),
        ((False, 0, 128, 0), ValueError, "epochs must be at least 1"),
        ((False, 5, 2.0, 0), TypeError, "batch_size must be an integer"),
        ((False, 5, 128, -1), ValueError, "seed must be a non-negative integer"),
    ],
)
def test_check_run_names_the_bad_setting(sample_split, args, error, words):
    train, test = sample_split
    with pytest.raises(error, match=words):
        check_run(train, test, *args)


def test_check_run_names_the_bad_split(sample_split):
    train, (xt, yt) = sample_split
    with pytest.raises(ValueError, match="test must have one label per image"):
        check_run(train, (xt, yt[:-1]), False, 1, 1, 0)
    with pytest.raises(TypeError, match="train must be a pair"):
        check_run(train[0], (xt, yt), False, 1, 1, 0)
    with pytest.raises(ValueError, match=r"test images must have shape \(N, 28, 28\)"):
        check_run(train, (xt[:, :27], yt), False, 1, 1, 0)
