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

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from dlmath._validation import as_float_array, as_labels, check_allocatable, check_fraction
from dlmath.activations import softmax

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
    "register_loss",
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
    check_allocatable((n_classes, labels.size), np.float64, f"n_classes={n_classes}")
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
    """Keras's treatment of probabilities: normalise each column, then clip.

    Each column is divided by its largest entry ``top`` first, so that its sum
    cannot overflow: ``probs = top * total * q``, column by column.
    """
    top = probs.max(axis=0, keepdims=True)
    if np.any(top == 0):
        raise ValueError("every column of probs must have a positive sum")
    scaled = probs / top
    total = scaled.sum(axis=0, keepdims=True)
    q = scaled / total
    return q, np.clip(q, epsilon, 1.0 - epsilon), total, top


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
    clipped = _normalised_clipped(probs, epsilon)[1]
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
    q, clipped, total, top = _normalised_clipped(probs, epsilon)
    inside = (q > epsilon) & (q < 1.0 - epsilon)
    d_q = np.where(inside, -y_true / clipped, 0.0) / probs.shape[1]
    # q = p / sum(p): dL/dp_j = (dL/dq_j - sum_k dL/dq_k q_k) / sum(p)
    return (d_q - np.sum(d_q * q, axis=0, keepdims=True)) / total / top


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
    labels = _labels_for(labels, probs, "probs")
    clipped = _normalised_clipped(probs, epsilon)[1]
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
    labels = _labels_for(labels, probs, "probs")
    return categorical_crossentropy_grad(one_hot(labels, probs.shape[0]), probs, epsilon=epsilon)


def _labels_for(labels, scores: np.ndarray, name: str) -> np.ndarray:
    """Labels checked against the (classes, examples) array ``scores`` called ``name``."""
    labels = as_labels(labels, "labels")
    if labels.max() >= scores.shape[0]:
        raise ValueError(
            f"labels must lie in [0, {scores.shape[0]}), one class per row of {name}; "
            f"got values up to {labels.max()}"
        )
    if labels.size != scores.shape[1]:
        raise ValueError(
            f"labels must have one entry per column of {name} ({scores.shape[1]}); "
            f"got {labels.size}"
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
    labels = _labels_for(labels, logits, "logits")
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

    This is the gradient exactly, with no cut-off: dlmath's fast training engine
    (:mod:`dlmath.engines.fast`) fuses it with the loss and sets negligible
    probabilities to zero, which is documented there.

    Examples
    --------
    >>> from dlmath.losses import softmax_crossentropy_grad
    >>> softmax_crossentropy_grad([0], [[0.0], [0.0]]).tolist()
    [[-0.5], [0.5]]

    A confident, correct prediction gives a gradient close to zero:

    >>> print(f"{abs(softmax_crossentropy_grad([0], [[0.0], [-30.0]])).max():.3e}")  # ~e^-30
    9.358e-14
    """
    logits = _logits(logits)
    labels = _labels_for(labels, logits, "logits")
    P = softmax(logits)
    Y = np.zeros_like(P)
    Y[labels, np.arange(labels.size)] = 1.0
    return (P - Y) / labels.size


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
    labels = _labels_for(labels, scores, "scores")
    return float(np.mean(scores.argmax(axis=0) == labels))


# --- the table both training engines use -----------------------------------------------
def _one_hot_labels(y_true: np.ndarray) -> np.ndarray:
    """The class of each column of one-hot targets (checked one-hot by the model)."""
    return y_true.argmax(axis=0)


def _categorical_softmax_crossentropy(y_true, logits) -> float:
    return softmax_crossentropy(_one_hot_labels(np.asarray(y_true)), logits)


def _categorical_softmax_crossentropy_grad(y_true, logits) -> np.ndarray:
    return softmax_crossentropy_grad(_one_hot_labels(np.asarray(y_true)), logits)


#: The kinds of targets a loss can take: integer class labels of shape (N,), one-hot
#: columns of shape (classes, N), or real values shaped like the outputs.
TARGET_KINDS = ("labels", "one-hot", "values")


class Loss(NamedTuple):
    r"""A loss function with its gradient, as both training engines use it.

    Attributes
    ----------
    name : str
        The name accepted by :meth:`dlmath.layers.Sequential.fit` (Keras's names).
    loss : callable
        ``loss(targets, outputs) -> float``: the mean loss of the model's outputs.
    grad : callable
        ``grad(targets, outputs) -> numpy.ndarray``: its gradient with respect to the
        outputs, shaped like them.
    targets : {"labels", "one-hot", "values"}
        What the targets are: integer class labels of shape (N,), one-hot columns of
        shape (classes, N), or real values of the outputs' shape (n_out, N).
    output : str or None
        The activation the model's last layer must have (``"softmax"`` for
        cross-entropy), or None for any.
    joint_loss, joint_grad : callable or None
        For a softmax output: the same loss computed from the logits :math:`z` (the
        last layer's pre-activations), ``joint_loss(targets, logits) -> float``, and
        its gradient with respect to the logits, ``joint_grad(targets, logits)``,
        which for cross-entropy is :math:`(\operatorname{softmax}(z) - y)/N`. When
        given, the engines backpropagate from this gradient instead of chaining the
        loss's gradient with the softmax's Jacobian.

    Examples
    --------
    >>> from dlmath.losses import LOSSES
    >>> entry = LOSSES["mse"]
    >>> entry.loss([1.0, 2.0], [1.5, 2.0]), entry.grad([1.0, 2.0], [1.5, 2.0]).tolist()
    (0.125, [0.5, 0.0])
    >>> entry = LOSSES["sparse_categorical_crossentropy"]
    >>> entry.output, entry.joint_grad([0], [[0.0], [0.0]]).tolist()
    ('softmax', [[-0.5], [0.5]])
    """

    name: str
    loss: Callable
    grad: Callable
    targets: str
    output: str | None = None
    joint_loss: Callable | None = None
    joint_grad: Callable | None = None

    @property
    def classifies(self) -> bool:
        """Whether the targets are classes (labels or one-hot), so accuracy means something."""
        return self.targets != "values"


#: The losses :meth:`dlmath.layers.Sequential.fit` knows, by name (Keras's names).
#: Add one with :func:`register_loss`.
LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, targets="values"),
    "sparse_categorical_crossentropy": Loss(
        "sparse_categorical_crossentropy",
        sparse_categorical_crossentropy,
        sparse_categorical_crossentropy_grad,
        targets="labels",
        output="softmax",
        joint_loss=softmax_crossentropy,
        joint_grad=softmax_crossentropy_grad,
    ),
    "categorical_crossentropy": Loss(
        "categorical_crossentropy",
        categorical_crossentropy,
        categorical_crossentropy_grad,
        targets="one-hot",
        output="softmax",
        joint_loss=_categorical_softmax_crossentropy,
        joint_grad=_categorical_softmax_crossentropy_grad,
    ),
}


def register_loss(entry: Loss) -> Loss:
    r"""Add a loss to :data:`LOSSES`, so that models can be trained on it by name.

    Parameters
    ----------
    entry : Loss
        The loss, its gradient and what it expects. Its name must be new.

    Returns
    -------
    Loss
        ``entry`` itself.

    Raises
    ------
    TypeError
        If ``entry`` is not a :class:`Loss` or a function in it is not callable.
    ValueError
        If the name is taken or empty, ``targets`` is unknown, ``output`` is not an
        activation's name, or only one of ``joint_loss`` and ``joint_grad`` is given.

    Examples
    --------
    The mean absolute error, :math:`\frac{1}{n}\sum |\hat y - y|`:

    >>> import numpy as np
    >>> from dlmath.losses import LOSSES, Loss, register_loss
    >>> mae = register_loss(
    ...     Loss(
    ...         "mae",
    ...         loss=lambda y, y_hat: float(np.mean(np.abs(np.asarray(y_hat) - y))),
    ...         grad=lambda y, y_hat: np.sign(np.asarray(y_hat) - y) / np.size(y),
    ...         targets="values",
    ...     )
    ... )
    >>> "mae" in LOSSES
    True
    >>> del LOSSES["mae"]
    """
    from dlmath.activations import ACTIVATIONS

    if not isinstance(entry, Loss):
        raise TypeError(f"entry must be a dlmath.losses.Loss; got {entry!r:.80}")
    if not isinstance(entry.name, str) or not entry.name:
        raise ValueError(f"the loss's name must be a non-empty string; got {entry.name!r}")
    if entry.name in LOSSES:
        raise ValueError(f"a loss named {entry.name!r} is already registered")
    for field in ("loss", "grad", "joint_loss", "joint_grad"):
        function = getattr(entry, field)
        if function is not None and not callable(function):
            raise TypeError(f"the loss's {field} must be callable; got {function!r:.60}")
    if entry.loss is None or entry.grad is None:
        raise TypeError("the loss's loss and grad must both be given (callables)")
    if entry.targets not in TARGET_KINDS:
        raise ValueError(f"the loss's targets must be one of {TARGET_KINDS}; got {entry.targets!r}")
    if entry.output is not None and entry.output not in ACTIVATIONS:
        raise ValueError(
            f"the loss's output must be None or an activation's name; got {entry.output!r}"
        )
    if (entry.joint_loss is None) != (entry.joint_grad is None):
        raise ValueError("give both joint_loss and joint_grad, or neither")
    if entry.joint_grad is not None and entry.output != "softmax":
        raise ValueError("joint_loss and joint_grad are for losses with output='softmax'")
    LOSSES[entry.name] = entry
    return entry


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
    >>> get_loss("mse").targets
    'values'
    """
    if not isinstance(name, str) or name not in LOSSES:
        known = ", ".join(repr(k) for k in LOSSES)
        raise ValueError(f"loss name must be one of {known}; got {name!r:.80}")
    return LOSSES[name]
