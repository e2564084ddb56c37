r"""The slides' Keras code, run side by side with dlmath, and weights moved between them.

The slides fit their MNIST model with Keras (TensorFlow). This module runs that code as
the slides write it (:func:`train_and_evaluate`), so that dlmath's results and speed can
be compared with Keras's on the same data, and converts weights both ways
(:func:`keras_to_dlmath`, :func:`dlmath_to_keras`), so that both can start from the
same initial weights.

**Shape convention.** Keras keeps one example per *row* and a ``Dense`` layer computes
``X @ kernel + bias`` with ``kernel`` of shape (inputs, outputs) and ``bias`` of shape
(outputs,). dlmath keeps one example per *column* and computes ``W·X + B`` with ``W``
of shape (outputs, inputs) and ``B`` of shape (outputs, 1). Hence

.. math:: W = \text{kernel}^\top, \qquad B = \text{bias as a column}.

TensorFlow is imported only inside these functions, never by ``import dlmath`` or
``import dlmath.keras_reference``; without it, they raise
:class:`KerasUnavailableError`, which names the install extra
(``pip install "dlmath[keras]"``).

References
----------
.. [1] Chollet, F. et al. (2015). Keras. https://keras.io
"""

from __future__ import annotations

import os
import time

import numpy as np

from dlmath._validation import check_non_negative_int
from dlmath.layers import Dense, Sequential
from dlmath.mnist.model import TrainingResult, check_run

__all__ = [
    "KerasUnavailableError",
    "build_keras_model",
    "dlmath_to_keras",
    "import_keras",
    "keras_to_dlmath",
    "train_and_evaluate",
]

_INSTALL = 'pip install "dlmath[keras]"'


class KerasUnavailableError(ImportError):
    """TensorFlow (with Keras) is not installed; the message says how to install it."""


def import_keras():
    """Import TensorFlow and its Keras, with TensorFlow's C++ log limited to errors.

    Returns
    -------
    tf : module
        ``tensorflow``.
    keras : module
        ``tensorflow.keras`` (Keras 3), as the slides import it.

    Raises
    ------
    KerasUnavailableError
        If TensorFlow cannot be imported; the message names the install extra.

    Notes
    -----
    ``TF_CPP_MIN_LOG_LEVEL`` is set to ``"2"`` (unless already set) before the import,
    which hides TensorFlow's informational messages and warnings.

    Examples
    --------
    >>> from dlmath.keras_reference import KerasUnavailableError, import_keras
    >>> try:
    ...     tf, keras = import_keras()
    ...     found = hasattr(keras, "Sequential")
    ... except KerasUnavailableError as error:
    ...     found = "dlmath[keras]" in str(error)
    >>> found
    True
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
        from tensorflow import keras
    except ImportError as exc:
        raise KerasUnavailableError(
            "dlmath.keras_reference needs TensorFlow (with Keras), which could not be "
            f"imported ({exc}). Install it with: {_INSTALL}"
        ) from exc
    return tf, keras


def build_keras_model(seed: int = 0, *, deterministic: bool = False):
    """The slides' Keras model, compiled as the slides compile it and built for 784 inputs.

    Parameters
    ----------
    seed : int, optional
        Passed to ``keras.utils.set_random_seed`` before the weights are drawn; it also
        fixes the shuffling of a following ``fit``.
    deterministic : bool, optional
        Also call ``tf.config.experimental.enable_op_determinism()`` (for the whole
        process, irreversibly), so that TensorFlow's operations give the same bits
        on every run.

    Returns
    -------
    keras.Sequential
        ``Dense(512, activation="relu")`` then ``Dense(10, activation="softmax")``,
        compiled with ``loss="sparse_categorical_crossentropy"``,
        ``optimizer="rmsprop"`` and ``metrics=["accuracy"]``.

    Raises
    ------
    KerasUnavailableError
        If TensorFlow is not installed.

    Examples
    --------
    >>> from dlmath.keras_reference import build_keras_model
    >>> model = build_keras_model(seed=0)
    >>> [w.shape for w in model.get_weights()]
    [(784, 512), (512,), (512, 10), (10,)]
    """
    seed = check_non_negative_int(seed, "seed")
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic must be True or False; got {deterministic!r}")
    tf, keras = import_keras()
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    # The slides' code, word for word:
    layers = keras.layers
    model = keras.Sequential(
        [layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.build((None, 28 * 28))  # the slides let the first fit do this
    return model


def _dense_layers(keras_model) -> list:
    layers = getattr(keras_model, "layers", None)
    if layers is None:
        raise TypeError(f"keras_model must be a Keras model; got {keras_model!r:.60}")
    if not layers:
        raise ValueError("keras_model has no layers")
    for k, layer in enumerate(layers):
        if type(layer).__name__ != "Dense":
            raise ValueError(f"keras_model.layers[{k}] must be a Dense layer; got {layer!r:.60}")
        if not layer.built:
            raise ValueError(
                f"keras_model.layers[{k}] has no weights yet: build the model first "
                "(model.build((None, n_inputs)))"
            )
        if not layer.use_bias:
            raise ValueError(f"keras_model.layers[{k}] must use a bias")
    return list(layers)


def keras_to_dlmath(keras_model) -> Sequential:
    """A dlmath model with the architecture and the current weights of a Keras model.

    Parameters
    ----------
    keras_model : keras.Sequential
        A built model of ``Dense`` layers (with biases).

    Returns
    -------
    dlmath.layers.Sequential
        A model of the Keras weights' dtype (float32, unless Keras's ``floatx`` is
        float64) whose layer :math:`k` has ``W = kernel.T`` and ``B = bias[:, None]``
        and the same activation.

    Notes
    -----
    Keras computes :math:`Y = X K + b` on one example per row; transposing gives
    dlmath's :math:`Y^\top = K^\top X^\top + b^\top`, one example per column.

    Examples
    --------
    >>> from dlmath.keras_reference import build_keras_model, keras_to_dlmath
    >>> keras_model = build_keras_model(seed=0)
    >>> model = keras_to_dlmath(keras_model)
    >>> bool((model.layers[0].W == keras_model.get_weights()[0].T).all())
    True
    """
    layers = []
    for layer in _dense_layers(keras_model):
        kernel, bias = (np.asarray(w) for w in layer.get_weights())
        activation = layer.get_config()["activation"]
        if not isinstance(activation, str):
            raise ValueError(f"unsupported Keras activation {activation!r}")
        layers.append(Dense.from_weights(kernel.T, bias.reshape(-1, 1), activation))
    return Sequential(layers)


def dlmath_to_keras(model: Sequential, keras_model=None):
    """Copy a dlmath model's weights into a Keras model (built when not given).

    Parameters
    ----------
    model : dlmath.layers.Sequential
        The source.
    keras_model : keras.Sequential, optional
        A built Keras model of ``Dense`` layers with the same shapes and activations.
        When omitted, one is made and compiled as the slides compile theirs.

    Returns
    -------
    keras.Sequential
        ``keras_model`` (modified), whose layer :math:`k` now has ``kernel = W.T`` and
        ``bias = B.ravel()``.

    Raises
    ------
    ValueError
        If the architectures differ.
    KerasUnavailableError
        If TensorFlow is not installed.

    Examples
    --------
    >>> from dlmath.mnist import build_model
    >>> from dlmath.keras_reference import dlmath_to_keras
    >>> model = build_model(seed=1)
    >>> kernel = dlmath_to_keras(model).get_weights()[0]
    >>> bool((kernel == model.layers[0].W.T).all())
    True
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a dlmath Sequential; got {model!r:.60}")
    _, keras = import_keras()
    if keras_model is None:
        keras_model = keras.Sequential(
            [keras.layers.Dense(layer.n_out, activation=layer.activation) for layer in model.layers]
        )
        keras_model.compile(
            loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"]
        )
        keras_model.build((None, model.n_in))
    layers = _dense_layers(keras_model)
    if len(layers) != len(model.layers):
        raise ValueError(
            f"keras_model has {len(layers)} layers; the dlmath model has {len(model.layers)}"
        )
    for k, (target, source) in enumerate(zip(layers, model.layers, strict=True)):
        kernel, bias = target.get_weights()
        activation = target.get_config()["activation"]
        if kernel.shape != source.W.T.shape or activation != source.activation:
            raise ValueError(
                f"layer {k}: Keras has kernel {kernel.shape} and {activation!r}; dlmath has "
                f"W {source.W.shape} (kernel {source.W.T.shape}) and {source.activation!r}"
            )
        target.set_weights([source.W.T.astype(kernel.dtype), source.B.ravel().astype(bias.dtype)])
    return keras_model


def _adapt_callbacks(keras, callbacks):
    """Wrap dlmath-style callbacks (``on_epoch_begin(epoch)``, ...) for Keras."""

    def plain(logs):
        return {key: float(logs[key]) for key in ("loss", "accuracy") if key in (logs or {})}

    class Adapter(keras.callbacks.Callback):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def on_epoch_begin(self, epoch, logs=None):
            if hasattr(self.inner, "on_epoch_begin"):
                self.inner.on_epoch_begin(epoch)

        def on_train_batch_end(self, batch, logs=None):
            if hasattr(self.inner, "on_batch_end"):
                self.inner.on_batch_end(batch, plain(logs))

        def on_epoch_end(self, epoch, logs=None):
            if hasattr(self.inner, "on_epoch_end"):
                self.inner.on_epoch_end(epoch, plain(logs))

    return [Adapter(callback) for callback in callbacks or []]


def train_and_evaluate(
    train,
    test,
    *,
    scale: bool = False,
    epochs: int = 5,
    batch_size: int = 128,
    seed: int = 0,
    shuffle: bool = True,
    model=None,
    callbacks=None,
) -> TrainingResult:
    """Run the slides' Keras code: fit the model, then evaluate it on both sets.

    Parameters
    ----------
    train, test : tuple (images, labels)
        Images of shape (N, 28, 28) or (N, 784) with labels 0..9, as
        :func:`dlmath.mnist.load_mnist` returns them.
    scale : bool, optional
        Divide the pixels by 255 (``images.astype("float32") / 255``); the slides fit
        the raw pixels.
    epochs, batch_size : int, optional
        As the slides: 5 and 128.
    seed : int, optional
        Seed of the weights and the shuffling (``keras.utils.set_random_seed``); not
        used when ``model`` is given.
    shuffle : bool, optional
        Keras's ``shuffle`` (shuffle the training images before each epoch).
    model : keras.Sequential, optional
        A compiled model to fit instead of ``build_keras_model(seed)``.
    callbacks : sequence, optional
        dlmath-style callbacks (see :meth:`dlmath.layers.Sequential.fit`), called by
        Keras with the running ``loss`` and ``accuracy``.

    Returns
    -------
    dlmath.mnist.TrainingResult
        With ``backend="keras"`` and the Keras model.

    Raises
    ------
    KerasUnavailableError
        If TensorFlow is not installed.

    Notes
    -----
    The slides' steps: reshape the images to (N, 784), ``model.fit(train_images,
    train_labels, epochs=5, batch_size=128, verbose=0)``, then
    ``model.evaluate(..., verbose=0)`` on the training and the test images (Keras's
    default evaluation batch size, 32). ``fit_seconds`` times the fit alone.

    Examples
    --------
    >>> from dlmath.mnist import load_mnist_sample
    >>> from dlmath.keras_reference import train_and_evaluate
    >>> x, y = load_mnist_sample()
    >>> result = train_and_evaluate((x[:800], y[:800]), (x[800:], y[800:]))
    >>> result.backend, result.test_accuracy > 0.7
    ('keras', True)
    """
    (train_images, train_labels), (test_images, test_labels), epochs, batch_size, seed = check_run(
        train, test, scale, epochs, batch_size, seed
    )
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
    _, keras = import_keras()
    if model is None:
        model = build_keras_model(seed)
    _dense_layers(model)
    if scale:  # Chollet's variant; the slides feed the raw pixels
        train_images = train_images.astype("float32") / 255
        test_images = test_images.astype("float32") / 255
    started = time.perf_counter()
    history = model.fit(
        train_images,
        train_labels,
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        shuffle=shuffle,
        callbacks=_adapt_callbacks(keras, callbacks),
    )
    fit_seconds = time.perf_counter() - started
    train_loss, train_accuracy = model.evaluate(train_images, train_labels, verbose=0)
    test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    return TrainingResult(
        backend="keras",
        train_accuracy=float(train_accuracy),
        test_accuracy=float(test_accuracy),
        train_loss=float(train_loss),
        test_loss=float(test_loss),
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        fit_seconds=fit_seconds,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        scale=scale,
        model=model,
    )
