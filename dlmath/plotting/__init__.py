"""Figures for the book, drawn with matplotlib.

This package is the only part of dlmath that imports matplotlib; ``import dlmath`` does
not import it. The functions draw on a :class:`matplotlib.axes.Axes` when one is given
(``ax=``) and otherwise create a figure, and they return what they drew on, so that a
chapter can add to it. They compute nothing that dlmath's other modules compute: they
are given the numbers and draw them. Every name is available here,
``plotting.plot_network(...)``, whichever module defines it.

Every figure takes its colours from one palette, :data:`COLORS`, whose names are the
words the captions use; :func:`colours_used` tells which of them a figure draws, so
that a caption can be checked against its figure. Figures are sized for the book's
column, :data:`COLUMN_WIDTH_IN` inches wide, where :func:`smallest_text_pt` measures
their smallest text (at least :data:`MIN_TEXT_PT` points).

**Shape convention.** As everywhere in dlmath, points of the plane are the columns of a
(2, N) matrix and data sets have one example per column; each module states the shapes
it draws.

Modules
-------
``style``
    The palette, :func:`use_book_style`, :func:`new_axes` and :func:`animation_html`.
``checks``
    :func:`colours_used` and :func:`smallest_text_pt`, checks of a finished figure.
``geometry``
    The plane: transformations (Chapter 2), two classes, lines, decision regions and
    representations (Chapter 4).
``deformation``
    The plane deformed by a network's layers, as key frames and as an animation
    (Chapter 4).
``calculus``
    Tangents, step errors and gradient fields (Chapter 3), activation functions and
    other curves (Chapter 5), the noise of mini-batch gradients (Chapter 7).
``networks``
    The roadmap (Chapters 4 to 7), network diagrams (Chapter 5) and the graph of the
    forward and backward sweeps (Chapter 8).
``descent``
    Residuals, fitted lines, series, descents and losses per step (Chapters 6 to 8).
``digits``
    Digit images, training curves and the spread of several runs (Chapter 9).
"""

from __future__ import annotations

from dlmath.plotting import networks, style
from dlmath.plotting.calculus import (
    plot_activation,
    plot_curves,
    plot_gradient_field,
    plot_gradient_noise,
    plot_step_errors,
    plot_tangent,
)
from dlmath.plotting.checks import colours_used, smallest_text_pt
from dlmath.plotting.deformation import animate_deformation, plot_deformation
from dlmath.plotting.descent import (
    animate_descent,
    plot_descent_contour,
    plot_descent_path,
    plot_fit_progress,
    plot_residuals,
    plot_series,
    plot_step_losses,
)
from dlmath.plotting.digits import digit_grid, plot_spread, plot_spread_dots, training_curves
from dlmath.plotting.geometry import (
    plot_decision_regions,
    plot_line,
    plot_representations,
    plot_transformation,
    plot_two_classes,
)
from dlmath.plotting.networks import plot_backprop_graph, plot_network, plot_roadmap
from dlmath.plotting.style import animation_html, new_axes, use_book_style

__all__ = [
    "BOOK_DPI",
    "BOOK_STYLE",
    "CLASS_COLORS",
    "COLORS",
    "COLUMN_WIDTH_IN",
    "FIGURE_WIDTH_IN",
    "MIN_TEXT_PT",
    "ROADMAP_STAGES",
    "animate_deformation",
    "animate_descent",
    "animation_html",
    "colours_used",
    "digit_grid",
    "new_axes",
    "plot_activation",
    "plot_backprop_graph",
    "plot_curves",
    "plot_decision_regions",
    "plot_deformation",
    "plot_descent_contour",
    "plot_descent_path",
    "plot_fit_progress",
    "plot_gradient_field",
    "plot_gradient_noise",
    "plot_line",
    "plot_network",
    "plot_representations",
    "plot_residuals",
    "plot_roadmap",
    "plot_series",
    "plot_spread",
    "plot_spread_dots",
    "plot_step_errors",
    "plot_step_losses",
    "plot_tangent",
    "plot_transformation",
    "plot_two_classes",
    "smallest_text_pt",
    "training_curves",
    "use_book_style",
]

# The constants are defined in dlmath.plotting.style; their documentation is here, under
# the names the book uses.

#: The book's palette, a read-only mapping of colour name → hex code: blue, orange,
#: green, red, pink, sky (sky blue), yellow, grey and black. Each colour looks like its
#: name, and a caption names a colour by it (only if its figure draws it: see
#: :func:`colours_used`). Blue, orange, green, pink, sky and yellow are Okabe and Ito's
#: colour-blind-safe colours; red is a true red (``#CC2222``) that stays well apart from
#: the others under simulated colour blindness, in place of their vermilion, which
#: readers see as orange.
COLORS = style.COLORS

#: The colours of the two classes of Chapter 4 (the red and the blue paper), class 0
#: first: red and blue of :data:`COLORS`.
CLASS_COLORS = style.CLASS_COLORS

#: The resolution of the book's figures, in dots per inch. The notebooks save a figure
#: at its own ``dpi`` (this one under :func:`use_book_style`), and the page shows one
#: pixel of the image per pixel of the page, or fewer when the image is wider than the
#: column.
BOOK_DPI = style.BOOK_DPI

#: The width of the book's main column, in inches at :data:`BOOK_DPI`: 672 / 110 = 6.11.
#: Measured on the built book in headless Chromium at a 1280-pixel-wide window: an image
#: wider than the column is shown 672 CSS pixels wide (the article's 752 pixels less
#: its padding, 2 × 32, and the figure's, 2 × 8). The measurement is described where
#: the constant is defined, in ``dlmath/plotting/style.py``.
COLUMN_WIDTH_IN = style.COLUMN_WIDTH_IN

#: The width of a figure, in inches, that the column shows at its natural size: the
#: column less the 0.1-inch margins with which the notebooks save a figure.
FIGURE_WIDTH_IN = style.FIGURE_WIDTH_IN

#: The smallest text, in points, that a figure may show in the book's column (as
#: :func:`smallest_text_pt` measures it).
MIN_TEXT_PT = style.MIN_TEXT_PT

#: matplotlib settings shared by every figure of the book (:func:`use_book_style`
#: applies them): the palette as the colour cycle, 11-point text, white background, and
#: a default size of :data:`FIGURE_WIDTH_IN` × 0.625 of it, which the column shows at
#: its natural size.
BOOK_STYLE = style.BOOK_STYLE

#: The stages of the slides' roadmap, in their order ("Deep Learning Roadmap: Layers",
#: "… Loss", "… Optimization"); :func:`plot_roadmap` highlights any one of them.
ROADMAP_STAGES = networks.ROADMAP_STAGES
