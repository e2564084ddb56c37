"""Tests of dlmath.keras_reference, and the equivalence of dlmath with Keras.

The tests marked ``keras`` need TensorFlow; without it they are skipped, with the reason
shown by ``pytest -ra``. The others check what must hold without TensorFlow: importing
dlmath never imports it, and a clear error names the install extra.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dlmath.mnist as mnist
from dlmath.keras_reference import KerasUnavailableError, import_keras
from dlmath.layers import Dense, Sequential
from dlmath.mnist import images_to_columns, load_mnist, load_mnist_sample
from dlmath.optimizers import RMSprop

HAVE_TF = importlib.util.find_spec("tensorflow") is not None
NO_TF = 'TensorFlow is not installed: pip install "dlmath[keras]"'
REAL_MNIST = os.environ.get("DLMATH_MNIST")
BATCH = 128


# === without TensorFlow ==============================================================
def test_importing_dlmath_never_imports_tensorflow():
    code = (
        "import sys, dlmath, dlmath.mnist, dlmath.keras_reference\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_missing_tensorflow_names_the_install_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    with pytest.raises(KerasUnavailableError, match=re.escape('pip install "dlmath[keras]"')):
        import_keras()
    assert issubclass(KerasUnavailableError, ImportError)


# === helpers =========================================================================
@pytest.fixture
def keras_float(request):
    """Keras's floatx and dtype policy for one test (``request.param``), then restored.

    Keras caches its global dtype policy at the first layer it builds, so both must
    be set for a new float type to take effect.
    """
    _, keras = import_keras()
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(request.param)
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(policy)


def training_images():
    """The real training set when DLMATH_MNIST names it, else the bundled sample."""
    if REAL_MNIST and Path(REAL_MNIST).is_file():
        (x, y), _ = load_mnist(REAL_MNIST)
        return x, y
    return load_mnist_sample()


def shuffled_rows(dtype: str, scale: bool, seed: int = 0):
    """Training images as rows (N, 784) of ``dtype``, in one fixed shuffled order.

    The same rows feed both libraries: Keras as they are, dlmath transposed (a view),
    both fitted with ``shuffle=False``, so that every batch is the same.
    """
    x, y = training_images()
    order = np.random.default_rng(seed).permutation(len(y))
    rows = x[order].reshape(len(y), 784).astype(dtype)
    if scale:
        rows = rows / np.asarray(255, dtype)  # as Keras users write it: astype, then / 255
    return rows, y[order]


def same_start(seed: int = 0):
    """A Keras model and a dlmath model with the same initial weights (Keras's)."""
    from dlmath.keras_reference import build_keras_model, keras_to_dlmath

    keras_model = build_keras_model(seed, deterministic=True)
    return keras_model, keras_to_dlmath(keras_model)


def differences(keras_model, model) -> tuple[float, float]:
    """Largest absolute difference of the parameters, and the largest relative one
    (absolute difference over the largest magnitude of that parameter array)."""
    from dlmath.keras_reference import keras_to_dlmath

    worst_abs = worst_rel = 0.0
    for a, b in zip(keras_to_dlmath(keras_model).parameters(), model.parameters(), strict=True):
        diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
        worst_abs = max(worst_abs, diff)
        worst_rel = max(worst_rel, diff / float(np.max(np.abs(a))))
    return worst_abs, worst_rel


def steps_for(engine: str, n: int) -> int:
    """Steps compared with Keras: a whole epoch for the fast engine, and the first 120
    for the reference engine, which tests/test_engines.py proves equal to the fast one
    (and which is slower, in float64 most of all)."""
    epoch = -(-n // BATCH)
    return epoch if engine == "fast" else min(epoch, 120)


def fit_both(keras_model, model, optimizer, rows, y, start: int, stop: int, engine: str):
    """Fit both models on batches ``start:stop`` of ``rows``, in order; their histories.

    dlmath trains with ``engine``, the reference engine (the book's loop) or the fast one.
    """
    part = slice(start * BATCH, stop * BATCH)
    keras_history = keras_model.fit(
        rows[part], y[part], epochs=1, batch_size=BATCH, shuffle=False, verbose=0
    ).history
    dlmath_history = model.fit(
        rows[part].T,
        y[part],
        epochs=1,
        batch_size=BATCH,
        shuffle=False,
        verbose=0,
        optimizer=optimizer,
        engine=engine,
    )
    n = len(y[part])
    return n, keras_history, dlmath_history


# === equivalence with Keras ==========================================================
@pytest.mark.parametrize("keras_float", ["float64"], indirect=True)
@pytest.mark.usefixtures("keras_float")
@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_one_epoch_in_float64_gives_keras_weights_to_rounding(engine):
    """One epoch of the slides' model (pixels / 255), dlmath against Keras, in float64.

    dlmath trains with each engine: the fast one for the whole epoch, the reference one
    (the loop the book explains) for its first 120 steps (see :func:`steps_for`).

    Both start from Keras's initial weights and see the same 469 batches (the data are
    shuffled once, by us, and both fit with ``shuffle=False``), with RMSprop's defaults.

    Measured on real MNIST (60,000 images, 469 steps): the weights differ by at most
    5.0e-16 in absolute value and 1.8e-15 relative to each array's largest weight (a
    few float64 ulps); the epoch's loss agrees to 1e-16 and the accuracy exactly.

    Tolerance asserted: 1e-12 relative (a thousand times the measured difference, and
    still four orders of magnitude below float32's resolution, 6e-8). Anything that
    differs in the algorithm (RMSprop's epsilon outside the square root, rho, the
    learning rate, the loss's mean, the bias gradient, the batch order) moves the
    weights by far more than this: running dlmath with ``rho=0.9000001`` instead of
    0.9, or ``epsilon=1.1e-7`` instead of 1e-7, leaves weights 0.22 and 0.26 apart
    (relative) after the epoch.

    Float64 is what makes this comparison sharp; in float32 see the next test.
    """
    rows, y = shuffled_rows("float64", scale=True)
    keras_model, model = same_start(seed=0)
    assert model.dtype == np.float64
    batches = steps_for(engine, len(y))
    _, keras_history, dlmath_history = fit_both(
        keras_model, model, RMSprop(), rows, y, 0, batches, engine
    )
    worst_abs, worst_rel = differences(keras_model, model)
    assert worst_rel < 1e-12, (worst_abs, worst_rel)
    assert dlmath_history["loss"][0] == pytest.approx(keras_history["loss"][0], rel=1e-12)
    assert dlmath_history["accuracy"][0] == pytest.approx(keras_history["accuracy"][0], abs=1e-12)


@pytest.mark.parametrize("keras_float", ["float32"], indirect=True)
@pytest.mark.usefixtures("keras_float")
@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_one_epoch_in_float32_agrees_with_keras(engine):
    """The slides' float32 model (pixels / 255): one epoch of dlmath against Keras.

    Same initial weights, same batches, as above, in float32. Measured on real MNIST:

    * step after step the weights agree to float32 precision: 1.5e-8 apart after the
      first steps, 1.0e-7 after 150 (3 ulps of the largest weights, about 0.27);
    * at step 240 they part, to 6.9e-5, and at step 251 to 7.8e-4: a ReLU whose input
      is within rounding of zero for some image (e.g. -2e-7 in one library, +2e-7 in
      the other) is active in one library and not in the other. That image's gradient
      then reaches the weights of one but not the other, and RMSprop, which divides by
      the running root mean square of the gradient, makes it a full-sized step for a
      neuron that is rarely active. Such near-ties multiply as the weights part (one at
      step 240, tens per step by step 290), and after the epoch the weights are up to
      1.5e-2 apart. Any two float32 implementations that sum in different orders
      (Keras on Eigen/oneDNN, dlmath on OpenBLAS) do this; in float64 no such near-tie
      occurs within the epoch and the weights agree to 1e-15 (previous test). On the
      bundled sample the first near-tie comes at step 4.
    * the epoch's running loss and accuracy still agree: 0.261831 against 0.261833
      (7e-6 relative) and 0.924717 against 0.924683 (2 images of 60,000).

    Asserted: for every step up to the first one in which an activation differs (the
    ReLU pattern of the batch, computed by each library from its own weights) and at
    most the first 60 steps (each is a separate ``fit`` call, about 0.1 s), the
    weights agree to 1e-6 (about 30 ulps; ten times the 1.0e-7 measured after 150
    steps); then, over the whole epoch, 1e-4 relative on the loss and 1e-3 on the
    accuracy (60 images), and the two trained models agree on the bundled sample's
    1,000 images to within 0.5 % accuracy.
    """
    rows, y = shuffled_rows("float32", scale=True)
    keras_model, model = same_start(seed=0)
    assert model.dtype == np.float32
    optimizer = RMSprop()
    batches = steps_for(engine, len(y))
    parts = []  # (examples, Keras history, dlmath history) of each fit call
    checked = 0
    while checked < min(60, batches):
        batch = rows[checked * BATCH : (checked + 1) * BATCH]
        active_keras = np.asarray(keras_model.layers[0](batch)).T > 0
        active_dlmath = model.layers[0].forward(batch.T) > 0
        if np.any(active_keras != active_dlmath):
            break  # a near-tie at zero: from here on the weights may part
        parts.append(fit_both(keras_model, model, optimizer, rows, y, checked, checked + 1, engine))
        checked += 1
        worst_abs, worst_rel = differences(keras_model, model)
        assert worst_abs < 1e-6, (checked, worst_abs, worst_rel)
    assert checked >= 3  # real MNIST: 60 (no near-tie before step 240); the sample: 3
    if checked < batches:
        parts.append(fit_both(keras_model, model, optimizer, rows, y, checked, batches, engine))
    seen = sum(n for n, _, _ in parts)
    assert seen == min(len(y), batches * BATCH)

    def epoch(which: int, key: str) -> float:
        return sum(part[0] * part[which][key][0] for part in parts) / seen

    assert epoch(2, "loss") == pytest.approx(epoch(1, "loss"), rel=1e-4)
    assert epoch(2, "accuracy") == pytest.approx(epoch(1, "accuracy"), abs=1e-3)
    x_test, y_test = load_mnist_sample()
    X = images_to_columns(x_test, scale=True)
    dlmath_accuracy = model.evaluate(X, y_test)[1]
    keras_accuracy = keras_model.evaluate(X.T, y_test, verbose=0)[1]
    assert dlmath_accuracy == pytest.approx(keras_accuracy, abs=0.005)


@pytest.mark.parametrize("keras_float", ["float64"], indirect=True)
@pytest.mark.usefixtures("keras_float")
@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_raw_pixels_first_steps_agree_with_keras(engine):
    """The slides' raw pixels 0..255, in float64: the first 20 steps agree with Keras.

    Measured on real MNIST: 6.9e-15 apart after one step (9.7e-14 relative), 1.2e-12
    after 20 (2.2e-11 relative). On raw pixels the training is chaotic: the first layer's outputs
    are in the hundreds, the loss jumps between 10 and 250 in the first steps, and any
    difference grows about tenfold every two to three steps (5e-10 after 30 steps,
    3e-4 after 50, 1e-2 after 60), in float64 as in float32. After one epoch the two
    libraries' weights are as different as two runs with different seeds, although
    each step computes the same thing: compare raw and scaled runs statistically (the
    benchmark does), not weight by weight.

    Tolerance asserted: 1e-9 relative after 20 steps (about fifty times the measured
    difference, which is itself rounding amplified by the chaos).
    """
    rows, y = shuffled_rows("float64", scale=False)
    keras_model, model = same_start(seed=0)
    steps = min(20, -(-len(y) // BATCH))
    _, keras_history, dlmath_history = fit_both(
        keras_model, model, RMSprop(), rows, y, 0, steps, engine
    )
    worst_abs, worst_rel = differences(keras_model, model)
    assert worst_rel < 1e-9, (worst_abs, worst_rel)
    assert dlmath_history["loss"][0] == pytest.approx(keras_history["loss"][0], rel=1e-9)


# === conversions =====================================================================
@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
def test_weights_round_trip_and_predictions_agree():
    from dlmath.keras_reference import build_keras_model, dlmath_to_keras, keras_to_dlmath

    keras_model = build_keras_model(seed=3)
    model = keras_to_dlmath(keras_model)
    kernel, bias, kernel2, _ = keras_model.get_weights()
    np.testing.assert_array_equal(model.layers[0].W, kernel.T)
    np.testing.assert_array_equal(model.layers[0].B, bias[:, None])
    np.testing.assert_array_equal(model.layers[1].W, kernel2.T)
    assert [layer.activation for layer in model.layers] == ["relu", "softmax"]
    # The forward passes agree (one example per row in Keras, per column in dlmath).
    x, _ = load_mnist_sample()
    X = images_to_columns(x[:50], scale=True)
    np.testing.assert_allclose(keras_model.predict(X.T, verbose=0), model.predict(X).T, atol=1e-6)
    # dlmath -> Keras, into a new model and into an existing one.
    other = mnist.build_model(seed=9)
    for target in (None, keras_model):
        copied = dlmath_to_keras(other, target)
        again = keras_to_dlmath(copied)
        for a, b in zip(again.parameters(), other.parameters(), strict=True):
            np.testing.assert_array_equal(a, b)
    assert copied is keras_model


@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
def test_conversions_validate():
    from dlmath.keras_reference import build_keras_model, dlmath_to_keras, keras_to_dlmath

    _, keras = import_keras()
    with pytest.raises(TypeError, match="Keras model"):
        keras_to_dlmath("model")
    unbuilt = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="build the model first"):
        keras_to_dlmath(unbuilt)
    dropout = keras.Sequential([keras.layers.Dense(3), keras.layers.Dropout(0.5)])
    dropout.build((None, 4))
    with pytest.raises(ValueError, match="must be a Dense layer"):
        keras_to_dlmath(dropout)
    with pytest.raises(ValueError, match="kernel"):
        dlmath_to_keras(
            Sequential([Dense(784, 3, "relu"), Dense(3, 10, "softmax")]), build_keras_model()
        )
    with pytest.raises(ValueError, match="layers"):
        dlmath_to_keras(Sequential([Dense(784, 10, "softmax")]), build_keras_model())
    with pytest.raises(TypeError, match="Sequential"):
        dlmath_to_keras("model")
    with pytest.raises(ValueError, match="seed"):
        build_keras_model(-1)


# === the slides' Keras run ===========================================================
@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
def test_train_and_evaluate_with_keras_on_the_sample():
    from dlmath.keras_reference import train_and_evaluate

    x, y = load_mnist_sample()
    events = []

    class Recorder:
        def on_epoch_begin(self, epoch):
            events.append(("begin", epoch))

        def on_batch_end(self, batch, logs):
            events.append(("batch", batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs):
            events.append(("end", epoch, sorted(logs)))

    result = train_and_evaluate(
        (x[:800], y[:800]), (x[800:], y[800:]), scale=True, epochs=3, callbacks=[Recorder()]
    )
    assert result.backend == "keras"
    assert result.scale
    assert len(result.history["loss"]) == 3
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.train_accuracy > 0.85  # chance: 0.1
    assert result.test_accuracy > 0.7
    assert result.fit_seconds > 0
    assert events[0] == ("begin", 0)
    assert events[1] == ("batch", 0, ["accuracy", "loss"])
    assert events.count(("end", 2, ["accuracy", "loss"])) == 1
    assert sum(e[0] == "batch" for e in events) == 3 * 7  # 800 images in batches of 128
    with pytest.raises(ValueError, match="epochs"):
        train_and_evaluate((x, y), (x, y), epochs=0)
    with pytest.raises(TypeError, match="shuffle"):
        train_and_evaluate((x, y), (x, y), shuffle=1)


@pytest.mark.keras
@pytest.mark.skipif(not HAVE_TF, reason=NO_TF)
def test_cli_keras_backend_saves_weights_dlmath_can_load(capsys, tmp_path):
    path = tmp_path / "keras-weights.npz"
    assert mnist.main(["--sample", "--backend", "keras", "--epochs", "2", "--save", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Trained with keras on the bundled sample" in out
    assert "Epoch 2/2" in err
    trained = dict(re.findall(r"^(train|test) accuracy:\s+([0-9.]+)", out, re.M))
    assert mnist.main(["--sample", "--load", str(path)]) == 0
    loaded = dict(re.findall(r"^(train|test) accuracy:\s+([0-9.]+)", capsys.readouterr().out, re.M))
    # The same weights, evaluated by Keras and by dlmath: at most one image differs.
    assert float(loaded["train"]) == pytest.approx(float(trained["train"]), abs=1 / 800 + 1e-4)
    assert float(loaded["test"]) == pytest.approx(float(trained["test"]), abs=1 / 200 + 1e-4)
