r"""A progress bar per epoch of training, drawn by tqdm.

:class:`ProgressBar` is a callback for :meth:`dlmath.layers.Sequential.fit` (and, through
:func:`dlmath.keras_reference.train_and_evaluate`, for Keras's ``fit``): it draws one
`tqdm <https://tqdm.github.io>`_ bar per epoch, which fills as the batches finish and
shows the running mean loss and accuracy of the epoch. In Jupyter, where ipywidgets is
installed, the bar is a notebook widget (tqdm's ``tqdm.auto`` chooses); elsewhere it is
text, on standard error by default.

**Shape convention.** The bar counts batches: an epoch over :math:`N` examples in
batches of :math:`m` has :math:`\lceil N / m \rceil` of them, whatever the layout of the
examples (one per column in dlmath, one per row in Keras).

tqdm is imported when the first :class:`ProgressBar` is made, never by
``import dlmath`` or ``import dlmath.progress``.

For example, off a terminal (here into a string) each epoch writes one finished line:

>>> import io
>>> from dlmath.progress import ProgressBar
>>> out = io.StringIO()
>>> bar = ProgressBar(epochs=2, batches=3, stream=out)
>>> bar.on_epoch_begin(0)
>>> for batch in range(3):
...     bar.on_batch_end(batch, {"loss": 0.5, "accuracy": 0.75})
>>> bar.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
>>> print(out.getvalue(), end="")
Epoch 1/2: 100%|##########| 3/3 [00:00<00:00, ...batch/s, loss=0.5000, accuracy=0.7500]
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import TextIO

from dlmath._validation import check_positive_int, check_real

__all__ = ["ProgressBar"]


def _tqdm_classes():
    """tqdm's automatic class (a widget in Jupyter) and its text class."""
    try:
        from tqdm import TqdmWarning
        from tqdm.std import tqdm as text

        with warnings.catch_warnings():
            # In Jupyter without ipywidgets tqdm warns, then draws text: text is fine.
            warnings.simplefilter("ignore", TqdmWarning)
            from tqdm.auto import tqdm as automatic
    except ImportError as exc:
        raise ImportError(
            f"dlmath's progress bars need tqdm, which could not be imported ({exc}); "
            "install it with: pip install tqdm"
        ) from exc
    return automatic, text


def _is_notebook(cls) -> bool:
    return any(base.__module__ == "tqdm.notebook" for base in cls.__mro__)


def _supports_unicode(stream) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").startswith("utf")


class ProgressBar:
    r"""One tqdm progress bar per epoch, for the ``callbacks`` of ``fit``.

    Parameters
    ----------
    epochs : int
        Number of epochs of the fit.
    batches : int
        Number of batches per epoch.
    stream : file-like, optional
        Where to draw a text bar; by default standard error, or a notebook widget in
        Jupyter.
    live : bool or None, optional
        Redraw the bar as batches finish (True), or write one line per finished epoch
        (False). By default live in a notebook and on a terminal, one line per epoch
        elsewhere (a log file, a pipe).
    interval : float, optional
        Minimum seconds between two redraws of a live bar.

    Notes
    -----
    The methods are the callback interface of :meth:`dlmath.layers.Sequential.fit`:
    ``on_epoch_begin(epoch)``, ``on_batch_end(batch, logs)`` and
    ``on_epoch_end(epoch, logs)``, with ``epoch`` and ``batch`` counted from 0 and
    ``logs`` a dict of running means (``loss``, ``accuracy``). The final line of an
    epoch shows the values of ``on_epoch_end``'s ``logs`` (validation ones included).

    A bar left unfinished (training stopped by an exception, Ctrl-C) stays open until
    :meth:`close`; use the bar as a context manager to close it in every case.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from dlmath.layers import Dense, Sequential
    >>> from dlmath.progress import ProgressBar
    >>> X = np.linspace(-1, 1, 8).reshape(1, 8)
    >>> model = Sequential([Dense(1, 1, rng=0)])
    >>> out = io.StringIO()
    >>> with ProgressBar(epochs=2, batches=2, stream=out) as bar:
    ...     history = model.fit(X, 3 * X, 2, 4, loss="mse", verbose=0, callbacks=[bar])
    >>> print(out.getvalue(), end="")
    Epoch 1/2: 100%|##########| 2/2 [...loss=...]
    Epoch 2/2: 100%|##########| 2/2 [...loss=...]
    """

    def __init__(
        self,
        epochs: int,
        batches: int,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        interval: float = 0.1,
    ):
        self.epochs = check_positive_int(epochs, "epochs")
        self.batches = check_positive_int(batches, "batches")
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise TypeError(f"stream must be a writable text stream; got {stream!r:.60}")
        if live is not None and not isinstance(live, bool):
            raise TypeError(f"live must be None, True or False; got {live!r}")
        self.interval = check_real(interval, "interval")
        if self.interval < 0:
            raise ValueError(f"interval must be at least 0; got {self.interval}")
        automatic, text = _tqdm_classes()
        widget = stream is None and _is_notebook(automatic)
        self.stream = sys.stderr if stream is None else stream
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = widget or bool(callable(isatty) and isatty())
        self.live = live
        self._widget = widget
        self._tqdm = automatic if widget else text
        self._format_meter = text.format_meter
        self._ascii = not _supports_unicode(self.stream)
        self._bar = None
        self._epoch = 0
        self._started = time.perf_counter()

    def _description(self) -> str:
        return f"Epoch {self._epoch + 1}/{self.epochs}"

    @staticmethod
    def _postfix(logs) -> str:
        return ", ".join(f"{key}={float(value):.4f}" for key, value in (logs or {}).items())

    def on_epoch_begin(self, epoch: int) -> None:
        """Start the bar of epoch ``epoch`` (counted from 0)."""
        self.close()
        self._epoch = int(epoch)
        self._started = time.perf_counter()
        if self.live:
            self._bar = self._tqdm(
                total=self.batches,
                desc=self._description(),
                unit="batch",
                file=None if self._widget else self.stream,
                mininterval=self.interval,
                ascii=self._ascii,
                dynamic_ncols=True,
                leave=True,
            )

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Advance the bar to ``batch + 1`` batches (``batch`` counted from 0)."""
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(logs), refresh=False)
            self._bar.update(int(batch) + 1 - self._bar.n)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Finish the epoch's bar, showing ``logs``."""
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(logs), refresh=False)
            self._bar.update(self.batches - self._bar.n)
            self.close()
            return
        line = self._format_meter(
            n=self.batches,
            total=self.batches,
            elapsed=time.perf_counter() - self._started,
            prefix=self._description(),
            ascii=self._ascii,
            unit="batch",
            postfix=self._postfix(logs) or None,
        )
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Close an unfinished bar, leaving it on screen as it stands."""
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
