"""Figures of the plane: transformations of shapes, two classes of points, lines, regions.

Chapter 2 draws shapes and their images under the transformations of
:mod:`dlmath.transforms`; Chapter 4 draws the two classes of the crumpled red and blue
paper, the line that separates them, the regions a network predicts and the data as
each layer sees it.

**Shape convention.** Points of the plane are the columns of a (2, N) matrix; labels
are a vector of N integers 0 or 1, one per column. Class 0 is drawn in red and class 1
in blue (:data:`~dlmath.plotting.CLASS_COLORS`).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import (
    as_float_array,
    as_labels,
    as_tuple,
    check_callable,
    check_index,
    check_non_negative,
    check_positive_int,
    check_real,
    check_shape,
)
from dlmath.plotting.style import CLASS_COLORS, COLORS, FIGURE_WIDTH_IN, new_axes

__all__ = [
    "plot_decision_regions",
    "plot_line",
    "plot_representations",
    "plot_transformation",
    "plot_two_classes",
]


def _points(X, name: str) -> np.ndarray:
    return as_float_array(X, name, ndim=2, rows=2)


def _binary_labels(y, n: int) -> np.ndarray:
    """Labels 0 or 1, one per column of the (2, n) points they belong to."""
    labels = as_labels(y, "y", n_classes=2)
    check_shape(labels, "y", (n,))
    return labels


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
        Index of a column to follow: its two positions are marked and joined by a red
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
    X, Y = _points(X, "X"), _points(Y, "Y")
    check_shape(Y, "Y", X.shape, like="X")
    labels = as_tuple(labels, "labels", 2, form="(original, image)")
    if track is not None:
        track = check_index(track, "track", X.shape[1])
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
    X = _points(X, "X")
    y = _binary_labels(y, X.shape[1])
    labels = as_tuple(labels, "labels", 2, form="(name of class 0, name of class 1)")
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
    w = as_float_array(w, "w", ndim=1)
    check_shape(w, "w", (2,))
    if not w.any():
        raise ValueError(f"w must be a non-zero vector (the line's normal); got {w.tolist()}")
    b = check_real(b, "b")
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
    resolution : int, optional
        Grid points along each axis, at least 2.
    margin : float, optional
        How far the grid extends beyond the data, non-negative.
    title : str, optional
        Title of the axes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

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
    check_callable(predict, "predict")
    X = _points(X, "X")
    y = _binary_labels(y, X.shape[1])
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2; got {resolution}")
    margin = check_non_negative(margin, "margin")
    ax = new_axes(ax)
    lo, hi = X.min(axis=1) - margin, X.max(axis=1) + margin
    u = np.linspace(lo[0], hi[0], resolution)
    v = np.linspace(lo[1], hi[1], resolution)
    U, V = np.meshgrid(u, v)
    scores = as_float_array(predict(np.vstack([U.ravel(), V.ravel()])), "predict(points)")
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
    ax.contour(U, V, classes, levels=[0.5], colors=COLORS["black"], linewidths=1.2)
    plot_two_classes(X, y, ax=ax, title=title)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return ax


#: Panels per row of :func:`plot_representations` by default: three panels 2 inches wide
#: fill the book's column with 11-point tick labels.
_PANELS_PER_ROW = 3


def plot_representations(representations, y, *, titles=None, line=None, axes=None, ncols=None):
    r"""Draw the same labelled points in several coordinate systems, in a grid of panels.

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
        One axes per representation; by default a new figure as wide as the book's
        column, with ``ncols`` square panels per row.
    ncols : int, optional
        Panels per row of a new figure (at most 3 by default, so that the text of
        every panel stays readable in the book's column); not allowed with ``axes``.

    Returns
    -------
    list of matplotlib.axes.Axes
        One per representation, in order.

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
    representations = [_points(R, f"representations[{k}]") for k, R in enumerate(representations)]
    if not representations:
        raise ValueError("representations must hold at least one (2, N) array; got none")
    n = representations[0].shape[1]
    if any(R.shape[1] != n for R in representations):
        shapes = [R.shape for R in representations]
        raise ValueError(f"every representation must have the same N points; got {shapes}")
    y = _binary_labels(y, n)
    count = len(representations)
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles must have {count} entries, one per panel; got {len(titles)}")
    if line is not None:
        w, b = as_tuple(line, "line", 2, form="(w, b)")
    if axes is None:
        ncols = min(count, _PANELS_PER_ROW) if ncols is None else ncols
        ncols = min(check_positive_int(ncols, "ncols"), count)
        nrows = -(-count // ncols)
        side = FIGURE_WIDTH_IN / max(ncols, 2)
        _, grid = plt.subplots(nrows, ncols, figsize=(side * ncols, side * nrows), squeeze=False)
        for extra in grid.flat[count:]:
            extra.remove()
        axes = list(grid.flat[:count])
    else:
        if ncols is not None:
            raise ValueError("ncols sets the layout of a new figure; do not pass it with axes")
        axes = list(np.ravel(axes))
        if len(axes) != count:
            raise ValueError(f"axes must have {count} entries, one per panel; got {len(axes)}")
    for k, (ax, R) in enumerate(zip(axes, representations, strict=True)):
        plot_two_classes(R, y, ax=ax, title=None if titles is None else titles[k], s=9)
        ax.set_aspect("equal", adjustable="box")
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    if line is not None:
        ax = axes[-1]
        ax.autoscale_view()
        ax.apply_aspect()
        plot_line(w, b, ax=ax)
    return axes
