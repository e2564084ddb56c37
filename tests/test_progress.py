"""Tests of dlmath.progress: the tqdm progress bar drawn per epoch of training."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys

import numpy as np
import pytest

from dlmath.layers import Dense, Sequential
from dlmath.progress import ProgressBar


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self):
        return True


def run_epochs(bar: ProgressBar, epochs: int, batches: int) -> None:
    for epoch in range(epochs):
        bar.on_epoch_begin(epoch)
        for batch in range(batches):
            bar.on_batch_end(batch, {"loss": 1.0 / (batch + 1), "accuracy": 0.5})
        bar.on_epoch_end(epoch, {"loss": 0.25, "accuracy": 0.5, "val_loss": 0.75})


def test_off_a_terminal_one_finished_line_per_epoch():
    out = io.StringIO()
    run_epochs(ProgressBar(epochs=2, batches=4, stream=out), 2, 4)
    text = out.getvalue()
    assert "\r" not in text  # nothing redrawn in a log file
    lines = text.splitlines()
    assert len(lines) == 2
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}/2: 100%|##########| 4/4 [")
        # The epoch's final logs, validation included, as on_epoch_end gave them.
        assert line.endswith("batch/s, loss=0.2500, accuracy=0.5000, val_loss=0.7500]")


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    out = FakeTerminal()
    bar = ProgressBar(epochs=2, batches=4, stream=out, interval=0.0)
    assert bar.live
    run_epochs(bar, 2, 4)
    text = out.getvalue()
    finished = text.split("\n")
    assert finished[-1] == ""  # each epoch's bar ends its line
    assert len(finished) == 3
    # Redrawn after every batch with the running values, then finished in place.
    first = finished[0].split("\r")
    assert any(" 2/4 [" in part and "loss=0.5000" in part for part in first)
    assert first[-1].startswith("Epoch 1/2: 100%|")
    assert "█" in first[-1]  # a Unicode terminal gets tqdm's smooth bar
    assert first[-1].rstrip().endswith("loss=0.2500, accuracy=0.5000, val_loss=0.7500]")
    assert finished[1].split("\r")[-1].startswith("Epoch 2/2: 100%|")


def test_live_can_be_forced_either_way():
    assert ProgressBar(1, 1, stream=io.StringIO(), live=True).live
    assert not ProgressBar(1, 1, stream=FakeTerminal(), live=False).live
    out = io.StringIO()
    run_epochs(ProgressBar(1, 3, stream=out, live=True, interval=0.0), 1, 3)
    assert out.getvalue().count("\r") >= 4  # the start, three batches, the end


def test_close_leaves_an_unfinished_bar_as_it_stands():
    out = io.StringIO()
    bar = ProgressBar(epochs=3, batches=5, stream=out, live=True, interval=0.0)
    with pytest.raises(KeyboardInterrupt), bar:  # noqa: PT012 (the with block is the subject)
        bar.on_epoch_begin(0)
        bar.on_batch_end(0, {"loss": 2.0})
        bar.on_batch_end(1, {"loss": 1.0})
        raise KeyboardInterrupt
    last = out.getvalue().split("\r")[-1]
    # tqdm pads a line with spaces where the line it overwrites was longer (the rate's
    # width varies with the timing).
    assert re.match(r"Epoch 1/3:  40%\|.*\| 2/5 \[.*loss=1\.0000\] *\n$", last)
    bar.close()  # closing twice writes nothing more
    assert out.getvalue().split("\r")[-1] == last


def test_as_a_callback_of_fit():
    X = np.linspace(-1, 1, 10).reshape(1, 10)
    model = Sequential([Dense(1, 1, rng=0)])
    out = io.StringIO()
    with ProgressBar(epochs=3, batches=4, stream=out) as bar:
        history = model.fit(X, 2 * X, 3, 3, loss="mse", verbose=0, callbacks=[bar], seed=0)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line, loss in zip(lines, history["loss"], strict=True):
        assert "| 4/4 [" in line  # 10 examples in batches of 3
        assert f"loss={loss:.4f}]" in line


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"epochs": 0, "batches": 1}, ValueError, "epochs must be at least 1"),
        ({"epochs": 1, "batches": 1.5}, TypeError, "batches must be an integer"),
        ({"epochs": 1, "batches": 1, "stream": object()}, TypeError, "stream"),
        ({"epochs": 1, "batches": 1, "live": "yes"}, TypeError, "live"),
        ({"epochs": 1, "batches": 1, "interval": -1}, ValueError, "interval"),
        ({"epochs": 1, "batches": 1, "interval": float("nan")}, ValueError, "interval"),
    ],
)
def test_arguments_are_checked(kwargs, error, words):
    with pytest.raises(error, match=words):
        ProgressBar(**kwargs)


def run_python(code: str, warnings: str = "error") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", warnings, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tqdm_is_imported_only_when_a_bar_is_made():
    done = run_python(
        "import sys\n"
        "import dlmath.progress, dlmath.mnist\n"
        "print('tqdm' in sys.modules)\n"
        "dlmath.progress.ProgressBar(1, 1)\n"
        "print('tqdm' in sys.modules)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.skipif(
    importlib.util.find_spec("ipywidgets") is not None
    or importlib.util.find_spec("IPython") is None,
    reason="needs IPython without ipywidgets (a notebook where tqdm falls back to text)",
)
def test_a_notebook_without_ipywidgets_gets_text_and_no_warning():
    """tqdm.auto warns there, then draws text; the warning must not reach the user."""
    fake_kernel = (
        "import sys, types\n"
        "sys.modules['ipykernel.zmqshell'] = types.ModuleType('ipykernel.zmqshell')\n"
        "import IPython\n"
    )
    # The test can fail: tqdm.auto alone shows the warning in this setting.
    alone = run_python(fake_kernel + "from tqdm.auto import tqdm\n", warnings="always")
    assert "TqdmWarning" in alone.stderr
    done = run_python(
        "import io, sys, types\n"
        "sys.modules['ipykernel.zmqshell'] = types.ModuleType('ipykernel.zmqshell')\n"
        "import IPython\n"
        "from dlmath.progress import ProgressBar\n"
        "out = io.StringIO()\n"
        "bar = ProgressBar(1, 2, stream=out)\n"
        "bar.on_epoch_begin(0); bar.on_batch_end(1, {'loss': 1.0}); bar.on_epoch_end(0, {})\n"
        "print(out.getvalue(), end='')\n",
        warnings="always",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("Epoch 1/1: 100%|")
