"""Tests of dlmath.plotting.deformation: the plane deformed by a network's layers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlmath import plotting

pytestmark = pytest.mark.usefixtures("close_figures")


def _two_class_data():
    X = np.array([[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0, 0.5]])
    y = np.array([0, 1, 0, 1, 1])
    return X, y


_A = np.array([[2.0, 1.0], [0.0, 0.5]])
_B = np.array([[0.5], [-1.0]])


def _affine(P):
    return _A @ P + _B


def _identity(P):
    return P


def _layer_outputs(X):
    """The input, then the outputs of the two test layers (affine + tanh, then swap)."""
    first = np.tanh(_A @ X + _B)
    return [X, first, first[::-1]]


_TEST_LAYERS = [(_affine, np.tanh), (lambda P: P[::-1], _identity)]


def _offsets(ax, y):
    """The points drawn in a panel, back in the order of the data."""
    red, blue = (c.get_offsets() for c in ax.collections[1:3])
    points = np.empty((y.size, 2))
    points[y == 0], points[y == 1] = red, blue
    return points.T


def test_plot_deformation_draws_each_layer_output_with_its_grid_and_the_accuracies(book_style):
    X, y = _two_class_data()
    axes = plotting.plot_deformation(
        X, y, _TEST_LAYERS, accuracies=[0.6, 0.8, 1.0], line=([1.0, -1.0], 0.0), grid_lines=3
    )
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes[:3]] == ["input", "layer 1", "layer 2"]
    for ax, expected in zip(axes[:3], _layer_outputs(X), strict=True):
        np.testing.assert_allclose(_offsets(ax, y), expected)
        (u0, u1), (v0, v1) = ax.get_xlim(), ax.get_ylim()
        assert v1 - v0 == pytest.approx(u1 - u0)  # a square frame around the points
        assert u0 <= expected[0].min() < expected[0].max() <= u1
        assert v0 <= expected[1].min() < expected[1].max() <= v1
    # the grid of the input panel: 3 horizontal lines, then 3 vertical, 0.2 beyond the data
    segments = axes[0].collections[0].get_segments()
    assert len(segments) == 6
    np.testing.assert_allclose(segments[0][[0, -1]], [[-0.2, -0.2], [4.2, -0.2]])
    np.testing.assert_allclose(segments[5][[0, -1]], [[4.2, -0.2], [4.2, 1.2]])
    # after layer 1 each grid line is the image of the straight line under the layer
    np.testing.assert_allclose(
        axes[1].collections[0].get_segments()[0].T, np.tanh(_A @ segments[0].T + _B)
    )
    assert [bar.get_width() for bar in axes[3].patches] == pytest.approx([60.0, 80.0, 100.0])
    assert [t.get_text() for t in axes[3].get_yticklabels()] == ["input", "layer 1", "layer 2"]
    (line,) = axes[2].get_lines()  # the line u - v = 0, in the last layer's panel only
    assert np.allclose(line.get_xdata(), line.get_ydata())
    assert [len(ax.get_lines()) for ax in axes[:2]] == [0, 0]
    fig = axes[0].figure
    assert plotting.colours_used(fig) == {"red", "blue", "grey", "green", "black"}
    assert fig.get_figwidth() <= plotting.FIGURE_WIDTH_IN
    assert plotting.smallest_text_pt(fig) >= plotting.MIN_TEXT_PT


def test_animate_deformation_moves_the_points_straight_from_each_stage_to_the_next(book_style):
    X, y = _two_class_data()
    stages = [X, _affine(X), np.tanh(_affine(X)), np.tanh(_affine(X))[::-1]]
    stages.append(stages[-1])
    animation = plotting.animate_deformation(
        X,
        y,
        _TEST_LAYERS,
        accuracies=[0.6, 0.8, 1.0],
        line=([1.0, -1.0], 0.0),
        steps=2,
        move_names=("affine", "bend"),
    )
    fig = animation._fig
    assert fig.number not in plt.get_fignums()  # no still copy is shown
    plane, bars = fig.axes
    position = plane.get_position().bounds
    expected_titles = ["input"] + [
        f"layer {k}: {name}" for k in (1, 2) for name in ("affine", "affine", "bend", "bend")
    ]
    titles, shown = [], []
    for frame in range(9):
        animation._func(frame)
        j, t = (0, 0.0) if frame == 0 else ((frame - 1) // 2, 0.5 * (2 - frame % 2))
        expected = (1 - t) * stages[j] + t * stages[j + 1]
        np.testing.assert_allclose(_offsets(plane, y), expected)
        titles.append(plane.get_title())
        shown.append(sum(bar.get_visible() for bar in bars.patches))
        assert len(plane.get_lines()) == (1 if frame == 8 else 0)  # the line at the end
        assert plane.get_position().bounds == pytest.approx(position)  # the axes stay put
    assert titles == expected_titles
    assert shown == [1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert plotting.smallest_text_pt(fig) >= plotting.MIN_TEXT_PT
    html = animation.to_jshtml()
    assert html.count("data:image/png;base64") == 9


def test_the_deformation_figures_leave_the_data_alone():
    X, y = _two_class_data()
    original = X.copy()

    def in_place(P):
        P *= 2.0
        return P

    layers = [(in_place, in_place)]
    axes = plotting.plot_deformation(X, y, layers, accuracies=[0.5, 0.5])
    np.testing.assert_array_equal(X, original)
    np.testing.assert_allclose(_offsets(axes[1], y), 4.0 * original)
    animation = plotting.animate_deformation(X, y, layers, accuracies=[0.5, 0.5], steps=1)
    assert animation.to_jshtml().count("data:image/png;base64") == 3
    np.testing.assert_array_equal(X, original)


@pytest.mark.parametrize(
    ("layers", "kwargs", "error", "message"),
    [
        (_TEST_LAYERS[0], {}, TypeError, r"layers\[0\] must be a tuple \(affine map, activation"),
        ([], {}, TypeError, "layers must be a non-empty list"),
        ([(_affine,)], {}, TypeError, r"layers\[0\] must be a tuple"),
        ([(_affine, 2.0)], {}, TypeError, r"layers\[0\]\[1\] must be callable"),
        (_TEST_LAYERS, {"accuracies": [0.5, 1.0]}, ValueError, r"shape \(3,\); got shape \(2,\)"),
        (_TEST_LAYERS, {"accuracies": [0.5, 1.0, 90.0]}, ValueError, r"fractions in \[0, 1\]"),
        (_TEST_LAYERS, {"accuracies": [0.5, 1.0, np.nan]}, ValueError, "finite"),
        ([(lambda P: P[:, :2], _identity)], {}, ValueError, r"layers\[0\]\[0\]\(points\) must"),
        (
            [(_affine, lambda P: P + np.inf)],
            {},
            ValueError,
            r"layers\[0\]\[1\]\(points\) must hold",
        ),
        (_TEST_LAYERS, {"grid_lines": 1}, ValueError, "grid_lines must be at least 2"),
        (_TEST_LAYERS, {"margin": -0.1}, ValueError, "margin must be non-negative"),
        (_TEST_LAYERS, {"line": ([0.0, 0.0], 1.0)}, ValueError, "non-zero vector"),
        (_TEST_LAYERS, {"line": [1.0, 0.0, 0.0]}, TypeError, r"line must be a tuple \(w, b\)"),
    ],
)
def test_the_deformation_figures_reject_bad_arguments(layers, kwargs, error, message):
    X, y = _two_class_data()
    kwargs = {"accuracies": [0.5] * (len(layers) + 1 if isinstance(layers, list) else 3)} | kwargs
    for draw in (plotting.plot_deformation, plotting.animate_deformation):
        with pytest.raises(error, match=message):
            draw(X, y, layers, **kwargs)
    assert plt.get_fignums() == []  # nothing drawn before the check failed


def test_animate_deformation_rejects_bad_frames():
    X, y = _two_class_data()
    layers, accuracies = _TEST_LAYERS, [0.5, 0.5, 0.5]
    with pytest.raises(ValueError, match="steps must be at least 1"):
        plotting.animate_deformation(X, y, layers, accuracies=accuracies, steps=0)
    with pytest.raises(ValueError, match="width must leave a plane at least 1 inch"):
        plotting.animate_deformation(X, y, layers, accuracies=accuracies, width=1.5)
    with pytest.raises(TypeError, match=r"move_names must be a tuple"):
        plotting.animate_deformation(X, y, layers, accuracies=accuracies, move_names="ab")
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        plotting.animate_deformation(X, y.astype(bool), layers, accuracies=accuracies)
    assert plt.get_fignums() == []
