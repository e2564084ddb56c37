r"""The slides' MNIST model, and training it with dlmath.

**Shape convention.** The images come one per row, as Keras gives them (N, 28, 28) or
(N, 784); the model sees them one example per column, (784, N), as
:func:`~dlmath.mnist.images_to_columns` lays them out, and its output for N images is
(10, N), one column of digit probabilities per image.

The slides' "real example" is :func:`~dlmath.mnist.build_model`,
``Dense(784 → 512, relu)`` then ``Dense(512 → 10, softmax)``, fitted with RMSprop on the
sparse categorical cross-entropy for 5 epochs in batches of 128, on the raw pixels
0..255 (:func:`~dlmath.mnist.train_and_evaluate`, whose results are a
:class:`~dlmath.mnist.TrainingResult`). These names are documented, and imported, as
those of :mod:`dlmath.mnist`. :func:`check_run`, the check of the arguments that both
backends share, is also used by :mod:`dlmath.keras_reference`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlmath._validation import as_labels, as_rng, check_non_negative_int, check_positive_int
from dlmath.layers import Dense, Sequential
from dlmath.mnist.data import _N_CLASSES, _N_PIXELS, _image_rows, images_to_columns

__all__ = ["TrainingResult", "build_model", "check_run", "train_and_evaluate"]


def build_model(seed=0) -> Sequential:
    r"""The slides' MNIST model: ``Dense(784 → 512, relu)`` then ``Dense(512 → 10, softmax)``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, optional
        Seed of the initial weights (the same seed gives the same model).

    Returns
    -------
    dlmath.layers.Sequential
        A float32 model with Glorot-uniform weights and zero biases, as Keras
        initialises them; 407,050 parameters.

    Notes
    -----
    For an input column :math:`x \in \mathbb{R}^{784}`,

    .. math::

        p = \operatorname{softmax}\bigl(W_2 \operatorname{relu}(W_1 x + B_1) + B_2\bigr),

    with :math:`W_1` of shape (512, 784) and :math:`W_2` of shape (10, 512): the
    probabilities of the ten digits.

    Examples
    --------
    >>> from dlmath.mnist import build_model
    >>> model = build_model(seed=0)
    >>> [p.shape for p in model.parameters()], model.dtype.name
    ([(512, 784), (512, 1), (10, 512), (10, 1)], 'float32')
    >>> model.count_params()
    407050
    """
    rng = as_rng(seed, "seed")
    return Sequential(
        [
            Dense(_N_PIXELS, 512, "relu", rng=rng, dtype=np.float32),
            Dense(512, _N_CLASSES, "softmax", rng=rng, dtype=np.float32),
        ]
    )


@dataclass(frozen=True)
class TrainingResult:
    """What a run of the slides' example produced (by dlmath or by Keras).

    Attributes
    ----------
    backend : {"numpy", "keras"}
        Who trained the model.
    train_accuracy, test_accuracy : float
        Accuracy of the trained model on the training and the test images, evaluated
        after training (as the slides do).
    train_loss, test_loss : float
        Mean cross-entropy on the same.
    history : dict of str to list of float
        Per-epoch running ``loss`` and ``accuracy`` during training.
    fit_seconds : float
        Wall-clock time of the fit alone.
    epochs, batch_size, seed : int
        The training settings.
    scale : bool
        Whether the pixels were divided by 255.
    model : object
        The trained model (a :class:`dlmath.layers.Sequential`, or a Keras model).
    """

    backend: str
    train_accuracy: float
    test_accuracy: float
    train_loss: float
    test_loss: float
    history: dict[str, list[float]]
    fit_seconds: float
    epochs: int
    batch_size: int
    seed: int
    scale: bool
    model: Any = field(repr=False, compare=False)


def _check_split(data, name: str):
    """Validate ``(images, labels)``; return (N, 784) image rows and labels."""
    if not (isinstance(data, tuple | list) and len(data) == 2):
        raise TypeError(f"{name} must be a pair (images, labels); got {type(data).__name__}")
    rows = _image_rows(data[0], f"{name} images")
    labels = as_labels(data[1], f"{name} labels", n_classes=_N_CLASSES)
    if labels.shape[0] != rows.shape[0]:
        raise ValueError(
            f"{name} must have one label per image; got {rows.shape[0]} images and "
            f"{labels.shape[0]} labels"
        )
    return rows, labels


def check_run(train, test, scale, epochs, batch_size, seed):
    """Check the arguments that both trainers share (this one and the Keras one).

    Parameters
    ----------
    train, test : tuple (images, labels)
        Images of shape (N, 28, 28) or (N, 784) and labels 0..9 of shape (N,).
    scale : bool
        Whether the pixels are to be divided by 255.
    epochs, batch_size : int
        Positive integers.
    seed : int
        A non-negative integer.

    Returns
    -------
    tuple
        ``(train_rows, train_labels), (test_rows, test_labels), epochs, batch_size,
        seed``: the images as (N, 784) rows (views, not copies), the labels as
        integer arrays, and the settings as Python ints.

    Raises
    ------
    TypeError
        If an argument has the wrong kind (``scale`` not a bool, a split not a pair).
    ValueError
        If a value is out of range or the shapes disagree; the message names it.

    Notes
    -----
    :func:`dlmath.mnist.train_and_evaluate` and :func:`dlmath.keras_reference.train_and_evaluate`
    both start with this check, so that the two backends accept and refuse the same
    arguments with the same messages.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.mnist.model import check_run
    >>> images, labels = np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 2])
    >>> (rows, _), _, epochs, batch_size, seed = check_run(
    ...     (images, labels), (images, labels), False, 5, 128, 0
    ... )
    >>> rows.shape, epochs, batch_size, seed
    ((3, 784), 5, 128, 0)
    """
    if not isinstance(scale, bool):
        raise TypeError(f"scale must be True or False; got {scale!r}")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_non_negative_int(seed, "seed")
    return _check_split(train, "train"), _check_split(test, "test"), epochs, batch_size, seed


def train_and_evaluate(
    train,
    test,
    *,
    scale: bool = False,
    epochs: int = 5,
    batch_size: int = 128,
    seed: int = 0,
    callbacks=None,
    model: Sequential | None = None,
    engine="auto",
) -> TrainingResult:
    """Fit the slides' model with dlmath and evaluate it on the training and test sets.

    Parameters
    ----------
    train, test : tuple (images, labels)
        Images of shape (N, 28, 28) or (N, 784) with labels 0..9 of shape (N,), as
        :func:`load_mnist` returns them.
    scale : bool, optional
        Divide the pixels by 255 (the slides use the raw pixels 0..255).
    epochs : int, optional
        Passes over the training images (the slides: 5).
    batch_size : int, optional
        Images per gradient step (the slides: 128).
    seed : int, optional
        Seed of the initial weights and of the shuffling.
    callbacks : sequence, optional
        Passed to :meth:`dlmath.layers.Sequential.fit`.
    model : dlmath.layers.Sequential, optional
        A model to train instead of ``build_model(seed)`` (it is modified).
    engine : {"auto", "reference", "fast"} or an engine, optional
        Who computes the training steps (see :func:`dlmath.training.fit`).

    Returns
    -------
    TrainingResult

    Notes
    -----
    As the slides' Keras code: RMSprop with Keras's defaults
    (:class:`dlmath.optimizers.RMSprop`), the sparse categorical cross-entropy, the
    training set shuffled before every epoch, and accuracies measured by evaluating
    the trained model.

    Examples
    --------
    Five epochs on 800 images of the bundled sample (35 gradient steps) already
    recognise most of the other 200:

    >>> from dlmath.mnist import load_mnist_sample, train_and_evaluate
    >>> x, y = load_mnist_sample()
    >>> result = train_and_evaluate((x[:800], y[:800]), (x[800:], y[800:]), scale=True)
    >>> result.train_accuracy > 0.85, result.test_accuracy > 0.75
    (True, True)
    """
    (train_rows, train_labels), (test_rows, test_labels), epochs, batch_size, seed = check_run(
        train, test, scale, epochs, batch_size, seed
    )
    if model is None:
        model = build_model(seed)
    elif not isinstance(model, Sequential):
        raise TypeError(f"model must be a dlmath Sequential; got {model!r:.60}")
    if scale:
        X_train = images_to_columns(train_rows, scale=True)
        X_test = images_to_columns(test_rows, scale=True)
    else:
        # Raw pixels stay integers: fit gathers them as such and converts each batch.
        X_train, X_test = train_rows.T, test_rows.T
    started = time.perf_counter()
    history = model.fit(
        X_train,
        train_labels,
        epochs=epochs,
        batch_size=batch_size,
        seed=np.random.default_rng([seed, 1]),
        verbose=0,
        callbacks=callbacks,
        engine=engine,
    )
    fit_seconds = time.perf_counter() - started
    train_loss, train_accuracy = model.evaluate(X_train, train_labels)
    test_loss, test_accuracy = model.evaluate(X_test, test_labels)
    return TrainingResult(
        backend="numpy",
        train_accuracy=float(train_accuracy),
        test_accuracy=float(test_accuracy),
        train_loss=float(train_loss),
        test_loss=float(test_loss),
        history={key: [float(v) for v in values] for key, values in history.items()},
        fit_seconds=fit_seconds,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        scale=scale,
        model=model,
    )
