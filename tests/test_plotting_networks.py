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


# === plot_backprop_graph =============================================================


def _box_texts(ax):
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


def _arrows(ax, kind):
    return [a for a in ax.texts if isinstance(a, Annotation) and a.get_gid() == kind]


def test_plot_backprop_graph_shows_the_shape_of_every_array_of_the_slides_network():
    ax = plotting.plot_backprop_graph((784, 512, 10), ("relu", "softmax"))
    texts = _box_texts(ax)
    # Y = W·X + B with one example per column: W is (outputs, inputs), the rest (n, m).
    expected = {
        "X": "784 × m",
        "W_1": "512 × 784",
        "B_1": "512 × 1",
        "Z_1": "512 × m",
        "A_1": "512 × m",
        "W_2": "10 × 512",
        "B_2": "10 × 1",
        "Z_2": "10 × m",
        "P": "10 × m",
        "Y": "10 × m",
        "delta_2": "10 × m",
        "dA_1": "512 × m",
        "delta_1": "512 × m",
        "dW_2": "10 × 512",
        "dB_2": "10 × 1",
        "dW_1": "512 × 784",
        "dB_1": "512 × 1",
    }
    for name, shape in expected.items():
        assert texts[name].endswith("\n" + shape), name
    # A gradient has the shape of its parameter.
    for k in (1, 2):
        for p in ("W", "B"):
            assert texts[f"d{p}_{k}"].split("\n")[1] == texts[f"{p}_{k}"].split("\n")[1]
    labels = {t.get_text() for t in ax.texts}
    assert {"relu", "softmax", "cross-entropy", "$(P - Y)/m$", r"$\odot\, 1[Z_1 > 0]$"} <= labels
    assert {r"$W_2^\top \cdot$", r"$\cdot X^\top$", r"$\cdot A_1^\top$"} <= labels


def test_plot_backprop_graph_runs_the_backward_sweep_upwards_in_its_own_colour():
    ax = plotting.plot_backprop_graph((784, 512, 10), ("relu", "softmax"))
    forward, backward = _arrows(ax, "forward"), _arrows(ax, "backward")
    gradient = _arrows(ax, "gradient")
    # forward: into and out of Z_k (2 per layer), W_k and B_k, the loss and Y
    assert len(forward) == 4 * 2 + 2
    # backward: (P - Y)/m, then W_2ᵀ and the mask; two gradients per layer
    assert len(backward) == 3
    assert len(gradient) == 4
    for arrow in backward:
        (_, y_start), (_, y_end) = arrow.xyann, arrow.xy
        assert y_end > y_start  # up, from the loss towards the input
    for arrows, name in ((forward, "blue"), (backward, "orange"), (gradient, "green")):
        for arrow in arrows:
            assert _rgb(arrow.arrow_patch.get_edgecolor()) == _rgb(plotting.COLORS[name])
    assert plotting.colours_used(ax) == {"blue", "orange", "green", "grey"}


def test_plot_backprop_graph_of_a_deeper_network_names_each_derivative():
    ax = plotting.plot_backprop_graph([3, 4, 5, 2], ["tanh", "relu", "softmax"], batch="N")
    texts = _box_texts(ax)
    assert texts["delta_3"] == "$\\delta_3$\n2 × N"
    assert texts["dA_1"] == "$dA_1$\n4 × N"
    assert texts["dW_2"] == "$dW_2$\n5 × 4"
    labels = {t.get_text() for t in ax.texts}
    assert r"$\odot\, \mathrm{tanh}'(Z_1)$" in labels
    assert r"$\odot\, 1[Z_2 > 0]$" in labels
    assert "$(P - Y)/N$" in labels
    assert len(_arrows(ax, "backward")) == 1 + 2 * 2


def test_plot_backprop_graph_fits_the_column_with_readable_text():
    ax = plotting.plot_backprop_graph((784, 512, 10), ("relu", "softmax"))
    assert ax.figure.get_figwidth() <= plotting.FIGURE_WIDTH_IN + 1e-9
    assert plotting.smallest_text_pt(ax) >= plotting.MIN_TEXT_PT


@pytest.mark.parametrize(
    ("sizes", "activations", "error", "message"),
    [
        ((784, 512, 10), ("relu", "sigmoid"), ValueError, "last activation must be 'softmax'"),
        ((784, 512, 10), ("softmax",), ValueError, "one activation per layer"),
        ((784,), (), ValueError, "at least two numbers"),
        ((784, 0, 10), ("relu", "softmax"), ValueError, r"sizes\[1\] must be a positive"),
        ((784, 2.5, 10), ("relu", "softmax"), ValueError, r"sizes\[1\] must be a positive"),
        ((784, 512, 10), ("relu", 3), ValueError, r"activations\[1\] must be"),
        ("784", ("softmax",), TypeError, "sizes must be a sequence"),
        ((784, 10), "softmax", TypeError, "activations must be a sequence"),
    ],
)
def test_plot_backprop_graph_rejects_bad_layers(sizes, activations, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_backprop_graph(sizes, activations)


def test_plot_backprop_graph_rejects_an_empty_batch_symbol():
    with pytest.raises(ValueError, match="batch must be a non-empty symbol"):
        plotting.plot_backprop_graph((2, 2), ("softmax",), batch=" ")
