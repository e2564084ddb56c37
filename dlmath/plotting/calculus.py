"""Figures of rates of change: tangents, step errors, gradient fields, activation curves.

Chapter 3 draws the tangent of a curve, the error of a central difference against its
step and the gradient of a surface; Chapter 5 draws the activation functions beside
their derivatives and curves computed by small networks; Chapter 7 draws how far the
gradients of mini-batches fall from the gradient on all the data.

**Shape convention.** A curve is two 1-D arrays of the same length M >= 2, the sample
points and the values there. A surface is sampled on a grid, ``Z[i, j]`` at
``(x[j], y[i])`` (the layout of :func:`numpy.meshgrid`); points of the plane and
gradients are the columns of (2, N) matrices. The errors of mini-batch gradients are
given per batch size, one array of batches each.
"""

from __future__ import annotations

import numpy as np

from dlmath._validation import (
    as_float_array,
    as_row,
    check_index,
    check_positive,
    check_real,
    check_shape,
)
from dlmath.plotting.style import _SMALL_TEXT_PT, COLORS, new_axes

__all__ = [
    "plot_activation",
    "plot_curves",
    "plot_gradient_field",
    "plot_gradient_noise",
    "plot_step_errors",
    "plot_tangent",
]


def _samples(x, name: str) -> np.ndarray:
    """Sample points of a curve: a 1-D array of at least 2 finite numbers."""
    x = as_float_array(x, name, ndim=1)
    if x.size < 2:
        raise ValueError(f"{name} must hold at least 2 values; got {x.size}")
    return x


def _values(values, name: str, x: np.ndarray, x_name: str) -> np.ndarray:
    """Values of a curve at the sample points ``x``: finite, one per point."""
    values = as_float_array(values, name, ndim=1)
    check_shape(values, name, x.shape, like=x_name)
    return values


def plot_tangent(x, y, x0, y0, slope, *, half_width=None, label="$y = f(x)$", ax=None):
    r"""Draw a curve and its tangent line at one point.

    Parameters
    ----------
    x, y : array_like, shape (M,)
        Samples of the curve :math:`y = f(x)`.
    x0, y0 : float
        The point of tangency, :math:`(x_0, f(x_0))`.
    slope : float
        The slope of the tangent, :math:`f'(x_0)`, for example from
        :func:`dlmath.derivatives.derivative`.
    half_width : float, optional
        The tangent is drawn over :math:`[x_0 - w, x_0 + w]`; by default a quarter of
        the range of ``x``.
    label : str, optional
        Legend label of the curve.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the curve (blue) as ``ax.lines[0]`` and the tangent (red,
        dashed) as ``ax.lines[1]``.

    Notes
    -----
    The tangent is the line :math:`t \mapsto y_0 + f'(x_0)\,(t - x_0)`.

    Examples
    --------
    The tangent of :math:`y = x^2` at :math:`(1, 1)` has slope 2, so it passes
    through :math:`(0, -1)` and :math:`(2, 3)`:

    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from dlmath.plotting import plot_tangent
    >>> x = np.linspace(-1.0, 3.0, 41)
    >>> ax = plot_tangent(x, x**2, 1.0, 1.0, 2.0, half_width=1.0)
    >>> ax.lines[1].get_xydata().tolist()
    [[0.0, -1.0], [2.0, 3.0]]
    >>> plt.close("all")
    """
    x = _samples(x, "x")
    y = _values(y, "y", x, "x")
    x0, y0, slope = check_real(x0, "x0"), check_real(y0, "y0"), check_real(slope, "slope")
    if half_width is None:
        half_width = (x.max() - x.min()) / 4
    half_width = check_positive(half_width, "half_width")
    ax = new_axes(ax)
    t = np.array([x0 - half_width, x0 + half_width])
    ax.plot(x, y, color=COLORS["blue"], label=label)
    ax.plot(
        t,
        y0 + slope * (t - x0),
        "--",
        color=COLORS["red"],
        label=f"tangent at $x = {x0:g}$, slope {slope:.3f}",
    )
    ax.plot([x0], [y0], "o", color=COLORS["red"], zorder=3)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="best")
    return ax


def plot_step_errors(h, errors, *, best=None, guides=None, ax=None):
    r"""Draw the error of a finite-difference estimate against its step, on log–log axes.

    Parameters
    ----------
    h : array_like, shape (M,)
        The steps, > 0.
    errors : array_like, shape (M,)
        The absolute errors of the estimates, >= 0 (zeros are left out: a log axis
        cannot show them).
    best : int, optional
        Index of a step to mark with a red dot, typically the one with the smallest
        error.
    guides : dict of str to array_like, optional
        Reference curves drawn dashed, each an array shaped like ``h`` (for example
        the truncation error :math:`C h^2` and the rounding error :math:`\epsilon / h`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the errors (blue) as ``ax.lines[0]`` and the guides after it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from dlmath.plotting import plot_step_errors
    >>> h = np.logspace(-4, -1, 4)
    >>> ax = plot_step_errors(h, h**2, best=0, guides={"$h^2$": h**2})
    >>> ax.get_xscale(), ax.get_yscale(), len(ax.lines)
    ('log', 'log', 3)
    >>> plt.close("all")
    """
    h = _samples(h, "h")
    errors = _values(errors, "errors", h, "h")
    if np.any(h <= 0):
        raise ValueError(f"h must hold steps > 0; got a smallest step of {h.min()}")
    if np.any(errors < 0):
        raise ValueError(f"errors must hold values >= 0; got a smallest error of {errors.min()}")
    if best is not None:
        best = check_index(best, "best", h.size)
    guides = {} if guides is None else dict(guides)
    checked = {
        label: _values(values, f"guide {label!r}", h, "h") for label, values in guides.items()
    }
    ax = new_axes(ax)
    shown = errors > 0
    ax.loglog(h[shown], errors[shown], "o-", color=COLORS["blue"], markersize=3, label="error")
    styles = [COLORS["orange"], COLORS["green"], COLORS["pink"], COLORS["grey"]]
    for k, (label, values) in enumerate(checked.items()):
        ax.loglog(h, values, "--", color=styles[k % len(styles)], label=label)
    if best is not None:
        ax.plot(
            [h[best]],
            [errors[best]],
            "o",
            color=COLORS["red"],
            markersize=8,
            zorder=3,
            label=f"smallest error, at h = {h[best]:.1e}",
        )
    if checked:
        low = errors[shown].min() if np.any(shown) else 1e-16
        high = errors[shown].max() if np.any(shown) else 1.0
        ax.set_ylim(low / 10, high * 10)
    ax.set_xlabel("step $h$")
    ax.set_ylabel("absolute error")
    ax.legend(loc="best")
    return ax


def plot_gradient_field(x, y, Z, points, gradients, *, arrow_scale=1.0, levels=10, ax=None):
    """Draw the contours of a surface and gradient arrows at some points.

    Parameters
    ----------
    x : array_like, shape (P,)
        Grid coordinates along x.
    y : array_like, shape (Q,)
        Grid coordinates along y.
    Z : array_like, shape (Q, P)
        Heights of the surface, ``Z[i, j]`` at ``(x[j], y[i])`` (the layout of
        :func:`numpy.meshgrid`), drawn as grey contour lines.
    points : array_like, shape (2, N)
        Where the arrows start, one point per column.
    gradients : array_like, shape (2, N)
        The gradient at each point, one per column, for example from
        :func:`dlmath.derivatives.gradient`; drawn as red arrows.
    arrow_scale : float, optional
        Arrows are drawn ``arrow_scale`` times as long as the gradient, in data units.
    levels : int, optional
        Number of contour levels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes (equal aspect), with the arrows as the last collection.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from dlmath.plotting import plot_gradient_field
    >>> x = y = np.linspace(-1.0, 1.0, 5)
    >>> XX, YY = np.meshgrid(x, y)
    >>> ax = plot_gradient_field(x, y, XX**2 + YY**2, [[0.5], [0.0]], [[1.0], [0.0]])
    >>> ax.collections[-1].U.tolist(), ax.collections[-1].V.tolist()
    ([1.0], [0.0])
    >>> plt.close("all")
    """
    x, y = as_float_array(x, "x", ndim=1), as_float_array(y, "y", ndim=1)
    Z = as_float_array(Z, "Z", ndim=2)
    check_shape(Z, "Z", (y.size, x.size), like="(len(y), len(x))")
    points = as_float_array(points, "points", ndim=2, rows=2)
    gradients = as_float_array(gradients, "gradients", ndim=2, rows=2)
    check_shape(gradients, "gradients", points.shape, like="points")
    arrow_scale = check_positive(arrow_scale, "arrow_scale")
    ax = new_axes(ax)
    contours = ax.contour(x, y, Z, levels=levels, colors=COLORS["grey"], linewidths=0.8)
    ax.clabel(contours, fontsize=_SMALL_TEXT_PT, fmt="%.2g")
    ax.quiver(
        points[0],
        points[1],
        gradients[0],
        gradients[1],
        angles="xy",
        scale_units="xy",
        scale=1 / arrow_scale,
        color=COLORS["red"],
        width=0.006,
        zorder=3,
    )
    ax.plot(points[0], points[1], ".", color=COLORS["red"])
    ax.set_aspect("equal")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return ax


def plot_activation(z, a, da=None, *, name="\\varrho", ax=None):
    r"""Draw an activation function and, optionally, its derivative.

    Parameters
    ----------
    z : array_like, shape (M,)
        Pre-activations, increasing.
    a : array_like, shape (M,)
        The activation's values :math:`\varrho(z)`, drawn in blue.
    da : array_like, shape (M,), optional
        Its derivative :math:`\varrho'(z)`, drawn dashed in orange.
    name : str, optional
        The function's name in LaTeX, for the legend (e.g. ``r"\operatorname{relu}"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.activations import relu, relu_grad
    >>> from dlmath.plotting import plot_activation
    >>> z = np.linspace(-2, 2, 5)
    >>> ax = plot_activation(z, relu(z), relu_grad(z), name=r"\operatorname{relu}")
    >>> ax.get_legend_handles_labels()[1]
    ['$\\operatorname{relu}(z)$', "$\\operatorname{relu}'(z)$"]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    z = _samples(z, "z")
    a = _values(a, "a", z, "z")
    da = None if da is None else _values(da, "da", z, "z")
    ax = new_axes(ax)
    ax.axhline(0.0, color=COLORS["grey"], linewidth=0.8)
    ax.axvline(0.0, color=COLORS["grey"], linewidth=0.8)
    ax.plot(z, a, color=COLORS["blue"], linewidth=2, label=f"${name}(z)$")
    if da is not None:
        ax.plot(z, da, color=COLORS["orange"], linewidth=2, linestyle="--", label=f"${name}'(z)$")
    ax.set_xlabel("$z$")
    ax.legend(loc="upper left")
    return ax


def plot_curves(x, curves, *, styles=None, ax=None):
    """Draw several labelled functions of one variable on the same axes.

    Parameters
    ----------
    x : array_like, shape (M,)
        The points where the functions were evaluated, increasing.
    curves : dict of str to array_like of shape (M,)
        Legend label (LaTeX allowed) → the function's values at ``x``, in drawing order.
    styles : dict of str to dict, optional
        Label → keyword arguments for :meth:`matplotlib.axes.Axes.plot` (colour, line
        style…); curves without a style take the book's colours in turn.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.plotting import plot_curves
    >>> x = np.linspace(-1, 1, 5)
    >>> ax = plot_curves(x, {"$|x|$": np.abs(x), "$x^2$": x**2})
    >>> ax.get_legend_handles_labels()[1], ax.get_lines()[1].get_ydata().tolist()
    (['$|x|$', '$x^2$'], [1.0, 0.25, 0.0, 0.25, 1.0])
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    x = _samples(x, "x")
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of label -> values; got {curves!r:.60}")
    styles = {} if styles is None else dict(styles)
    unknown = set(styles) - set(curves)
    if unknown:
        raise ValueError(f"styles name curves that are not drawn: {sorted(unknown)}")
    checked = {
        label: _values(values, f"curve {label!r}", x, "x") for label, values in curves.items()
    }
    ax = new_axes(ax)
    for label, values in checked.items():
        style = {"linewidth": 2}
        style.update(styles.get(label, {}))
        ax.plot(x, values, label=label, **style)
    ax.legend(loc="best")
    return ax


def plot_gradient_noise(batch_sizes, errors, *, ax=None):
    r"""Draw how far mini-batch gradients fall from the full gradient, per batch size.

    Parameters
    ----------
    batch_sizes : array_like of int, shape (K,)
        The batch sizes, increasing, each at least 1.
    errors : sequence of array_like, length K
        For each batch size, the relative errors
        :math:`\lVert g_{\text{batch}} - g \rVert / \lVert g \rVert` of its batches'
        gradients (at least one each, all > 0: a log axis cannot show 0). Each batch is
        drawn as a small sky-blue dot, the mean of each batch size as a large blue dot.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Log–log axes: ``ax.lines[0]`` joins the means, ``ax.lines[1]`` is the guide,
        and ``ax.collections[0]`` holds the single batches.

    Notes
    -----
    The guide, dashed black, is :math:`c / \sqrt{m}` through the mean of the first
    batch size: the spread of a mean of :math:`m` independent terms falls like
    :math:`1 / \sqrt{m}`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_gradient_noise
    >>> ax = plot_gradient_noise([4, 16], [[1.1, 0.9], [0.5, 0.5]])
    >>> ax.lines[0].get_xydata().tolist()  # the means
    [[4.0, 1.0], [16.0, 0.5]]
    >>> ax.lines[1].get_ydata().tolist()  # 1 / sqrt(m), through the first mean
    [1.0, 0.5]
    >>> plt.close("all")
    """
    sizes = as_row(batch_sizes, "batch_sizes")
    if np.any(sizes < 1) or np.any(sizes != np.round(sizes)):
        raise ValueError(f"batch_sizes must be integers >= 1; got {sizes.tolist()}")
    if np.any(np.diff(sizes) <= 0):
        raise ValueError(f"batch_sizes must be increasing; got {sizes.tolist()}")
    if isinstance(errors, str | bytes | dict) or not hasattr(errors, "__len__"):
        raise TypeError(
            f"errors must be a sequence of arrays, one per batch size; got {errors!r:.60}"
        )
    if len(errors) != sizes.size:
        raise ValueError(
            f"errors must hold one array per batch size ({sizes.size}); got {len(errors)}"
        )
    rows = [as_row(values, f"errors[{k}]") for k, values in enumerate(errors)]
    for k, values in enumerate(rows):
        if np.any(values <= 0):
            raise ValueError(f"errors[{k}] must hold values > 0 (a log axis cannot show 0)")
    means = np.array([values.mean() for values in rows])
    ax = new_axes(ax)
    ax.plot(
        sizes,
        means,
        "o-",
        color=COLORS["blue"],
        markersize=8,
        lw=1.5,
        zorder=3,
        label="mean over the batches",
    )
    ax.plot(
        sizes,
        means[0] * np.sqrt(sizes[0] / sizes),
        "--",
        color=COLORS["black"],
        lw=1.0,
        label=r"proportional to $1/\sqrt{m}$",
    )
    ax.scatter(
        np.repeat(sizes, [values.size for values in rows]),
        np.concatenate(rows),
        s=10,
        color=COLORS["sky"],
        alpha=0.6,
        zorder=2,
        label="one batch",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{size:g}" for size in sizes])
    values = np.concatenate(rows)
    ticks = _round_ticks(values.min(), values.max())
    ax.set_yticks(ticks, [f"{tick:g}" for tick in ticks])
    ax.minorticks_off()
    ax.set_xlabel("batch size $m$")
    ax.set_ylabel("relative error of the gradient")
    ax.legend(loc="upper right")
    return ax


def _round_ticks(low: float, high: float) -> list[float]:
    """Round ticks (1, 2, 3 or 5 times a power of 10) for values in [low, high] > 0.

    The ticks within 25% of the interval, or, if that gives fewer than two, the
    nearest tick below ``low`` and the nearest above ``high``.
    """
    first, last = int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1
    ticks = [k * 10.0**e for e in range(first, last + 1) for k in (1, 2, 3, 5)]
    inside = [tick for tick in ticks if low / 1.25 <= tick <= high * 1.25]
    if len(inside) >= 2:
        return inside
    below, above = max(t for t in ticks if t <= low), min(t for t in ticks if t >= high)
    return sorted({below, above})
