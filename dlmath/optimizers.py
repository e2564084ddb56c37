r"""Gradient descent and its descendants, with Keras's update rules and defaults.

**Shape convention.** An optimizer updates a list of parameter arrays (a layer's ``W``
of shape (outputs, inputs) and ``B`` of shape (outputs, 1), or one flat buffer holding a
whole model) from a list of gradient arrays of the same shapes. ``step(params, grads)``
updates the parameters **in place**: this is the one place where dlmath modifies arrays
it is given. Gradients are never modified. Each optimizer keeps its state (momenta,
running averages) per parameter array, created at the first step.

Each class holds only its formula (``_update``) and its hyperparameters, like
scikit-learn's stochastic optimizers; the base class walks the arrays in cache-sized
chunks and keeps the state.

For example:

>>> import numpy as np
>>> from dlmath.optimizers import GradientDescent
>>> w = np.array([1.0])
>>> GradientDescent(learning_rate=0.1).step([w], [np.array([2.0])])
>>> w.tolist()
[0.8]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from dlmath._validation import (
    as_float_array,
    check_fraction,
    check_positive,
    check_positive_int,
)
from dlmath.derivatives import DEFAULT_STEP, gradient

__all__ = ["Adam", "GradientDescent", "Momentum", "Optimizer", "RMSprop", "gradient_descent"]


class Optimizer:
    r"""Base class: validation, per-parameter state, and the chunked update loop.

    Parameters
    ----------
    learning_rate : float
        The step size :math:`\alpha > 0`.

    Attributes
    ----------
    iterations : int
        Number of steps taken.

    Notes
    -----
    Subclasses define ``state_names`` (one zero-initialised array per parameter for
    each name) and ``_update(p, g, *state, t1, t2)``, which applies the formula in
    place to one chunk, with two scratch arrays ``t1`` and ``t2`` of the chunk's size.
    Working chunk by chunk keeps every array of the formula in the processor's cache.
    A subclass may also define ``_update_zero(p, g, *state, t1, t2)``: the same
    update, bit for bit, for a chunk whose gradient is exactly zero (for RMSprop,
    only :math:`v \leftarrow \rho v`). The trainer marks such ranges, where whole
    input features are zero in a batch, and saves most of their arithmetic.

    Every ``FLUSH_EVERY`` steps, state values smaller in magnitude than
    ``FLUSH_BELOW`` times the dtype's smallest normal number (about 2e-31 in float32)
    are set to zero. Decaying averages otherwise sink into subnormal numbers, on which
    x86 arithmetic is about a hundred times slower; TensorFlow avoids them by running
    with flush-to-zero. Second moments this small vanish beside :math:`\epsilon` and
    change no update; momenta this small move only parameters smaller than about 1e-20.

    Examples
    --------
    Every optimizer has the same interface:

    >>> import numpy as np
    >>> from dlmath.optimizers import Momentum
    >>> optimizer = Momentum(learning_rate=0.1, momentum=0.5)
    >>> w = np.array([1.0, 1.0])
    >>> optimizer.step([w], [np.array([1.0, -1.0])])
    >>> optimizer.iterations, w.tolist(), optimizer.state[0]["momentum"].tolist()
    (1, [0.9, 1.1], [-0.1, 0.1])
    """

    state_names: tuple[str, ...] = ()
    CHUNK = 1 << 16
    FLUSH_EVERY = 64
    FLUSH_BELOW = 2.0**24

    def __init__(self, learning_rate: float):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.iterations = 0
        self._state: list[tuple[np.ndarray, ...]] | None = None
        self._scratch: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._hyperparameters()})"

    def _hyperparameters(self) -> str:
        return f"learning_rate={self.learning_rate:g}"

    @property
    def state(self) -> list[dict[str, np.ndarray]]:
        """The optimizer's state: for each parameter array, its named state arrays."""
        if self._state is None:
            return []
        return [dict(zip(self.state_names, arrays, strict=True)) for arrays in self._state]

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : sequence of numpy.ndarray
            Writeable floating-point arrays, updated in place.
        grads : sequence of array_like
            Gradients, one per parameter array and of the same shape.

        Raises
        ------
        ValueError
            If the lists differ in length, a shape differs, a gradient is not finite,
            or the parameters are not the ones of the previous steps.

        Examples
        --------
        >>> import numpy as np
        >>> from dlmath.optimizers import GradientDescent
        >>> W, B = np.ones((2, 2)), np.zeros((2, 1))
        >>> GradientDescent(0.5).step([W, B], [np.eye(2), np.ones((2, 1))])
        >>> W.tolist(), B.ravel().tolist()
        ([[0.5, 1.0], [1.0, 0.5]], [-0.5, -0.5])
        """
        params, grads = self._check(params, grads)
        self._step(params, grads)

    def _check(self, params, grads):
        if isinstance(params, np.ndarray) or isinstance(grads, np.ndarray):
            raise TypeError("params and grads must be lists of arrays, not arrays")
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must have the same length; got {len(params)} and {len(grads)}"
            )
        if not params:
            raise ValueError("params must not be empty")
        checked = []
        for k, (p, g) in enumerate(zip(params, grads, strict=True)):
            if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):
                raise TypeError(f"params[{k}] must be a floating-point numpy array")
            if not p.flags.writeable:
                raise ValueError(f"params[{k}] must be writeable (it is updated in place)")
            g = as_float_array(g, f"grads[{k}]", dtype=p.dtype, allow_empty=True)
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{k}] must have the shape of params[{k}] {p.shape}; got {g.shape}"
                )
            checked.append(g)
        if self._state is not None:
            shapes = [s[0].shape for s in self._state] if self.state_names else None
            if shapes is not None and shapes != [p.shape for p in params]:
                raise ValueError(
                    "params must be the same arrays at every step; got shapes "
                    f"{[p.shape for p in params]}, expected {shapes}"
                )
        return params, checked

    def _step(self, params: list[np.ndarray], grads: list[np.ndarray], zero=None) -> None:
        """The update without argument checks (the trainer calls this).

        ``zero``, if given, holds for each parameter array a sorted list of
        ``(start, stop)`` ranges of its memory (in the flattened order) where the
        gradient is known to be exactly zero.
        """
        if self._state is None:
            self._state = [tuple(np.zeros_like(p) for _ in self.state_names) for p in params]
        self._prepare()
        zero = zero or [()] * len(params)
        for p, g, state, ranges in zip(params, grads, self._state, zero, strict=True):
            self._apply(p, g, state, ranges)
        self.iterations += 1
        if self.state_names and self.iterations % self.FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _prepare(self) -> None:
        """Compute per-step constants before the chunks are updated (Adam's bias fix)."""

    def _apply(self, p: np.ndarray, g: np.ndarray, state: tuple[np.ndarray, ...], zero=()) -> None:
        arrays = (p, g, *state)
        same_layout = all(a.flags.c_contiguous for a in arrays) or all(
            a.flags.f_contiguous for a in arrays
        )
        if not same_layout:
            # Mixed memory layouts: NumPy matches elements by index, not by memory (and
            # the zero ranges, given in memory order, are not used: the full update is
            # right for a zero gradient too).
            t1, t2 = np.empty_like(p), np.empty_like(p)
            self._update(p, g, *state, t1, t2)
            return
        # One layout: flatten in memory order (views, matching element for element).
        flat = [a.reshape(-1, order="A") for a in arrays]
        t1, t2 = self._scratch_for(p.dtype)
        # The stretches between the zero ranges get the full update, the zero ranges
        # the shortcut; an empty range at the end closes the last stretch.
        done = 0
        for lo, hi in (*zero, (p.size, p.size)):
            for update, begin, end in ((self._update, done, lo), (self._update_zero, lo, hi)):
                for start in range(begin, end, self.CHUNK):
                    stop = min(start + self.CHUNK, end)
                    n = stop - start
                    update(*(a[start:stop] for a in flat), t1[:n], t2[:n])
            done = hi

    def _scratch_for(self, dtype) -> tuple[np.ndarray, np.ndarray]:
        dtype = np.dtype(dtype)
        if dtype not in self._scratch:
            self._scratch[dtype] = (
                np.empty(self.CHUNK, dtype),
                np.empty(self.CHUNK, dtype),
            )
        return self._scratch[dtype]

    def _flush_subnormals(self) -> None:
        for state in self._state:
            for s in state:
                threshold = np.finfo(s.dtype).tiny * self.FLUSH_BELOW
                np.copyto(s, 0.0, where=np.abs(s) < threshold)

    def _update(self, p, g, *state_and_scratch) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update_zero(self, p, g, *state_and_scratch) -> None:
        """``_update`` for a chunk whose gradient is exactly zero (by default, the same)."""
        self._update(p, g, *state_and_scratch)


class GradientDescent(Optimizer):
    r"""Plain gradient descent: step against the gradient.

    Parameters
    ----------
    learning_rate : float, optional
        The step size :math:`\alpha > 0` (Keras's ``SGD`` default, 0.01).

    Notes
    -----
    The slides' update rule, for every parameter :math:`w`:

    .. math:: w_u = w - \alpha \frac{\partial e}{\partial w}

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.optimizers import GradientDescent
    >>> W, B = np.array([[0.5]]), np.array([[0.0]])
    >>> GradientDescent(learning_rate=0.5).step([W, B], [np.array([[-0.1]]), np.array([[-0.2]])])
    >>> W.tolist(), B.tolist()
    ([[0.55]], [[0.1]])
    """

    def __init__(self, learning_rate: float = 0.01):
        super().__init__(learning_rate)

    def _update(self, p, g, t1, t2):
        np.multiply(g, self.learning_rate, out=t1)
        p -= t1

    def _update_zero(self, p, g, t1, t2):
        pass  # w - alpha * 0 is w


class Momentum(Optimizer):
    r"""Gradient descent with momentum (Keras's ``SGD(momentum=...)``).

    Parameters
    ----------
    learning_rate : float, optional
        The step size :math:`\alpha > 0`.
    momentum : float, optional
        :math:`\mu \in [0, 1)`: how much of the previous step is kept.
    nesterov : bool, optional
        Use Nesterov's look-ahead form.

    Notes
    -----
    With velocity :math:`m` (initially 0):

    .. math:: m \leftarrow \mu m - \alpha g, \qquad w \leftarrow w + m

    and with ``nesterov=True``, :math:`w \leftarrow w + \mu m - \alpha g`.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.optimizers import Momentum
    >>> w, opt = np.array([0.0]), Momentum(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(3):
    ...     opt.step([w], [np.array([1.0])])
    >>> round(float(w[0]), 6)  # -(0.1 + 0.19 + 0.271)
    -0.561
    """

    state_names = ("momentum",)

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_fraction(momentum, "momentum")
        self.nesterov = bool(nesterov)

    def _hyperparameters(self) -> str:
        return f"{super()._hyperparameters()}, momentum={self.momentum:g}, nesterov={self.nesterov}"

    def _update(self, p, g, m, t1, t2):
        m *= self.momentum
        np.multiply(g, self.learning_rate, out=t1)
        m -= t1
        if self.nesterov:
            np.multiply(m, self.momentum, out=t2)
            t2 -= t1
            p += t2
        else:
            p += m


class RMSprop(Optimizer):
    r"""RMSprop: divide each step by a running root mean square of the gradients.

    Parameters
    ----------
    learning_rate : float, optional
        :math:`\alpha`, Keras's default 0.001.
    rho : float, optional
        :math:`\rho \in (0, 1)`, the decay of the running average; default 0.9.
    epsilon : float, optional
        :math:`\epsilon > 0`, default 1e-7.

    Notes
    -----
    Keras's rule (``keras.optimizers.RMSprop``, not centred, no momentum), with the
    running average :math:`v` initially 0:

    .. math::

        v &\leftarrow \rho\, v + (1 - \rho)\, g^2 \\
        w &\leftarrow w - \frac{\alpha\, g}{\sqrt{v + \epsilon}}

    Note that Keras puts :math:`\epsilon` *inside* the square root; dlmath follows it,
    operation for operation, so that both compute the same numbers.

    References
    ----------
    .. [1] Chollet, F. et al. (2015). Keras. https://keras.io

    Examples
    --------
    The first step has size about :math:`\alpha / \sqrt{1 - \rho}` whatever the
    gradient's scale (in units of that size, here):

    >>> import numpy as np
    >>> from dlmath.optimizers import RMSprop
    >>> w = np.array([0.0, 0.0])
    >>> RMSprop().step([w], [np.array([1e-2, 1e2])])
    >>> (w / 0.001 * np.sqrt(0.1)).round(4).tolist()
    [-0.995, -1.0]
    """

    state_names = ("velocity",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.rho = check_fraction(rho, "rho", low_open=True)
        self.epsilon = check_positive(epsilon, "epsilon")

    def _hyperparameters(self) -> str:
        return f"{super()._hyperparameters()}, rho={self.rho:g}, epsilon={self.epsilon:g}"

    def _update(self, p, g, v, t1, t2):
        # v <- rho v + (1 - rho) g^2
        np.square(g, out=t1)
        t1 *= 1.0 - self.rho
        v *= self.rho
        v += t1
        # w <- w - (lr g) / sqrt(v + eps)
        np.add(v, self.epsilon, out=t1)
        np.sqrt(t1, out=t1)
        np.multiply(g, self.learning_rate, out=t2)
        t2 /= t1
        p -= t2

    def _update_zero(self, p, g, v, t1, t2):
        # With g = 0 the rule leaves w as it is and only decays v (exactly: v + 0 = v).
        v *= self.rho


class Adam(Optimizer):
    r"""Adam: momentum and RMSprop together, with a correction of their start-up bias.

    Parameters
    ----------
    learning_rate : float, optional
        :math:`\alpha`, default 0.001.
    beta_1 : float, optional
        Decay of the first-moment average, default 0.9.
    beta_2 : float, optional
        Decay of the second-moment average, default 0.999.
    epsilon : float, optional
        Default 1e-7.

    Notes
    -----
    Keras's form of the rule, at step :math:`t = 1, 2, \dots`:

    .. math::

        m &\leftarrow m + (1 - \beta_1)(g - m), \qquad
        v \leftarrow v + (1 - \beta_2)(g^2 - v) \\
        \hat\alpha &= \alpha \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
        w \leftarrow w - \frac{\hat\alpha\, m}{\sqrt{v} + \epsilon}

    References
    ----------
    .. [1] Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization.
       ICLR. arXiv:1412.6980.

    Examples
    --------
    Adam's first step is :math:`\alpha` times the sign of the gradient:

    >>> import numpy as np
    >>> from dlmath.optimizers import Adam
    >>> w = np.array([0.0, 0.0])
    >>> Adam(learning_rate=0.1).step([w], [np.array([-5.0, 0.01])])
    >>> w.round(5).tolist()
    [0.1, -0.09997]
    """

    state_names = ("m", "v")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ):
        super().__init__(learning_rate)
        self.beta_1 = check_fraction(beta_1, "beta_1")
        self.beta_2 = check_fraction(beta_2, "beta_2")
        self.epsilon = check_positive(epsilon, "epsilon")
        self._alpha = 0.0

    def _hyperparameters(self) -> str:
        return (
            f"{super()._hyperparameters()}, beta_1={self.beta_1:g}, "
            f"beta_2={self.beta_2:g}, epsilon={self.epsilon:g}"
        )

    def _prepare(self) -> None:
        t = self.iterations + 1
        # A Python float: a NumPy float64 scalar would make the float32 arithmetic upcast.
        self._alpha = self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)

    def _update(self, p, g, m, v, t1, t2):
        # m <- m + (1 - beta_1)(g - m)
        np.subtract(g, m, out=t1)
        t1 *= 1.0 - self.beta_1
        m += t1
        # v <- v + (1 - beta_2)(g^2 - v)
        np.square(g, out=t1)
        t1 -= v
        t1 *= 1.0 - self.beta_2
        v += t1
        # w <- w - (alpha_t m) / (sqrt(v) + eps)
        np.sqrt(v, out=t1)
        t1 += self.epsilon
        np.multiply(m, self._alpha, out=t2)
        t2 /= t1
        p -= t2


def gradient_descent(
    f: Callable,
    x0,
    learning_rate: float = 0.1,
    steps: int = 50,
    grad: Callable | None = None,
) -> np.ndarray:
    r"""Walk downhill on ``f`` from ``x0`` and return every point visited.

    Parameters
    ----------
    f : callable
        The function to minimise, of one variable (``x0`` a number) or of a vector
        (``x0`` a sequence of numbers, for example two for a surface).
    x0 : float or array_like, shape (d,)
        The starting point.
    learning_rate : float, optional
        The step size :math:`\alpha > 0`.
    steps : int, optional
        How many steps to take.
    grad : callable, optional
        The gradient of ``f``. By default it is estimated with
        :func:`dlmath.derivatives.gradient`.

    Returns
    -------
    numpy.ndarray, shape (steps + 1,) or (steps + 1, d)
        The path, starting at ``x0``. If the walk diverges to infinity, the path stops
        at the last finite point.

    Notes
    -----
    .. math:: x_{k+1} = x_k - \alpha \nabla f(x_k)

    On the parabola :math:`f(x) = x^2`, :math:`x_{k+1} = (1 - 2\alpha) x_k`: the walk
    converges for :math:`0 < \alpha < 1`, fastest at :math:`\alpha = 1/2`, and
    diverges for :math:`\alpha > 1`.

    Examples
    --------
    Down the parabola :math:`y = x^2` to its minimum at 0:

    >>> from dlmath.optimizers import gradient_descent
    >>> path = gradient_descent(lambda x: x**2, x0=2.0, learning_rate=0.25, steps=6)
    >>> path.round(4).tolist()
    [2.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.0312]

    On the surface :math:`z = x^2 + y^2`, with its exact gradient:

    >>> path = gradient_descent(
    ...     lambda p: p @ p, [1.0, -2.0], learning_rate=0.5, steps=1, grad=lambda p: 2 * p
    ... )
    >>> path.tolist()
    [[1.0, -2.0], [0.0, 0.0]]
    """
    learning_rate = check_positive(learning_rate, "learning_rate")
    steps = check_positive_int(steps, "steps")
    start = as_float_array(x0, "x0", ndim=(0, 1)).astype(np.float64)
    scalar = start.ndim == 0
    if grad is None:

        def grad(x):
            if scalar:
                # v[0] stays a NumPy float, which overflows to inf where a Python
                # float raises OverflowError.
                return gradient(lambda v: f(v[0]), np.array([x]), DEFAULT_STEP)[0]
            return gradient(f, x, DEFAULT_STEP)

    elif not callable(grad):
        raise TypeError(f"grad must be callable; got {grad!r}")
    path = [start]
    x = start
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = x - learning_rate * np.asarray(grad(x), dtype=np.float64)
            if not np.all(np.isfinite(x)):
                break
            path.append(x)
    return np.array(path)
