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
