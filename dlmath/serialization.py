r"""The file format of dlmath's models.

:meth:`dlmath.layers.Sequential.save` writes a model with :func:`save_model` and
:meth:`dlmath.layers.Sequential.load` reads it with :func:`load_model`: an
uncompressed ``.npz`` archive, written atomically and read without unpickling by
:func:`dlmath.files.save_arrays` and :func:`dlmath.files.load_arrays` (also
importable from here). :func:`encode_model` and :func:`decode_model` convert between
a model's layers and the arrays of the format, checking every rule below; a file that
breaks one is refused with an error that names it.

**Shape convention.** As everywhere in dlmath, a layer computes ``Y = W·X + B`` on one
example per column: layer :math:`k`'s weights ``W{k}`` have shape (n_out, n_in) and
its biases ``B{k}`` shape (n_out, 1), and each layer's n_in is the previous layer's
n_out.

**The format** ``"dlmath.Sequential/1"``, array by array:

- ``format``: the string ``"dlmath.Sequential/1"`` (a 0-d array);
- ``activations``: one activation name per layer, input first (a 1-D array of
  strings, names of :data:`dlmath.activations.ACTIVATIONS`);
- ``W0``, ``B0``, ``W1``, ``B1``, …: each layer's weights and biases, float32 or
  float64 (one dtype for all), finite;
- ``metadata_keys`` and ``metadata_values``: the model's notes, two 1-D arrays of
  strings of equal length (both absent in files written before notes existed).

No other array may be present.

For example:

>>> import os, tempfile
>>> import numpy as np
>>> from dlmath.serialization import load_model, save_model
>>> with tempfile.TemporaryDirectory() as folder:
...     path = save_model(os.path.join(folder, "m"), ["relu"], [np.eye(2)], [np.ones((2, 1))], {})
...     activations, weights, biases, metadata = load_model(os.path.join(folder, "m"))
>>> path.name, activations, weights[0].tolist(), metadata
('m.npz', ['relu'], [[1.0, 0.0], [0.0, 1.0]], {})
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from dlmath._validation import check_finite
from dlmath.activations import ACTIVATIONS
from dlmath.files import find_npz, save_arrays
from dlmath.files import load_arrays as load_arrays  # also importable from here

__all__ = ["FORMAT", "decode_model", "encode_model", "load_model", "save_model"]

#: The format tag of the models that :func:`encode_model` writes.
FORMAT = "dlmath.Sequential/1"

_METADATA = ("metadata_keys", "metadata_values")


# === The model format =================================================================
def _check_layers(activations, weights, biases, where: str):
    """Check one model's layers; return them as lists. ``where`` starts messages."""
    if not len(activations) == len(weights) == len(biases):
        raise ValueError(
            f"{where}: {len(activations)} activations, {len(weights)} weight matrices and "
            f"{len(biases)} bias columns; expected one of each per layer"
        )
    if not activations:
        raise ValueError(f"{where}: a model needs at least one layer")
    known = ", ".join(repr(name) for name in ACTIVATIONS)
    dtype = None
    for k, (name, W, B) in enumerate(zip(activations, weights, biases, strict=True)):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(f"{where}: activation {k} must be one of {known}; got {name!r:.60}")
        for key, array, ndim in ((f"W{k}", W, 2), (f"B{k}", B, 2)):
            if not isinstance(array, np.ndarray) or array.dtype not in (np.float32, np.float64):
                kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
                raise ValueError(f"{where}: {key} must be a float32 or float64 array; got {kind}")
            if array.ndim != ndim or 0 in array.shape:
                raise ValueError(f"{where}: {key} must be a non-empty 2-D array; got {array.shape}")
        if B.shape != (W.shape[0], 1):
            raise ValueError(
                f"{where}: B{k} must have shape ({W.shape[0]}, 1) to match W{k} of shape "
                f"{W.shape}; got {B.shape}"
            )
        if k and W.shape[1] != weights[k - 1].shape[0]:
            raise ValueError(
                f"{where}: W{k} has shape {W.shape}, so layer {k} takes {W.shape[1]} inputs, "
                f"but layer {k - 1} has {weights[k - 1].shape[0]} outputs"
            )
        dtype = W.dtype if dtype is None else dtype
        if W.dtype != dtype or B.dtype != dtype:
            raise ValueError(
                f"{where}: all weights and biases must share one dtype; W0 is {dtype}, "
                f"W{k} is {W.dtype} and B{k} is {B.dtype}"
            )
        check_finite(W, f"{where}: W{k}")
        check_finite(B, f"{where}: B{k}")
    return list(activations), list(weights), list(biases)


def _check_metadata(metadata) -> dict[str, str]:
    wanted = "metadata must map strings to strings"
    if not isinstance(metadata, Mapping):
        raise TypeError(f"{wanted} (a dict); got a {type(metadata).__name__}: {metadata!r:.60}")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(f"{wanted}; got the key {key!r:.60}")
        if not isinstance(value, str):
            raise TypeError(f"{wanted}; got metadata[{key!r:.40}] = {value!r:.60}")
        if "\0" in key or "\0" in value:
            raise ValueError(f"metadata[{key!r:.40}] holds a NUL character, which cannot be saved")
    return dict(metadata)


def encode_model(
    activations: Sequence[str],
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    metadata: Mapping[str, str],
) -> dict[str, np.ndarray]:
    """The arrays of the ``"dlmath.Sequential/1"`` format for a model's layers.

    Parameters
    ----------
    activations : sequence of str
        Each layer's activation, input first (names of
        :data:`dlmath.activations.ACTIVATIONS`).
    weights : sequence of numpy.ndarray, shapes (n_out, n_in)
        Each layer's ``W``, float32 or float64, finite; consecutive shapes must chain.
    biases : sequence of numpy.ndarray, shapes (n_out, 1)
        Each layer's ``B``, of the same dtype.
    metadata : mapping of str to str
        Notes to keep with the model.

    Returns
    -------
    dict of str to numpy.ndarray
        ``format``, ``activations``, ``W0``, ``B0``, …, ``metadata_keys`` and
        ``metadata_values``; the weights are the arrays given (not copied).

    Raises
    ------
    TypeError
        If ``metadata`` is not a mapping, or a key or a value of it is not a string
        (the message names it).
    ValueError
        If the layers break a rule of the format (see the module's description), or
        a note holds a NUL character.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.serialization import encode_model
    >>> arrays = encode_model(["relu"], [np.ones((2, 3))], [np.zeros((2, 1))], {"by": "me"})
    >>> sorted(arrays)
    ['B0', 'W0', 'activations', 'format', 'metadata_keys', 'metadata_values']
    >>> str(arrays["format"]), arrays["activations"].tolist()
    ('dlmath.Sequential/1', ['relu'])
    """
    metadata = _check_metadata(metadata)
    activations, weights, biases = _check_layers(
        list(activations), list(weights), list(biases), "the model"
    )
    arrays = {
        "format": np.array(FORMAT),
        "activations": np.array(activations, dtype=str),
        "metadata_keys": np.array(list(metadata), dtype=str),
        "metadata_values": np.array(list(metadata.values()), dtype=str),
    }
    for k, (W, B) in enumerate(zip(weights, biases, strict=True)):
        arrays[f"W{k}"] = W
        arrays[f"B{k}"] = B
    return arrays


def _strings(arrays, key: str, where: str, ndim: int) -> np.ndarray:
    array = arrays[key]
    if not isinstance(array, np.ndarray) or array.dtype.kind != "U" or array.ndim != ndim:
        shape = getattr(array, "shape", None)
        kind = getattr(array, "dtype", type(array).__name__)
        wanted = "a single string" if ndim == 0 else "a 1-D array of strings"
        raise ValueError(f"{where}: {key} must be {wanted}; got {kind} of shape {shape}")
    return array


def decode_model(arrays: Mapping[str, np.ndarray], path) -> tuple:
    """Check the arrays of a saved model and return its layers and notes.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        What :func:`~dlmath.files.load_arrays` read.
    path : str or os.PathLike
        The file they came from, named in the error messages.

    Returns
    -------
    activations : list of str
        One per layer, input first.
    weights : list of numpy.ndarray
        Each layer's ``W``, shape (n_out, n_in).
    biases : list of numpy.ndarray
        Each layer's ``B``, shape (n_out, 1).
    metadata : dict of str to str
        The notes (empty for files written before notes existed).

    Raises
    ------
    ValueError
        If the arrays are not a model of the format ``"dlmath.Sequential/1"``: no
        ``format`` tag or another one, activations that are not a 1-D array of known
        names, a number of activations other than the number of weight pairs, arrays
        that are not part of the format, weights that are not 2-D float arrays,
        biases not of shape (n_out, 1), shapes that do not chain, values that are not
        finite, or notes that are not pairs of strings. The message names the file.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.serialization import decode_model, encode_model
    >>> arrays = encode_model(["linear"], [np.ones((1, 2))], [np.zeros((1, 1))], {})
    >>> del arrays["B0"]
    >>> try:
    ...     decode_model(arrays, "model.npz")
    ... except ValueError as error:
    ...     print(error)
    model.npz: the activations list 1 layer, but the arrays B0 are missing
    """
    where = os.fspath(path)
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of str to arrays; got {type(arrays).__name__}")
    if "format" not in arrays:
        held = ", ".join(sorted(arrays)) or "no arrays"
        raise ValueError(
            f"{where} is not a model saved by dlmath: it has no 'format' array "
            f"(expected {FORMAT!r}); it holds {held}"
        )
    tag = str(_strings(arrays, "format", where, 0))
    if tag != FORMAT:
        raise ValueError(
            f"{where} is a file of format {tag!r}; expected a dlmath model, {FORMAT!r}"
        )
    if "activations" not in arrays:
        raise ValueError(f"{where} lacks the array 'activations', the layers' activations")
    activations = [str(name) for name in _strings(arrays, "activations", where, 1)]
    n = len(activations)
    expected = {f"{letter}{k}" for k in range(n) for letter in "WB"}
    missing = sorted(expected - arrays.keys(), key=lambda key: (int(key[1:]), key[0] != "W"))
    if missing:
        raise ValueError(
            f"{where}: the activations list {n} layer{'s' if n != 1 else ''}, but the "
            f"arrays {', '.join(missing)} are missing"
        )
    extra = sorted(set(arrays) - expected - {"format", "activations", *_METADATA})
    if extra:
        raise ValueError(
            f"{where}: the activations list {n} layer{'s' if n != 1 else ''}, but the file "
            f"also holds {', '.join(extra)}; expected only format, activations, "
            f"W0, B0, …, W{n - 1}, B{n - 1}, metadata_keys and metadata_values"
        )
    activations, weights, biases = _check_layers(
        activations,
        [arrays[f"W{k}"] for k in range(n)],
        [arrays[f"B{k}"] for k in range(n)],
        where,
    )
    metadata: dict[str, str] = {}
    present = [key for key in _METADATA if key in arrays]
    if present:  # files from before metadata have neither
        if len(present) == 1:
            raise ValueError(f"{where} holds {present[0]} without its partner")
        keys = _strings(arrays, "metadata_keys", where, 1)
        values = _strings(arrays, "metadata_values", where, 1)
        if keys.shape != values.shape:
            raise ValueError(
                f"{where} holds {keys.size} metadata keys but {values.size} metadata values"
            )
        metadata = {str(k): str(v) for k, v in zip(keys, values, strict=True)}
        if len(metadata) != keys.size:
            raise ValueError(f"{where} holds a metadata key twice")
    return activations, weights, biases, metadata


def save_model(path, activations, weights, biases, metadata) -> Path:
    """Write a model's layers and notes to ``path`` (see :func:`encode_model`).

    Parameters
    ----------
    path : str or os.PathLike
        As for :func:`~dlmath.files.save_arrays`: ``.npz`` is appended when missing.
    activations, weights, biases, metadata
        As for :func:`encode_model`.

    Returns
    -------
    pathlib.Path
        The file written, atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from dlmath.serialization import load_model, save_model
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_model(
    ...         os.path.join(folder, "m"), ["relu"], [np.eye(2)], [np.ones((2, 1))], {}
    ...     )
    ...     activations, weights, biases, metadata = load_model(os.path.join(folder, "m"))
    >>> path.name, activations, weights[0].tolist(), metadata
    ('m.npz', ['relu'], [[1.0, 0.0], [0.0, 1.0]], {})
    """
    return save_arrays(path, encode_model(activations, weights, biases, metadata))


def load_model(path) -> tuple:
    """Read a model written by :func:`save_model` (see :func:`decode_model`).

    Parameters
    ----------
    path : str or os.PathLike
        As for :func:`~dlmath.files.load_arrays`: ``path.npz`` is read when ``path`` does not exist.

    Returns
    -------
    tuple
        ``(activations, weights, biases, metadata)``, as :func:`decode_model` gives.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, ValueError
        As :func:`~dlmath.files.load_arrays` and :func:`decode_model`; every message names the file.
    """
    file = find_npz(path)
    try:
        arrays = load_arrays(file)
    except ValueError as exc:
        raise ValueError(f"cannot read a dlmath model: {exc}") from exc
    return decode_model(arrays, file)
