r"""The MNIST digits: finding, downloading and checking them, and the bundled sample.

**Shape convention.** MNIST comes as Keras gives it: images of shape (N, 28, 28) and
labels of shape (N,), both ``uint8``. dlmath's layers want **one example per column**:
:func:`~dlmath.mnist.images_to_columns` turns N images into a float32 matrix of shape
(784, N), a Fortran-ordered view of row-major images, so that training gathers each
batch from contiguous memory without first copying the whole data set.

The full database is found by :func:`~dlmath.mnist.load_mnist` (a path,
``DLMATH_MNIST``, the Keras cache, or Keras's download, written atomically and checked
against :data:`~dlmath.mnist.MNIST_SHA256`); a bundled sample of 1,000 test images
needs nothing (:func:`~dlmath.mnist.load_mnist_sample`). Files are read by
:func:`dlmath.files.load_arrays`, which never unpickles. The names are documented, and
imported, as those of :mod:`dlmath.mnist`.

References
----------
.. [1] LeCun, Y., Cortes, C. & Burges, C. J. C. The MNIST database of handwritten
   digits. Licensed under CC BY-SA 3.0.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.resources
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from dlmath._validation import as_array
from dlmath.files import atomic_write, load_arrays

__all__ = [
    "ENV_VAR",
    "MNIST_SHA256",
    "MNIST_URL",
    "MNISTNotFoundError",
    "images_to_columns",
    "keras_cache_path",
    "load_mnist",
    "load_mnist_sample",
]

# These three are public, and documented, in dlmath.mnist.
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
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
        tried.append(f"the path argument {os.fspath(path)!r}: {_missing(file)}")
        tried.append(f"the environment variable {ENV_VAR}: not consulted (path takes precedence)")
        tried.append(f"the Keras cache {cache}: not consulted")
        tried.append("a download: not attempted")
        raise not_found()
    tried.append("the path argument: not given")
    if env is not None:
        file = Path(env).expanduser()
        if file.is_file():
            return _read_mnist(file)
        tried.append(f"the environment variable {ENV_VAR}={env!r}: {_missing(file)}")
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


def _missing(file: Path) -> str:
    return "a folder, not a file" if file.is_dir() else "no such file"


def _download(url: str, target: Path, sha256: str, timeout: float = _DOWNLOAD_TIMEOUT) -> None:
    """Download ``url`` to ``target`` atomically, checking its length and SHA-256.

    The bytes go through :func:`dlmath.files.atomic_write`: ``target`` appears only when
    the download is complete and its hash matches; on any failure (KeyboardInterrupt
    included) nothing is left behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"Downloading MNIST from {url} to {target}", file=sys.stderr)
    digest = hashlib.sha256()
    received = 0
    with atomic_write(target) as out, urllib.request.urlopen(url, timeout=timeout) as reply:
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


def _read_npz(file: Path, keys) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of an ``.npz`` file, or a ValueError naming it."""
    arrays = load_arrays(file)
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(
            f"{file} lacks the array(s) {', '.join(missing)}; it holds "
            f"{', '.join(arrays) or 'no arrays'}"
        )
    return {key: arrays[key] for key in keys}


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


# === Images as columns ================================================================
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
    array = as_array(images, name)
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
