"""Figures of the MNIST chapter: grids of digit images, training curves, and results
repeated over several runs.

**Shape convention.** Images are a stack of shape (n, height, width), or dlmath's layout
of 28 × 28 images flattened one per column, shape (784, n); labels and predictions are
vectors of n class indices. A training history maps a metric's name to its values, one
per epoch, as ``fit`` (and Keras's ``History.history``) returns it. Results repeated over
several runs (seeds) are a matrix of shape (runs, points): one row per run.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import (
    as_float_array,
    as_labels,
    as_row,
    as_tuple,
    check_positive,
    check_positive_int,
    check_real,
    check_shape,
)
from dlmath.plotting.style import _CYCLE, COLORS, FIGURE_WIDTH_IN, new_axes

__all__ = ["digit_grid", "plot_spread", "plot_spread_dots", "training_curves"]

#: Size of the titles of the digits, in points; a grid as wide as the column shows them
#: at natural size.
_TITLE_PT = 10


def digit_grid(images, labels=None, predictions=None, ncols: int = 10, size=None):
    """Draw digit images in a grid, with their labels (and predictions) as titles.

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (784, n)
        A stack of images, or 28 × 28 images flattened one per column (dlmath's layout).
    labels : array_like of int, shape (n,), optional
        True classes, shown above each image.
    predictions : array_like of int, shape (n,), optional
        Predicted classes; shown as ``true → predicted``, in red where they differ (with
        ``labels`` only).
    ncols : int, optional
        Images per row.
    size : float, optional
        Width and height of one image, in inches; by default 0.9, or less so that the
        grid is no wider than the book's column (whose text stays readable there).

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
    images = as_float_array(images, "images", ndim=(2, 3), allow_empty=True)
    if images.ndim == 2 and images.shape[0] == 784:
        images = images.T.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(
            f"images must have shape (n, height, width) or (784, n); got {np.shape(images)}"
        )
    n = images.shape[0]
    if n == 0:
        raise ValueError("images must not be empty")
    if labels is not None:
        labels = as_labels(labels, "labels")
        check_shape(labels, "labels", (n,))
    if predictions is not None:
        if labels is None:
            raise ValueError("predictions are shown beside the labels: pass labels too")
        predictions = as_labels(predictions, "predictions")
        check_shape(predictions, "predictions", (n,))
    ncols = min(check_positive_int(ncols, "ncols"), n)
    size = min(0.9, FIGURE_WIDTH_IN / ncols) if size is None else check_positive(size, "size")
    nrows = -(-n // ncols)
    title_height = 1.6 * _TITLE_PT / 72 if labels is not None else 0.0
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * size, nrows * (size + title_height)),
        squeeze=False,
        layout="constrained",
    )
    fig.get_layout_engine().set(w_pad=0.01, h_pad=0.01, wspace=0.0, hspace=0.0)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.remove()
            continue
        ax.imshow(images[k], cmap="gray_r", interpolation="nearest")
        ax.set_axis_off()
        if labels is not None:
            title, color = f"{labels[k]}", COLORS["black"]
            if predictions is not None:
                title = f"{labels[k]} → {predictions[k]}"
                color = COLORS["red"] if predictions[k] != labels[k] else COLORS["black"]
            ax.set_title(title, fontsize=_TITLE_PT, color=color, pad=2)
    return fig


def training_curves(histories, metric: str = "accuracy", ax=None):
    """Plot a metric per epoch for several training runs, training and validation.

    Parameters
    ----------
    histories : dict of str to dict
        Run name → history as returned by ``fit`` (``{"accuracy": [...],
        "val_accuracy": [...], ...}``, Keras's ``History.history`` works too). Each
        run takes the next colour of the book's palette (blue, orange, green…).
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
    if not isinstance(histories, dict) or not histories:
        raise ValueError(f"histories must name at least one run; got {histories!r:.60}")
    curves = {}
    for name, history in histories.items():
        if metric not in history:
            raise ValueError(f"history {name!r} has no {metric!r}; it has {sorted(history)}")
        values = as_float_array(history[metric], f"{name!r}'s {metric}", ndim=1)
        curves[name] = {"training": values}
        if f"val_{metric}" in history:
            val = as_float_array(history[f"val_{metric}"], f"{name!r}'s val_{metric}", ndim=1)
            check_shape(val, f"{name!r}'s val_{metric}", values.shape, like=metric)
            curves[name]["test"] = val
    ax = new_axes(ax)
    epochs = np.arange(1, max(c["training"].size for c in curves.values()) + 1)
    for k, (name, curve) in enumerate(curves.items()):
        color = COLORS[_CYCLE[k % len(_CYCLE)]]
        ax.plot(
            epochs[: curve["training"].size],
            curve["training"],
            marker="o",
            color=color,
            label=f"{name}, training",
        )
        if "test" in curve:
            ax.plot(
                epochs[: curve["test"].size],
                curve["test"],
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


#: The line styles :func:`plot_spread` accepts.
_LINESTYLES = ("-", "--", ":", "-.")


def _palette_colour(color, name: str) -> str:
    if not (isinstance(color, str) and color in COLORS):
        raise ValueError(
            f"{name} must be a colour of the book's palette {list(COLORS)}; got {color!r:.60}"
        )
    return COLORS[color]


def _optional_text(value, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None; got {value!r:.60}")
    return value


def plot_spread(values, x=None, *, label=None, color="blue", linestyle="-", ax=None):
    r"""Plot the mean of several runs as a line, in a band from their minimum to maximum.

    Parameters
    ----------
    values : array_like, shape (runs, points)
        One row per run (one seed, say), one column per point of the horizontal axis.
    x : array_like, shape (points,), optional
        Where the points lie on the horizontal axis; by default 1, 2, …, points (the
        epochs of a training run).
    label : str, optional
        Legend entry of the line.
    color : str, optional
        A colour of the book's palette (:data:`~dlmath.plotting.COLORS`), for the line and
        its band.
    linestyle : {"-", "--", ":", "-."}, optional
        Style of the line.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The line joins the means over the :math:`R` runs, :math:`\bar v_j = \frac1R \sum_r
    v_{rj}`; the band, drawn faint in the same colour, spans
    :math:`[\min_r v_{rj}, \max_r v_{rj}]` at every point. With one run it is the line
    alone.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_spread
    >>> ax = plot_spread([[0.90, 0.95], [0.92, 0.97]], label="test accuracy")
    >>> ax.lines[0].get_xydata().tolist()
    [[1.0, 0.91], [2.0, 0.96]]
    >>> plt.close("all")
    """
    values = as_float_array(values, "values", ndim=2)
    points = values.shape[1]
    if x is None:
        x = np.arange(1, points + 1, dtype=float)
    else:
        x = as_row(x, "x")
        check_shape(x, "x", (points,), like="a row of values")
    label = _optional_text(label, "label")
    colour = _palette_colour(color, "color")
    if linestyle not in _LINESTYLES:
        raise ValueError(f"linestyle must be one of {_LINESTYLES}; got {linestyle!r:.60}")
    ax = new_axes(ax)
    if values.shape[0] > 1:
        ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.2, lw=0)
    ax.plot(x, values.mean(axis=0), color=colour, linestyle=linestyle, marker="o", label=label)
    return ax


def plot_spread_dots(values, names, *, threshold=None, ylabel=None, ax=None):
    r"""Show the results of several runs for several groups: one dot per run, and the mean.

    Parameters
    ----------
    values : array_like, shape (runs, groups)
        One row per run (one seed, say), one column per group (a digit, a model…).
    names : sequence of str, length groups
        The groups' names, written under the horizontal axis.
    threshold : tuple (value, label), optional
        A level to compare with, drawn as a dashed grey line with its label in the
        legend.
    ylabel : str, optional
        Label of the vertical axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
        Its first line holds every dot (blue), its second the means (short black bars),
        and its third the threshold, if any.

    Notes
    -----
    The dots of group :math:`j` lie side by side around :math:`x = j`, run 0 on the left,
    and the black bar at the mean :math:`\bar v_j = \frac1R \sum_r v_{rj}`. No bar
    starts at zero: results such as accuracies near 1 stay readable.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import plot_spread_dots
    >>> ax = plot_spread_dots([[0.91, 0.97], [0.93, 0.98]], ["pixels", "hidden"])
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['pixels', 'hidden']
    >>> ax.lines[0].get_ydata().tolist()
    [0.91, 0.93, 0.97, 0.98]
    >>> plt.close("all")
    """
    values = as_float_array(values, "values", ndim=2)
    runs, groups = values.shape
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a sequence of strings; got {names!r:.60}")
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"names must be a sequence of strings; got {names!r:.60}")
    names = list(names)
    if len(names) != groups:
        raise ValueError(
            f"names must have one entry per column of values ({groups}); got {len(names)}"
        )
    if threshold is not None:
        level, text = as_tuple(threshold, "threshold", 2, form="(value, label)")
        threshold = (check_real(level, "threshold[0]"), _optional_text(text, "threshold[1]"))
    ylabel = _optional_text(ylabel, "ylabel")
    ax = new_axes(ax)
    offsets = np.linspace(-0.15, 0.15, runs) if runs > 1 else np.zeros(1)
    x = (np.arange(groups)[:, None] + offsets[None, :]).ravel()
    ax.plot(x, values.T.ravel(), "o", color=COLORS["blue"], label="each run")
    means = values.mean(axis=0)
    bars_x = np.column_stack(
        [np.arange(groups) - 0.3, np.arange(groups) + 0.3, np.full(groups, np.nan)]
    )
    bars_y = np.column_stack([means, means, np.full(groups, np.nan)])
    ax.plot(bars_x.ravel(), bars_y.ravel(), color=COLORS["black"], lw=2.0, label="mean")
    if threshold is not None:
        ax.axhline(threshold[0], color=COLORS["grey"], lw=1.2, ls="--", label=threshold[1])
    ax.set_xticks(np.arange(groups), names)
    ax.set_xlim(-0.6, groups - 0.4)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.legend()
    return ax
