"""Tests of dlmath.plotting.checks, and of every figure against them."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dlmath import plotting
from dlmath.layers import Dense, Sequential

pytestmark = pytest.mark.usefixtures("close_figures")

C = plotting.COLORS


# === colours_used ====================================================================


def test_colours_used_names_lines_markers_collections_and_patches():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=C["blue"])
    ax.plot([0.5], [0.5], "o", markerfacecolor=C["red"], markeredgecolor=C["green"])
    ax.scatter([0.2, 0.4], [0.1, 0.3], color=C["orange"], edgecolors="white")
    ax.add_patch(Rectangle((0.1, 0.1), 0.2, 0.2, facecolor=C["sky"], edgecolor="none"))
    ax.annotate("", xy=(1, 1), xytext=(0, 0), arrowprops={"color": C["pink"]})
    ax.text(0.5, 0.9, "a note", color=C["grey"])
    assert plotting.colours_used(fig) == {"blue", "red", "green", "orange", "sky", "pink", "grey"}
    assert plotting.colours_used(ax) == plotting.colours_used(fig)  # an Axes for its figure


def test_colours_used_counts_tints_and_ignores_what_does_not_show_data():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=C["blue"], alpha=0.2, label="a tint is still blue")
    ax.plot([0, 1], [1, 0], color=C["red"], visible=False)
    ax.plot([0, 1], [1, 1], color=C["green"], alpha=0.0)
    ax.plot([], [], color=C["orange"])
    ax.scatter([], [], color=C["pink"])
    ax.imshow(np.eye(2), cmap=ListedColormap([C["yellow"], C["sky"]]))
    ax.set_title("black titles, ticks and labels are not counted")
    ax.tick_params(colors=C["grey"])
    ax.plot([0, 1], [0.5, 0.5], color="#123456")  # not a colour of the palette
    ax.legend()
    assert plotting.colours_used(fig) == {"blue"}


def test_colours_used_names_black_when_a_line_is_black():
    fig, ax = plt.subplots()
    ax.axhline(0.0, color="black")
    assert plotting.colours_used(fig) == {"black"}
    assert plotting.colours_used(plt.figure()) == set()


def test_colours_used_reads_a_colour_mapped_collection_from_its_map():
    fig, ax = plt.subplots()
    points = ax.scatter([0, 1], [0, 1], c=[0.0, 1.0], cmap=ListedColormap([C["red"], C["blue"]]))
    assert points.get_array() is not None
    assert plotting.colours_used(fig) == {"red", "blue"}


def test_colours_used_rejects_what_is_not_a_figure():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plotting.colours_used("figure")


# === smallest_text_pt ================================================================


def _figure(width, dpi=plotting.BOOK_DPI):
    return plt.figure(figsize=(width, 2.0), dpi=dpi, layout="none")


def test_smallest_text_pt_is_the_smallest_font_of_a_figure_narrower_than_the_column():
    fig = _figure(3.0)
    fig.text(0.1, 0.5, "big", fontsize=14)
    fig.text(0.1, 0.2, "small", fontsize=9.5)
    fig.text(0.1, 0.8, "", fontsize=2)  # empty text draws nothing
    fig.text(0.1, 0.9, "hidden", fontsize=3, visible=False)
    assert plotting.smallest_text_pt(fig) == pytest.approx(9.5)


def test_smallest_text_pt_counts_tick_labels_only_when_they_are_drawn():
    fig, ax = plt.subplots(figsize=(3.0, 2.0), dpi=plotting.BOOK_DPI)
    ax.set_title("title", fontsize=12)
    ax.tick_params(labelsize=7)
    assert plotting.smallest_text_pt(fig) == pytest.approx(7)
    ax.set_axis_off()
    assert plotting.smallest_text_pt(fig) == pytest.approx(12)


def test_smallest_text_pt_shrinks_text_with_a_figure_wider_than_the_column():
    fig = _figure(2 * plotting.COLUMN_WIDTH_IN)
    fig.text(0.1, 0.5, "ten points", fontsize=10)
    assert plotting.smallest_text_pt(fig) == pytest.approx(5.0)
    assert plotting.smallest_text_pt(fig, column_width_in=plotting.COLUMN_WIDTH_IN / 2) == (
        pytest.approx(2.5)
    )


def test_smallest_text_pt_counts_what_sticks_out_of_the_figure():
    # The notebooks save everything drawn: text beyond the right edge widens the image.
    fig = _figure(plotting.COLUMN_WIDTH_IN)
    fig.text(0.5, 0.5, "x" * 80, fontsize=10)  # far wider than the half figure it starts in
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    saved = fig.get_tightbbox(renderer).width + 2 * plt.rcParams["savefig.pad_inches"]
    assert saved > plotting.COLUMN_WIDTH_IN
    assert plotting.smallest_text_pt(fig) == pytest.approx(10 * plotting.COLUMN_WIDTH_IN / saved)


def test_smallest_text_pt_counts_the_resolution_of_the_figure():
    # At half the book's dpi a figure's pixels, shown one for one, hold half the text.
    fig = _figure(2.0, dpi=plotting.BOOK_DPI / 2)
    fig.text(0.1, 0.5, "twelve points", fontsize=12)
    assert plotting.smallest_text_pt(fig) == pytest.approx(6.0)


def test_smallest_text_pt_of_a_figure_without_text_is_infinite():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_axis_off()
    assert plotting.smallest_text_pt(fig) == math.inf


def test_smallest_text_pt_validates_its_arguments():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plotting.smallest_text_pt(None)
    with pytest.raises(ValueError, match="column_width_in must be positive"):
        plotting.smallest_text_pt(plt.figure(), column_width_in=0.0)


# === every figure of the package, in the book's column ===============================

_SQUARE = np.array([[0.0, 0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0, 0.0]])
_X = np.array([[0.0, 1.0, 2.0, 3.0, -1.0, 0.5], [0.0, 1.0, 0.0, 1.0, 0.5, -0.5]])
_Y = np.array([0, 1, 0, 1, 1, 0])
_T = np.linspace(-2.0, 2.0, 21)
_GRID = np.meshgrid(_T, _T)
_H = np.logspace(-8, -1, 8)


def _animation_figure():
    animation = plotting.animate_descent(lambda x: x**2, [2.0, 1.6, 1.3], grad=lambda x: 2 * x)
    animation.to_jshtml()  # draws every frame: the last one, with its step caption, stays
    return animation._fig


def _deformation_animation():
    animation = plotting.animate_deformation(
        [[0.0, 1.0, 0.5], [0.0, 1.0, -0.5]],
        [0, 1, 1],
        [(lambda P: 2 * P, np.tanh)],
        accuracies=[0.5, 1.0],
        line=([1.0, 1.0], -0.5),
        steps=1,
    )
    animation.to_jshtml()  # draws every frame: the last one, with its line, stays
    return animation._fig


#: Each drawing function of dlmath.plotting with small inputs, as the chapters call it.
FIGURES = {
    "plot_transformation": lambda: plotting.plot_transformation(
        _SQUARE, 0.5 * _SQUARE + 0.2, labels=("unit square", "scaled by 50%"), track=2
    ),
    "plot_two_classes": lambda: plotting.plot_two_classes(_X, _Y, title="input"),
    "plot_line": lambda: plotting.plot_line([1.0, -1.0], 0.0),
    "plot_decision_regions": lambda: plotting.plot_decision_regions(
        lambda P: np.vstack([-P[0], P[0]]), _X, _Y, resolution=10
    ),
    "plot_representations": lambda: plotting.plot_representations(
        [_X, 2 * _X, -_X, _X, _X],
        _Y,
        titles=["input", "layer 1", "layer 2", "layer 3", "layer 4"],
        line=([1.0, 1.0], 0.0),
    ),
    "plot_tangent": lambda: plotting.plot_tangent(_T, np.sin(_T), 1.0, np.sin(1.0), np.cos(1.0)),
    "plot_step_errors": lambda: plotting.plot_step_errors(
        _H, _H**2 + 1e-16 / _H, best=4, guides={"truncation $h^2$": _H**2, "rounding": 1e-16 / _H}
    ),
    "plot_gradient_field": lambda: plotting.plot_gradient_field(
        _T, _T, _GRID[0] ** 2 + _GRID[1] ** 2, [[1.0, -1.0], [0.5, 1.0]], [[2.0, -2.0], [1.0, 2.0]]
    ),
    "plot_activation": lambda: plotting.plot_activation(
        _T, np.tanh(_T), 1 - np.tanh(_T) ** 2, name=r"\tanh"
    ),
    "plot_curves": lambda: plotting.plot_curves(_T, {"$|x|$": abs(_T), "best affine fit": _T}),
    "plot_gradient_noise": lambda: plotting.plot_gradient_noise(
        [8, 32, 128, 512], [[2.5, 3.0], [1.2, 1.5], [0.6, 0.7], [0.3, 0.35]]
    ),
    "plot_backprop_graph": lambda: plotting.plot_backprop_graph(
        [784, 512, 10], ["relu", "softmax"], batch="m"
    ),
    "plot_spread": lambda: plotting.plot_spread(
        [[0.90, 0.95, 0.97], [0.91, 0.94, 0.98]], label="test accuracy"
    ),
    "plot_spread_dots": lambda: plotting.plot_spread_dots(
        [[0.96, 0.97], [0.95, 0.98]], ["raw", "/255"], threshold=(0.95, "95%")
    ),
    "plot_roadmap": lambda: plotting.plot_roadmap(),
    "plot_roadmap layers": lambda: plotting.plot_roadmap("layers"),
    "plot_roadmap loss": lambda: plotting.plot_roadmap("loss"),
    "plot_roadmap optimization": lambda: plotting.plot_roadmap("optimization"),
    "plot_network": lambda: plotting.plot_network(
        Sequential([Dense(3, 4, "relu", rng=0), Dense(4, 2, rng=1)])
    ),
    "plot_network deep": lambda: plotting.plot_network(
        Sequential([Dense(3, 3, "tanh", rng=k) for k in range(4)])
    ),
    "plot_residuals": lambda: plotting.plot_residuals(
        [0.1, 0.3, 0.6, 0.7], [0.2, 0.25, 0.4, 0.7], [0.05, 0.15, 0.3, 0.35], line=(0.5, 0.0)
    ),
    "plot_fit_progress": lambda: plotting.plot_fit_progress(
        [0.1, 0.3, 0.6, 0.7],
        [0.2, 0.25, 0.4, 0.7],
        [0.5, 0.6, 0.7],
        [0.0, 0.05, 0.08],
        ["epoch 0", "epoch 10", "epoch 100"],
        reference=(0.73, 0.077, "least squares"),
    ),
    "plot_series": lambda: plotting.plot_series(
        {"α = 0.1": [1.0, 0.8, 0.64], "α = 0.5": [1.0, 0.1, 0.01]},
        xlabel="step",
        logy=True,
        floor=(0.005, "floor"),
    ),
    "plot_step_losses": lambda: plotting.plot_step_losses(
        [[2.0, 1.2, 0.9, 1.0], [0.8, 0.6, 0.7, 0.5]], epoch_losses=[1.275, 0.65]
    ),
    "plot_descent_path": lambda: plotting.plot_descent_path(
        lambda x: x**2, [2.0, 1.6, 1.28], label="α = 0.1"
    ),
    "animate_descent": _animation_figure,
    "plot_deformation": lambda: plotting.plot_deformation(
        [[0.0, 1.0, 0.5], [0.0, 1.0, -0.5]],
        [0, 1, 1],
        [(lambda P: 2 * P, np.tanh), (lambda P: P[::-1], np.tanh)],
        accuracies=[0.5, 0.9, 1.0],
        line=([1.0, 1.0], -0.5),
    ),
    "animate_deformation": _deformation_animation,
    "plot_descent_contour": lambda: plotting.plot_descent_contour(
        lambda p: p @ p,
        [[1.0, 0.5, 0.25], [-1.0, -0.5, -0.25]],
        xlim=(-1.5, 1.5),
        ylim=(-1.5, 1.5),
        mark=(0.0, 0.0, "minimum"),
    ),
    "digit_grid": lambda: plotting.digit_grid(
        np.zeros((30, 28, 28)), labels=np.arange(30) % 10, predictions=(np.arange(30) + 1) % 10
    ),
    "training_curves": lambda: plotting.training_curves(
        {
            "Keras": {"loss": [0.3, 0.1, 0.07], "val_loss": [0.2, 0.1, 0.09]},
            "dlmath": {"loss": [0.31, 0.11, 0.07]},
        },
        metric="loss",
    ),
}


def _as_figure(drawn) -> Figure:
    if isinstance(drawn, Figure):
        return drawn
    if isinstance(drawn, list):
        return drawn[0].figure
    return drawn.figure


def test_every_drawing_function_is_checked_below():
    tools = {"use_book_style", "new_axes", "animation_html", "colours_used", "smallest_text_pt"}
    drawing = {name for name in plotting.__all__ if callable(getattr(plotting, name))} - tools
    assert drawing == {name.split()[0] for name in FIGURES}


@pytest.mark.usefixtures("book_style")
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_keeps_its_text_readable_in_the_book_column(name):
    fig = _as_figure(FIGURES[name]())
    assert plotting.smallest_text_pt(fig) >= plotting.MIN_TEXT_PT
    assert plotting.MIN_TEXT_PT >= 9


@pytest.mark.usefixtures("book_style")
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_draws_some_colour_of_the_palette(name):
    # a caption can name the colours of every figure the package draws
    assert plotting.colours_used(_as_figure(FIGURES[name]())) != set()
