"""Tests of dlmath.plotting (figures are drawn with the Agg backend)."""

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlmath import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_use_book_style_sets_the_palette():
    plotting.use_book_style()
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colors[0] == plotting.COLORS["blue"]
    assert mpl.rcParams["savefig.facecolor"] == "white"


def test_new_axes_returns_the_given_axes_or_a_new_one():
    _, ax = plt.subplots()
    assert plotting.new_axes(ax) is ax
    assert plotting.new_axes() is not ax


# === Chapter 2: matrices and their transformations ===================================

_SQUARE = np.array([[0.0, 0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0, 0.0]])


def test_plot_transformation_draws_the_shape_and_its_image_on_equal_axes():
    image = 2.0 * _SQUARE + 1.0
    ax = plotting.plot_transformation(_SQUARE, image, labels=("before", "after"))
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), _SQUARE.T)
    np.testing.assert_array_equal(ax.lines[1].get_xydata(), image.T)
    assert ax.get_aspect() == 1.0
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["before", "after"]


def test_plot_transformation_arrow_joins_the_tracked_point_to_its_image():
    image = _SQUARE[::-1]  # reflection in the diagonal: (1, 0) goes to (0, 1)
    ax = plotting.plot_transformation(_SQUARE, image, track=3)
    (arrow,) = ax.texts
    assert arrow.xyann == (1.0, 0.0)
    assert arrow.xy == (0.0, 1.0)


def test_plot_transformation_leaves_its_inputs_alone():
    X, Y = _SQUARE.copy(), _SQUARE + 0.5
    plotting.plot_transformation(X, Y, track=0)
    np.testing.assert_array_equal(X, _SQUARE)
    np.testing.assert_array_equal(Y, _SQUARE + 0.5)


@pytest.mark.parametrize(
    ("X", "Y", "track", "message"),
    [
        (_SQUARE, _SQUARE[:, :4], None, "same shape"),
        (_SQUARE.T, _SQUARE.T, None, r"shape \(2, N\)"),
        (_SQUARE, _SQUARE, 5, "column index"),
        (_SQUARE, _SQUARE, -1, "column index"),
        (_SQUARE, _SQUARE, 1.0, "column index"),
    ],
)
def test_plot_transformation_rejects_bad_arguments(X, Y, track, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_transformation(X, Y, track=track)


# === Chapter 3: rates of change ======================================================


def test_plot_tangent_draws_the_line_through_the_point_with_the_given_slope():
    x = np.linspace(0.0, 4.0, 9)
    # The tangent of y = x**3 at x = 1 is y = 1 + 3 (t - 1): -2 at t = 0, 4 at t = 2.
    ax = plotting.plot_tangent(x, x**3, 1.0, 1.0, 3.0, half_width=1.0)
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), np.column_stack([x, x**3]))
    np.testing.assert_allclose(ax.lines[1].get_xydata(), [[0.0, -2.0], [2.0, 4.0]])


def test_plot_tangent_default_width_is_a_quarter_of_the_range():
    x = np.linspace(-2.0, 6.0, 5)  # range 8: the tangent spans x0 - 2 .. x0 + 2
    ax = plotting.plot_tangent(x, x, 1.0, 1.0, 1.0, label="identity")
    np.testing.assert_allclose(ax.lines[1].get_xdata(), [-1.0, 3.0])
    assert ax.lines[0].get_label() == "identity"


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "message"),
    [
        ([0.0, 1.0, 2.0], [0.0, 1.0], {}, "same length"),
        ([[0.0, 1.0]], [[0.0, 1.0]], {}, "1-D"),
        ([0.0, 1.0], [0.0, 1.0], {"half_width": 0.0}, "half_width must be > 0"),
        ([0.0, 1.0], [0.0, 1.0], {"half_width": np.nan}, "finite"),
    ],
)
def test_plot_tangent_rejects_bad_arguments(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_tangent(x, y, 0.5, 0.5, 1.0, **kwargs)


def test_plot_step_errors_uses_log_axes_and_leaves_out_zero_errors():
    h = np.array([1e-3, 1e-2, 1e-1])
    errors = np.array([0.0, 1e-4, 1e-2])
    ax = plotting.plot_step_errors(h, errors, best=1, guides={"$h^2$": h**2})
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1e-2, 1e-1])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), h**2)
    np.testing.assert_array_equal(ax.lines[2].get_xydata(), [[1e-2, 1e-4]])


@pytest.mark.parametrize(
    ("h", "errors", "kwargs", "message"),
    [
        ([0.0, 0.1], [1.0, 1.0], {}, "h must hold"),
        ([0.1, 0.2], [-1.0, 1.0], {}, "errors must hold"),
        ([0.1, 0.2], [1.0, 1.0], {"best": 2}, "best must be"),
        ([0.1, 0.2], [1.0, 1.0], {"guides": {"g": [1.0]}}, "guide 'g'"),
    ],
)
def test_plot_step_errors_rejects_bad_arguments(h, errors, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_step_errors(h, errors, **kwargs)


def test_plot_gradient_field_draws_arrows_of_the_given_gradients():
    x = np.linspace(-1.0, 1.0, 5)
    y = np.linspace(-2.0, 2.0, 7)
    XX, YY = np.meshgrid(x, y)
    points = np.array([[0.5, -1.0], [0.0, 1.0]])
    gradients = 2.0 * points  # the gradient of x**2 + y**2
    ax = plotting.plot_gradient_field(x, y, XX**2 + YY**2, points, gradients, arrow_scale=0.25)
    arrows = ax.collections[-1]
    np.testing.assert_array_equal(arrows.U, gradients[0])
    np.testing.assert_array_equal(arrows.V, gradients[1])
    np.testing.assert_array_equal(arrows.get_offsets(), points.T)
    assert arrows.scale == pytest.approx(4.0)
    assert ax.get_aspect() == 1.0


@pytest.mark.parametrize(
    ("Z_shape", "gradients", "kwargs", "message"),
    [
        ((5, 3), [[1.0], [0.0]], {}, r"len\(y\), len\(x\)"),
        ((3, 5), [[1.0, 2.0], [0.0, 0.0]], {}, "same shape"),
        ((3, 5), [[1.0], [0.0]], {"arrow_scale": 0.0}, "arrow_scale"),
    ],
)
def test_plot_gradient_field_rejects_bad_arguments(Z_shape, gradients, kwargs, message):
    x, y = np.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 3)
    with pytest.raises(ValueError, match=message):
        plotting.plot_gradient_field(x, y, np.zeros(Z_shape), [[0.5], [0.5]], gradients, **kwargs)


# === Chapter 4: the intuition of deep learning =======================================


def _rgb(colour):
    return mpl.colors.to_hex(colour, keep_alpha=False)


def _two_class_data():
    X = np.array([[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0, 0.5]])
    y = np.array([0, 1, 0, 1, 1])
    return X, y


def test_plot_two_classes_draws_each_class_in_its_colour():
    X, y = _two_class_data()
    ax = plotting.plot_two_classes(X, y)
    red, blue = ax.collections
    assert red.get_offsets().tolist() == [[0.0, 0.0], [2.0, 0.0]]
    assert blue.get_offsets().tolist() == [[1.0, 1.0], [3.0, 1.0], [4.0, 0.5]]
    assert _rgb(red.get_facecolor()[0]) == _rgb(plotting.CLASS_COLORS[0])
    assert _rgb(blue.get_facecolor()[0]) == _rgb(plotting.CLASS_COLORS[1])


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((3, 2)), [0, 1], "shape \\(2, N\\)"),
        (np.zeros((2, 2)), [0, 1, 1], "one label per column"),
        (np.zeros((2, 2)), [0, 2], "labels 0 and 1"),
        (np.zeros((2, 2)), [0.0, 1.0], "labels 0 and 1"),
    ],
)
def test_plot_two_classes_rejects_bad_arguments(X, y, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_two_classes(X, y)


@pytest.mark.parametrize(("w", "b"), [([1.0, 2.0], -1.0), ([3.0, 0.1], 0.5), ([0.0, 1.0], 0.2)])
def test_plot_line_draws_points_of_the_line_and_keeps_the_limits(w, b):
    _, ax = plt.subplots()
    ax.set(xlim=(-1.0, 2.0), ylim=(-0.5, 1.5))
    line = plotting.plot_line(w, b, ax=ax)
    points = line.get_xydata()
    assert np.allclose(points @ np.array(w) + b, 0.0)
    assert np.linalg.norm(points[1] - points[0]) > 1.0  # spans the axes, not a dot
    assert ax.get_xlim() == (-1.0, 2.0)
    assert ax.get_ylim() == (-0.5, 1.5)


@pytest.mark.parametrize(("w", "b"), [([0.0, 0.0], 1.0), ([1.0], 0.0), ([1.0, np.nan], 0.0)])
def test_plot_line_rejects_a_degenerate_normal(w, b):
    with pytest.raises(ValueError, match="w must be"):
        plotting.plot_line(w, b)


def test_plot_decision_regions_colours_each_grid_point_by_the_larger_score():
    X, y = _two_class_data()
    calls = []

    def above_diagonal(P):  # class 1 where v > u
        calls.append(P.shape)
        return np.vstack([P[0] - P[1], P[1] - P[0]])

    ax = plotting.plot_decision_regions(above_diagonal, X, y, resolution=7, margin=0.0)
    assert calls == [(2, 49)]
    classes = np.asarray(ax.images[0].get_array())
    u, v = np.linspace(0.0, 4.0, 7), np.linspace(0.0, 1.0, 7)
    U, V = np.meshgrid(u, v)
    assert classes.tolist() == (V > U).astype(int).tolist()
    assert len(ax.collections) >= 3  # the boundary contour and the two classes
    assert ax.get_xlim() == (0.0, 4.0)


def test_plot_decision_regions_validates_the_model_and_the_grid():
    X, y = _two_class_data()
    with pytest.raises(TypeError, match="callable"):
        plotting.plot_decision_regions("model", X, y)
    with pytest.raises(ValueError, match="shape \\(2, 4\\)"):
        plotting.plot_decision_regions(lambda P: P[:1], X, y, resolution=2)
    with pytest.raises(ValueError, match="resolution"):
        plotting.plot_decision_regions(lambda P: P, X, y, resolution=1)
    with pytest.raises(ValueError, match="margin"):
        plotting.plot_decision_regions(lambda P: P, X, y, margin=-1.0)


def test_plot_representations_draws_one_panel_per_representation_and_the_line_last():
    X, y = _two_class_data()
    axes = plotting.plot_representations(
        [X, 2 * X, -X], y, titles=["a", "b", "c"], line=([1.0, 0.0], -1.0)
    )
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    for ax, R in zip(axes, [X, 2 * X, -X], strict=True):
        drawn = np.vstack([c.get_offsets() for c in ax.collections])
        assert sorted(map(tuple, drawn.tolist())) == sorted(map(tuple, R.T.tolist()))
    assert [len(ax.get_lines()) for ax in axes] == [0, 0, 1]
    assert np.allclose(axes[-1].get_lines()[0].get_xdata(), 1.0)  # the line u = 1


def test_plot_representations_rejects_inconsistent_panels():
    X, y = _two_class_data()
    with pytest.raises(ValueError, match="same N points"):
        plotting.plot_representations([X, X[:, :3]], y)
    with pytest.raises(ValueError, match="titles must have 2"):
        plotting.plot_representations([X, X], y, titles=["only one"])
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_representations([], y)
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="axes must have 2"):
        plotting.plot_representations([X, X], y, axes=axes)


_ROADMAP_TEXTS = {
    "layers": {"Layer (weights)"},
    "loss": {"Loss function", "Loss score"},
    "optimizer": {"Optimizer"},
}


@pytest.mark.parametrize("highlight", [None, "layers", "loss", "optimizer"])
def test_plot_roadmap_emphasises_only_the_highlighted_part(highlight):
    ax = plotting.plot_roadmap(highlight)
    texts = {t.get_text(): t for t in ax.texts}
    assert {"Input X", "Predictions Y'", "True targets Y", "weight update"} <= set(texts)
    for part, names in _ROADMAP_TEXTS.items():
        greyed = highlight not in (None, part)
        for name in names:
            assert mpl.colors.same_color(texts[name].get_color(), "#909090") == greyed
            assert (texts[name].get_fontweight() == "bold") == (highlight == part)
    for name in ("Input X", "Predictions Y'", "True targets Y"):
        assert mpl.colors.same_color(texts[name].get_color(), "black")


def test_plot_roadmap_rejects_an_unknown_part():
    with pytest.raises(ValueError, match="highlight must be None or one of"):
        plotting.plot_roadmap("metrics")


# === Chapter 5: layers and activation functions ======================================


def test_plot_network_draws_one_edge_per_weight_styled_by_the_weight():
    from dlmath.layers import Dense, Sequential

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
    assert blue == (weights > 0).tolist()
    labels = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$x_{2}$", "$h_{3}$", "$y'_{1}$"} <= labels
    assert len(ax.patches) == 2 + 3 + 1  # one circle per neuron


def test_plot_network_names_several_hidden_layers_and_accepts_one_layer():
    from dlmath.layers import Dense, Sequential

    deep = Sequential([Dense(2, 2, "tanh", rng=k) for k in range(3)])
    labels = {t.get_text() for t in plotting.plot_network(deep).texts}
    assert {"$h^{(1)}_{1}$", "$h^{(2)}_{2}$", "$y'_{2}$"} <= labels
    ax = plotting.plot_network(Dense(3, 2, rng=0))
    assert [len(c.get_segments()) for c in ax.collections] == [6]


def test_plot_network_rejects_what_is_not_a_model_and_bad_styles():
    from dlmath.layers import Dense

    with pytest.raises(TypeError, match="Sequential model or Dense layer"):
        plotting.plot_network([[1.0, 2.0]])
    with pytest.raises(ValueError, match="node_size"):
        plotting.plot_network(Dense(2, 2, rng=0), node_size=0.0)
    with pytest.raises(ValueError, match="max_width"):
        plotting.plot_network(Dense(2, 2, rng=0), max_width=-1.0)


def test_plot_activation_draws_the_function_and_its_derivative():
    z = np.linspace(-2.0, 2.0, 9)
    a, da = np.maximum(z, 0.0), (z > 0).astype(float)
    ax = plotting.plot_activation(z, a, da, name="f")
    handles, labels = ax.get_legend_handles_labels()
    assert labels == ["$f(z)$", "$f'(z)$"]
    assert handles[0].get_ydata().tolist() == a.tolist()
    assert handles[1].get_ydata().tolist() == da.tolist()
    assert handles[1].get_linestyle() == "--"
    only = plotting.plot_activation(z, a)
    assert only.get_legend_handles_labels()[1] == ["$\\varrho(z)$"]


def test_plot_activation_rejects_mismatched_values():
    z = np.linspace(-1.0, 1.0, 5)
    with pytest.raises(ValueError, match="a must have the shape of z"):
        plotting.plot_activation(z, z[:4])
    with pytest.raises(ValueError, match="da must have the shape of z"):
        plotting.plot_activation(z, z, z[:3])
    with pytest.raises(ValueError, match="1-D array of at least 2"):
        plotting.plot_activation([0.0], [0.0])


def test_plot_curves_draws_each_curve_with_its_label_and_style():
    x = np.linspace(0.0, 1.0, 4)
    ax = plotting.plot_curves(
        x, {"one": x, "two": x**2}, styles={"two": {"color": "black", "linestyle": ":"}}
    )
    one, two = ax.get_lines()
    assert one.get_label() == "one"
    assert one.get_ydata().tolist() == x.tolist()
    assert two.get_ydata().tolist() == (x**2).tolist()
    assert mpl.colors.same_color(two.get_color(), "black")
    assert two.get_linestyle() == ":"
    assert ax.get_legend() is not None


def test_plot_curves_rejects_bad_curves_and_styles():
    x = np.linspace(0.0, 1.0, 4)
    with pytest.raises(TypeError, match="non-empty dict"):
        plotting.plot_curves(x, {})
    with pytest.raises(ValueError, match="shape of x"):
        plotting.plot_curves(x, {"short": x[:2]})
    with pytest.raises(ValueError, match="not drawn"):
        plotting.plot_curves(x, {"one": x}, styles={"other": {}})


# === Chapters 6-8: loss, gradient descent, backpropagation ===========================


def test_plot_residuals_joins_each_prediction_to_its_observation():
    x, y, y_hat = [0.1, 0.3, 0.6], [0.2, 0.25, 0.4], [0.05, 0.15, 0.3]
    ax = plotting.plot_residuals(x, y, y_hat, line=(0.5, 0.0))
    segments = ax.collections[0].get_segments()
    assert [s[:, 0].tolist() for s in segments] == [[0.1, 0.1], [0.3, 0.3], [0.6, 0.6]]
    assert sorted(s[0, 1] for s in segments) == [0.05, 0.15, 0.3]
    assert sorted(s[1, 1] for s in segments) == [0.2, 0.25, 0.4]
    line = ax.lines[0]
    assert line.get_xy1() == (0.0, 0.0)
    assert line.get_slope() == 0.5
    assert ax.lines[-2].get_ydata().tolist() == y
    assert ax.lines[-1].get_ydata().tolist() == y_hat


def test_plot_residuals_accepts_rows_and_rejects_mismatched_data():
    ax = plotting.plot_residuals([[0.1, 0.3]], [[0.2, 0.25]], [[0.05, 0.15]])
    assert ax.lines[-2].get_xdata().tolist() == [0.1, 0.3]
    with pytest.raises(ValueError, match="same number of values"):
        plotting.plot_residuals([0.1, 0.3], [0.2], [0.05, 0.15])
    with pytest.raises(ValueError, match="finite"):
        plotting.plot_residuals([0.1, float("nan")], [0.2, 0.3], [0.05, 0.15])
    with pytest.raises(TypeError, match="pair"):
        plotting.plot_residuals([0.1], [0.2], [0.05], line=0.5)


def test_plot_fit_progress_draws_data_lines_and_reference_in_order():
    ax = plotting.plot_fit_progress(
        [0.1, 0.7],
        [0.2, 0.7],
        [0.5, 0.6, 0.7],
        [0.0, 0.05, 0.08],
        ["a", "b", "c"],
        reference=(0.73, 0.077, "least squares"),
    )
    assert [line.get_label() for line in ax.lines] == ["data", "a", "b", "c", "least squares"]
    assert [line.get_slope() for line in ax.lines[1:]] == [0.5, 0.6, 0.7, 0.73]
    assert [line.get_xy1()[1] for line in ax.lines[1:]] == [0.0, 0.05, 0.08, 0.077]
    # the later a line, the darker: viridis runs from yellow (light) to purple (dark)
    brightness = [sum(mpl.colors.to_rgb(line.get_color())) for line in ax.lines[1:4]]
    assert brightness[0] > brightness[1] > brightness[2]


def test_plot_fit_progress_rejects_inconsistent_lengths():
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_fit_progress([0.1], [0.2], [0.5, 0.6], [0.0], ["a", "b"])
    with pytest.raises(TypeError, match="reference"):
        plotting.plot_fit_progress([0.1], [0.2], [0.5], [0.0], ["a"], reference=(0.7, 0.1))


def test_plot_series_draws_against_the_index_with_a_floor():
    ax = plotting.plot_series(
        {"one": [3.0, 2.0, 1.5], "two": [1.0, 0.5]}, logy=True, floor=(1.0, "floor")
    )
    assert ax.lines[0].get_xydata().tolist() == [[0, 3.0], [1, 2.0], [2, 1.5]]
    assert ax.lines[1].get_xdata().tolist() == [0, 1]
    assert list(ax.lines[2].get_ydata()) == [1.0, 1.0]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["one", "two", "floor"]


def test_plot_series_accepts_one_sequence_and_rejects_bad_values():
    ax = plotting.plot_series([0.3, 0.2, 0.1])
    assert ax.get_legend() is None
    assert ax.get_yscale() == "linear"
    with pytest.raises(ValueError, match="positive"):
        plotting.plot_series([1.0, 0.0], logy=True)
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_series({})
    with pytest.raises(ValueError, match="non-empty row"):
        plotting.plot_series([[1.0, 2.0], [3.0, 4.0]])


def test_plot_descent_path_puts_each_point_on_the_curve():
    path = [-2.0, 1.5, -0.5]
    ax = plotting.plot_descent_path(lambda x: x**2 + 1, path)
    curve, points = ax.lines[0], ax.lines[1]
    assert points.get_xydata().tolist() == [[-2.0, 5.0], [1.5, 3.25], [-0.5, 1.25]]
    xs = curve.get_xdata()
    assert xs.min() <= -2.0  # the default interval covers the path
    assert xs.max() >= 2.0
    assert curve.get_ydata() == pytest.approx(xs**2 + 1)


def test_plot_descent_path_validates_its_arguments():
    with pytest.raises(TypeError, match="callable"):
        plotting.plot_descent_path(3.0, [1.0, 0.5])
    with pytest.raises(ValueError, match="finite"):
        plotting.plot_descent_path(abs, [1.0, float("inf")])
    with pytest.raises(ValueError, match="low < high"):
        plotting.plot_descent_path(abs, [1.0, 0.5], xlim=(1.0, -1.0))


def test_animate_descent_has_one_frame_per_point_and_draws_the_tangent():
    path = [2.0, 1.0, 0.5, 0.25]
    animation = plotting.animate_descent(lambda x: x**2, path, grad=lambda x: 2 * x)
    assert animation._fig.number not in plt.get_fignums()  # no still copy is shown
    html = animation.to_jshtml()
    assert html.count("data:image/png;base64") == len(path)
    # after rendering, the last frame is drawn: its tangent touches (0.25, 0.0625)
    # with slope 2 * 0.25
    tangent = animation._fig.axes[0].lines[1]
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(0.5)
    assert ys[0] + 0.5 * (0.25 - xs[0]) == pytest.approx(0.0625)


def test_animate_descent_rejects_a_grad_that_is_not_callable():
    with pytest.raises(TypeError, match="grad"):
        plotting.animate_descent(abs, [1.0, 0.5], grad=2.0)


def test_plot_descent_contour_draws_the_path_over_the_levels():
    path = [[1.0, 0.5, 0.25], [-1.0, -0.5, -0.25]]
    ax = plotting.plot_descent_contour(
        lambda p: p @ p,
        path,
        xlim=(-1.5, 1.5),
        ylim=(-1.5, 1.5),
        levels=[0.5, 1.0, 2.0],
        mark=(0.0, 0.0, "minimum"),
    )
    assert ax.lines[0].get_xydata().tolist() == [[1.0, -1.0], [0.5, -0.5], [0.25, -0.25]]
    contour = ax.collections[0]
    assert list(contour.levels) == [0.5, 1.0, 2.0]
    # the level-1 contour of x^2 + y^2 is the unit circle
    circle = contour.allsegs[1][0]
    assert np.hypot(circle[:, 0], circle[:, 1]) == pytest.approx(1.0, abs=1e-3)
    assert ax.get_xlim() == (-1.5, 1.5)


def test_plot_descent_contour_wants_points_as_columns():
    with pytest.raises(ValueError, match=r"shape \(2, N\)"):
        plotting.plot_descent_contour(
            lambda p: p @ p, [[1.0, -1.0], [0.5, -0.5], [0.2, 0.1]], xlim=(-1, 1), ylim=(-1, 1)
        )


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


# === Chapter 9: MNIST ================================================================


def test_digit_grid_draws_one_axes_per_image_and_marks_mistakes():
    images = np.zeros((12, 28, 28))
    images[:, 14, 14] = 255
    labels = np.arange(12) % 10
    predictions = labels.copy()
    predictions[3] = (labels[3] + 1) % 10
    fig = plotting.digit_grid(images, labels=labels, predictions=predictions, ncols=5)
    assert len(fig.axes) == 12  # the three unused cells of the 3 x 5 grid are removed
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "0 → 0"
    assert titles[3] == f"{labels[3]} → {predictions[3]}"
    assert fig.axes[3].title.get_color() == plotting.COLORS["red"]
    assert fig.axes[0].title.get_color() == "black"


def test_digit_grid_accepts_dlmaths_column_layout():
    images = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28))
    columns = images.reshape(3, 784).T
    fig = plotting.digit_grid(columns)
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), images[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"images": np.zeros((5, 5))},
            r"images must have shape \(n, height, width\) or \(784, n\)",
        ),
        ({"images": np.zeros((0, 28, 28))}, "images must not be empty"),
        ({"images": np.zeros((2, 28, 28)), "labels": [1]}, r"labels must have shape \(2,\)"),
        ({"images": np.zeros((2, 28, 28)), "ncols": 0}, "ncols must be a positive integer"),
    ],
)
def test_digit_grid_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.digit_grid(**kwargs)


def test_training_curves_draws_training_and_validation_per_run():
    runs = {
        "a": {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6]},
        "b": {"loss": [2.0, 1.0, 0.5]},
    }
    ax = plotting.training_curves(runs, metric="loss")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert sorted(lines) == ["a, test", "a, training", "b, training"]
    np.testing.assert_array_equal(lines["a, test"].get_ydata(), [1.1, 0.7, 0.6])
    np.testing.assert_array_equal(lines["b, training"].get_xdata(), [1, 2, 3])
    assert lines["a, test"].get_linestyle() == "--"
    with pytest.raises(ValueError, match="has no 'accuracy'"):
        plotting.training_curves(runs, metric="accuracy")
    with pytest.raises(ValueError, match="at least one run"):
        plotting.training_curves({})
