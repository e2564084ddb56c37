"""Figures of the MNIST chapter: grids of digit images and training curves.

**Shape convention.** Images are a stack of shape (n, height, width), or dlmath's layout
of 28 × 28 images flattened one per column, shape (784, n); labels and predictions are
vectors of n class indices. A training history maps a metric's name to its values, one
per epoch, as ``fit`` (and Keras's ``History.history``) returns it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import (
    as_float_array,
    as_labels,
    check_positive,
    check_positive_int,
    check_shape,
)
from dlmath.plotting.style import _CYCLE, COLORS, FIGURE_WIDTH_IN, new_axes

__all__ = ["digit_grid", "training_curves"]

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
