r"""The fast engine: the reference engine's steps, in compiled kernels and owned buffers.

**Shape convention.** One example per column, as everywhere in dlmath: a layer's outputs
for a batch of m examples are an (n_out, m) array. The engine keeps the batch's inputs
as rows, ``rows[i]`` the features of example i, so that gathering a batch reads
contiguous memory; ``rows.T`` is the usual (n_in, m) matrix ``X``.

This module is the only home of dlmath's speed. It computes what
:mod:`dlmath.engines.reference` computes, with these techniques, each measured to pay on
the slides' MNIST fit (:doc:`/deeper/fast-engine` in the book gives the figures):

* **Owned buffers.** The parameters live in one flat array (and their gradients and the
  optimizer's state in others), copied in from the model when training starts and
  written back at the end of every epoch. Every batch is computed in buffers allocated
  once. The model's layers are never touched during an epoch, and their caches never:
  every method of the model gives the right answer after any ``fit``.
* **Fused kernels** (:mod:`dlmath.engines.kernels`, compiled by Numba): bias and
  activation in one pass after each matrix product; softmax, cross-entropy, the output
  error :math:`(P - Y)/m`, the batch's loss and its correct predictions in one pass; the
  activation's derivative applied in place; the optimizer's update in one pass over all
  parameters; raw pixels converted while the batch is gathered. The matrix products
  (and the bias gradients, :math:`\delta\,\mathbf{1}`) are NumPy's (BLAS).
* **Zero work skipped.** Every weight gradient is a sum over the batch,
  :math:`\partial L / \partial W = \sum_i \delta_i x_i^\top`, and an example whose output
  error :math:`\delta_i` is exactly zero contributes exactly zero to every layer's sum:
  when at least one example in 16 has a zero error, the others are copied together and
  the backward products run on them alone. Likewise the input features that are zero
  in every example of the batch before its first nonzero feature and after its last
  (the borders of MNIST's images) add nothing to the first layer's product
  :math:`W_1 X`, which leaves them out, and give zero columns of its weight gradient
  (over the kept examples), which are filled, not computed.
* **A cut-off in the softmax.** Probabilities smaller than :math:`\varepsilon^2` times
  the largest of their column (:math:`\varepsilon` the dtype's machine epsilon: about
  1e-14 in float32) are set to zero. They are far below what any sum they enter can
  resolve; without the cut-off their products run into subnormal numbers, and an example
  whose softmax is its one-hot label to that precision gets an error of exactly zero,
  which the previous item then skips (most examples of the slides' fit on raw pixels).
* **No subnormal numbers** in the optimizer's state: values below the dtype's smallest
  normal number are set to zero, as TensorFlow's flush-to-zero does. Beside
  :math:`\epsilon` they change no update.

What stays exactly equal to the reference engine, and what only to rounding, is stated
by the tests (``tests/test_engines.py``): the updates are bit for bit the optimizers'
formulas; a step's gradients agree to a few units of rounding (the order of the sums
in the matrix products and the bias gradients differs, and the cut-off above).

For example:

>>> import numpy as np
>>> from dlmath.engines.fast import FastEngine
>>> from dlmath.layers import Dense, Sequential
>>> model = Sequential([Dense(4, 8, "relu", rng=0), Dense(8, 3, "softmax", rng=1)])
>>> X, y = np.random.default_rng(2).normal(size=(4, 60)), np.arange(60) % 3
>>> engine = FastEngine()
>>> history = model.fit(X, y, epochs=2, batch_size=16, verbose=0, engine=engine)
>>> engine.stats["steps"], engine.stats["examples"]
(8, 120)
"""

from __future__ import annotations

import importlib.util
import math
import time

import numpy as np

from dlmath import activations as _activations
from dlmath import losses as _losses
from dlmath import optimizers as _optimizers
from dlmath._validation import check_bool

__all__ = ["FastEngine", "numba_available", "warm_up"]

_INSTALL = 'pip install "dlmath[fast]"'


def numba_available() -> bool:
    """Whether Numba, which the fast engine needs, can be imported.

    Examples
    --------
    >>> from dlmath.engines.fast import numba_available
    >>> isinstance(numba_available(), bool)
    True
    """
    return importlib.util.find_spec("numba") is not None


def _kernels():
    try:
        from dlmath.engines import kernels
    except ImportError as exc:
        raise ImportError(
            f"dlmath's fast engine needs Numba, which could not be imported ({exc}). "
            f"Install it with: {_INSTALL}; or train with engine='reference'"
        ) from exc
    return kernels


class FastEngine:
    """Trains with compiled kernels in buffers of its own; see the module's notes.

    Attributes
    ----------
    stats : dict of str to int
        What the last ``fit`` computed: ``"steps"``, ``"examples"`` (forward),
        ``"backward_examples"`` (the examples kept for the backward pass), and
        ``"forward_flops"``, ``"backward_flops"``, the floating-point operations of its
        matrix products (a multiply-add counts 2).

    Parameters
    ----------
    skip_zero_work : bool, optional
        Leave out of the backward pass the examples whose output error is exactly zero
        and the zero borders of the inputs (see the module's notes). The gradients are
        the same either way; turning it off measures what it saves.

    Raises
    ------
    ImportError
        If Numba is not installed; the message says how to install it.
    """

    name = "fast"

    def __init__(self, *, skip_zero_work: bool = True):
        self._k = _kernels()
        self.skip_zero_work = check_bool(skip_zero_work, "skip_zero_work")
        self.stats: dict[str, int] = {}

    # --- set up: buffers, copies of the parameters and of the optimizer's state -------
    def begin(self, model, X, y, loss, optimizer, batch_size: int) -> None:
        """Copy the model's parameters in and allocate every buffer."""
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.dtype = model.dtype
        layers = model.layers
        sizes = [n for layer in layers for n in (layer.W.size, layer.B.size)]
        self.params = np.concatenate([p.ravel() for p in model.parameters()])
        self.grads = np.zeros_like(self.params)
        self.W, self.B, self.dW, self.dB = [], [], [], []
        offset = 0
        for layer, (w, b) in zip(layers, zip(sizes[::2], sizes[1::2], strict=True), strict=True):
            for flat, (target, shape) in (
                (self.params, (self.W, layer.W.shape)),
                (self.grads, (self.dW, layer.W.shape)),
            ):
                target.append(flat[offset : offset + w].reshape(shape))
            self.B.append(self.params[offset + w : offset + w + b])
            self.dB.append(self.grads[offset + w : offset + w + b])
            offset += w + b
        self._saved_optimizer = optimizer._snapshot()  # None for a new optimizer
        optimizer._bind(model.parameters())
        self._t = optimizer.iterations
        self.state = [
            np.concatenate([s.ravel() for s in states]) if states else None
            for states in zip(*optimizer._state, strict=True)
        ]
        self._update = self._update_rule(optimizer)
        # The data, one example per row, and the workspace of one batch.
        self.rows = np.ascontiguousarray(X.T)
        self.targets = self._target_rows(y, loss)
        m = min(batch_size, X.shape[1])
        self.batch_size = batch_size
        self.inputs = np.empty((m, model.n_in), self.dtype)
        self.kept_inputs = np.empty_like(self.inputs)
        self.outputs = [np.empty(layer.n_out * m, self.dtype) for layer in layers]
        self.kept_outputs = [np.empty(layer.n_out * m, self.dtype) for layer in layers]
        self.deltas = [np.empty(layer.n_out * m, self.dtype) for layer in layers]
        self.kept = np.empty(m, np.intp)
        self.ones = np.ones(m, self.dtype)
        self.transposed = [  # for (A·δᵀ)ᵀ: BLAS is faster for a short δ (few outputs)
            np.empty((layer.n_in, layer.n_out), self.dtype)
            if n > 0 and layer.n_out < layer.n_in
            else None
            for n, layer in enumerate(layers)
        ]
        self.floor = self.dtype.type(self._k.softmax_floor(self.dtype))
        self.tiny = self.dtype.type(self._k.smallest_normal(self.dtype))
        self.stats = dict.fromkeys(
            ("steps", "examples", "backward_examples", "forward_flops", "backward_flops"), 0
        )

    def _target_rows(self, y, loss):
        """Targets per example: labels as they are; arrays as rows; one-hot as labels."""
        self.joint = loss.joint_grad is not None  # backpropagate from the logits
        self.fused = loss.joint_grad in _FUSED
        if loss.targets == "labels":
            return y
        if self.fused:  # one-hot targets, checked one-hot: their labels
            return y.argmax(axis=0)
        return np.ascontiguousarray(y.T)

    # --- an epoch -----------------------------------------------------------------------
    def train_epoch(self, order: np.ndarray, on_batch=None) -> tuple[float, int]:
        """One pass over the examples in ``order``; see ReferenceEngine.train_epoch."""
        loss_sum, correct, seen = 0.0, 0, 0
        for batch, start in enumerate(range(0, order.size, self.batch_size)):
            index = order[start : start + self.batch_size]
            with np.errstate(all="ignore"):  # a non-finite loss is reported below
                batch_loss, batch_correct = self._step(index)
            if not math.isfinite(batch_loss):
                raise FloatingPointError(
                    f"the loss stopped being finite at step {self._t}: the steps are too "
                    f"large for this model and data (optimizer {self.optimizer!r})"
                )
            loss_sum += batch_loss
            correct += batch_correct
            seen += index.size
            if on_batch is not None:
                on_batch(batch, seen, loss_sum, correct)
        return loss_sum, correct

    def commit(self) -> None:
        """Write the parameters and the optimizer's state into the model and optimizer."""
        if not np.all(np.isfinite(self.params)):
            raise FloatingPointError(
                f"the parameters stopped being finite at step {self._t}: the steps are too "
                f"large for this model and data (optimizer {self.optimizer!r})"
            )
        for layer, W, B in zip(self.model.layers, self.W, self.B, strict=True):
            layer.W[...] = W
            layer.B[...] = B.reshape(-1, 1)
        for k, flat in enumerate(self.state):
            offset = 0
            for states in self.optimizer._state:
                s = states[k]
                s[...] = flat[offset : offset + s.size].reshape(s.shape)
                offset += s.size
        self.optimizer.iterations = self._t
        self._saved_optimizer = self.optimizer._snapshot()

    def gradients(self) -> list[np.ndarray]:
        """The gradients of the last step, shaped as ``model.parameters()``.

        Returns
        -------
        list of numpy.ndarray
            New arrays dW₁, dB₁, dW₂, dB₂, ... (a bias gradient as a column).

        Raises
        ------
        RuntimeError
            If the engine has not taken a step yet.

        Examples
        --------
        >>> import numpy as np
        >>> from dlmath.engines.fast import FastEngine
        >>> from dlmath.layers import Dense, Sequential
        >>> model = Sequential([Dense(3, 2, "softmax", rng=0)])
        >>> X, y = np.random.default_rng(1).normal(size=(3, 8)), np.arange(8) % 2
        >>> engine = FastEngine()
        >>> history = model.fit(X, y, epochs=1, batch_size=8, verbose=0, engine=engine)
        >>> [g.shape for g in engine.gradients()]
        [(2, 3), (2, 1)]
        """
        if not self.stats.get("steps"):
            raise RuntimeError("the engine has taken no step yet: there are no gradients")
        gradients = []
        for dW, dB in zip(self.dW, self.dB, strict=True):
            gradients += [dW.copy(), dB.reshape(-1, 1).copy()]
        return gradients

    def abort(self) -> None:
        """Leave the model and the optimizer as at the last commit (nothing to undo)."""
        self.optimizer._restore(self._saved_optimizer)

    # --- a step -------------------------------------------------------------------------
    def _step(self, index: np.ndarray) -> tuple[float, int]:
        """Forward, backward and update on the examples ``index``; returns the batch's
        loss sum and correct count."""
        k, layers, m = self._k, self.model.layers, index.size
        X = self.inputs[:m]
        k.gather_rows(self.rows, index, X)
        # The features outside [lo, hi) are zero in every example of the batch.
        lo, hi = k.nonzero_span(X) if self.skip_zero_work else (0, X.shape[1])
        # Forward: Z = W·A + B and A = ϱ(Z), layer by layer, into the output buffers;
        # the first product leaves out the features that are zero in the whole batch.
        A, outputs = X.T[lo:hi], []
        last = len(layers) - 1
        for n, layer in enumerate(layers):
            Z = self.outputs[n][: layer.n_out * m].reshape(layer.n_out, m)
            np.matmul(self.W[n][:, lo:hi] if n == 0 else self.W[n], A, out=Z)
            activation = "linear" if n == last and self.joint else layer.activation
            _forward(k, activation, Z, self.B[n])
            A = Z
            outputs.append(Z)
        self.stats["forward_flops"] += (
            2 * m * (layers[0].n_out * (hi - lo) + sum(layer.W.size for layer in layers[1:]))
        )
        # The output error delta = dL/dZ of the last layer, and the batch's loss.
        delta = self.deltas[last][: layers[last].n_out * m].reshape(layers[last].n_out, m)
        y = self.targets[index]
        if self.fused:
            loss_sum, correct = k.softmax_crossentropy(A, y, delta, self.floor)
        else:
            loss_sum, correct = self._output_error(A, y, delta, layers[last].activation)
        self._backward(X, (lo, hi), outputs, delta)
        self._t += 1
        self._update()
        self.stats["steps"] += 1
        self.stats["examples"] += m
        return loss_sum, correct

    def _output_error(self, A, y, delta, activation):
        """Any other loss: its registry entry, then the activation's derivative."""
        targets = y if self.loss.targets == "labels" else y.T
        if self.loss.joint_grad is not None:  # a registered loss with its own joint grad
            value = self.loss.joint_loss(targets, A)
            delta[...] = self.loss.joint_grad(targets, A)
            scores = A
        else:
            value = self.loss.loss(targets, A)
            delta[...] = self.loss.grad(targets, A)
            _backward_activation(self._k, activation, delta, A)
            scores = A
        correct = 0
        if self.loss.classifies:
            labels = targets if self.loss.targets == "labels" else targets.argmax(axis=0)
            correct = int(np.count_nonzero(scores.argmax(axis=0) == labels))
        return float(value) * A.shape[1], correct

    def _backward(self, X, span, outputs, delta) -> None:
        """Gradients of every layer into the flat gradient buffer, from the output error;
        ``span`` (lo, hi): the features outside [lo, hi) are zero in every example."""
        k, layers = self._k, self.model.layers
        m = delta.shape[1]
        kept = k.nonzero_columns(delta, self.kept) if self.skip_zero_work else m
        inputs = [X.T, *outputs[:-1]]  # each layer's input, (n_in, m)
        if kept == 0:
            self.grads[...] = 0.0
            return
        if 16 * (m - kept) >= m:  # leave out the examples whose error is zero
            index = self.kept[:kept]
            rows = self.kept_inputs[:kept]
            k.gather_rows(X, index, rows)
            span = k.nonzero_span(rows)
            inputs[0] = rows.T
            for n in range(1, len(layers)):
                source = inputs[n]
                out = self.kept_outputs[n - 1][: source.shape[0] * kept]
                out = out.reshape(source.shape[0], kept)
                k.gather_columns(source, index, out)
                inputs[n] = out
            out = self.kept_outputs[-1][: delta.shape[0] * kept].reshape(delta.shape[0], kept)
            k.gather_columns(delta, index, out)
            delta, m = out, kept
        self.stats["backward_examples"] += m
        for n in range(len(layers) - 1, -1, -1):
            inp = inputs[n]
            if n == 0:  # the zero borders of the inputs give zero columns of dW
                lo, hi = span
                self.dW[0][:, :lo] = 0.0
                self.dW[0][:, hi:] = 0.0
                np.matmul(delta, inp.T[:, lo:hi], out=self.dW[0][:, lo:hi])
                weights = layers[0].n_out * (hi - lo)
            elif self.transposed[n] is not None:  # dW = (A·δᵀ)ᵀ
                np.matmul(inp, delta.T, out=self.transposed[n])
                self.dW[n][...] = self.transposed[n].T
                weights = layers[n].W.size
            else:
                np.matmul(delta, inp.T, out=self.dW[n])
                weights = layers[n].W.size
            self.stats["backward_flops"] += 2 * m * weights
            np.matmul(delta, self.ones[:m], out=self.dB[n])  # dB = Σ δ over the examples
            if n > 0:  # dA = Wᵀ·delta, then delta = ϱ'(Z) ⊙ dA for the layer below
                below = self.deltas[n - 1][: layers[n].n_in * m].reshape(layers[n].n_in, m)
                np.matmul(self.W[n].T, delta, out=below)
                self.stats["backward_flops"] += 2 * m * layers[n].W.size
                _backward_activation(k, layers[n - 1].activation, below, inp)
                delta = below

    # --- the optimizer's update ---------------------------------------------------------
    def _update_rule(self, optimizer):
        """The kernel of ``optimizer``'s exact class, with its scalars in our dtype."""
        k, cast = self._k, self.dtype.type
        p, g, kind = self.params, self.grads, type(optimizer)
        lr = cast(optimizer.learning_rate)
        if kind is _optimizers.GradientDescent:
            return lambda: k.gradient_descent(p, g, lr)
        if kind is _optimizers.Momentum:
            mu = cast(optimizer.momentum)
            return lambda: k.momentum(p, g, self.state[0], lr, mu, optimizer.nesterov, self.tiny)
        if kind is _optimizers.RMSprop:
            rho, rest = cast(optimizer.rho), cast(1.0 - optimizer.rho)
            eps = cast(optimizer.epsilon)
            return lambda: k.rmsprop(p, g, self.state[0], lr, rho, rest, eps, self.tiny)
        if kind is _optimizers.Adam:
            b1, b2 = cast(1.0 - optimizer.beta_1), cast(1.0 - optimizer.beta_2)
            eps = cast(optimizer.epsilon)

            def adam():
                alpha = cast(optimizer.step_size(self._t))
                k.adam(p, g, self.state[0], self.state[1], alpha, b1, b2, eps, self.tiny)

            return adam
        return self._generic_update

    def _generic_update(self) -> None:
        """An optimizer without a kernel (a subclass): its own formula, on our buffers."""
        self.optimizer.iterations = self._t - 1  # the step being taken, as step() sees it
        offset = 0
        for n, (W, B) in enumerate(zip(self.W, self.B, strict=True)):
            for p, g in ((W, self.dW[n]), (B, self.dB[n])):
                state = [s[offset : offset + p.size].reshape(p.shape) for s in self.state]
                self.optimizer._update(p, g, *state)
                offset += p.size


#: The joint gradients the fused softmax kernel computes (with labels as targets).
_FUSED = frozenset(
    {_losses.softmax_crossentropy_grad, _losses._categorical_softmax_crossentropy_grad}
)

_BIAS = {"linear": "bias_linear", "relu": "bias_relu", "sigmoid": "bias_sigmoid"}
_BIAS["tanh"] = "bias_tanh"


def _forward(k, activation: str, Z: np.ndarray, B: np.ndarray) -> None:
    """Z <- ϱ(Z + B) in place: a kernel, or NumPy for softmax."""
    if activation == "softmax":
        Z += B[:, None]
        _activations.ACTIVATIONS["softmax"].forward(Z, out=Z)
    else:
        getattr(k, _BIAS[activation])(Z, B)


def _backward_activation(k, activation: str, dA: np.ndarray, A: np.ndarray) -> None:
    """dA <- ϱ'(Z) ⊙ dA in place, from the outputs A = ϱ(Z)."""
    if activation == "softmax":  # the Jacobian's product: s ⊙ (g - sᵀg)
        dA -= np.sum(A * dA, axis=0, keepdims=True)
        dA *= A
    else:
        getattr(k, f"{activation}_backward")(dA, A)


def warm_up(dtype=np.float32) -> float:
    """Compile (or load from Numba's cache) the kernels for ``dtype``; return the seconds.

    The first fit on a machine compiles the kernels, which takes a few seconds; later
    ones load them from the cache. Benchmarks call this first, to keep compilation out
    of the time of a fit.

    Examples
    --------
    >>> from dlmath.engines.fast import warm_up
    >>> warm_up("float64") >= 0.0
    True
    """
    started = time.perf_counter()
    _kernels().compile_for(np.dtype(dtype))
    return time.perf_counter() - started
