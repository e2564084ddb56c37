"""JAX's fit of the slides' MNIST model: the whole training step under one ``jax.jit``.

**Shape convention.** One example per row, as JAX (XLA) is usually fed: the training set
is an (N, 784) float32 array placed on the device before the clock starts, and a layer
computes ``X @ kernel + bias`` with ``kernel`` of shape (inputs, outputs), the transpose of
dlmath's ``W``.

One step (gather the batch, forward, loss, gradient, optax's RMSprop update) is one
compiled XLA program; the parameters and the optimizer's state are donated to it, so
that it updates them in place. The epoch's order is drawn with NumPy outside the step
and the step gathers its batch from the device-resident data. The program is compiled
ahead of time for each batch size of an epoch (128, and 96 for the last batch of
MNIST's 60,000 images) before the clock starts; those seconds are the compile time.
The warm-up (see :mod:`frameworks`) then runs the compiled steps on the first batches,
on copies of the parameters. JAX keeps its default CPU threading.
"""

from __future__ import annotations

import time

import numpy as np

from . import (
    batch_sizes,
    epoch_order,
    initial_weights,
    outcome,
    shuffler,
    training_rows,
    warm_up_split,
)


def rmsprop():
    """optax's RMSprop with Keras's settings, every option spelled out.

    optax (0.2.8) computes ``nu = decay·nu + (1 - decay)·g²`` from ``nu = initial_scale
    = 0`` and scales ``g`` by ``rsqrt(nu + eps)`` when ``eps_in_sqrt`` (its default):
    ε inside the square root, as Keras and dlmath.
    """
    import optax

    return optax.rmsprop(
        learning_rate=0.001,
        decay=0.9,
        eps=1e-7,
        initial_scale=0.0,
        eps_in_sqrt=True,
        centered=False,
        momentum=None,
    )


def fit(train, test, *, scale: bool, epochs: int, batch_size: int, seed: int):
    """Fit with JAX and optax; see :mod:`frameworks` and this module's notes."""
    import jax
    import jax.numpy as jnp
    import optax

    optimizer = rmsprop()

    def logits(params, x):
        hidden = jax.nn.relu(x @ params["kernel1"] + params["bias1"])
        return hidden @ params["kernel2"] + params["bias2"]

    def loss(params, x, y):
        z = logits(params, x)
        losses = optax.softmax_cross_entropy_with_integer_labels(z, y)
        correct = jnp.sum(jnp.argmax(z, axis=1) == y)
        return jnp.mean(losses), (jnp.sum(losses), correct)

    def step(params, state, images, labels, index):
        x, y = images[index], labels[index]
        (_, (loss_sum, correct)), grads = jax.value_and_grad(loss, has_aux=True)(params, x, y)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss_sum, correct

    W1, B1, W2, B2 = initial_weights(seed)
    params = {"kernel1": W1.T, "bias1": B1, "kernel2": W2.T, "bias2": B2}
    params = jax.device_put({key: np.ascontiguousarray(value) for key, value in params.items()})
    state = optimizer.init(params)
    images = jax.device_put(training_rows(train[0], scale))
    labels = jax.device_put(np.asarray(train[1], dtype=np.int32))
    n = len(train[1])

    started = time.perf_counter()
    compiled = {}
    jitted = jax.jit(step, donate_argnums=(0, 1))
    for m in sorted(set(batch_sizes(n, batch_size))):
        index = jax.ShapeDtypeStruct((m,), np.int32)
        compiled[m] = jitted.lower(params, state, images, labels, index).compile()
    compile_seconds = time.perf_counter() - started

    started = time.perf_counter()
    throwaway = jax.tree.map(jnp.copy, (params, state))
    count = len(warm_up_split(train, batch_size)[1])
    for start in range(0, count, batch_size):
        index = np.arange(start, min(start + batch_size, count), dtype=np.int32)
        throwaway = compiled[index.size](*throwaway, images, labels, index)[:2]
    jax.block_until_ready(throwaway)
    warm_up_seconds = time.perf_counter() - started
    del throwaway

    rng = shuffler(seed)
    history = {"loss": [], "accuracy": []}
    started = time.perf_counter()
    for _ in range(epochs):
        order = epoch_order(rng, n).astype(np.int32)
        sums = []
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            params, state, loss_sum, correct = compiled[index.size](
                params, state, images, labels, index
            )
            sums.append((loss_sum, correct))
        totals = np.asarray(jax.device_get(sums), dtype=np.float64).sum(axis=0)
        history["loss"].append(totals[0] / n)
        history["accuracy"].append(totals[1] / n)
    jax.block_until_ready(params)
    fit_seconds = time.perf_counter() - started

    predict = jax.jit(lambda params, x: jnp.argmax(logits(params, x), axis=1))

    def accuracy(split):
        x = jax.device_put(training_rows(split[0], scale))
        return float(np.mean(np.asarray(predict(params, x)) == np.asarray(split[1])))

    weights = {key: np.asarray(value) for key, value in params.items()}
    return outcome(
        fit_seconds=fit_seconds,
        compile_seconds=compile_seconds,
        warm_up_seconds=warm_up_seconds,
        train_accuracy=accuracy(train),
        test_accuracy=accuracy(test),
        history=history,
        weights=[weights["kernel1"].T, weights["bias1"], weights["kernel2"].T, weights["bias2"]],
    )
