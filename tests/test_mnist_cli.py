"""Tests of dlmath.mnist.cli, the command line (``dlmath-mnist``, ``python -m dlmath.mnist``):
its options, exit statuses, --save and --load, and Ctrl-C."""

from __future__ import annotations

import errno
import importlib.util
import os
import re
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import dlmath.mnist
from dlmath.layers import Dense, Sequential
from dlmath.mnist import build_model, load_mnist_sample, main, train_and_evaluate
from dlmath.mnist.cli import main as cli_main
from dlmath.progress import ProgressBar

ROOT = Path(__file__).resolve().parents[1]
REAL_MNIST = os.environ.get("DLMATH_MNIST")
needs_mnist = pytest.mark.skipif(
    not (REAL_MNIST and Path(REAL_MNIST).is_file()),
    reason="the real MNIST database is not available (set DLMATH_MNIST to its mnist.npz)",
)
HAVE_TF = importlib.util.find_spec("tensorflow") is not None
BACKENDS = [
    "numpy",
    pytest.param(
        "keras",
        marks=[
            pytest.mark.keras,
            pytest.mark.skipif(not HAVE_TF, reason='TensorFlow: pip install "dlmath[keras]"'),
        ],
    ),
]


def train_loss(text: str) -> float:
    """The loss on the training images that --load prints ("train accuracy: … (loss 0.1234")."""
    return float(re.search(r"^train accuracy: .*\(loss ([0-9.]+)", text, re.M).group(1))


def summary(text: str) -> dict[str, float]:
    """The numbers of the CLI's summary lines ("train accuracy: 0.9850" and so on)."""
    found = re.findall(r"^(train accuracy|test accuracy|fit seconds):\s+([0-9.]+)", text, re.M)
    return {key: float(value) for key, value in found}


@pytest.fixture(scope="module")
def sample_split():
    x, y = load_mnist_sample()
    return (x[:800], y[:800]), (x[800:], y[800:])


def trained_parameters(sample_split, epochs: int, seed: int = 0, scale: bool = False):
    """The parameters after ``epochs`` epochs, trained independently of the CLI."""
    train, test = sample_split
    return train_and_evaluate(train, test, epochs=epochs, seed=seed, scale=scale).model.parameters()


def assert_parameters(model: Sequential, expected) -> None:
    for p, q in zip(model.parameters(), expected, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# === training and the summary =============================================================
def test_cli_on_the_sample(capsys):
    assert main(["--sample", "--epochs", "2", "--scale", "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    numbers = summary(out)
    assert set(numbers) == {"train accuracy", "test accuracy", "fit seconds"}
    assert 0.5 < numbers["train accuracy"] <= 1
    assert 0.5 < numbers["test accuracy"] <= 1
    assert "800 training images, 200 test images (pixels / 255, 2 epochs" in out
    # Off a terminal, one tqdm line per finished epoch, on stderr.
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 1/2: 100%|")
    assert lines[1].startswith("Epoch 2/2: 100%|")
    assert all("| 7/7 [" in line and "loss=" in line and "accuracy=" in line for line in lines)


@needs_mnist
@pytest.mark.mnist
def test_cli_on_real_mnist(capsys, monkeypatch):
    monkeypatch.setenv("DLMATH_MNIST", REAL_MNIST)
    assert main(["--epochs", "1"]) == 0
    out, err = capsys.readouterr()
    assert "on MNIST: 60000 training images, 10000 test images (raw pixels, 1 epoch," in out
    assert "| 469/469 [" in err
    # One epoch of the slides' model reaches well over 85 % (chance: 10 %).
    assert summary(out)["test accuracy"] > 0.85


def test_main_is_the_same_function_everywhere():
    assert dlmath.mnist.main is cli_main
    assert main is cli_main
    assert dlmath.mnist.ProgressBar is ProgressBar  # kept for older code
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"dlmath-mnist": "dlmath.mnist.cli:main"}


def test_python_dash_m_runs_the_cli(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "dlmath.mnist", "--sample", "--epochs", "1", "--batch-size", "400"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "Trained with numpy on the bundled sample" in done.stdout
    assert done.stderr.startswith("Epoch 1/1: 100%|")


# === argument errors: exit status 2, naming the option =======================================
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--epochs", "0"], "argument --epochs: expected a positive integer; got 0"),
        (["--epochs", "five"], "argument --epochs: expected a positive integer; got 'five'"),
        (["--batch-size", "-1"], "argument --batch-size: expected a positive integer"),
        (["--seed", "-3"], "argument --seed: expected an integer >= 0"),
        (["--backend", "torch"], "argument --backend: invalid choice"),
        (["--sample", "--data", "x.npz"], "argument --data: not allowed with argument --sample"),
        (["--sample", "--load", "a.npz", "--save", "b.npz"], "--load .* cannot be combined"),
        (["--sample", "--load", "a.npz", "--backend", "keras"], "--load .*--backend numpy"),
        (["--data", "/nonexistent/mnist.npz"], "--data /nonexistent/mnist.npz: no such file"),
        (["--sample", "--load", "/nonexistent/w.npz"], "--load: no such file"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["--sample", "--save", "/nonexistent/folder/w.npz"], "--save: .*does not exist"),
    ],
)
def test_cli_bad_arguments_exit_2(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert re.search(words, capsys.readouterr().err)


def test_cli_folders_given_as_files_exit_2(capsys, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    for argv, words in [
        (["--data", str(folder)], f"--data {folder}: a folder, not an mnist.npz file"),
        (["--sample", "--load", str(folder)], f"--load: {folder} is a folder"),
        (["--sample", "--save", str(folder)], f"--save: {folder} is a folder"),
    ]:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert words in capsys.readouterr().err
    assert listing(tmp_path) == ["folder"]


def test_cli_will_not_save_over_the_data_it_reads(capsys, tmp_path, monkeypatch):
    data = tmp_path / "mnist.npz"
    data.write_bytes(b"stand-in")
    with pytest.raises(SystemExit) as info:
        main(["--data", str(data), "--save", str(data)])
    assert info.value.code == 2
    assert "is the MNIST file being read" in capsys.readouterr().err
    monkeypatch.setenv("DLMATH_MNIST", str(data))
    with pytest.raises(SystemExit):
        main(["--save", str(tmp_path / "mnist")])
    assert data.read_bytes() == b"stand-in"


def test_cli_broken_data_file_exits_2(capsys, tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not an archive")
    with pytest.raises(SystemExit) as info:
        main(["--data", str(broken)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"--data: {broken} is not an .npz archive" in err


def test_cli_exit_code_2_in_a_subprocess():
    done = subprocess.run(
        [sys.executable, "-m", "dlmath.mnist", "--epochs", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "argument --epochs: expected a positive integer" in done.stderr


# === missing MNIST or TensorFlow: exit status 1 ===============================================
def test_cli_without_mnist_exits_1_with_the_places_tried(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("DLMATH_MNIST", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(dlmath.mnist.data, "MNIST_URL", "http://127.0.0.1:9/mnist.npz")
    assert main(["--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert "dlmath-mnist: error: MNIST (mnist.npz) was not found" in err
    assert "DLMATH_MNIST: not set" in err
    assert "set DLMATH_MNIST=/path/to/mnist.npz" in err


def test_cli_with_a_broken_dlmath_mnist_exits_1(capsys, tmp_path, monkeypatch):
    broken = tmp_path / "mnist.npz"
    broken.write_text("not numbers")
    monkeypatch.setenv("DLMATH_MNIST", str(broken))
    assert main(["--epochs", "1"]) == 1
    assert f"dlmath-mnist: error: {broken} is not an .npz archive" in capsys.readouterr().err


def test_cli_keras_backend_without_tensorflow_exits_1(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    assert main(["--sample", "--backend", "keras", "--epochs", "1"]) == 1
    assert 'pip install "dlmath[keras]"' in capsys.readouterr().err


# === --save and --load ====================================================================
def test_cli_save_and_load_round_trip(capsys, tmp_path):
    assert main(["--sample", "--epochs", "3", "--save", str(tmp_path / "weights")]) == 0
    out = capsys.readouterr().out
    trained = summary(out)
    saved = tmp_path / "weights.npz"
    assert f"saved weights:  {saved}" in out
    assert listing(tmp_path) == ["weights.npz"]
    model = Sequential.load(saved)
    assert [p.shape for p in model.parameters()] == [(512, 784), (512, 1), (10, 512), (10, 1)]
    assert model.metadata == {"pixels": "raw pixels"}
    assert main(["--sample", "--load", str(tmp_path / "weights")]) == 0  # finds weights.npz
    out = loaded_out = capsys.readouterr().out
    assert "(raw pixels)" in out
    loaded = summary(out)
    assert loaded["train accuracy"] == trained["train accuracy"]
    assert loaded["test accuracy"] == trained["test accuracy"]
    assert "fit seconds" not in loaded  # nothing was trained
    # Asked for another scale, the output says why the numbers differ. (A ReLU network
    # with small biases ranks the classes almost the same on pixels / 255, as
    # relu(z / 255) = relu(z) / 255, but from logits 255 times smaller: another loss.)
    assert main(["--sample", "--load", str(saved), "--scale"]) == 0
    out = capsys.readouterr().out
    assert "(pixels / 255; the weights were trained on raw pixels)" in out
    assert abs(train_loss(out) - train_loss(loaded_out)) > 0.1


def test_cli_load_uses_the_scale_the_weights_were_trained_on(capsys, tmp_path):
    path = tmp_path / "scaled.npz"
    assert main(["--sample", "--epochs", "2", "--scale", "--save", str(path)]) == 0
    trained = summary(capsys.readouterr().out)
    assert Sequential.load(path).metadata == {"pixels": "pixels / 255"}
    assert main(["--sample", "--load", str(path)]) == 0  # no --scale needed
    out = capsys.readouterr().out
    assert "(pixels / 255)" in out
    assert summary(out)["test accuracy"] == trained["test accuracy"]
    # Weights saved without the note (by Sequential.save) are read as raw-pixel weights.
    Sequential.load(path).save(tmp_path / "bare.npz", metadata={})
    assert main(["--sample", "--load", str(tmp_path / "bare.npz")]) == 0
    assert "(raw pixels)" in capsys.readouterr().out


def test_cli_load_refuses_other_files(capsys, tmp_path):
    other = tmp_path / "other.npz"
    Sequential([Dense(3, 2, rng=0)]).save(other)
    with pytest.raises(SystemExit) as info:
        main(["--sample", "--load", str(other)])
    assert info.value.code == 2
    assert "784 inputs to 10 softmax outputs" in capsys.readouterr().err
    for name, content in [("junk.npz", b"junk"), ("weights.npy", None)]:
        path = tmp_path / name
        if content is None:
            np.save(path, np.ones(3))
        else:
            path.write_bytes(content)
        with pytest.raises(SystemExit) as info:
            main(["--sample", "--load", str(path)])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert f"--load: cannot read a dlmath model: {path}" in err


def test_cli_save_failure_exits_1_and_keeps_the_old_file(capsys, tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    build_model(9).save(path)
    before = path.read_bytes()

    def disk_full(handle):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(["--sample", "--epochs", "1", "--save", str(path)]) == 1
    assert f"cannot save to {path}: [Errno {errno.ENOSPC}]" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["w.npz"]


# === Ctrl-C ===============================================================================
def ctrl_c_at(monkeypatch, epoch: int, batch: int) -> None:
    """Press Ctrl-C (a real SIGINT) after batch ``batch`` of epoch ``epoch`` (from 0)."""
    begin, end = ProgressBar.on_epoch_begin, ProgressBar.on_batch_end

    def on_epoch_begin(self, e):
        self.test_epoch = e
        begin(self, e)

    def on_batch_end(self, b, logs=None):
        end(self, b, logs)
        if self.test_epoch == epoch and b == batch:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(ProgressBar, "on_epoch_begin", on_epoch_begin)
    monkeypatch.setattr(ProgressBar, "on_batch_end", on_batch_end)


def ctrl_c_while_syncing(monkeypatch) -> list:
    """Press Ctrl-C once more while the file is flushed to disk (in the middle of saving)."""
    real_fsync, pressed = os.fsync, []

    def fsync(handle):
        if not pressed:
            pressed.append(handle)
            os.kill(os.getpid(), signal.SIGINT)
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    return pressed


@pytest.mark.parametrize("backend", BACKENDS)
def test_ctrl_c_saves_the_last_finished_epoch(capsys, monkeypatch, tmp_path, sample_split, backend):
    ctrl_c_at(monkeypatch, epoch=2, batch=3)
    path = tmp_path / "w.npz"
    argv = ["--sample", "--epochs", "5", "--save", str(path), "--seed", "4", "--backend", backend]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert f"dlmath-mnist: interrupted; saving the weights of epoch 2 to {path}" in err
    assert err.rstrip().endswith(f"dlmath-mnist: saved the weights of epoch 2 to {path}")
    assert listing(tmp_path) == ["w.npz"]
    saved = Sequential.load(path)
    assert saved.metadata == {"pixels": "raw pixels"}
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    if backend == "numpy":
        # Independently: the model after exactly two epochs, and not after three.
        monkeypatch.undo()
        assert_parameters(saved, trained_parameters(sample_split, 2, seed=4))
        assert not np.allclose(saved.layers[0].W, trained_parameters(sample_split, 3, seed=4)[0])


def test_a_second_ctrl_c_while_saving_still_finishes_the_file(
    capsys, monkeypatch, tmp_path, sample_split
):
    path = tmp_path / "w.npz"
    build_model(9).save(path)  # the previous file
    ctrl_c_at(monkeypatch, epoch=1, batch=2)
    pressed = ctrl_c_while_syncing(monkeypatch)
    assert main(["--sample", "--epochs", "4", "--save", str(path)]) == 130
    assert pressed  # the second Ctrl-C came in the middle of the save
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"saved the weights of epoch 1 to {path}")
    assert listing(tmp_path) == ["w.npz"]
    monkeypatch.undo()
    assert_parameters(Sequential.load(path), trained_parameters(sample_split, 1))


def test_ctrl_c_during_the_final_save_finishes_it_then_exits_130(
    capsys, monkeypatch, tmp_path, sample_split
):
    pressed = ctrl_c_while_syncing(monkeypatch)
    path = tmp_path / "w.npz"
    assert main(["--sample", "--epochs", "2", "--save", str(path)]) == 130
    assert pressed
    out, err = capsys.readouterr()
    assert f"saved weights:  {path}" in out
    assert "interrupted while saving; the file was finished first" in err
    monkeypatch.undo()
    assert_parameters(Sequential.load(path), trained_parameters(sample_split, 2))


def test_ctrl_c_before_any_epoch_saves_nothing(capsys, monkeypatch, tmp_path):
    ctrl_c_at(monkeypatch, epoch=0, batch=1)
    path = tmp_path / "w.npz"
    assert main(["--sample", "--save", str(path)]) == 130
    assert "interrupted; no epoch had finished, nothing saved" in capsys.readouterr().err
    assert not path.exists()
    assert main(["--sample"]) == 130  # without --save
    assert capsys.readouterr().err.strip().endswith("dlmath-mnist: interrupted")


# --- a real process and real Ctrl-C presses -----------------------------------------------
def start_cli(path: Path) -> subprocess.Popen:
    argv = ["-m", "dlmath.mnist", "--sample", "--epochs", "100000", "--save", str(path)]
    return subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def wait_for(child: subprocess.Popen, prefix: str, count: int = 1) -> None:
    """Read stderr until ``count`` lines start with ``prefix`` (no fixed sleeps)."""
    seen = 0
    while seen < count:
        line = child.stderr.readline()
        assert line, f"the CLI ended before printing {prefix!r}"
        seen += line.startswith(prefix)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX signals")
@pytest.mark.parametrize("when", ["back to back", "once saving started"])
def test_two_ctrl_c_presses_keep_a_loadable_file(tmp_path, sample_split, when):
    path = tmp_path / "w.npz"
    build_model(9).save(path)  # the previous file
    previous = path.read_bytes()
    child = start_cli(path)
    try:
        wait_for(child, "Epoch ", count=2)  # off a terminal: one line per finished epoch
        child.send_signal(signal.SIGINT)
        if when == "once saving started":
            wait_for(child, "dlmath-mnist: interrupted; saving the weights")
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert listing(tmp_path) == ["w.npz"]  # no temporary file left
    model = Sequential.load(path)  # loadable: the last finished epoch's, or the previous
    found = re.search(r"saved the weights of epoch (\d+) to", err)
    if found is None:
        assert path.read_bytes() == previous
    else:
        epochs = int(found.group(1))
        assert epochs >= 2
        assert_parameters(model, trained_parameters(sample_split, epochs))
