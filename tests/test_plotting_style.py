"""Tests of dlmath.plotting.style: the palette, the book's style and what figures share."""

import colorsys
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from dlmath import plotting
from dlmath.plotting.style import _fit_to_column

pytestmark = pytest.mark.usefixtures("close_figures")


def _hue_saturation_value(name):
    return colorsys.rgb_to_hsv(*mpl.colors.to_rgb(plotting.COLORS[name]))


# Hues (degrees, HSV) at which a reader names a colour with the palette's word for it.
HUES = {
    "red": (-15, 15),
    "orange": (25, 45),
    "yellow": (48, 65),
    "green": (90, 170),
    "sky": (185, 230),
    "blue": (185, 230),
    "pink": (290, 345),
}


@pytest.mark.parametrize("name", sorted(HUES))
def test_each_colour_of_the_palette_looks_like_its_name(name):
    hue, saturation, _ = _hue_saturation_value(name)
    degrees = hue * 360 if hue * 360 < 345 else hue * 360 - 360
    low, high = HUES[name]
    assert low <= degrees <= high, f"{name} has hue {degrees:.0f}°"
    assert saturation > 0.35  # a colour, not a grey


def test_the_greys_are_grey_and_sky_is_lighter_than_blue():
    for name in ("grey", "black"):
        assert _hue_saturation_value(name)[1] == 0
    assert _hue_saturation_value("black")[2] == 0
    assert 0.3 < _hue_saturation_value("grey")[2] < 0.7
    assert _hue_saturation_value("sky")[2] > _hue_saturation_value("blue")[2]


def test_the_palette_has_one_name_per_colour_and_cannot_be_changed():
    codes = [mpl.colors.to_hex(code) for code in plotting.COLORS.values()]
    assert len(set(codes)) == len(codes)
    with pytest.raises(TypeError):
        plotting.COLORS["red"] = "#D55E00"


def test_the_classes_are_red_and_blue():
    class_0, class_1 = plotting.CLASS_COLORS
    assert (class_0, class_1) == (plotting.COLORS["red"], plotting.COLORS["blue"])


def test_use_book_style_sets_the_palette_size_and_resolution():
    with mpl.rc_context():
        plotting.use_book_style()
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        assert colors[:4] == [plotting.COLORS[name] for name in ("blue", "orange", "green", "red")]
        assert set(colors) <= set(plotting.COLORS.values())
        assert mpl.rcParams["savefig.facecolor"] == "white"
        assert mpl.rcParams["figure.dpi"] == plotting.BOOK_DPI
        assert mpl.rcParams["figure.figsize"][0] == pytest.approx(plotting.FIGURE_WIDTH_IN)


def test_the_default_figure_fits_the_column_with_its_margins():
    assert plotting.FIGURE_WIDTH_IN + 2 * plotting.BOOK_STYLE["savefig.pad_inches"] == (
        pytest.approx(plotting.COLUMN_WIDTH_IN)
    )
    column_px = plotting.COLUMN_WIDTH_IN * plotting.BOOK_DPI
    assert column_px == pytest.approx(672)  # as measured in the built book


def test_fit_to_column_shrinks_wide_figures_and_keeps_their_shape():
    assert _fit_to_column(3.0, 2.0) == (3.0, 2.0)
    width, height = _fit_to_column(2 * plotting.FIGURE_WIDTH_IN, 4.0)
    assert width == pytest.approx(plotting.FIGURE_WIDTH_IN)
    assert height == pytest.approx(2.0)


def test_new_axes_returns_the_given_axes_or_a_new_one():
    _, ax = plt.subplots()
    assert plotting.new_axes(ax) is ax
    assert plotting.new_axes() is not ax
    left, right = plotting.new_axes(ncols=2)
    assert left.figure is right.figure


def test_animation_html_embeds_every_frame_and_loads_nothing_from_other_sites():
    animation = plotting.animate_descent(lambda x: x**2, [2.0, 1.0, 0.5])
    html = plotting.animation_html(animation, alt="Three steps.", default_mode="loop")
    assert html.count("data:image/png;base64") == 3
    assert "font-awesome" not in html
    assert "https://" not in html
    assert "http://" not in html
    loop_button = html[html.index('value="loop"') :]
    assert loop_button[: loop_button.index(">")].rstrip().endswith("checked")


def test_animation_html_validates_its_arguments():
    with pytest.raises(TypeError, match="Animation"):
        plotting.animation_html("not an animation", alt="A walk.")
    animation = plotting.animate_descent(lambda x: x**2, [2.0, 1.0])
    with pytest.raises(ValueError, match="default_mode"):
        plotting.animation_html(animation, alt="A walk.", default_mode="bounce")
    with pytest.raises(TypeError, match="alt must be a str"):
        plotting.animation_html(animation, alt=None)
    with pytest.raises(ValueError, match="alt must say"):
        plotting.animation_html(animation, alt="  ")
    assert plotting.animation_html(animation, alt="A walk.").count("data:image/png;base64") == 2


def test_animation_html_labels_its_image_and_slider():
    animation = plotting.animate_descent(lambda x: x**2, [2.0, 1.0])
    html = plotting.animation_html(animation, alt='Steps "down"\n a parabola & back.')
    image = re.search(r"<img [^>]*>", html).group(0)
    assert 'alt="Steps &quot;down&quot; a parabola &amp; back."' in image
    slider = re.search(r'<input id="_anim_slider[^>]*>', html, re.DOTALL).group(0)
    assert 'aria-label="Frame"' in slider
