"""Tests of dlmath.serialization, the model file format, and of Sequential.save and
Sequential.load, which use it."""

from __future__ import annotations

import errno
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlmath import serialization
from dlmath.files import load_arrays, save_arrays
from dlmath.layers import Dense, Sequential
from dlmath.serialization import FORMAT, decode_model, encode_model, load_model, save_model


def small_model(dtype=np.float64) -> Sequential:
    model = Sequential(
        [Dense(3, 4, "relu", rng=0, dtype=dtype), Dense(4, 2, "softmax", rng=1, dtype=dtype)]
    )
    model.layers[0].B = [0.5, -0.5, 1.0, 0.0]
    return model


def layers_of(model: Sequential):
    return (
        [layer.activation for layer in model.layers],
        [layer.W for layer in model.layers],
        [layer.B for layer in model.layers],
    )


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_same_model(a: Sequential, b: Sequential) -> None:
    assert [layer.activation for layer in a.layers] == [layer.activation for layer in b.layers]
    assert a.dtype == b.dtype
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


# === the format ========================================================================
def test_encode_model_writes_the_documented_arrays():
    activations, weights, biases = layers_of(small_model())
    arrays = encode_model(activations, weights, biases, {"pixels": "raw pixels"})
    assert sorted(arrays) == sorted(
        ["format", "activations", "W0", "B0", "W1", "B1", "metadata_keys", "metadata_values"]
    )
    assert arrays["format"].shape == ()
    assert str(arrays["format"]) == "dlmath.Sequential/1" == FORMAT
    assert arrays["activations"].tolist() == ["relu", "softmax"]
    assert arrays["metadata_keys"].tolist() == ["pixels"]
    assert arrays["metadata_values"].tolist() == ["raw pixels"]
    assert arrays["W1"] is weights[1]  # not copied
    assert decode_model(arrays, "m.npz") == (activations, weights, biases, {"pixels": "raw pixels"})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sequential_round_trip_through_a_file(tmp_path, dtype):
    model = small_model(dtype)
    model.metadata = {"pixels": "pixels / 255", "note": "é ünïcode"}
    model.save(tmp_path / "m")
    assert listing(tmp_path) == ["m.npz"]
    for name in ("m", "m.npz"):  # load("m") finds the m.npz that save("m") wrote
        again = Sequential.load(tmp_path / name)
        assert_same_model(again, model)
        assert again.metadata == model.metadata
    activations, weights, biases, metadata = load_model(str(tmp_path / "m"))
    assert activations == ["relu", "softmax"]
    assert [W.dtype for W in weights] == [np.dtype(dtype)] * 2
    assert [B.shape for B in biases] == [(4, 1), (2, 1)]
    assert metadata == model.metadata


def test_files_written_by_numpy_savez_and_without_metadata_load(tmp_path):
    """Files from before (np.savez, compressed or not, before metadata) stay readable."""
    activations, weights, biases = layers_of(small_model())
    arrays = encode_model(activations, weights, biases, {})
    np.savez(tmp_path / "plain.npz", **arrays)
    del arrays["metadata_keys"], arrays["metadata_values"]
    np.savez_compressed(tmp_path / "old.npz", **arrays)
    for name in ("plain.npz", "old.npz"):
        model = Sequential.load(tmp_path / name)
        assert_same_model(model, small_model())
        assert model.metadata == {}


# === saving: the metadata and the layers are checked before anything is written ===========
@pytest.mark.parametrize(
    ("metadata", "words"),
    [
        (["pixels", "raw"], r"metadata must map strings to strings \(a dict\); got a list"),
        ("pixels", r"\(a dict\); got a str"),
        ({1: "one"}, "got the key 1"),
        ({"pixels": 255}, r"got metadata\['pixels'\] = 255"),
        ({"pixels": None}, r"got metadata\['pixels'\] = None"),
    ],
)
def test_save_refuses_metadata_that_is_not_text(tmp_path, metadata, words):
    path = tmp_path / "m.npz"
    small_model().save(path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=words):
        small_model().save(path, metadata=metadata)
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["m.npz"]


def test_metadata_with_a_nul_character_is_refused():
    # NumPy's string arrays drop trailing NULs: the note would come back changed.
    with pytest.raises(ValueError, match="NUL"):
        encode_model(*layers_of(small_model()), {"note": "abc\0"})


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a, w, b: (a[:1], w, b), "1 activations, 2 weight matrices and 2 bias"),
        (lambda a, w, b: (["gelu", a[1]], w, b), "activation 0 must be one of"),
        (lambda a, w, b: (a, [w[0].astype(np.int64), w[1]], b), "W0 must be a float32 or float64"),
        (lambda a, w, b: (a, w, [b[0].ravel(), b[1]]), r"B0 must be a non-empty 2-D array"),
        (lambda a, w, b: (a, w, [b[0][:2], b[1]]), r"B0 must have shape \(4, 1\)"),
        (lambda a, w, b: (a, [w[0], w[1][:, :3]], [b[0], b[1]]), "layer 0 has 4 outputs"),
        (lambda a, w, b: (a, [w[0], w[1].astype(np.float32)], b), "share one dtype"),
        (lambda a, w, b: (a, [w[0] * np.nan, w[1]], b), "W0 must hold finite numbers"),
        (lambda a, w, b: ([], [], []), "at least one layer"),
    ],
)
def test_encode_model_checks_the_layers(change, words):
    activations, weights, biases = change(*layers_of(small_model()))
    with pytest.raises(ValueError, match=words):
        encode_model(activations, weights, biases, {})


def test_an_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    """Ctrl-C while the weights are flushed to disk (os.fsync, called by the writer)."""
    path = tmp_path / "m.npz"
    small_model().save(path)
    before = path.read_bytes()

    def interrupted(handle):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Sequential([Dense(3, 1, rng=5)]).save(path)
    monkeypatch.setattr(
        os, "fsync", lambda handle: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
    )
    with pytest.raises(OSError, match="full"):
        Sequential([Dense(3, 1, rng=5)]).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["m.npz"]
    assert_same_model(Sequential.load(path), small_model())


# === loading: every inconsistency is a ValueError naming the file ===========================
def model_arrays() -> dict[str, np.ndarray]:
    return encode_model(*layers_of(small_model()), {"pixels": "raw pixels"})


def without(arrays: dict, *keys: str) -> dict:
    return {k: v for k, v in arrays.items() if k not in keys}


def changed(**replacements) -> dict:
    return {**model_arrays(), **replacements}


BROKEN_MODELS = {
    "no format": (
        without(model_arrays(), "format"),
        "not a model saved by dlmath: it has no 'format'",
    ),
    "other format": (changed(format=np.array("keras.Model/3")), "format 'keras.Model/3'; expected"),
    "format not a string": (changed(format=np.array(1.0)), "format must be a single string"),
    "no activations": (without(model_arrays(), "activations"), "lacks the array 'activations'"),
    "activations 2-D": (
        changed(activations=np.array([["relu", "softmax"]])),
        "activations must be a 1-D array of strings",
    ),
    "activations numbers": (
        changed(activations=np.array([1, 2])),
        "activations must be a 1-D array",
    ),
    "unknown activation": (
        changed(activations=np.array(["relu", "gelu"])),
        "activation 1 must be one of",
    ),
    "more activations than layers": (
        changed(activations=np.array(["relu", "relu", "softmax"])),
        "the activations list 3 layers, but the arrays W2, B2 are missing",
    ),
    "fewer activations than layers": (
        changed(activations=np.array(["relu"])),
        "the activations list 1 layer, but the file also holds B1, W1",
    ),
    "extra W": (changed(W2=np.ones((2, 2))), "also holds W2"),
    "unknown array": (changed(extra=np.ones(2)), "also holds extra"),
    "missing bias": (without(model_arrays(), "B1"), "the arrays B1 are missing"),
    "W 1-D": (changed(W0=np.ones(12)), "W0 must be a non-empty 2-D array"),
    "W integers": (changed(W0=np.ones((4, 3), np.int64)), "W0 must be a float32 or float64"),
    "W strings": (changed(W0=np.full((4, 3), "x")), "W0 must be a float32 or float64"),
    "B flat": (changed(B0=np.zeros(4)), r"B0 must be a non-empty 2-D array; got \(4,\)"),
    "B wrong length": (changed(B0=np.zeros((3, 1))), r"B0 must have shape \(4, 1\)"),
    "shapes do not chain": (changed(W1=np.ones((2, 5)), B1=np.zeros((2, 1))), "takes 5 inputs"),
    "mixed dtypes": (changed(B1=np.zeros((2, 1), np.float32)), "share one dtype"),
    "NaN weight": (changed(W1=np.full((2, 4), np.nan)), "W1 must hold finite numbers; got 8 NaN"),
    "infinite bias": (changed(B0=np.full((4, 1), np.inf)), "B0 must hold finite numbers"),
    "metadata one-sided": (without(model_arrays(), "metadata_values"), "without its partner"),
    "metadata lengths": (
        changed(metadata_keys=np.array(["a", "b"]), metadata_values=np.array(["x"])),
        "2 metadata keys but 1 metadata values",
    ),
    "metadata not strings": (
        changed(metadata_values=np.array([1.5])),
        "metadata_values must be a 1-D array of strings",
    ),
    "metadata key twice": (
        changed(metadata_keys=np.array(["a", "a"]), metadata_values=np.array(["x", "y"])),
        "a metadata key twice",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_MODELS))
def test_load_refuses_an_inconsistent_model_naming_the_file(tmp_path, case):
    arrays, words = BROKEN_MODELS[case]
    path = save_arrays(tmp_path / "broken.npz", arrays)
    with pytest.raises(ValueError, match=words) as info:
        Sequential.load(path)
    assert str(path) in str(info.value)
    with pytest.raises(ValueError, match=words):
        decode_model(load_arrays(path), path)


def test_errors_name_the_file_actually_read(tmp_path):
    save_arrays(tmp_path / "m.npz", changed(format=np.array("other")))
    with pytest.raises(ValueError, match=r"m\.npz is a file of format 'other'"):
        Sequential.load(tmp_path / "m")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("npy", r"cannot read a dlmath model: .* holds a single NumPy array \(\.npy\)"),
        ("text", r"cannot read a dlmath model: .* is not an \.npz archive .*looks like text"),
        ("zip", r"cannot read a dlmath model: .* not an \.npz of NumPy arrays"),
        ("truncated", "cannot read a dlmath model: .* damaged or truncated zip archive"),
        ("pickled", "holds Python objects"),
    ],
)
def test_load_of_a_file_that_is_not_an_npz_archive(tmp_path, content, words):
    path = tmp_path / "model.npz"
    if content == "npy":
        with open(path, "wb") as file:
            np.save(file, np.ones((4, 3)))
    elif content == "text":
        path.write_text("activations: relu, softmax\n")
    elif content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("model.json", "{}")
    elif content == "truncated":
        small_model().save(path)
        path.write_bytes(path.read_bytes()[:300])
    else:
        with open(path, "wb") as file:
            np.savez(file, **model_arrays(), activations_objects=np.array([None], dtype=object))
    with pytest.raises(ValueError, match=words) as info:
        Sequential.load(path)
    assert str(path) in str(info.value)


def test_load_of_a_folder_or_a_missing_file(tmp_path):
    (tmp_path / "model").mkdir()
    with pytest.raises(IsADirectoryError, match="model is a folder"):
        Sequential.load(tmp_path / "model")
    with pytest.raises(FileNotFoundError, match=r"no such file: .*nothing nor .*nothing\.npz"):
        Sequential.load(tmp_path / "nothing")
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike"):
        Sequential.load(None)


def test_the_module_reexports_the_array_functions():
    assert serialization.load_arrays is load_arrays
    assert save_model.__module__ == "dlmath.serialization"
