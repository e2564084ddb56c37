r"""The MNIST digits: loading them, the slides' model, and a command-line trainer.

**Shape convention.** MNIST comes as Keras gives it: images of shape (N, 28, 28) and
labels of shape (N,), both ``uint8``. dlmath's layers want **one example per column**:
:func:`images_to_columns` turns N images into a float32 matrix of shape (784, N), a
Fortran-ordered view of row-major images, so that training gathers each batch from
contiguous memory without first copying the whole data set.

The slides' "real example" is :func:`build_model`, ``Dense(784 → 512, relu)`` then
``Dense(512 → 10, softmax)``, fitted with RMSprop on the sparse categorical
cross-entropy for 5 epochs in batches of 128, on the raw pixels 0..255
(:func:`train_and_evaluate`). ``python -m dlmath.mnist`` (or ``dlmath-mnist``) runs it
from the command line.

The full database is found by :func:`load_mnist` (a path, ``DLMATH_MNIST``, the Keras
cache, or Keras's download); a bundled sample of 1,000 test images needs nothing
(:func:`load_mnist_sample`).

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

import argparse
import hashlib
import http.client
import importlib.resources
import math
import numbers
import os
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from dlmath._validation import as_labels, as_rng, check_positive_int
from dlmath.layers import Dense, Sequential

__all__ = [
    "ENV_VAR",
    "MNIST_SHA256",
    "MNIST_URL",
    "MNISTNotFoundError",
    "ProgressBar",
    "TrainingResult",
    "build_model",
    "images_to_columns",
    "keras_cache_path",
    "load_mnist",
    "load_mnist_sample",
    "main",
    "train_and_evaluate",
]

#: Where Keras downloads MNIST from (``keras.datasets.mnist.load_data``).
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: SHA-256 of the file at :data:`MNIST_URL`, as fixed in Keras's source.
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
#: The environment variable that names an ``mnist.npz`` file.
ENV_VAR = "DLMATH_MNIST"

_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
_N_CLASSES = 10
_N_PIXELS = 28 * 28
_SAMPLE = "data/mnist_sample.npz"
_SAMPLE_TRAIN = 800  # --sample: train on the first 800 images, test on the last 200
_DOWNLOAD_TIMEOUT = 60.0  # seconds without data before a download is abandoned


class MNISTNotFoundError(FileNotFoundError):
    """No MNIST file was found: the message lists every place that was tried."""


# === Loading ==========================================================================
def keras_cache_path() -> Path:
    """The file where Keras caches MNIST: ``$KERAS_HOME/datasets/mnist.npz``.

    Returns
    -------
    pathlib.Path
        ``$KERAS_HOME/datasets/mnist.npz`` when ``KERAS_HOME`` is set, otherwise
        ``~/.keras/datasets/mnist.npz`` (the file may not exist).

    Examples
    --------
    >>> from dlmath.mnist import keras_cache_path
    >>> keras_cache_path().parts[-2:]
    ('datasets', 'mnist.npz')
    """
    home = os.environ.get("KERAS_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets" / "mnist.npz"


def load_mnist(path=None, *, download: bool = True):
    """Load MNIST exactly as ``keras.datasets.mnist.load_data()`` returns it.

    Parameters
    ----------
    path : str or os.PathLike, optional
        An ``mnist.npz`` file in Keras's layout (arrays ``x_train``, ``y_train``,
        ``x_test``, ``y_test``).
    download : bool, optional
        Whether to download the file into the Keras cache when no other source has
        it.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of numpy.ndarray
        ``uint8`` arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28) and
        (10000,): pixels 0..255 and labels 0..9.

    Raises
    ------
    MNISTNotFoundError
        (a :class:`FileNotFoundError`) if no source has the file; the message lists
        every place tried and how to provide the file.
    ValueError
        If the file found is not a readable ``.npz`` archive, or its arrays have the
        wrong keys, shapes, dtypes or label range; the message names the file.

    Notes
    -----
    The first source that is *given* is used, in this order:

    1. the ``path`` argument;
    2. the environment variable ``DLMATH_MNIST``;
    3. the Keras cache, :func:`keras_cache_path`;
    4. a download of :data:`MNIST_URL` into the Keras cache.

    A file named by ``path`` or ``DLMATH_MNIST`` that does not exist is an error
    rather than a reason to look further, so that a typo never silently starts a
    download. A download is written to a temporary file next to the cache and renamed
    into place only once complete and matching :data:`MNIST_SHA256`. Other files are
    not required to match that hash (copies of MNIST differ in their compression),
    only to hold the right arrays. Files are read with ``allow_pickle=False``.

    References
    ----------
    .. [1] LeCun, Y., Cortes, C. & Burges, C. J. C. The MNIST database of handwritten
       digits (CC BY-SA 3.0).

    Examples
    --------
    With ``DLMATH_MNIST`` set, ``(x_train, y_train), (x_test, y_test) = load_mnist()``
    gives the full database. A file that is not there is reported with every place
    that was looked at:

    >>> from dlmath.mnist import load_mnist
    >>> try:
    ...     load_mnist("no-such-folder/mnist.npz")
    ... except FileNotFoundError as error:
    ...     for line in str(error).splitlines()[:3]:
    ...         print(line)
    MNIST (mnist.npz) was not found. Looked, in order, at:
      1. the path argument 'no-such-folder/mnist.npz': no such file
      2. the environment variable DLMATH_MNIST: not consulted (path takes precedence)
    """
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike; got {path!r:.80}")
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False; got {download!r}")
    tried: list[str] = []

    def not_found() -> MNISTNotFoundError:
        lines = "\n".join(f"  {k}. {line}" for k, line in enumerate(tried, start=1))
        return MNISTNotFoundError(
            "MNIST (mnist.npz) was not found. Looked, in order, at:\n"
            f"{lines}\n"
            "Provide Keras's mnist.npz (arrays x_train, y_train, x_test, y_test): set "
            f"{ENV_VAR}=/path/to/mnist.npz, or pass the path, load_mnist('/path/to/mnist.npz'). "
            "load_mnist_sample() gives a bundled sample of 1,000 test images."
        )

    env = os.environ.get(ENV_VAR) or None
    cache = keras_cache_path()
    if path is not None:
        file = Path(path).expanduser()
        if file.is_file():
            return _read_mnist(file)
        tried.append(f"the path argument {os.fspath(path)!r}: no such file")
        tried.append(f"the environment variable {ENV_VAR}: not consulted (path takes precedence)")
        tried.append(f"the Keras cache {cache}: not consulted")
        tried.append("a download: not attempted")
        raise not_found()
    tried.append("the path argument: not given")
    if env is not None:
        file = Path(env).expanduser()
        if file.is_file():
            return _read_mnist(file)
        tried.append(f"the environment variable {ENV_VAR}={env!r}: no such file")
        tried.append(f"the Keras cache {cache}: not consulted ({ENV_VAR} takes precedence)")
        tried.append("a download: not attempted")
        raise not_found()
    tried.append(f"the environment variable {ENV_VAR}: not set")
    if cache.is_file():
        return _read_mnist(cache)
    tried.append(f"the Keras cache {cache}: no such file")
    if not download:
        tried.append(f"a download from {MNIST_URL}: not attempted (download=False)")
        raise not_found()
    try:
        _download(MNIST_URL, cache, MNIST_SHA256)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        tried.append(f"a download from {MNIST_URL} into {cache}: failed ({exc})")
        raise not_found() from exc
    return _read_mnist(cache)


def _download(url: str, target: Path, sha256: str, timeout: float = _DOWNLOAD_TIMEOUT) -> None:
    """Download ``url`` to ``target`` atomically, checking its length and SHA-256.

    The bytes go to a temporary file in ``target``'s folder, which is renamed to
    ``target`` only when the download is complete and its hash matches; on any failure
    (including KeyboardInterrupt) the temporary file is removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"Downloading MNIST from {url} to {target}", file=sys.stderr)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as reply:
            expected = reply.length  # from Content-Length, or None
            while chunk := reply.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
        if expected is not None and received < expected:
            raise OSError(f"the download was interrupted after {received} of {expected} bytes")
        if digest.hexdigest() != sha256:
            raise ValueError(
                f"the downloaded file ({received} bytes) has SHA-256 {digest.hexdigest()}, "
                f"expected {sha256}"
            )
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_npz(file: Path, keys) -> dict[str, np.ndarray]:
    """Read the arrays ``keys`` of an ``.npz`` file, or raise ValueError naming it."""
    errors = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)
    # The file is opened here, not by np.load, so that it is closed on every error
    # (np.load leaks its own handle when a zip archive's directory is unreadable).
    with open(file, "rb") as handle:
        try:
            loaded = np.load(handle, allow_pickle=False)
        except errors as exc:
            raise ValueError(f"{file} is not a readable .npz archive: {exc}") from exc
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError(f"{file} holds a single .npy array, not an .npz archive of arrays")
        with loaded:
            missing = [key for key in keys if key not in loaded.files]
            if missing:
                raise ValueError(
                    f"{file} lacks the array(s) {', '.join(missing)}; it holds "
                    f"{', '.join(loaded.files) or 'no arrays'}"
                )
            arrays = {}
            for key in keys:
                try:
                    arrays[key] = loaded[key]
                except errors as exc:
                    raise ValueError(f"{file} is corrupt: cannot read {key}: {exc}") from exc
    return arrays


def _check_labels(labels: np.ndarray, file, key: str) -> None:
    if labels.size and labels.max() >= _N_CLASSES:
        raise ValueError(
            f"{file}: {key} must hold labels 0..{_N_CLASSES - 1}; "
            f"got values up to {int(labels.max())}"
        )


def _read_mnist(file: Path):
    arrays = _read_npz(file, _SHAPES)
    for key, shape in _SHAPES.items():
        array = arrays[key]
        if array.dtype != np.uint8:
            raise ValueError(f"{file}: {key} must have dtype uint8; got {array.dtype}")
        if array.shape != shape:
            raise ValueError(f"{file}: {key} must have shape {shape}; got {array.shape}")
    _check_labels(arrays["y_train"], file, "y_train")
    _check_labels(arrays["y_test"], file, "y_test")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_mnist_sample(*, return_index: bool = False):
    """The bundled sample: 1,000 MNIST test images, 100 of each digit.

    Parameters
    ----------
    return_index : bool, optional
        Also return each image's position in the MNIST test set.

    Returns
    -------
    x : numpy.ndarray of uint8, shape (1000, 28, 28)
        The images, pixels 0..255, in a shuffled (fixed) order.
    y : numpy.ndarray of uint8, shape (1000,)
        Their labels 0..9.
    index : numpy.ndarray of int, shape (1000,)
        Only with ``return_index``: ``x == x_test[index]`` for the full test set.

    Notes
    -----
    Needs no download: the file ships inside the package (``dlmath/data``, whose
    README says how it was drawn, by ``tools/make_mnist_sample.py``). MNIST is by
    LeCun, Cortes & Burges, under CC BY-SA 3.0.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.mnist import load_mnist_sample
    >>> x, y = load_mnist_sample()
    >>> x.shape, x.dtype.name, y.shape
    ((1000, 28, 28), 'uint8', (1000,))
    >>> np.bincount(y).tolist()
    [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    """
    if not isinstance(return_index, bool):
        raise TypeError(f"return_index must be True or False; got {return_index!r}")
    resource = importlib.resources.files("dlmath").joinpath(_SAMPLE)
    with importlib.resources.as_file(resource) as file:
        arrays = _read_npz(Path(file), ("x", "y", "index"))
    x, y, index = arrays["x"], arrays["y"], arrays["index"]
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"{file}: x must be uint8 images (n, 28, 28); got {x.dtype} {x.shape}")
    if y.dtype != np.uint8 or y.shape != x.shape[:1] or index.shape != x.shape[:1]:
        raise ValueError(f"{file}: y and index must have shape {x.shape[:1]}")
    _check_labels(y, file, "y")
    return (x, y, index) if return_index else (x, y)


# === The slides' model ================================================================
def images_to_columns(images, *, scale: bool = False) -> np.ndarray:
    r"""Flatten images into dlmath's layout: one example per column, float32.

    Parameters
    ----------
    images : array_like, shape (N, 28, 28) or (N, 784)
        Images, one per row (as Keras gives them), of real numbers.
    scale : bool, optional
        Divide the pixels by 255, mapping 0..255 to [0, 1].

    Returns
    -------
    numpy.ndarray of float32, shape (784, N)
        A new array, Fortran-ordered: the transpose of a row-major (N, 784) array, so
        that each example's 784 pixels are contiguous in memory.

    Notes
    -----
    Column :math:`n` is image :math:`n` read row by row,
    :math:`X_{28 i + j,\, n} = \text{image}_n[i, j]` (divided by 255 with ``scale``),
    which is what the slides' ``images.reshape((N, 28 * 28))`` gives, transposed.
    :meth:`dlmath.layers.Sequential.fit` gathers each batch from the rows of
    :math:`X^\top`; since :math:`X^\top` is already C-contiguous, it needs no copy.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.mnist import images_to_columns
    >>> images = np.zeros((2, 28, 28), np.uint8)
    >>> images[1, 0, 3] = 255
    >>> X = images_to_columns(images, scale=True)
    >>> X.shape, X.dtype.name, X.flags.f_contiguous, float(X[3, 1])
    ((784, 2), 'float32', True, 1.0)
    """
    if not isinstance(scale, bool):
        raise TypeError(f"scale must be True or False; got {scale!r}")
    rows = _image_rows(images, "images")
    X = np.array(rows, dtype=np.float32, order="C")  # a new C-ordered (N, 784) array
    if scale:
        np.divide(X, np.float32(255), out=X)
    return X.T


def _image_rows(images, name: str) -> np.ndarray:
    """Validate images of shape (N, 28, 28) or (N, 784); return an (N, 784) view."""
    array = np.asarray(images)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got an array of dtype {array.dtype}")
    if array.ndim == 3 and array.shape[1:] == (28, 28):
        array = array.reshape(array.shape[0], _N_PIXELS)
    elif not (array.ndim == 2 and array.shape[1] == _N_PIXELS):
        raise ValueError(
            f"{name} must have shape (N, 28, 28) or (N, 784), one image per row; "
            f"got shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one image; got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers")
    return array


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
    rng = as_rng(seed)
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


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    return int(seed)


def _check_run(train, test, scale, epochs, batch_size, seed):
    """Check the arguments both trainers share (this module's and the Keras one).

    Returns ``(train_rows, train_labels), (test_rows, test_labels), epochs,
    batch_size, seed``, the images as (N, 784) rows.
    """
    if not isinstance(scale, bool):
        raise TypeError(f"scale must be True or False; got {scale!r}")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = _check_seed(seed)
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
    (train_rows, train_labels), (test_rows, test_labels), epochs, batch_size, seed = _check_run(
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


# === Command line =====================================================================
class ProgressBar:
    r"""A text progress bar per epoch, for the ``callbacks`` of ``fit``.

    Parameters
    ----------
    epochs : int
        Number of epochs of the fit.
    batches : int
        Number of batches per epoch.
    stream : file-like, optional
        Where to write; ``sys.stderr`` by default.
    width : int, optional
        Characters of the bar.
    interval : float, optional
        Minimum seconds between redraws on a terminal.

    Notes
    -----
    On a terminal the bar is redrawn in place (``\r``) as batches finish; elsewhere
    (a log file, a pipe) only one line per finished epoch is written. Each line shows
    the running mean loss and accuracy of the epoch.

    Examples
    --------
    >>> import io
    >>> from dlmath.mnist import ProgressBar
    >>> out = io.StringIO()
    >>> bar = ProgressBar(epochs=2, batches=3, stream=out, width=10)
    >>> bar.on_epoch_begin(0)
    >>> for batch in range(3):
    ...     bar.on_batch_end(batch, {"loss": 0.5, "accuracy": 0.75})
    >>> bar.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    >>> print(out.getvalue().split(" - ")[:3])
    ['Epoch 1/2 [==========] 3/3', 'loss 0.5000', 'accuracy 0.7500']
    """

    def __init__(
        self,
        epochs: int,
        batches: int,
        stream: TextIO | None = None,
        width: int = 30,
        interval: float = 0.1,
    ):
        self.epochs = check_positive_int(epochs, "epochs")
        self.batches = check_positive_int(batches, "batches")
        self.width = check_positive_int(width, "width")
        self.interval = float(interval)
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self._live = bool(isatty and isatty())
        self._epoch = 0
        self._started = self._drawn = time.perf_counter()

    def _line(self, done: int, logs) -> str:
        filled = self.width * done // self.batches
        bar = "=" * filled + (">" if filled < self.width else "") + " " * (self.width - filled)
        bar = bar[: self.width]
        parts = [f"Epoch {self._epoch + 1}/{self.epochs} [{bar}] {done}/{self.batches}"]
        parts += [f"{key} {value:.4f}" for key, value in (logs or {}).items()]
        parts.append(f"{time.perf_counter() - self._started:.1f}s")
        return " - ".join(parts)

    def on_epoch_begin(self, epoch: int) -> None:
        """Start the bar of epoch ``epoch`` (counted from 0)."""
        self._epoch = int(epoch)
        self._started = self._drawn = time.perf_counter()

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Redraw the bar after batch ``batch`` (counted from 0), on a terminal."""
        now = time.perf_counter()
        if self._live and now - self._drawn >= self.interval:
            self._drawn = now
            self.stream.write("\r" + self._line(batch + 1, logs))
            self.stream.flush()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Write the epoch's final line."""
        self.stream.write(("\r" if self._live else "") + self._line(self.batches, logs) + "\n")
        self.stream.flush()


class _Snapshot:
    """Copies the parameters at the end of every epoch (to save after a Ctrl-C)."""

    def __init__(self, get_parameters):
        self._get = get_parameters
        self.epochs = 0
        self.parameters: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.parameters = [np.array(p, copy=True) for p in self._get()]
        self.epochs = epoch + 1


def _save_model(model: Sequential, path: Path, scale: bool) -> Path:
    """Save atomically: into a temporary file, then rename. Returns the path.

    The file also records how the pixels were prepared, for ``--load``.
    """
    path = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    try:
        model.save(temporary, metadata={_PIXELS_KEY: _pixels(scale)})
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


_PIXELS_KEY = "pixels"


def _pixels(scale: bool) -> str:
    return "pixels / 255" if scale else "raw pixels"


def _parser() -> argparse.ArgumentParser:
    def integer_at_least(minimum: int, wanted: str):
        def parse(text: str) -> int:
            try:
                value = int(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"expected {wanted}; got {text!r}") from None
            if value < minimum:
                raise argparse.ArgumentTypeError(f"expected {wanted}; got {value}")
            return value

        return parse

    positive = integer_at_least(1, "a positive integer")
    non_negative = integer_at_least(0, "an integer >= 0")

    parser = argparse.ArgumentParser(
        prog="dlmath-mnist",
        description=(
            "Train the slides' MNIST model (Dense 512 relu, Dense 10 softmax; RMSprop; "
            "sparse categorical cross-entropy) and report its train and test accuracy."
        ),
        epilog=(
            f"MNIST is read from --data, else ${ENV_VAR}, else the Keras cache "
            "(~/.keras/datasets/mnist.npz), else downloaded from Keras's URL. "
            "Ctrl-C stops cleanly; with --save, the weights of the last finished epoch "
            "are kept."
        ),
    )
    parser.add_argument("--epochs", type=positive, default=5, help="passes over the data (5)")
    parser.add_argument(
        "--batch-size", type=positive, default=128, help="images per gradient step (128)"
    )
    parser.add_argument(
        "--seed", type=non_negative, default=0, help="seed of the weights and shuffling (0)"
    )
    parser.add_argument(
        "--scale",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "divide the pixels by 255 (default: raw pixels 0..255, as the slides; with "
            "--load, as the weights were trained)"
        ),
    )
    parser.add_argument(
        "--backend",
        choices=("numpy", "keras"),
        default="numpy",
        help="train with dlmath (numpy) or with the slides' Keras code (needs TensorFlow)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, metavar="PATH", help="an mnist.npz file")
    source.add_argument(
        "--sample",
        action="store_true",
        help="the bundled 1,000-image sample, offline: train on 800 images, test on 200",
    )
    parser.add_argument(
        "--save",
        type=Path,
        metavar="PATH",
        help="save the trained weights (dlmath's .npz format; .npz is appended if missing)",
    )
    parser.add_argument(
        "--load",
        type=Path,
        metavar="PATH",
        help="evaluate weights saved by --save instead of training",
    )
    return parser


def _load_data(args, parser):
    if args.sample:
        x, y = load_mnist_sample()
        return (x[:_SAMPLE_TRAIN], y[:_SAMPLE_TRAIN]), (x[_SAMPLE_TRAIN:], y[_SAMPLE_TRAIN:])
    if args.data is not None:
        if not args.data.is_file():
            parser.error(f"--data {args.data}: no such file")
        try:
            return load_mnist(args.data)
        except ValueError as exc:
            parser.error(f"--data: {exc}")
    return load_mnist()


def _evaluate_saved(args, parser, train, test) -> int:
    if not args.load.is_file():
        parser.error(f"--load {args.load}: no such file")
    try:
        model = Sequential.load(args.load)
    except ValueError as exc:
        parser.error(f"--load: {exc}")
    if (
        model.n_in != _N_PIXELS
        or model.n_out != _N_CLASSES
        or model.layers[-1].activation != "softmax"
    ):
        parser.error(
            f"--load {args.load}: expected a model from 784 inputs to 10 softmax outputs; "
            f"got {model!r}"
        )
    saved = model.metadata.get(_PIXELS_KEY)
    # Unless asked otherwise, as the weights were trained (files without the note: raw).
    scale = args.scale if args.scale is not None else saved == _pixels(True)
    note = ""
    if saved is not None and saved != _pixels(scale):
        note = f"; the weights were trained on {saved}"
    lines = [f"Evaluating {args.load} ({_pixels(scale)}{note})"]
    for name, (images, labels) in (("train", train), ("test", test)):
        X = images_to_columns(images, scale=scale)
        loss, accuracy = model.evaluate(X, labels)
        lines.append(f"{name} accuracy: {accuracy:.4f} (loss {loss:.4f}, {len(labels)} images)")
    print("\n".join(lines))
    return 0


def main(argv=None) -> int:
    """Run the slides' MNIST example from the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (``sys.argv[1:]`` by default); ``--help`` lists them.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when MNIST or TensorFlow is missing or a
        file cannot be written, 2 for bad arguments (argparse exits with 2 itself),
        130 after Ctrl-C.

    Notes
    -----
    Trains with :func:`train_and_evaluate` (``--backend numpy``) or with
    :func:`dlmath.keras_reference.train_and_evaluate` (``--backend keras``), draws a
    progress bar per epoch on stderr and prints a summary: train and test accuracy,
    and the seconds of the fit. ``--save`` writes the weights with
    :meth:`dlmath.layers.Sequential.save` (a Keras model's weights are converted);
    after Ctrl-C it keeps those of the last finished epoch.

    Examples
    --------
    >>> import contextlib, io
    >>> from dlmath.mnist import main
    >>> with contextlib.redirect_stderr(io.StringIO()):
    ...     status = main(["--sample", "--epochs", "3", "--scale"])
    Trained with numpy on the bundled sample: 800 training images, 200 test images ...
    >>> status
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.load is not None and args.save is not None:
        parser.error("--load evaluates saved weights; it cannot be combined with --save")
    if args.load is not None and args.backend != "numpy":
        parser.error("--load evaluates dlmath weights: use it with --backend numpy")
    if args.save is not None and not args.save.expanduser().absolute().parent.is_dir():
        parser.error(f"--save {args.save}: the folder {args.save.parent} does not exist")
    snapshot: _Snapshot | None = None
    try:
        try:
            train, test = _load_data(args, parser)
        except (MNISTNotFoundError, ValueError) as exc:  # from DLMATH_MNIST or the cache
            print(f"dlmath-mnist: error: {exc}", file=sys.stderr)
            return 1
        if args.load is not None:
            return _evaluate_saved(args, parser, train, test)
        args.scale = bool(args.scale)
        batches = math.ceil(len(train[1]) / args.batch_size)
        progress = ProgressBar(args.epochs, batches)
        settings = {
            "scale": args.scale,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "seed": args.seed,
        }
        # The snapshot comes first, so that an epoch shown as finished is also saved.
        if args.backend == "numpy":
            model = build_model(args.seed)
            snapshot = _Snapshot(model.parameters)
            result = train_and_evaluate(
                train, test, model=model, callbacks=[snapshot, progress], **settings
            )
            trained = result.model
        else:
            from dlmath import keras_reference

            try:
                keras_model = keras_reference.build_keras_model(args.seed)
            except ImportError as exc:
                print(f"dlmath-mnist: error: {exc}", file=sys.stderr)
                return 1
            snapshot = _Snapshot(lambda: keras_reference.keras_to_dlmath(keras_model).parameters())
            result = keras_reference.train_and_evaluate(
                train, test, model=keras_model, callbacks=[snapshot, progress], **settings
            )
            trained = keras_reference.keras_to_dlmath(keras_model)
    except KeyboardInterrupt:
        message = "dlmath-mnist: interrupted"
        if args.save is not None and snapshot is not None and snapshot.parameters is not None:
            model = build_model(0)
            for p, saved in zip(model.parameters(), snapshot.parameters, strict=True):
                p[...] = saved
            try:
                saved_to = _save_model(model, args.save, args.scale)
                message += f"; saved the weights of epoch {snapshot.epochs} to {saved_to}"
            except OSError as exc:
                message += f"; could not save the weights to {args.save}: {exc}"
        elif args.save is not None:
            message += "; no epoch had finished, nothing saved"
        print(message, file=sys.stderr)
        return 128 + signal.SIGINT
    data = "the bundled sample" if args.sample else "MNIST"
    pixels = _pixels(args.scale)
    epochs = f"{args.epochs} epoch{'s' if args.epochs != 1 else ''}"
    print(
        f"Trained with {args.backend} on {data}: {len(train[1])} training images, "
        f"{len(test[1])} test images ({pixels}, {epochs}, "
        f"batch size {args.batch_size}, seed {args.seed})"
    )
    print(f"train accuracy: {result.train_accuracy:.4f}")
    print(f"test accuracy:  {result.test_accuracy:.4f}")
    print(f"fit seconds:    {result.fit_seconds:.2f}")
    if args.save is not None:
        try:
            saved_to = _save_model(trained, args.save, args.scale)
        except OSError as exc:
            print(f"dlmath-mnist: error: cannot save to {args.save}: {exc}", file=sys.stderr)
            return 1
        print(f"saved weights:  {saved_to}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
