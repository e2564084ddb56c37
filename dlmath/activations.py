r"""Activation functions, each beside its derivative.

**Shape convention.** Activations act on the pre-activations ``Z = W·X + B`` of a layer,
a matrix of shape (units, examples) with **one example per column**. Elementwise
activations accept any shape; :func:`softmax` normalises each column (``axis=0``) into
probabilities.

Each function returns a new array unless an ``out`` array is given (as with NumPy's
ufuncs). Derivatives ``relu_grad``, ``sigmoid_grad``… return :math:`\varrho'(z)`
elementwise. The table :data:`ACTIVATIONS` gives, for each activation, the backward
step a layer takes, ``backward(z, upstream)`` :math:`= \varrho'(z) \odot` upstream (for
softmax, whose derivative is a matrix, the product with its Jacobian).

For example:

>>> from dlmath.activations import relu
>>> relu([-2.0, 0.0, 3.0]).tolist()
[0.0, 0.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from dlmath._validation import as_float_array

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "linear",
    "linear_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_jacobian",
    "tanh",
    "tanh_grad",
]


def _z(z) -> np.ndarray:
    return as_float_array(z, "z", allow_empty=True)


def _out(z: np.ndarray, out):
    """A new array for the result (so that 0-d input gives a 0-d array), or ``out``."""
    if out is None:
        return np.empty_like(z)
    if not isinstance(out, np.ndarray) or out.shape != z.shape:
        raise ValueError(f"out must be an array of shape {z.shape}; got shape {np.shape(out)}")
    return out


# --- identity -------------------------------------------------------------------------
def linear(z, out=None) -> np.ndarray:
    r"""The identity, :math:`\varrho(z) = z`: a layer with no activation.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    out : numpy.ndarray, optional
        Where to write the result.

    Returns
    -------
    numpy.ndarray
        A copy of ``z`` (or ``out``).

    Examples
    --------
    >>> from dlmath.activations import linear
    >>> linear([-1.0, 2.0]).tolist()
    [-1.0, 2.0]
    """
    z = _z(z)
    return _linear(z, _out(z, out))


def _linear(z, out=None):
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def linear_grad(z) -> np.ndarray:
    r"""Derivative of the identity: ones.

    Parameters
    ----------
    z : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray
        :math:`1` everywhere, shaped like ``z``.

    Examples
    --------
    >>> from dlmath.activations import linear_grad
    >>> linear_grad([-1.0, 2.0]).tolist()
    [1.0, 1.0]
    """
    return np.ones_like(_z(z))


# --- ReLU -----------------------------------------------------------------------------
def relu(z, out=None) -> np.ndarray:
    r"""Rectified linear unit: replace negative values by zero.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.
    out : numpy.ndarray, optional
        Where to write the result (may be ``z`` itself to work in place).

    Returns
    -------
    numpy.ndarray
        :math:`\max(z, 0)`, elementwise.

    Notes
    -----
    .. math:: \operatorname{relu}(z) = \max(z, 0)

    References
    ----------
    .. [1] Berner, Grohs, Kutyniok & Petersen (2021), "The modern mathematics of
       deep learning", arXiv:2105.04026.

    Examples
    --------
    >>> from dlmath.activations import relu
    >>> relu([[-1.5, 0.0, 2.0], [3.0, -0.1, 0.5]])
    array([[0. , 0. , 2. ],
           [3. , 0. , 0.5]])
    """
    z = _z(z)
    return _relu(z, _out(z, out))


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def relu_grad(z) -> np.ndarray:
    r"""Derivative of :func:`relu`: 1 where ``z > 0``, else 0.

    Parameters
    ----------
    z : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray
        :math:`\operatorname{relu}'(z) = [z > 0]`, as floats.

    Notes
    -----
    ReLU has no derivative at 0; like TensorFlow and PyTorch, dlmath uses 0 there.
    The derivative depends only on the sign of :math:`z`, which the output
    :math:`a = \operatorname{relu}(z)` also tells: :math:`a > 0 \iff z > 0`.

    Examples
    --------
    >>> from dlmath.activations import relu_grad
    >>> relu_grad([-2.0, 0.0, 0.5, 3.0]).tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    z = _z(z)
    return np.asarray(z > 0).astype(z.dtype)  # asarray: a 0-d array, not a scalar, for 0-d z


# --- sigmoid --------------------------------------------------------------------------
def sigmoid(z, out=None) -> np.ndarray:
    r"""The logistic sigmoid, :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    out : numpy.ndarray, optional
        Where to write the result.

    Returns
    -------
    numpy.ndarray
        Values in :math:`(0, 1)`.

    Notes
    -----
    Computed as :math:`\sigma(z) = \tfrac12 (1 + \tanh(z/2))`, the same function,
    which never overflows (``exp(-z)`` does for :math:`z < -709`).

    Examples
    --------
    >>> from dlmath.activations import sigmoid
    >>> sigmoid([-1000.0, 0.0, 1000.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    z = _z(z)
    return _sigmoid(z, _out(z, out))


def _sigmoid(z, out=None):
    result = np.multiply(z, 0.5, out=out)
    np.tanh(result, out=result)
    result += 1.0
    result *= 0.5
    return result


def sigmoid_grad(z) -> np.ndarray:
    r"""Derivative of :func:`sigmoid`: :math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`.

    Parameters
    ----------
    z : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray
        Values in :math:`(0, 1/4]`.

    Examples
    --------
    >>> from dlmath.activations import sigmoid_grad
    >>> sigmoid_grad([0.0]).tolist()
    [0.25]
    """
    s = sigmoid(z)
    return np.asarray(s * (1.0 - s))  # a 0-d array, not a scalar, for 0-d z


# --- tanh -----------------------------------------------------------------------------
def tanh(z, out=None) -> np.ndarray:
    r"""The hyperbolic tangent, :math:`\tanh z`, with values in :math:`(-1, 1)`.

    Parameters
    ----------
    z : array_like
        Pre-activations.
    out : numpy.ndarray, optional
        Where to write the result.

    Returns
    -------
    numpy.ndarray
        :math:`\tanh(z)`.

    Examples
    --------
    >>> from dlmath.activations import tanh
    >>> tanh([0.0]).tolist()
    [0.0]
    """
    z = _z(z)
    return _tanh(z, _out(z, out))


def _tanh(z, out=None):
    return np.tanh(z, out=out)


def tanh_grad(z) -> np.ndarray:
    r"""Derivative of :func:`tanh`: :math:`1 - \tanh^2 z`.

    Parameters
    ----------
    z : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray
        Values in :math:`(0, 1]`.

    Examples
    --------
    >>> from dlmath.activations import tanh_grad
    >>> tanh_grad([0.0]).tolist()
    [1.0]
    """
    t = np.tanh(_z(z))
    return np.asarray(1.0 - t * t)  # a 0-d array, not a scalar, for 0-d z


# --- softmax --------------------------------------------------------------------------
def softmax(z, out=None) -> np.ndarray:
    r"""Turn each column of scores into probabilities.

    Parameters
    ----------
    z : array_like, shape (classes, examples) or (classes,)
        Scores ("logits"), one column per example.
    out : numpy.ndarray, optional
        Where to write the result (may be ``z`` itself).

    Returns
    -------
    numpy.ndarray, same shape
        Non-negative, each column summing to 1.

    Notes
    -----
    .. math:: \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}
              = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \quad m = \max_j z_j

    Subtracting each column's maximum leaves the result unchanged and keeps every
    exponent :math:`\le 0`, so large scores never overflow.

    Examples
    --------
    >>> from dlmath.activations import softmax
    >>> softmax([[1.0, 1000.0], [1.0, 1000.0]]).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    >>> [round(p, 4) for p in softmax([0.0, 1.0, 2.0]).tolist()]
    [0.09, 0.2447, 0.6652]
    """
    z = as_float_array(z, "z", ndim=(1, 2), allow_empty=True)
    if z.shape[0] == 0:
        raise ValueError(f"z must have at least one class (row); got shape {z.shape}")
    return _softmax(z, _out(z, out))


def _softmax(z, out=None):
    # z - max overflows to -inf only when a column spans more than the float range;
    # exp(-inf) = 0 is then the right probability, so the warning is noise.
    with np.errstate(over="ignore"):
        result = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
    np.exp(result, out=result)
    result /= result.sum(axis=0, keepdims=True)
    return result


def softmax_jacobian(z) -> np.ndarray:
    r"""The Jacobian matrix of :func:`softmax` for one column of scores.

    Parameters
    ----------
    z : array_like, shape (classes,)
        Scores of one example.

    Returns
    -------
    numpy.ndarray, shape (classes, classes)
        :math:`J_{kj} = \partial s_k / \partial z_j = s_k (\delta_{kj} - s_j)`.

    Notes
    -----
    Unlike the elementwise activations, each output of softmax depends on every
    input, so its derivative is a full matrix: :math:`J = \operatorname{diag}(s) -
    s s^\top`. Backpropagation never builds it; it needs only the product
    :math:`J^\top g = s \odot (g - s^\top g)` (see :data:`ACTIVATIONS`).

    Examples
    --------
    >>> from dlmath.activations import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    z = as_float_array(z, "z", ndim=1)
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


# --- the table used by the layers -----------------------------------------------------
# Each backward step multiplies the upstream gradient by the derivative at z: the
# chain rule for A = ϱ(Z), as Dense.backward uses it.
def _linear_backward(z, upstream):
    return upstream * linear_grad(z)


def _relu_backward(z, upstream):
    return upstream * relu_grad(z)


def _sigmoid_backward(z, upstream):
    return upstream * sigmoid_grad(z)


def _tanh_backward(z, upstream):
    return upstream * tanh_grad(z)


def _softmax_backward(z, upstream):
    # J^T g for each column, J = diag(s) - s s^T:  s ⊙ (g - s^T g)
    s = _softmax(z)
    return s * (upstream - np.sum(s * upstream, axis=0, keepdims=True))


class Activation(NamedTuple):
    r"""An activation function, its derivative, and its backward pass.

    Attributes
    ----------
    name : str
        The name used by :class:`dlmath.layers.Dense` (``"relu"``, ``"softmax"``…).
    forward : callable
        ``forward(z, out=None)``: the activation :math:`a = \varrho(z)`, without the
        argument checks of the public functions (the layers check their inputs).
    grad : callable or None
        ``grad(z)``: the elementwise derivative :math:`\varrho'(z)`; None for
        softmax, whose derivative is a matrix (:func:`softmax_jacobian`).
    backward : callable
        ``backward(z, upstream)``: given the pre-activation :math:`z` and the
        gradient of the loss with respect to the output :math:`a = \varrho(z)`, the
        gradient with respect to :math:`z`, a new array:
        :math:`\varrho'(z) \odot` upstream (for softmax, :math:`s \odot (g - s^\top g)`
        column by column, the product with its Jacobian).

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.activations import ACTIVATIONS
    >>> relu = ACTIVATIONS["relu"]
    >>> z = np.array([-1.0, 2.0])
    >>> relu.forward(z).tolist(), relu.backward(z, np.array([5.0, 5.0])).tolist()
    ([0.0, 2.0], [0.0, 5.0])
    """

    name: str
    forward: Callable
    grad: Callable | None
    backward: Callable


#: Every activation dlmath's layers know, by name. ``None`` means ``"linear"``.
ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation("linear", _linear, linear_grad, _linear_backward),
    "relu": Activation("relu", _relu, relu_grad, _relu_backward),
    "sigmoid": Activation("sigmoid", _sigmoid, sigmoid_grad, _sigmoid_backward),
    "tanh": Activation("tanh", _tanh, tanh_grad, _tanh_backward),
    "softmax": Activation("softmax", _softmax, None, _softmax_backward),
}


def get_activation(name: str | None) -> Activation:
    """Look up an activation by name (``None`` is ``"linear"``).

    Parameters
    ----------
    name : str or None
        One of the keys of :data:`ACTIVATIONS`.

    Returns
    -------
    Activation

    Examples
    --------
    >>> from dlmath.activations import get_activation
    >>> get_activation("relu").name
    'relu'
    >>> get_activation(None).name
    'linear'
    """
    key = "linear" if name is None else name
    if not isinstance(key, str) or key not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"activation name must be None or one of {known}; got {name!r:.60}")
    return ACTIVATIONS[key]
