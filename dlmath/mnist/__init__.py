r"""The MNIST digits: loading them, the slides' model, and a command-line trainer.

**Shape convention.** MNIST comes as Keras gives it: images of shape (N, 28, 28) and
labels of shape (N,), both ``uint8``. dlmath's layers want **one example per column**:
:func:`images_to_columns` turns N images into a float32 matrix of shape (784, N).

The slides' "real example" is :func:`build_model`, ``Dense(784 → 512, relu)`` then
``Dense(512 → 10, softmax)``, fitted with RMSprop on the sparse categorical
cross-entropy for 5 epochs in batches of 128, on the raw pixels 0..255
(:func:`train_and_evaluate`). ``python -m dlmath.mnist`` (or ``dlmath-mnist``) runs it
from the command line (:func:`main`).

The full database is found by :func:`load_mnist` (a path, ``DLMATH_MNIST``, the Keras
cache, or Keras's download); a bundled sample of 1,000 test images needs nothing
(:func:`load_mnist_sample`).

The package has three modules, each imported by name as well as through this one:
:mod:`dlmath.mnist.data` (loading), :mod:`dlmath.mnist.model` (the model and its
training) and :mod:`dlmath.mnist.cli` (the command line, imported only when
:func:`main` is first used, as it may import the Keras reference).

For example:

>>> from dlmath.mnist import images_to_columns, load_mnist_sample
>>> x, y = load_mnist_sample()
>>> X = images_to_columns(x, scale=True)
>>> X.shape, X.dtype.name, float(X.max())
((784, 1000), 'float32', 1.0)

References
----------
.. [1] LeCun, Y., Cortes, C. & Burges, C. J. C. The MNIST database of handwritten
   digits. Licensed under CC BY-SA 3.0.
"""

from __future__ import annotations

from dlmath.mnist import data as _data
from dlmath.mnist.data import (
    MNISTNotFoundError,
    images_to_columns,
    keras_cache_path,
    load_mnist,
    load_mnist_sample,
)
from dlmath.mnist.model import TrainingResult, build_model, train_and_evaluate

#: Where Keras downloads MNIST from (``keras.datasets.mnist.load_data``).
MNIST_URL = _data.MNIST_URL
#: SHA-256 of the file at :data:`MNIST_URL`, as fixed in Keras's source.
MNIST_SHA256 = _data.MNIST_SHA256
#: The environment variable that names an ``mnist.npz`` file.
ENV_VAR = _data.ENV_VAR

__all__ = [
    "ENV_VAR",
    "MNIST_SHA256",
    "MNIST_URL",
    "MNISTNotFoundError",
    "TrainingResult",
    "build_model",
    "images_to_columns",
    "keras_cache_path",
    "load_mnist",
    "load_mnist_sample",
    "main",
    "train_and_evaluate",
]


def __getattr__(name: str):
    # Imported on first use (PEP 562): the command line may import dlmath.keras_reference,
    # which imports this package. ProgressBar, kept here for older code, is
    # dlmath.progress.ProgressBar.
    if name == "main":
        from dlmath.mnist.cli import main as value
    elif name == "ProgressBar":
        from dlmath.progress import ProgressBar as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), "main", "ProgressBar"})
