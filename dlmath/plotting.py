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
    "CLASS_COLORS",
    "COLORS",
    "animate_descent",
    "animation_html",
    "digit_grid",
    "new_axes",
    "plot_activation",
    "plot_curves",
    "plot_decision_regions",
    "plot_descent_contour",
    "plot_descent_path",
    "plot_fit_progress",
    "plot_gradient_field",
    "plot_line",
    "plot_network",
    "plot_representations",
    "plot_residuals",
    "plot_roadmap",
    "plot_series",
    "plot_step_errors",
    "plot_tangent",
    "plot_transformation",
    "plot_two_classes",
    "training_curves",
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
        Passed to :func:`matplotlib.pyplot.subplots` for a new figure; with ``nrows``
        or ``ncols`` above 1 it returns an array of axes, as that function does.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray of them

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


#: Colours of the two classes (the red and the blue paper of Chapter 4), class 0 first.
CLASS_COLORS = (COLORS["red"], COLORS["blue"])


def _as_binary_labels(y, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per column of X; got {y.shape}")
    if y.dtype.kind not in "iub" or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold the integer labels 0 and 1; got {np.unique(y)[:5]!r}")
    return y


def plot_two_classes(X, y, *, ax=None, title=None, labels=("class 0", "class 1"), **scatter_kw):
    """Draw the points of two classes in red (label 0) and blue (label 1).

    Parameters
    ----------
    X : array_like, shape (2, N)
        The points, one per column (in any two coordinates: the input plane or a
        layer's outputs).
    y : array_like of int, shape (N,)
        Labels, 0 or 1.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional
        Title of the axes.
    labels : tuple of str, optional
        Legend entries of classes 0 and 1.
    **scatter_kw
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from dlmath.datasets import two_moons
    >>> from dlmath.plotting import plot_two_classes
    >>> ax = plot_two_classes(*two_moons(50, rng=0))
    >>> [len(c.get_offsets()) for c in ax.collections]
    [25, 25]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    X = _as_points(X)
    y = _as_binary_labels(y, X.shape[1])
    ax = new_axes(ax)
    style = {"s": 14, "alpha": 0.85, "edgecolors": "white", "linewidths": 0.4}
    style.update(scatter_kw)
    for label in (0, 1):
        points = X[:, y == label]
        ax.scatter(points[0], points[1], color=CLASS_COLORS[label], label=labels[label], **style)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_line(w, b, *, ax=None, **line_kw):
    r"""Draw the straight line :math:`w_1 u + w_2 v + b = 0` across the axes.

    Parameters
    ----------
    w : array_like, shape (2,)
        Normal vector of the line, not zero.
    b : float
        Offset.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when omitted); the line spans their current
        limits, which are kept.
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.lines.Line2D

    Notes
    -----
    The points on one side, :math:`w \cdot h + b > 0`, are those a linear classifier
    with weights ``w`` and bias ``b`` assigns to the positive class.

    Examples
    --------
    The diagonal :math:`u - v = 0` in the unit square:

    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_line
    >>> _, ax = plt.subplots()
    >>> ax.set(xlim=(0, 1), ylim=(0, 1))
    [(0.0, 1.0), (0.0, 1.0)]
    >>> line = plot_line([1.0, -1.0], 0.0, ax=ax)
    >>> (
    ...     [round(float(v), 6) for v in line.get_xdata()],
    ...     [round(float(v), 6) for v in line.get_ydata()],
    ... )
    ([0.0, 1.0], [0.0, 1.0])
    >>> plt.close("all")
    """
    w = np.asarray(w, dtype=float)
    if w.shape != (2,) or not np.isfinite(w).all() or not w.any():
        raise ValueError(f"w must be a finite non-zero vector of shape (2,); got {w!r}")
    b = float(b)
    if not np.isfinite(b):
        raise ValueError(f"b must be finite; got {b}")
    ax = new_axes(ax)
    (u0, u1), (v0, v1) = ax.get_xlim(), ax.get_ylim()
    if abs(w[1]) >= abs(w[0]):  # v as a function of u
        u = np.array([u0, u1])
        v = -(w[0] * u + b) / w[1]
    else:  # u as a function of v
        v = np.array([v0, v1])
        u = -(w[1] * v + b) / w[0]
    style = {"color": "black", "linewidth": 1.5, "linestyle": "--"}
    style.update(line_kw)
    (line,) = ax.plot(u, v, **style)
    ax.set_xlim(u0, u1)
    ax.set_ylim(v0, v1)
    return line


def plot_decision_regions(predict, X, y, *, resolution=200, margin=0.5, title=None, ax=None):
    """Shade the plane by the class a model predicts, and draw the data on top.

    Parameters
    ----------
    predict : callable
        Maps points of shape (2, M) to class scores of shape (2, M), such as
        :meth:`dlmath.layers.Sequential.predict`; each point is coloured by the row
        with the larger score.
    X : array_like, shape (2, N)
        The data, one point per column.
    y : array_like of int, shape (N,)
        Labels, 0 or 1.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    resolution : int, optional
        Grid points along each axis, at least 2.
    margin : float, optional
        How far the grid extends beyond the data, non-negative.
    title : str, optional
        Title of the axes.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    A rule that calls every point with a positive first coordinate class 1:

    >>> import numpy as np
    >>> from dlmath.plotting import plot_decision_regions
    >>> X, y = np.array([[-1.0, 1.0], [0.0, 0.0]]), np.array([0, 1])
    >>> rule = lambda P: np.vstack([-P[0], P[0]])
    >>> ax = plot_decision_regions(rule, X, y, resolution=5)
    >>> ax.images[0].get_array().tolist()
    [[0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable; got {predict!r:.60}")
    X = _as_points(X)
    y = _as_binary_labels(y, X.shape[1])
    if not isinstance(resolution, int | np.integer) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2; got {resolution!r}")
    margin = float(margin)
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be finite and non-negative; got {margin}")
    ax = new_axes(ax)
    lo, hi = X.min(axis=1) - margin, X.max(axis=1) + margin
    u = np.linspace(lo[0], hi[0], resolution)
    v = np.linspace(lo[1], hi[1], resolution)
    U, V = np.meshgrid(u, v)
    scores = np.asarray(predict(np.vstack([U.ravel(), V.ravel()])))
    if scores.shape != (2, U.size):
        raise ValueError(
            f"predict must return scores of shape (2, {U.size}) for {U.size} points; "
            f"got {scores.shape}"
        )
    classes = scores.argmax(axis=0).reshape(U.shape)
    ax.imshow(
        classes,
        origin="lower",
        extent=(lo[0], hi[0], lo[1], hi[1]),
        cmap=mpl.colors.ListedColormap(CLASS_COLORS),
        vmin=0,
        vmax=1,
        alpha=0.18,
        aspect="auto",
        interpolation="nearest",
    )
    ax.contour(U, V, classes, levels=[0.5], colors="black", linewidths=1.2)
    plot_two_classes(X, y, ax=ax, title=title)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return ax


def plot_representations(representations, y, *, titles=None, line=None, axes=None):
    r"""Draw the same labelled points in several coordinate systems, side by side.

    Parameters
    ----------
    representations : sequence of array_like, each of shape (2, N)
        The data as each layer sees it: the inputs first, then each layer's outputs,
        one point per column and the points in the same order throughout.
    y : array_like of int, shape (N,)
        Labels, 0 or 1.
    titles : sequence of str, optional
        One title per representation.
    line : tuple (w, b), optional
        A straight line :math:`w \cdot h + b = 0` to draw in the last panel (see
        :func:`plot_line`).
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per representation; a new figure with one row when omitted.

    Returns
    -------
    list of matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.plotting import plot_representations
    >>> X, y = np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([0, 1])
    >>> axes = plot_representations([X, 2 * X], y, titles=["input", "doubled"])
    >>> [ax.get_title() for ax in axes]
    ['input', 'doubled']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    representations = [_as_points(R) for R in representations]
    if not representations:
        raise ValueError("representations must hold at least one (2, N) array; got none")
    n = representations[0].shape[1]
    if any(R.shape[1] != n for R in representations):
        shapes = [R.shape for R in representations]
        raise ValueError(f"every representation must have the same N points; got {shapes}")
    y = _as_binary_labels(y, n)
    count = len(representations)
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles must have {count} entries, one per panel; got {len(titles)}")
    if axes is None:
        _, axes = plt.subplots(1, count, figsize=(3.0 * count, 3.2), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.ravel(axes))
        if len(axes) != count:
            raise ValueError(f"axes must have {count} entries, one per panel; got {len(axes)}")
    for k, (ax, R) in enumerate(zip(axes, representations, strict=True)):
        plot_two_classes(R, y, ax=ax, title=None if titles is None else titles[k], s=9)
        ax.set_aspect("equal", adjustable="box")
    if line is not None:
        w, b = line
        ax = axes[-1]
        ax.autoscale_view()
        ax.apply_aspect()
        plot_line(w, b, ax=ax)
    return axes


_ROADMAP_PARTS = ("layers", "loss", "optimizer")


def plot_roadmap(highlight=None, *, ax=None):
    """Draw the roadmap of training a network: layers, loss and optimizer.

    The input ``X`` flows through the layers (which hold the weights) to the
    predictions ``Y'``; the loss function compares them with the true targets ``Y``;
    the optimizer uses the loss score to update the weights (after Chollet's
    Figure 1.9, as on the slides).

    Parameters
    ----------
    highlight : {None, "layers", "loss", "optimizer"}, optional
        The part to emphasise (the slides show the diagram once for each); the other
        parts are drawn in grey. None draws every part in colour.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from dlmath.plotting import plot_roadmap
    >>> ax = plot_roadmap("loss")
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("Loss"))
    ['Loss function', 'Loss score']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if highlight is not None and highlight not in _ROADMAP_PARTS:
        raise ValueError(f"highlight must be None or one of {_ROADMAP_PARTS}; got {highlight!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.4, 5.2))
    ax.set_xlim(0, 9)
    ax.set_ylim(0.8, 10.6)
    ax.set_axis_off()
    grey = "#C8C8C8"

    def colour(part, base):
        return base if highlight in (None, part) else grey

    def box(x, y, text, part=None, face="white", edge="#404040", width=3.0, height=0.9):
        active = part is None or highlight in (None, part)
        if part is not None:
            edge = colour(part, edge)
            face = face if active else "white"
        patch = mpl.patches.FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor=face,
            edgecolor=edge,
            linewidth=2.2 if part is not None and highlight == part else 1.2,
        )
        ax.add_patch(patch)
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=11,
            color="black" if active else "#909090",
            fontweight="bold" if part is not None and highlight == part else "normal",
        )
        return patch

    def arrow(start, end, part=None, text=None, text_xy=None, **kw):
        col = "#404040" if part is None else colour(part, "#404040")
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": col, "linewidth": 1.4, **kw},
        )
        if text is not None:
            ax.text(*text_xy, text, ha="center", va="center", fontsize=10, color=col)

    blue, orange, green = COLORS["blue"], COLORS["orange"], COLORS["green"]
    box(5.0, 10.0, "Input X")
    box(5.0, 8.4, "Layer (weights)", "layers", mpl.colors.to_rgba(blue, 0.15), blue)
    box(5.0, 6.8, "Layer (weights)", "layers", mpl.colors.to_rgba(blue, 0.15), blue)
    box(3.3, 5.0, "Predictions Y'", width=2.6)
    box(7.3, 5.0, "True targets Y", width=2.6)
    box(5.3, 3.2, "Loss function", "loss", mpl.colors.to_rgba(orange, 0.2), orange)
    box(5.3, 1.4, "Loss score", "loss", mpl.colors.to_rgba(orange, 0.2), orange, width=2.4)
    box(1.4, 2.3, "Optimizer", "optimizer", mpl.colors.to_rgba(green, 0.2), green, width=2.2)
    arrow((5.0, 9.55), (5.0, 8.85))
    arrow((5.0, 7.95), (5.0, 7.25), "layers")
    arrow((4.6, 6.35), (3.5, 5.45), "layers")
    arrow((3.5, 4.55), (4.7, 3.65), "loss")
    arrow((7.1, 4.55), (5.9, 3.65), "loss")
    arrow((5.3, 2.75), (5.3, 1.85), "loss")
    arrow((4.1, 1.4), (1.6, 1.85), "optimizer")
    update = colour("optimizer", "#404040")
    ax.plot([1.4, 1.4, 3.5], [2.75, 8.4, 8.4], color=update, linewidth=1.4)
    arrow((1.4, 8.4), (3.5, 8.4), "optimizer")
    arrow((1.4, 6.8), (3.5, 6.8), "optimizer")
    ax.text(
        1.25, 5.2, "weight update", rotation=90, ha="right", va="center", fontsize=10, color=update
    )
    return ax


# === Chapter 5: layers and activation functions ======================================


def _weight_matrices(model) -> list[np.ndarray]:
    layers = getattr(model, "layers", None)
    if layers is None:
        layers = [model]
    matrices = []
    for layer in layers:
        W = getattr(layer, "W", None)
        if W is None:
            raise TypeError(
                f"model must be a dlmath Sequential model or Dense layer; got {model!r:.60}"
            )
        matrices.append(np.asarray(W, dtype=float))
    return matrices


def _node_names(prefix: str, count: int, layer: int | None = None) -> list[str]:
    if layer is None:
        return [f"${prefix}_{{{j + 1}}}$" for j in range(count)]
    return [f"${prefix}^{{({layer})}}_{{{j + 1}}}$" for j in range(count)]


def plot_network(model, *, node_size=0.32, max_width=4.0, title=None, ax=None):
    r"""Draw a network's neurons and connections, the edges styled by the weights.

    Each layer :math:`Y = \varrho(W \cdot X + B)` with ``W`` of shape (outputs,
    inputs) becomes a column of ``outputs`` nodes joined to the column before it by
    one edge per weight: the edge from input :math:`j` to output :math:`i` is blue
    when :math:`W_{ij} > 0` and red when it is negative, and its width is
    proportional to :math:`|W_{ij}|`. Biases are not drawn.

    Parameters
    ----------
    model : Sequential or Dense
        The network (or one layer), e.g. ``Sequential([Dense(3, 4, "relu"), Dense(4, 2)])``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    node_size : float, optional
        Radius of the nodes, in units of the distance between two nodes; positive.
    max_width : float, optional
        Line width of the edge with the largest :math:`|W_{ij}|`; positive.
    title : str, optional
        Title of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        Holds one :class:`~matplotlib.collections.LineCollection` of edges per layer,
        in the order of ``W.ravel()``.

    Notes
    -----
    Nodes are named :math:`x_j` (inputs), :math:`h_j` (hidden neurons; with more than
    one hidden layer :math:`h^{(k)}_j`) and :math:`y'_i` (outputs); the activation of
    each layer is written under its column.

    Examples
    --------
    >>> from dlmath.layers import Dense, Sequential
    >>> from dlmath.plotting import plot_network
    >>> ax = plot_network(Sequential([Dense(3, 4, "relu", rng=0), Dense(4, 2, rng=1)]))
    >>> [len(edges.get_segments()) for edges in ax.collections]  # 4·3 and 2·4 weights
    [12, 8]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    matrices = _weight_matrices(model)
    for k in range(1, len(matrices)):
        if matrices[k].shape[1] != matrices[k - 1].shape[0]:
            raise ValueError(
                f"layer {k} has {matrices[k].shape[1]} inputs but layer {k - 1} has "
                f"{matrices[k - 1].shape[0]} outputs"
            )
    node_size, max_width = float(node_size), float(max_width)
    if not (np.isfinite(node_size) and node_size > 0):
        raise ValueError(f"node_size must be positive; got {node_size}")
    if not (np.isfinite(max_width) and max_width > 0):
        raise ValueError(f"max_width must be positive; got {max_width}")
    layers = getattr(model, "layers", [model])
    sizes = [matrices[0].shape[1]] + [W.shape[0] for W in matrices]
    hidden = len(matrices) - 1
    names = [_node_names("x", sizes[0])]
    for k in range(hidden):
        names.append(_node_names("h", sizes[k + 1], None if hidden == 1 else k + 1))
    names.append(_node_names("y'", sizes[-1]))
    tallest = max(sizes)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.9 * len(sizes) + 0.6, 0.75 * tallest + 1.2))
    positions = [
        np.column_stack([np.full(n, 2.0 * k), (n - 1) / 2 - np.arange(n)])
        for k, n in enumerate(sizes)
    ]
    largest = max(float(np.abs(W).max()) for W in matrices) or 1.0
    for k, W in enumerate(matrices):
        start, end = positions[k], positions[k + 1]
        segments = [[start[j], end[i]] for i in range(W.shape[0]) for j in range(W.shape[1])]
        weights = W.ravel()
        colours = [COLORS["blue"] if w > 0 else COLORS["red"] for w in weights]
        widths = 0.3 + (max_width - 0.3) * np.abs(weights) / largest
        ax.add_collection(
            mpl.collections.LineCollection(
                segments, colors=colours, linewidths=widths, alpha=0.8, zorder=1
            )
        )
    hidden_face = 0.35 * np.array(mpl.colors.to_rgb(COLORS["sky"])) + 0.65
    for k, (points, labels) in enumerate(zip(positions, names, strict=True)):
        face = "#F2F2F2" if k in (0, len(sizes) - 1) else hidden_face
        for (u, v), label in zip(points, labels, strict=True):
            ax.add_patch(
                mpl.patches.Circle((u, v), node_size, facecolor=face, edgecolor="#404040", zorder=2)
            )
            ax.text(u, v, label, ha="center", va="center", fontsize=11, zorder=3)
    bottom = -(tallest - 1) / 2 - 0.75
    for k, layer in enumerate(layers):
        activation = getattr(layer, "activation", "linear")
        ax.text(
            2.0 * (k + 1),
            bottom,
            rf"$\varrho$ = {activation}",
            ha="center",
            va="top",
            fontsize=9,
            color="#555555",
        )
    ax.legend(
        handles=[
            mpl.lines.Line2D([], [], color=COLORS["blue"], linewidth=2, label="$W_{ij} > 0$"),
            mpl.lines.Line2D([], [], color=COLORS["red"], linewidth=2, label="$W_{ij} < 0$"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=9,
    )
    ax.set_xlim(-0.6, 2.0 * (len(sizes) - 1) + 0.6)
    ax.set_ylim(bottom - 0.4, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_activation(z, a, da=None, *, name="\\varrho", ax=None):
    r"""Draw an activation function and, optionally, its derivative.

    Parameters
    ----------
    z : array_like, shape (M,)
        Pre-activations, increasing.
    a : array_like, shape (M,)
        The activation's values :math:`\varrho(z)`.
    da : array_like, shape (M,), optional
        Its derivative :math:`\varrho'(z)`, drawn dashed.
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
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must be a 1-D array of at least 2 values; got shape {z.shape}")
    curves = {"a": a} if da is None else {"a": a, "da": da}
    for key, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.shape != z.shape:
            raise ValueError(f"{key} must have the shape of z {z.shape}; got {values.shape}")
        curves[key] = values
    ax = new_axes(ax)
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    ax.axvline(0.0, color="#999999", linewidth=0.8)
    ax.plot(z, curves["a"], color=COLORS["blue"], linewidth=2, label=f"${name}(z)$")
    if da is not None:
        ax.plot(
            z,
            curves["da"],
            color=COLORS["orange"],
            linewidth=2,
            linestyle="--",
            label=f"${name}'(z)$",
        )
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
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 values; got shape {x.shape}")
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of label -> values; got {curves!r:.60}")
    styles = {} if styles is None else dict(styles)
    unknown = set(styles) - set(curves)
    if unknown:
        raise ValueError(f"styles name curves that are not drawn: {sorted(unknown)}")
    ax = new_axes(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.shape != x.shape:
            raise ValueError(
                f"curve {label!r} must have the shape of x {x.shape}; got {values.shape}"
            )
        style = {"linewidth": 2}
        style.update(styles.get(label, {}))
        ax.plot(x, values, label=label, **style)
    ax.legend(loc="best")
    return ax


# === Chapters 6-8: loss, gradient descent, backpropagation ===========================


def _finite_row(values, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float array; a (1, N) row is flattened."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty row of numbers, shape (N,) or (1, N); "
            f"got shape {np.shape(values)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers")
    return array


def _finite_pair(pair, name: str) -> tuple[float, float]:
    """A (w, b) pair of finite numbers."""
    if not (isinstance(pair, tuple | list) and len(pair) == 2):
        raise TypeError(f"{name} must be a pair (w, b); got {pair!r:.60}")
    w, b = (float(v) for v in pair)
    if not (np.isfinite(w) and np.isfinite(b)):
        raise ValueError(f"{name} must hold finite numbers; got {pair!r}")
    return w, b


def _function_values(f, points) -> np.ndarray:
    """``f`` at each point, one call per point (``f`` need not be vectorised)."""
    if not callable(f):
        raise TypeError(f"f must be callable; got {f!r:.60}")
    return np.array([float(f(p)) for p in points])


def _line_label(w: float, b: float) -> str:
    """The equation of the line y' = w x + b, for a legend."""
    if b == 0:
        return f"$y' = {w:g}\\,x$"
    return f"$y' = {w:g}\\,x {'-' if b < 0 else '+'} {abs(b):g}$"


def plot_residuals(x, y, y_hat, *, line=None, ax=None):
    r"""Draw data, predictions and the residuals between them.

    Parameters
    ----------
    x : array_like, shape (N,) or (1, N)
        The feature.
    y : array_like, shape (N,) or (1, N)
        The observed outcomes, drawn as filled dots.
    y_hat : array_like, shape (N,) or (1, N)
        The predictions, drawn as open circles; a dashed segment joins each
        :math:`(x_i, y_i)` to :math:`(x_i, \hat y_i)`.
    line : tuple (w, b), optional
        A line :math:`y' = w x + b` to draw through the plot (unbounded).
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
    x, y, y_hat = _finite_row(x, "x"), _finite_row(y, "y"), _finite_row(y_hat, "y_hat")
    if not x.shape == y.shape == y_hat.shape:
        raise ValueError(
            f"x, y and y_hat must hold the same number of values; "
            f"got {x.size}, {y.size} and {y_hat.size}"
        )
    ax = new_axes(ax)
    ax.vlines(
        x, y_hat, y, colors=COLORS["red"], linestyles="dashed", lw=1.3, label="residual $y - y'$"
    )
    if line is not None:
        w, b = _finite_pair(line, "line")
        ax.axline(
            (0.0, b), slope=w, color=COLORS["blue"], lw=1.5, label="line " + _line_label(w, b)
        )
    ax.plot(x, y, "o", color="black", markersize=6, label="data $(x, y)$", zorder=3)
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
        The data, drawn as dots.
    ws, bs : array_like, shape (K,)
        Slopes and intercepts of the lines :math:`y' = w_k x + b_k`, in order
        (for example the parameters after some epochs of training).
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
    x, y = _finite_row(x, "x"), _finite_row(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold the same number of values; got {x.size} and {y.size}")
    ws, bs = _finite_row(ws, "ws"), _finite_row(bs, "bs")
    labels = [str(label) for label in labels]
    if not ws.size == bs.size == len(labels):
        raise ValueError(
            f"ws, bs and labels must have the same length; got {ws.size}, {bs.size} "
            f"and {len(labels)}"
        )
    ax = new_axes(ax)
    ax.plot(x, y, "o", color="black", markersize=6, label="data", zorder=3)
    shades = mpl.colormaps["viridis"](np.linspace(0.9, 0.1, ws.size))
    for w, b, label, shade in zip(ws, bs, labels, shades, strict=True):
        ax.axline((0.0, b), slope=w, color=shade, lw=1.6, label=label)
    if reference is not None:
        if not (isinstance(reference, tuple | list) and len(reference) == 3):
            raise TypeError(f"reference must be a tuple (w, b, label); got {reference!r:.60}")
        w, b = _finite_pair(tuple(reference[:2]), "reference")
        ax.axline((0.0, b), slope=w, color="black", lw=1.2, ls="--", label=str(reference[2]))
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_series(series, *, xlabel="epoch", ylabel="loss", logy=False, floor=None, ax=None):
    """Draw one or more sequences of values against their index (0, 1, 2, ...).

    Parameters
    ----------
    series : array_like or dict of str to array_like
        One sequence (a loss per epoch, a distance per step), or several by label.
    xlabel, ylabel : str, optional
        Axis labels.
    logy : bool, optional
        Use a logarithmic vertical axis; the values must then be positive.
    floor : tuple (value, label), optional
        A horizontal dashed line, for example the smallest loss possible.
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
    rows = {label: _finite_row(values, "series") for label, values in named.items()}
    if logy and any(np.any(values <= 0) for values in rows.values()):
        raise ValueError("with logy=True every value must be positive")
    ax = new_axes(ax)
    for label, values in rows.items():
        ax.plot(np.arange(values.size), values, lw=1.6, label=label)
    if floor is not None:
        if not (isinstance(floor, tuple | list) and len(floor) == 2):
            raise TypeError(f"floor must be a tuple (value, label); got {floor!r:.60}")
        value = float(floor[0])
        if not np.isfinite(value) or (logy and value <= 0):
            raise ValueError(
                f"floor must be a finite (and, with logy, positive) value; got {value}"
            )
        ax.axhline(value, color="black", lw=1.0, ls="--", label=str(floor[1]))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(label is not None for label in rows) or floor is not None:
        ax.legend(loc="best")
    return ax


def _descent_limits(path: np.ndarray, xlim) -> tuple[float, float]:
    if xlim is not None:
        low, high = (float(v) for v in xlim)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(
                f"xlim must be two finite numbers (low, high) with low < high; got {xlim!r}"
            )
        return low, high
    reach = float(np.max(np.abs(path)))
    reach = reach if reach > 0 else 1.0
    return -1.15 * reach, 1.15 * reach


def plot_descent_path(f, path, *, xlim=None, ax=None, color=None, label=None):
    r"""Draw a function of one variable and the points a descent visited on it.

    Parameters
    ----------
    f : callable
        The function, called on one number at a time.
    path : array_like, shape (K,)
        The points :math:`x_0, x_1, \dots`, as returned by
        :func:`dlmath.optimizers.gradient_descent`.
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
    path = _finite_row(path, "path")
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


def animate_descent(f, path, *, grad=None, xlim=None, interval=500, figsize=(4.8, 3.0), dpi=80):
    r"""Animate a descent on a function of one variable, one frame per step.

    Parameters
    ----------
    f : callable
        The function, called on one number at a time.
    path : array_like, shape (K,)
        The points visited, as returned by :func:`dlmath.optimizers.gradient_descent`.
    grad : callable, optional
        The derivative of ``f``; when given, each frame also draws the tangent at the
        current point, whose slope the next step follows downhill.
    xlim : tuple (low, high), optional
        As for :func:`plot_descent_path`.
    interval : int, optional
        Milliseconds between frames.
    figsize : tuple of float, optional
        Size of the figure in inches; with ``dpi``, it sets the size of the frames
        (keep both small: every frame is embedded as an image).
    dpi : int, optional
        Resolution of the frames.

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

    path = _finite_row(path, "path")
    low, high = _descent_limits(path, xlim)
    if grad is not None and not callable(grad):
        raise TypeError(f"grad must be callable; got {grad!r:.60}")
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


def animation_html(animation, *, alt, default_mode="once") -> str:
    """An animation as a self-contained HTML player that needs no network.

    Parameters
    ----------
    animation : matplotlib.animation.Animation
        For example the result of :func:`animate_descent`.
    alt : str
        What the animation shows, for a reader who cannot see it: the alternative text
        of the player's image.
    default_mode : {"once", "loop", "reflect"}, optional
        What the player does at the last frame.

    Returns
    -------
    str
        matplotlib's ``to_jshtml()`` player, every frame embedded as a PNG image, without
        its link to the Font Awesome 4.4 style sheet on a CDN. The book's theme bundles
        Font Awesome, which draws the player's buttons, so the page loads nothing from
        another site and the animation works offline. The frame image carries ``alt``
        and the frame slider the label "Frame". Display it in a notebook with
        ``IPython.display.HTML``.

    Examples
    --------
    >>> from dlmath.plotting import animate_descent, animation_html
    >>> html = animation_html(animate_descent(lambda x: x**2, [1.0, 0.5]), alt="Two steps.")
    >>> html.count("data:image/png;base64"), "https://" in html, 'alt="Two steps."' in html
    (2, False, True)
    """
    import html as html_module
    import re

    from matplotlib.animation import Animation

    if not isinstance(animation, Animation):
        raise TypeError(f"animation must be a matplotlib Animation; got {animation!r:.60}")
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str saying what the animation shows; got {alt!r:.60}")
    if not alt.strip():
        raise ValueError("alt must say what the animation shows; got an empty string")
    if default_mode not in ("once", "loop", "reflect"):
        raise ValueError(f"default_mode must be 'once', 'loop' or 'reflect'; got {default_mode!r}")
    html = animation.to_jshtml(default_mode=default_mode)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>\s*", "", html)
    text = html_module.escape(" ".join(alt.split()), quote=True)
    html = re.sub(r'(<img id="_anim_img\w*")', rf'\1 alt="{text}"', html, count=1)
    return re.sub(r'(<input id="_anim_slider\w*")', r'\1 aria-label="Frame"', html, count=1)


def plot_descent_contour(
    f, path, *, xlim, ylim, levels=15, mark=None, ax=None, labels=("$x$", "$y$")
):
    r"""Draw the contour lines of a function of two variables and a descent over them.

    Parameters
    ----------
    f : callable
        The function, called on one point (a NumPy vector of two numbers) at a time.
    path : array_like, shape (2, K)
        The points visited, one per column (``gradient_descent(...).T``).
    xlim, ylim : tuple (low, high)
        The region to draw.
    levels : int or sequence of float, optional
        The number of contour lines, or their values.
    mark : tuple (x, y, label), optional
        A point to mark with a cross (for example the minimum).
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
    path = _as_points(path)
    if not np.all(np.isfinite(path)):
        raise ValueError("path must hold finite numbers")
    (x_low, x_high), (y_low, y_high) = (_descent_limits(path, lim) for lim in (xlim, ylim))
    xs, ys = np.linspace(x_low, x_high, 121), np.linspace(y_low, y_high, 121)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    values = _function_values(f, points).reshape(grid_x.shape)
    ax = new_axes(ax)
    ax.plot(
        path[0], path[1], "-o", color=COLORS["red"], lw=1.2, markersize=3, zorder=3, label="descent"
    )
    contours = ax.contour(grid_x, grid_y, values, levels=levels, cmap="viridis", linewidths=1.0)
    ax.clabel(contours, fontsize="x-small", fmt="%.3g")
    ax.plot(path[0, :1], path[1, :1], "s", color=COLORS["red"], markersize=7, zorder=4)
    if mark is not None:
        if not (isinstance(mark, tuple | list) and len(mark) == 3):
            raise TypeError(f"mark must be a tuple (x, y, label); got {mark!r:.60}")
        ax.plot(
            float(mark[0]),
            float(mark[1]),
            "X",
            color="black",
            markersize=9,
            zorder=5,
            label=str(mark[2]),
        )
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(loc="upper right")
    return ax


# === Chapter 9: MNIST ================================================================


def digit_grid(images, labels=None, predictions=None, ncols: int = 10, size: float = 0.9):
    """Draw digit images in a grid, with their labels (and predictions) as titles.

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (784, n)
        A stack of images, or 28 × 28 images flattened one per column (dlmath's layout).
    labels : array_like of int, shape (n,), optional
        True classes, shown above each image.
    predictions : array_like of int, shape (n,), optional
        Predicted classes; shown as ``true → predicted``, in red where they differ.
    ncols : int, optional
        Images per row.
    size : float, optional
        Width and height of one image, in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.plotting import digit_grid
    >>> fig = digit_grid(np.zeros((12, 28, 28)), labels=np.arange(12) % 10, ncols=6)
    >>> len(fig.axes)
    12
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[0] == 784:
        images = images.T.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(
            f"images must have shape (n, height, width) or (784, n); got {np.shape(images)}"
        )
    n = images.shape[0]
    if n == 0:
        raise ValueError("images must not be empty")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and np.shape(values) != (n,):
            raise ValueError(f"{name} must have shape ({n},); got {np.shape(values)}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer; got {ncols!r}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * size, nrows * size * (1.25 if labels is not None else 1.0)),
        squeeze=False,
        layout="constrained",
    )
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.remove()
            continue
        ax.imshow(images[k], cmap="gray_r", interpolation="nearest")
        ax.set_axis_off()
        if labels is not None:
            title, color = f"{int(labels[k])}", "black"
            if predictions is not None:
                wrong = int(predictions[k]) != int(labels[k])
                title = f"{int(labels[k])} → {int(predictions[k])}"
                color = COLORS["red"] if wrong else "black"
            ax.set_title(title, fontsize=9, color=color, pad=2)
    return fig


def training_curves(histories, metric: str = "accuracy", ax=None):
    """Plot a metric per epoch for several training runs, training and validation.

    Parameters
    ----------
    histories : dict of str to dict
        Run name → history as returned by ``fit`` (``{"accuracy": [...],
        "val_accuracy": [...], ...}``, Keras's ``History.history`` works too).
    metric : str, optional
        ``"accuracy"`` or ``"loss"``; the validation curve ``"val_" + metric`` is
        drawn dashed when present.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from dlmath.plotting import training_curves
    >>> ax = training_curves({"run": {"accuracy": [0.9, 0.95], "val_accuracy": [0.91, 0.93]}})
    >>> [line.get_label() for line in ax.get_lines()]
    ['run, training', 'run, test']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if not histories:
        raise ValueError("histories must name at least one run")
    ax = new_axes(ax)
    colors = list(COLORS.values())
    for k, (name, history) in enumerate(histories.items()):
        if metric not in history:
            raise ValueError(f"history {name!r} has no {metric!r}; it has {sorted(history)}")
        values = np.asarray(history[metric], dtype=float)
        epochs = np.arange(1, values.size + 1)
        color = colors[k % len(colors)]
        ax.plot(epochs, values, marker="o", color=color, label=f"{name}, training")
        if f"val_{metric}" in history:
            ax.plot(
                epochs,
                np.asarray(history[f"val_{metric}"], dtype=float),
                marker="s",
                linestyle="--",
                color=color,
                label=f"{name}, test",
            )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_xticks(epochs)
    ax.legend()
    return ax
