"""The book's palette, its matplotlib style, and what the figure modules share.

Every figure of the book takes its colours from ``COLORS``, one palette whose names
are the words a caption uses ("the red arrow", "the blue square"), and is drawn at a size
that the book's main column shows without shrinking its text below
``MIN_TEXT_PT`` points (:func:`dlmath.plotting.smallest_text_pt` measures it). The
public constants are documented in :mod:`dlmath.plotting`, which re-exports them.

**Shape convention.** This module draws no data. The modules that do follow dlmath's
convention: points of the plane are the columns of a (2, N) matrix, data sets have one
example per column.
"""

from __future__ import annotations

import re
from types import MappingProxyType

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = [
    "BOOK_DPI",
    "BOOK_STYLE",
    "CLASS_COLORS",
    "COLORS",
    "COLUMN_WIDTH_IN",
    "FIGURE_WIDTH_IN",
    "MIN_TEXT_PT",
    "animation_html",
    "new_axes",
    "use_book_style",
]

# The book's palette (documented where dlmath.plotting re-exports it). Blue, orange,
# green, pink (Okabe & Ito's "reddish purple"), sky blue and yellow are Okabe & Ito's
# colour-blind-safe colours. Red is a true red in place of their vermilion #D55E00, which
# readers see as orange: under the protanopia, deuteranopia and tritanopia of Machado et
# al. (2009), severity 1, #CC2222 stays at least 28 CIELAB units from every other colour
# here, farther than vermilion was from orange (18).
COLORS = MappingProxyType(
    {
        "blue": "#0072B2",
        "orange": "#E69F00",
        "green": "#009E73",
        "red": "#CC2222",
        "pink": "#CC79A7",
        "sky": "#56B4E9",
        "yellow": "#F0E442",
        "grey": "#7F7F7F",
        "black": "#000000",
    }
)

# The colours given in turn to curves drawn without a colour of their own.
_CYCLE = ("blue", "orange", "green", "red", "pink", "sky", "yellow", "grey")

CLASS_COLORS = (COLORS["red"], COLORS["blue"])

# The notebooks save every figure at its own dpi (figure.dpi of BOOK_STYLE), and the
# page shows one image pixel per CSS pixel, or fewer when the image is wider than the
# column.
BOOK_DPI = 110

# The width of the book's main column, measured on the built book (sphinx-build -c conf
# -b html book build/html; sphinx-book-theme) in headless Chromium (Playwright driving
# /usr/bin/chromium) with a 1280 x 900 window and a device pixel ratio of 1:
# article.bd-article is 752 CSS px wide with 32 px of padding on each side (688 px of
# content), the <figure> around a cell's image has 8 px of padding on each side, and an
# image wider than that (max-width: 100%) is shown 672 px wide. At BOOK_DPI,
# 672 px / 110 = 6.11 in.
COLUMN_WIDTH_IN = 672 / BOOK_DPI

# The notebooks save a figure's tight bounding box padded by savefig.pad_inches (0.1 in)
# on each side: a figure this wide is shown at its natural size.
FIGURE_WIDTH_IN = COLUMN_WIDTH_IN - 0.2

MIN_TEXT_PT = 9.0

# Size of secondary text (contour labels, notes under a diagram), in points: a figure of
# the default size shows it at natural size, above MIN_TEXT_PT.
_SMALL_TEXT_PT = 10

# A figure of the default size is shown at its natural size in the book's column, so its
# 11-point text stays 11 points.
BOOK_STYLE = {
    "figure.figsize": (FIGURE_WIDTH_IN, 0.625 * FIGURE_WIDTH_IN),
    "figure.dpi": BOOK_DPI,
    "savefig.dpi": BOOK_DPI,
    "savefig.pad_inches": 0.1,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=[COLORS[name] for name in _CYCLE]),
    "font.size": 11,
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


def use_book_style() -> None:
    """Apply :data:`~dlmath.plotting.BOOK_STYLE` to matplotlib's global settings.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from dlmath.plotting import use_book_style
    >>> use_book_style()
    >>> mpl.rcParams["axes.spines.top"], mpl.rcParams["figure.dpi"]
    (False, 110.0)
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


def _fit_to_column(width: float, height: float) -> tuple[float, float]:
    """A figure size no wider than :data:`FIGURE_WIDTH_IN`, with the same aspect ratio."""
    if width <= FIGURE_WIDTH_IN:
        return width, height
    return FIGURE_WIDTH_IN, height * FIGURE_WIDTH_IN / width


def animation_html(animation, *, alt, default_mode="once") -> str:
    """An animation as a self-contained HTML player that needs no network.

    Parameters
    ----------
    animation : matplotlib.animation.Animation
        For example the result of :func:`dlmath.plotting.animate_descent`.
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
