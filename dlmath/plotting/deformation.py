"""Figures of the plane deformed by a network's layers, as key frames or as an animation.

Chapter 4 makes the slides' crumpled red and blue paper real: a network whose layers
have two neurons maps the plane to the plane, layer after layer, and these figures show
a grid and the two classes carried along, with how well a straight line separates the
classes in each representation.

**Shape convention.** Points of the plane are the columns of a (2, N) matrix; labels
are a vector of N integers 0 or 1, one per column, drawn in red (class 0) and blue
(class 1, :data:`~dlmath.plotting.CLASS_COLORS`). A layer of two neurons is given as a
pair of functions, its affine map and its activation, each from points (2, M) to points
(2, M). The figures compute nothing that dlmath's other modules compute: the caller
passes the layers' maps and the accuracies, and the figures draw them.
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
    check_non_negative,
    check_positive,
    check_positive_int,
    check_real,
    check_shape,
)
from dlmath.plotting.style import CLASS_COLORS, COLORS

__all__ = ["animate_deformation", "plot_deformation"]

#: Points along each line of the grid carried through the layers: enough for the bends
#: of an activation to show as curves.
_GRID_SAMPLES = 60


def _deformation(X, y, layers, accuracies, line, grid_lines, margin):
    """Check the arguments of both figures and carry the points through the moves.

    Returns the labels, the accuracies, the line (or None) and the stages: ``stages[j]``
    holds the data (first N columns), then the grid (``2 * grid_lines`` lines of
    ``_GRID_SAMPLES`` points), after ``j`` moves.
    """
    X = as_float_array(X, "X", ndim=2, rows=2)
    y = as_labels(y, "y", n_classes=2)
    check_shape(y, "y", (X.shape[1],))
    if not isinstance(layers, list | tuple) or not layers:
        raise TypeError(
            f"layers must be a non-empty list of pairs of functions; got {layers!r:.60}"
        )
    moves = []
    for k, layer in enumerate(layers):
        pair = as_tuple(layer, f"layers[{k}]", 2, form="(affine map, activation)")
        moves += [check_callable(f, f"layers[{k}][{j}]") for j, f in enumerate(pair)]
    accuracies = as_float_array(accuracies, "accuracies", ndim=1)
    check_shape(accuracies, "accuracies", (len(layers) + 1,))
    if accuracies.min() < 0 or accuracies.max() > 1:
        raise ValueError(
            f"accuracies must be fractions in [0, 1]; got values from {accuracies.min():g} "
            f"to {accuracies.max():g}"
        )
    if line is not None:
        w, b = as_tuple(line, "line", 2, form="(w, b)")
        w = as_float_array(w, "line[0]", ndim=1)
        check_shape(w, "line[0]", (2,))
        if not w.any():
            raise ValueError(f"line[0] must be a non-zero vector (the line's normal); got {w}")
        line = (w, check_real(b, "line[1]"))
    grid_lines = check_positive_int(grid_lines, "grid_lines")
    if grid_lines < 2:
        raise ValueError("grid_lines must be at least 2 (lines in each direction); got 1")
    margin = check_non_negative(margin, "margin")
    lo, hi = X.min(axis=1) - margin, X.max(axis=1) + margin
    u, v = (np.linspace(lo[i], hi[i], _GRID_SAMPLES) for i in (0, 1))
    levels_v, levels_u = (np.linspace(lo[i], hi[i], grid_lines) for i in (1, 0))
    across = [np.vstack([u, np.full(u.size, level)]) for level in levels_v]
    down = [np.vstack([np.full(v.size, level), v]) for level in levels_u]
    stages = [np.hstack([X, *across, *down])]
    for j, move in enumerate(moves):
        name = f"layers[{j // 2}][{j % 2}](points)"
        moved = as_float_array(move(stages[-1].copy()), name)
        check_shape(moved, name, stages[-1].shape)
        stages.append(moved)
    return y, accuracies, line, stages


def _plane(ax, ticks):
    """The artists of one view of the plane: the grid (grey) and the two classes."""
    grid = mpl.collections.LineCollection([], colors=COLORS["grey"], linewidths=0.6, zorder=1)
    ax.add_collection(grid)
    style = {"s": 9, "linewidths": 0, "zorder": 3}
    classes = [ax.scatter([], [], color=CLASS_COLORS[c], **style) for c in (0, 1)]
    ax.set_aspect("equal", adjustable="box")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(ticks))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(ticks))
    ax.grid(False)
    return grid, classes


def _show_plane(ax, artists, points, y):
    """Put the points (data, then grid) in the artists and frame them in a square."""
    grid, classes = artists
    n = y.size
    lines = points[:, n:].reshape(2, -1, _GRID_SAMPLES)
    grid.set_segments(list(lines.transpose(1, 2, 0)))
    for label, scatter in enumerate(classes):
        scatter.set_offsets(points[:, :n][:, y == label].T)
    lo, hi = points.min(axis=1), points.max(axis=1)
    centre, half = (lo + hi) / 2, 0.53 * max(float((hi - lo).max()), 1e-9)
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)


def _draw_line(ax, line):
    r"""The whole line :math:`w \cdot h + b = 0`, dashed and black, whatever the limits."""
    w, b = line
    point = -b * w / (w @ w)
    return ax.axline(point, point + np.array([-w[1], w[0]]), color="black", lw=1.5, ls="--")


def _accuracy_bars(ax, accuracies, label, ticks):
    """Horizontal green bars of the accuracies, the input's on top; bars and their texts."""
    names = ["input"] + [f"layer {k}" for k in range(1, accuracies.size)]
    rows = np.arange(accuracies.size)
    bars = ax.barh(rows, 100 * accuracies, height=0.7, color=COLORS["green"])
    texts = [
        ax.text(100 * a + 2, row, f"{100 * a:.1f}%", va="center", ha="left")
        for row, a in zip(rows, accuracies, strict=True)
    ]
    ax.set_yticks(rows, names)
    ax.set_ylim(accuracies.size - 0.5, -0.5)
    ax.set_xlim(0, 125)
    ax.set_xticks(ticks)
    ax.set_xlabel(label)
    ax.grid(False, axis="y")
    return list(bars), texts


def plot_deformation(
    X,
    y,
    layers,
    *,
    accuracies,
    line=None,
    grid_lines=11,
    margin=0.2,
    accuracy_label="linear accuracy (%)",
    figsize=(4.0, 6.2),
):
    r"""Draw the plane as each layer of a network leaves it, and a linear accuracy per layer.

    Parameters
    ----------
    X : array_like, shape (2, N)
        The data, one point per column.
    y : array_like of int, shape (N,)
        Labels, 0 or 1 (drawn in red and blue).
    layers : list of tuple (affine, activation)
        The network's layers of two neurons, in order, each as two functions from points
        (2, M) to points (2, M): its affine map :math:`W \cdot X + B` and its activation
        :math:`\varrho` (for a :class:`~dlmath.layers.Dense` layer ``layer``,
        ``Dense.from_weights(layer.W, layer.B).forward`` and, say,
        :func:`dlmath.activations.tanh`).
    accuracies : array_like, shape (len(layers) + 1,)
        Fractions in [0, 1]: how well a straight line separates the two classes in the
        input plane and in each layer's output (computed by the caller, for example as
        the test accuracy of a logistic regression); drawn as green bars.
    line : tuple (w, b), optional
        A straight line :math:`w \cdot h + b = 0` to draw (dashed, black) in the last
        layer's panel, such as the output layer's decision line.
    grid_lines : int, optional
        Lines of the grid in each direction, at least 2. The grid (grey) covers the data
        and ``margin`` around it, and goes through the layers with the data.
    margin : float, optional
        How far the grid extends beyond the data, non-negative.
    accuracy_label : str, optional
        Label of the accuracies' axis.
    figsize : tuple of float, optional
        Size of the figure in inches.

    Returns
    -------
    list of matplotlib.axes.Axes
        One panel per representation (the input, then each layer's output), two panels
        to a row, then the bars of the accuracies.

    Notes
    -----
    Panel :math:`k` shows the points :math:`h_k = \varrho(W_k h_{k-1} + B_k)` in layer
    :math:`k`'s own coordinates, framed in a square so that lengths along both axes
    compare: a layer that squashes the plane shows a thin strip.

    Examples
    --------
    One layer that doubles the plane and then leaves it as it is:

    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from dlmath.plotting import plot_deformation
    >>> X, y = np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([0, 1])
    >>> axes = plot_deformation(X, y, [(lambda P: 2 * P, lambda P: P)], accuracies=[0.5, 1.0])
    >>> axes[1].collections[2].get_offsets().tolist()  # class 1 after the layer
    [[2.0, 2.0]]
    >>> [float(bar.get_width()) for bar in axes[2].patches]
    [50.0, 100.0]
    >>> plt.close("all")
    """
    y, accuracies, line, stages = _deformation(X, y, layers, accuracies, line, grid_lines, margin)
    width, height = as_tuple(figsize, "figsize", 2, form="(width, height)")
    figsize = (check_positive(width, "figsize[0]"), check_positive(height, "figsize[1]"))
    count = accuracies.size
    nrows = -(-(count + 1) // 2)
    _, grid = plt.subplots(nrows, 2, figsize=figsize, squeeze=False, layout="constrained")
    for extra in grid.flat[count + 1 :]:
        extra.remove()
    axes = list(grid.flat[: count + 1])
    for k, ax in enumerate(axes[:count]):
        _show_plane(ax, _plane(ax, ticks=3), stages[2 * k], y)
        ax.set_title("input" if k == 0 else f"layer {k}")
    if line is not None:
        _draw_line(axes[count - 1], line)
    _accuracy_bars(axes[count], accuracies, accuracy_label, ticks=[0, 50, 100])
    return axes


def animate_deformation(
    X,
    y,
    layers,
    *,
    accuracies,
    line=None,
    steps=2,
    grid_lines=11,
    margin=0.2,
    accuracy_label="linear accuracy (%)",
    move_names=("affine map", "activation"),
    interval=400,
    width=4.2,
):
    r"""Animate the plane as a network's layers deform it, one move after the other.

    Each layer of two neurons moves the plane twice: first by its affine map
    :math:`W \cdot X + B`, then by its activation :math:`\varrho`. The frames show the
    data and a grid carried along, from the input plane to the last layer's output, and,
    below the plane, the linear accuracy of every representation reached so far.

    Parameters
    ----------
    X, y, layers, accuracies, line, grid_lines, margin, accuracy_label
        As for :func:`plot_deformation`: the data, the layers as pairs of functions, one
        accuracy for the input and one per layer (each bar appears when its
        representation is reached), and a line drawn on the last frame.
    steps : int, optional
        Frames per move, at least 1.
    move_names : tuple of str, optional
        Names of the two moves of every layer, shown in the title of the frames.
    interval : int, optional
        Milliseconds between frames.
    width : float, optional
        Width of the frames in inches (their height follows). They are saved at
        matplotlib's ``savefig.dpi`` (the book's 110 under
        :func:`~dlmath.plotting.use_book_style`); keep them small, as every frame is
        embedded as an image.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation, with ``1 + 2 * len(layers) * steps`` frames: the input, then
        ``steps`` frames for each move. Its figure is closed (so that it is not shown a
        second time as a still image); ``to_jshtml()`` still renders it.

    Notes
    -----
    A move takes the points from :math:`P` to :math:`Q`; its frame :math:`i` of ``steps``
    shows them on the straight way between, at :math:`(1 - t) P + t Q` with
    :math:`t = i / \text{steps}`. For the affine move this is itself an affine map, so
    grid lines stay straight and parallel lines parallel (a matrix with a negative
    determinant, which flips the plane over, passes through a map that flattens the
    plane onto a line). For an increasing activation applied to each coordinate, such as
    :math:`\tanh`, each coordinate moves on its own and keeps its order, so grid lines
    bend but never cross.

    Examples
    --------
    One layer that doubles the plane, then leaves it; two frames per move:

    >>> import numpy as np
    >>> from dlmath.plotting import animate_deformation
    >>> X, y = np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([0, 1])
    >>> animation = animate_deformation(
    ...     X, y, [(lambda P: 2 * P, lambda P: P)], accuracies=[0.5, 1.0], steps=2
    ... )
    >>> html = animation.to_jshtml()
    >>> html.count("data:image/png;base64")  # the input, then 2 frames per move
    5
    """
    from matplotlib.animation import FuncAnimation

    y, accuracies, line, stages = _deformation(X, y, layers, accuracies, line, grid_lines, margin)
    steps = check_positive_int(steps, "steps")
    move_names = as_tuple(move_names, "move_names", 2, form="(affine map, activation)")
    interval = check_positive_int(interval, "interval")
    width = check_positive(width, "width")
    # A fixed layout, in inches, so that the axes stay put while the ticks change: room
    # for tick labels of five characters on the left, the title above the plane, the
    # plane's ticks between plane and bars, and the bars' ticks and label below them.
    left, right, top, gap, bottom = 0.8, 0.15, 0.4, 0.5, 0.6
    side = width - left - right
    if side < 1.0:
        raise ValueError(f"width must leave a plane at least 1 inch wide; got {width} inches")
    bars_height = 0.25 * accuracies.size
    height = top + side + gap + bars_height + bottom
    frames = [(0, 0.0)] + [
        (j, i / steps) for j in range(len(stages) - 1) for i in range(1, steps + 1)
    ]
    fig = plt.figure(figsize=(width, height))
    fig.set_layout_engine("none")  # the axes are placed by hand
    plane_ax = fig.add_axes(
        (left / width, (bottom + bars_height + gap) / height, side / width, side / height)
    )
    bars_ax = fig.add_axes((left / width, bottom / height, side / width, bars_height / height))
    artists = _plane(plane_ax, ticks=4)
    bars, texts = _accuracy_bars(bars_ax, accuracies, accuracy_label, ticks=[0, 25, 50, 75, 100])
    drawn_line = []

    def draw(frame):
        j, t = frames[frame]
        points = stages[j] if t == 0.0 else (1 - t) * stages[j] + t * stages[j + 1]
        _show_plane(plane_ax, artists, points, y)
        title = "input" if frame == 0 else f"layer {j // 2 + 1}: {move_names[j % 2]}"
        plane_ax.set_title(title)
        reached = (j + (t == 1.0)) // 2  # layers completed
        for k, (bar, text) in enumerate(zip(bars, texts, strict=True)):
            bar.set_visible(k <= reached)
            text.set_visible(k <= reached)
        while drawn_line:
            drawn_line.pop().remove()
        if line is not None and frame == len(frames) - 1:
            drawn_line.append(_draw_line(plane_ax, line))

    draw(0)
    animation = FuncAnimation(fig, draw, frames=len(frames), interval=interval, blit=False)
    plt.close(fig)
    return animation
