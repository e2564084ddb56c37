"""Tests of conf/figure_checks.py: captions name only colours that their figures draw."""

import importlib.util
import sys
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt

from dlmath.plotting import COLORS

CONF = Path(__file__).resolve().parents[1] / "conf"
spec = importlib.util.spec_from_file_location("figure_checks", CONF / "figure_checks.py")
figure_checks = importlib.util.module_from_spec(spec)
sys.modules["figure_checks"] = figure_checks
spec.loader.exec_module(figure_checks)


def render(draw) -> np.ndarray:
    fig, ax = plt.subplots(figsize=(3, 2), dpi=80)
    draw(ax)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)
    plt.close(fig)
    return rgb


@pytest.mark.parametrize(
    ("caption", "named", "foreign"),
    [
        ("The red line and the sky blue points.", {"red", "sky"}, set()),
        ("A light-blue band, a blue curve, orange dots.", {"sky", "blue", "orange"}, set()),
        ("Reduced error; greenish? No: green.", {"green"}, set()),
        ("A purple arrow.", set(), {"purple"}),
        ("Predicted and desired values.", set(), set()),
    ],
)
def test_colours_named_by_a_caption(caption, named, foreign):
    assert figure_checks.colours_named(caption) == (named, foreign)


def test_a_line_shows_its_colour_and_not_its_neighbours():
    rgb = render(lambda ax: ax.plot([0, 1], [0, 1], color=COLORS["orange"], lw=2))
    assert figure_checks.shows_colour(rgb, "orange")
    for other in ("red", "yellow", "blue", "sky", "green", "pink"):
        assert not figure_checks.shows_colour(rgb, other), other


def test_faded_fills_count_as_their_colour():
    rgb = render(lambda ax: ax.fill_between([0, 1], 0, 1, color=COLORS["blue"], alpha=0.3))
    assert figure_checks.shows_colour(rgb, "blue")
    assert not figure_checks.shows_colour(rgb, "sky")


def test_a_caption_naming_red_under_an_orange_figure_is_a_problem():
    rgb = render(lambda ax: ax.scatter([0, 1], [0, 1], color=COLORS["orange"], s=200))
    assert figure_checks.caption_problems("The orange points.", rgb) == []
    assert figure_checks.caption_problems("The red points, in purple.", rgb) == [
        "the caption names 'purple', which the palette lacks",
        "the caption names 'red' but the figure shows no red",
    ]


def test_transparent_pixels_read_as_the_white_page(tmp_path):
    from PIL import Image

    rgba = np.zeros((20, 20, 4), np.uint8)  # fully transparent black
    rgba[5:15, 5:15] = [*(int(COLORS["green"][i : i + 2], 16) for i in (1, 3, 5)), 255]
    Image.fromarray(rgba).save(tmp_path / "f.png")
    rgb = figure_checks.read_rgb(tmp_path / "f.png")
    assert rgb[0, 0].tolist() == [255.0, 255.0, 255.0]
    assert figure_checks.shows_colour(rgb, "green")
