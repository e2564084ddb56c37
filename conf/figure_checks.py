"""Checks of the book's figures at build time: captions name only colours that are drawn.

A caption that says "the red line" must sit under a figure that draws something red in
the book's palette (:data:`dlmath.plotting.COLORS`), not orange. For every figure with a
caption, this Sphinx extension finds the colour words of the caption, opens the figure's
image and looks for pixels of that colour, pure or faded over white (antialiased edges
and transparent fills are blends of a colour with the white page). A caption that names
a colour the image does not show, or a colour outside the palette, is a warning, which
``sphinx-build -W`` turns into an error.

Only chromatic colours are checked: grey and black are also the colours of every axis
and label, so an image always shows them.

The kernel side of the checks (text of at least 9 points in every figure) lives in
``conf/ipython_startup.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from dlmath.plotting.style import COLORS

#: The words a caption may use for each checked colour of the palette.
COLOUR_WORDS = {
    "sky": ("sky blue", "sky-blue", "light blue", "light-blue"),
    "blue": ("blue",),
    "orange": ("orange",),
    "green": ("green",),
    "red": ("red",),
    "pink": ("pink",),
    "yellow": ("yellow",),
}
#: Colour words that name no colour of the palette: a caption must not use them.
FOREIGN = ("purple", "violet", "magenta", "cyan", "brown", "turquoise", "vermilion")
#: How close (in 0..255 RGB units) a pixel must lie to a blend of the colour with white,
#: how much of the colour the blend must hold, and how many such pixels make a match.
TOLERANCE, MIN_SHARE, MIN_PIXELS = 18.0, 0.3, 12


def colours_named(caption: str) -> tuple[set[str], set[str]]:
    """The palette colours a caption names, and the foreign colour words it uses."""
    text = caption.lower()
    named = set()
    for colour, words in COLOUR_WORDS.items():
        for word in words:
            pattern = rf"(?<![\w-]){re.escape(word)}(?![\w-])"
            if re.search(pattern, text):
                named.add(colour)
                text = re.sub(pattern, " ", text)  # "sky blue" is not also "blue"
    foreign = {word for word in FOREIGN if re.search(rf"\b{word}\b", text)}
    return named, foreign


def colour_counts(rgb: np.ndarray) -> dict[str, int]:
    """How many pixels of an image (H x W x 3, 0..255) show each colour of the palette.

    Each pixel that is not the white page goes to the colour whose blends with white
    (a colour at any strength, as antialiased edges and transparent fills show it) it is
    nearest to, if it lies within :data:`TOLERANCE` of them and holds at least
    :data:`MIN_SHARE` of that colour.
    """
    white = np.full(3, 255.0)
    pixels = rgb.reshape(-1, 3).astype(float)
    pixels = pixels[np.abs(pixels - white).max(axis=1) > 2.0]
    names = list(COLORS)
    distances, shares = [], []
    for name in names:
        target = np.array([int(COLORS[name][i : i + 2], 16) for i in (1, 3, 5)], float)
        direction = white - target
        share = np.clip((white - pixels) @ direction / (direction @ direction), 0.0, 1.0)
        blend = white - share[:, None] * direction
        distances.append(np.linalg.norm(pixels - blend, axis=1))
        shares.append(share)
    distances, shares = np.array(distances), np.array(shares)
    nearest = distances.argmin(axis=0)
    columns = np.arange(pixels.shape[0])
    ok = (distances[nearest, columns] < TOLERANCE) & (shares[nearest, columns] >= MIN_SHARE)
    counts = np.bincount(nearest[ok], minlength=len(names))
    return {name: int(count) for name, count in zip(names, counts, strict=True)}


def shows_colour(rgb: np.ndarray, colour: str) -> bool:
    """Whether an image shows ``colour`` of the palette (see :func:`colour_counts`)."""
    return colour_counts(rgb)[colour] >= MIN_PIXELS


def read_rgb(path: Path) -> np.ndarray:
    """An image file as H x W x 3 values 0..255 (transparent pixels as the white page)."""
    from PIL import Image

    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=float)
    alpha = rgba[..., 3:] / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def caption_problems(caption: str, rgb: np.ndarray) -> list[str]:
    """What is wrong between a caption and the image under it, as sentences."""
    named, foreign = colours_named(caption)
    problems = [f"the caption names {word!r}, which the palette lacks" for word in foreign]
    counts = colour_counts(rgb) if named else {}
    problems += [
        f"the caption names {colour!r} but the figure shows no {colour}"
        for colour in sorted(named)
        if counts[colour] < MIN_PIXELS
    ]
    return problems


def _check_doctree(app, doctree, docname) -> None:
    from docutils import nodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for figure in doctree.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        images = list(figure.findall(nodes.image))
        if not captions or not images:
            continue
        caption = captions[0].astext()
        for image in images:
            path = _image_path(app, image["uri"], docname)
            if path is None:
                continue
            for problem in caption_problems(caption, read_rgb(path)):
                logger.warning(
                    f"figure {figure.get('ids', ['?'])[0]!r}: {problem}",
                    location=(docname, figure.line),
                    type="dlmath",
                    subtype="figure",
                )


def _image_path(app, uri: str, docname: str) -> Path | None:
    if uri.startswith(("http:", "https:", "data:")) or not uri.lower().endswith(".png"):
        return None
    _, absolute = app.env.relfn2path(uri, docname)
    path = Path(absolute)
    return path if path.is_file() else None


def setup(app):
    app.connect("doctree-resolved", _check_doctree)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
