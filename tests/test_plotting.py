"""Tests of dlmath.plotting (figures are drawn with the Agg backend)."""

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

# === Chapter 5: layers and activation functions ======================================

# === Chapters 6-8: loss, gradient descent, backpropagation ===========================

# === Chapter 9: MNIST ================================================================
