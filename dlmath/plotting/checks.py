"""Checks of a finished figure: which of the palette's colours it draws, how small its text is.

They let the book's build check its figures: a caption may name only a colour that its
figure draws (:func:`colours_used`), and no text may be smaller than
:data:`~dlmath.plotting.MIN_TEXT_PT` points once the figure is shown in the book's
column (:func:`smallest_text_pt`).

**Shape convention.** Both functions take a :class:`matplotlib.figure.Figure` (or an
Axes, standing for its figure) and change nothing in it: they lay it out and draw it,
as showing it would.
"""

from __future__ import annotations

import math
import numbers

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure, FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text

from dlmath._validation import check_positive
from dlmath.plotting.style import BOOK_DPI, COLORS, COLUMN_WIDTH_IN

__all__ = ["colours_used", "smallest_text_pt"]

_NO_LINE = ("None", "none", "", " ")


def _as_figure(fig) -> Figure:
    if isinstance(fig, Axes):
        fig = fig.figure
    while isinstance(fig, FigureBase) and not isinstance(fig, Figure):  # a SubFigure
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure (or Axes); got {fig!r:.60}")
    return fig


def _content(container):
    """The artists that show the data of a figure or axes: not the frame, ticks or legend."""
    if isinstance(container, Axes):
        yield from (*container.lines, *container.collections, *container.patches)
        yield from (*container.texts, *container.artists, container.title)
        for child in container.child_axes:
            yield from _content(child)
        return
    yield from (*container.lines, *container.patches, *container.texts, *container.artists)
    for ax in container.axes:
        yield from _content(ax)
    for subfigure in container.subfigs:
        yield from _content(subfigure)


def _colours_of(artist):
    """The colours (RGBA) with which ``artist`` paints something visible."""
    if not artist.get_visible() or artist.get_alpha() == 0:
        return
    if isinstance(artist, Line2D):
        if len(artist.get_xdata()) == 0:
            return
        if artist.get_linestyle() not in _NO_LINE and artist.get_linewidth() > 0:
            yield mpl.colors.to_rgba(artist.get_color())
        if artist.get_marker() not in (None, *_NO_LINE):
            yield mpl.colors.to_rgba(artist.get_markerfacecolor())
            yield mpl.colors.to_rgba(artist.get_markeredgecolor())
    elif isinstance(artist, Text):
        # Black is the colour of every ordinary label, not a colour a caption points at.
        colour = mpl.colors.to_rgba(artist.get_color())
        if artist.get_text().strip() and not mpl.colors.same_color(colour, "black"):
            yield colour
        if isinstance(artist, Annotation) and artist.arrow_patch is not None:
            yield from _colours_of(artist.arrow_patch)
    elif isinstance(artist, Patch):
        if artist.get_fill():
            yield artist.get_facecolor()
        if artist.get_linewidth() > 0:
            yield artist.get_edgecolor()
    elif isinstance(artist, Collection):
        if len(artist.get_paths()) == 0 or len(artist.get_offsets()) == 0:
            return
        artist.update_scalarmappable()  # colour-mapped collections: colours from the map
        yield from map(tuple, artist.get_facecolor())
        if np.any(np.asarray(artist.get_linewidth()) > 0):
            yield from map(tuple, artist.get_edgecolor())


def colours_used(fig) -> set[str]:
    """The names, in :data:`~dlmath.plotting.COLORS`, of the colours a figure draws.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure (an Axes stands for its whole figure).

    Returns
    -------
    set of str
        Every palette name whose colour paints a line, a marker, a patch (a box, an
        arrow), a collection (scatter points, a line collection, contour lines, arrows
        of a quiver) or coloured text. A colour counts whatever its transparency (a
        10 % blue tint is blue) unless it is fully transparent.

    Notes
    -----
    Only what shows the data counts: the axes' frame, ticks, tick labels and grid do
    not, nor the legend (its keys repeat the colours of what they describe), nor
    images (colour-mapped rasters), nor text in black (every ordinary label is black).
    Colours that are not in the palette (white, the shades of a colour map, greys of
    other lightness) have no name and are left out: a caption must not name them.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import COLORS, colours_used
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], color=COLORS["blue"])
    >>> _ = ax.scatter([0.5], [0.2], color=COLORS["red"], edgecolors="white")
    >>> _ = ax.plot([0, 1], [1, 0], color="#123456")  # not a colour of the palette
    >>> sorted(colours_used(fig))
    ['blue', 'red']
    >>> plt.close(fig)
    """
    fig = _as_figure(fig)
    fig.draw_without_rendering()  # lays the figure out and builds what is drawn late
    names = {mpl.colors.to_hex(code): name for name, code in COLORS.items()}
    found = set()
    for artist in _content(fig):
        for rgba in _colours_of(artist):
            if len(rgba) == 4 and rgba[3] > 0:
                name = names.get(mpl.colors.to_hex(rgba, keep_alpha=False))
                if name is not None:
                    found.add(name)
    return found


class _TextRecorder(RendererAgg):
    """An Agg renderer that notes the size of every piece of text it draws."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.sizes: list[float] = []

    def _note(self, gc, s, prop) -> None:
        alpha = gc.get_rgb()[3] if gc.get_alpha() is None else gc.get_alpha()
        if s.strip() and alpha > 0:
            self.sizes.append(prop.get_size_in_points())

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        self._note(gc, s, prop)
        return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
        self._note(gc, s, prop)
        return super().draw_tex(gc, x, y, s, prop, angle, mtext=mtext)


def smallest_text_pt(fig, column_width_in=COLUMN_WIDTH_IN) -> float:
    r"""The size of the smallest text of a figure, in points, as the book's column shows it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure (an Axes stands for its whole figure).
    column_width_in : float, optional
        Width of the column, in inches at :data:`~dlmath.plotting.BOOK_DPI` dots per
        inch; by default the book's, :data:`~dlmath.plotting.COLUMN_WIDTH_IN`.

    Returns
    -------
    float
        The font size of the smallest visible text that drawing the figure draws (tick
        labels, axis labels, titles, legends, annotations, contour labels), multiplied
        by the factor by which the column shrinks the figure; ``inf`` when the figure
        has no text.

    Notes
    -----
    The figure is shown the way the book's notebooks show it: saved at its own
    resolution :math:`d` (``fig.dpi``) around its tight bounding box, padded by
    ``savefig.pad_inches`` on each side, and displayed one image pixel per pixel of
    the page, shrunk to the column's :math:`c \cdot D` pixels if wider (:math:`D` =
    ``BOOK_DPI``). The figure's width :math:`w` is taken as the larger of its own width
    and that padded box, so that the result is never too generous. Text of :math:`s`
    points is then shown at

    .. math:: s \, \frac{d}{D} \, \min\left(1, \frac{c \, D}{w \, d}\right)

    points of the book's figures (:math:`d = D` for every figure drawn under
    :func:`~dlmath.plotting.use_book_style`).

    Examples
    --------
    A figure twice as wide as the column shows its 10-point text at 5 points:

    >>> import matplotlib.pyplot as plt
    >>> from dlmath.plotting import BOOK_DPI, smallest_text_pt
    >>> fig = plt.figure(figsize=(8.0, 2.0), dpi=BOOK_DPI)
    >>> _ = fig.text(0.5, 0.5, "ten points", fontsize=10)
    >>> _ = fig.text(0.5, 0.2, "twenty points", fontsize=20)
    >>> round(smallest_text_pt(fig, column_width_in=4.0), 6)
    5.0
    >>> round(smallest_text_pt(fig, column_width_in=10.0), 6)  # shown at natural size
    10.0
    >>> plt.close(fig)
    """
    fig = _as_figure(fig)
    column_width_in = check_positive(column_width_in, "column_width_in")
    width_px, height_px = (max(1, math.ceil(v)) for v in fig.bbox.size)
    renderer = _TextRecorder(width_px, height_px, fig.dpi)
    fig.draw(renderer)
    if not renderer.sizes:
        return math.inf
    pad = mpl.rcParams["savefig.pad_inches"]
    pad = pad if isinstance(pad, numbers.Real) else 0.0
    saved = fig.get_tightbbox(renderer).width + 2 * pad
    shown_px = max(fig.get_figwidth(), saved) * fig.dpi
    scale = min(1.0, column_width_in * BOOK_DPI / shown_px)
    return float(min(renderer.sizes) * fig.dpi / BOOK_DPI * scale)
