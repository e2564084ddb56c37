r"""Dense layers and the Sequential model that stacks, trains and saves them.

**Shape convention.** As on the slides, data have **one example per column**. A
:class:`Dense` layer with ``n_in`` inputs and ``n_out`` outputs holds ``W`` of shape
(n_out, n_in) and ``B`` of shape (n_out, 1) and maps ``X`` of shape (n_in, N) to

.. math:: A = \varrho(W \cdot X + B), \qquad \text{shape } (n_{out}, N),

where :math:`\varrho` is its activation. A :class:`Sequential` model feeds each
layer's output to the next. Class labels are integers of shape (N,).

``forward`` and ``backward`` return new arrays and never modify their arguments;
``backward`` stores the gradients ``dW`` and ``dB`` on each layer. A model keeps all
its parameters in one contiguous buffer (and all its gradients in another), of which
each layer's ``W``, ``B``, ``dW`` and ``dB`` are views: the optimizer then updates the
whole model in one pass.

For example:

>>> from dlmath.layers import Dense, Sequential
>>> model = Sequential([Dense(2, 3, "relu", rng=0), Dense(3, 1, rng=1)])
>>> model.forward([[1.0, 2.0], [3.0, 4.0]]).shape
(1, 2)
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Sequence

import numpy as np

from dlmath import activations as _activations
from dlmath import losses as _losses
from dlmath._validation import (
    as_float_array,
    as_labels,
    as_rng,
    check_positive_int,
)
from dlmath.optimizers import Optimizer, RMSprop

__all__ = ["Dense", "Sequential", "glorot_uniform"]


def glorot_uniform(n_in: int, n_out: int, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Draw a weight matrix from Glorot's uniform distribution (Keras's default).

    Parameters
    ----------
    n_in, n_out : int
        Fan-in and fan-out: the layer's numbers of inputs and outputs.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; the same seed gives the same weights.
    dtype : numpy dtype, optional
        Floating-point type of the result.

    Returns
    -------
    numpy.ndarray, shape (n_out, n_in)
        Weights drawn uniformly from :math:`[-\ell, \ell]`.

    Notes
    -----
    .. math:: \ell = \sqrt{\frac{6}{n_{in} + n_{out}}}

    which keeps the variance of activations and gradients about the same from layer
    to layer.

    References
    ----------
    .. [1] Glorot, X. & Bengio, Y. (2010). Understanding the difficulty of training
       deep feedforward neural networks. AISTATS.

    Examples
    --------
    >>> from dlmath.layers import glorot_uniform
    >>> W = glorot_uniform(784, 512, rng=0)
    >>> W.shape, bool(abs(W).max() <= (6 / (784 + 512)) ** 0.5)
    ((512, 784), True)
    """
    n_in = check_positive_int(n_in, "n_in")
    n_out = check_positive_int(n_out, "n_out")
    limit = math.sqrt(6.0 / (n_in + n_out))
    return as_rng(rng).uniform(-limit, limit, size=(n_out, n_in)).astype(dtype)


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


class Dense:
    r"""A fully connected layer: :math:`A = \varrho(W \cdot X + B)`.

    Parameters
    ----------
    n_in : int
        Number of inputs (rows of ``X``).
    n_out : int
        Number of outputs (neurons).
    activation : {None, "linear", "relu", "sigmoid", "tanh", "softmax"}, optional
        The activation :math:`\varrho`; ``None`` means none (``"linear"``).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator for the initial weights.
    dtype : {numpy.float64, numpy.float32}, optional
        Floating-point type of the parameters and computations.

    Attributes
    ----------
    W : numpy.ndarray, shape (n_out, n_in)
        Weights, initialised from :func:`glorot_uniform` (as Keras does).
    B : numpy.ndarray, shape (n_out, 1)
        Biases, initialised to zero.
    dW, dB : numpy.ndarray
        Gradients of the loss with respect to ``W`` and ``B``, set by
        :meth:`backward` (read-only views, overwritten by the next backward pass).

    Notes
    -----
    Forward: :math:`Z = W X + B`, :math:`A = \varrho(Z)`. Backward, given
    :math:`\partial L / \partial A`:

    .. math::

        \frac{\partial L}{\partial Z} = \frac{\partial L}{\partial A} \odot
            \varrho'(Z), \quad
        \frac{\partial L}{\partial W} = \frac{\partial L}{\partial Z} X^\top, \quad
        \frac{\partial L}{\partial B} = \sum_{\text{columns}}
            \frac{\partial L}{\partial Z}, \quad
        \frac{\partial L}{\partial X} = W^\top \frac{\partial L}{\partial Z}

    (for softmax, the product with the Jacobian replaces :math:`\odot \varrho'`).

    Examples
    --------
    The slides' one-feature model, :math:`Y' = W \cdot X + B` with W = 0.5, B = 0:

    >>> from dlmath.layers import Dense
    >>> layer = Dense.from_weights([[0.5]], [[0.0]])
    >>> layer.forward([[0.1, 0.3, 0.6, 0.7]])
    array([[0.05, 0.15, 0.3 , 0.35]])
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | None = None,
        *,
        rng=None,
        dtype=np.float64,
    ):
        self.n_in = check_positive_int(n_in, "n_in")
        self.n_out = check_positive_int(n_out, "n_out")
        self._activation = _activations.get_activation(activation)
        dtype = _float_dtype(dtype)
        self._W = glorot_uniform(self.n_in, self.n_out, rng=rng, dtype=dtype)
        self._B = np.zeros((self.n_out, 1), dtype)
        self._dW = np.zeros_like(self._W)
        self._dB = np.zeros_like(self._B)
        self._X: np.ndarray | None = None
        self._A: np.ndarray | None = None

    @classmethod
    def from_weights(cls, W, B=None, activation: str | None = None, *, dtype=None) -> Dense:
        """Build a layer with the given weights and biases.

        Parameters
        ----------
        W : array_like, shape (n_out, n_in)
            Weights.
        B : array_like, shape (n_out, 1) or (n_out,), optional
            Biases; zeros when omitted.
        activation : str or None, optional
            As for :class:`Dense`.
        dtype : numpy dtype, optional
            Defaults to ``W``'s floating type (float64 for integer input).

        Returns
        -------
        Dense

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> Dense.from_weights([[1.0, -1.0]], [0.5], "relu").forward([[2.0], [1.0]])
        array([[1.5]])
        """
        W = as_float_array(W, "W", ndim=2)
        dtype = _float_dtype(W.dtype if dtype is None else dtype)
        layer = cls(W.shape[1], W.shape[0], activation, rng=0, dtype=dtype)
        layer.W = W
        if B is not None:
            layer.B = B
        else:
            layer._B[...] = 0.0
        return layer

    # --- parameters ------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_out, n_in). Assigning copies into the existing array."""
        return self._W

    @W.setter
    def W(self, value) -> None:
        value = as_float_array(value, "W", ndim=2)
        if value.shape != self._W.shape:
            raise ValueError(f"W must have shape {self._W.shape}; got {value.shape}")
        self._W[...] = value

    @property
    def B(self) -> np.ndarray:
        """Biases, shape (n_out, 1). Assigning copies into the existing array."""
        return self._B

    @B.setter
    def B(self, value) -> None:
        value = as_float_array(value, "B", ndim=(1, 2))
        if value.shape not in {(self.n_out, 1), (self.n_out,)}:
            raise ValueError(
                f"B must have shape ({self.n_out}, 1) or ({self.n_out},); got {value.shape}"
            )
        self._B[...] = value.reshape(self.n_out, 1)

    @property
    def dW(self) -> np.ndarray:
        """Gradient with respect to ``W`` from the last backward pass (read-only view)."""
        return _read_only(self._dW)

    @property
    def dB(self) -> np.ndarray:
        """Gradient with respect to ``B`` from the last backward pass (read-only view)."""
        return _read_only(self._dB)

    @property
    def activation(self) -> str:
        """The name of the activation function."""
        return self._activation.name

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the parameters."""
        return self._W.dtype

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays ``[W, B]`` (the arrays themselves, not copies).

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> [p.shape for p in Dense(3, 2).parameters()]
        [(2, 3), (2, 1)]
        """
        return [self._W, self._B]

    def gradients(self) -> list[np.ndarray]:
        """The gradients ``[dW, dB]`` of the last backward pass (read-only views).

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> [g.shape for g in Dense(3, 2).gradients()]
        [(2, 3), (2, 1)]
        """
        return [self.dW, self.dB]

    def __repr__(self) -> str:
        return (
            f"Dense(n_in={self.n_in}, n_out={self.n_out}, "
            f"activation={self.activation!r}, dtype={self.dtype.name})"
        )

    # --- forward and backward --------------------------------------------------------
    def forward(self, X) -> np.ndarray:
        r"""Compute :math:`A = \varrho(W \cdot X + B)` and remember what backward needs.

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.

        Returns
        -------
        numpy.ndarray, shape (n_out, N)
            The layer's outputs (a new array).

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> Dense.from_weights([[1.0, 2.0]], [[-4.0]], "relu").forward([[1.0, 3.0], [1.0, 1.0]])
        array([[0., 1.]])
        """
        X = self._check_input(X)
        return self._forward(X)

    def backward(self, dA) -> np.ndarray:
        r"""Backpropagate :math:`\partial L / \partial A` through the layer.

        Parameters
        ----------
        dA : array_like, shape (n_out, N)
            Gradient of the loss with respect to the layer's outputs, for the examples
            of the last :meth:`forward`.

        Returns
        -------
        numpy.ndarray, shape (n_in, N)
            :math:`\partial L / \partial X`, to pass to the previous layer.
            ``dW`` and ``dB`` are updated.

        Examples
        --------
        For :math:`L = \sum A` with :math:`A = 2x_1 + 3x_2`:

        >>> from dlmath.layers import Dense
        >>> layer = Dense.from_weights([[2.0, 3.0]])
        >>> _ = layer.forward([[1.0], [1.0]])
        >>> layer.backward([[1.0]]).ravel().tolist(), layer.dW.tolist()
        ([2.0, 3.0], [[1.0, 1.0]])
        """
        if self._A is None:
            raise ValueError("backward needs a forward pass first")
        dA = as_float_array(dA, "dA", ndim=2, dtype=self.dtype)
        if dA.shape != self._A.shape:
            raise ValueError(
                f"dA must have the shape of the last output {self._A.shape}; got {dA.shape}"
            )
        return self._backward(dA, overwrite=False)

    def _check_input(self, X) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[0] != self.n_in:
            raise ValueError(
                f"X must have {self.n_in} rows (features × examples, one example per "
                f"column); got shape {X.shape}"
            )
        return X

    def _forward(self, X, out=None, activate: bool = True) -> np.ndarray:
        """Unchecked forward pass; ``out`` is an (n_out, N) buffer to write into."""
        Z = np.matmul(self._W, X, out=out)
        Z += self._B
        A = self._activation.forward(Z, out=Z) if activate else Z
        self._X, self._A = X, A
        return A

    def _backward(
        self, dA, *, overwrite: bool, input_grad: bool = True, out=None, ones=None, span=None
    ):
        """Unchecked backward pass; with ``overwrite`` the buffer ``dA`` is reused."""
        dZ = self._activation.backward(self._A, dA, out=dA if overwrite else None)
        return self._linear_backward(dZ, input_grad=input_grad, out=out, ones=ones, span=span)

    def _linear_backward(self, dZ, *, input_grad: bool = True, out=None, ones=None, span=None):
        """Gradients of Z = W·X + B: sets dW and dB, returns dX (or None).

        ``ones``, a vector of at least N ones, lets the bias gradient (the sum of each
        row of dZ) be computed as a matrix-vector product, several times faster than
        ``np.sum`` on the training step's small matrices. ``span = (lo, hi)`` says
        that the rows of X outside ``lo:hi`` are zero: the columns of dW outside
        ``lo:hi`` are then zero, filled rather than computed.
        """
        if span is None:
            np.matmul(dZ, self._X.T, out=self._dW)
        else:
            lo, hi = span
            np.matmul(dZ, self._X[lo:hi].T, out=self._dW[:, lo:hi])
            self._dW[:, :lo] = 0.0
            self._dW[:, hi:] = 0.0
        if ones is None:
            np.sum(dZ, axis=1, keepdims=True, out=self._dB)
        else:
            np.matmul(dZ, ones[: dZ.shape[1]], out=self._dB.reshape(-1))
        return np.matmul(self._W.T, dZ, out=out) if input_grad else None

    def _bind(self, W, B, dW, dB) -> None:
        """Move the parameters and gradients into the given arrays (a model's buffers)."""
        W[...], B[...], dW[...], dB[...] = self._W, self._B, self._dW, self._dB
        self._W, self._B, self._dW, self._dB = W, B, dW, dB


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class _Workspace:
    """Preallocated buffers for training steps of up to ``size`` examples."""

    def __init__(self, layers: Sequence[Dense], size: int, dtype: np.dtype):
        self.size = size
        self.outputs = [np.empty(layer.n_out * size, dtype) for layer in layers]
        self.deltas = [np.empty(layer.n_in * size, dtype) for layer in layers[1:]]
        self.loss_grad = np.empty(layers[-1].n_out * size, dtype)
        self.columns = np.arange(size)
        self.ones = np.ones(size, dtype)
        self.inputs = np.empty(size * layers[0].n_in, dtype)
        # The backward pass's copies of the examples whose gradient is not zero.
        self.kept_inputs = [np.empty(layer.n_in * size, dtype) for layer in layers]
        self.kept_delta = np.empty(layers[-1].n_out * size, dtype)

    @staticmethod
    def view(buffer: np.ndarray, rows: int, m: int) -> np.ndarray:
        """A contiguous (rows, m) array at the start of ``buffer``."""
        return buffer[: rows * m].reshape(rows, m)


class Sequential:
    r"""A stack of :class:`Dense` layers, applied one after the other.

    Parameters
    ----------
    layers : sequence of Dense
        The layers, input first. Each layer's ``n_in`` must equal the previous
        layer's ``n_out``, and all must share one dtype.

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

    def __init__(self, layers: Sequence[Dense]):
        layers = list(layers)
        if not layers:
            raise ValueError("a Sequential model needs at least one layer")
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
        self._layers = tuple(layers)
        self.history: dict[str, list[float]] | None = None
        self.metadata: dict[str, str] = {}
        self._workspace: _Workspace | None = None
        self._bind_buffers()

    def _bind_buffers(self) -> None:
        sizes = [size for layer in self._layers for size in (layer._W.size, layer._B.size)]
        self._params = np.empty(sum(sizes), self.dtype)
        self._grads = np.zeros(sum(sizes), self.dtype)
        offset = 0
        for layer in self._layers:
            views = []
            for shape in (layer._W.shape, layer._B.shape):
                size = math.prod(shape)
                views.append(slice(offset, offset + size, None))
                offset += size
            w, b = views
            layer._bind(
                self._params[w].reshape(layer._W.shape, order="F"),
                self._params[b].reshape(layer._B.shape),
                self._grads[w].reshape(layer._W.shape, order="F"),
                self._grads[b].reshape(layer._B.shape),
            )

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
        return int(self._params.size)

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
            shape = f"({layer.n_out}, N)"
            count = layer._W.size + layer._B.size
            rows.append(f"{k:<6} {layer.activation:<11} {shape:<13} {count:>10,}")
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

        They are read-only views, overwritten by the next backward pass: copy them to
        keep them.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> [g.shape for g in Sequential([Dense(3, 2), Dense(2, 1)]).gradients()]
        [(2, 3), (2, 1), (1, 2), (1, 1)]
        """
        return [g for layer in self._layers for g in layer.gradients()]

    # --- forward and backward --------------------------------------------------------
    def forward(self, X) -> np.ndarray:
        """Apply every layer in turn, remembering what :meth:`backward` needs.

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Inputs, one example per column.

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
        A = self._layers[0]._check_input(X)
        for layer in self._layers:
            A = layer._forward(A)
        return A.copy() if A is X else A

    def backward(self, dY) -> np.ndarray:
        r"""Backpropagate :math:`\partial L / \partial Y` from the output to the input.

        Parameters
        ----------
        dY : array_like, shape (n_out, N)
            Gradient of the loss with respect to the model's outputs, for the examples
            of the last :meth:`forward`.

        Returns
        -------
        numpy.ndarray, shape (n_in, N)
            Gradient with respect to the inputs. Each layer's ``dW`` and ``dB`` (and
            :meth:`gradients`) are updated.

        Examples
        --------
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense.from_weights([[2.0]]), Dense.from_weights([[3.0]])])
        >>> _ = model.forward([[1.0]])
        >>> model.backward([[1.0]]).tolist()  # d(3·2x)/dx
        [[6.0]]
        """
        last = self._layers[-1]
        if last._A is None:
            raise ValueError("backward needs a forward pass first")
        dA = last.backward(dY)
        for layer in reversed(self._layers[:-1]):
            dA = layer._backward(dA, overwrite=True)
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
        X = self._layers[0]._check_input(X)
        batch_size = check_positive_int(batch_size, "batch_size")
        return self._infer(X, batch_size, activate_last=True)

    def _infer(self, X, batch_size: int, *, activate_last: bool) -> np.ndarray:
        out = np.empty((self.n_out, X.shape[1]), self.dtype)
        for start in range(0, X.shape[1], batch_size):
            A = X[:, start : start + batch_size]
            for k, layer in enumerate(self._layers):
                Z = layer._W @ A
                Z += layer._B
                if activate_last or k < len(self._layers) - 1:
                    layer._activation.forward(Z, out=Z)
                A = Z
            out[:, start : start + batch_size] = A
        return out

    # --- losses and gradients --------------------------------------------------------
    def _check_targets(self, y, n: int, loss: _losses.Loss) -> np.ndarray:
        if loss.with_softmax and self._layers[-1].activation != "softmax":
            raise ValueError(
                f"loss={loss.name!r} needs a softmax output layer; the last layer's "
                f"activation is {self._layers[-1].activation!r}"
            )
        if loss.sparse_labels:
            labels = as_labels(y, "y", n_classes=self.n_out)
        elif loss.with_softmax:  # one-hot targets, used as labels
            targets = as_float_array(y, "y", ndim=2)
            if (
                targets.shape != (self.n_out, n)
                or not np.all((targets == 0) | (targets == 1))
                or not np.all(targets.sum(axis=0) == 1)
            ):
                raise ValueError(
                    f"y must be one-hot targets of shape ({self.n_out}, {n}); "
                    f"got an array of shape {targets.shape} that is not one-hot"
                )
            labels = targets.argmax(axis=0)
        else:
            targets = as_float_array(y, "y", ndim=(1, 2), dtype=self.dtype)
            targets = targets.reshape(self.n_out, -1) if targets.ndim == 1 else targets
            if targets.shape != (self.n_out, n):
                raise ValueError(
                    f"y must have shape ({self.n_out}, {n}) to match the outputs; got {np.shape(y)}"
                )
            return targets
        if labels.size != n:
            raise ValueError(f"y must have one label per column of X ({n}); got {labels.size}")
        return labels

    def _step(self, X, y, loss: _losses.Loss, workspace: _Workspace):
        """Forward and backward pass on one batch, into the workspace's buffers.

        Sets every layer's gradients and returns the sum of the batch's losses, its
        number of correct predictions (0 for regression), and the ranges of the flat
        gradient buffer that are exactly zero (for the optimizer). ``X`` is (n_in, m) with
        m <= workspace.size. The first layer's input gradient is not computed, and
        the backward pass skips the examples whose output gradient is exactly zero
        (:meth:`_keep_nonzero`).
        """
        layers, ws = self._layers, workspace
        m = X.shape[1]
        last = len(layers) - 1
        A = X
        for k, layer in enumerate(layers):
            out = ws.view(ws.outputs[k], layer.n_out, m)
            A = layer._forward(A, out=out, activate=not (k == last and loss.with_softmax))
        if loss.with_softmax:
            loss_sum, correct = _losses._softmax_crossentropy_step(A, y, ws.columns[:m])
            dZ = A
        else:
            dA = ws.view(ws.loss_grad, layers[last].n_out, m)
            np.subtract(A, y, out=dA)
            loss_sum = float(np.vdot(dA, dA)) / layers[last].n_out
            dA *= 2.0 / dA.size
            correct = 0
            dZ = layers[last]._activation.backward(layers[last]._A, dA, out=dA)
        dZ = self._keep_nonzero(dZ, ws)
        m = dZ.shape[1]
        # The input features that are zero in every kept example, before the first
        # nonzero one and after the last, give zero columns of the first layer's dW.
        nonzero = np.flatnonzero(layers[0]._X.any(axis=1))
        span = (int(nonzero[0]), int(nonzero[-1]) + 1) if nonzero.size else (0, 0)
        delta = dZ
        for k in range(last, -1, -1):
            out = ws.view(ws.deltas[k - 1], layers[k].n_in, m) if k > 0 else None
            first = span if k == 0 else None
            if k == last:
                delta = layers[k]._linear_backward(
                    delta, input_grad=k > 0, out=out, ones=ws.ones, span=first
                )
            else:
                delta = layers[k]._backward(
                    delta, overwrite=True, input_grad=k > 0, out=out, ones=ws.ones, span=first
                )
        # Where those columns sit in the flat gradient buffer, which the first layer's W
        # starts, stored column-major (see _bind_buffers).
        n_out, n_in = layers[0].n_out, layers[0].n_in
        zero = [(a * n_out, b * n_out) for a, b in ((0, span[0]), (span[1], n_in)) if a < b]
        return loss_sum, correct, zero

    def _keep_nonzero(self, dZ: np.ndarray, ws: _Workspace) -> np.ndarray:
        r"""Leave out of the backward pass the examples whose output gradient is zero.

        Every weight gradient is a sum over the batch, :math:`\partial L / \partial W
        = \sum_i \delta_i x_i^\top`, and an example whose column of ``dZ`` (the last
        layer's :math:`\delta`) is exactly zero has :math:`\delta_i = 0` in every layer:
        its terms are exact zeros. With a softmax this happens whenever the
        probabilities equal the one-hot label to the last bit (the fused softmax sets
        probabilities below eps² of the largest to zero), which is most of the
        examples of the slides' fit on raw pixels: about three in four. Dropping them
        makes the backward matrix products smaller and changes no gradient beyond the
        order of rounding in the sums (adding zero is exact; the weight gradients
        come out bit for bit the same here, the bias sums within an ulp).

        Returns ``dZ`` itself when fewer than one example in 16 can be dropped (the
        copies would cost more than they save); otherwise the kept columns of
        ``dZ``, after pointing every layer's cached input and activation at copies of
        the kept columns.
        """
        m = dZ.shape[1]
        keep = np.flatnonzero(dZ.any(axis=0))
        k = keep.size
        if 16 * (m - k) < m:
            return dZ
        for layer, buffer in zip(self._layers, ws.kept_inputs, strict=True):
            X = layer._X
            if X.T.flags.c_contiguous:  # a batch stored one example per row: copy rows
                rows = ws.view(buffer, k, layer.n_in)
                layer._X = np.take(X.T, keep, axis=0, out=rows, mode="clip").T
            else:
                kept = ws.view(buffer, layer.n_in, k)
                layer._X = np.take(X, keep, axis=1, out=kept, mode="clip")
        for before, after in itertools.pairwise(self._layers):
            before._A = after._X
        kept = ws.view(ws.kept_delta, dZ.shape[0], k)
        return np.take(dZ, keep, axis=1, out=kept, mode="clip")

    def _training_inputs(self, X) -> np.ndarray:
        """Check training inputs; integer arrays are kept as they are (not copied)."""
        array = np.asarray(X) if not isinstance(X, np.ndarray) else X
        if array.dtype.kind not in "iu":
            return self._layers[0]._check_input(X)
        if array.ndim != 2 or array.shape[0] != self.n_in:
            raise ValueError(
                f"X must have {self.n_in} rows (features × examples, one example per "
                f"column); got shape {array.shape}"
            )
        if array.shape[1] == 0:
            raise ValueError(f"X must not be empty; got shape {array.shape}")
        return array

    def _workspace_for(self, size: int) -> _Workspace:
        if self._workspace is None or self._workspace.size < size:
            self._workspace = _Workspace(self._layers, size, self.dtype)
        return self._workspace

    def compute_gradients(self, X, y, loss: str = "sparse_categorical_crossentropy"):
        """The loss on ``(X, y)`` and its gradient with respect to every parameter.

        This is one training step without the update: the forward pass, the loss and
        the backward pass, exactly as :meth:`fit` computes them.

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
        loss_spec = _losses.get_loss(loss)
        X = self._layers[0]._check_input(X)
        targets = self._check_targets(y, X.shape[1], loss_spec)
        workspace = _Workspace(self._layers, X.shape[1], self.dtype)
        loss_sum, _, _ = self._step(X, targets, loss_spec, workspace)
        return loss_sum / X.shape[1], [g.copy() for g in self.gradients()]

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
            The mean loss. Cross-entropy is computed from the logits, exactly.
        accuracy : float or None
            The fraction of correct predictions; None for ``"mse"``.

        Examples
        --------
        >>> import numpy as np
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense.from_weights([[1.0], [-1.0]], activation="softmax")])
        >>> loss, acc = model.evaluate([[2.0, -1.0, 3.0]], [0, 1, 1])
        >>> round(loss, 4), round(acc, 4)
        (2.0492, 0.6667)
        """
        loss_spec = _losses.get_loss(loss)
        X = self._layers[0]._check_input(X)
        batch_size = check_positive_int(batch_size, "batch_size")
        targets = self._check_targets(y, X.shape[1], loss_spec)
        if not loss_spec.with_softmax:
            outputs = self._infer(X, batch_size, activate_last=True)
            return _losses.mse(targets, outputs), None
        logits = self._infer(X, batch_size, activate_last=False)
        return _losses.softmax_crossentropy(targets, logits), _losses.accuracy(targets, logits)

    # --- training --------------------------------------------------------------------
    def fit(
        self,
        X,
        y,
        epochs: int = 5,
        batch_size: int = 128,
        optimizer: Optimizer | None = None,
        shuffle: bool = True,
        seed=None,
        validation_data=None,
        verbose: int = 1,
        *,
        loss: str = "sparse_categorical_crossentropy",
        callbacks: Sequence | None = None,
    ) -> dict[str, list[float]]:
        r"""Train the model by mini-batch gradient descent, as Keras's ``fit`` does.

        Parameters
        ----------
        X : array_like, shape (n_in, N)
            Training inputs, one example per column.
        y : array_like
            Training targets: integer labels of shape (N,) for the default loss (see
            :meth:`compute_gradients` for the others).
        epochs : int, optional
            Passes over the training data.
        batch_size : int, optional
            Examples per gradient step; the last batch of an epoch may be smaller.
        optimizer : Optimizer, optional
            Defaults to :class:`~dlmath.optimizers.RMSprop` with Keras's defaults.
            Its state carries over between calls to ``fit``.
        shuffle : bool, optional
            Shuffle the examples before each epoch.
        seed : int, numpy.random.Generator or None, optional
            Seed of the shuffling; the same seed gives the same batches.
        validation_data : tuple (X_val, y_val), optional
            Data evaluated at the end of each epoch.
        verbose : {0, 1}, optional
            Print one line per epoch.
        loss : str, optional
            A name from :data:`dlmath.losses.LOSSES`; Keras's
            ``"sparse_categorical_crossentropy"`` by default.
        callbacks : sequence, optional
            Objects with any of the methods ``on_epoch_begin(epoch)``,
            ``on_batch_end(batch, logs)`` and ``on_epoch_end(epoch, logs)``, called
            as in Keras. ``logs`` holds the running ``loss`` (and ``accuracy``).

        Returns
        -------
        dict of str to list of float
            The per-epoch history, like Keras's ``History.history``: ``"loss"`` and
            ``"accuracy"`` (the running means over the epoch's batches, as the
            weights changed), and ``"val_loss"``, ``"val_accuracy"`` with
            validation data. Also stored as the model's ``history``.

        Notes
        -----
        Each step computes the forward pass on a batch, the mean loss, its gradient by
        backpropagation, and one optimizer update. The gradient of a softmax output
        layer with cross-entropy is computed jointly, :math:`(p - y)/m` (see
        :func:`dlmath.losses.softmax_crossentropy_grad`), as Keras does too, and the
        first layer's gradient with respect to its input, which nothing needs, is
        not computed. The backward pass leaves out the examples whose gradient is
        exactly zero, and the first layer's weights of the leading and trailing input
        features that are zero in all the others: their gradients are zeros, filled
        rather than computed. All arithmetic happens in preallocated buffers, in the
        model's dtype.

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
        ... )
        >>> [round(float(p[0, 0]), 3) for p in model.parameters()]
        [2.0, 1.0]
        >>> history["loss"][-1] < 1e-8
        True
        """
        loss_spec = _losses.get_loss(loss)
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if verbose not in (0, 1, False, True):
            raise ValueError(f"verbose must be 0 or 1; got {verbose!r}")
        if optimizer is None:
            optimizer = RMSprop()
        elif not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a dlmath Optimizer; got {optimizer!r:.60}")
        X = self._training_inputs(X)
        n = X.shape[1]
        targets = self._check_targets(y, n, loss_spec)
        # One example per row in memory: a batch is a few contiguous rows to gather.
        # Integer inputs (raw pixels) stay integers, four times smaller to gather, and
        # each batch is converted into a buffer of the model's dtype.
        rows = np.ascontiguousarray(X.T)
        convert = rows.dtype != self.dtype
        target_rows = targets if loss_spec.with_softmax else np.ascontiguousarray(targets.T)
        validation = None
        if validation_data is not None:
            if not (isinstance(validation_data, tuple | list) and len(validation_data) == 2):
                raise ValueError("validation_data must be a tuple (X_val, y_val)")
            X_val = self._layers[0]._check_input(validation_data[0])
            validation = (X_val, self._check_targets(validation_data[1], X_val.shape[1], loss_spec))
        rng = as_rng(seed)
        callbacks = list(callbacks or [])
        classify = loss_spec.with_softmax
        workspace = self._workspace_for(min(batch_size, n))
        params, grads = [self._params], [self._grads]
        history: dict[str, list[float]] = {"loss": []}
        if classify:
            history["accuracy"] = []
        if validation is not None:
            history["val_loss"] = []
            if classify:
                history["val_accuracy"] = []
        self.history = history
        n_batches = -(-n // batch_size)
        for epoch in range(epochs):
            _call(callbacks, "on_epoch_begin", epoch)
            started = time.perf_counter()
            order = rng.permutation(n) if shuffle else None
            loss_total, correct_total, seen = 0.0, 0, 0
            for batch, start in enumerate(range(0, n, batch_size)):
                if order is None:
                    index = slice(start, start + batch_size)
                else:
                    index = order[start : start + batch_size]
                if convert:
                    xb = workspace.view(workspace.inputs, min(batch_size, n - start), self.n_in)
                    np.copyto(xb, rows[index])
                    xb = xb.T
                else:
                    xb = rows[index].T
                yb = target_rows[index] if classify else target_rows[index].T
                loss_sum, correct, zero = self._step(xb, yb, loss_spec, workspace)
                optimizer._step(params, grads, [zero])
                loss_total += loss_sum
                correct_total += correct
                seen += xb.shape[1]
                if callbacks:
                    logs = {"loss": loss_total / seen}
                    if classify:
                        logs["accuracy"] = correct_total / seen
                    _call(callbacks, "on_batch_end", batch, logs)
            history["loss"].append(loss_total / n)
            if classify:
                history["accuracy"].append(correct_total / n)
            if validation is not None:
                val_loss, val_acc = self.evaluate(*validation, loss=loss_spec.name)
                history["val_loss"].append(val_loss)
                if classify:
                    history["val_accuracy"].append(val_acc)
            logs = {key: values[-1] for key, values in history.items()}
            if verbose:
                seconds = time.perf_counter() - started
                shown = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
                print(
                    f"Epoch {epoch + 1}/{epochs} - {n_batches} batches - {seconds:.1f}s - {shown}",
                    file=sys.stdout,
                )
            _call(callbacks, "on_epoch_end", epoch, logs)
        return history

    # --- saving and loading ----------------------------------------------------------
    _FORMAT = "dlmath.Sequential/1"

    def save(self, path, metadata=None) -> None:
        """Save the architecture and weights to an ``.npz`` file (no pickling).

        Parameters
        ----------
        path : str or os.PathLike
            Where to write; NumPy appends ``.npz`` when the name lacks it.
        metadata : mapping of str to str, optional
            Notes to keep with the weights; by default the model's ``metadata``.
            :meth:`load` restores them as the new model's ``metadata``.

        Raises
        ------
        TypeError
            If a key or a value of ``metadata`` is not a string.

        Examples
        --------
        >>> import os, tempfile
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense(3, 2, "relu", rng=0), Dense(2, 1, rng=1)])
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     model.save(os.path.join(folder, "model.npz"))
        ...     again = Sequential.load(os.path.join(folder, "model.npz"))
        >>> [layer.activation for layer in again.layers]
        ['relu', 'linear']
        >>> all(bool((a == b).all()) for a, b in zip(again.parameters(), model.parameters()))
        True
        """
        from dlmath import serialization  # the file format (imported when used)

        serialization.save_model(
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
            The ``.npz`` file.

        Returns
        -------
        Sequential
            A new model with the saved architecture, weights and ``metadata``.

        Raises
        ------
        FileNotFoundError
            If there is no such file.
        ValueError
            If the file is not a model saved by dlmath, or its arrays are inconsistent.
        """
        from dlmath import serialization  # the file format (imported when used)

        activations, weights, biases, metadata = serialization.load_model(path)
        model = cls(
            [
                Dense.from_weights(W, B, name)
                for name, W, B in zip(activations, weights, biases, strict=True)
            ]
        )
        model.metadata = metadata
        return model


def _call(callbacks: Sequence, method: str, *args) -> None:
    for callback in callbacks:
        function = getattr(callback, method, None)
        if function is not None:
            function(*args)
