"""Hostile input to every public function: a right answer, or an error naming the argument.

Each public function (and method) is called with valid arguments, then with one argument
at a time replaced by a hostile value: the wrong type, a ragged list, NaN, infinity, a
huge or negative number, an empty or wrongly shaped array, another dtype, a callable that
misbehaves. The only acceptable outcomes are a finite result or a ``TypeError`` /
``ValueError`` whose message names the replaced argument. Anything else (an error from
deep inside NumPy or Python, a ``MemoryError``, a NaN in the result) fails.
"""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlmath import activations, backprop, datasets, derivatives, losses, optimizers, transforms
from dlmath.engines import get_engine
from dlmath.layers import Dense, Sequential, glorot_uniform
from dlmath.mnist import build_model, images_to_columns

SQUARE = transforms.UNIT_SQUARE
PROBS = np.array([[0.7, 0.2], [0.2, 0.5], [0.1, 0.3]])
X_LINE, Y_LINE = [0.1, 0.3, 0.6, 0.7], [0.2, 0.25, 0.4, 0.7]


def small_model():
    return Sequential([Dense(2, 3, "tanh", rng=0), Dense(3, 2, "softmax", rng=1)])


def model_call(method):
    """A call of ``method`` on a fresh small model (with its forward pass done)."""

    def call(**kwargs):
        model = small_model()
        model.forward(np.ones((2, 4)))
        return getattr(model, method)(**kwargs)

    call.__name__ = f"Sequential.{method}"
    call.__signature__ = inspect.signature(getattr(Sequential, method))
    return call


def fit(**kwargs):
    return small_model().fit(**{"verbose": 0, "epochs": 1, **kwargs})


fit.__signature__ = inspect.signature(Sequential.fit)


def optimizer_step(**kwargs):
    return optimizers.RMSprop().step(**kwargs)


optimizer_step.__signature__ = inspect.signature(optimizers.Optimizer.step)

#: Every public function, with valid arguments by name.
CALLS = {
    transforms.translate: {"X": SQUARE, "t": [1.0, 2.0]},
    transforms.scale: {"X": SQUARE, "sx": 2.0, "sy": 0.5},
    transforms.scaling_matrix: {"sx": 2.0, "sy": 3.0},
    transforms.rotate: {"X": SQUARE, "theta": 0.3},
    transforms.rotation_matrix: {"theta": 0.3},
    transforms.affine: {"X": SQUARE, "A": np.eye(2), "b": [1.0, 0.0]},
    transforms.affine_matrix: {"A": np.eye(2), "b": [1.0, 0.0]},
    transforms.homogeneous: {"X": SQUARE},
    derivatives.derivative: {"f": np.sin, "x": 0.5, "h": 1e-5},
    derivatives.gradient: {"f": lambda p: float(np.sum(p * p)), "x": [1.0, 2.0], "h": 1e-5},
    derivatives.chain_factors: {"pairs": [(np.sin, np.cos), (np.exp, np.exp)], "x": 0.2},
    **{
        function: {"z": [[-1.0, 2.0], [0.5, 3.0]]}
        for function in (
            activations.linear,
            activations.linear_grad,
            activations.relu,
            activations.relu_grad,
            activations.sigmoid,
            activations.sigmoid_grad,
            activations.tanh,
            activations.tanh_grad,
            activations.softmax,
        )
    },
    activations.softmax_jacobian: {"z": [0.0, 1.0]},
    activations.get_activation: {"name": "relu"},
    losses.mse: {"y": Y_LINE, "y_hat": X_LINE},
    losses.mse_grad: {"y": Y_LINE, "y_hat": X_LINE},
    losses.one_hot: {"labels": [0, 2], "n_classes": 3},
    losses.categorical_crossentropy: {"y_true": losses.one_hot([0, 1], 3), "probs": PROBS},
    losses.categorical_crossentropy_grad: {"y_true": losses.one_hot([0, 1], 3), "probs": PROBS},
    losses.sparse_categorical_crossentropy: {"labels": [0, 1], "probs": PROBS},
    losses.sparse_categorical_crossentropy_grad: {"labels": [0, 1], "probs": PROBS},
    losses.softmax_crossentropy: {"labels": [0, 1], "logits": PROBS},
    losses.softmax_crossentropy_grad: {"labels": [0, 1], "logits": PROBS},
    losses.accuracy: {"labels": [0, 1], "scores": PROBS},
    losses.get_loss: {"name": "mse"},
    backprop.linear_gradients: {"x": X_LINE, "y": Y_LINE, "w": 0.5, "b": 0.0},
    backprop.train_linear: {
        "x": X_LINE,
        "y": Y_LINE,
        "w": 0.5,
        "b": 0.0,
        "learning_rate": 0.1,
        "epochs": 3,
    },
    backprop.numerical_gradient: {"model": small_model(), "X": np.ones((2, 3)), "y": [0, 1, 1]},
    backprop.gradient_check: {"model": small_model(), "X": np.ones((2, 3)), "y": [0, 1, 1]},
    optimizers.GradientDescent: {"learning_rate": 0.1},
    optimizers.Momentum: {"learning_rate": 0.1, "momentum": 0.5, "nesterov": True},
    optimizers.RMSprop: {"learning_rate": 0.1, "rho": 0.9, "epsilon": 1e-7},
    optimizers.Adam: {"learning_rate": 0.1, "beta_1": 0.9, "beta_2": 0.99, "epsilon": 1e-7},
    optimizer_step: {"params": [np.ones(3)], "grads": [np.ones(3)]},
    optimizers.gradient_descent: {
        "f": lambda x: x**2,
        "x0": 1.0,
        "learning_rate": 0.1,
        "steps": 3,
        "grad": lambda x: 2 * x,
    },
    datasets.two_moons: {"n": 20, "noise": 0.1, "rng": 0},
    datasets.spirals: {"n": 20, "turns": 1.5, "noise": 0.05, "rng": 0},
    glorot_uniform: {"n_in": 3, "n_out": 2, "rng": 0, "dtype": np.float32},
    Dense: {"n_in": 3, "n_out": 2, "activation": "relu", "rng": 0, "dtype": np.float64},
    Dense.from_weights: {"W": [[1.0, 2.0]], "B": [0.5], "activation": "relu"},
    Sequential: {"layers": [Dense(2, 2, rng=0)]},
    model_call("forward"): {"X": np.ones((2, 4)), "logits": False},
    model_call("backward"): {"dY": np.ones((2, 4))},
    model_call("predict"): {"X": np.ones((2, 4)), "batch_size": 2},
    model_call("evaluate"): {"X": np.ones((2, 4)), "y": [0, 1, 1, 0], "batch_size": 2},
    model_call("compute_gradients"): {"X": np.ones((2, 4)), "y": [0, 1, 1, 0]},
    fit: {
        "X": np.ones((2, 4)),
        "y": [0, 1, 1, 0],
        "batch_size": 2,
        "optimizer": None,
        "shuffle": True,
        "seed": 0,
        "validation_data": None,
        "callbacks": None,
        "engine": "reference",
    },
    get_engine: {"engine": "reference"},
    build_model: {"seed": 0},
    images_to_columns: {"images": np.zeros((2, 28, 28), np.uint8), "scale": True},
}


def ragged():
    return [[1.0, 2.0], [3.0]]


class Explodes:
    """An object whose conversion to an array fails halfway."""

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array here")


#: Values that no public argument should take without a clear error (or a right answer).
HOSTILE = [
    None,
    "text",
    b"bytes",
    {"key": 1.0},
    ragged(),
    math.nan,
    math.inf,
    -math.inf,
    -1,
    0,
    10**30,
    1e308,
    -1e308,
    True,
    1.5,
    object(),
    Explodes(),
    np.array([]),
    np.zeros((0, 3)),
    np.ones((2, 2, 2)),
    np.array([np.nan, 1.0]),
    np.array([[1e38, -1e38], [3e38, 1.0]]),
    np.array([[1.0, 2.0]], dtype=np.float16),
    np.array([["a", "b"]]),
    np.array([1 + 2j, 3j]),
    [1.0, "two"],
    lambda *args: None,
    lambda *args: "text",
    lambda *args: np.nan,
    np.sin,
    (1.0, 2.0),
    10**12,
]


def parameters_of(function) -> list[str]:
    signature = inspect.signature(function)
    return [
        name
        for name, p in signature.parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def name_of(function) -> str:
    return getattr(function, "__qualname__", None) or function.__name__


#: Counts of repetitions, where a huge value is a long computation rather than an error.
LOOP_COUNTS = {"epochs", "steps"}


def check_outcome(function, kwargs, name, value):
    if name in LOOP_COUNTS and isinstance(value, int) and value > 10**4:
        return
    try:
        result = function(**kwargs)
    except (TypeError, ValueError) as error:
        named = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", str(error))
        if not named:
            pytest.fail(
                f"{name_of(function)}({name}={value!r:.60}) raised {type(error).__name__} "
                f"without naming {name!r}: {error}"
            )
        return
    except Exception as error:  # pragma: no cover - a failure, reported with its type
        pytest.fail(
            f"{name_of(function)}({name}={value!r:.60}) raised {type(error).__name__} "
            f"({error}), not a TypeError or ValueError naming {name!r}"
        )
    assert_finite(result, f"{name_of(function)}({name}={value!r:.60})")


def assert_finite(result, where: str) -> None:
    """No NaN or infinity anywhere in a result (arrays, numbers, tuples, dicts)."""
    if isinstance(result, dict):
        for item in result.values():
            assert_finite(item, where)
    elif isinstance(result, tuple | list):
        for item in result:
            assert_finite(item, where)
    elif isinstance(result, np.ndarray) and result.dtype.kind in "fc":
        assert np.all(np.isfinite(result)), f"{where} returned non-finite values"
    elif isinstance(result, float):
        assert math.isfinite(result), f"{where} returned {result}"


CASES = [
    pytest.param(function, name, id=f"{name_of(function)}-{name}")
    for function in CALLS
    for name in parameters_of(function)
    if name in CALLS[function]
]


@pytest.mark.parametrize("function", list(CALLS), ids=name_of)
def test_the_valid_calls_work(function):
    assert_finite(function(**CALLS[function]), name_of(function))


@pytest.mark.parametrize(("function", "name"), CASES)
def test_hostile_values_get_a_right_answer_or_an_error_naming_the_argument(function, name):
    for value in HOSTILE:
        check_outcome(function, {**CALLS[function], name: value}, name, value)


def test_every_public_function_is_covered():
    modules = (transforms, derivatives, activations, losses, backprop, optimizers, datasets)
    covered = {name_of(f) for f in CALLS} | {"Optimizer.step"}
    skipped = {
        "chain_rule",  # returns a function: tested through chain_factors's checks
        "compose",
        "Activation",  # data classes of the registries
        "Loss",
        "register_loss",  # tested in test_losses
        "Optimizer",  # abstract
    }
    for module in modules:
        for public in module.__all__:
            obj = getattr(module, public)
            if callable(obj) and public not in skipped:
                assert public in covered or f"{public}.__init__" in covered, public


arrays = hnp.arrays(
    dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int64, np.uint8, np.bool_]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    elements={"allow_nan": True, "allow_infinity": True},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), value=arrays)
def test_random_arrays_get_a_right_answer_or_an_error_naming_the_argument(case, value):
    function, name = case.values
    check_outcome(function, {**CALLS[function], name: value}, name, value)
