r"""The dense layer: :math:`A = \varrho(W \cdot X + B)`, forward and backward.

**Shape convention.** As on the slides, data have **one example per column**. A
:class:`Dense` layer with ``n_in`` inputs and ``n_out`` outputs holds ``W`` of shape
(n_out, n_in) and ``B`` of shape (n_out, 1) and maps ``X`` of shape (n_in, N) to

.. math:: A = \varrho(W \cdot X + B), \qquad \text{shape } (n_{out}, N),

where :math:`\varrho` is its activation.

This is the readable path: ``forward`` and ``backward`` are the formulas, one a line, in
plain NumPy. They return new arrays and never modify their arguments; ``backward``
sets the layer's gradients ``dW`` and ``dB``.

For example:

>>> from dlmath.layers import Dense
>>> Dense(2, 3, "relu", rng=0).forward([[1.0, 2.0], [3.0, 4.0]]).shape
(3, 2)
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from dlmath import activations as _activations
from dlmath._validation import as_float_array, as_rng, check_allocatable, check_positive_int

__all__ = ["Dense", "glorot_uniform"]


def _float_dtype(dtype) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be a NumPy floating-point type; got {dtype!r:.60}") from exc
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def glorot_uniform(n_in: int, n_out: int, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Draw a weight matrix from Glorot's uniform distribution (Keras's default).

    Parameters
    ----------
    n_in, n_out : int
        Fan-in and fan-out: the layer's numbers of inputs and outputs.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator; the same seed gives the same weights.
    dtype : {numpy.float64, numpy.float32}, optional
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
    dtype = _float_dtype(dtype)
    check_allocatable((n_out, n_in), np.float64, f"n_in={n_in}, n_out={n_out}")
    limit = math.sqrt(6.0 / (n_in + n_out))
    return as_rng(rng).uniform(-limit, limit, size=(n_out, n_in)).astype(dtype)


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
        :meth:`backward` (read-only).

    Notes
    -----
    Forward: :math:`Z = W X + B`, :math:`A = \varrho(Z)`. Backward, given
    :math:`\partial L / \partial A`:

    .. math::

        \frac{\partial L}{\partial Z} = \varrho'(Z) \odot \frac{\partial L}{\partial A},
        \quad
        \frac{\partial L}{\partial W} = \frac{\partial L}{\partial Z} X^\top, \quad
        \frac{\partial L}{\partial B} = \sum_{\text{columns}}
            \frac{\partial L}{\partial Z}, \quad
        \frac{\partial L}{\partial X} = W^\top \frac{\partial L}{\partial Z}

    (for softmax, the product with its Jacobian replaces :math:`\varrho'(Z) \odot`).

    A layer belongs to at most one :class:`Sequential` model: its ``W`` and ``B``
    are that model's parameters. Use :meth:`copy` to put the same weights in another.

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
        self._W = glorot_uniform(self.n_in, self.n_out, rng=rng, dtype=dtype)
        self._B = np.zeros((self.n_out, 1), self._W.dtype)
        self._dW: np.ndarray | None = None
        self._dB: np.ndarray | None = None
        self._X: np.ndarray | None = None  # the input and pre-activation of the last forward
        self._Z: np.ndarray | None = None
        self._model: weakref.ref | None = None  # the Sequential model this layer is in

    @classmethod
    def from_weights(cls, W, B=None, activation: str | None = None, *, dtype=None) -> Dense:
        """Build a layer with (copies of) the given weights and biases.

        Parameters
        ----------
        W : array_like, shape (n_out, n_in)
            Weights.
        B : array_like, shape (n_out, 1) or (n_out,), optional
            Biases; zeros when omitted.
        activation : str or None, optional
            As for :class:`Dense`.
        dtype : {numpy.float64, numpy.float32}, optional
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
        if dtype is None and W.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(
                f"W has dtype {W.dtype}, but layers compute in float32 or float64: pass "
                "dtype=numpy.float32 (or float64) to convert it"
            )
        dtype = _float_dtype(W.dtype if dtype is None else dtype)
        layer = cls(W.shape[1], W.shape[0], activation, rng=0, dtype=dtype)
        layer.W = W
        layer.B = np.zeros(W.shape[0]) if B is None else B
        return layer

    def copy(self) -> Dense:
        """A new layer with copies of this one's weights, biases and activation.

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> layer = Dense(3, 2, "relu", rng=0)
        >>> twin = layer.copy()
        >>> twin.W is layer.W, bool((twin.W == layer.W).all()), twin.activation
        (False, True, 'relu')
        """
        return Dense.from_weights(self._W, self._B, self.activation)

    # --- parameters ------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_out, n_in). Assigning copies into the existing array."""
        return self._W

    @W.setter
    def W(self, value) -> None:
        value = as_float_array(value, "W", ndim=2, dtype=self.dtype)
        if value.shape != self._W.shape:
            raise ValueError(f"W must have shape {self._W.shape}; got {value.shape}")
        self._W[...] = value
        self._forget()  # a forward pass with the old W no longer holds

    @property
    def B(self) -> np.ndarray:
        """Biases, shape (n_out, 1). Assigning copies into the existing array."""
        return self._B

    @B.setter
    def B(self, value) -> None:
        value = as_float_array(value, "B", ndim=(1, 2), dtype=self.dtype)
        if value.shape not in {(self.n_out, 1), (self.n_out,)}:
            raise ValueError(
                f"B must have shape ({self.n_out}, 1) or ({self.n_out},), one bias per row "
                f"of W; got {value.shape}"
            )
        self._B[...] = value.reshape(self.n_out, 1)
        self._forget()

    @property
    def dW(self) -> np.ndarray:
        """Gradient with respect to ``W`` from the last backward pass (read-only)."""
        return _read_only(self._dW, "dW")

    @property
    def dB(self) -> np.ndarray:
        """Gradient with respect to ``B`` from the last backward pass (read-only)."""
        return _read_only(self._dB, "dB")

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
        """The gradients ``[dW, dB]`` of the last backward pass (read-only).

        Raises
        ------
        ValueError
            Before the first backward pass.

        Examples
        --------
        >>> from dlmath.layers import Dense
        >>> layer = Dense(3, 2)
        >>> _ = layer.forward([[1.0], [2.0], [3.0]])
        >>> _ = layer.backward([[1.0], [1.0]])
        >>> [g.shape for g in layer.gradients()]
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
        with np.errstate(all="ignore"):  # an overflow is reported below, as an error
            Z = self.W @ X + self.B  # Z = W·X + B
            A = self._activation.forward(Z)  # A = ϱ(Z)
        _check_finite(A, self, "outputs")
        self._X, self._Z = X, Z  # what backward needs
        return A

    def backward(self, dA=None, *, dZ=None) -> np.ndarray:
        r"""Backpropagate through the layer: set ``dW`` and ``dB``, return ``dX``.

        Parameters
        ----------
        dA : array_like, shape (n_out, N)
            Gradient of the loss with respect to the layer's outputs :math:`A`, for the
            examples of the last :meth:`forward`.
        dZ : array_like, shape (n_out, N), keyword only
            Instead of ``dA``: the gradient with respect to the pre-activations
            :math:`Z` (for softmax and cross-entropy together, :math:`(P - Y)/N`).

        Returns
        -------
        numpy.ndarray, shape (n_in, N)
            :math:`\partial L / \partial X`, to pass to the previous layer (a new array).

        Examples
        --------
        For :math:`L = \sum A` with :math:`A = 2x_1 + 3x_2`:

        >>> from dlmath.layers import Dense
        >>> layer = Dense.from_weights([[2.0, 3.0]])
        >>> _ = layer.forward([[1.0], [1.0]])
        >>> layer.backward([[1.0]]).ravel().tolist(), layer.dW.tolist()
        ([2.0, 3.0], [[1.0, 1.0]])
        """
        dA, dZ = self._check_upstream(dA, dZ)
        with np.errstate(all="ignore"):  # an overflow is reported below, as an error
            if dZ is None:
                dZ = self._activation.backward(self._Z, dA)  # dZ = ϱ'(Z) ⊙ dA
            dW = dZ @ self._X.T  # dW = dZ·Xᵀ
            dB = dZ.sum(axis=1, keepdims=True)  # dB = Σ dZ over the examples
            dX = self.W.T @ dZ  # dX = Wᵀ·dZ
        for array in (dW, dB, dX):
            _check_finite(array, self, "gradients")
        self._dW, self._dB = dW, dB
        return dX

    def _check_input(self, X, name: str = "X", *, copy: bool = True) -> np.ndarray:
        """``X`` checked as an (n_in, N) array of the layer's dtype.

        With ``copy``, a private one (forward keeps it for backward, and the caller may
        change theirs), in the same memory layout; without, ``X`` itself when it already
        has the right dtype (for callers that only read it).
        """
        checked = as_float_array(X, name, ndim=2, dtype=self.dtype)
        if checked.shape[0] != self.n_in:
            raise ValueError(
                f"{name} must have {self.n_in} rows (features × examples, one example per "
                f"column); got shape {checked.shape}"
            )
        return checked.copy(order="K") if copy and checked is X else checked

    def _check_upstream(self, dA, dZ):
        if self._Z is None:
            raise ValueError("backward needs a forward pass first")
        if (dA is None) == (dZ is None):
            raise TypeError("backward takes either dA or dZ (keyword), not both or neither")
        name, value = ("dA", dA) if dZ is None else ("dZ", dZ)
        value = as_float_array(value, name, ndim=2, dtype=self.dtype)
        if value.shape != self._Z.shape:
            raise ValueError(
                f"{name} must have the shape of the last output {self._Z.shape}; got {value.shape}"
            )
        return (value, None) if dZ is None else (None, value)

    def _forget(self) -> None:
        """Drop what the last forward and backward passes kept (the parameters changed)."""
        self._X = self._Z = self._dW = self._dB = None

    def _apply(self, X: np.ndarray, activate: bool = True) -> np.ndarray:
        """The forward formula without checks or memory (for predict and evaluate)."""
        Z = self._W @ X + self._B
        return self._activation.forward(Z) if activate else Z

    def _join(self, model) -> None:
        owner = self._model() if self._model is not None else None
        if owner is not None and owner is not model:
            raise ValueError(
                f"{self!r} already belongs to another Sequential model, whose parameters "
                "are its W and B; give this model its own layer, e.g. layer.copy()"
            )
        self._model = weakref.ref(model)


def _check_finite(array: np.ndarray, layer: Dense, what: str) -> None:
    if not np.all(np.isfinite(array)):
        raise FloatingPointError(
            f"{layer!r} computed non-finite {what}: they overflowed the {layer.dtype} range "
            "(the weights, the inputs or the steps are too large)"
        )


def _read_only(array: np.ndarray | None, name: str) -> np.ndarray:
    if array is None:
        raise ValueError(f"{name} is not set yet: it is computed by a backward pass")
    view = array.view()
    view.flags.writeable = False
    return view
