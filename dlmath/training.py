r"""Training a model: the loop over epochs that both engines share.

**Shape convention.** Training data have **one example per column**: inputs ``X`` of
shape (n_in, N), and targets as the loss takes them, integer labels of shape (N,) or
arrays of shape (n_out, N) (:data:`dlmath.losses.LOSSES`).

:func:`fit` (which :meth:`dlmath.layers.Sequential.fit` calls) checks its arguments,
shuffles the examples before each epoch, hands the epoch to a training engine, keeps the
history, calls the callbacks and evaluates the validation data. The engines
(:mod:`dlmath.engines`) do the batches: the reference engine with the model's own
``forward`` and ``backward``, the fast engine in compiled kernels, with the same
results.

For example:

>>> import numpy as np
>>> from dlmath.layers import Dense, Sequential
>>> from dlmath.training import fit
>>> model = Sequential([Dense(2, 3, "softmax", rng=0)])
>>> X, y = np.random.default_rng(1).normal(size=(2, 40)), np.arange(40) % 3
>>> history = fit(model, X, y, epochs=2, batch_size=10, verbose=0, engine="reference")
>>> sorted(history), len(history["loss"])
(['accuracy', 'loss'], 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlmath._validation import as_rng, check_bool, check_positive_int
from dlmath.optimizers import Optimizer, RMSprop

__all__ = ["CALLBACK_METHODS", "fit"]

#: The methods a callback may have, called as Keras calls them.
CALLBACK_METHODS = ("on_epoch_begin", "on_batch_end", "on_epoch_end")


def fit(
    model,
    X,
    y,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    optimizer: Optimizer | None = None,
    shuffle: bool = True,
    seed=None,
    validation_data=None,
    verbose: int = 1,
    loss: str = "sparse_categorical_crossentropy",
    callbacks: Sequence | None = None,
    engine="auto",
) -> dict[str, list[float]]:
    r"""Train ``model`` by mini-batch gradient descent, as Keras's ``fit`` does.

    Parameters
    ----------
    model : dlmath.layers.Sequential
        The model; its parameters are updated.
    X : array_like, shape (n_in, N)
        Training inputs, one example per column. Integer arrays (raw pixels) are kept
        as they are and converted batch by batch.
    y : array_like
        Training targets: integer labels of shape (N,) for the default loss (see
        :meth:`~dlmath.layers.Sequential.compute_gradients` for the others).
    epochs : int, optional
        Passes over the training data.
    batch_size : int, optional
        Examples per gradient step; the last batch of an epoch may be smaller.
    optimizer : dlmath.optimizers.Optimizer, optional
        Defaults to a new :class:`~dlmath.optimizers.RMSprop` with Keras's defaults.
        A given optimizer's state carries over between calls; it must not have been
        used with another model's parameters.
    shuffle : bool, optional
        Shuffle the examples before each epoch.
    seed : int, numpy.random.Generator or None, optional
        Seed of the shuffling; the same seed gives the same batches.
    validation_data : tuple (X_val, y_val), optional
        Data evaluated at the end of each epoch.
    verbose : {0, 1}, optional
        Draw a progress bar per epoch (:class:`dlmath.progress.ProgressBar`, on
        standard error, or a widget in Jupyter) with the running loss and accuracy.
    loss : str, optional
        A name from :data:`dlmath.losses.LOSSES`; Keras's
        ``"sparse_categorical_crossentropy"`` by default.
    callbacks : sequence, optional
        Objects with any of the methods ``on_epoch_begin(epoch)``,
        ``on_batch_end(batch, logs)`` and ``on_epoch_end(epoch, logs)``, called as in
        Keras. ``logs`` holds the running ``loss`` (and ``accuracy``).
    engine : {"auto", "reference", "fast"} or an engine, optional
        Who computes the steps (:mod:`dlmath.engines`): ``"reference"``, the model's
        own ``forward`` and ``backward`` in plain NumPy; ``"fast"``, compiled kernels
        (needs Numba, ``pip install "dlmath[fast]"``); ``"auto"``, the fast engine
        when Numba is installed, else the reference engine, with one warning.

    Returns
    -------
    dict of str to list of float
        The per-epoch history, like Keras's ``History.history``: ``"loss"`` and
        ``"accuracy"`` (the running means over the epoch's batches, as the weights
        changed), and ``"val_loss"``, ``"val_accuracy"`` with validation data. Also
        stored as the model's ``history``.

    Raises
    ------
    FloatingPointError
        If the loss or the parameters stop being finite (the step was too large).

    Notes
    -----
    Each step computes the forward pass on a batch, the mean loss, its gradient by
    backpropagation, and one optimizer update. With a softmax output and
    cross-entropy, the backward pass starts from the gradient with respect to the
    logits, :math:`(P - Y)/m` (the registry's ``joint_grad``), as Keras does.

    An epoch is all or nothing: if it fails or is interrupted (Ctrl-C), the model's
    parameters and the optimizer's state are put back as they were at the end of the
    last finished epoch, ``model.history`` holds the finished epochs, and the
    exception is raised again. The fast engine writes the parameters into the model
    at the end of each epoch, so callbacks' ``on_batch_end`` see the parameters of the
    epoch's start with it (and the current ones with the reference engine).

    Afterwards the layers keep no forward pass and no gradients, whichever the engine:
    ``backward`` needs a new ``forward`` with the new parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.datasets import two_moons
    >>> from dlmath.layers import Dense, Sequential
    >>> from dlmath.optimizers import Adam
    >>> from dlmath.training import fit
    >>> X, y = two_moons(200, noise=0.1, rng=0)
    >>> model = Sequential([Dense(2, 16, "tanh", rng=1), Dense(16, 2, "softmax", rng=2)])
    >>> history = fit(model, X, y, epochs=60, batch_size=20, optimizer=Adam(0.02), verbose=0)
    >>> history["accuracy"][-1] > 0.95
    True
    """
    from dlmath.engines import get_engine

    entry = model._loss(loss)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    shuffle = check_bool(shuffle, "shuffle")
    if isinstance(verbose, str) or verbose not in (0, 1):
        raise ValueError(f"verbose must be 0 or 1; got {verbose!r:.60}")
    if optimizer is None:
        optimizer = RMSprop()
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a dlmath Optimizer; got {optimizer!r:.60}")
    X = _training_inputs(model, X)
    n = X.shape[1]
    targets = model._check_targets(y, n, entry)
    validation = _validation(model, validation_data, entry)
    callbacks = _check_callbacks(callbacks)
    rng = as_rng(seed, "seed")
    engine = get_engine(engine)
    engine.begin(model, X, targets, entry, optimizer, batch_size)
    history: dict[str, list[float]] = {"loss": []}
    if entry.classifies:
        history["accuracy"] = []
    if validation is not None:
        history["val_loss"] = []
        if entry.classifies:
            history["val_accuracy"] = []
    model.history = history
    progress = None
    if verbose:
        from dlmath.progress import ProgressBar

        progress = ProgressBar(epochs, -(-n // batch_size))
        callbacks.append(progress)
    try:
        for epoch in range(epochs):
            _call(callbacks, "on_epoch_begin", epoch)
            order = rng.permutation(n) if shuffle else np.arange(n)

            def on_batch(batch: int, seen: int, loss_sum: float, correct: int) -> None:
                logs = {"loss": loss_sum / seen}
                if entry.classifies:
                    logs["accuracy"] = correct / seen
                _call(callbacks, "on_batch_end", batch, logs)

            loss_sum, correct = engine.train_epoch(order, on_batch if callbacks else None)
            if not np.isfinite(loss_sum):
                raise FloatingPointError(
                    f"the loss stopped being finite in epoch {epoch + 1}: the steps are too "
                    f"large for this model and data (optimizer {optimizer!r})"
                )
            engine.commit()
            results = {"loss": loss_sum / n}
            if entry.classifies:
                results["accuracy"] = correct / n
            if validation is not None:
                val_loss, val_accuracy = model.evaluate(*validation, loss=entry.name)
                results["val_loss"] = val_loss
                if entry.classifies:
                    results["val_accuracy"] = val_accuracy
            for key, value in results.items():
                history[key].append(value)
            _call(callbacks, "on_epoch_end", epoch, dict(results))
    except BaseException:
        engine.abort()  # back to the end of the last finished epoch
        raise
    finally:
        for layer in model.layers:  # their forward passes and gradients are out of date
            layer._forget()
        if progress is not None:
            progress.close()
    return history


def _training_inputs(model, X) -> np.ndarray:
    """Check training inputs; integer arrays are kept as they are (not copied)."""
    array = X if isinstance(X, np.ndarray) else None
    if array is None or array.dtype.kind not in "iu":
        return model.layers[0]._check_input(X, copy=False)  # read, never kept
    if array.ndim != 2 or array.shape[0] != model.n_in:
        raise ValueError(
            f"X must have {model.n_in} rows (features × examples, one example per "
            f"column); got shape {array.shape}"
        )
    if array.shape[1] == 0:
        raise ValueError(f"X must not be empty; got shape {array.shape}")
    return array


def _validation(model, validation_data, entry):
    if validation_data is None:
        return None
    if not (isinstance(validation_data, tuple | list) and len(validation_data) == 2):
        raise TypeError(
            f"validation_data must be a tuple (X_val, y_val); got {validation_data!r:.60}"
        )
    X_val = model.layers[0]._check_input(validation_data[0], "validation_data[0]", copy=False)
    y_val = model._check_targets(validation_data[1], X_val.shape[1], entry, "validation_data[1]")
    return X_val, y_val


def _check_callbacks(callbacks) -> list:
    if callbacks is None:
        return []
    if isinstance(callbacks, str | bytes | dict) or not isinstance(callbacks, Sequence):
        raise TypeError(f"callbacks must be a list of callback objects; got {callbacks!r:.60}")
    for k, callback in enumerate(callbacks):
        methods = [getattr(callback, name, None) for name in CALLBACK_METHODS]
        if isinstance(callback, str | bytes | dict | type) or not any(
            callable(method) for method in methods
        ):
            raise TypeError(
                f"callbacks[{k}] must be an object with a method among "
                f"{', '.join(CALLBACK_METHODS)}; got {callback!r:.60}"
            )
    return list(callbacks)


def _call(callbacks: Sequence, method: str, *args) -> None:
    for callback in callbacks:
        function = getattr(callback, method, None)
        if callable(function):
            function(*args)
