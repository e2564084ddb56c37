"""Tests of dlmath.mnist.data: finding, downloading and checking MNIST, the bundled
sample, and images_to_columns."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import os
import re
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import dlmath
import dlmath.mnist.data as data
from dlmath.mnist import (
    MNISTNotFoundError,
    images_to_columns,
    keras_cache_path,
    load_mnist,
    load_mnist_sample,
)

REAL_MNIST = os.environ.get("DLMATH_MNIST")
needs_mnist = pytest.mark.skipif(
    not (REAL_MNIST and Path(REAL_MNIST).is_file()),
    reason="the real MNIST database is not available (set DLMATH_MNIST to its mnist.npz)",
)
SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


# --- fake MNIST files ---------------------------------------------------------------
def fake_arrays(mark: int) -> dict[str, np.ndarray]:
    """Arrays of MNIST's keys, shapes and dtypes; ``x_train[0, 0, 0] == mark``."""
    arrays = {
        "x_train": np.zeros(SHAPES["x_train"], np.uint8),
        "y_train": (np.arange(60000) % 10).astype(np.uint8),
        "x_test": np.zeros(SHAPES["x_test"], np.uint8),
        "y_test": (np.arange(10000) % 10).astype(np.uint8),
    }
    arrays["x_train"][0, 0, 0] = mark
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:  # a file object: np.savez must not append .npz
        np.savez_compressed(file, **arrays)
    return path


@pytest.fixture(scope="session")
def fake_bytes(tmp_path_factory):
    """The bytes of valid fake MNIST files, by mark (made once per session)."""
    cache: dict[int, bytes] = {}
    folder = tmp_path_factory.mktemp("fake-mnist")

    def make(mark: int) -> bytes:
        if mark not in cache:
            cache[mark] = write_npz(folder / f"{mark}.npz", fake_arrays(mark)).read_bytes()
        return cache[mark]

    return make


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No DLMATH_MNIST, no KERAS_HOME, HOME in tmp_path, downloads to a dead port."""
    monkeypatch.delenv("DLMATH_MNIST", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(data, "MNIST_URL", f"http://127.0.0.1:{closed_port()}/mnist.npz")
    return tmp_path


def closed_port() -> int:
    """A local TCP port with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mark_of(loaded) -> int:
    (x_train, _), _ = loaded
    return int(x_train[0, 0, 0])


# --- a local HTTP server for downloads ----------------------------------------------
class Server:
    """Serves ``body`` at any path; ``cut`` bytes are withheld (then the connection
    closes) while Content-Length announces the whole body; ``status`` overrides 200."""

    def __init__(self):
        self.body = b""
        self.cut = 0
        self.status = 200
        self.requests = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                if server.status != 200:
                    self.send_error(server.status)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body[: len(server.body) - server.cut])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist.npz"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(isolated, monkeypatch):
    served = Server()
    monkeypatch.setattr(data, "MNIST_URL", served.url)
    yield served
    served.close()


# === load_mnist: the sources =========================================================
def test_path_argument_as_str_and_path(isolated, fake_bytes):
    file = isolated / "given.npz"
    file.write_bytes(fake_bytes(1))
    for path in (file, str(file)):
        (x_train, y_train), (x_test, y_test) = load_mnist(path)
        assert [a.shape for a in (x_train, y_train, x_test, y_test)] == list(SHAPES.values())
        assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
        assert x_train[0, 0, 0] == 1


def test_path_takes_precedence_over_env_and_cache(isolated, fake_bytes, monkeypatch):
    given, env = isolated / "given.npz", isolated / "env.npz"
    given.write_bytes(fake_bytes(1))
    env.write_bytes(fake_bytes(2))
    keras_cache_path().parent.mkdir(parents=True)
    keras_cache_path().write_bytes(fake_bytes(3))
    monkeypatch.setenv("DLMATH_MNIST", str(env))
    assert mark_of(load_mnist(given)) == 1
    assert mark_of(load_mnist()) == 2  # the environment beats the cache


def test_keras_cache_under_home(isolated, fake_bytes):
    cache = isolated / "home" / ".keras" / "datasets" / "mnist.npz"
    assert keras_cache_path() == cache
    cache.parent.mkdir(parents=True)
    cache.write_bytes(fake_bytes(3))
    assert mark_of(load_mnist(download=False)) == 3


def test_keras_home_is_respected(isolated, fake_bytes, monkeypatch):
    home_cache = isolated / "home" / ".keras" / "datasets" / "mnist.npz"
    home_cache.parent.mkdir(parents=True)
    home_cache.write_bytes(fake_bytes(3))
    monkeypatch.setenv("KERAS_HOME", str(isolated / "kh"))
    cache = isolated / "kh" / "datasets" / "mnist.npz"
    assert keras_cache_path() == cache
    with pytest.raises(MNISTNotFoundError, match=re.escape(str(cache))):
        load_mnist(download=False)  # ~/.keras is not Keras's cache any more
    cache.parent.mkdir(parents=True)
    cache.write_bytes(fake_bytes(4))
    assert mark_of(load_mnist()) == 4


def test_missing_path_is_an_error_not_a_fallback(isolated, fake_bytes, monkeypatch):
    env = isolated / "env.npz"
    env.write_bytes(fake_bytes(2))
    monkeypatch.setenv("DLMATH_MNIST", str(env))
    missing = isolated / "nowhere.npz"
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(missing)
    assert isinstance(info.value, MNISTNotFoundError)
    assert str(missing) in str(info.value)
    assert "not consulted" in str(info.value)


def test_missing_env_file_is_an_error_not_a_fallback(isolated, fake_bytes, monkeypatch):
    keras_cache_path().parent.mkdir(parents=True)
    keras_cache_path().write_bytes(fake_bytes(3))
    monkeypatch.setenv("DLMATH_MNIST", str(isolated / "typo.npz"))
    with pytest.raises(MNISTNotFoundError, match=r"DLMATH_MNIST='.*typo\.npz': no such file"):
        load_mnist()


def test_nothing_found_lists_every_place_and_the_remedies(isolated):
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    for expected in (
        "1. the path argument: not given",
        "2. the environment variable DLMATH_MNIST: not set",
        f"3. the Keras cache {keras_cache_path()}: no such file",
        f"4. a download from {data.MNIST_URL}",
        "failed",
        "set DLMATH_MNIST=",
        "load_mnist('/path/to/mnist.npz')",
    ):
        assert expected in message
    with pytest.raises(MNISTNotFoundError, match="not attempted"):
        load_mnist(download=False)
    assert not keras_cache_path().exists()


def test_argument_kinds_are_checked(isolated):
    with pytest.raises(TypeError, match="path"):
        load_mnist(42)
    with pytest.raises(TypeError, match="download"):
        load_mnist(download="yes")


# === load_mnist: the download ========================================================
def cache_folder_files() -> list[str]:
    folder = keras_cache_path().parent
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_into_the_cache(server, fake_bytes, monkeypatch):
    server.body = fake_bytes(5)
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(server.body).hexdigest())
    assert mark_of(load_mnist()) == 5
    assert keras_cache_path().read_bytes() == server.body
    assert cache_folder_files() == ["mnist.npz"]  # no temporary file left behind
    assert mark_of(load_mnist()) == 5
    assert server.requests == 1  # the second call read the cache


def test_interrupted_download_leaves_no_file(server, fake_bytes, monkeypatch):
    server.body = fake_bytes(5)
    server.cut = len(server.body) // 2
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(server.body).hexdigest())
    with pytest.raises(MNISTNotFoundError, match=r"interrupted after \d+ of \d+ bytes"):
        load_mnist()
    assert cache_folder_files() == []


def test_download_with_the_wrong_hash_leaves_no_file(server, fake_bytes):
    server.body = fake_bytes(5)  # not Keras's file: its hash differs from MNIST_SHA256
    with pytest.raises(MNISTNotFoundError, match=f"expected {data.MNIST_SHA256}"):
        load_mnist()
    assert cache_folder_files() == []


def test_http_error_is_reported(server):
    server.status = 404
    with pytest.raises(MNISTNotFoundError, match="404"):
        load_mnist()
    assert cache_folder_files() == []


def test_interrupt_during_download_leaves_no_file(server, fake_bytes, monkeypatch):
    server.body = fake_bytes(5)
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(server.body).hexdigest())
    renamed = []

    def interrupted(*args):
        renamed.append(args)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)  # Ctrl-C just before the rename
    with pytest.raises(KeyboardInterrupt):
        load_mnist()
    assert renamed  # the download was complete: only the rename was missing
    assert cache_folder_files() == []


def test_load_mnist_names_a_folder_given_as_the_file(isolated, monkeypatch):
    with pytest.raises(MNISTNotFoundError, match="a folder, not a file"):
        load_mnist(isolated)
    monkeypatch.setenv("DLMATH_MNIST", str(isolated))
    with pytest.raises(MNISTNotFoundError, match=r"DLMATH_MNIST=.*: a folder, not a file"):
        load_mnist()


# === load_mnist: broken files ========================================================
def corrupt_variants(valid: bytes) -> dict[str, tuple[bytes | dict, str]]:
    """name -> (file bytes or arrays to save, expected words of the error)."""
    middle = len(valid) // 2
    flipped = valid[:middle] + bytes(b ^ 0xFF for b in valid[middle : middle + 64])
    flipped += valid[middle + 64 :]
    wrong_shape = fake_arrays(0)
    wrong_shape["x_train"] = wrong_shape["x_train"].reshape(60000, 784)
    wrong_dtype = fake_arrays(0)
    wrong_dtype["y_train"] = wrong_dtype["y_train"].astype(np.int64)
    bad_label = fake_arrays(0)
    bad_label["y_test"][7] = 10
    missing = fake_arrays(0)
    del missing["x_test"]
    return {
        "empty": (b"", "is empty; expected an .npz archive"),
        "text": (b"hello, MNIST\n" * 10, "not an .npz archive .*: it looks like text"),
        "truncated": (valid[:middle], "damaged or truncated zip archive"),
        "corrupt member": (flipped, "damaged"),
        "missing key": (missing, "lacks the array"),
        "wrong shape": (wrong_shape, r"x_train must have shape \(60000, 28, 28\)"),
        "wrong dtype": (wrong_dtype, "y_train must have dtype uint8; got int64"),
        "label 10": (bad_label, "y_test must hold labels 0..9; got values up to 10"),
    }


@pytest.mark.parametrize(
    "variant",
    [
        "empty",
        "text",
        "truncated",
        "corrupt member",
        "missing key",
        "wrong shape",
        "wrong dtype",
        "label 10",
    ],
)
def test_broken_files_raise_value_error_naming_the_file(isolated, fake_bytes, variant):
    content, words = corrupt_variants(fake_bytes(0))[variant]
    file = isolated / "broken.npz"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        write_npz(file, content)
    with pytest.raises(ValueError, match=words) as info:
        load_mnist(file)
    assert str(file) in str(info.value)


def test_npy_and_pickled_object_arrays_are_refused(isolated):
    npy = isolated / "single.npz"
    with open(npy, "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match=r"single NumPy array \(\.npy\)"):
        load_mnist(npy)
    pickled = isolated / "pickled.npz"
    arrays = {key: np.empty(shape[:1], object) for key, shape in SHAPES.items()}
    with open(pickled, "wb") as file:
        np.savez(file, **arrays)
    with pytest.raises(ValueError, match="Python objects") as info:
        load_mnist(pickled)  # allow_pickle=False: object arrays are not unpickled
    assert str(pickled) in str(info.value)


@pytest.mark.parametrize("source", ["env", "cache"])
def test_broken_files_from_env_and_cache(isolated, fake_bytes, monkeypatch, source):
    file = isolated / "env.npz" if source == "env" else keras_cache_path()
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(fake_bytes(0)[:1000])
    if source == "env":
        monkeypatch.setenv("DLMATH_MNIST", str(file))
    with pytest.raises(ValueError, match=re.escape(str(file))):
        load_mnist()


@needs_mnist
@pytest.mark.mnist
def test_the_real_database_matches_its_published_facts():
    """Class counts, pixel statistics and array hashes from /work/shared/data/README.md."""
    (x_train, y_train), (_x_test, y_test) = load_mnist()
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    pixels = x_train / 255.0
    assert pixels.mean() == pytest.approx(0.1307, abs=5e-5)
    assert pixels.std() == pytest.approx(0.3081, abs=5e-5)
    digest = hashlib.sha256(y_test.tobytes()).hexdigest()
    assert digest == "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"


# === the bundled sample ==============================================================
def test_sample_shapes_classes_and_provenance():
    x, y, index = load_mnist_sample(return_index=True)
    assert x.shape == (1000, 28, 28)
    assert x.dtype == np.uint8
    assert y.shape == (1000,)
    assert y.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == [100] * 10
    assert len(set(index.tolist())) == 1000
    assert index.min() >= 0
    assert index.max() < 10000
    assert x.max() == 255
    assert x.min() == 0
    # Shuffled: the first 800 (the CLI's training part) hold every digit in about equal
    # numbers, not a sorted run of classes.
    assert np.bincount(y[:800], minlength=10).min() >= 60
    # The digest stated in dlmath/data/README.md.
    digest = hashlib.sha256(x.tobytes() + y.tobytes() + index.tobytes()).hexdigest()
    readme = (Path(dlmath.__file__).parent / "data" / "README.md").read_text()
    assert digest in readme
    assert "CC BY-SA 3.0" in readme
    assert "LeCun" in readme


def test_sample_returns_fresh_arrays():
    x1, _ = load_mnist_sample()
    x1[...] = 0
    x2, _ = load_mnist_sample()
    assert x2.max() == 255


@needs_mnist
@pytest.mark.mnist
def test_sample_images_are_the_real_test_images():
    x, y, index = load_mnist_sample(return_index=True)
    _, (x_test, y_test) = load_mnist()
    np.testing.assert_array_equal(x, x_test[index])
    np.testing.assert_array_equal(y, y_test[index])


@needs_mnist
@pytest.mark.mnist
def test_sample_tool_reproduces_the_bundled_file(tmp_path, capsys, monkeypatch):
    """tools/make_mnist_sample.py draws the same indices from the same labels."""
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "make_mnist_sample", root / "tools" / "make_mnist_sample.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    x, y, index = load_mnist_sample(return_index=True)
    _, (x_test, y_test) = load_mnist(REAL_MNIST)
    x2, y2, index2 = tool.make_sample(x_test, y_test)
    np.testing.assert_array_equal(index2, index)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(y2, y)
    # And the script writes a file holding exactly these arrays.
    assert tool.main(["--output", str(tmp_path / "again.npz")]) == 0
    with np.load(tmp_path / "again.npz") as again:
        np.testing.assert_array_equal(again["index"], index)


# === images_to_columns ===============================================================
def test_images_to_columns_layout_and_no_copy_in_fit():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    before = images.copy()
    X = images_to_columns(images)
    assert X.shape == (784, 5)
    assert X.dtype == np.float32
    assert X.flags.f_contiguous
    for n in range(5):
        for i, j in ((0, 0), (3, 17), (27, 27), (14, 2)):
            assert X[28 * i + j, n] == images[n, i, j]
    # What Sequential.fit does with X: no copy of the data is needed.
    assert np.shares_memory(np.ascontiguousarray(X.T), X)
    np.testing.assert_array_equal(images, before)  # the input is untouched
    np.testing.assert_array_equal(images_to_columns(images.reshape(5, 784)), X)


def test_images_to_columns_scale():
    images = np.resize(np.arange(256, dtype=np.uint8), 784).reshape(1, 28, 28)
    X = images_to_columns(images, scale=True)
    np.testing.assert_allclose(X[:, 0], images.ravel() / 255.0, rtol=1e-7)
    assert X.max() == 1.0
    assert X.min() == 0.0


def test_images_to_columns_of_a_strided_view_is_still_fortran_ordered():
    images = np.ones((6, 28, 28), np.uint8)[::2]
    X = images_to_columns(images)
    assert X.shape == (784, 3)
    assert X.flags.f_contiguous


@pytest.mark.parametrize(
    ("images", "error", "words"),
    [
        (np.zeros((2, 28, 27)), ValueError, r"\(N, 28, 28\) or \(N, 784\)"),
        (np.zeros(784), ValueError, "got shape"),
        (np.zeros((0, 784)), ValueError, "at least one image"),
        (np.full((1, 784), np.nan), ValueError, "finite"),
        (np.zeros((1, 784), complex), TypeError, "real numbers"),
        (np.array([["a"] * 784]), TypeError, "real numbers"),
    ],
)
def test_images_to_columns_validates(images, error, words):
    with pytest.raises(error, match=words):
        images_to_columns(images)


def test_images_to_columns_scale_must_be_bool():
    with pytest.raises(TypeError, match="scale"):
        images_to_columns(np.zeros((1, 784)), scale=1)
