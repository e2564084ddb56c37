"""Shared pytest configuration."""

import os
import warnings

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Property tests stay fast: few examples, no per-example deadline (the machine is shared).
# In CI they draw the same examples every run, so that a run's verdict is the code's;
# elsewhere they explore new ones.
settings.register_profile(
    "dlmath",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("dlmath")


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on TensorFlow, imported on first use; skips when TensorFlow is missing.

    Importing TensorFlow takes seconds, so it happens here, only for the tests marked
    ``keras``, and not at module level.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with warnings.catch_warnings():
        # TensorFlow's own imports raise deprecation warnings we cannot act on.
        warnings.simplefilter("ignore")
        pytest.importorskip(
            "tensorflow",
            reason="TensorFlow is missing: install dlmath[keras] to compare with Keras",
        )
        import keras as keras_module
    return keras_module


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture
def book_style():
    """matplotlib's settings as the book's chapters set them, restored afterwards."""
    from dlmath.plotting import BOOK_STYLE

    with matplotlib.rc_context(BOOK_STYLE):
        yield
