r"""Derivatives, gradients and the chain rule, computed numerically.

**Shape convention.** ``derivative(f, x)`` differentiates a function of one variable;
``x`` may be a scalar or an array of points, at which ``f`` is evaluated elementwise.
``gradient(f, x)`` differentiates a scalar function of an array ``x`` of any shape (a
vector, or a weight matrix ``W`` of shape (outputs, inputs)) and returns an array of the
same shape. Functions never modify the arrays they are given.

The chain rule is written as the slides write it, outermost function first:
:math:`\frac{d}{dx} f(g(h(x))) = f'(g(h(x))) \cdot g'(h(x)) \cdot h'(x)`.

For example:

>>> from dlmath.derivatives import derivative
>>> round(derivative(lambda x: x**2, 3.0), 6)
6.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from dlmath._validation import as_float_array, check_callable, check_positive

__all__ = ["DEFAULT_STEP", "chain_factors", "chain_rule", "compose", "derivative", "gradient"]

#: Default step of the central differences: about the cube root of float64's machine
#: epsilon, which balances truncation error (∝ h²) against rounding error (∝ 1/h).
DEFAULT_STEP = 1e-5


def derivative(f: Callable, x, h: float = DEFAULT_STEP):
    r"""Estimate :math:`f'(x)` by a central difference.

    Parameters
    ----------
    f : callable
        A function of one real variable. If ``x`` is an array, ``f`` must work
        elementwise (like the NumPy ufuncs).
    x : float or array_like
        Where to differentiate.
    h : float, optional
        The step, > 0.

    Returns
    -------
    float or numpy.ndarray
        The estimate, a Python float for scalar ``x``, else an array shaped like ``x``.

    Raises
    ------
    ValueError
        If ``x ± h`` rounds to ``x`` (``h`` too small for ``x``), or ``f`` is not
        finite there.

    Notes
    -----
    .. math:: f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}

    The error is :math:`O(h^2)`: halving ``h`` divides it by four, until rounding
    error, which grows like :math:`\epsilon / h`, takes over. The points are taken in
    float64 whatever the dtype of ``x``: in float16, ``x + h`` would round back to
    ``x`` and give a slope of zero.

    Examples
    --------
    The slope of :math:`y = x^2` at :math:`x = 3` is :math:`2x = 6`:

    >>> from dlmath.derivatives import derivative
    >>> round(derivative(lambda x: x**2, 3.0), 8)
    6.0
    >>> import numpy as np
    >>> derivative(np.sin, np.array([0.0, np.pi])).round(8)
    array([ 1., -1.])
    """
    f = check_callable(f, "f")
    h = check_positive(h, "h")
    x_array = as_float_array(x, "x").astype(np.float64)
    _check_step(x_array, h)
    with np.errstate(all="ignore"):  # non-finite values are reported below
        upper = _values(f, x_array + h, x_array.shape)
        lower = _values(f, x_array - h, x_array.shape)
        slope = (upper - lower) / (2 * h)
    if not np.all(np.isfinite(slope)):
        raise ValueError(
            "f must be finite around x: f(x + h), f(x - h) or their difference is not "
            "(is f defined there, or is h too large?)"
        )
    return float(slope) if x_array.ndim == 0 else slope


def _check_step(x: np.ndarray, h: float) -> None:
    """Refuse a step that vanishes beside x, or that overflows it."""
    with np.errstate(over="ignore"):
        moved = (x + h != x) & (x - h != x) & np.isfinite(x + h) & np.isfinite(x - h)
    if not np.all(moved):
        largest = float(np.abs(x).max())
        raise ValueError(
            f"h = {h:g} is too small or too large for x (|x| up to {largest:.3g}): x ± h "
            "rounds back to x or overflows; choose h about 1e-5 times |x|"
        )


def _values(f, points: np.ndarray, shape: tuple) -> np.ndarray:
    """``f(points)`` as a float64 array of ``shape``, or a TypeError naming f."""
    result = f(points)
    try:
        values = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"f must return real numbers; got {result!r:.60}") from exc
    if values.shape != shape:
        raise ValueError(
            f"f must return one value per point of x, shape {shape}; got {values.shape}"
        )
    return values


def gradient(f: Callable, x, h: float = DEFAULT_STEP) -> np.ndarray:
    r"""Estimate the gradient of a scalar function by central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, a scalar function of an array.
    x : array_like, any shape
        Where to differentiate; typically a vector, possibly a weight matrix.
    h : float, optional
        The step, > 0.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Entry ``i`` is the partial derivative :math:`\partial f / \partial x_i`.

    Notes
    -----
    Each partial derivative is a central difference along one coordinate axis
    :math:`e_i`:

    .. math:: \frac{\partial f}{\partial x_i} \approx
              \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    This costs two evaluations of ``f`` per coordinate, which is why networks are
    trained with backpropagation instead (see :mod:`dlmath.backprop`).

    Examples
    --------
    The slides' surface :math:`z = x^2 + y^2` has gradient :math:`(2x, 2y)`:

    >>> import numpy as np
    >>> from dlmath.derivatives import gradient
    >>> gradient(lambda p: p[0] ** 2 + p[1] ** 2, np.array([1.0, -2.0])).round(8)
    array([ 2., -4.])
    """
    f = check_callable(f, "f")
    h = check_positive(h, "h")
    # A C-ordered copy, so that the flat views below write through to it (a Fortran-
    # ordered or strided x would otherwise give flat copies, and a garbage gradient).
    point = np.array(as_float_array(x, "x"), dtype=np.float64, order="C")
    _check_step(point, h)
    grad = np.empty_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    with np.errstate(all="ignore"):  # non-finite values are reported below
        for i in range(flat_point.size):
            original = flat_point[i]
            flat_point[i] = original + h
            upper = _value(f, point)
            flat_point[i] = original - h
            lower = _value(f, point)
            flat_point[i] = original
            flat_grad[i] = (upper - lower) / (2 * h)
    if not np.all(np.isfinite(grad)):
        raise ValueError(
            "f must be finite around x: some f(x ± h e_i) or their differences are not "
            "(is f defined there, or is h too large?)"
        )
    return grad


def _value(f, point: np.ndarray) -> float:
    """``f(point)`` as a Python float, or a TypeError naming f."""
    result = f(point)
    try:
        return float(np.asarray(result, dtype=np.float64).item())
    except (TypeError, ValueError) as exc:
        raise TypeError(f"f must return one real number; got {result!r:.60}") from exc


def _check_pairs(pairs: Sequence) -> list[tuple[Callable, Callable]]:
    if not isinstance(pairs, list | tuple):
        raise TypeError(f"pairs must be a list of (function, derivative) pairs; got {pairs!r:.60}")
    if len(pairs) == 0:
        raise ValueError("pairs must hold at least one (function, derivative) pair")
    checked = []
    for k, pair in enumerate(pairs):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise TypeError(f"pairs[{k}] must be a (function, derivative) tuple; got {pair!r:.60}")
        if not (callable(pair[0]) and callable(pair[1])):
            raise TypeError(f"pairs[{k}] must hold two callables; got {pair!r:.60}")
        checked.append((pair[0], pair[1]))
    return checked


def compose(*functions: Callable) -> Callable:
    r"""The composition of functions, outermost first: ``compose(f, g, h)(x) = f(g(h(x)))``.

    Parameters
    ----------
    *functions : callable
        One or more functions of one variable.

    Returns
    -------
    callable
        :math:`x \mapsto f(g(h(x)))`.

    Examples
    --------
    >>> import math
    >>> from dlmath.derivatives import compose
    >>> compose(math.sqrt, abs)(-16.0)
    4.0
    """
    if not functions or not all(callable(f) for f in functions):
        raise TypeError(f"functions must be one or more callables; got {functions!r:.60}")

    def composition(x):
        for function in reversed(functions):
            x = function(x)
        return x

    return composition


def chain_factors(pairs: Sequence[tuple[Callable, Callable]], x) -> list:
    r"""The factors of the chain rule for a composition, evaluated at ``x``.

    Parameters
    ----------
    pairs : sequence of (function, derivative)
        ``[(f, df), (g, dg), (h, dh)]`` for :math:`f(g(h(x)))`: outermost first, each
        function beside its own derivative.
    x : float or numpy.ndarray
        Where to differentiate.

    Returns
    -------
    list
        ``[df(g(h(x))), dg(h(x)), dh(x)]``: each derivative at its own input, in the
        order of ``pairs``. Their product is the derivative of the composition.

    Notes
    -----
    A forward pass computes the inner values :math:`u_3 = h(x)`, :math:`u_2 = g(u_3)`;
    then each function's derivative is taken at its own input. This is what
    backpropagation does, layer by layer.

    Examples
    --------
    >>> import math
    >>> from dlmath.derivatives import chain_factors
    >>> square = (lambda u: u**2, lambda u: 2 * u)
    >>> sine = (math.sin, math.cos)
    >>> [round(v, 6) for v in chain_factors([square, sine], 1.0)]
    [1.682942, 0.540302]
    """
    checked = _check_pairs(pairs)
    point = as_float_array(x, "x")
    x = float(point) if point.ndim == 0 else point
    inputs = [x]  # inputs[k] is the input of the k-th function from the inside
    with np.errstate(all="ignore"):  # non-finite values are reported below
        for function, _ in reversed(checked[1:]):
            inputs.append(function(inputs[-1]))
        inputs.reverse()  # now inputs[k] is the input of checked[k]
        factors = [dfunction(u) for (_, dfunction), u in zip(checked, inputs, strict=True)]
    if not all(_finite(v) for v in (*inputs, *factors)):
        raise ValueError(
            "the functions of pairs, or their derivatives, are not finite at x: is x in "
            "their domain?"
        )
    return factors


def _finite(value) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"the functions of pairs and their derivatives must return real numbers; "
            f"got {value!r:.60}"
        ) from exc


def chain_rule(*pairs: tuple[Callable, Callable]) -> Callable:
    r"""The derivative of a composition, by the chain rule.

    Parameters
    ----------
    *pairs : (function, derivative)
        Two, three, four or more pairs, outermost function first:
        ``chain_rule((f, df), (g, dg), (h, dh))`` differentiates :math:`f(g(h(x)))`.

    Returns
    -------
    callable
        :math:`x \mapsto f'(g(h(x))) \cdot g'(h(x)) \cdot h'(x)`, the product of
        :func:`chain_factors`.

    Notes
    -----
    .. math:: \frac{d}{dx} f(g(h(j(x)))) = f'(g(h(j(x)))) \, g'(h(j(x))) \,
              h'(j(x)) \, j'(x)

    Examples
    --------
    Four nested functions, :math:`\sin(e^{(3x)^2})`, checked against a numerical
    derivative:

    >>> import numpy as np
    >>> from dlmath.derivatives import chain_rule, compose, derivative
    >>> f = (np.sin, np.cos)
    >>> g = (np.exp, np.exp)
    >>> h = (np.square, lambda u: 2 * u)
    >>> j = (lambda x: 3 * x, lambda x: 3.0)
    >>> exact = chain_rule(f, g, h, j)(0.2)
    >>> numeric = derivative(compose(np.sin, np.exp, np.square, lambda x: 3 * x), 0.2)
    >>> round(float(exact), 6), bool(abs(exact - numeric) < 1e-6)
    (0.707095, True)
    """
    checked = _check_pairs(pairs)

    def chained_derivative(x):
        return math.prod(chain_factors(checked, x))

    return chained_derivative
