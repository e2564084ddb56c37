r"""Gradient descent and its descendants, with Keras's update rules and defaults.

**Shape convention.** An optimizer updates a list of parameter arrays (a layer's ``W``
of shape (outputs, inputs) and ``B`` of shape (outputs, 1)) from a list of gradient
arrays of the same shapes. ``step(params, grads)`` updates the parameters **in place**:
this is the one place where dlmath modifies arrays it is given. Gradients are never
modified. Each optimizer keeps its state (momenta, running averages) per parameter
array, created at its first step and tied to the parameters of that step.

Each class holds only its formula (``_update``) and its hyperparameters, like
scikit-learn's stochastic optimizers; the base class checks the arguments and keeps the
state. dlmath's fast training engine (:mod:`dlmath.engines.fast`) applies the same
formulas in compiled loops, and its tests prove the results equal.

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
    check_bool,
    check_callable,
    check_fraction,
    check_positive,
    check_positive_int,
)
from dlmath.derivatives import DEFAULT_STEP, gradient

__all__ = ["Adam", "GradientDescent", "Momentum", "Optimizer", "RMSprop", "gradient_descent"]


class Optimizer:
    r"""Base class: argument checks, and the state of each parameter array.

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
    each name) and ``_update(p, g, *state)``, which applies the formula to one
    parameter array ``p`` in place, given its gradient ``g`` and its state arrays.

    The state belongs to the parameters of the first step: an optimizer keeps them
    (as Keras's optimizers keep their variables) and refuses to update other arrays,
    whose state it does not have. Use one optimizer per model.

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

    def __init__(self, learning_rate: float):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.iterations = 0
        self._params: list[np.ndarray] | None = None
        self._state: list[tuple[np.ndarray, ...]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._hyperparameters()})"

    def _hyperparameters(self) -> str:
        return f"learning_rate={self.learning_rate:g}"

    @property
    def state(self) -> list[dict[str, np.ndarray]]:
        """The optimizer's state: for each parameter array, its named state arrays."""
        return [dict(zip(self.state_names, arrays, strict=True)) for arrays in self._state]

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : sequence of numpy.ndarray
            Writeable floating-point arrays, updated in place: the same arrays at
            every step.
        grads : sequence of array_like
            Gradients, one per parameter array and of the same shape.

        Raises
        ------
        TypeError
            If ``params`` or ``grads`` is not a sequence of arrays.
        ValueError
            If the lists differ in length, a shape differs, a gradient is not finite,
            or the parameters are not the ones of the first step. A rejected step
            changes nothing.

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
        self._bind(params)
        for p, g, state in zip(params, grads, self._state, strict=True):
            self._update(p, g, *state)
        self.iterations += 1

    def _check(self, params, grads) -> tuple[list[np.ndarray], list[np.ndarray]]:
        for value, name in ((params, "params"), (grads, "grads")):
            if isinstance(value, np.ndarray | str) or not isinstance(value, Sequence):
                raise TypeError(
                    f"{name} must be a list of arrays; got {type(value).__name__} {value!r:.60}"
                )
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
                raise TypeError(f"params[{k}] must be a floating-point numpy array; got {p!r:.60}")
            if not p.flags.writeable:
                raise ValueError(f"params[{k}] must be writeable (it is updated in place)")
            g = as_float_array(g, f"grads[{k}]", dtype=p.dtype, allow_empty=True)
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{k}] must have the shape of params[{k}] {p.shape}; got {g.shape}"
                )
            checked.append(g)
        return params, checked

    def _bind(self, params: list[np.ndarray]) -> None:
        """Tie the state to ``params`` at the first step; refuse other arrays later."""
        if self._params is None:
            self._params = list(params)
            self._state = [tuple(np.zeros_like(p) for _ in self.state_names) for p in params]
            return
        if len(params) != len(self._params) or not all(
            _same_memory(p, q) for p, q in zip(params, self._params, strict=False)
        ):
            first = [p.shape for p in self._params]
            now = [p.shape for p in params]
            other = "other arrays of the same shapes" if first == now else f"shapes {now}"
            raise ValueError(
                f"this {type(self).__name__} was first used with parameters of shapes "
                f"{first}; got {other}. An optimizer's state belongs to the parameters it "
                "was first used with: make a new optimizer for other parameters"
            )

    def _snapshot(self):
        """A copy of the iteration count and the state, or None before the first step."""
        if self._params is None:
            return None
        return self.iterations, [tuple(s.copy() for s in state) for state in self._state]

    def _restore(self, snapshot) -> None:
        """Go back to what :meth:`_snapshot` copied (the state arrays are kept)."""
        if snapshot is None:  # as new: no step taken, no parameters yet
            self.iterations, self._params, self._state = 0, None, []
            return
        self.iterations, saved = snapshot
        for state, copies in zip(self._state, saved, strict=True):
            for s, copy in zip(state, copies, strict=True):
                s[...] = copy

    def _update(self, p, g, *state) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays are the same elements of the same memory (views included)."""
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


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

    def _update(self, p, g):
        p -= self.learning_rate * g  # w <- w - alpha g


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
        self.nesterov = check_bool(nesterov, "nesterov")

    def _hyperparameters(self) -> str:
        return f"{super()._hyperparameters()}, momentum={self.momentum:g}, nesterov={self.nesterov}"

    def _update(self, p, g, m):
        m[...] = self.momentum * m - self.learning_rate * g  # m <- mu m - alpha g
        if self.nesterov:
            p += self.momentum * m - self.learning_rate * g  # w <- w + mu m - alpha g
        else:
            p += m  # w <- w + m


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

    def _update(self, p, g, v):
        # v <- rho v + (1 - rho) g^2
        v[...] = self.rho * v + (1.0 - self.rho) * g**2
        # w <- w - alpha g / sqrt(v + eps)
        p -= self.learning_rate * g / np.sqrt(v + self.epsilon)


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

    def _hyperparameters(self) -> str:
        return (
            f"{super()._hyperparameters()}, beta_1={self.beta_1:g}, "
            f"beta_2={self.beta_2:g}, epsilon={self.epsilon:g}"
        )

    def step_size(self, t: int | None = None) -> float:
        r"""The bias-corrected step size :math:`\alpha_t` of step ``t`` (a Python float).

        Parameters
        ----------
        t : int, optional
            The step, counted from 1; by default the coming one, ``iterations + 1``.

        Examples
        --------
        >>> from dlmath.optimizers import Adam
        >>> round(Adam(learning_rate=0.1).step_size(), 6)  # 0.1 * sqrt(0.001) / 0.1
        0.031623
        """
        t = self.iterations + 1 if t is None else check_positive_int(t, "t")
        return self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)

    def _update(self, p, g, m, v):
        # m <- m + (1 - beta_1)(g - m)
        m += (1.0 - self.beta_1) * (g - m)
        # v <- v + (1 - beta_2)(g^2 - v)
        v += (1.0 - self.beta_2) * (g**2 - v)
        # w <- w - alpha_t m / (sqrt(v) + eps)
        p -= self.step_size() * m / (np.sqrt(v) + self.epsilon)


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
        at the last point where it and its slope were finite.

    Raises
    ------
    TypeError
        If ``f`` or ``grad`` is not callable, or ``grad`` returns something other than
        real numbers shaped like ``x0``.
    ValueError
        If the slope at ``x0`` is not finite.

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
    f = check_callable(f, "f")
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

    else:
        grad = check_callable(grad, "grad")
    path = [start]
    x = start
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            try:
                x = x - learning_rate * _slope(grad, x)
            except ValueError as error:  # no finite slope: at x0 an error, later divergence
                if step == 0:
                    raise ValueError(f"the slope at x0 is not finite: {error}") from None
                break
            if not np.all(np.isfinite(x)):
                break
            path.append(x)
    return np.array(path)


def _slope(grad: Callable, x: np.ndarray) -> np.ndarray:
    """``grad(x)`` as finite float64 numbers shaped like ``x``, or an error naming grad."""
    value = grad(x)
    try:
        slope = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"grad must return real numbers; got {value!r:.60}") from exc
    if value is None or slope.shape != x.shape:
        raise TypeError(
            f"grad must return the gradient at x, shaped like x {x.shape}; got {value!r:.60}"
        )
    if not np.all(np.isfinite(slope)):
        raise ValueError(f"grad must be finite at x = {x!r:.60}; got {value!r:.60}")
    return slope
