"""Tests of dlmath.plotting (figures are drawn with the Agg backend)."""

import matplotlib as mpl
import matplotlib.pyplot as plt
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

# === Chapter 3: rates of change ======================================================

# === Chapter 4: the intuition of deep learning =======================================

# === Chapter 5: layers and activation functions ======================================

# === Chapters 6-8: loss, gradient descent, backpropagation ===========================

# === Chapter 9: MNIST ================================================================
