r"""The reference engine: the training loop the book explains, in plain NumPy.

**Shape convention.** One example per column: a batch is ``X[:, batch]`` of shape
(n_in, m), its targets ``y[..., batch]`` (labels of shape (m,), or columns of shape
(n_out, m)).

Each step is the model's own forward pass, the loss's gradient from the registry
(:data:`dlmath.losses.LOSSES`), the model's own backward pass and one optimizer update:
the code a reader opens is the code that trains. :mod:`dlmath.engines.fast` computes the
same steps in compiled kernels; the tests prove both equal.

For example:

>>> import numpy as np
>>> from dlmath.engines.reference import train_step
>>> from dlmath.layers import Dense, Sequential
>>> from dlmath.losses import get_loss
>>> from dlmath.optimizers import GradientDescent
>>> model = Sequential([Dense.from_weights([[0.5]], [[0.0]])])
>>> X, y = np.array([[0.1, 0.3, 0.6, 0.7]]), np.array([[0.2, 0.25, 0.4, 0.7]])
>>> loss, _ = train_step(model, X, y, get_loss("mse"), GradientDescent(0.5))
>>> round(loss, 5), round(float(model.layers[0].W[0, 0]), 4)  # w - 0.5 * (-0.175)
(0.04125, 0.5875)
"""

from __future__ import annotations

import numpy as np

__all__ = ["ReferenceEngine", "gradients", "train_step"]


def gradients(model, X, y, loss) -> tuple[float, np.ndarray]:
    r"""The forward and backward pass on a batch: set every layer's ``dW`` and ``dB``.

    Parameters
    ----------
    model : dlmath.layers.Sequential
        The model.
    X : numpy.ndarray, shape (n_in, m)
        The batch, one example per column.
    y : numpy.ndarray
        Its targets, as ``loss`` takes them (checked by the caller).
    loss : dlmath.losses.Loss
        The registry's entry of the loss.

    Returns
    -------
    loss : float
        The batch's mean loss.
    outputs : numpy.ndarray, shape (n_out, m)
        The model's outputs; the logits (the last layer's Z) when the loss has a joint
        gradient with the softmax.

    Notes
    -----
    With a softmax output and cross-entropy, the backward pass starts from the
    gradient with respect to the logits, :math:`\delta = (P - Y)/m`, which is what
    the chain rule through the softmax gives, computed without dividing by
    probabilities that may have underflowed.
    """
    if loss.joint_grad is not None:  # softmax and cross-entropy together
        Z = model.forward(X, logits=True)  # forward pass, up to the logits
        model.backward(dZ=loss.joint_grad(y, Z))  # backward pass from (P - Y)/m
        return loss.joint_loss(y, Z), Z
    Y_hat = model.forward(X)  # forward pass
    model.backward(loss.grad(y, Y_hat))  # backward pass from dL/dY
    return loss.loss(y, Y_hat), Y_hat


def train_step(model, X, y, loss, optimizer) -> tuple[float, np.ndarray]:
    """One step of gradient descent on a batch: forward, backward, update.

    Parameters
    ----------
    model, X, y, loss
        As for :func:`gradients`.
    optimizer : dlmath.optimizers.Optimizer
        Applies its update rule to the model's parameters.

    Returns
    -------
    loss : float
        The batch's mean loss, before the update.
    outputs : numpy.ndarray
        The model's outputs (or logits) before the update.
    """
    value, outputs = gradients(model, X, y, loss)
    optimizer.step(model.parameters(), model.gradients())  # w <- w - step(dL/dw)
    return value, outputs


class ReferenceEngine:
    """Trains with :func:`~dlmath.engines.reference.train_step`, one batch after the other.

    :func:`dlmath.training.fit` calls :meth:`begin` once, then for every epoch
    :meth:`train_epoch` and :meth:`commit`, or :meth:`abort` when an epoch fails.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.engines import ReferenceEngine
    >>> from dlmath.layers import Dense, Sequential
    >>> model = Sequential([Dense(2, 2, "softmax", rng=0)])
    >>> X, y = np.eye(2), np.array([0, 1])
    >>> history = model.fit(X, y, epochs=3, verbose=0, engine=ReferenceEngine())
    >>> len(history["loss"])
    3
    """

    name = "reference"

    def begin(self, model, X, y, loss, optimizer, batch_size: int) -> None:
        """Take the training data and what to train with."""
        self.model, self.X, self.y = model, X, y
        self.loss, self.optimizer, self.batch_size = loss, optimizer, batch_size
        self._saved = self._snapshot()

    def train_epoch(self, order: np.ndarray, on_batch=None) -> tuple[float, int]:
        """One pass over the examples in ``order``, a batch at a time.

        Returns the sum of the examples' losses and the number of correct predictions
        (0 without classes); calls ``on_batch(batch, seen, loss_sum, correct)``.
        """
        loss_sum, correct, seen = 0.0, 0, 0
        for batch, start in enumerate(range(0, order.size, self.batch_size)):
            index = order[start : start + self.batch_size]
            X, y = self.X[:, index], self.y[..., index]
            value, outputs = train_step(self.model, X, y, self.loss, self.optimizer)
            loss_sum += value * index.size
            correct += _correct(outputs, y, self.loss)
            seen += index.size
            if on_batch is not None:
                on_batch(batch, seen, loss_sum, correct)
        return loss_sum, correct

    def commit(self) -> None:
        """The epoch is finished: what :meth:`abort` restores is now its result."""
        self._saved = self._snapshot()

    def abort(self) -> None:
        """Put the parameters and the optimizer back as at the last :meth:`commit`."""
        params, optimizer = self._saved
        for p, saved in zip(self.model.parameters(), params, strict=True):
            p[...] = saved
        self.optimizer._restore(optimizer)

    def _snapshot(self):
        return [p.copy() for p in self.model.parameters()], self.optimizer._snapshot()


def _correct(outputs: np.ndarray, y: np.ndarray, loss) -> int:
    """How many columns of ``outputs`` have their largest entry at the true class."""
    if not loss.classifies:
        return 0
    labels = y if loss.targets == "labels" else y.argmax(axis=0)
    return int(np.count_nonzero(outputs.argmax(axis=0) == labels))
