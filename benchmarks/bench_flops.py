"""The work of the slides' MNIST fit, and the machine's speed at that work.

**Shape convention.** As dlmath: one example per column. A batch of m images is a
(784, m) matrix ``X`` (a view of (m, 784) rows, as dlmath's fit sees it); the layers
are ``W1`` (512, 784) and ``W2`` (10, 512).

The useful work of a fit is the FLOPs of its matrix products (a multiply-add counts 2):
per batch of m images, ``2·m·(512·784 + 10·512)`` forward and
``2·m·(10·512 + 512·10 + 512·784)`` backward (``dW2 = dZ2·A1ᵀ``, ``dA1 = W2ᵀ·dZ2``,
``dW1 = dZ1·Xᵀ``; no framework computes the input's gradient): 98.2 GFLOP per epoch of
60,000 images, 491 GFLOP for the slides' 5 epochs.

The limit a fit is measured against is :func:`fit_products_gflops`: exactly those
products, at their shapes and in dlmath's layouts, timed alone with NumPy's BLAS, as
many times as the fit does them; :func:`update_and_gather_seconds` times what else each
of dlmath-fast's steps must do whatever it skips (gather the batch, update every
parameter). :func:`square_matmul_gflops` (a large square product)
is reported beside it, as the machine's best case. :func:`xla_fit_products_seconds`
times the same products under XLA, as JAX's fit does them (one example per row, one
``jax.jit`` program per step); run as a script, in a fresh process (XLA's thread pool
must not share a process with the OpenBLAS timings), it prints that time as JSON::

    python benchmarks/bench_flops.py --xla [--epochs 5] [--batch-size 128] [--sample]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from frameworks import batch_sizes

HIDDEN, CLASSES, PIXELS = 512, 10, 784


def forward_flops(n: int, batch_size: int, epochs: int) -> float:
    """FLOPs of the forward products of a fit on n examples."""
    examples = sum(batch_sizes(n, batch_size)) * epochs
    return 2.0 * (PIXELS * HIDDEN + HIDDEN * CLASSES) * examples


def fit_flops(n: int, batch_size: int, epochs: int) -> float:
    """FLOPs of all the matrix products of a fit on n examples (forward and backward)."""
    examples = sum(batch_sizes(n, batch_size)) * epochs
    backward = 2.0 * (CLASSES * HIDDEN + HIDDEN * CLASSES + HIDDEN * PIXELS) * examples
    return forward_flops(n, batch_size, epochs) + backward


def square_matmul_gflops(size: int = 2048, repeats: int = 7) -> float:
    """Best float32 GFLOP/s of ``A @ B`` for two square matrices."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)  # warm up
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - started)
    return 2.0 * size**3 / best / 1e9


def fit_products_gflops(
    rows: np.ndarray, batch_size: int, epochs: int, repeats: int = 3
) -> tuple[float, float]:
    """Time the fit's matrix products alone; return (GFLOP/s, seconds), best of ``repeats``.

    ``rows`` is the (N, 784) float32 training data; each batch is ``rows[a:b].T``, a
    Fortran-ordered (784, m) view, as dlmath's fit sees it.
    """
    rng = np.random.default_rng(1)
    W1 = rng.standard_normal((HIDDEN, PIXELS), dtype=np.float32) * 0.05
    W2 = rng.standard_normal((CLASSES, HIDDEN), dtype=np.float32) * 0.05
    Z1 = np.empty((HIDDEN, batch_size), np.float32)
    Z2 = np.empty((CLASSES, batch_size), np.float32)
    dZ2 = rng.standard_normal((CLASSES, batch_size), dtype=np.float32)
    dA1 = np.empty((HIDDEN, batch_size), np.float32)
    dW1 = np.empty_like(W1)
    dW2 = np.empty_like(W2)
    n = rows.shape[0]
    sizes = batch_sizes(n, batch_size)

    def one_epoch():
        start = 0
        for m in sizes:
            X = rows[start : start + m].T
            start += m
            z1, z2, d2, da1 = Z1[:, :m], Z2[:, :m], dZ2[:, :m], dA1[:, :m]
            np.matmul(W1, X, out=z1)  # forward, layer 1
            np.matmul(W2, z1, out=z2)  # forward, layer 2
            np.matmul(d2, z1.T, out=dW2)  # backward: dW2 = dZ2 A1ᵀ
            np.matmul(W2.T, d2, out=da1)  # backward: dA1 = W2ᵀ dZ2
            np.matmul(da1, X.T, out=dW1)  # backward: dW1 = dZ1 Xᵀ

    best = _best_seconds(one_epoch, epochs, repeats)
    return fit_flops(n, batch_size, epochs) / best / 1e9, best


def update_and_gather_seconds(
    rows: np.ndarray, batch_size: int, epochs: int, repeats: int = 3
) -> float | None:
    """Time the part of dlmath-fast's step that skipping never shortens, alone: gathering
    each batch's rows (from ``rows``, in their dtype, into float32, as the fast engine
    does) and RMSprop's update of the model's 407,050 parameters (its kernel). Returns
    the best seconds for the fit's steps, or None when Numba is not installed.
    """
    try:
        from dlmath.engines import kernels
    except ImportError:
        return None
    size = HIDDEN * PIXELS + HIDDEN + CLASSES * HIDDEN + CLASSES
    rng = np.random.default_rng(2)
    p = rng.standard_normal(size, dtype=np.float32)
    g = rng.standard_normal(size, dtype=np.float32) * 1e-3
    v = np.full(size, 1e-4, np.float32)
    f = np.float32
    tiny = f(kernels.smallest_normal(np.float32))
    batch = np.empty((batch_size, rows.shape[1]), np.float32)
    order = rng.permutation(rows.shape[0])
    sizes = batch_sizes(rows.shape[0], batch_size)

    def one_epoch():
        start = 0
        for m in sizes:
            kernels.gather_rows(rows, order[start : start + m], batch[:m])
            start += m
            kernels.rmsprop(p, g, v, f(1e-3), f(0.9), f(0.1), f(1e-7), tiny)

    return _best_seconds(one_epoch, epochs, repeats)


def _best_seconds(one_epoch, epochs: int, repeats: int) -> float:
    """The best of ``repeats`` timings of ``epochs`` calls of ``one_epoch``, after one
    call to warm up (the best of a few: the machine may be shared)."""
    one_epoch()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(epochs):
            one_epoch()
        best = min(best, time.perf_counter() - started)
    return best


def xla_fit_products_seconds(
    rows: np.ndarray, batch_size: int, epochs: int, repeats: int = 3
) -> float:
    """Time the fit's matrix products alone under XLA; return the best seconds.

    The layout is JAX's fit's: a batch is ``rows[a:b]``, an (m, 784) matrix, and the
    layers are ``W1`` (784, 512) and ``W2`` (512, 10). The five products of a step are
    one jitted program; the batches are on the device before the clock starts, and
    the clock stops when the last step's results are ready.
    """
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(1)
    W1 = jnp.asarray(rng.standard_normal((PIXELS, HIDDEN), dtype=np.float32) * 0.05)
    W2 = jnp.asarray(rng.standard_normal((HIDDEN, CLASSES), dtype=np.float32) * 0.05)
    dZ2 = rng.standard_normal((batch_size, CLASSES), dtype=np.float32)

    @jax.jit
    def products(X, d2):
        z1 = X @ W1  # forward, layer 1
        z2 = z1 @ W2  # forward, layer 2
        dW2 = z1.T @ d2  # backward: dW2 = A1ᵀ dZ2
        da1 = d2 @ W2.T  # backward: dA1 = dZ2 W2ᵀ
        dW1 = X.T @ da1  # backward: dW1 = Xᵀ dZ1
        return z2, dW2, dW1

    batches, start = [], 0
    for m in batch_sizes(rows.shape[0], batch_size):
        batches.append((jnp.asarray(rows[start : start + m]), jnp.asarray(dZ2[:m])))
        start += m

    def one_epoch():
        for X, d2 in batches:
            out = products(X, d2)
        jax.block_until_ready(out)

    return _best_seconds(one_epoch, epochs, repeats)  # its warm-up compiles the program


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The fit's products alone, under XLA.")
    parser.add_argument("--xla", action="store_true", required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--sample", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if min(args.epochs, args.batch_size, args.repeats) < 1:
        parser.error("--epochs, --batch-size and --repeats must be >= 1")
    from bench_worker import load
    from frameworks import training_rows

    train, _ = load(args.data, args.sample)
    rows = training_rows(train[0], scale=False)
    seconds = xla_fit_products_seconds(rows, args.batch_size, args.epochs, args.repeats)
    flops = fit_flops(rows.shape[0], args.batch_size, args.epochs)
    print(json.dumps({"seconds": seconds, "gflops": flops / seconds / 1e9}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
