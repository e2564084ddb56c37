r"""The Sequential model: layers applied one after the other, trained and saved.

**Shape convention.** As on the slides, data have **one example per column**: a model
with ``n_in`` inputs maps ``X`` of shape (n_in, N) to outputs of shape (n_out, N), layer
by layer (:class:`~dlmath.layers.Dense`). Class labels are integers of shape (N,).

``forward`` and ``backward`` chain the layers' own; ``predict`` and ``evaluate`` compute
outputs without touching what ``backward`` needs. :meth:`Sequential.fit` hands its loop
to a training engine (:mod:`dlmath.engines`): the reference engine calls ``forward`` and
``backward``, the fast engine computes the same numbers in buffers of its own.

For example:

>>> from dlmath.layers import Dense, Sequential
>>> model = Sequential([Dense(2, 3, "relu", rng=0), Dense(3, 1, rng=1)])
>>> model.forward([[1.0, 2.0], [3.0, 4.0]]).shape
(1, 2)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from dlmath import losses as _losses
from dlmath import serialization
from dlmath._validation import as_float_array, as_labels, check_positive_int
from dlmath.layers.dense import Dense

__all__ = ["Sequential"]


class Sequential:
    r"""A stack of :class:`Dense` layers, applied one after the other.

    Parameters
    ----------
    layers : iterable of Dense
        The layers, input first. Each layer's ``n_in`` must equal the previous
        layer's ``n_out``, all must share one dtype, and none may already belong to
        another model.

    Attributes
    ----------
    history : dict or None
        The per-epoch history of the last :meth:`fit`.
    metadata : dict of str to str
        Notes saved with the model (``save(path, metadata=...)``) and restored by
        :meth:`load`, such as how its inputs were prepared; empty by default.

    Notes
    -----
    The model is the composition :math:`f = f_L \circ \dots \circ f_1` of its layers;
    :meth:`backward` applies the chain rule to it, from the last layer to the first.

    Examples
    --------
    Without an activation, two layers collapse into one affine map
    :math:`W_2 (W_1 X + B_1) + B_2 = (W_2 W_1) X + (W_2 B_1 + B_2)`:

    >>> import numpy as np
    >>> from dlmath.layers import Dense, Sequential
    >>> first, second = Dense(2, 3, rng=0), Dense(3, 2, rng=1)
    >>> second.B = [0.5, -0.5]
    >>> model = Sequential([first, second])
    >>> one = Dense.from_weights(second.W @ first.W, second.W @ first.B + second.B)
    >>> X = np.random.default_rng(2).normal(size=(2, 5))
    >>> bool(np.allclose(model.forward(X), one.forward(X)))
    True
    """

    def __init__(self, layers: Iterable[Dense]):
        try:
            if isinstance(layers, Dense | str | bytes | dict):
                raise TypeError
            layers = list(layers)
        except TypeError:
            raise TypeError(f"layers must be a list of Dense layers; got {layers!r:.60}") from None
        if not layers:
            raise ValueError("layers must hold at least one Dense layer; got none")
        for k, layer in enumerate(layers):
            if not isinstance(layer, Dense):
                raise TypeError(f"layers[{k}] must be a Dense layer; got {layer!r:.60}")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("a layer cannot appear twice in a model")
        for k, (before, after) in enumerate(itertools.pairwise(layers)):
            if after.n_in != before.n_out:
                raise ValueError(
                    f"layers[{k + 1}] expects {after.n_in} inputs but layers[{k}] has "
                    f"{before.n_out} outputs"
                )
        dtypes = {layer.dtype for layer in layers}
        if len(dtypes) != 1:
            raise ValueError(f"all layers must share one dtype; got {sorted(map(str, dtypes))}")
        for k, layer in enumerate(layers):  # checked before any layer joins
            owner = layer._model() if layer._model is not None else None
            if owner is not None:
                raise ValueError(
                    f"layers[{k}] already belongs to another Sequential model, whose "
                    "parameters are its W and B; give this model its own layer, e.g. "
                    f"layers[{k}].copy()"
                )
        for layer in layers:
            layer._join(self)
        self._layers = tuple(layers)
        self.history: dict[str, list[float]] | None = None
        self.metadata: dict[str, str] = {}

    # --- description -----------------------------------------------------------------
    @property
    def layers(self) -> tuple[Dense, ...]:
        """The layers, input first."""
        return self._layers

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the model."""
        return self._layers[0].dtype

    @property
    def n_in(self) -> int:
        """Number of input features."""
        return self._layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs (classes, for a classifier)."""
        return self._layers[-1].n_out

    def count_params(self) -> int:
        """The number of parameters (weights and biases).

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> Sequential([Dense(784, 512, "relu"), Dense(512, 10, "softmax")]).count_params()
        407050
        """
        return sum(p.size for p in self.parameters())

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self._layers)
        return f"Sequential([{inner}])"

    def summary(self) -> str:
        """A table of the layers, their output shapes and parameter counts.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> print(Sequential([Dense(784, 512, "relu"), Dense(512, 10, "softmax")]).summary())
        Layer  Activation  Output shape  Parameters
        0      relu        (512, N)         401,920
        1      softmax     (10, N)            5,130
        Total                               407,050
        """
        rows = ["Layer  Activation  Output shape  Parameters"]
        for k, layer in enumerate(self._layers):
            count = layer.W.size + layer.B.size
            rows.append(f"{k:<6} {layer.activation:<11} {f'({layer.n_out}, N)':<13} {count:>10,}")
        rows.append(f"{'Total':<6} {'':<11} {'':<13} {self.count_params():>10,}")
        return "\n".join(rows)

    def parameters(self) -> list[np.ndarray]:
        """Every parameter array, ``[W1, B1, W2, B2, ...]`` (the arrays themselves).

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> [p.shape for p in Sequential([Dense(3, 2), Dense(2, 1)]).parameters()]
        [(2, 3), (2, 1), (1, 2), (1, 1)]
        """
        return [p for layer in self._layers for p in layer.parameters()]

    def gradients(self) -> list[np.ndarray]:
        """The gradients of the last backward pass, in the order of :meth:`parameters`.

        They are read-only, and replaced by the next backward pass.

        Raises
        ------
        ValueError
            Before the first backward pass.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense(3, 2), Dense(2, 1)])
        >>> _ = model.compute_gradients([[1.0], [2.0], [3.0]], [0.5], loss="mse")
        >>> [g.shape for g in model.gradients()]
        [(2, 3), (2, 1), (1, 2), (1, 1)]
        """
        return [g for layer in self._layers for g in layer.gradients()]

    # --- forward and backward --------------------------------------------------------
    def forward(self, X, *, logits: bool = False) -> np.ndarray:
        """Apply every layer in turn, remembering what :meth:`backward` needs.

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.
        logits : bool, optional
            Return the last layer's pre-activations :math:`Z` instead of its outputs
            (for a softmax classifier, the scores before the softmax).

        Returns
        -------
        numpy.ndarray, shape (n_out, N)
            The model's outputs (a new array).

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential(
        ...     [
        ...         Dense.from_weights([[1.0], [-1.0]], activation="relu"),
        ...         Dense.from_weights([[1.0, 1.0]]),
        ...     ]
        ... )
        >>> model.forward([[-2.0, 3.0]]).tolist()  # |x| = relu(x) + relu(-x)
        [[2.0, 3.0]]
        """
        if not isinstance(logits, bool):
            raise TypeError(f"logits must be True or False; got {logits!r:.60}")
        A = X
        for layer in self._layers:
            A = layer.forward(A)
        return self._layers[-1]._Z.copy() if logits else A

    def backward(self, dY=None, *, dZ=None) -> np.ndarray:
        r"""Backpropagate from the output to the input: the chain rule, layer by layer.

        Parameters
        ----------
        dY : array_like, shape (n_out, N)
            Gradient of the loss with respect to the model's outputs, for the examples
            of the last :meth:`forward`.
        dZ : array_like, shape (n_out, N), keyword only
            Instead of ``dY``: the gradient with respect to the last layer's
            pre-activations (see :meth:`Dense.backward`).

        Returns
        -------
        numpy.ndarray, shape (n_in, N)
            Gradient with respect to the inputs. Each layer's ``dW`` and ``dB`` (and
            :meth:`gradients`) are set.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense.from_weights([[2.0]]), Dense.from_weights([[3.0]])])
        >>> _ = model.forward([[1.0]])
        >>> model.backward([[1.0]]).tolist()  # d(3·2x)/dx
        [[6.0]]
        """
        if (dY is None) == (dZ is None):
            raise TypeError("backward takes either dY or dZ (keyword), not both or neither")
        last = self._layers[-1]
        try:
            dA = last.backward(dY) if dZ is None else last.backward(dZ=dZ)
        except (TypeError, ValueError) as error:  # Dense calls its argument dA
            raise type(error)(str(error).replace("dA", "dY")) from None
        for layer in reversed(self._layers[:-1]):
            dA = layer.backward(dA)
        return dA

    def predict(self, X, batch_size: int = 4096) -> np.ndarray:
        """The model's outputs for ``X``, computed in batches (nothing is remembered).

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.
        batch_size : int, optional
            Examples per batch, to bound memory.

        Returns
        -------
        numpy.ndarray, shape (n_out, N)
            Outputs; class probabilities for a softmax classifier.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense(4, 3, "softmax", rng=0)])
        >>> [round(s, 6) for s in model.predict([[1.0], [2.0], [3.0], [4.0]]).sum(axis=0).tolist()]
        [1.0]
        """
        X = self._layers[0]._check_input(X, copy=False)
        batch_size = check_positive_int(batch_size, "batch_size")
        return self._infer(X, batch_size, activate_last=True)

    def _infer(self, X: np.ndarray, batch_size: int, *, activate_last: bool) -> np.ndarray:
        out = np.empty((self.n_out, X.shape[1]), self.dtype)
        last = len(self._layers) - 1
        for start in range(0, X.shape[1], batch_size):
            A = X[:, start : start + batch_size]
            for k, layer in enumerate(self._layers):
                A = layer._apply(A, activate=activate_last or k < last)
            out[:, start : start + batch_size] = A
        return out

    # --- losses and gradients --------------------------------------------------------
    def _loss(self, loss) -> _losses.Loss:
        """The registry's entry for ``loss``, checked against the output layer."""
        entry = _losses.get_loss(loss)
        if entry.output is not None and self._layers[-1].activation != entry.output:
            raise ValueError(
                f"loss={entry.name!r} needs a {entry.output} output layer; the last "
                f"layer's activation is {self._layers[-1].activation!r}"
            )
        return entry

    def _check_targets(self, y, n: int, entry: _losses.Loss, name: str = "y") -> np.ndarray:
        """Targets as ``entry`` takes them: labels (N,), one-hot or values (n_out, N)."""
        if entry.targets == "labels":
            labels = as_labels(y, name, n_classes=self.n_out)
            if labels.size != n:
                raise ValueError(
                    f"{name} must have one label per column of X ({n}); got {labels.size}"
                )
            return labels
        targets = as_float_array(y, name, ndim=(1, 2), dtype=self.dtype)
        if targets.ndim == 1 and self.n_out == 1 and entry.targets == "values":
            targets = targets.reshape(1, -1)  # one output: a row of N values may be flat
        if targets.shape != (self.n_out, n):
            raise ValueError(
                f"{name} must have shape ({self.n_out}, {n}), one column per example of X"
                f"{' (or (N,) for one output)' if self.n_out == 1 else ''}; "
                f"got {np.shape(y)}"
            )
        if entry.targets == "one-hot" and not (
            np.all((targets == 0) | (targets == 1)) and np.all(targets.sum(axis=0) == 1)
        ):
            raise ValueError(f"{name} must be one-hot: each column a single 1 among 0s")
        return targets

    def compute_gradients(self, X, y, loss: str = "sparse_categorical_crossentropy"):
        """The loss on ``(X, y)`` and its gradient with respect to every parameter.

        This is one step of the reference engine without the update: the forward pass,
        the loss, and the backward pass (:func:`dlmath.engines.reference.gradients`).

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.
        y : array_like
            Integer labels of shape (N,) for ``"sparse_categorical_crossentropy"``;
            one-hot targets of shape (n_out, N) for ``"categorical_crossentropy"``;
            targets of shape (n_out, N) (or (N,) for one output) for ``"mse"``.
        loss : str, optional
            A name from :data:`dlmath.losses.LOSSES`.

        Returns
        -------
        loss : float
            The mean loss over the examples.
        gradients : list of numpy.ndarray
            Copies of the gradients, in the order of :meth:`parameters`.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
        >>> loss, (dW, dB) = model.compute_gradients(
        ...     [[0.1, 0.3, 0.6, 0.7]], [0.2, 0.25, 0.4, 0.7], loss="mse"
        ... )
        >>> round(loss, 5), round(float(dW[0, 0]), 5), round(float(dB[0, 0]), 5)
        (0.04125, -0.175, -0.35)
        """
        from dlmath.engines import reference

        entry = self._loss(loss)
        X = self._layers[0]._check_input(X, copy=False)  # forward keeps its own copy
        targets = self._check_targets(y, X.shape[1], entry)
        value, _ = reference.gradients(self, X, targets, entry)
        return value, [g.copy() for g in self.gradients()]

    def evaluate(
        self, X, y, loss: str = "sparse_categorical_crossentropy", batch_size: int = 4096
    ) -> tuple[float, float | None]:
        """The mean loss and the accuracy on ``(X, y)``, like Keras's ``evaluate``.

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.
        y : array_like
            Targets, as for :meth:`compute_gradients`.
        loss : str, optional
            A name from :data:`dlmath.losses.LOSSES`.
        batch_size : int, optional
            Examples per batch, to bound memory.

        Returns
        -------
        loss : float
            The mean loss. With a softmax output, cross-entropy is computed from the
            logits, exactly.
        accuracy : float or None
            The fraction of correct predictions; None when the targets are not classes.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense.from_weights([[1.0], [-1.0]], activation="softmax")])
        >>> loss, acc = model.evaluate([[2.0, -1.0, 3.0]], [0, 1, 1])
        >>> round(loss, 4), round(acc, 4)
        (2.0492, 0.6667)
        """
        entry = self._loss(loss)
        X = self._layers[0]._check_input(X, copy=False)
        batch_size = check_positive_int(batch_size, "batch_size")
        targets = self._check_targets(y, X.shape[1], entry)
        if entry.joint_loss is not None:
            logits = self._infer(X, batch_size, activate_last=False)
            value, scores = entry.joint_loss(targets, logits), logits
        else:
            scores = self._infer(X, batch_size, activate_last=True)
            value = entry.loss(targets, scores)
        if not entry.classifies:
            return float(value), None
        labels = targets if entry.targets == "labels" else targets.argmax(axis=0)
        return float(value), _losses.accuracy(labels, scores)

    # --- training --------------------------------------------------------------------
    def fit(
        self,
        X,
        y,
        epochs: int = 5,
        batch_size: int = 128,
        optimizer=None,
        shuffle: bool = True,
        seed=None,
        validation_data=None,
        verbose: int = 1,
        *,
        loss: str = "sparse_categorical_crossentropy",
        callbacks=None,
        engine="auto",
    ) -> dict[str, list[float]]:
        """Train the model by mini-batch gradient descent, as Keras's ``fit`` does.

        The arguments, the loop over epochs and the history are described in
        :func:`dlmath.training.fit`, which this method calls with the model.

        Returns
        -------
        dict of str to list of float
            The per-epoch history, like Keras's ``History.history``; also stored as
            the model's ``history``.

        Examples
        --------
        A one-feature model learns :math:`y = 2x + 1` with the slides' gradient
        descent on the mean squared error:

        >>> import numpy as np
        >>> from dlmath.layers import Dense, Sequential
        >>> from dlmath.optimizers import GradientDescent
        >>> x = np.linspace(0, 1, 20).reshape(1, -1)
        >>> model = Sequential([Dense(1, 1, rng=0)])
        >>> history = model.fit(
        ...     x,
        ...     2 * x + 1,
        ...     epochs=500,
        ...     batch_size=20,
        ...     loss="mse",
        ...     optimizer=GradientDescent(0.5),
        ...     verbose=0,
        ...     engine="reference",
        ... )
        >>> [round(float(p[0, 0]), 3) for p in model.parameters()]
        [2.0, 1.0]
        >>> history["loss"][-1] < 1e-8
        True
        """
        from dlmath import training

        return training.fit(
            self,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            shuffle=shuffle,
            seed=seed,
            validation_data=validation_data,
            verbose=verbose,
            loss=loss,
            callbacks=callbacks,
            engine=engine,
        )

    # --- saving and loading ----------------------------------------------------------
    def save(self, path, metadata=None) -> Path:
        """Save the architecture and weights to an ``.npz`` file, atomically (no pickling).

        Parameters
        ----------
        path : str or os.PathLike
            Where to write; ``.npz`` is appended when the name lacks it.
        metadata : mapping of str to str, optional
            Notes to keep with the weights; by default the model's ``metadata``.
            :meth:`load` restores them as the new model's ``metadata``.

        Returns
        -------
        pathlib.Path
            The file written. It is written to a temporary file in the same folder
            and then renamed, so an existing file is replaced whole or not at all
            (a full disk or an interrupt leaves it as it was).

        Raises
        ------
        TypeError
            If ``metadata`` is not a mapping of strings to strings.

        Examples
        --------
        >>> import os, tempfile
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense(3, 2, "relu", rng=0), Dense(2, 1, rng=1)])
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     written = model.save(os.path.join(folder, "model"))
        ...     again = Sequential.load(os.path.join(folder, "model"))
        >>> written.name, [layer.activation for layer in again.layers]
        ('model.npz', ['relu', 'linear'])
        >>> all(bool((a == b).all()) for a, b in zip(again.parameters(), model.parameters()))
        True
        """
        return serialization.save_model(
            path,
            [layer.activation for layer in self._layers],
            [layer.W for layer in self._layers],
            [layer.B for layer in self._layers],
            self.metadata if metadata is None else metadata,
        )

    @classmethod
    def load(cls, path) -> Sequential:
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.npz`` file; ``path + ".npz"`` is tried when ``path`` does not exist.

        Returns
        -------
        Sequential
            A new model with the saved architecture, weights and ``metadata``.

        Raises
        ------
        FileNotFoundError
            If there is no such file (the message names both names tried).
        IsADirectoryError
            If ``path`` is a folder.
        TypeError
            If ``path`` is not a str or os.PathLike.
        ValueError
            If the file is not a model saved by dlmath (an ``.npy`` array, a text file,
            another archive, a damaged file), or its arrays are inconsistent.
        """
        activations, weights, biases, metadata = serialization.load_model(path)
        model = cls(
            [
                Dense.from_weights(W, B, name)
                for name, W, B in zip(activations, weights, biases, strict=True)
            ]
        )
        model.metadata = metadata
        return model
