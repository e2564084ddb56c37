"""Argument checks shared by dlmath's public functions.

Every public entry point validates what it is given and raises :class:`ValueError`
(or :class:`TypeError` for a value of the wrong kind) with a message that names the
argument, what was expected and what was received. Internal code that has already
validated its inputs calls the unchecked private functions directly.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence

import numpy as np


def as_float_array(
    value,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    rows: int | None = None,
    dtype=None,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as a finite floating-point array, or raise ``ValueError``.

    The result is ``value`` itself when it already has the right type (no copy):
    callers must not write into it. A conversion to ``dtype`` that would overflow
    (float64 values beyond float32's range, say) is refused rather than turned into
    infinities.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        array = value
    else:
        array = as_array(value, name)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"{name} must hold real numbers; got an array of dtype {array.dtype}")
    if array.dtype.kind == "f":  # integers are always finite
        check_finite(array, name)
    target = np.dtype(dtype) if dtype is not None else None
    if target is None and array.dtype.kind != "f":
        target = np.dtype(np.float64)
    if target is not None and target != array.dtype:
        with np.errstate(over="ignore"):
            cast = array.astype(target)
        if not np.all(np.isfinite(cast)):
            raise ValueError(
                f"{name} holds values too large for {target} (largest magnitude "
                f"{np.abs(array).max():.3g}; the largest {target} is {np.finfo(target).max:.3g})"
            )
        array = cast
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be a {wanted} array; got shape {array.shape}")
    if rows is not None and (array.ndim < 1 or array.shape[0] != rows):
        raise ValueError(f"{name} must have {rows} rows; got an array of shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    return array


def as_array(value, name: str) -> np.ndarray:
    """``np.asarray(value)``, with any failure (a ragged list, an object whose conversion
    raises) reported as a TypeError that names the argument."""
    if isinstance(value, str | bytes | dict):  # NumPy would make a 0-d array of them
        raise TypeError(f"{name} must be array-like numbers; got {value!r:.80}")
    try:
        return np.asarray(value)
    except Exception as exc:
        raise TypeError(
            f"{name} must be array-like numbers; got {value!r:.80} ({type(exc).__name__}: {exc})"
        ) from exc


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` when ``array`` holds NaN or infinity."""
    # A sum is finite only if every term is (a NaN or an infinity stays in it), and it
    # needs no temporary array as large as ``array``; only a sum that is not finite,
    # which may be an overflow of finite terms, needs each value looked at.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array)):
            return
    if not np.all(np.isfinite(array)):
        bad = np.size(array) - np.count_nonzero(np.isfinite(array))
        raise ValueError(
            f"{name} must hold finite numbers; got {bad} NaN or infinite "
            f"value{'s' if bad != 1 else ''}"
        )


def check_real(value, name: str) -> float:
    """Return ``value`` as a finite Python float, or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    return value


def check_positive(value, name: str) -> float:
    """Return ``value`` as a float after checking that it is finite and > 0."""
    value = check_real(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be positive; got {value}")
    return value


def check_fraction(value, name: str, *, low_open: bool = False) -> float:
    """Return ``value`` after checking ``0 <= value < 1`` (or ``0 < value < 1``)."""
    value = check_real(value, name)
    if not (0 < value < 1 if low_open else 0 <= value < 1):
        interval = "(0, 1)" if low_open else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}; got {value}")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a bool after checking that it is True or False."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {value!r:.60}")
    return bool(value)


def check_positive_int(value, name: str) -> int:
    """Return ``value`` after checking that it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1; got {value}")
    return int(value)


def check_non_negative_int(value, name: str) -> int:
    """Return ``value`` after checking that it is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {value}")
    return int(value)


def as_labels(labels, name: str, *, n_classes: int | None = None) -> np.ndarray:
    """Return integer class labels as a 1-D ``intp`` array, or raise.

    Integer arrays and floating arrays holding whole numbers are accepted; labels
    must lie in ``[0, n_classes)`` when ``n_classes`` is given.
    """
    array = as_array(labels, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"{name} must hold whole numbers (class indices)")
    elif array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels; got dtype {array.dtype}")
    low, high = array.min(), array.max()
    if low < 0 or (n_classes is not None and high >= n_classes):
        allowed = f"[0, {n_classes})" if n_classes is not None else "[0, ∞)"
        raise ValueError(f"{name} must lie in {allowed}; got values from {low:g} to {high:g}")
    return array.astype(np.intp, copy=False)


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a seed, a generator or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"{name} must be a non-negative integer seed; got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(
        f"{name} must be None, an integer seed or a numpy.random.Generator; got {rng!r:.60}"
    )


def check_allocatable(shape: Sequence[int], dtype, what: str) -> None:
    """Refuse an array larger than this machine's memory, naming what asked for it."""
    count = math.prod(int(n) for n in shape)
    nbytes = count * np.dtype(dtype).itemsize
    if nbytes > _physical_memory():
        raise ValueError(
            f"{what} asks for an array of shape {tuple(shape)} ({nbytes / 2**30:,.3g} GiB), "
            f"more than this machine's memory ({_physical_memory() / 2**30:,.1f} GiB)"
        )


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: assume a 64-bit space
        return 2**62


def check_non_negative(value, name: str) -> float:
    """Return ``value`` as a float after checking that it is finite and >= 0."""
    value = check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be non-negative; got {value}")
    return value


def check_index(value, name: str, size: int) -> int:
    """Return ``value`` after checking that it is an integer index in ``[0, size)``.

    Negative indices are refused: they would count from the end, which a caller who
    names an element by its position rarely means.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer index; got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be an index in [0, {size}); got {value}")
    return int(value)


def check_callable(value, name: str):
    """Return ``value`` after checking that it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be callable; got {value!r:.60}")
    return value


def check_shape(array: np.ndarray, name: str, shape: tuple[int, ...], *, like: str = "") -> None:
    """Raise ``ValueError`` unless ``array.shape == shape``.

    ``like`` names what the shape comes from (``"x"`` gives "must have the shape of x").
    """
    shape = tuple(shape)
    if array.shape != shape:
        wanted = f"the shape of {like} {shape}" if like else f"shape {shape}"
        raise ValueError(f"{name} must have {wanted}; got shape {array.shape}")


def as_row(value, name: str) -> np.ndarray:
    """Return a row of finite numbers, shape (N,) or (1, N), as a 1-D float array.

    A (1, N) matrix is one feature with one example per column, dlmath's layout.
    """
    array = as_float_array(value, name, ndim=(1, 2))
    if array.ndim == 2 and array.shape[0] != 1:
        raise ValueError(
            f"{name} must be a row of numbers, shape (N,) or (1, N); got shape {array.shape}"
        )
    return array.reshape(-1)


def as_interval(value, name: str) -> tuple[float, float]:
    """Return ``(low, high)`` as two finite floats with ``low < high``, or raise."""
    pair = as_tuple(value, name, 2, form="(low, high)")
    low, high = (check_real(v, name) for v in pair)
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high; got ({low}, {high})")
    return low, high


def as_tuple(value, name: str, length: int, *, form: str) -> tuple:
    """Return ``value`` (a tuple or list of ``length`` items) as a tuple, or raise.

    ``form`` shows the expected items in the message, for example ``"(w, b)"``.
    """
    if not (isinstance(value, tuple | list) and len(value) == length):
        raise TypeError(f"{name} must be a tuple {form}; got {value!r:.60}")
    return tuple(value)
