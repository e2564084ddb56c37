"""Tests of dlmath.plotting.networks: the roadmap and network diagrams."""

import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Annotation

from dlmath import plotting
from dlmath.layers import Dense, Sequential

pytestmark = pytest.mark.usefixtures("close_figures")

BOOK = Path(__file__).resolve().parents[1] / "book"


def _rgb(colour):
    return mpl.colors.to_hex(colour, keep_alpha=False)


# === plot_roadmap ====================================================================

_STAGE_TEXTS = {
    "layers": {"Layer (weights)"},
    "loss": {"Loss function", "Loss score"},
    "optimization": {"Optimizer", "weight update"},
}
_STAGE_COLOURS = {"layers": "blue", "loss": "orange", "optimization": "green"}


def test_the_roadmap_stages_are_those_the_slides_name():
    # The introduction's table lists the slides' titles, "Deep Learning Roadmap: <stage>".
    table = (BOOK / "01-introduction.md").read_text(encoding="utf-8")
    named = re.findall(r"^\| Deep Learning Roadmap: (\w+) \|", table, flags=re.MULTILINE)
    assert [name.lower() for name in named] == list(plotting.ROADMAP_STAGES)


def _boxes(ax, gid=None):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_gid() == gid]


@pytest.mark.parametrize("stage", ["layers", "loss", "optimization"])
def test_plot_roadmap_makes_the_highlighted_stage_unmistakable(stage):
    ax = plotting.plot_roadmap(stage)
    texts = {t.get_text(): t for t in ax.texts if t.get_text()}
    for part, names in _STAGE_TEXTS.items():
        for name in names:
            text = texts[name]
            assert (text.get_fontweight() == "bold") == (part == stage), name
            greyed = mpl.colors.same_color(text.get_color(), plotting.COLORS["grey"])
            assert greyed == (part != stage), name
    # Not colour alone: the stage's outlines are more than twice as thick as any other.
    highlighted = [box.get_linewidth() for box in _boxes(ax, stage)]
    others = [box.get_linewidth() for box in ax.patches if box.get_gid() != stage]
    assert highlighted
    assert min(highlighted) > 2 * max(others)
    arrows = {
        a.get_gid(): a.arrow_patch.get_linewidth() for a in ax.texts if isinstance(a, Annotation)
    }
    assert arrows[stage] > max(width for gid, width in arrows.items() if gid != stage)
    # Only the highlighted stage is filled; the others are plain white boxes.
    for part in plotting.ROADMAP_STAGES:
        for box in _boxes(ax, part):
            assert mpl.colors.same_color(box.get_facecolor(), "white") == (part != stage)
    assert plotting.colours_used(ax) == {_STAGE_COLOURS[stage], "grey"}
    for name in ("Input X", "Predictions Y'", "True targets Y"):
        assert mpl.colors.same_color(texts[name].get_color(), "black")


def test_plot_roadmap_without_highlight_draws_every_stage_alike_in_its_colour():
    ax = plotting.plot_roadmap()
    assert all(t.get_fontweight() == "normal" for t in ax.texts)
    assert len({box.get_linewidth() for box in ax.patches}) == 1
    assert plotting.colours_used(ax) == {"blue", "orange", "green"}


def test_plot_roadmap_calls_the_optimization_stage_by_its_box_too():
    ax = plotting.plot_roadmap("optimizer")
    bold = {t.get_text() for t in ax.texts if t.get_fontweight() == "bold"}
    assert bold == _STAGE_TEXTS["optimization"]


@pytest.mark.parametrize("highlight", ["metrics", "Layers", 1])
def test_plot_roadmap_rejects_an_unknown_stage(highlight):
    with pytest.raises(ValueError, match="highlight must be None or one of"):
        plotting.plot_roadmap(highlight)


# === plot_network ====================================================================


def test_plot_network_draws_one_edge_per_weight_styled_by_the_weight():
    model = Sequential(
        [
            Dense.from_weights([[1.0, -2.0], [0.5, 0.0], [-0.25, 4.0]], activation="relu"),
            Dense.from_weights([[2.0, -1.0, 1.0]]),
        ]
    )
    ax = plotting.plot_network(model, max_width=4.0)
    first, second = ax.collections
    assert len(first.get_segments()) == 6
    assert len(second.get_segments()) == 3
    # The edge from input j to output i joins column k to column k + 1, in W.ravel() order.
    start, end = first.get_segments()[1]  # W[0, 1]: input 2 -> hidden 1
    assert start.tolist() == [0.0, -0.5]
    assert end.tolist() == [2.0, 1.0]
    weights = np.array([1.0, -2.0, 0.5, 0.0, -0.25, 4.0])
    widths = np.asarray(first.get_linewidths())
    assert np.allclose(widths, 0.3 + 3.7 * np.abs(weights) / 4.0)  # 4 = the largest |W|
    blue = [_rgb(c) == _rgb(plotting.COLORS["blue"]) for c in first.get_colors()]
    red = [_rgb(c) == _rgb(plotting.COLORS["red"]) for c in first.get_colors()]
    assert blue == (weights > 0).tolist()
    assert red == (weights <= 0).tolist()
    labels = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$x_{2}$", "$h_{3}$", "$y'_{1}$"} <= labels
    assert len(ax.patches) == 2 + 3 + 1  # one circle per neuron


def test_plot_network_names_several_hidden_layers_and_accepts_one_layer():
    deep = Sequential([Dense(2, 2, "tanh", rng=k) for k in range(3)])
    labels = {t.get_text() for t in plotting.plot_network(deep).texts}
    assert {"$h^{(1)}_{1}$", "$h^{(2)}_{2}$", "$y'_{2}$"} <= labels
    ax = plotting.plot_network(Dense(3, 2, rng=0))
    assert [len(c.get_segments()) for c in ax.collections] == [6]


def test_plot_network_of_a_deep_model_stays_within_the_column():
    deep = Sequential([Dense(3, 3, "tanh", rng=k) for k in range(5)])
    fig = plotting.plot_network(deep).figure
    assert fig.get_figwidth() <= plotting.FIGURE_WIDTH_IN + 1e-9


def test_plot_network_rejects_what_is_not_a_model_and_bad_styles():
    with pytest.raises(TypeError, match="Sequential model or Dense layer"):
        plotting.plot_network([[1.0, 2.0]])
    with pytest.raises(ValueError, match="node_size must be positive"):
        plotting.plot_network(Dense(2, 2, rng=0), node_size=0.0)
    with pytest.raises(ValueError, match="max_width must be positive"):
        plotting.plot_network(Dense(2, 2, rng=0), max_width=-1.0)
