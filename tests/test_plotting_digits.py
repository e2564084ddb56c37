"""Tests of dlmath.plotting.digits: digit grids and training curves."""

import matplotlib as mpl
import numpy as np
import pytest

from dlmath import plotting

pytestmark = pytest.mark.usefixtures("close_figures")


def test_digit_grid_draws_one_axes_per_image_and_marks_mistakes_in_red():
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
    assert mpl.colors.same_color(fig.axes[3].title.get_color(), plotting.COLORS["red"])
    assert mpl.colors.same_color(fig.axes[0].title.get_color(), "black")
    assert plotting.colours_used(fig) == {"red"}


def test_digit_grid_accepts_dlmaths_column_layout():
    images = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28))
    columns = images.reshape(3, 784).T
    fig = plotting.digit_grid(columns)
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), images[1])


def test_digit_grid_of_ten_columns_fits_the_book_column():
    fig = plotting.digit_grid(np.zeros((20, 28, 28)), labels=np.zeros(20, int), ncols=10)
    assert fig.get_figwidth() == pytest.approx(plotting.FIGURE_WIDTH_IN)
    small = plotting.digit_grid(np.zeros((2, 28, 28)), ncols=2)
    assert small.get_figwidth() == pytest.approx(2 * 0.9)  # few images keep their size
    assert plotting.digit_grid(np.zeros((2, 28, 28)), size=2.0).get_figwidth() == 4.0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"images": np.zeros((5, 5))},
            ValueError,
            r"images must have shape \(n, height, width\) or \(784, n\)",
        ),
        ({"images": np.zeros((0, 28, 28))}, ValueError, "images must not be empty"),
        (
            {"images": np.zeros((2, 28, 28)), "labels": [1]},
            ValueError,
            r"labels must have shape \(2,\)",
        ),
        (
            {"images": np.zeros((2, 28, 28)), "predictions": [1, 2]},
            ValueError,
            "pass labels too",
        ),
        ({"images": np.zeros((2, 28, 28)), "ncols": 0}, ValueError, "ncols must be at least 1"),
        ({"images": np.zeros((2, 28, 28)), "ncols": 2.0}, TypeError, "ncols must be an integer"),
        ({"images": np.zeros((2, 28, 28)), "size": -1.0}, ValueError, "size must be positive"),
    ],
)
def test_digit_grid_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
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
    assert plotting.colours_used(ax) == {"blue", "orange"}  # one colour per run


def test_training_curves_rejects_missing_or_inconsistent_histories():
    runs = {"a": {"loss": [1.0, 0.5], "val_loss": [1.0]}}
    with pytest.raises(ValueError, match="has no 'accuracy'"):
        plotting.training_curves(runs, metric="accuracy")
    with pytest.raises(ValueError, match="at least one run"):
        plotting.training_curves({})
    with pytest.raises(ValueError, match=r"'a''s val_loss must have the shape of loss \(2,\)"):
        plotting.training_curves(runs, metric="loss")


def test_plot_spread_draws_the_mean_in_a_band_from_min_to_max():
    values = np.array([[0.90, 0.95, 0.97], [0.94, 0.93, 0.99], [0.92, 0.97, 0.98]])
    ax = plotting.plot_spread(values, label="test", color="orange", linestyle="--")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])  # epochs from 1
    np.testing.assert_allclose(line.get_ydata(), [0.92, 0.95, 0.98])
    assert line.get_label() == "test"
    assert line.get_linestyle() == "--"
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    for x, low, high in [(1, 0.90, 0.94), (2, 0.93, 0.97), (3, 0.97, 0.99)]:
        at_x = vertices[np.isclose(vertices[:, 0], x), 1]
        assert at_x.min() == pytest.approx(low)
        assert at_x.max() == pytest.approx(high)
    assert plotting.colours_used(ax) == {"orange"}


def test_plot_spread_takes_positions_and_draws_no_band_for_one_run():
    ax = plotting.plot_spread([[1.0, 2.0]], x=[0.5, 4.0])
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0.5, 4.0])
    assert not ax.collections


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"values": [0.9, 0.95]}, ValueError, "values must be a 2-D array"),
        ({"values": [[0.9, np.nan]]}, ValueError, "values"),
        ({"values": [[0.9, 0.95]], "x": [1, 2, 3]}, ValueError, r"x must have the shape"),
        ({"values": [[0.9, 0.95]], "color": "purple"}, ValueError, "color must be a colour"),
        ({"values": [[0.9, 0.95]], "linestyle": "dotted"}, ValueError, "linestyle must be"),
        ({"values": [[0.9, 0.95]], "label": 3}, TypeError, "label must be a string"),
    ],
)
def test_plot_spread_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_spread(**kwargs)


def test_plot_spread_dots_draws_every_run_and_the_means():
    values = np.array([[0.91, 0.97, 0.99], [0.93, 0.96, 0.98]])  # 2 runs, 3 groups
    ax = plotting.plot_spread_dots(
        values, ["a", "b", "c"], threshold=(0.95, "95%"), ylabel="test accuracy"
    )
    dots, means, level = ax.get_lines()
    np.testing.assert_allclose(dots.get_ydata(), [0.91, 0.93, 0.97, 0.96, 0.99, 0.98])
    assert np.all(np.abs(dots.get_xdata() - np.repeat([0, 1, 2], 2)) < 0.5)  # by group
    finite = np.isfinite(means.get_ydata())
    np.testing.assert_allclose(np.unique(means.get_ydata()[finite]), [0.92, 0.965, 0.985])
    np.testing.assert_array_equal(level.get_ydata(), [0.95, 0.95])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylabel() == "test accuracy"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["each run", "mean", "95%"]
    assert plotting.colours_used(ax) == {"blue", "black", "grey"}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"names": ["a"]}, ValueError, r"names must have one entry per column of values \(2\)"),
        ({"names": "ab"}, TypeError, "names must be a sequence of strings"),
        ({"names": ["a", 2]}, TypeError, "names must be a sequence of strings"),
        ({"names": ["a", "b"], "threshold": 0.95}, TypeError, r"threshold must be a tuple"),
        ({"names": ["a", "b"], "threshold": (0.95, 1)}, TypeError, r"threshold\[1\] must be"),
        ({"names": ["a", "b"], "ylabel": 1}, TypeError, "ylabel must be a string"),
    ],
)
def test_plot_spread_dots_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plotting.plot_spread_dots([[0.9, 0.95]], **kwargs)
