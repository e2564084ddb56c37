"""Figures of fitting by gradient descent: residuals, fitted lines, series and descent paths.

Chapter 6 draws the residuals of the first forward pass; Chapter 7 draws descents on
functions of one and two variables (as still images, an animation and over contour
lines), how fast they converge, and the loss of every step of a mini-batch fit;
Chapter 8 draws the fitted line as training goes on.

**Shape convention.** A one-feature data set is a row, shape (N,) or (1, N) (dlmath's
one example per column); a line :math:`y' = w x + b` is a pair ``(w, b)``. A descent in
one variable is the vector of points it visited, shape (K,); in two variables the
points are the columns of a (2, K) matrix (``gradient_descent(...).T``). The losses of
a fit are an (epochs, steps per epoch) matrix, one row per epoch.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import (
    as_float_array,
    as_interval,
    as_row,
    as_tuple,
    check_callable,
    check_positive,
    check_positive_int,
    check_real,
)
from dlmath.plotting.style import _SMALL_TEXT_PT, COLORS, new_axes

__all__ = [
    "animate_descent",
    "plot_descent_contour",
    "plot_descent_path",
    "plot_fit_progress",
    "plot_residuals",
    "plot_series",
    "plot_step_losses",
]


def _line(pair, name: str) -> tuple[float, float]:
    """A line ``(w, b)``: two finite numbers."""
    w, b = as_tuple(pair, name, 2, form="(w, b)")
    return check_real(w, f"{name}[0]"), check_real(b, f"{name}[1]")


def _line_label(w: float, b: float) -> str:
    """The equation of the line y' = w x + b, for a legend."""
    if b == 0:
        return f"$y' = {w:g}\\,x$"
    return f"$y' = {w:g}\\,x {'-' if b < 0 else '+'} {abs(b):g}$"


def _function_values(f, points) -> np.ndarray:
    """``f`` at each point, one call per point (``f`` need not be vectorised)."""
    check_callable(f, "f")
    values = np.array([float(f(p)) for p in points])
    return as_float_array(values, "the values of f", allow_empty=True)


def _descent_limits(path: np.ndarray, xlim, name: str = "xlim") -> tuple[float, float]:
    """``xlim`` checked, or by default an interval symmetric about 0 around the path."""
    if xlim is not None:
        return as_interval(xlim, name)
    reach = float(np.max(np.abs(path)))
    reach = reach if reach > 0 else 1.0
    return -1.15 * reach, 1.15 * reach


def plot_residuals(x, y, y_hat, *, line=None, ax=None):
    r"""Draw data, predictions and the residuals between them.

    Parameters
    ----------
    x : array_like, shape (N,) or (1, N)
        The feature.
    y : array_like, shape (N,) or (1, N)
        The observed outcomes, drawn as black dots.
    y_hat : array_like, shape (N,) or (1, N)
        The predictions, drawn as open blue circles; a red dashed segment joins each
        :math:`(x_i, y_i)` to :math:`(x_i, \hat y_i)`.
    line : tuple (w, b), optional
        A line :math:`y' = w x + b` to draw through the plot (unbounded, in blue).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; the residuals are ``ax.collections[0]``, the data and the
        predictions the last two entries of ``ax.lines``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_residuals
    >>> ax = plot_residuals([0.1, 0.3], [0.2, 0.25], [0.05, 0.15], line=(0.5, 0.0))
    >>> [segment.tolist() for segment in ax.collections[0].get_segments()]
    [[[0.1, 0.05], [0.1, 0.2]], [[0.3, 0.15], [0.3, 0.25]]]
    >>> plt.close("all")
    """
    x, y, y_hat = as_row(x, "x"), as_row(y, "y"), as_row(y_hat, "y_hat")
    if not x.shape == y.shape == y_hat.shape:
        raise ValueError(
            f"x, y and y_hat must hold the same number of values; "
            f"got {x.size}, {y.size} and {y_hat.size}"
        )
    if line is not None:
        line = _line(line, "line")
    ax = new_axes(ax)
    ax.vlines(
        x, y_hat, y, colors=COLORS["red"], linestyles="dashed", lw=1.3, label="residual $y - y'$"
    )
    if line is not None:
        w, b = line
        ax.axline(
            (0.0, b), slope=w, color=COLORS["blue"], lw=1.5, label="line " + _line_label(w, b)
        )
    ax.plot(x, y, "o", color=COLORS["black"], markersize=6, label="data $(x, y)$", zorder=3)
    ax.plot(
        x,
        y_hat,
        "o",
        color=COLORS["blue"],
        markerfacecolor="white",
        markersize=7,
        markeredgewidth=1.5,
        label="prediction $(x, y')$",
        zorder=3,
    )
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="upper left")
    return ax


def plot_fit_progress(x, y, ws, bs, labels, *, reference=None, ax=None):
    r"""Draw data and a sequence of fitted lines, from light to dark.

    Parameters
    ----------
    x, y : array_like, shape (N,) or (1, N)
        The data, drawn as black dots.
    ws, bs : array_like, shape (K,)
        Slopes and intercepts of the lines :math:`y' = w_k x + b_k`, in order
        (for example the parameters after some epochs of training), drawn in shades
        of the viridis colour map, from light yellow-green to dark purple.
    labels : sequence of str, length K
        Legend label of each line.
    reference : tuple (w, b, label), optional
        A line to draw dashed in black for comparison (for example the
        least-squares line).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.lines[0]`` holds the data, then come the K lines and the
        reference.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_fit_progress
    >>> ax = plot_fit_progress(
    ...     [0.1, 0.7],
    ...     [0.2, 0.7],
    ...     [0.5, 0.7],
    ...     [0.0, 0.1],
    ...     ["start", "end"],
    ...     reference=(0.73, 0.08, "best"),
    ... )
    >>> [line.get_label() for line in ax.lines]
    ['data', 'start', 'end', 'best']
    >>> plt.close("all")
    """
    x, y = as_row(x, "x"), as_row(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold the same number of values; got {x.size} and {y.size}")
    ws, bs = as_row(ws, "ws"), as_row(bs, "bs")
    labels = [str(label) for label in labels]
    if not ws.size == bs.size == len(labels):
        raise ValueError(
            f"ws, bs and labels must have the same length; got {ws.size}, {bs.size} "
            f"and {len(labels)}"
        )
    if reference is not None:
        w, b, name = as_tuple(reference, "reference", 3, form="(w, b, label)")
        reference = (*_line((w, b), "reference"), str(name))
    ax = new_axes(ax)
    ax.plot(x, y, "o", color=COLORS["black"], markersize=6, label="data", zorder=3)
    shades = mpl.colormaps["viridis"](np.linspace(0.9, 0.1, ws.size))
    for w, b, label, shade in zip(ws, bs, labels, shades, strict=True):
        ax.axline((0.0, b), slope=w, color=shade, lw=1.6, label=label)
    if reference is not None:
        w, b, name = reference
        ax.axline((0.0, b), slope=w, color=COLORS["black"], lw=1.2, ls="--", label=name)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="upper left", fontsize=_SMALL_TEXT_PT)
    return ax


def plot_series(series, *, xlabel="epoch", ylabel="loss", logy=False, floor=None, ax=None):
    """Draw one or more sequences of values against their index (0, 1, 2, ...).

    Parameters
    ----------
    series : array_like or dict of str to array_like
        One sequence (a loss per epoch, a distance per step), or several by label,
        drawn in the colours of the book's palette in turn (blue, orange, green, red…).
    xlabel, ylabel : str, optional
        Axis labels.
    logy : bool, optional
        Use a logarithmic vertical axis; the values must then be positive.
    floor : tuple (value, label), optional
        A horizontal dashed black line, for example the smallest loss possible.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, one entry of ``ax.lines`` per sequence, then the floor.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_series
    >>> ax = plot_series({"halving": [1.0, 0.5, 0.25]}, xlabel="step", logy=True)
    >>> ax.lines[0].get_xydata().tolist(), ax.get_yscale()
    ([[0.0, 1.0], [1.0, 0.5], [2.0, 0.25]], 'log')
    >>> plt.close("all")
    """
    named = dict(series) if isinstance(series, dict) else {None: series}
    if not named:
        raise ValueError("series must hold at least one sequence")
    rows = {
        label: as_row(values, "series" if label is None else f"series[{label!r}]")
        for label, values in named.items()
    }
    if not isinstance(logy, bool):
        raise TypeError(f"logy must be True or False; got {logy!r}")
    if logy and any(np.any(values <= 0) for values in rows.values()):
        raise ValueError("with logy=True every value must be positive")
    if floor is not None:
        value, name = as_tuple(floor, "floor", 2, form="(value, label)")
        value = check_positive(value, "floor[0]") if logy else check_real(value, "floor[0]")
        floor = (value, str(name))
    ax = new_axes(ax)
    for label, values in rows.items():
        ax.plot(np.arange(values.size), values, lw=1.6, label=label)
    if floor is not None:
        ax.axhline(floor[0], color=COLORS["black"], lw=1.0, ls="--", label=floor[1])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(label is not None for label in rows) or floor is not None:
        ax.legend(loc="best")
    return ax


def plot_descent_path(f, path, *, xlim=None, ax=None, color=None, label=None):
    r"""Draw a function of one variable and the points a descent visited on it.

    Parameters
    ----------
    f : callable
        The function, called on one number at a time; drawn in grey.
    path : array_like, shape (K,)
        The points :math:`x_0, x_1, \dots`, as returned by
        :func:`dlmath.optimizers.gradient_descent`. The first is marked with a square,
        the last with a red star.
    xlim : tuple (low, high), optional
        The interval on which to draw ``f``; by default symmetric about 0 and wide
        enough for the whole path.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    color : str, optional
        Colour of the path (orange by default).
    label : str, optional
        Legend label of the path.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.lines[0]`` is the curve, ``ax.lines[1]`` the path
        :math:`(x_k, f(x_k))`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_descent_path
    >>> ax = plot_descent_path(lambda x: x**2, [2.0, 1.0, 0.5])
    >>> ax.lines[1].get_xydata().tolist()
    [[2.0, 4.0], [1.0, 1.0], [0.5, 0.25]]
    >>> plt.close("all")
    """
    path = as_row(path, "path")
    low, high = _descent_limits(path, xlim)
    grid = np.linspace(low, high, 401)
    curve = _function_values(f, grid)
    heights = _function_values(f, path)
    color = COLORS["orange"] if color is None else color
    ax = new_axes(ax)
    ax.plot(grid, curve, color=COLORS["grey"], lw=1.5)
    ax.plot(path, heights, "-o", color=color, lw=1.0, markersize=4, label=label, zorder=3)
    ax.plot(path[:1], heights[:1], "s", color=color, markersize=8, zorder=4)
    ax.plot(path[-1:], heights[-1:], "*", color=COLORS["red"], markersize=12, zorder=4)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    if label is not None:
        ax.legend(loc="upper center")
    return ax


def animate_descent(f, path, *, grad=None, xlim=None, interval=500, figsize=(4.8, 3.0), dpi=100):
    r"""Animate a descent on a function of one variable, one frame per step.

    Parameters
    ----------
    f : callable
        The function, called on one number at a time; drawn in grey.
    path : array_like, shape (K,)
        The points visited, as returned by :func:`dlmath.optimizers.gradient_descent`:
        the points so far in orange, the current one in red.
    grad : callable, optional
        The derivative of ``f``; when given, each frame also draws the tangent at the
        current point (dashed, blue), whose slope the next step follows downhill.
    xlim : tuple (low, high), optional
        As for :func:`plot_descent_path`.
    interval : int, optional
        Milliseconds between frames.
    figsize : tuple of float, optional
        Size of the figure in inches; with ``dpi``, it sets the size of the frames
        (keep both small: every frame is embedded as an image).
    dpi : int, optional
        Resolution of the frames. The page shows one pixel of a frame per pixel, so
        the default 100 (about that of the book's figures, 110) keeps the 11-point
        text at 10 points of the book's figures.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation, with K frames. Its figure is closed (so that it is not shown a
        second time as a still image); ``to_jshtml()`` still renders it, as a
        self-contained HTML player that works offline.

    Examples
    --------
    >>> from dlmath.plotting import animate_descent
    >>> animation = animate_descent(lambda x: x**2, [2.0, 1.0, 0.5], grad=lambda x: 2 * x)
    >>> html = animation.to_jshtml()
    >>> html.count("data:image/png;base64")  # one embedded image per frame
    3
    """
    from matplotlib.animation import FuncAnimation

    path = as_row(path, "path")
    low, high = _descent_limits(path, xlim)
    if grad is not None:
        check_callable(grad, "grad")
    interval = check_positive_int(interval, "interval")
    width, height = as_tuple(figsize, "figsize", 2, form="(width, height)")
    figsize = (check_positive(width, "figsize[0]"), check_positive(height, "figsize[1]"))
    dpi = check_positive_int(dpi, "dpi")
    grid = np.linspace(low, high, 301)
    curve = _function_values(f, grid)
    heights = _function_values(f, path)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    ax.plot(grid, curve, color=COLORS["grey"], lw=1.5)
    span = float(np.ptp(curve))
    ax.set_ylim(float(curve.min()) - 0.08 * span, float(curve.max()) + 0.08 * span)
    ax.set_xlim(low, high)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    (tangent,) = ax.plot([], [], "--", color=COLORS["blue"], lw=1.2)
    (trail,) = ax.plot([], [], "-o", color=COLORS["orange"], lw=1.0, markersize=4)
    (current,) = ax.plot([], [], "o", color=COLORS["red"], markersize=8, zorder=4)
    caption = ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top")
    half = 0.12 * (high - low)

    def draw(k):
        trail.set_data(path[: k + 1], heights[: k + 1])
        current.set_data(path[k : k + 1], heights[k : k + 1])
        if grad is not None:
            slope = float(grad(path[k]))
            ends = np.array([path[k] - half, path[k] + half])
            tangent.set_data(ends, heights[k] + slope * (ends - path[k]))
        caption.set_text(f"step {k}:  x = {path[k]:.3f}")
        return tangent, trail, current, caption

    animation = FuncAnimation(fig, draw, frames=path.size, interval=interval, blit=False)
    plt.close(fig)
    return animation


def plot_descent_contour(
    f, path, *, xlim, ylim, levels=15, mark=None, ax=None, labels=("$x$", "$y$")
):
    r"""Draw the contour lines of a function of two variables and a descent over them.

    Parameters
    ----------
    f : callable
        The function, called on one point (a NumPy vector of two numbers) at a time;
        its contour lines are drawn in the shades of the viridis colour map.
    path : array_like, shape (2, K)
        The points visited, one per column (``gradient_descent(...).T``), drawn in red
        from a square at the start.
    xlim, ylim : tuple (low, high)
        The region to draw.
    levels : int or sequence of float, optional
        The number of contour lines, or their values.
    mark : tuple (x, y, label), optional
        A point to mark with a black cross (for example the minimum).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    labels : tuple of str, optional
        Names of the two axes.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.lines[0]`` is the path.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_descent_contour
    >>> ax = plot_descent_contour(
    ...     lambda p: p @ p,
    ...     [[1.0, 0.5, 0.25], [-1.0, -0.5, -0.25]],
    ...     xlim=(-1.5, 1.5),
    ...     ylim=(-1.5, 1.5),
    ... )
    >>> ax.lines[0].get_xydata()[-1].tolist()
    [0.25, -0.25]
    >>> plt.close("all")
    """
    path = as_float_array(path, "path", ndim=2, rows=2)
    x_low, x_high = as_interval(xlim, "xlim")
    y_low, y_high = as_interval(ylim, "ylim")
    if mark is not None:
        x, y, name = as_tuple(mark, "mark", 3, form="(x, y, label)")
        mark = (check_real(x, "mark[0]"), check_real(y, "mark[1]"), str(name))
    labels = as_tuple(labels, "labels", 2, form="(name of x, name of y)")
    xs, ys = np.linspace(x_low, x_high, 121), np.linspace(y_low, y_high, 121)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    values = _function_values(f, points).reshape(grid_x.shape)
    ax = new_axes(ax)
    ax.plot(
        path[0], path[1], "-o", color=COLORS["red"], lw=1.2, markersize=3, zorder=3, label="descent"
    )
    contours = ax.contour(grid_x, grid_y, values, levels=levels, cmap="viridis", linewidths=1.0)
    ax.clabel(contours, fontsize=_SMALL_TEXT_PT, fmt="%.3g")
    ax.plot(path[0, :1], path[1, :1], "s", color=COLORS["red"], markersize=7, zorder=4)
    if mark is not None:
        ax.plot(mark[0], mark[1], "X", color=COLORS["black"], markersize=9, zorder=5, label=mark[2])
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(loc="upper right")
    return ax


def plot_step_losses(step_losses, *, epoch_losses=None, ax=None):
    r"""Draw the loss of every step of a fit, epoch after epoch.

    Parameters
    ----------
    step_losses : array_like, shape (E, S)
        The loss of each of the S steps (batches) of each of the E epochs, drawn as a
        thin blue line against the step number 1, 2, ..., E·S.
    epoch_losses : array_like, shape (E,), optional
        One loss per epoch (for example the history of
        :meth:`dlmath.layers.Sequential.fit`), drawn as an orange segment across its
        epoch's steps.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes: ``ax.lines[0]`` is the loss per step, then one segment per epoch;
        dotted grey lines separate the epochs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_step_losses
    >>> ax = plot_step_losses([[3.0, 2.0], [1.5, 1.0]], epoch_losses=[2.5, 1.25])
    >>> ax.lines[0].get_xydata().tolist()
    [[1.0, 3.0], [2.0, 2.0], [3.0, 1.5], [4.0, 1.0]]
    >>> ax.lines[2].get_xydata().tolist()  # the second epoch: steps 3 and 4
    [[2.5, 1.25], [4.5, 1.25]]
    >>> plt.close("all")
    """
    losses = as_float_array(step_losses, "step_losses", ndim=2)
    epochs, steps = losses.shape
    if epoch_losses is not None:
        epoch_losses = as_row(epoch_losses, "epoch_losses")
        if epoch_losses.size != epochs:
            raise ValueError(
                f"epoch_losses must hold one value per epoch (row of step_losses, {epochs}); "
                f"got {epoch_losses.size}"
            )
    ax = new_axes(ax)
    number = np.arange(1, losses.size + 1)
    ax.plot(number, losses.ravel(), color=COLORS["blue"], lw=0.8, label="loss of each step")
    if epoch_losses is not None:
        for e, value in enumerate(epoch_losses):
            ax.plot(
                [e * steps + 0.5, (e + 1) * steps + 0.5],
                [value, value],
                color=COLORS["orange"],
                lw=2.5,
                label="loss of the epoch" if e == 0 else None,
            )
    for e in range(1, epochs):
        ax.axvline(e * steps + 0.5, color=COLORS["grey"], lw=1.0, ls=":")
    ax.set_xlim(0.5, losses.size + 0.5)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right")
    return ax
