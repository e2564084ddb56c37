"""Diagrams of networks: the roadmap of training, and a network's neurons and weights.

Chapter 4 draws the roadmap of the slides (layers, loss, optimization), which Chapters 5
to 8 repeat with their own stage highlighted; Chapter 5 draws networks from their
weights; Chapter 8 draws the computational graph of a forward and a backward sweep.

**Shape convention.** A layer ``Y = ϱ(W·X + B)`` has ``W`` of shape (outputs, inputs),
so that a network is a column of nodes per layer, ``W[i, j]`` joining input ``j`` to
output ``i``.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from dlmath._validation import as_float_array, check_positive
from dlmath.plotting.style import COLORS, FIGURE_WIDTH_IN, _fit_to_column

__all__ = ["ROADMAP_STAGES", "plot_backprop_graph", "plot_network", "plot_roadmap"]

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


def _check_graph_layers(sizes, activations) -> tuple[list[int], list[str]]:
    """``sizes`` and ``activations`` of :func:`plot_backprop_graph`, checked."""
    if isinstance(sizes, str | bytes) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of integers; got {sizes!r:.60}")
    if isinstance(activations, str | bytes) or not hasattr(activations, "__len__"):
        raise TypeError(f"activations must be a sequence of names; got {activations!r:.60}")
    sizes, activations = list(sizes), list(activations)
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least two numbers, inputs and outputs; got {sizes}")
    for k, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(f"sizes[{k}] must be a positive integer; got {size!r:.60}")
    if len(activations) != len(sizes) - 1:
        raise ValueError(
            f"activations must name one activation per layer ({len(sizes) - 1}); "
            f"got {len(activations)}"
        )
    for k, name in enumerate(activations):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"activations[{k}] must be an activation's name; got {name!r:.60}")
    if activations[-1] != "softmax":
        raise ValueError(
            "the graph ends with softmax and cross-entropy: the last activation must be "
            f"'softmax'; got {activations[-1]!r}"
        )
    return [int(size) for size in sizes], activations


#: Columns of :func:`plot_backprop_graph` (inches from the left), its boxes' size and
#: the distance between its rows (inches).
_GRAPH_X = {"parameters": 0.5, "forward": 2.05, "backward": 3.8, "gradients": 5.35}
_GRAPH_BOX = (0.95, 0.52)
_GRAPH_STEP = 1.1


def plot_backprop_graph(sizes, activations, *, batch="m", ax=None):
    r"""Draw the forward and backward sweeps of a dense classifier as a computational graph.

    The network computes :math:`Z_k = W_k \cdot A_{k-1} + B_k` and
    :math:`A_k = \varrho_k(Z_k)` for each layer, with :math:`A_0 = X`, and ends with a
    softmax :math:`P` and the cross-entropy loss :math:`L`. The forward sweep runs down
    the second column, from the batch :math:`X` to the loss, with the parameters
    feeding in from the left; the backward sweep runs up the third column, from the
    loss back to the first layer, and hands each layer's gradients :math:`dW_k` and
    :math:`dB_k` to the right. Every box is an array with its shape; every arrow is an
    operation and carries the array of the box it leaves.

    Parameters
    ----------
    sizes : sequence of int
        The number of inputs and then of each layer's outputs, e.g. ``(784, 512, 10)``.
    activations : sequence of str
        Each layer's activation, e.g. ``("relu", "softmax")``; the last must be
        ``"softmax"``, since the graph ends with softmax and cross-entropy.
    batch : str, optional
        The symbol for the number of examples in a batch (the columns of :math:`X`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure as wide as the book's column and
        1.1 inches tall per row.

    Returns
    -------
    matplotlib.axes.Axes
        Each box's patch and text have the array's name as their ``gid`` (``"X"``,
        ``"W_1"``, ``"Z_1"``, ``"delta_1"``, ``"dW_1"``, ...); each arrow has
        ``"forward"``, ``"backward"`` or ``"gradient"``.

    Notes
    -----
    The backward sweep starts from the gradient with respect to the last layer's
    pre-activations, :math:`\delta_L = (P - Y)/m` (softmax and cross-entropy taken
    together), and then repeats, layer by layer,

    .. math::

        dW_k = \delta_k \cdot A_{k-1}^\top, \quad dB_k = \textstyle\sum \delta_k, \quad
        dA_{k-1} = W_k^\top \cdot \delta_k, \quad
        \delta_{k-1} = dA_{k-1} \odot \varrho_{k-1}'(Z_{k-1}),

    where :math:`\varrho'(Z)` is the mask :math:`1[Z > 0]` for ReLU. The gradient
    with respect to :math:`X` is not drawn: nothing before :math:`X` needs it.
    Arrays and arrows of the forward sweep are blue, of the backward sweep orange, the
    parameters' gradients green, and the data and parameters grey.

    Examples
    --------
    >>> from dlmath.plotting import plot_backprop_graph
    >>> ax = plot_backprop_graph((784, 512, 10), ("relu", "softmax"))
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "dW_1"]
    ['$dW_1$\n512 × 784']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    sizes, activations = _check_graph_layers(sizes, activations)
    if not isinstance(batch, str) or not batch.strip():
        raise ValueError(f"batch must be a non-empty symbol; got {batch!r:.60}")
    depth = len(activations)
    rows = 2 * depth + 2  # X, then Z_k and A_k for each layer, then L
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, _GRAPH_STEP * (rows - 1) + 1.2))
    ax.set_xlim(0.0, FIGURE_WIDTH_IN)
    ax.set_ylim(-_GRAPH_STEP * (rows - 1) - 0.35, 0.75)
    ax.set_axis_off()
    width, height = _GRAPH_BOX
    colour = {
        "data": COLORS["grey"],
        "forward": COLORS["blue"],
        "backward": COLORS["orange"],
        "gradient": COLORS["green"],
    }

    def y_of(row):
        return -_GRAPH_STEP * row

    def box(column, y, name, symbol, shape, kind):
        x = _GRAPH_X[column]
        ax.add_patch(
            mpl.patches.FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=mpl.colors.to_rgba(colour[kind], 0.12),
                edgecolor=colour[kind],
                linewidth=1.4,
                gid=name,
            )
        )
        ax.text(x, y, f"${symbol}$\n{shape}", ha="center", va="center", fontsize=10, gid=name)

    def arrow(start, end, kind, label=None, where="right"):
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": colour[kind], "linewidth": 1.6},
            gid=kind,
        )
        if label is None:
            return
        x, y = 0.5 * (start[0] + end[0]), 0.5 * (start[1] + end[1])
        placement = {
            "right": (x + 0.08, y, "left", "center"),
            "left": (x - 0.08, y, "right", "center"),
            "above": (x, y + 0.06, "center", "bottom"),
            "below": (x, y - 0.06, "center", "top"),
        }[where]
        ax.text(*placement[:2], label, ha=placement[2], va=placement[3], fontsize=10)

    def down(column, upper_row, lower_row, kind, label):
        x = _GRAPH_X[column]
        arrow((x, y_of(upper_row) - height / 2), (x, y_of(lower_row) + height / 2), kind, label)

    def up(column, lower_row, upper_row, kind, label):
        x = _GRAPH_X[column]
        arrow((x, y_of(lower_row) + height / 2), (x, y_of(upper_row) - height / 2), kind, label)

    m = batch
    box("forward", y_of(0), "X", "X", f"{sizes[0]} × {m}", "data")
    for k in range(1, depth + 1):
        z_row, a_row = 2 * k - 1, 2 * k
        z, a = y_of(z_row), y_of(a_row)
        n_out, n_in = sizes[k], sizes[k - 1]
        previous = "X" if k == 1 else f"A_{k - 1}"
        output = "P" if k == depth else f"A_{k}"
        # forward: Z_k = W_k·A_{k-1} + B_k, then A_k = activation(Z_k)
        box("parameters", z + 0.3, f"W_{k}", f"W_{k}", f"{n_out} × {n_in}", "data")
        box("parameters", z - 0.3, f"B_{k}", f"B_{k}", f"{n_out} × 1", "data")
        box("forward", z, f"Z_{k}", f"Z_{k}", f"{n_out} × {m}", "forward")
        box("forward", a, output, output, f"{n_out} × {m}", "forward")
        down("forward", z_row - 1, z_row, "forward", None)
        for dy in (0.3, -0.3):
            arrow(
                (_GRAPH_X["parameters"] + width / 2, z + dy),
                (_GRAPH_X["forward"] - width / 2, z + 0.4 * dy),
                "forward",
            )
        down("forward", z_row, a_row, "forward", activations[k - 1])
        # backward: delta_k gives dW_k and dB_k, and dA_{k-1} for the layer before
        box("backward", z, f"delta_{k}", rf"\delta_{k}", f"{n_out} × {m}", "backward")
        box("gradients", z + 0.3, f"dW_{k}", f"dW_{k}", f"{n_out} × {n_in}", "gradient")
        box("gradients", z - 0.3, f"dB_{k}", f"dB_{k}", f"{n_out} × 1", "gradient")
        source = (_GRAPH_X["backward"] + width / 2, z)
        target = _GRAPH_X["gradients"] - width / 2
        arrow(source, (target, z + 0.3), "gradient", rf"$\cdot {previous}^\top$", "above")
        arrow(source, (target, z - 0.3), "gradient", r"$\Sigma$", "below")
        if k > 1:
            box(
                "backward",
                y_of(z_row - 1),
                f"dA_{k - 1}",
                f"dA_{k - 1}",
                f"{n_in} × {m}",
                "backward",
            )
            up("backward", z_row, z_row - 1, "backward", rf"$W_{k}^\top \cdot$")
            hidden = activations[k - 2]
            mask = rf"1[Z_{k - 1} > 0]" if hidden == "relu" else rf"\mathrm{{{hidden}}}'(Z_{k - 1})"
            up("backward", z_row - 1, z_row - 2, "backward", rf"$\odot\, {mask}$")
    # the loss compares P with the targets Y; the backward sweep starts from it
    loss_row, last_z = rows - 1, y_of(2 * depth - 1)
    loss = y_of(loss_row)
    box("forward", loss, "L", "L", "one number", "forward")
    box("parameters", loss, "Y", "Y", f"{sizes[-1]} × {m}", "data")
    down("forward", loss_row - 1, loss_row, "forward", "cross-entropy")
    arrow(
        (_GRAPH_X["parameters"] + width / 2, loss),
        (_GRAPH_X["forward"] - width / 2, loss),
        "forward",
    )
    ax.plot(
        [_GRAPH_X["forward"] + width / 2, _GRAPH_X["backward"]],
        [loss, loss],
        color=colour["backward"],
        linewidth=1.6,
        gid="backward",
    )
    arrow(
        (_GRAPH_X["backward"], loss),
        (_GRAPH_X["backward"], last_z - height / 2),
        "backward",
        f"$(P - Y)/{m}$",
    )
    for column, kind, title in (
        ("forward", "forward", "forward sweep"),
        ("backward", "backward", "backward sweep"),
    ):
        ax.text(_GRAPH_X[column], 0.45, title, ha="center", fontsize=11, color=colour[kind])
    return ax
