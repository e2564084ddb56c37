"""Figures for the book, drawn with matplotlib.

This is the only dlmath module that imports matplotlib; ``import dlmath`` does not
import it. The functions draw on a :class:`matplotlib.axes.Axes` when one is given
(``ax=``) and otherwise create a figure, and they return what they drew on, so that
a chapter can add to it. They compute nothing that dlmath's other modules compute:
they are given the numbers and draw them.

**Shape convention.** As everywhere in dlmath, points of the plane are the columns of a
(2, N) matrix and data sets have one example per column."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "BOOK_STYLE",
    "COLORS",
    "new_axes",
    "plot_gradient_field",
    "plot_step_errors",
    "plot_tangent",
    "plot_transformation",
    "use_book_style",
]

#: The book's palette: colour-blind safe (Okabe & Ito), readable on the white
#: background the figures are saved with, in the theme's light and dark modes.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "grey": "#7F7F7F",
}

#: matplotlib settings shared by every figure of the book.
BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(COLORS.values())),
    "font.size": 11,
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


def use_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib's global settings.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from dlmath.plotting import use_book_style
    >>> use_book_style()
    >>> mpl.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(BOOK_STYLE)


def new_axes(ax=None, **subplots_kw):
    """Return ``ax``, or the axes of a new figure when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **subplots_kw
        Passed to :func:`matplotlib.pyplot.subplots` for a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from dlmath.plotting import new_axes
    >>> ax = new_axes()
    >>> type(ax).__name__
    'Axes'
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if ax is not None:
        return ax
    _, ax = plt.subplots(**subplots_kw)
    return ax


def _as_points(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, N), one point per column; got {np.shape(X)}")
    return X


# === Chapter 2: matrices and their transformations ===================================


def plot_transformation(X, Y, *, ax=None, labels=("original", "image"), track=None):
    """Draw a shape and its image under a transformation on the same equal-aspect axes.

    Parameters
    ----------
    X : array_like, shape (2, N)
        The original points, one per column, joined in order (drawn in grey).
    Y : array_like, shape (2, N)
        Their images, column ``j`` being the image of ``X[:, j]`` (drawn in blue).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    labels : tuple of str, optional
        Legend labels of the original and of the image.
    track : int, optional
        Index of a column to follow: its two positions are marked and joined by an
        arrow from ``X[:, track]`` to ``Y[:, track]``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the original as ``ax.lines[0]`` and the image as
        ``ax.lines[1]``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_transformation
    >>> from dlmath.transforms import UNIT_SQUARE, translate
    >>> ax = plot_transformation(UNIT_SQUARE, translate(UNIT_SQUARE, 0.2), track=2)
    >>> ax.lines[1].get_xydata()[2].tolist()
    [1.2, 1.2]
    >>> plt.close("all")
    """
    X, Y = _as_points(X), _as_points(Y)
    if X.shape != Y.shape:
        raise ValueError(
            f"X and Y must have the same shape (one image per point); got {X.shape} and {Y.shape}"
        )
    if track is not None and (
        isinstance(track, bool)
        or not isinstance(track, int | np.integer)
        or not 0 <= track < X.shape[1]
    ):
        raise ValueError(f"track must be a column index in [0, {X.shape[1]}); got {track!r}")
    ax = new_axes(ax)
    ax.plot(X[0], X[1], "-o", color=COLORS["grey"], label=labels[0], markersize=3)
    ax.plot(Y[0], Y[1], "-o", color=COLORS["blue"], label=labels[1], markersize=3)
    if track is not None:
        start, end = X[:, track], Y[:, track]
        ax.annotate(
            "",
            xy=tuple(end),
            xytext=tuple(start),
            arrowprops={"arrowstyle": "->", "color": COLORS["red"], "lw": 1.5},
        )
        ax.plot(*start, "o", color=COLORS["red"], markersize=6, zorder=3)
        ax.plot(*end, "o", color=COLORS["red"], markersize=6, zorder=3)
    ax.axhline(0, color="black", lw=0.6, zorder=0)
    ax.axvline(0, color="black", lw=0.6, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2)
    return ax


# === Chapter 3: rates of change ======================================================


def _as_curve(x, y, name_x: str = "x", name_y: str = "y") -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(
            f"{name_x} and {name_y} must be 1-D arrays of the same length (at least 2); "
            f"got shapes {x.shape} and {y.shape}"
        )
    return x, y


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
        The axes, with the curve as ``ax.lines[0]`` and the tangent as ``ax.lines[1]``.

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
    x, y = _as_curve(x, y)
    values = np.array([x0, y0, slope] + ([] if half_width is None else [half_width]), float)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"x0, y0, slope and half_width must be finite; got {values.tolist()}")
    if half_width is None:
        half_width = (x.max() - x.min()) / 4
    if half_width <= 0:
        raise ValueError(f"half_width must be > 0; got {half_width}")
    ax = new_axes(ax)
    t = np.array([x0 - half_width, x0 + half_width])
    ax.plot(x, y, color=COLORS["blue"], label=label)
    ax.plot(
        t,
        y0 + slope * (t - x0),
        "--",
        color=COLORS["red"],
        label=f"tangent at $x = {float(x0):g}$, slope {float(slope):.3f}",
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
        Index of a step to mark, typically the one with the smallest error.
    guides : dict of str to array_like, optional
        Reference curves drawn dashed, each an array shaped like ``h`` (for example
        the truncation error :math:`C h^2` and the rounding error :math:`\epsilon / h`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the errors as ``ax.lines[0]`` and the guides after it.

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
    h, errors = _as_curve(h, errors, "h", "errors")
    if not (np.all(np.isfinite(h)) and np.all(h > 0)):
        raise ValueError("h must hold finite steps > 0")
    if not (np.all(np.isfinite(errors)) and np.all(errors >= 0)):
        raise ValueError("errors must hold finite values >= 0")
    if best is not None and (
        isinstance(best, bool) or not isinstance(best, int | np.integer) or not 0 <= best < h.size
    ):
        raise ValueError(f"best must be an index in [0, {h.size}); got {best!r}")
    guides = {} if guides is None else dict(guides)
    checked = {}
    for label, values in guides.items():
        values = np.asarray(values, dtype=float)
        if values.shape != h.shape:
            raise ValueError(
                f"guide {label!r} must have the shape of h {h.shape}; got {values.shape}"
            )
        checked[label] = values
    ax = new_axes(ax)
    shown = errors > 0
    ax.loglog(h[shown], errors[shown], "o-", color=COLORS["blue"], markersize=3, label="error")
    styles = [COLORS["orange"], COLORS["green"], COLORS["purple"], COLORS["grey"]]
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
        :func:`numpy.meshgrid`).
    points : array_like, shape (2, N)
        Where the arrows start, one point per column.
    gradients : array_like, shape (2, N)
        The gradient at each point, one per column, for example from
        :func:`dlmath.derivatives.gradient`.
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
    x, y, Z = (np.asarray(a, dtype=float) for a in (x, y, Z))
    if x.ndim != 1 or y.ndim != 1 or Z.shape != (y.size, x.size):
        raise ValueError(
            f"Z must have shape (len(y), len(x)) = ({y.size}, {x.size}) for 1-D x and y; "
            f"got x {x.shape}, y {y.shape}, Z {Z.shape}"
        )
    points, gradients = _as_points(points), _as_points(gradients)
    if points.shape != gradients.shape:
        raise ValueError(
            f"points and gradients must have the same shape; got {points.shape} and "
            f"{gradients.shape}"
        )
    if not (np.isfinite(arrow_scale) and arrow_scale > 0):
        raise ValueError(f"arrow_scale must be a finite number > 0; got {arrow_scale!r}")
    ax = new_axes(ax)
    contours = ax.contour(x, y, Z, levels=levels, colors=COLORS["grey"], linewidths=0.8)
    ax.clabel(contours, fontsize=8, fmt="%.2g")
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


# === Chapter 4: the intuition of deep learning =======================================

# === Chapter 5: layers and activation functions ======================================

# === Chapters 6-8: loss, gradient descent, backpropagation ===========================

# === Chapter 9: MNIST ================================================================
