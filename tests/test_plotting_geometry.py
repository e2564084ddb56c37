"""Tests of dlmath.plotting.geometry: figures of the plane (drawn with the Agg backend)."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlmath import plotting

pytestmark = pytest.mark.usefixtures("close_figures")


def _rgb(colour):
    return mpl.colors.to_hex(colour, keep_alpha=False)


# === plot_transformation =============================================================

_SQUARE = np.array([[0.0, 0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0, 0.0]])


def test_plot_transformation_draws_the_shape_and_its_image_on_equal_axes():
    image = 2.0 * _SQUARE + 1.0
    ax = plotting.plot_transformation(_SQUARE, image, labels=("before", "after"))
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), _SQUARE.T)
    np.testing.assert_array_equal(ax.lines[1].get_xydata(), image.T)
    assert _rgb(ax.lines[0].get_color()) == _rgb(plotting.COLORS["grey"])
    assert _rgb(ax.lines[1].get_color()) == _rgb(plotting.COLORS["blue"])
    assert ax.get_aspect() == 1.0
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["before", "after"]


def test_plot_transformation_arrow_joins_the_tracked_point_to_its_image_in_red():
    image = _SQUARE[::-1]  # reflection in the diagonal: (1, 0) goes to (0, 1)
    ax = plotting.plot_transformation(_SQUARE, image, track=3)
    (arrow,) = ax.texts
    assert arrow.xyann == (1.0, 0.0)
    assert arrow.xy == (0.0, 1.0)
    assert _rgb(arrow.arrow_patch.get_edgecolor()) == _rgb(plotting.COLORS["red"])
    assert plotting.colours_used(ax) == {"grey", "blue", "red", "black"}


def test_plot_transformation_leaves_its_inputs_alone():
    X, Y = _SQUARE.copy(), _SQUARE + 0.5
    plotting.plot_transformation(X, Y, track=0)
    np.testing.assert_array_equal(X, _SQUARE)
    np.testing.assert_array_equal(Y, _SQUARE + 0.5)


@pytest.mark.parametrize(
    ("X", "Y", "kwargs", "error", "message"),
    [
        (_SQUARE, _SQUARE[:, :4], {}, ValueError, r"Y must have the shape of X \(2, 5\)"),
        (_SQUARE.T, _SQUARE.T, {}, ValueError, "X must have 2 rows"),
        (_SQUARE, _SQUARE + np.nan, {}, ValueError, "Y must hold finite numbers"),
        (_SQUARE, _SQUARE, {"track": 5}, ValueError, r"track must be an index in \[0, 5\)"),
        (_SQUARE, _SQUARE, {"track": -1}, ValueError, r"track must be an index in \[0, 5\)"),
        (_SQUARE, _SQUARE, {"track": 1.0}, TypeError, "track must be an integer index"),
        (_SQUARE, _SQUARE, {"labels": "ab"}, TypeError, r"labels must be a tuple \(original"),
    ],
)
def test_plot_transformation_rejects_bad_arguments(X, Y, kwargs, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_transformation(X, Y, **kwargs)
    assert plt.get_fignums() == []  # nothing drawn before the check failed


# === plot_two_classes ================================================================


def _two_class_data():
    X = np.array([[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0, 0.5]])
    y = np.array([0, 1, 0, 1, 1])
    return X, y


def test_plot_two_classes_draws_class_0_in_red_and_class_1_in_blue():
    X, y = _two_class_data()
    ax = plotting.plot_two_classes(X, y)
    red, blue = ax.collections
    assert red.get_offsets().tolist() == [[0.0, 0.0], [2.0, 0.0]]
    assert blue.get_offsets().tolist() == [[1.0, 1.0], [3.0, 1.0], [4.0, 0.5]]
    assert _rgb(red.get_facecolor()[0]) == _rgb(plotting.COLORS["red"])
    assert _rgb(blue.get_facecolor()[0]) == _rgb(plotting.COLORS["blue"])
    assert plotting.colours_used(ax) == {"red", "blue"}


def test_plot_two_classes_accepts_whole_floats_as_labels():
    X, y = _two_class_data()
    ax = plotting.plot_two_classes(X, y.astype(float))
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 3]


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (np.zeros((3, 2)), [0, 1], ValueError, "X must have 2 rows"),
        (np.zeros((2, 2)), [0, 1, 1], ValueError, r"y must have shape \(2,\); got shape \(3,\)"),
        (np.zeros((2, 2)), [0, 2], ValueError, r"y must lie in \[0, 2\)"),
        (np.zeros((2, 2)), [0.0, 0.5], ValueError, "y must hold whole numbers"),
        (np.zeros((2, 2)), [True, False], TypeError, "y must hold integer class labels"),
    ],
)
def test_plot_two_classes_rejects_bad_arguments(X, y, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_two_classes(X, y)


# === plot_line =======================================================================


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


@pytest.mark.parametrize(
    ("w", "b", "error", "message"),
    [
        ([0.0, 0.0], 1.0, ValueError, "w must be a non-zero vector"),
        ([1.0], 0.0, ValueError, r"w must have shape \(2,\)"),
        ([1.0, np.nan], 0.0, ValueError, "w must hold finite numbers"),
        ([1.0, 1.0], np.inf, ValueError, "b must be finite"),
        ([1.0, 1.0], "0", TypeError, "b must be a real number"),
    ],
)
def test_plot_line_rejects_a_degenerate_line(w, b, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_line(w, b)


# === plot_decision_regions ===========================================================


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
    assert plotting.colours_used(ax) == {"red", "blue", "black"}  # boundary in black


def test_plot_decision_regions_validates_the_model_and_the_grid():
    X, y = _two_class_data()
    with pytest.raises(TypeError, match="predict must be callable"):
        plotting.plot_decision_regions("model", X, y)
    with pytest.raises(ValueError, match=r"shape \(2, 4\)"):
        plotting.plot_decision_regions(lambda P: P[:1], X, y, resolution=2)
    with pytest.raises(ValueError, match="finite"):
        plotting.plot_decision_regions(lambda P: P * np.nan, X, y, resolution=2)
    with pytest.raises(ValueError, match="resolution must be at least 2; got 1"):
        plotting.plot_decision_regions(lambda P: P, X, y, resolution=1)
    with pytest.raises(TypeError, match="resolution must be an integer"):
        plotting.plot_decision_regions(lambda P: P, X, y, resolution=5.0)
    with pytest.raises(ValueError, match="margin must be non-negative"):
        plotting.plot_decision_regions(lambda P: P, X, y, margin=-1.0)


# === plot_representations ============================================================


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


def test_plot_representations_puts_at_most_three_panels_in_a_row_of_the_column():
    X, y = _two_class_data()
    axes = plotting.plot_representations([X] * 5, y)
    fig = axes[0].figure
    assert len(fig.axes) == 5  # the sixth cell of the 2 x 3 grid is removed
    rows = {round(ax.get_position().y0, 3) for ax in axes}
    columns = {round(ax.get_position().x0, 3) for ax in axes}
    assert (len(rows), len(columns)) == (2, 3)
    assert fig.get_figwidth() <= plotting.FIGURE_WIDTH_IN + 1e-9


def test_plot_representations_takes_the_number_of_columns_asked_for():
    X, y = _two_class_data()
    axes = plotting.plot_representations([X] * 4, y, ncols=2)
    columns = {round(ax.get_position().x0, 3) for ax in axes}
    assert len(columns) == 2
    assert len(plotting.plot_representations([X] * 2, y, ncols=5)) == 2  # at most one row


def test_plot_representations_rejects_inconsistent_panels():
    X, y = _two_class_data()
    with pytest.raises(ValueError, match="same N points"):
        plotting.plot_representations([X, X[:, :3]], y)
    with pytest.raises(ValueError, match=r"representations\[1\] must have 2 rows"):
        plotting.plot_representations([X, X.T], y)
    with pytest.raises(ValueError, match="titles must have 2"):
        plotting.plot_representations([X, X], y, titles=["only one"])
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_representations([], y)
    with pytest.raises(TypeError, match=r"line must be a tuple \(w, b\)"):
        plotting.plot_representations([X], y, line=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="ncols must be at least 1"):
        plotting.plot_representations([X], y, ncols=0)
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="axes must have 2"):
        plotting.plot_representations([X, X], y, axes=axes)
    with pytest.raises(ValueError, match="do not pass it with axes"):
        plotting.plot_representations([X, X, X], y, axes=axes, ncols=3)
