r"""Files written atomically, and ``.npz`` archives read without trusting them.

dlmath writes every file through :func:`atomic_write`: into a temporary file in the
target's folder, flushed to disk, then renamed over the target. A failure or an
interrupt at any point (a full disk, Ctrl-C) leaves an existing file as it was and
no temporary file behind. :func:`save_arrays` writes named arrays that way, as an
uncompressed ``.npz`` archive (NumPy's zip file of ``.npy`` arrays), and
:func:`load_arrays` reads one back: it never unpickles (``allow_pickle=False``),
opens the file itself (so that no handle leaks when the archive is damaged), checks
each array's declared size against the archive before allocating it, and reports
every problem as an error that names the file and says what was expected.

**Shape convention.** Arrays are stored as they are given, whatever their shape;
:mod:`dlmath.serialization` stores a model's layers here, one example per column
(``W`` of shape (n_out, n_in), ``B`` of shape (n_out, 1)).

For example:

>>> import os, tempfile
>>> import numpy as np
>>> from dlmath.files import load_arrays, save_arrays
>>> with tempfile.TemporaryDirectory() as folder:
...     written = save_arrays(os.path.join(folder, "numbers"), {"x": np.arange(3)})
...     arrays = load_arrays(os.path.join(folder, "numbers"))
>>> written.name, arrays["x"].tolist()
('numbers.npz', [0, 1, 2])
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = ["atomic_write", "find_npz", "load_arrays", "npz_path", "save_arrays"]

_NPY_MAGIC = b"\x93NUMPY"
# What reading a damaged archive member can raise, from zipfile, zlib, NumPy's .npy
# reader (TypeError included: it must not escape as if the caller had erred).
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted member
    struct.error,
)


# === Paths and atomic writing =========================================================
def _as_path(path) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike; got {path!r:.80}")
    raw = os.fspath(path)
    if not isinstance(raw, str):
        raise TypeError(f"path must be a str or os.PathLike of str; got {path!r:.80}")
    if not raw:
        raise ValueError("path must not be empty")
    return Path(raw)


def npz_path(path) -> Path:
    """The file that :func:`save_arrays` writes for ``path``, after checking it.

    Parameters
    ----------
    path : str or os.PathLike
        A file name; ``.npz`` is appended when it lacks that suffix (as
        :func:`numpy.savez` does).

    Returns
    -------
    pathlib.Path
        ``path``, with ``.npz`` appended if needed.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike.
    IsADirectoryError
        If ``path`` (or the ``.npz`` name) is a folder, or ends with a separator.
    FileNotFoundError
        If the folder that would hold the file does not exist (named in the message).
    NotADirectoryError
        If that folder is a file.
    ValueError
        If the target exists but is not a regular file (a device, a pipe).

    Examples
    --------
    >>> from dlmath.files import npz_path
    >>> npz_path("model").name, npz_path("model.npz").name
    ('model.npz', 'model.npz')
    """
    file = _as_path(path)
    given = os.fspath(path)
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    if given.endswith(separators) or file.is_dir():
        raise IsADirectoryError(f"{given} is a folder; expected the name of a file to write")
    if not file.name.endswith(".npz"):
        file = file.with_name(file.name + ".npz")
    if file.is_dir():
        raise IsADirectoryError(f"{file} is a folder; expected the name of a file to write")
    folder = file.parent
    if not folder.exists():
        raise FileNotFoundError(f"cannot write {file}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"cannot write {file}: {folder} is not a folder")
    if file.exists() and not file.is_file():
        raise ValueError(f"cannot write {file}: it exists and is not a regular file")
    return file


def _new_file_mode(target: Path) -> int:
    """The permissions for the new file: the old file's, or what the umask allows."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    mask = None
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                mask = int(line.split()[1], 8)
    if mask is None:  # no /proc: read the umask by setting it (and at once restoring it)
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the system allows it."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


@contextlib.contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """Write a file all at once or not at all.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace. Its folder must exist. A symbolic link is
        followed: the file it points to is replaced, and the link kept.

    Yields
    ------
    file object
        A binary file, open for writing, in the same folder as ``path``.

    Notes
    -----
    The bytes go to a temporary file created with ``tempfile`` beside ``path``
    (so that two processes never share one), which is flushed, synced to disk and
    then renamed over ``path`` with ``os.replace``, an atomic step: a reader sees the
    old file or the new one, never a part. If the ``with`` block raises anything,
    :class:`KeyboardInterrupt` and :class:`OSError` (a full disk) included, the
    temporary file is removed and ``path`` is left as it was. The new file gets the
    permissions of the file it replaces, or those the umask gives a new file.

    Examples
    --------
    >>> import os, tempfile
    >>> from dlmath.files import atomic_write
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = os.path.join(folder, "notes.txt")
    ...     with atomic_write(target) as file:
    ...         _ = file.write(b"first")
    ...     try:
    ...         with atomic_write(target) as file:
    ...             _ = file.write(b"second, unfinished")
    ...             raise KeyboardInterrupt
    ...     except KeyboardInterrupt:
    ...         pass
    ...     with open(target, "rb") as file:
    ...         print(file.read(), os.listdir(folder))
    b'first' ['notes.txt']
    """
    target = _as_path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    mode = _new_file_mode(target)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as file:
            if hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), mode)
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


# === Arrays ===========================================================================
def save_arrays(path, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write named arrays to an uncompressed ``.npz`` file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write; ``.npz`` is appended when the name lacks it (see
        :func:`npz_path`, which also lists the errors for a bad path).
    arrays : mapping of str to array_like
        The arrays, by name. They must not hold Python objects (which only pickling
        could store).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        If ``arrays`` is not a mapping with non-empty string keys, or a value is not
        array-like.
    ValueError
        If an array holds Python objects.
    OSError
        If writing fails (a full disk, no permission); ``path`` is then unchanged.

    Notes
    -----
    The file is what :func:`numpy.savez` writes, one ``name.npy`` member per array,
    but never pickles, and is written by :func:`atomic_write`: whatever happens
    during the write, :class:`KeyboardInterrupt` included, an existing file at
    ``path`` is either left untouched or replaced whole.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from dlmath.files import save_arrays
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = save_arrays(os.path.join(folder, "w"), {"W0": np.eye(2)})
    ...     with np.load(written) as data:
    ...         print(written.name, data.files, data["W0"].tolist())
    w.npz ['W0'] [[1.0, 0.0], [0.0, 1.0]]
    """
    target = npz_path(path)
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of str to arrays; got {type(arrays).__name__}")
    for key in arrays:
        if not isinstance(key, str) or not key:
            raise TypeError(f"arrays must have non-empty string keys; got {key!r:.60}")
    with (
        atomic_write(target) as file,
        zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        for key, value in arrays.items():
            try:
                array = np.asarray(value)  # may run the value's own __array__
            except (TypeError, ValueError) as exc:
                raise TypeError(f"arrays[{key!r}] must be array-like; {exc}") from exc
            if array.dtype.hasobject:
                raise ValueError(
                    f"arrays[{key!r}] holds Python objects (dtype {array.dtype}), which "
                    "only pickling could store; expected numbers or strings"
                )
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return target


def find_npz(path) -> Path:
    """The file that :func:`load_arrays` reads for ``path``, after checking it.

    Parameters
    ----------
    path : str or os.PathLike
        A file; when it does not exist and lacks the suffix ``.npz``, ``path.npz``
        (the file :func:`save_arrays` writes for ``path``).

    Returns
    -------
    pathlib.Path
        ``path`` or ``path.npz``: an existing regular file.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike.
    FileNotFoundError
        If neither ``path`` nor ``path.npz`` exists; the message names both.
    IsADirectoryError
        If ``path`` is a folder.
    ValueError
        If ``path`` is not a regular file (a device, a pipe).

    Examples
    --------
    >>> from dlmath.files import find_npz
    >>> try:
    ...     find_npz("no-such-model")
    ... except FileNotFoundError as error:
    ...     print(error)
    no such file: no-such-model nor no-such-model.npz
    """
    file = _as_path(path)
    candidates = [file]
    if not file.name.endswith(".npz"):
        candidates.append(file.with_name(file.name + ".npz"))
    found = next((c for c in candidates if os.path.lexists(c)), None)
    if found is None:
        raise FileNotFoundError(f"no such file: {' nor '.join(map(str, candidates))}")
    if found.is_dir():
        hint = ""
        if len(candidates) == 2 and candidates[1].is_file():
            hint = f" (did you mean {candidates[1]}?)"
        raise IsADirectoryError(f"{found} is a folder; expected an .npz file{hint}")
    try:
        mode = found.stat().st_mode
    except OSError as exc:  # a dangling link, or no permission to look
        raise FileNotFoundError(f"cannot open {found}: {exc}") from exc
    if not stat.S_ISREG(mode):
        raise ValueError(f"{found} is not a regular file (a device or a pipe); expected .npz")
    return found


def _describe_start(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isprintable() or c.isspace() for c in text):
        return "it looks like text"
    return f"it starts with the bytes {head[:8]!r}"


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member, its header checked before any allocation."""
    fmt = np.lib.format
    with archive.open(info) as member:
        version = fmt.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = fmt.read_array_header_2_0(member)
        else:  # version 3.0 (UTF-8 field names): read_array checks it
            shape, dtype = None, None
    if dtype is not None:
        if dtype.hasobject:
            raise _PickledArray
        if any(n < 0 for n in shape):
            raise ValueError(f"its header declares the negative shape {shape}")
        declared = math.prod(shape) * dtype.itemsize
        if declared > info.file_size:
            raise ValueError(
                f"its header declares shape {shape} of {dtype} ({declared} bytes) but the "
                f"member holds {info.file_size} bytes"
            )
    with archive.open(info) as member:
        return fmt.read_array(member, allow_pickle=False)


class _PickledArray(Exception):
    """A member holds an array of Python objects."""


def load_arrays(path) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file, without unpickling anything.

    Parameters
    ----------
    path : str or os.PathLike
        The file; when it does not exist and lacks the suffix ``.npz``, ``path.npz``
        is read instead (the file :func:`save_arrays` writes for ``path``).

    Returns
    -------
    dict of str to numpy.ndarray
        The arrays, by name, in the archive's order.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike.
    FileNotFoundError
        If neither ``path`` nor ``path.npz`` exists; the message names both.
    IsADirectoryError
        If ``path`` is a folder.
    ValueError
        If the file is not an ``.npz`` archive (empty, text, a single ``.npy``
        array, a zip of other files), is damaged or truncated, or holds an array of
        Python objects (which only unpickling could restore). The message names the
        file and says what was expected.

    Examples
    --------
    >>> import os, tempfile
    >>> from dlmath.files import load_arrays
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     text = os.path.join(folder, "notes.npz")
    ...     with open(text, "w") as file:
    ...         _ = file.write("not numbers")
    ...     try:
    ...         load_arrays(text)
    ...     except ValueError as error:
    ...         print(str(error).replace(folder, "<folder>"))
    <folder>/notes.npz is not an .npz archive (a zip file of NumPy arrays): it looks like text
    """
    file = find_npz(path)
    # The file is opened here, not by np.load, so that it is closed on every error
    # (np.load leaks its handle when a zip archive's directory is unreadable).
    with open(file, "rb") as handle:
        head = handle.read(64)
        if not head:
            raise ValueError(f"{file} is empty; expected an .npz archive of NumPy arrays")
        if head.startswith(_NPY_MAGIC):
            raise ValueError(
                f"{file} holds a single NumPy array (.npy), not an .npz archive of named arrays"
            )
        if not head.startswith(b"PK"):
            raise ValueError(
                f"{file} is not an .npz archive (a zip file of NumPy arrays): "
                f"{_describe_start(head)}"
            )
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except _READ_ERRORS as exc:
            raise ValueError(
                f"{file} is a damaged or truncated zip archive, not a readable .npz: {exc}"
            ) from exc
        with archive:
            arrays: dict[str, np.ndarray] = {}
            for info in archive.infolist():
                name = info.filename
                if info.is_dir() or not name.endswith(".npy"):
                    raise ValueError(
                        f"{file} is a zip archive but not an .npz of NumPy arrays: it holds "
                        f"{name!r}, not a .npy array"
                    )
                key = name[: -len(".npy")]
                if key in arrays:
                    raise ValueError(f"{file} holds the array {key!r} twice")
                try:
                    arrays[key] = _read_member(archive, info)
                except _PickledArray:
                    raise ValueError(
                        f"{file}: the array {key!r} holds Python objects, which only "
                        "unpickling could restore; dlmath never unpickles a file"
                    ) from None
                except _READ_ERRORS as exc:
                    raise ValueError(
                        f"{file} is damaged: cannot read the array {key!r} ({exc})"
                    ) from exc
    return arrays
