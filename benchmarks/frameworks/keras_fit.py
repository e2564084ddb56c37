"""Keras's fit of the slides' MNIST model: the slides' own code, ``keras_reference``.

**Shape convention.** One example per row, as Keras computes: an (N, 784) float32 array,
converted before the clock starts (on raw pixels too, which the slides hand to Keras as
``uint8``: Keras would otherwise convert each batch inside the fit).
"""

from __future__ import annotations

import time

from . import outcome, training_rows, warm_up_split


def fit(train, test, *, scale: bool, epochs: int, batch_size: int, seed: int):
    """Fit with ``dlmath.keras_reference.train_and_evaluate``; see :mod:`frameworks`.

    Keras's own Glorot-uniform weights and shuffling (seeded by ``seed``), Keras's
    RMSprop defaults (ε inside the square root, as dlmath). The warm-up fits a throwaway
    model first; Keras traces the training function of the timed model during its first
    epoch: that time is part of the fit, as in the slides' code, and no separate
    compile time is reported.
    """
    from dlmath import keras_reference

    images = {"train": training_rows(train[0], scale), "test": training_rows(test[0], scale)}
    # scale=False below: training_rows has already divided the pixels when scale is set.
    settings = {"scale": False, "batch_size": batch_size, "seed": seed}
    started = time.perf_counter()
    first = warm_up_split((images["train"], train[1]), batch_size)
    keras_reference.train_and_evaluate(first, first, epochs=1, **settings)
    warm_up_seconds = time.perf_counter() - started

    result = keras_reference.train_and_evaluate(
        (images["train"], train[1]), (images["test"], test[1]), epochs=epochs, **settings
    )
    kernel1, bias1, kernel2, bias2 = result.model.get_weights()
    return outcome(
        fit_seconds=result.fit_seconds,
        warm_up_seconds=warm_up_seconds,
        train_accuracy=result.train_accuracy,
        test_accuracy=result.test_accuracy,
        history=result.history,
        weights=[kernel1.T, bias1, kernel2.T, bias2],
    )
