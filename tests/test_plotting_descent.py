"""Tests of dlmath.plotting.descent: residuals, fitted lines, series and descents."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlmath import plotting

pytestmark = pytest.mark.usefixtures("close_figures")


# === plot_residuals ==================================================================


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
    # the caption of Chapter 6: black data, open circles on the blue line, dashed residuals
    assert plotting.colours_used(ax) == {"black", "blue", "red"}


def test_plot_residuals_accepts_rows_and_rejects_mismatched_data():
    ax = plotting.plot_residuals([[0.1, 0.3]], [[0.2, 0.25]], [[0.05, 0.15]])
    assert ax.lines[-2].get_xdata().tolist() == [0.1, 0.3]
    with pytest.raises(ValueError, match="same number of values"):
        plotting.plot_residuals([0.1, 0.3], [0.2], [0.05, 0.15])
    with pytest.raises(ValueError, match="x must hold finite numbers"):
        plotting.plot_residuals([0.1, float("nan")], [0.2, 0.3], [0.05, 0.15])
    with pytest.raises(ValueError, match=r"y must be a row of numbers, shape \(N,\) or \(1, N\)"):
        plotting.plot_residuals([0.1, 0.3], [[0.2], [0.3]], [0.05, 0.15])
    with pytest.raises(TypeError, match=r"line must be a tuple \(w, b\)"):
        plotting.plot_residuals([0.1], [0.2], [0.05], line=0.5)
    with pytest.raises(ValueError, match=r"line\[1\] must be finite"):
        plotting.plot_residuals([0.1], [0.2], [0.05], line=(0.5, np.inf))
    assert len(plt.get_fignums()) == 1  # only the first call drew


# === plot_fit_progress ===============================================================


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


def test_plot_fit_progress_rejects_inconsistent_lengths_and_bad_references():
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_fit_progress([0.1], [0.2], [0.5, 0.6], [0.0], ["a", "b"])
    with pytest.raises(TypeError, match=r"reference must be a tuple \(w, b, label\)"):
        plotting.plot_fit_progress([0.1], [0.2], [0.5], [0.0], ["a"], reference=(0.7, 0.1))
    with pytest.raises(ValueError, match=r"reference\[0\] must be finite"):
        plotting.plot_fit_progress(
            [0.1], [0.2], [0.5], [0.0], ["a"], reference=(np.nan, 0.1, "best")
        )
    assert plt.get_fignums() == []


# === plot_series =====================================================================


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
    with pytest.raises(ValueError, match="series must be a row of numbers"):
        plotting.plot_series([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match=r"series\['b'\] must hold finite numbers"):
        plotting.plot_series({"a": [1.0], "b": [np.nan]})
    with pytest.raises(ValueError, match=r"floor\[0\] must be positive"):
        plotting.plot_series([1.0, 0.5], logy=True, floor=(0.0, "zero"))
    with pytest.raises(TypeError, match="logy must be True or False"):
        plotting.plot_series([1.0, 0.5], logy="yes")


# === plot_descent_path and animate_descent ===========================================


def test_plot_descent_path_puts_each_point_on_the_curve():
    path = [-2.0, 1.5, -0.5]
    ax = plotting.plot_descent_path(lambda x: x**2 + 1, path)
    curve, points = ax.lines[0], ax.lines[1]
    assert points.get_xydata().tolist() == [[-2.0, 5.0], [1.5, 3.25], [-0.5, 1.25]]
    xs = curve.get_xdata()
    assert xs.min() <= -2.0  # the default interval covers the path
    assert xs.max() >= 2.0
    assert curve.get_ydata() == pytest.approx(xs**2 + 1)
    assert plotting.colours_used(ax) == {"grey", "orange", "red"}  # the last point: red star


def test_plot_descent_path_validates_its_arguments():
    with pytest.raises(TypeError, match="f must be callable"):
        plotting.plot_descent_path(3.0, [1.0, 0.5])
    with pytest.raises(ValueError, match="path must hold finite numbers"):
        plotting.plot_descent_path(abs, [1.0, float("inf")])
    with pytest.raises(ValueError, match="low < high"):
        plotting.plot_descent_path(abs, [1.0, 0.5], xlim=(1.0, -1.0))
    with pytest.raises(ValueError, match="the values of f must hold finite numbers"):
        plotting.plot_descent_path(lambda x: np.log(x) if x > 0 else np.nan, [1.0, 0.5])


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


def test_animate_descent_rejects_bad_arguments():
    with pytest.raises(TypeError, match="grad must be callable"):
        plotting.animate_descent(abs, [1.0, 0.5], grad=2.0)
    with pytest.raises(ValueError, match="dpi must be at least 1"):
        plotting.animate_descent(abs, [1.0, 0.5], dpi=0)
    with pytest.raises(TypeError, match=r"figsize must be a tuple \(width, height\)"):
        plotting.animate_descent(abs, [1.0, 0.5], figsize=4.0)
    with pytest.raises(ValueError, match="interval must be at least 1"):
        plotting.animate_descent(abs, [1.0, 0.5], interval=0)


# === plot_descent_contour ============================================================


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
    # the caption of Chapter 7: the descent in red, the cross (black) at the minimum
    assert plotting.colours_used(ax) == {"red", "black"}


def test_plot_descent_contour_validates_before_drawing():
    with pytest.raises(ValueError, match="path must have 2 rows"):
        plotting.plot_descent_contour(
            lambda p: p @ p, [[1.0, -1.0], [0.5, -0.5], [0.2, 0.1]], xlim=(-1, 1), ylim=(-1, 1)
        )
    with pytest.raises(TypeError, match=r"mark must be a tuple \(x, y, label\)"):
        plotting.plot_descent_contour(
            lambda p: p @ p, [[1.0], [1.0]], xlim=(-1, 1), ylim=(-1, 1), mark=(0.0, 0.0)
        )
    with pytest.raises(TypeError, match=r"ylim must be a tuple \(low, high\)"):
        plotting.plot_descent_contour(lambda p: p @ p, [[1.0], [1.0]], xlim=(-1, 1), ylim=None)
    assert plt.get_fignums() == []


# === plot_step_losses ================================================================


def test_plot_step_losses_numbers_the_steps_across_epochs():
    losses = [[2.0, 1.0, 1.5], [1.2, 0.8, 1.0]]
    ax = plotting.plot_step_losses(losses, epoch_losses=[1.5, 1.0])
    steps = ax.lines[0]
    assert steps.get_xdata().tolist() == [1, 2, 3, 4, 5, 6]
    assert steps.get_ydata().tolist() == [2.0, 1.0, 1.5, 1.2, 0.8, 1.0]
    first, second = ax.lines[1], ax.lines[2]
    assert first.get_xydata().tolist() == [[0.5, 1.5], [3.5, 1.5]]
    assert second.get_xydata().tolist() == [[3.5, 1.0], [6.5, 1.0]]
    # one dotted separator between the two epochs, after step 3
    separators = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in separators] == [3.5]
    assert plotting.colours_used(ax) == {"blue", "orange", "grey"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["loss of each step", "loss of the epoch"]


def test_plot_step_losses_validates_before_drawing():
    ax = plotting.plot_step_losses([[1.0, 0.5]])  # one epoch, no epoch losses
    assert len(ax.lines) == 1
    with pytest.raises(ValueError, match="one value per epoch"):
        plotting.plot_step_losses([[1.0, 0.5], [0.4, 0.3]], epoch_losses=[0.7])
    with pytest.raises(ValueError, match=r"step_losses must be a 2-D array; got shape \(2,\)"):
        plotting.plot_step_losses([1.0, 0.5])
    with pytest.raises(ValueError, match="step_losses must hold finite numbers"):
        plotting.plot_step_losses([[1.0, np.inf]])
    assert len(plt.get_fignums()) == 1  # only the first call drew
