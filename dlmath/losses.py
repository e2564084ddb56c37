r"""Loss functions, each beside its gradient.

**Shape convention.** Predictions have **one example per column**: a regression output
``y_hat`` has shape (outputs, examples) (or (examples,) for one output), class
probabilities ``probs`` and scores ``logits`` have shape (classes, examples). Integer
class labels ``labels`` have shape (examples,); one-hot targets have the shape of
``probs``. Losses are averaged over examples, as Keras does, and gradients are taken
with respect to the predictions. No function modifies its inputs.

For example:

>>> from dlmath.losses import mse
>>> mse([0.2, 0.25, 0.4, 0.7], [0.05, 0.15, 0.3, 0.35])
0.04125
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from dlmath._validation import as_float_array, as_labels, check_fraction

__all__ = [
    "LOSSES",
    "Loss",
    "accuracy",
    "categorical_crossentropy",
    "categorical_crossentropy_grad",
    "get_loss",
    "mse",
    "mse_grad",
    "one_hot",
    "softmax_crossentropy",
    "softmax_crossentropy_grad",
    "sparse_categorical_crossentropy",
    "sparse_categorical_crossentropy_grad",
]

#: Keras's fuzz factor: probabilities are clipped to [EPSILON, 1 - EPSILON] before
#: their logarithm is taken, so that a probability of zero gives a large, finite loss.
EPSILON = 1e-7


# --- mean squared error ---------------------------------------------------------------
def _pair(y, y_hat) -> tuple[np.ndarray, np.ndarray]:
    y = as_float_array(y, "y")
    y_hat = as_float_array(y_hat, "y_hat")
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape; got {y.shape} and {y_hat.shape}")
    return y, y_hat


def mse(y, y_hat) -> float:
    r"""Mean squared error between targets and predictions.

    Parameters
    ----------
    y : array_like, shape (outputs, examples) or (examples,)
        Observed outcomes.
    y_hat : array_like, same shape
        Predictions.

    Returns
    -------
    float
        :math:`e = \frac{1}{n} \sum_{i=1}^{n} (y_i - \hat y_i)^2`, the mean over every
        entry.

    References
    ----------
    .. [1] Fox, J. (2008). *Applied regression analysis and generalized linear
       models*. Sage.

    Examples
    --------
    The slides' first forward pass, where the predictions are W·X with W = 0.5:

    >>> from dlmath.losses import mse
    >>> mse([0.2, 0.25, 0.4, 0.7], [0.05, 0.15, 0.3, 0.35])
    0.04125
    """
    y, y_hat = _pair(y, y_hat)
    return float(np.mean((y - y_hat) ** 2))


def mse_grad(y, y_hat) -> np.ndarray:
    r"""Gradient of :func:`mse` with respect to the predictions.

    Parameters
    ----------
    y : array_like
        Observed outcomes.
    y_hat : array_like, same shape
        Predictions.

    Returns
    -------
    numpy.ndarray, same shape
        :math:`\partial e / \partial \hat y_i = \frac{2}{n} (\hat y_i - y_i)`.

    Examples
    --------
    >>> from dlmath.losses import mse_grad
    >>> mse_grad([0.2, 0.25, 0.4, 0.7], [0.05, 0.15, 0.3, 0.35]).round(4).tolist()
    [-0.075, -0.05, -0.05, -0.175]
    """
    y, y_hat = _pair(y, y_hat)
    return 2.0 * (y_hat - y) / y.size


# --- cross-entropy on probabilities ---------------------------------------------------
def one_hot(labels, n_classes: int) -> np.ndarray:
    r"""One-hot encode integer labels, one example per column.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
        Number of classes.

    Returns
    -------
    numpy.ndarray, shape (n_classes, examples)
        Column ``i`` is 1 in row ``labels[i]`` and 0 elsewhere.

    Examples
    --------
    >>> from dlmath.losses import one_hot
    >>> one_hot([2, 0], 3)
    array([[0., 1.],
           [0., 0.],
           [1., 0.]])
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer):
        raise TypeError(f"n_classes must be an integer; got {n_classes!r}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1; got {n_classes}")
    labels = as_labels(labels, "labels", n_classes=int(n_classes))
    encoded = np.zeros((int(n_classes), labels.size))
    encoded[labels, np.arange(labels.size)] = 1.0
    return encoded


def _probs(probs) -> np.ndarray:
    probs = as_float_array(probs, "probs", ndim=2)
    if np.any(probs < 0):
        raise ValueError("probs must be non-negative (class probabilities)")
    return probs


def _targets(y_true, probs: np.ndarray) -> np.ndarray:
    y_true = as_float_array(y_true, "y_true", ndim=2)
    if y_true.shape != probs.shape:
        raise ValueError(f"y_true must have the shape of probs {probs.shape}; got {y_true.shape}")
    return y_true


def _normalised_clipped(probs: np.ndarray, epsilon: float):
    """Keras's treatment of probabilities: normalise each column, then clip."""
    total = probs.sum(axis=0, keepdims=True)
    if np.any(total == 0):
        raise ValueError("every column of probs must have a positive sum")
    q = probs / total
    return q, np.clip(q, epsilon, 1.0 - epsilon), total


def categorical_crossentropy(y_true, probs, epsilon: float = EPSILON) -> float:
    r"""Cross-entropy between one-hot (or soft) targets and predicted probabilities.

    Parameters
    ----------
    y_true : array_like, shape (classes, examples)
        Target distributions, usually one-hot (see :func:`one_hot`).
    probs : array_like, shape (classes, examples)
        Predicted probabilities, one column per example.
    epsilon : float, optional
        Probabilities are clipped to :math:`[\epsilon, 1 - \epsilon]`, so that a
        probability of zero gives :math:`-\log \epsilon \approx 16.1`, not infinity.

    Returns
    -------
    float
        :math:`-\frac{1}{N} \sum_{i=1}^{N} \sum_{k} y_{ki} \log p_{ki}`.

    Notes
    -----
    As in Keras, each column of ``probs`` is first divided by its sum, then clipped.

    References
    ----------
    .. [1] Chollet, F. (2021). *Deep learning with Python*. Manning.

    Examples
    --------
    >>> from dlmath.losses import categorical_crossentropy, one_hot
    >>> probs = [[0.7, 0.1], [0.2, 0.8], [0.1, 0.1]]
    >>> round(categorical_crossentropy(one_hot([0, 1], 3), probs), 6)
    0.289909
    >>> round(categorical_crossentropy(one_hot([2], 3), [[0.5], [0.5], [0.0]]), 3)
    16.118
    """
    epsilon = check_fraction(epsilon, "epsilon", low_open=True)
    probs = _probs(probs)
    y_true = _targets(y_true, probs)
    _, clipped, _ = _normalised_clipped(probs, epsilon)
    return float(-np.sum(y_true * np.log(clipped)) / probs.shape[1])


def categorical_crossentropy_grad(y_true, probs, epsilon: float = EPSILON) -> np.ndarray:
    r"""Gradient of :func:`categorical_crossentropy` with respect to ``probs``.

    Parameters
    ----------
    y_true : array_like, shape (classes, examples)
        Target distributions.
    probs : array_like, shape (classes, examples)
        Predicted probabilities.
    epsilon : float, optional
        The clipping bound of :func:`categorical_crossentropy`.

    Returns
    -------
    numpy.ndarray, shape (classes, examples)
        :math:`\partial L / \partial p`. For columns that sum to 1 and lie inside the
        clipping range, this is :math:`-\frac{1}{N} (y / p - \textstyle\sum_k y_k)`.

    Notes
    -----
    The gradient follows the loss exactly: through the normalisation of each column
    and through the clip (zero where a probability was clipped). Chained with the
    softmax's backward pass it gives :math:`(p - y)/N`, the gradient of
    :func:`softmax_crossentropy`.

    Examples
    --------
    >>> from dlmath.losses import categorical_crossentropy_grad, one_hot
    >>> grad = categorical_crossentropy_grad(one_hot([0], 2), [[0.8], [0.2]])
    >>> grad.round(6).tolist()
    [[-0.25], [1.0]]
    """
    epsilon = check_fraction(epsilon, "epsilon", low_open=True)
    probs = _probs(probs)
    y_true = _targets(y_true, probs)
    q, clipped, total = _normalised_clipped(probs, epsilon)
    inside = (q > epsilon) & (q < 1.0 - epsilon)
    d_q = np.where(inside, -y_true / clipped, 0.0) / probs.shape[1]
    # q = p / sum(p): dL/dp_j = (dL/dq_j - sum_k dL/dq_k q_k) / sum(p)
    return (d_q - np.sum(d_q * q, axis=0, keepdims=True)) / total


def sparse_categorical_crossentropy(labels, probs, epsilon: float = EPSILON) -> float:
    r"""Cross-entropy between integer labels and predicted probabilities.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        The true classes.
    probs : array_like, shape (classes, examples)
        Predicted probabilities, one column per example.
    epsilon : float, optional
        Clipping bound, as in :func:`categorical_crossentropy`.

    Returns
    -------
    float
        :math:`-\frac{1}{N} \sum_{i} \log p_{y_i, i}`, the mean over examples (what
        Keras's ``loss="sparse_categorical_crossentropy"`` reports).

    Notes
    -----
    The same loss as :func:`categorical_crossentropy` with ``one_hot(labels)``,
    without building the one-hot matrix.

    Examples
    --------
    >>> from dlmath.losses import sparse_categorical_crossentropy
    >>> probs = [[0.7, 0.1], [0.2, 0.8], [0.1, 0.1]]
    >>> round(sparse_categorical_crossentropy([0, 1], probs), 6)
    0.289909
    >>> round(sparse_categorical_crossentropy([1], [[1.0], [0.0]]), 3)
    16.118
    """
    epsilon = check_fraction(epsilon, "epsilon", low_open=True)
    probs = _probs(probs)
    labels = _labels_for(labels, probs)
    _, clipped, _ = _normalised_clipped(probs, epsilon)
    picked = clipped[labels, np.arange(labels.size)]
    return float(-np.mean(np.log(picked)))


def sparse_categorical_crossentropy_grad(labels, probs, epsilon: float = EPSILON) -> np.ndarray:
    r"""Gradient of :func:`sparse_categorical_crossentropy` with respect to ``probs``.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        The true classes.
    probs : array_like, shape (classes, examples)
        Predicted probabilities.
    epsilon : float, optional
        Clipping bound.

    Returns
    -------
    numpy.ndarray, shape (classes, examples)
        The same as :func:`categorical_crossentropy_grad` with ``one_hot(labels)``.

    Examples
    --------
    >>> from dlmath.losses import sparse_categorical_crossentropy_grad
    >>> sparse_categorical_crossentropy_grad([0], [[0.8], [0.2]]).round(6).tolist()
    [[-0.25], [1.0]]
    """
    probs = _probs(probs)
    labels = _labels_for(labels, probs)
    return categorical_crossentropy_grad(one_hot(labels, probs.shape[0]), probs, epsilon=epsilon)


def _labels_for(labels, scores: np.ndarray) -> np.ndarray:
    labels = as_labels(labels, "labels", n_classes=scores.shape[0])
    if labels.size != scores.shape[1]:
        raise ValueError(
            f"labels must have one entry per column of the predictions "
            f"({scores.shape[1]}); got {labels.size}"
        )
    return labels


# --- softmax and cross-entropy together -----------------------------------------------
def _logits(logits) -> np.ndarray:
    return as_float_array(logits, "logits", ndim=2)


def softmax_crossentropy(labels, logits) -> float:
    r"""Cross-entropy of ``softmax(logits)`` against integer labels, computed from logits.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        The true classes.
    logits : array_like, shape (classes, examples)
        Scores before the softmax.

    Returns
    -------
    float
        :math:`\frac1N \sum_i \big(\log \sum_k e^{z_{ki}} - z_{y_i i}\big)`.

    Notes
    -----
    Working from the logits needs no clipping: the log-sum-exp is computed after
    subtracting each column's maximum, so the loss is exact even when a probability
    underflows to zero. Keras does the same when a softmax layer feeds a
    cross-entropy loss.

    Examples
    --------
    >>> from dlmath.losses import softmax_crossentropy
    >>> round(softmax_crossentropy([0], [[0.0], [0.0]]), 6)
    0.693147
    >>> round(softmax_crossentropy([1], [[0.0], [-200.0]]), 6)
    200.0
    """
    logits = _logits(logits)
    labels = _labels_for(labels, logits)
    with np.errstate(over="ignore", under="ignore"):  # columns spanning the float range
        shifted = logits - logits.max(axis=0, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=0))
    losses = log_sum - shifted[labels, np.arange(labels.size)]
    return float(np.mean(losses, dtype=np.float64))


def softmax_crossentropy_grad(labels, logits) -> np.ndarray:
    r"""Gradient of :func:`softmax_crossentropy` with respect to the logits.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        The true classes.
    logits : array_like, shape (classes, examples)
        Scores before the softmax.

    Returns
    -------
    numpy.ndarray, shape (classes, examples)
        :math:`\frac{1}{N}(\operatorname{softmax}(z) - y)`, with :math:`y` one-hot.

    Notes
    -----
    The softmax's Jacobian and the cross-entropy's gradient multiply out to this
    simple difference: the prediction minus the target. Computing it directly is
    cheaper, and it stays accurate when the softmax saturates, where the chained
    form divides by a probability that has underflowed.

    Probabilities smaller than :math:`\varepsilon^2` times the largest of their
    column (:math:`\varepsilon` the dtype's machine epsilon, so about 1e-14 in
    float32) are set to exactly zero, as the trainer does: they are far below what
    any sum they enter can resolve, and without this their products run into
    subnormal numbers, which x86 processors compute about a hundred times slower.
    An example whose softmax is its one-hot label to that precision has a gradient
    of exactly zero.

    Examples
    --------
    >>> from dlmath.losses import softmax_crossentropy_grad
    >>> softmax_crossentropy_grad([0], [[0.0], [0.0]]).tolist()
    [[-0.5], [0.5]]

    A confident, correct prediction gives a zero gradient:

    >>> softmax_crossentropy_grad([0], [[0.0], [-80.0]]).tolist()
    [[0.0], [0.0]]
    """
    logits = _logits(logits)
    labels = _labels_for(labels, logits)
    grad = logits - logits.max(axis=0, keepdims=True)
    grad /= _exp_flushed(grad)
    grad[labels, np.arange(labels.size)] -= 1.0
    grad /= labels.size
    return grad


def _exp_flushed(shifted: np.ndarray) -> np.ndarray:
    """Replace ``shifted`` (logits minus their column maxima) by its exponential, in
    place, with the entries below ``eps**2`` set to zero; return the column sums.

    Dividing by the sums gives the softmax of :func:`softmax_crossentropy_grad`.
    """
    floor = 2.0 * math.log(float(np.finfo(shifted.dtype).eps))
    np.copyto(shifted, -np.inf, where=shifted < floor)
    np.exp(shifted, out=shifted)
    return shifted.sum(axis=0)


def accuracy(labels, scores) -> float:
    r"""Fraction of examples whose highest score is the true class.

    Parameters
    ----------
    labels : array_like of int, shape (examples,)
        The true classes.
    scores : array_like, shape (classes, examples)
        Probabilities or logits, one column per example.

    Returns
    -------
    float
        :math:`\frac1N \#\{i : \arg\max_k s_{ki} = y_i\}`.

    Examples
    --------
    >>> from dlmath.losses import accuracy
    >>> accuracy([0, 1, 1], [[0.9, 0.2, 0.6], [0.1, 0.8, 0.4]])
    0.6666666666666666
    """
    scores = as_float_array(scores, "scores", ndim=2)
    labels = _labels_for(labels, scores)
    return float(np.mean(scores.argmax(axis=0) == labels))


def _softmax_crossentropy_step(
    logits: np.ndarray, labels: np.ndarray, columns: np.ndarray
) -> tuple[float, int]:
    """The trainer's fused softmax and cross-entropy, in place and unchecked.

    Turns ``logits`` (classes × m, a buffer the caller owns) into
    ``(softmax(logits) - one_hot(labels)) / m`` and returns the sum of the m losses
    and the number of correct predictions. ``columns`` is ``arange(m)``.

    The gradient is exactly :func:`softmax_crossentropy_grad`'s, which sets the
    probabilities smaller than ``eps**2`` times the largest of their column to zero
    (TensorFlow avoids the subnormal numbers they would produce by flushing
    subnormals to zero, which NumPy cannot do).
    """
    m = logits.shape[1]
    correct = int(np.count_nonzero(logits.argmax(axis=0) == labels))
    logits -= logits.max(axis=0, keepdims=True)
    true_logit = logits[labels, columns]
    total = _exp_flushed(logits)
    loss_sum = float(np.sum(np.log(total) - true_logit))
    logits /= total
    logits[labels, columns] -= 1.0
    logits *= 1.0 / m
    return loss_sum, correct


# --- the table used by the trainer ----------------------------------------------------
class Loss(NamedTuple):
    r"""A loss function and its gradient, as the trainer uses them.

    Attributes
    ----------
    name : str
        The name accepted by :meth:`dlmath.layers.Sequential.fit`.
    loss : callable
        ``loss(targets, outputs) -> float``, the mean loss.
    grad : callable
        ``grad(targets, outputs)``: the gradient with respect to the outputs.
    sparse_labels : bool
        Whether targets are integer labels rather than arrays shaped like the outputs.
    with_softmax : bool
        Whether the last layer must be a softmax, whose backward pass is then fused
        with the loss's (:func:`softmax_crossentropy_grad`).

    Examples
    --------
    >>> from dlmath.losses import LOSSES
    >>> spec = LOSSES["mse"]
    >>> spec.loss([1.0, 2.0], [1.5, 2.0]), spec.grad([1.0, 2.0], [1.5, 2.0]).tolist()
    (0.125, [0.5, 0.0])
    """

    name: str
    loss: Callable
    grad: Callable
    sparse_labels: bool
    with_softmax: bool


#: The losses :meth:`dlmath.layers.Sequential.fit` knows, by name (Keras's names).
LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, sparse_labels=False, with_softmax=False),
    "sparse_categorical_crossentropy": Loss(
        "sparse_categorical_crossentropy",
        sparse_categorical_crossentropy,
        sparse_categorical_crossentropy_grad,
        sparse_labels=True,
        with_softmax=True,
    ),
    "categorical_crossentropy": Loss(
        "categorical_crossentropy",
        categorical_crossentropy,
        categorical_crossentropy_grad,
        sparse_labels=False,
        with_softmax=True,
    ),
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`LOSSES`.

    Returns
    -------
    Loss

    Examples
    --------
    >>> from dlmath.losses import get_loss
    >>> get_loss("mse").sparse_labels
    False
    """
    if not isinstance(name, str) or name not in LOSSES:
        known = ", ".join(repr(k) for k in LOSSES)
        raise ValueError(f"loss must be one of {known}; got {name!r}")
    return LOSSES[name]
