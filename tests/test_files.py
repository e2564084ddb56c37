"""Tests of dlmath.files: atomic writing, and .npz archives read without trusting them."""

from __future__ import annotations

import errno
import io
import os
import pickle
import stat
import subprocess
import sys
import textwrap
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmath.files import atomic_write, find_npz, load_arrays, npz_path, save_arrays

ARRAYS = {
    "W0": np.arange(6, dtype=np.float32).reshape(2, 3),
    "names": np.array(["relu", "linear"]),
    "scalar": np.array(3.5),
}


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_same_arrays(found: dict, expected: dict) -> None:
    assert list(found) == list(expected)
    for key, array in expected.items():
        assert found[key].dtype == array.dtype
        np.testing.assert_array_equal(found[key], array)


@pytest.fixture
def old_file(tmp_path) -> tuple[Path, bytes]:
    """A file written before, whose bytes must survive a failed write."""
    path = save_arrays(tmp_path / "model.npz", {"old": np.ones(4)})
    return path, path.read_bytes()


class Exploding:
    """An array-like whose conversion raises: an interrupt, or a full disk, mid-write."""

    def __init__(self, error: BaseException):
        self.error = error

    def __array__(self, dtype=None, copy=None):
        raise self.error


# === save_arrays and load_arrays ========================================================
def test_round_trip_appends_npz_and_finds_it_again(tmp_path):
    written = save_arrays(tmp_path / "weights", ARRAYS)
    assert written == tmp_path / "weights.npz"
    assert listing(tmp_path) == ["weights.npz"]
    assert_same_arrays(load_arrays(tmp_path / "weights"), ARRAYS)  # finds weights.npz
    assert_same_arrays(load_arrays(str(written)), ARRAYS)
    # NumPy reads it too: an ordinary, uncompressed .npz archive.
    with np.load(written) as data:
        assert data.files == list(ARRAYS)
    with zipfile.ZipFile(written) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}


def test_save_arrays_replaces_an_existing_file(old_file):
    path, _ = old_file
    save_arrays(path, ARRAYS)
    assert_same_arrays(load_arrays(path), ARRAYS)
    assert listing(path.parent) == ["model.npz"]


def test_arrays_are_not_modified_and_lists_are_accepted(tmp_path):
    given_arrays = {"a": [[1, 2], [3, 4]], "b": np.arange(3)}
    before = given_arrays["b"].copy()
    save_arrays(tmp_path / "x.npz", given_arrays)
    np.testing.assert_array_equal(given_arrays["b"], before)
    np.testing.assert_array_equal(load_arrays(tmp_path / "x.npz")["a"], [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    ("arrays", "error", "words"),
    [
        ([("a", np.ones(2))], TypeError, "mapping"),
        ({1: np.ones(2)}, TypeError, "string keys"),
        ({"": np.ones(2)}, TypeError, "non-empty string keys"),
        ({"ok": np.ones(2), "objects": np.array([None, 1], dtype=object)}, ValueError, "objects"),
        ({"ragged": [[1, 2], [3]]}, TypeError, r"arrays\['ragged'\] must be array-like"),
    ],
)
def test_save_arrays_refuses_bad_arrays_and_keeps_the_old_file(old_file, arrays, error, words):
    path, before = old_file
    with pytest.raises(error, match=words):
        save_arrays(path, arrays)
    assert path.read_bytes() == before
    assert listing(path.parent) == ["model.npz"]


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [
        (42, TypeError, "path must be a str or os.PathLike"),
        (b"model.npz", TypeError, "path must be a str or os.PathLike"),
        ("", ValueError, "must not be empty"),
    ],
)
def test_bad_kinds_of_path(path, error, words):
    with pytest.raises(error, match=words):
        save_arrays(path, ARRAYS)
    with pytest.raises(error, match=words):
        load_arrays(path)


def test_save_arrays_names_a_folder_or_a_missing_folder(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "taken.npz").mkdir()
    (tmp_path / "plain").write_text("a file")
    cases = [
        (tmp_path / "folder", IsADirectoryError, "is a folder"),
        (str(tmp_path / "new") + os.sep, IsADirectoryError, "is a folder"),
        (tmp_path / "taken", IsADirectoryError, r"taken\.npz is a folder"),
        (tmp_path / "missing" / "m.npz", FileNotFoundError, "the folder .*missing does not exist"),
        (tmp_path / "plain" / "m.npz", NotADirectoryError, "plain is not a folder"),
    ]
    for path, error, words in cases:
        with pytest.raises(error, match=words):
            save_arrays(path, ARRAYS)
        with pytest.raises(error, match=words):
            npz_path(path)
    assert listing(tmp_path) == ["folder", "plain", "taken.npz"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_special_files_are_neither_replaced_nor_read(tmp_path):
    pipe = tmp_path / "pipe.npz"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match="not a regular file"):
        save_arrays(pipe, ARRAYS)
    with pytest.raises(ValueError, match="not a regular file"):
        load_arrays(pipe)  # and does not block reading the pipe
    assert stat.S_ISFIFO(pipe.stat().st_mode)


# === interruptions and failures during the write =========================================
@pytest.mark.parametrize(
    "error",
    [KeyboardInterrupt(), OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))],
    ids=["Ctrl-C", "disk full"],
)
def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(old_file, error):
    path, before = old_file
    # The first array is already in the temporary file when the second one fails.
    arrays = {"first": np.ones((100, 100)), "second": Exploding(error)}
    with pytest.raises(type(error)):
        save_arrays(path, arrays)
    assert path.read_bytes() == before
    assert listing(path.parent) == ["model.npz"]


@pytest.mark.parametrize(
    "error",
    [KeyboardInterrupt(), OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))],
    ids=["Ctrl-C", "disk full"],
)
def test_a_failure_while_syncing_keeps_the_old_file(old_file, monkeypatch, error):
    """A full disk often shows only when the data are flushed: os.fsync fails."""
    path, before = old_file
    synced = []

    def failing_fsync(handle):
        synced.append(handle)
        raise error

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(type(error)):
        save_arrays(path, ARRAYS)
    monkeypatch.undo()
    assert synced  # the failure came at the sync, after every byte was written
    assert path.read_bytes() == before
    assert listing(path.parent) == ["model.npz"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_real_write_error_from_the_system_keeps_the_old_file(old_file):
    """With a file size limit (RLIMIT_FSIZE), write() itself fails with EFBIG, as it
    would with ENOSPC on a full disk."""
    path, before = old_file
    code = textwrap.dedent(
        f"""
        import errno, resource, signal
        import numpy as np
        from dlmath.files import save_arrays
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        try:
            save_arrays({str(path)!r}, {{"big": np.ones(1_000_000)}})
        except OSError as exc:
            print(errno.errorcode[exc.errno])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "EFBIG"
    assert path.read_bytes() == before
    assert listing(path.parent) == ["model.npz"]


def test_concurrent_writers_never_share_a_temporary_file(tmp_path):
    path = tmp_path / "shared.npz"
    versions = [{"value": np.full((50, 50), k)} for k in range(8)]
    errors = []

    def write(arrays):
        try:
            for _ in range(5):
                save_arrays(path, arrays)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    value = load_arrays(path)["value"]
    assert len(np.unique(value)) == 1  # one writer's whole file, never a mixture
    assert listing(tmp_path) == ["shared.npz"]


# === atomic_write ======================================================================
def test_atomic_write_keeps_permissions_and_follows_links(tmp_path):
    target = tmp_path / "notes.txt"
    with atomic_write(target) as file:
        file.write(b"one")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # as open() would
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_write(link) as file:
        file.write(b"two")
    assert link.is_symlink()  # the link is kept, the file it names replaced
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["link.txt", "notes.txt"]


def test_atomic_write_creates_nothing_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "new.bin") as file:  # noqa: PT012
        file.write(b"partial")
        raise RuntimeError("stop")
    assert listing(tmp_path) == []


# === load_arrays: files that are not .npz archives ========================================
def test_missing_file_names_both_names_tried(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_arrays(tmp_path / "model")
    assert str(info.value) == f"no such file: {tmp_path / 'model'} nor {tmp_path / 'model.npz'}"
    with pytest.raises(FileNotFoundError, match=r"no such file: .*m\.npz$"):
        load_arrays(tmp_path / "m.npz")


def test_a_folder_is_a_folder_not_a_missing_file(tmp_path):
    (tmp_path / "model").mkdir()
    with pytest.raises(IsADirectoryError, match=r"is a folder; expected an \.npz file$"):
        load_arrays(tmp_path / "model")
    save_arrays(tmp_path / "model.npz", ARRAYS)
    with pytest.raises(IsADirectoryError, match=r"did you mean .*model\.npz\?"):
        load_arrays(tmp_path / "model")
    assert find_npz(tmp_path / "model.npz") == tmp_path / "model.npz"


def broken_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, expected words of the ValueError)."""
    valid = save_arrays(folder / "valid.npz", {"a": np.arange(1000.0), "b": np.ones(5)})
    raw = valid.read_bytes()
    files: dict[str, tuple[bytes, str]] = {
        "empty": (b"", "is empty; expected an .npz archive"),
        "text": (b"W0 = [[1, 2]]\nB0 = [0]\n", r"not an \.npz archive .*: it looks like text"),
        "binary": (bytes(range(200, 256)) * 3, "it starts with the bytes"),
        "truncated": (raw[: len(raw) // 2], "damaged or truncated zip archive"),
        "tail cut": (raw[:-10], "damaged or truncated zip archive"),
    }
    middle = raw.index(b"\x93NUMPY") + 300  # inside the first array's data
    files["flipped data"] = (
        raw[:middle] + bytes(b ^ 0xFF for b in raw[middle : middle + 16]) + raw[middle + 16 :],
        "damaged: cannot read the array 'a'",
    )
    npy = io.BytesIO()
    np.save(npy, np.ones(3))
    files["npy"] = (npy.getvalue(), r"single NumPy array \(\.npy\), not an \.npz")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    files["zip of text"] = (
        other_zip.getvalue(),
        "not an .npz of NumPy arrays: it holds 'readme.txt'",
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive, archive.open("huge.npy", "w") as member:
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
        np.lib.format.write_array_header_1_0(member, header)
        member.write(b"\0" * 64)
    files["huge shape"] = (bomb.getvalue(), r"declares shape \(1000000000000,\)")
    result = {}
    for name, (content, words) in files.items():
        path = folder / f"{name.replace(' ', '-')}.npz"
        path.write_bytes(content)
        result[name] = (path, words)
    return result


BROKEN = [
    "empty",
    "text",
    "binary",
    "truncated",
    "tail cut",
    "flipped data",
    "npy",
    "zip of text",
    "huge shape",
]


@pytest.mark.parametrize("case", BROKEN)
def test_broken_files_raise_a_value_error_naming_the_file(tmp_path, case):
    path, words = broken_files(tmp_path)[case]
    with pytest.raises(ValueError, match=words) as info:
        load_arrays(path)
    assert str(path) in str(info.value)


class Trap:
    """Unpickling this would create the file ``marker``."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickled_arrays_are_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "pickled.npz"
    with open(path, "wb") as file:  # NumPy pickles object arrays by default
        np.savez(file, ok=np.ones(2), trap=np.array([Trap(str(marker))], dtype=object))
    assert pickle.loads(pickle.dumps(Trap(str(marker)))) is None  # the trap works...
    marker.unlink()
    with pytest.raises(ValueError, match="'trap' holds Python objects") as info:
        load_arrays(path)
    assert str(path) in str(info.value)
    assert not marker.exists()  # ...and was not sprung


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts handles in /proc")
def test_no_file_handle_leaks_on_broken_files(tmp_path):
    files = broken_files(tmp_path)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        for path, words in files.values():
            with pytest.raises(ValueError, match=words):
                load_arrays(path)
    assert len(os.listdir("/proc/self/fd")) == before


@given(position=st.integers(min_value=0), flips=st.binary(min_size=1, max_size=8))
def test_random_damage_gives_the_arrays_or_a_value_error(tmp_path_factory, position, flips):
    """Whatever bytes are damaged: never an exception from deep inside NumPy or zipfile."""
    folder = tmp_path_factory.mktemp("damage")
    raw = save_arrays(folder / "valid.npz", ARRAYS).read_bytes()
    at = position % len(raw)
    damaged = bytearray(raw)
    for k, flip in enumerate(flips):
        damaged[(at + k) % len(raw)] ^= flip or 1
    path = folder / "damaged.npz"
    path.write_bytes(bytes(damaged))
    try:
        arrays = load_arrays(path)
    except ValueError as exc:
        message = str(exc)
        arrays = None
    if arrays is None:
        assert str(path) in message
    else:  # damage the archive did not notice (in a name, say) still gives arrays
        assert all(isinstance(array, np.ndarray) for array in arrays.values())
