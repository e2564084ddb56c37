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

__all__ = ["BOOK_STYLE", "COLORS", "new_axes", "use_book_style"]

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

# === Chapter 3: rates of change ======================================================

# === Chapter 4: the intuition of deep learning =======================================

# === Chapter 5: layers and activation functions ======================================

# === Chapters 6-8: loss, gradient descent, backpropagation ===========================

# === Chapter 9: MNIST ================================================================
