r"""The command line, ``dlmath-mnist`` or ``python -m dlmath.mnist``: train the slides' model.

**Shape convention.** The images are read one per row, as Keras gives them, and passed
to the model one per column, (784, N), by :func:`~dlmath.mnist.images_to_columns`.

:func:`dlmath.mnist.main` (defined here) trains the slides' model with dlmath
(``--backend numpy``) or with the slides' Keras code (``--backend keras``), draws one
progress bar per epoch on standard error (:class:`dlmath.progress.ProgressBar`), and
prints the train and test accuracy. ``--save`` writes the weights, atomically
(:mod:`dlmath.serialization`); ``--load`` evaluates saved weights instead of training.

**Ctrl-C.** The first Ctrl-C stops training; with ``--save``, the weights of the last
finished epoch are then saved, and the program exits with status 130. Further Ctrl-C
presses while it stops or saves are ignored, so that the file is always finished: it
holds the last finished epoch's weights, or, if saving fails, what it held before.

**Exit status.** 0 on success; 1 when MNIST or TensorFlow is missing or the weights
cannot be written; 2 for a bad argument, with a message naming the option; 130 after
Ctrl-C.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from pathlib import Path

import numpy as np

from dlmath.files import npz_path
from dlmath.layers import Sequential
from dlmath.mnist.data import (
    _N_CLASSES,
    _N_PIXELS,
    ENV_VAR,
    MNISTNotFoundError,
    images_to_columns,
    load_mnist,
    load_mnist_sample,
)
from dlmath.mnist.model import build_model, train_and_evaluate
from dlmath.progress import ProgressBar

__all__ = ["main"]

_PROG = "dlmath-mnist"
_SAMPLE_TRAIN = 800  # --sample: train on the first 800 images, test on the last 200
_PIXELS_KEY = "pixels"  # the note, saved with the weights, of how the pixels were prepared
_INTERRUPTED = 128 + signal.SIGINT


def _pixels(scale: bool) -> str:
    return "pixels / 255" if scale else "raw pixels"


def _say(message: str) -> None:
    print(f"{_PROG}: {message}", file=sys.stderr, flush=True)


class _CtrlC:
    """SIGINT while the program runs: the first press raises KeyboardInterrupt; once
    :meth:`shield` is called (the program is stopping, or saving), presses are counted
    and nothing is raised, so that a file being written is always finished."""

    def __init__(self):
        self.presses = 0
        self.shielded = False
        self._previous = None

    def __call__(self, signum, frame) -> None:
        self.presses += 1
        if not self.shielded:
            self.shielded = True
            raise KeyboardInterrupt

    def shield(self) -> None:
        self.shielded = True

    def __enter__(self) -> _CtrlC:
        # Only the main thread may set a handler; an ignored SIGINT stays ignored.
        try:
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
                self._previous = signal.signal(signal.SIGINT, self)
        except ValueError:  # not the main thread: Python's own handling applies
            self._previous = None
        return self

    def __exit__(self, *exc_info) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class _Snapshot:
    """Copies the parameters at the end of every epoch (to save them after Ctrl-C)."""

    def __init__(self, get_parameters):
        self._get = get_parameters
        self.state: tuple[int, list[np.ndarray]] | None = None  # (epochs done, parameters)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.state = (epoch + 1, [np.array(p, copy=True) for p in self._get()])


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
        prog=_PROG,
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


def _check_arguments(args, parser) -> None:
    """The checks argparse cannot make; each error names its option (exit status 2)."""
    if args.load is not None and args.save is not None:
        parser.error("--load evaluates saved weights; it cannot be combined with --save")
    if args.load is not None and args.backend != "numpy":
        parser.error("--load evaluates dlmath weights: use it with --backend numpy")
    if args.data is not None and not args.data.is_file():
        what = "a folder, not an mnist.npz file" if args.data.is_dir() else "no such file"
        parser.error(f"--data {args.data}: {what}")
    if args.save is not None:
        try:
            args.save = npz_path(args.save)
        except (OSError, ValueError) as exc:
            parser.error(f"--save: {exc}")
        if not os.access(args.save.parent, os.W_OK):
            parser.error(f"--save {args.save}: the folder {args.save.parent} is not writable")
        data = args.data if args.data is not None else os.environ.get(ENV_VAR) or None
        if data is not None and args.save.exists() and os.path.samefile(data, args.save):
            parser.error(f"--save {args.save}: that is the MNIST file being read")


def _load_saved(args, parser) -> Sequential:
    try:
        model = Sequential.load(args.load)
    except (OSError, ValueError) as exc:
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
    return model


def _load_data(args, parser):
    if args.sample:
        x, y = load_mnist_sample()
        return (x[:_SAMPLE_TRAIN], y[:_SAMPLE_TRAIN]), (x[_SAMPLE_TRAIN:], y[_SAMPLE_TRAIN:])
    if args.data is not None:
        try:
            return load_mnist(args.data)
        except ValueError as exc:
            parser.error(f"--data: {exc}")
    return load_mnist()


def _evaluate(args, model: Sequential, train, test) -> int:
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


def _train(args, train, test, callbacks):
    """Train with the chosen backend; return (result, trained dlmath model, snapshot)."""
    settings = {
        "scale": args.scale,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
    }
    # The snapshot comes first, so that an epoch shown as finished is also saved.
    if args.backend == "numpy":
        model = build_model(args.seed)
        callbacks.insert(0, _Snapshot(model.parameters))
        result = train_and_evaluate(train, test, model=model, callbacks=callbacks, **settings)
        return result, result.model
    from dlmath import keras_reference

    keras_model = keras_reference.build_keras_model(args.seed)
    callbacks.insert(
        0, _Snapshot(lambda: keras_reference.keras_to_dlmath(keras_model).parameters())
    )
    result = keras_reference.train_and_evaluate(
        train, test, model=keras_model, callbacks=callbacks, **settings
    )
    return result, keras_reference.keras_to_dlmath(keras_model)


def _save(model: Sequential, args) -> None:
    model.save(args.save, metadata={_PIXELS_KEY: _pixels(args.scale)})


def _save_after_interrupt(args, snapshot: _Snapshot | None) -> None:
    if args.save is None:
        _say("interrupted")
        return
    if snapshot is None or snapshot.state is None:
        _say("interrupted; no epoch had finished, nothing saved")
        return
    epochs, parameters = snapshot.state
    model = build_model(0)
    for p, saved in zip(model.parameters(), parameters, strict=True):
        p[...] = saved
    _say(f"interrupted; saving the weights of epoch {epochs} to {args.save}")
    try:
        _save(model, args)
    except OSError as exc:
        _say(f"could not save the weights to {args.save} ({exc}); the file is unchanged")
        return
    _say(f"saved the weights of epoch {epochs} to {args.save}")


def _summary(args, train, test, result) -> str:
    data = "the bundled sample" if args.sample else "MNIST"
    epochs = f"{args.epochs} epoch{'s' if args.epochs != 1 else ''}"
    return (
        f"Trained with {args.backend} on {data}: {len(train[1])} training images, "
        f"{len(test[1])} test images ({_pixels(args.scale)}, {epochs}, "
        f"batch size {args.batch_size}, seed {args.seed})\n"
        f"train accuracy: {result.train_accuracy:.4f}\n"
        f"test accuracy:  {result.test_accuracy:.4f}\n"
        f"fit seconds:    {result.fit_seconds:.2f}"
    )


def _run(args, parser, ctrl_c: _CtrlC) -> int:
    callbacks: list = []
    try:
        model = _load_saved(args, parser) if args.load is not None else None
        try:
            train, test = _load_data(args, parser)
        except (MNISTNotFoundError, ValueError) as exc:  # from DLMATH_MNIST or the cache
            _say(f"error: {exc}")
            return 1
        if model is not None:
            return _evaluate(args, model, train, test)
        args.scale = bool(args.scale)
        batches = math.ceil(len(train[1]) / args.batch_size)
        with ProgressBar(args.epochs, batches) as progress:
            callbacks.append(progress)
            try:
                result, trained = _train(args, train, test, callbacks)
            except ImportError as exc:  # TensorFlow is missing
                _say(f"error: {exc}")
                return 1
        print(_summary(args, train, test, result), flush=True)
        if args.save is not None:
            ctrl_c.shield()  # from here on, Ctrl-C waits for the file to be written
            try:
                _save(trained, args)
            except OSError as exc:
                _say(f"error: cannot save to {args.save}: {exc}")
                return 1
            print(f"saved weights:  {args.save}", flush=True)
            if ctrl_c.presses:
                _say("interrupted while saving; the file was finished first")
                return _INTERRUPTED
        return 0
    except KeyboardInterrupt:
        ctrl_c.shield()
        snapshot = next((c for c in callbacks if isinstance(c, _Snapshot)), None)
        _save_after_interrupt(args, snapshot)
        return _INTERRUPTED


def main(argv=None) -> int:
    """Run the slides' MNIST example from the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (``sys.argv[1:]`` by default); ``--help`` lists them.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when MNIST or TensorFlow is missing or the
        weights cannot be written, 2 for bad arguments (argparse exits with 2
        itself), 130 after Ctrl-C.

    Notes
    -----
    Trains with :func:`dlmath.mnist.train_and_evaluate` (``--backend numpy``) or with
    :func:`dlmath.keras_reference.train_and_evaluate` (``--backend keras``), draws a
    progress bar per epoch on stderr and prints a summary: train and test accuracy,
    and the seconds of the fit. ``--save`` writes the weights with
    :meth:`dlmath.layers.Sequential.save` (a Keras model's weights are converted),
    atomically; after Ctrl-C it keeps those of the last finished epoch, and further
    Ctrl-C presses wait until that file is written.

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
    _check_arguments(args, parser)
    with _CtrlC() as ctrl_c:
        return _run(args, parser, ctrl_c)


if __name__ == "__main__":
    sys.exit(main())
