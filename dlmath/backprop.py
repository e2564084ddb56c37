r"""Backpropagation as the slides tell it, and gradient checking.

**Shape convention.** The slides' first model has one feature and one outcome: ``x`` and
``y`` are rows of N numbers (arrays of shape (N,) or (1, N)), ``w`` and ``b`` are
numbers, and the prediction is :math:`y' = w x + b`. For whole networks, the functions
here take a :class:`dlmath.layers.Sequential` model, inputs ``X`` of shape (features, N)
with one example per column, and targets as its :meth:`~dlmath.layers.Sequential.fit`
takes them. Nothing here modifies its arguments, except that :func:`numerical_gradient`
perturbs a model's parameters one at a time and restores each one.

For example:

>>> from dlmath.backprop import linear_gradients
>>> de_dw, de_db = linear_gradients([0.1, 0.3, 0.6, 0.7], [0.2, 0.25, 0.4, 0.7], 0.5, 0.0)
>>> round(de_dw, 5), round(de_db, 5)
(-0.175, -0.35)
"""

from __future__ import annotations

import numpy as np

from dlmath._validation import (
    as_float_array,
    check_positive,
    check_positive_int,
    check_real,
)
from dlmath.layers import Sequential

__all__ = ["gradient_check", "linear_gradients", "numerical_gradient", "train_linear"]


def _line_data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, "x", ndim=(1, 2)).reshape(-1)
    y = as_float_array(y, "y", ndim=(1, 2)).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold the same number of values; got {x.size} and {y.size}")
    return x, y


def linear_gradients(x, y, w: float, b: float) -> tuple[float, float]:
    r"""The gradient of the mean squared error of the line :math:`y' = w x + b`.

    Parameters
    ----------
    x, y : array_like, shape (N,) or (1, N)
        The feature and the observed outcome.
    w, b : float
        The current weight and bias.

    Returns
    -------
    de_dw, de_db : float
        :math:`\partial e / \partial w` and :math:`\partial e / \partial b`.

    Notes
    -----
    The loss is a chain of three simple functions: the prediction
    :math:`y'_i = w x_i + b`, the residual :math:`r_i = y_i - y'_i`, and the mean
    square :math:`e = \frac1N \sum_i r_i^2`. The chain rule multiplies their
    derivatives, :math:`\partial e/\partial r_i = 2 r_i / N`,
    :math:`\partial r_i / \partial y'_i = -1`, :math:`\partial y'_i / \partial w =
    x_i` and :math:`\partial y'_i / \partial b = 1`:

    .. math::

        \frac{\partial e}{\partial w} = -\frac{2}{N} \sum_i x_i (y_i - y'_i), \qquad
        \frac{\partial e}{\partial b} = -\frac{2}{N} \sum_i (y_i - y'_i)

    Examples
    --------
    The slides' data, at the starting point W = 0.5, B = 0. Both derivatives are
    negative: increasing :math:`w` or :math:`b` lowers the error.

    >>> from dlmath.backprop import linear_gradients
    >>> x, y = [0.1, 0.3, 0.6, 0.7], [0.2, 0.25, 0.4, 0.7]
    >>> [round(g, 5) for g in linear_gradients(x, y, w=0.5, b=0.0)]
    [-0.175, -0.35]
    """
    x, y = _line_data(x, y)
    w, b = check_real(w, "w"), check_real(b, "b")
    return _linear_gradients(x, y, w, b)


def _linear_gradients(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    with np.errstate(all="ignore"):  # an overflow is reported below
        residual = y - (w * x + b)
        de_dprediction = -2.0 * residual / x.size
        de_dw, de_db = float(np.sum(de_dprediction * x)), float(np.sum(de_dprediction))
    if not (np.isfinite(de_dw) and np.isfinite(de_db)):
        raise ValueError(
            f"the gradient overflows float64 at w = {w:.3g}, b = {b:.3g} for these x and y: "
            "the line is too far from the data (or learning_rate too large)"
        )
    return de_dw, de_db


def train_linear(
    x,
    y,
    w: float = 0.5,
    b: float = 0.0,
    learning_rate: float = 0.1,
    epochs: int = 100,
) -> dict[str, np.ndarray]:
    r"""Fit the line :math:`y' = w x + b` by gradient descent on the mean squared error.

    Each epoch is a forward pass (predictions and loss) followed by a backward pass
    (:func:`linear_gradients`) and the slides' update of ``w`` and ``b``.

    Parameters
    ----------
    x, y : array_like, shape (N,) or (1, N)
        The feature and the outcome.
    w, b : float, optional
        Starting weight and bias (the slides start at 0.5 and 0).
    learning_rate : float, optional
        :math:`\alpha > 0`.
    epochs : int, optional
        Number of forward and backward passes.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"w"``, ``"b"`` and ``"loss"``, each of length ``epochs + 1``: entry ``k``
        holds the parameters after ``k`` epochs and the loss they give.

    Notes
    -----
    .. math:: w_u = w - \alpha \frac{\partial e}{\partial w}, \qquad
              b_u = b - \alpha \frac{\partial e}{\partial b}

    Examples
    --------
    >>> from dlmath.backprop import train_linear
    >>> fit = train_linear(
    ...     [0.1, 0.3, 0.6, 0.7], [0.2, 0.25, 0.4, 0.7], learning_rate=0.5, epochs=2000
    ... )
    >>> round(float(fit["loss"][0]), 5)
    0.04125
    >>> round(float(fit["w"][-1]), 4), round(float(fit["b"][-1]), 4)
    (0.7308, 0.0769)
    """
    x, y = _line_data(x, y)
    w, b = check_real(w, "w"), check_real(b, "b")
    learning_rate = check_positive(learning_rate, "learning_rate")
    epochs = check_positive_int(epochs, "epochs")
    ws, bs, losses = [w], [b], [_mse(x, y, w, b)]
    for _ in range(epochs):
        de_dw, de_db = _linear_gradients(x, y, w, b)
        w, b = w - learning_rate * de_dw, b - learning_rate * de_db
        ws.append(w)
        bs.append(b)
        losses.append(_mse(x, y, w, b))
    return {"w": np.array(ws), "b": np.array(bs), "loss": np.array(losses)}


def _mse(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float:
    with np.errstate(all="ignore"):  # an overflow is reported below
        loss = float(np.mean((y - (w * x + b)) ** 2))
    if not np.isfinite(loss):
        raise ValueError(
            f"the loss overflows float64 at w = {w:.3g}, b = {b:.3g} for these x and y: "
            "the line is too far from the data (or learning_rate too large)"
        )
    return loss


def numerical_gradient(
    model, X, y, loss: str = "sparse_categorical_crossentropy", h: float = 1e-6
) -> list[np.ndarray]:
    r"""Estimate the gradient of a model's loss by central differences.

    Parameters
    ----------
    model : dlmath.layers.Sequential
        The model; its parameters are perturbed one entry at a time and restored.
    X : array_like, shape (n_in, N)
        Inputs, one example per column.
    y : array_like
        Targets, as :meth:`~dlmath.layers.Sequential.compute_gradients` takes them.
    loss : str, optional
        A name from :data:`dlmath.losses.LOSSES`.
    h : float, optional
        The step, > 0.

    Returns
    -------
    list of numpy.ndarray
        One array per parameter array, in the order of
        :meth:`~dlmath.layers.Sequential.parameters`.

    Notes
    -----
    Two evaluations of the loss per parameter: fine for checking a small network,
    hopeless for training a large one, which is why backpropagation exists.

    Examples
    --------
    >>> from dlmath.backprop import numerical_gradient
    >>> from dlmath.layers import Dense, Sequential
    >>> model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
    >>> dW, dB = numerical_gradient(
    ...     model, [[0.1, 0.3, 0.6, 0.7]], [0.2, 0.25, 0.4, 0.7], loss="mse"
    ... )
    >>> round(float(dW[0, 0]), 6), round(float(dB[0, 0]), 6)
    (-0.175, -0.35)
    """
    _check_model(model)
    h = check_positive(h, "h")
    model.evaluate(X, y, loss=loss)  # validates everything once
    estimates = []
    for param in model.parameters():
        with np.errstate(over="ignore"):
            if np.any((param + h == param) | (param - h == param) | ~np.isfinite(param + h)):
                raise ValueError(
                    f"h = {h:g} is too small or too large for the parameters (|w| up to "
                    f"{np.abs(param).max():.3g} in {param.dtype}): w ± h rounds back to w "
                    "or overflows"
                )
        estimate = np.empty(param.shape, np.float64)
        for index in np.ndindex(param.shape):  # whatever the memory layout of param
            original = param[index]
            try:
                param[index] = original + h
                upper = model.evaluate(X, y, loss=loss)[0]
                param[index] = original - h
                lower = model.evaluate(X, y, loss=loss)[0]
            finally:  # even when evaluate fails or Ctrl-C interrupts it
                param[index] = original
            estimate[index] = (upper - lower) / (2 * h)
        if not np.all(np.isfinite(estimate)):
            raise ValueError(
                f"the loss is not finite within h = {h:g} of the parameters: choose a smaller h"
            )
        estimates.append(estimate)
    return estimates


def _check_model(model) -> None:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a dlmath Sequential model; got {model!r:.60}")


def gradient_check(
    model, X, y, loss: str = "sparse_categorical_crossentropy", h: float = 1e-6
) -> float:
    r"""Compare backpropagation's gradients with finite differences.

    Parameters
    ----------
    model : dlmath.layers.Sequential
        The model to check (use float64 for a meaningful check).
    X : array_like, shape (n_in, N)
        Inputs, one example per column.
    y : array_like
        Targets.
    loss : str, optional
        A name from :data:`dlmath.losses.LOSSES`.
    h : float, optional
        The finite-difference step.

    Returns
    -------
    float
        The largest relative error over the parameter arrays,
        :math:`\max_k \lVert g_k - \tilde g_k \rVert / (\lVert g_k \rVert +
        \lVert \tilde g_k \rVert)`, with :math:`g_k` from backpropagation and
        :math:`\tilde g_k` from :func:`numerical_gradient` (0 where both vanish).
        Below about 1e-7 in float64, the backward pass is right.

    Notes
    -----
    Comparing whole arrays by their norms keeps entries that are zero, or almost,
    from dividing rounding noise by nothing. Avoid inputs that sit exactly on a
    ReLU's kink, where the derivative does not exist.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.backprop import gradient_check
    >>> from dlmath.layers import Dense, Sequential
    >>> model = Sequential([Dense(3, 4, "tanh", rng=0), Dense(4, 3, "softmax", rng=1)])
    >>> X = np.random.default_rng(2).normal(size=(3, 5))
    >>> gradient_check(model, X, [0, 1, 2, 1, 0]) < 1e-7
    True
    """
    _check_model(model)
    _, analytic = model.compute_gradients(X, y, loss=loss)
    numeric = numerical_gradient(model, X, y, loss=loss, h=h)
    worst = 0.0
    for a, n in zip(analytic, numeric, strict=True):
        scale = np.linalg.norm(a) + np.linalg.norm(n)
        if scale > 0:
            worst = max(worst, float(np.linalg.norm(a - n) / scale))
    return worst
