"""Tests of dlmath.plotting.calculus: tangents, step errors, gradient fields, curves."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlmath import plotting

pytestmark = pytest.mark.usefixtures("close_figures")


def _rgb(colour):
    return mpl.colors.to_hex(colour, keep_alpha=False)


# === plot_tangent ====================================================================


def test_plot_tangent_draws_the_line_through_the_point_with_the_given_slope():
    x = np.linspace(0.0, 4.0, 9)
    # The tangent of y = x**3 at x = 1 is y = 1 + 3 (t - 1): -2 at t = 0, 4 at t = 2.
    ax = plotting.plot_tangent(x, x**3, 1.0, 1.0, 3.0, half_width=1.0)
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), np.column_stack([x, x**3]))
    np.testing.assert_allclose(ax.lines[1].get_xydata(), [[0.0, -2.0], [2.0, 4.0]])
    assert plotting.colours_used(ax) == {"blue", "red"}  # the caption: blue curve, red tangent


def test_plot_tangent_default_width_is_a_quarter_of_the_range():
    x = np.linspace(-2.0, 6.0, 5)  # range 8: the tangent spans x0 - 2 .. x0 + 2
    ax = plotting.plot_tangent(x, x, 1.0, 1.0, 1.0, label="identity")
    np.testing.assert_allclose(ax.lines[1].get_xdata(), [-1.0, 3.0])
    assert ax.lines[0].get_label() == "identity"


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "error", "message"),
    [
        ([0.0, 1.0, 2.0], [0.0, 1.0], {}, ValueError, r"y must have the shape of x \(3,\)"),
        ([[0.0, 1.0]], [[0.0, 1.0]], {}, ValueError, "x must be a 1-D array"),
        ([0.0], [0.0], {}, ValueError, "x must hold at least 2 values"),
        ([0.0, 1.0], [0.0, 1.0], {"half_width": 0.0}, ValueError, "half_width must be positive"),
        ([0.0, 1.0], [0.0, 1.0], {"half_width": np.nan}, ValueError, "half_width must be finite"),
        ([0.0, 1.0], [0.0, 1.0], {"slope": "1"}, TypeError, "slope must be a real number"),
    ],
)
def test_plot_tangent_rejects_bad_arguments(x, y, kwargs, error, message):
    arguments = {"x0": 0.5, "y0": 0.5, "slope": 1.0} | kwargs
    with pytest.raises(error, match=message):
        plotting.plot_tangent(x, y, **arguments)


# === plot_step_errors ================================================================


def test_plot_step_errors_uses_log_axes_and_leaves_out_zero_errors():
    h = np.array([1e-3, 1e-2, 1e-1])
    errors = np.array([0.0, 1e-4, 1e-2])
    ax = plotting.plot_step_errors(h, errors, best=1, guides={"$h^2$": h**2})
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1e-2, 1e-1])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), h**2)
    np.testing.assert_array_equal(ax.lines[2].get_xydata(), [[1e-2, 1e-4]])
    assert _rgb(ax.lines[2].get_color()) == _rgb(plotting.COLORS["red"])  # "the red dot"


@pytest.mark.parametrize(
    ("h", "errors", "kwargs", "error", "message"),
    [
        ([0.0, 0.1], [1.0, 1.0], {}, ValueError, "h must hold steps > 0"),
        ([0.1, 0.2], [-1.0, 1.0], {}, ValueError, "errors must hold values >= 0"),
        ([0.1, 0.2], [1.0, np.inf], {}, ValueError, "errors must hold finite numbers"),
        ([0.1, 0.2], [1.0, 1.0], {"best": 2}, ValueError, r"best must be an index in \[0, 2\)"),
        (
            [0.1, 0.2],
            [1.0, 1.0],
            {"guides": {"g": [1.0]}},
            ValueError,
            r"guide 'g' must have the shape of h \(2,\)",
        ),
    ],
)
def test_plot_step_errors_rejects_bad_arguments(h, errors, kwargs, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_step_errors(h, errors, **kwargs)


# === plot_gradient_field =============================================================


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
    assert plotting.colours_used(ax) == {"grey", "red"}  # grey contours, red arrows


@pytest.mark.parametrize(
    ("Z_shape", "gradients", "kwargs", "message"),
    [
        ((5, 3), [[1.0], [0.0]], {}, r"Z must have the shape of \(len\(y\), len\(x\)\) \(3, 5\)"),
        ((3, 5), [[1.0, 2.0], [0.0, 0.0]], {}, "gradients must have the shape of points"),
        ((3, 5), [[1.0], [0.0]], {"arrow_scale": 0.0}, "arrow_scale must be positive"),
    ],
)
def test_plot_gradient_field_rejects_bad_arguments(Z_shape, gradients, kwargs, message):
    x, y = np.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 3)
    with pytest.raises(ValueError, match=message):
        plotting.plot_gradient_field(x, y, np.zeros(Z_shape), [[0.5], [0.5]], gradients, **kwargs)


# === plot_activation =================================================================


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
    with pytest.raises(ValueError, match="z must hold at least 2 values"):
        plotting.plot_activation([0.0], [0.0])


# === plot_curves =====================================================================


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


def test_plot_curves_checks_every_curve_before_drawing_any():
    x = np.linspace(0.0, 1.0, 4)
    with pytest.raises(TypeError, match="non-empty dict"):
        plotting.plot_curves(x, {})
    with pytest.raises(ValueError, match=r"curve 'short' must have the shape of x \(4,\)"):
        plotting.plot_curves(x, {"fine": x, "short": x[:2]})
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="not drawn"):
        plotting.plot_curves(x, {"one": x}, styles={"other": {}})


# === plot_gradient_noise =============================================================


def test_plot_gradient_noise_draws_batches_means_and_the_square_root_guide():
    errors = [[0.8, 1.2, 1.0], [0.4, 0.6], [0.26]]
    ax = plotting.plot_gradient_noise([4, 16, 64], errors)
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    means, guide = ax.lines[0], ax.lines[1]
    assert means.get_xdata().tolist() == [4, 16, 64]
    assert means.get_ydata() == pytest.approx([1.0, 0.5, 0.26])
    # c / sqrt(m) through the first mean: 1 at m = 4, halved for every factor of 4
    assert guide.get_ydata() == pytest.approx([1.0, 0.5, 0.25])
    # every batch is a dot at its batch size
    dots = ax.collections[0].get_offsets()
    assert dots.tolist() == [[4, 0.8], [4, 1.2], [4, 1.0], [16, 0.4], [16, 0.6], [64, 0.26]]
    # round numbers label the vertical axis, around the values drawn
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["0.3", "0.5", "1"]
    # the caption of Chapter 7: sky-blue batches, blue means, a black guide
    assert plotting.colours_used(ax) == {"sky", "blue", "black"}


def test_plot_gradient_noise_validates_before_drawing():
    with pytest.raises(ValueError, match="one array per batch size"):
        plotting.plot_gradient_noise([8, 32], [[1.0]])
    with pytest.raises(ValueError, match="increasing"):
        plotting.plot_gradient_noise([32, 8], [[1.0], [0.5]])
    with pytest.raises(ValueError, match="integers >= 1"):
        plotting.plot_gradient_noise([0.5, 8], [[1.0], [0.5]])
    with pytest.raises(ValueError, match=r"errors\[1\] must hold values > 0"):
        plotting.plot_gradient_noise([8, 32], [[1.0], [0.0]])
    with pytest.raises(ValueError, match=r"errors\[0\] must hold finite numbers"):
        plotting.plot_gradient_noise([8], [[np.nan]])
    with pytest.raises(TypeError, match="errors must be a sequence of arrays"):
        plotting.plot_gradient_noise([8], 1.0)
    assert plt.get_fignums() == []
