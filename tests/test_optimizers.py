"""Tests of dlmath.optimizers: update rules, state and its owner, gradient descent paths."""

import math

import numpy as np
import pytest

from dlmath.optimizers import (
    Adam,
    GradientDescent,
    Momentum,
    RMSprop,
    gradient_descent,
)

OPTIMIZERS = {
    "gd": lambda: GradientDescent(0.1),
    "momentum": lambda: Momentum(0.05, momentum=0.8),
    "nesterov": lambda: Momentum(0.05, momentum=0.8, nesterov=True),
    "rmsprop": lambda: RMSprop(0.01, rho=0.8, epsilon=1e-6),
    "adam": lambda: Adam(0.01, beta_1=0.8, beta_2=0.9, epsilon=1e-6),
}


# --- reference implementations, written from the formulas --------------------------------------


def reference_run(name, p, grads):
    """Apply the textbook (Keras) form of each rule to a copy of p, one gradient at a time."""
    p = np.array(p, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if name == "gd":
            p = p - 0.1 * g
        elif name == "momentum":
            m = 0.8 * m - 0.05 * g
            p = p + m
        elif name == "nesterov":
            m = 0.8 * m - 0.05 * g
            p = p + 0.8 * m - 0.05 * g
        elif name == "rmsprop":
            v = 0.8 * v + 0.2 * g**2
            p = p - 0.01 * g / np.sqrt(v + 1e-6)
        elif name == "adam":
            m = 0.8 * m + 0.2 * g
            v = 0.9 * v + 0.1 * g**2
            alpha = 0.01 * math.sqrt(1 - 0.9**t) / (1 - 0.8**t)
            p = p - alpha * m / (np.sqrt(v) + 1e-6)
    return p


def gradient_sequence(shape, steps, seed=0):
    rng = np.random.default_rng(seed)
    # Mixed scales, so that epsilon and the running averages all matter.
    scales = rng.choice([1e-4, 1e-2, 1.0, 10.0], size=shape)
    return [rng.normal(size=shape) * scales for _ in range(steps)]


def run(optimizer, params, grads_per_step):
    for grads in grads_per_step:
        optimizer.step(params, grads)
    return params


# --- each rule against its formula -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_update_rule_matches_the_formula(name):
    p0 = np.random.default_rng(1).normal(size=(3, 4))
    grads = gradient_sequence((3, 4), steps=5)
    p = p0.copy()
    run(OPTIMIZERS[name](), [p], [[g] for g in grads])
    np.testing.assert_allclose(p, reference_run(name, p0, grads), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_parameter_array_keeps_its_own_state(name):
    rng = np.random.default_rng(2)
    W0, B0 = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    gW, gB = gradient_sequence((3, 2), 4, seed=3), gradient_sequence((3, 1), 4, seed=4)
    W, B = W0.copy(), B0.copy()
    optimizer = OPTIMIZERS[name]()
    run(optimizer, [W, B], list(zip(gW, gB, strict=True)))
    np.testing.assert_allclose(W, reference_run(name, W0, gW), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(B, reference_run(name, B0, gB), rtol=1e-12, atol=1e-15)
    assert optimizer.iterations == 4
    assert len(optimizer.state) == 2  # one set of named arrays per parameter array
    for state, param in zip(optimizer.state, (W, B), strict=True):
        assert set(state) == set(type(optimizer).state_names)
        assert all(array.shape == param.shape for array in state.values())
    assert (type(optimizer).state_names == ()) == (name == "gd")


def test_the_slides_update_rule():
    W, B = np.array([[0.5]]), np.array([[0.0]])
    # The slides' gradients at W = 0.5, B = 0: de/dw = -0.175, de/db = -0.35.
    GradientDescent(learning_rate=0.1).step([W, B], [np.array([[-0.175]]), np.array([[-0.35]])])
    assert W[0, 0] == pytest.approx(0.5 + 0.1 * 0.175, rel=1e-15)
    assert B[0, 0] == pytest.approx(0.1 * 0.35, rel=1e-15)


def test_adam_first_step_is_the_learning_rate_times_the_sign():
    w = np.zeros(3)
    Adam(learning_rate=0.1).step([w], [np.array([-5.0, 2.0, 1e3])])
    # ε shifts it by a relative ε/|g| √(1/(1 - β₂)), at most 1.6e-6 here.
    np.testing.assert_allclose(w, [0.1, -0.1, -0.1], rtol=2e-6)


def test_momentum_accumulates_steps():
    w, optimizer = np.array([0.0]), Momentum(learning_rate=0.1, momentum=0.9)
    run(optimizer, [w], [[np.array([1.0])]] * 3)
    assert w[0] == pytest.approx(-(0.1 + 0.19 + 0.271), rel=1e-14)
    np.testing.assert_allclose(optimizer.state[0]["momentum"], [-0.271], rtol=1e-14)


def test_state_names_and_defaults_follow_keras():
    assert GradientDescent().learning_rate == 0.01
    assert (Momentum().learning_rate, Momentum().momentum, Momentum().nesterov) == (
        0.01,
        0.9,
        False,
    )
    rms = RMSprop()
    assert (rms.learning_rate, rms.rho, rms.epsilon) == (0.001, 0.9, 1e-7)
    adam = Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    w = np.zeros(2)
    adam.step([w], [np.ones(2)])
    assert set(adam.state[0]) == {"m", "v"}
    assert GradientDescent().state == []
    assert repr(rms) == "RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-07)"


# --- in place, and inputs left alone -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_step_updates_parameters_in_place_and_leaves_gradients_alone(name):
    W = np.ones((2, 3))
    g = np.full((2, 3), 0.5)
    same = W
    OPTIMIZERS[name]().step([W], [g])
    assert W is same
    assert np.all(W < 1.0)
    np.testing.assert_array_equal(g, np.full((2, 3), 0.5))


def test_step_updates_views_into_a_larger_buffer():
    buffer = np.ones(10)
    W, B = buffer[:6].reshape(2, 3), buffer[6:8].reshape(2, 1)
    GradientDescent(0.5).step([W, B], [np.ones((2, 3)), np.ones((2, 1))])
    np.testing.assert_array_equal(buffer, [0.5] * 8 + [1.0, 1.0])


def test_float32_parameters_stay_float32():
    w = np.ones(4, np.float32)
    for make in OPTIMIZERS.values():
        make().step([w], [np.full(4, 0.1)])  # float64 gradients are cast
        assert w.dtype == np.float32


# --- memory layouts -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize(
    "layout",
    ["strided", "fortran", "fortran params, C gradients", "transposed gradients"],
)
def test_any_memory_layout_gives_the_same_update(name, layout):
    rng = np.random.default_rng(6)
    p0 = rng.normal(size=(5, 7))
    grads = gradient_sequence((5, 7), steps=3, seed=7)
    contiguous = p0.copy()
    run(OPTIMIZERS[name](), [contiguous], [[g] for g in grads])
    if layout == "strided":
        buffer = np.zeros((5, 14))
        p = buffer[:, ::2]
        p[...] = p0
        gs = [np.repeat(g, 2, axis=1)[:, ::2] for g in grads]
    elif layout == "fortran":
        p, gs = np.asfortranarray(p0), [np.asfortranarray(g) for g in grads]
    elif layout == "fortran params, C gradients":
        p, gs = np.asfortranarray(p0), grads
    else:
        p, gs = p0.copy(), [np.ascontiguousarray(g.T).T for g in grads]
    run(OPTIMIZERS[name](), [p], [[g] for g in gs])
    np.testing.assert_array_equal(p, contiguous)
    if layout == "strided":  # the update went into the buffer, and only there
        np.testing.assert_array_equal(buffer[:, ::2], contiguous)
        np.testing.assert_array_equal(buffer[:, 1::2], 0.0)


# --- state ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_carries_over_between_steps(name):
    p0 = np.random.default_rng(9).normal(size=4)
    grads = gradient_sequence(4, steps=6, seed=10)
    kept, fresh = p0.copy(), p0.copy()
    optimizer = OPTIMIZERS[name]()
    run(optimizer, [kept], [[g] for g in grads])
    for g in grads:  # a new optimizer at every step forgets its state
        OPTIMIZERS[name]().step([fresh], [g])
    np.testing.assert_allclose(kept, reference_run(name, p0, grads), rtol=1e-12)
    if name != "gd":
        assert not np.allclose(kept, fresh)
    else:
        np.testing.assert_allclose(kept, fresh, rtol=1e-15)


def float32_reference(name, p, grads):
    """Keras's rules with its default hyperparameters, in float32, without any flush."""
    p = p.copy()
    m, v = np.zeros_like(p), np.zeros_like(p)
    f32 = np.float32
    for t, g in enumerate(grads, start=1):
        if name == "rmsprop":
            v = f32(0.9) * v + f32(0.1) * g * g
            p = p - f32(0.001) * g / np.sqrt(v + f32(1e-7))
        elif name == "adam":
            m = m + (g - m) * f32(0.1)
            v = v + (g * g - v) * f32(0.001)
            alpha = f32(0.001 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t))
            p = p - alpha * m / (np.sqrt(v) + f32(1e-7))
        else:
            m = f32(0.9) * m - f32(0.01) * g
            p = p + m
    return p


@pytest.mark.parametrize("name", ["rmsprop", "adam", "momentum"])
def test_float32_updates_follow_the_float32_formulas(name):
    rng = np.random.default_rng(11)
    p0 = rng.normal(size=200).astype(np.float32)
    grads = [rng.normal(size=200).astype(np.float32) for _ in range(30)]
    p = p0.copy()
    make = {"rmsprop": RMSprop, "adam": Adam, "momentum": Momentum}[name]
    run(make(), [p], [[g] for g in grads])
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, float32_reference(name, p0, grads), rtol=2e-6, atol=1e-7)


# --- the state belongs to the parameters of the first step ----------------------------------------


def test_an_optimizer_refuses_parameters_of_other_shapes():
    optimizer = Adam()
    optimizer.step([np.ones(3), np.ones((2, 2))], [np.ones(3), np.ones((2, 2))])
    message = (
        r"this Adam was first used with parameters of shapes \[\(3,\), \(2, 2\)\]; "
        r"got shapes \[\(4,\)\]\. An optimizer's state belongs to the parameters"
    )
    with pytest.raises(ValueError, match=message):
        optimizer.step([np.ones(4)], [np.ones(4)])


def test_an_optimizer_refuses_other_arrays_of_the_same_shapes():
    W, optimizer = np.ones(3), RMSprop()
    optimizer.step([W], [np.ones(3)])
    with pytest.raises(ValueError, match="got other arrays of the same shapes"):
        optimizer.step([np.ones(3)], [np.ones(3)])
    assert optimizer.iterations == 1


def test_new_views_of_the_same_parameters_are_the_same_parameters():
    buffer, optimizer = np.ones(6), Momentum(0.1)
    for _ in range(2):
        optimizer.step([buffer[:4].reshape(2, 2)], [np.ones((2, 2))])
    np.testing.assert_allclose(buffer[:4], 1 - 0.1 - (0.9 * 0.1 + 0.1))
    with pytest.raises(ValueError, match="got other arrays of the same shapes"):
        optimizer.step([buffer[2:].reshape(2, 2)], [np.ones((2, 2))])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_restoring_a_snapshot_goes_back_exactly(name):
    rng = np.random.default_rng(13)
    p = rng.normal(size=5)
    optimizer = OPTIMIZERS[name]()
    assert optimizer._snapshot() is None
    optimizer.step([p], [rng.normal(size=5)])
    snapshot, saved = optimizer._snapshot(), [s.copy() for s in optimizer._state[0]]
    optimizer.step([p], [rng.normal(size=5)])
    optimizer._restore(snapshot)
    assert optimizer.iterations == 1
    for s, copy in zip(optimizer._state[0], saved, strict=True):
        np.testing.assert_array_equal(s, copy)
    optimizer._restore(None)  # as new: it may serve other parameters again
    assert (optimizer.iterations, optimizer.state) == (0, [])
    optimizer.step([np.ones(2)], [np.ones(2)])


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: GradientDescent(0.0), ValueError, r"learning_rate must be positive; got 0\.0"),
        (lambda: GradientDescent(-1), ValueError, r"learning_rate must be positive; got -1\.0"),
        (lambda: RMSprop(np.inf), ValueError, "learning_rate must be finite; got inf"),
        (lambda: Adam("0.1"), TypeError, "learning_rate must be a real number; got '0.1'"),
        (lambda: Momentum(momentum=1.0), ValueError, r"momentum must lie in \[0, 1\); got 1\.0"),
        (lambda: Momentum(momentum=-0.5), ValueError, r"momentum must lie in \[0, 1\)"),
        (lambda: RMSprop(rho=0.0), ValueError, r"rho must lie in \(0, 1\); got 0\.0"),
        (lambda: RMSprop(epsilon=0.0), ValueError, r"epsilon must be positive; got 0\.0"),
        (lambda: Adam(beta_1=1.0), ValueError, r"beta_1 must lie in \[0, 1\); got 1\.0"),
        (lambda: Adam(beta_2=1.5), ValueError, r"beta_2 must lie in \[0, 1\); got 1\.5"),
        (lambda: Adam(epsilon=-1e-7), ValueError, "epsilon must be positive"),
    ],
)
def test_hyperparameters_are_checked(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("params", "grads", "error", "message"),
    [
        (np.ones(3), [np.ones(3)], TypeError,
         "params must be a list of arrays; got ndarray"),
        ([np.ones(3)], "g", TypeError, "grads must be a list of arrays; got str"),
        ({"W": np.ones(3)}, [np.ones(3)], TypeError, "params must be a list of arrays; got dict"),
        ([np.ones(3)], [np.ones(3), np.ones(3)], ValueError,
         "params and grads must have the same length; got 1 and 2"),
        ([], [], ValueError, "params must not be empty"),
        ([np.ones(3, int)], [np.ones(3)], TypeError,
         r"params\[0\] must be a floating-point numpy array"),
        ([[1.0, 2.0]], [np.ones(2)], TypeError,
         r"params\[0\] must be a floating-point numpy array"),
        ([np.ones(3)], [np.ones(4)], ValueError,
         r"grads\[0\] must have the shape of params\[0\] \(3,\); got \(4,\)"),
        ([np.ones(2), np.ones(3)], [np.ones(2), [1.0, np.nan, 0.0]], ValueError,
         r"grads\[1\] must hold finite numbers; got 1 NaN"),
        ([np.ones(2)], [["a", "b"]], TypeError, r"grads\[0\] must hold real numbers"),
    ],
)  # fmt: skip
def test_step_rejects_bad_arguments(params, grads, error, message):
    for make in OPTIMIZERS.values():
        with pytest.raises(error, match=message):
            make().step(params, grads)


def test_step_rejects_read_only_parameters():
    W = np.ones(3)
    W.flags.writeable = False
    with pytest.raises(
        ValueError, match=r"params\[0\] must be writeable \(it is updated in place\)"
    ):
        Adam().step([W], [np.ones(3)])


def test_a_rejected_step_changes_nothing():
    W, optimizer = np.ones(3), Adam()
    with pytest.raises(ValueError, match="grads"):
        optimizer.step([W], [[1.0, np.inf, 1.0]])
    np.testing.assert_array_equal(W, np.ones(3))
    assert optimizer.iterations == 0


# --- gradient descent on functions --------------------------------------------------------------


def test_gradient_descent_walks_down_the_parabola_to_its_minimum():
    # On y = x², x_{k+1} = (1 - 2α) x_k.
    path = gradient_descent(lambda x: x**2, x0=2.0, learning_rate=0.25, steps=6)
    np.testing.assert_allclose(path, [2.0 * 0.5**k for k in range(7)], rtol=1e-9)
    path = gradient_descent(lambda x: x**2, x0=-3.0, learning_rate=0.1, steps=200)
    assert abs(path[-1]) < 1e-15
    assert np.all(np.diff(np.abs(path)) < 0)  # every step goes downhill
    assert path.shape == (201,)


def test_gradient_descent_with_the_exact_gradient():
    path = gradient_descent(lambda x: x**2, 2.0, learning_rate=0.25, steps=6, grad=lambda x: 2 * x)
    np.testing.assert_array_equal(path, [2.0 * 0.5**k for k in range(7)])  # exact in binary
    numeric = gradient_descent(lambda x: x**2, 2.0, learning_rate=0.25, steps=6)
    np.testing.assert_allclose(numeric, path, rtol=1e-9)


def test_gradient_descent_on_the_slides_surface():
    exact = gradient_descent(lambda p: p @ p, [1.0, -2.0], 0.1, steps=30, grad=lambda p: 2 * p)
    numeric = gradient_descent(lambda p: p[0] ** 2 + p[1] ** 2, [1.0, -2.0], 0.1, steps=30)
    assert exact.shape == numeric.shape == (31, 2)
    np.testing.assert_allclose(
        exact, [[1.0, -2.0] * np.array(0.8**k) for k in range(31)], rtol=1e-12
    )
    np.testing.assert_allclose(numeric, exact, rtol=1e-8, atol=1e-12)
    path = gradient_descent(lambda p: p @ p, [1.0, -2.0], 0.5, steps=1, grad=lambda p: 2 * p)
    np.testing.assert_array_equal(path, [[1.0, -2.0], [0.0, 0.0]])  # α = 1/2: one step


def test_gradient_descent_overshoots_and_diverges_for_large_steps():
    path = gradient_descent(lambda x: x**2, 1.0, learning_rate=1.5, steps=10, grad=lambda x: 2 * x)
    np.testing.assert_array_equal(path, [(-2.0) ** k for k in range(11)])


@pytest.mark.parametrize(
    ("x0", "f", "grad"),
    [
        (2.0, lambda x: x**2, lambda x: 2 * x),
        (2.0, lambda x: x**2, None),
        ([2.0, -1.0], lambda p: p @ p, lambda p: 2 * p),
        ([2.0, -1.0], lambda p: p @ p, None),
    ],
    ids=["scalar exact", "scalar numerical", "vector exact", "vector numerical"],
)
def test_divergence_stops_at_the_last_finite_point(x0, f, grad):
    # With α = 1e300 the first step lands near -4e300 and the second overflows.
    path = gradient_descent(f, x0, learning_rate=1e300, steps=10, grad=grad)
    assert len(path) == 2
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path[1], np.asarray(x0) - 1e300 * 2 * np.asarray(x0), rtol=1e-8)


def test_gradient_descent_leaves_its_start_alone():
    x0 = np.array([1.0, -2.0])
    gradient_descent(lambda p: p @ p, x0, 0.1, steps=3)
    np.testing.assert_array_equal(x0, [1.0, -2.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"learning_rate": 0.0}, ValueError, r"learning_rate must be positive; got 0\.0"),
        ({"learning_rate": -0.1}, ValueError, r"learning_rate must be positive; got -0\.1"),
        ({"steps": 0}, ValueError, "steps must be at least 1; got 0"),
        ({"steps": 2.5}, TypeError, r"steps must be an integer; got 2\.5"),
        ({"x0": [[1.0]]}, ValueError, r"x0 must be a 0-D or 1-D array; got shape \(1, 1\)"),
        ({"x0": np.nan}, ValueError, "x0 must hold finite numbers"),
        ({"x0": []}, ValueError, r"x0 must not be empty; got shape \(0,\)"),
        ({"grad": 2.0}, TypeError, r"grad must be callable; got 2\.0"),
    ],
)
def test_gradient_descent_rejects_bad_arguments(kwargs, error, message):
    arguments = {"f": lambda x: x**2, "x0": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        gradient_descent(**arguments)


# --- Keras ----------------------------------------------------------------------------------------


def keras_run(keras, optimizer, p0, grads):
    variable = keras.Variable(p0.copy(), dtype="float32")
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
    return np.array(variable.numpy())


def keras_case():
    rng = np.random.default_rng(12)
    p0 = rng.normal(size=(4, 5)).astype(np.float32)
    grads = [g.astype(np.float32) for g in gradient_sequence((4, 5), steps=20, seed=13)]
    return p0, grads


@pytest.mark.keras
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: RMSprop(), lambda k: k.optimizers.RMSprop()),
        (lambda: RMSprop(0.01, rho=0.8, epsilon=1e-4),
         lambda k: k.optimizers.RMSprop(0.01, rho=0.8, epsilon=1e-4)),
        (lambda: Adam(), lambda k: k.optimizers.Adam()),
        (lambda: Adam(0.01, 0.8, 0.99, 1e-4), lambda k: k.optimizers.Adam(0.01, 0.8, 0.99, 1e-4)),
        (lambda: Momentum(0.01, 0.9), lambda k: k.optimizers.SGD(0.01, momentum=0.9)),
        (lambda: Momentum(0.01, 0.9, nesterov=True),
         lambda k: k.optimizers.SGD(0.01, momentum=0.9, nesterov=True)),
        (lambda: GradientDescent(0.01), lambda k: k.optimizers.SGD(0.01)),
    ],
    ids=["rmsprop", "rmsprop-custom", "adam", "adam-custom", "momentum", "nesterov", "sgd"],
)  # fmt: skip
def test_optimizer_matches_keras_over_20_steps(keras, ours, theirs):
    p0, grads = keras_case()
    expected = keras_run(keras, theirs(keras), p0, grads)
    p = p0.copy()
    run(ours(), [p], [[g] for g in grads])
    assert p.dtype == np.float32
    # The parameters, and how far they moved, agree to float32 precision.
    np.testing.assert_allclose(p, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(p - p0, expected - p0, rtol=1e-4, atol=2e-6)
