"""Diagrams of networks: the roadmap of training, and a network's neurons and weights.

Chapter 4 draws the roadmap of the slides (layers, loss, optimization), which Chapters 5
to 8 repeat with their own stage highlighted; Chapter 5 draws networks from their
weights.

**Shape convention.** A layer ``Y = ϱ(W·X + B)`` has ``W`` of shape (outputs, inputs),
so that a network is a column of nodes per layer, ``W[i, j]`` joining input ``j`` to
output ``i``.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import as_float_array, check_positive
from dlmath.plotting.style import COLORS, _fit_to_column

__all__ = ["ROADMAP_STAGES", "plot_network", "plot_roadmap"]

# The stages of the slides' roadmap, in the order the slides show them ("Deep Learning
# Roadmap: Layers", "… Loss", "… Optimization"); documented in dlmath.plotting.
ROADMAP_STAGES = ("layers", "loss", "optimization")

#: Another name of a stage that :func:`plot_roadmap` accepts: the box the stage is about.
_STAGE_ALIASES = {"optimizer": "optimization"}

#: The colour of each stage on the roadmap.
_STAGE_COLOURS = {"layers": "blue", "loss": "orange", "optimization": "green"}

#: Line widths of boxes and arrows: of the highlighted stage, of the others, when dimmed.
_BOX_WIDTH = {"highlighted": 3.2, "normal": 1.4, "dimmed": 1.0}
_ARROW_WIDTH = {"highlighted": 2.4, "normal": 1.4, "dimmed": 1.0}
_DARK = "#404040"  # boxes and arrows that belong to no stage


def _roadmap_stage(highlight) -> str | None:
    if highlight is None:
        return None
    stage = _STAGE_ALIASES.get(highlight, highlight) if isinstance(highlight, str) else None
    if stage not in ROADMAP_STAGES:
        raise ValueError(
            f"highlight must be None or one of {ROADMAP_STAGES} (or 'optimizer'); got {highlight!r}"
        )
    return stage


def plot_roadmap(highlight=None, *, ax=None):
    """Draw the roadmap of training a network: layers, loss and optimization.

    The input ``X`` flows through the layers (which hold the weights) to the
    predictions ``Y'``; the loss function compares them with the true targets ``Y``;
    the optimizer uses the loss score to update the weights (after Chollet's
    Figure 1.9, as on the slides).

    Parameters
    ----------
    highlight : {None, "layers", "loss", "optimization"}, optional
        The stage to highlight, one of :data:`~dlmath.plotting.ROADMAP_STAGES` (the slides show the
        roadmap once for each; ``"optimizer"``, the name of the stage's box, means
        ``"optimization"``). None draws every stage in its colour, none highlighted.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Every box, arrow and label of a stage has the stage's name as its ``gid``.

    Notes
    -----
    The highlighted stage does not rely on colour alone: its boxes are filled with its
    colour (blue, orange or green) and outlined more than twice as thick as any other
    box, its labels are bold and its arrows thicker; the other stages are drawn in grey,
    thin and unfilled.

    Examples
    --------
    >>> from dlmath.plotting import plot_roadmap
    >>> ax = plot_roadmap("loss")
    >>> sorted(t.get_text() for t in ax.texts if t.get_fontweight() == "bold")
    ['Loss function', 'Loss score']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    stage_shown = _roadmap_stage(highlight)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.4, 5.2))
    ax.set_xlim(0, 9)
    ax.set_ylim(0.8, 10.6)
    ax.set_axis_off()

    def state(stage):
        if stage is None or stage_shown is None:
            return "normal"
        return "highlighted" if stage == stage_shown else "dimmed"

    def colour(stage):
        if stage is None:
            return _DARK
        return COLORS["grey"] if state(stage) == "dimmed" else COLORS[_STAGE_COLOURS[stage]]

    def box(x, y, text, stage=None, width=3.0, height=0.9):
        look = state(stage)
        face = "white"
        if stage is not None and look != "dimmed":
            tint = 0.3 if look == "highlighted" else 0.15
            face = mpl.colors.to_rgba(COLORS[_STAGE_COLOURS[stage]], tint)
        ax.add_patch(
            mpl.patches.FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.15",
                facecolor=face,
                edgecolor=colour(stage),
                linewidth=_BOX_WIDTH[look],
                gid=stage,
            )
        )
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=11,
            color=COLORS["grey"] if look == "dimmed" else COLORS["black"],
            fontweight="bold" if look == "highlighted" else "normal",
            gid=stage,
        )

    def arrow(start, end, stage=None):
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": colour(stage),
                "linewidth": _ARROW_WIDTH[state(stage)],
            },
            gid=stage,
        )

    box(5.0, 10.0, "Input X")
    box(5.0, 8.4, "Layer (weights)", "layers")
    box(5.0, 6.8, "Layer (weights)", "layers")
    box(3.3, 5.0, "Predictions Y'", width=2.6)
    box(7.3, 5.0, "True targets Y", width=2.6)
    box(5.3, 3.2, "Loss function", "loss")
    box(5.3, 1.4, "Loss score", "loss", width=2.4)
    box(1.4, 2.3, "Optimizer", "optimization", width=2.2)
    arrow((5.0, 9.55), (5.0, 8.85))
    arrow((5.0, 7.95), (5.0, 7.25), "layers")
    arrow((4.6, 6.35), (3.5, 5.45), "layers")
    arrow((3.5, 4.55), (4.7, 3.65), "loss")
    arrow((7.1, 4.55), (5.9, 3.65), "loss")
    arrow((5.3, 2.75), (5.3, 1.85), "loss")
    arrow((4.1, 1.4), (1.6, 1.85), "optimization")
    look = state("optimization")
    ax.plot(
        [1.4, 1.4, 3.5],
        [2.75, 8.4, 8.4],
        color=colour("optimization"),
        linewidth=_ARROW_WIDTH[look],
        gid="optimization",
    )
    arrow((1.4, 8.4), (3.5, 8.4), "optimization")
    arrow((1.4, 6.8), (3.5, 6.8), "optimization")
    ax.text(
        1.25,
        5.2,
        "weight update",
        rotation=90,
        ha="right",
        va="center",
        fontsize=10,
        color=colour("optimization"),
        fontweight="bold" if look == "highlighted" else "normal",
        gid="optimization",
    )
    return ax


def _weight_matrices(model) -> list[np.ndarray]:
    layers = getattr(model, "layers", None)
    if layers is None:
        layers = [model]
    matrices = []
    for k, layer in enumerate(layers):
        W = getattr(layer, "W", None)
        if W is None:
            raise TypeError(
                f"model must be a dlmath Sequential model or Dense layer; got {model!r:.60}"
            )
        matrices.append(as_float_array(W, f"the weights W of layer {k}", ndim=2))
    for k in range(1, len(matrices)):
        if matrices[k].shape[1] != matrices[k - 1].shape[0]:
            raise ValueError(
                f"layer {k} has {matrices[k].shape[1]} inputs but layer {k - 1} has "
                f"{matrices[k - 1].shape[0]} outputs"
            )
    return matrices


def _node_names(prefix: str, count: int, layer: int | None = None) -> list[str]:
    if layer is None:
        return [f"${prefix}_{{{j + 1}}}$" for j in range(count)]
    return [f"${prefix}^{{({layer})}}_{{{j + 1}}}$" for j in range(count)]


def plot_network(model, *, node_size=0.32, max_width=4.0, title=None, ax=None):
    r"""Draw a network's neurons and connections, the edges styled by the weights.

    Each layer :math:`Y = \varrho(W \cdot X + B)` with ``W`` of shape (outputs,
    inputs) becomes a column of ``outputs`` nodes joined to the column before it by
    one edge per weight: the edge from input :math:`j` to output :math:`i` is blue
    when :math:`W_{ij} > 0` and red when it is negative, and its width is
    proportional to :math:`|W_{ij}|`. Biases are not drawn.

    Parameters
    ----------
    model : Sequential or Dense
        The network (or one layer), e.g. ``Sequential([Dense(3, 4, "relu"), Dense(4, 2)])``.
    node_size : float, optional
        Radius of the nodes, in units of the distance between two nodes; positive.
    max_width : float, optional
        Line width of the edge with the largest :math:`|W_{ij}|`; positive.
    title : str, optional
        Title of the axes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure, no wider than the book's column.

    Returns
    -------
    matplotlib.axes.Axes
        Holds one :class:`~matplotlib.collections.LineCollection` of edges per layer,
        in the order of ``W.ravel()``.

    Notes
    -----
    Nodes are named :math:`x_j` (inputs), :math:`h_j` (hidden neurons; with more than
    one hidden layer :math:`h^{(k)}_j`) and :math:`y'_i` (outputs); the activation of
    each layer is written under its column.

    Examples
    --------
    >>> from dlmath.layers import Dense, Sequential
    >>> from dlmath.plotting import plot_network
    >>> ax = plot_network(Sequential([Dense(3, 4, "relu", rng=0), Dense(4, 2, rng=1)]))
    >>> [len(edges.get_segments()) for edges in ax.collections]  # 4·3 and 2·4 weights
    [12, 8]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    matrices = _weight_matrices(model)
    node_size = check_positive(node_size, "node_size")
    max_width = check_positive(max_width, "max_width")
    layers = getattr(model, "layers", [model])
    sizes = [matrices[0].shape[1]] + [W.shape[0] for W in matrices]
    hidden = len(matrices) - 1
    names = [_node_names("x", sizes[0])]
    for k in range(hidden):
        names.append(_node_names("h", sizes[k + 1], None if hidden == 1 else k + 1))
    names.append(_node_names("y'", sizes[-1]))
    tallest = max(sizes)
    if ax is None:
        _, ax = plt.subplots(figsize=_fit_to_column(1.9 * len(sizes) + 0.6, 0.75 * tallest + 1.2))
    positions = [
        np.column_stack([np.full(n, 2.0 * k), (n - 1) / 2 - np.arange(n)])
        for k, n in enumerate(sizes)
    ]
    largest = max(float(np.abs(W).max()) for W in matrices) or 1.0
    for k, W in enumerate(matrices):
        start, end = positions[k], positions[k + 1]
        segments = [[start[j], end[i]] for i in range(W.shape[0]) for j in range(W.shape[1])]
        weights = W.ravel()
        colours = [COLORS["blue"] if w > 0 else COLORS["red"] for w in weights]
        widths = 0.3 + (max_width - 0.3) * np.abs(weights) / largest
        ax.add_collection(
            mpl.collections.LineCollection(
                segments, colors=colours, linewidths=widths, alpha=0.8, zorder=1
            )
        )
    hidden_face = 0.35 * np.array(mpl.colors.to_rgb(COLORS["sky"])) + 0.65
    for k, (points, labels) in enumerate(zip(positions, names, strict=True)):
        face = "#F2F2F2" if k in (0, len(sizes) - 1) else hidden_face
        for (u, v), label in zip(points, labels, strict=True):
            ax.add_patch(
                mpl.patches.Circle((u, v), node_size, facecolor=face, edgecolor=_DARK, zorder=2)
            )
            ax.text(u, v, label, ha="center", va="center", fontsize=11, zorder=3)
    bottom = -(tallest - 1) / 2 - 0.75
    for k, layer in enumerate(layers):
        activation = getattr(layer, "activation", "linear")
        ax.text(
            2.0 * (k + 1),
            bottom,
            rf"$\varrho$ = {activation}",
            ha="center",
            va="top",
            fontsize=10,
            color="#555555",
        )
    ax.legend(
        handles=[
            mpl.lines.Line2D([], [], color=COLORS["blue"], linewidth=2, label="$W_{ij} > 0$"),
            mpl.lines.Line2D([], [], color=COLORS["red"], linewidth=2, label="$W_{ij} < 0$"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=10,
    )
    ax.set_xlim(-0.6, 2.0 * (len(sizes) - 1) + 0.6)
    ax.set_ylim(bottom - 0.4, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax
