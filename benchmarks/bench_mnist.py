"""Benchmark: dlmath against Keras on the slides' MNIST example, on this machine.

Usage::

    DLMATH_MNIST=/path/to/mnist.npz python benchmarks/bench_mnist.py
        [--seeds 0 1 2] [--epochs 5] [--batch-size 128] [--output build/bench/mnist.json]

(or ``nox -s bench``). In one run it

1. measures the machine's float32 matrix-multiply throughput in two ways: a large square
   product (2048 x 2048 by 2048 x 2048, best of several) and the fit's own products
   timed alone: for every batch of every epoch, the forward ``W1·X`` (512x784 by 784xm)
   and ``W2·A1`` (10x512 by 512xm), and the backward ``dZ2·A1ᵀ``, ``W2ᵀ·dZ2`` and
   ``dZ1·Xᵀ`` (512xm by mx784), in the layouts dlmath uses, as many times as the fit
   does them;
2. fits the slides' model with dlmath and then with Keras (``model.fit`` as the slides
   write it) on the full training set, on the raw pixels and on pixels / 255, for each
   seed, timing the fit alone and evaluating on the test set;
3. prints a table (fit seconds median and mean, the ratio dlmath / Keras, test accuracy
   mean ± sd, the achieved GFLOP/s and its fraction of both throughputs) and writes
   everything as JSON.

The useful work of a fit is the FLOPs of its matrix products, ``2·m·(512·784 + 10·512)``
forward and ``2·m·(10·512 + 512·10 + 512·784)`` backward per batch of m images (the
first layer's input gradient is computed by neither library): 98.2 GFLOP per epoch.
This is the work Keras does, and the "model" GFLOP/s of both libraries divide it by the
fit time. dlmath's backward pass skips the examples whose gradient is exactly zero and
the input pixels that are zero in all of the others, so it does less: the benchmark
counts the products it actually computes and reports that "executed" rate too.
All dlmath runs come first, before TensorFlow is imported, so that TensorFlow's thread
pool cannot slow them; the square product is measured again at the end to show how much
the machine's speed drifted during the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from dlmath import keras_reference, mnist

ROOT = Path(__file__).resolve().parents[1]
HIDDEN, CLASSES, PIXELS = 512, 10, 784


def batch_sizes(n: int, batch_size: int) -> list[int]:
    return [min(batch_size, n - start) for start in range(0, n, batch_size)]


def fit_flops(n: int, batch_size: int, epochs: int) -> float:
    """FLOPs of the matrix products of a fit (multiply-adds count 2)."""
    per_example = 2 * (PIXELS * HIDDEN + HIDDEN * CLASSES)  # forward
    per_example += 2 * (CLASSES * HIDDEN + HIDDEN * CLASSES + HIDDEN * PIXELS)  # backward
    return float(per_example) * sum(batch_sizes(n, batch_size)) * epochs


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
    m_max = batch_size
    Z1 = np.empty((HIDDEN, m_max), np.float32)
    Z2 = np.empty((CLASSES, m_max), np.float32)
    dZ2 = rng.standard_normal((CLASSES, m_max), dtype=np.float32)
    dA1 = np.empty((HIDDEN, m_max), np.float32)
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

    one_epoch()  # warm up
    best = float("inf")
    for _ in range(repeats):  # the best of a few: the machine may be shared
        started = time.perf_counter()
        for _ in range(epochs):
            one_epoch()
        best = min(best, time.perf_counter() - started)
    return fit_flops(n, batch_size, epochs) / best / 1e9, best


class BackwardWork:
    """Count the FLOPs of the backward products dlmath computes (a context manager).

    Wraps ``Dense._linear_backward`` to read the number of kept examples and the span
    of first-layer columns of each call; the forward products are always complete.
    """

    def __enter__(self):
        from dlmath.layers import Dense

        self.flops = 0.0
        self._original = original = Dense._linear_backward
        counter = self

        def counting(layer, dZ, *, input_grad=True, out=None, ones=None, span=None):
            k = dZ.shape[1]
            columns = layer.n_in if span is None else span[1] - span[0]
            counter.flops += 2.0 * layer.n_out * k * columns
            if input_grad:
                counter.flops += 2.0 * layer.n_out * k * layer.n_in
            return original(layer, dZ, input_grad=input_grad, out=out, ones=ones, span=span)

        Dense._linear_backward = counting
        return self

    def __exit__(self, *exc):
        from dlmath.layers import Dense

        Dense._linear_backward = self._original
        return False


def forward_flops(n: int, batch_size: int, epochs: int) -> float:
    return 2.0 * (PIXELS * HIDDEN + HIDDEN * CLASSES) * sum(batch_sizes(n, batch_size)) * epochs


def summarise(runs: list[dict], flops: float, peaks: dict[str, float]) -> list[dict]:
    rows = []
    for scale in (False, True):
        by_backend = {}
        for backend in ("numpy", "keras"):
            chosen = [r for r in runs if r["backend"] == backend and r["scale"] == scale]
            if not chosen:
                continue
            seconds = [r["fit_seconds"] for r in chosen]
            test = [r["test_accuracy"] for r in chosen]
            train = [r["train_accuracy"] for r in chosen]
            median = statistics.median(seconds)
            gflops = flops / median / 1e9
            executed = statistics.fmean(r.get("executed_gflop", flops / 1e9) for r in chosen)
            executed_gflops = executed / median
            by_backend[backend] = {
                "backend": "dlmath" if backend == "numpy" else "keras",
                "pixels": "/255" if scale else "raw",
                "runs": len(chosen),
                "fit_seconds_median": median,
                "fit_seconds_mean": statistics.fmean(seconds),
                "test_accuracy_mean": statistics.fmean(test),
                "test_accuracy_sd": statistics.stdev(test) if len(test) > 1 else 0.0,
                "train_accuracy_mean": statistics.fmean(train),
                "train_accuracy_sd": statistics.stdev(train) if len(train) > 1 else 0.0,
                "achieved_gflops": gflops,
                "fraction_of_square_matmul": gflops / peaks["square_matmul_gflops"],
                "fraction_of_fit_products": gflops / peaks["fit_products_gflops"],
                "executed_gflop": executed,
                "executed_gflops": executed_gflops,
                "executed_fraction_of_square_matmul": (
                    executed_gflops / peaks["square_matmul_gflops"]
                ),
            }
        if "numpy" in by_backend and "keras" in by_backend:
            ratio = (
                by_backend["numpy"]["fit_seconds_median"]
                / by_backend["keras"]["fit_seconds_median"]
            )
            for row in by_backend.values():
                row["ratio_dlmath_over_keras"] = ratio
        rows.extend(by_backend.values())
    return rows


def print_table(rows: list[dict], peaks: dict[str, float], flops: float) -> None:
    print()
    print(
        f"float32 matmul throughput: square 2048³ {peaks['square_matmul_gflops']:.1f} GFLOP/s "
        f"(after the runs: {peaks['square_matmul_gflops_end']:.1f}); the fit's own products "
        f"timed alone {peaks['fit_products_gflops']:.1f} GFLOP/s. "
        f"Useful work of one fit: {flops / 1e9:.1f} GFLOP."
    )
    header = (
        f"{'backend':<7} {'pixels':<6} {'runs':>4} {'fit s median':>12} {'mean':>7} "
        f"{'dlmath/keras':>12} {'test acc mean ± sd':>19} {'model GFLOP/s':>13} "
        f"{'of 2048³':>8} {'of fit products':>15} {'executed GFLOP/s':>16} {'of 2048³':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.get("ratio_dlmath_over_keras")
        print(
            f"{row['backend']:<7} {row['pixels']:<6} {row['runs']:>4} "
            f"{row['fit_seconds_median']:>12.2f} {row['fit_seconds_mean']:>7.2f} "
            f"{(f'{ratio:.2f}' if ratio is not None else '-'):>12} "
            f"{row['test_accuracy_mean']:>11.4f} ± {row['test_accuracy_sd']:.4f} "
            f"{row['achieved_gflops']:>13.1f} {row['fraction_of_square_matmul']:>8.1%} "
            f"{row['fraction_of_fit_products']:>15.1%} {row['executed_gflops']:>16.1f} "
            f"{row['executed_fraction_of_square_matmul']:>8.1%}"
        )


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }
    try:
        info["blas"] = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # older numpy: no dict mode
        info["blas"] = "unknown"
    if hasattr(os, "getloadavg"):
        info["load_average_start"] = os.getloadavg()
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench" / "mnist.json")
    parser.add_argument("--data", type=Path, help="mnist.npz (default: DLMATH_MNIST, ...)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or any(seed < 0 for seed in args.seeds):
        parser.error("--epochs and --batch-size must be >= 1 and seeds >= 0")

    train, test = mnist.load_mnist(args.data)
    n = len(train[1])
    info = machine()
    flops = fit_flops(n, args.batch_size, args.epochs)
    print(f"{info['cpus']} CPUs, numpy {info['numpy']} ({info['blas']}); measuring throughput")
    rows32 = np.ascontiguousarray(train[0].reshape(n, PIXELS), dtype=np.float32)
    peaks = {"square_matmul_gflops": square_matmul_gflops()}
    peaks["fit_products_gflops"], peaks["fit_products_seconds"] = fit_products_gflops(
        rows32, args.batch_size, args.epochs
    )
    del rows32
    settings = {"epochs": args.epochs, "batch_size": args.batch_size}
    runs = []
    for backend, trainer in (("numpy", mnist), ("keras", keras_reference)):
        for scale in (False, True):
            for seed in args.seeds:
                if backend == "numpy":
                    # The counting wrapper costs about a microsecond per step.
                    with BackwardWork() as work:
                        result = trainer.train_and_evaluate(
                            train, test, scale=scale, seed=seed, **settings
                        )
                    executed = forward_flops(n, args.batch_size, args.epochs) + work.flops
                else:
                    result = trainer.train_and_evaluate(
                        train, test, scale=scale, seed=seed, **settings
                    )
                    executed = flops
                runs.append(
                    {
                        "backend": backend,
                        "scale": scale,
                        "seed": seed,
                        "fit_seconds": result.fit_seconds,
                        "executed_gflop": executed / 1e9,
                        "train_accuracy": result.train_accuracy,
                        "test_accuracy": result.test_accuracy,
                        "history": result.history,
                    }
                )
                pixels = "/255" if scale else "raw"
                print(
                    f"{backend:<6} {pixels:<4} seed {seed}: fit {result.fit_seconds:6.2f} s, "
                    f"train {result.train_accuracy:.4f}, test {result.test_accuracy:.4f}",
                    flush=True,
                )
    peaks["square_matmul_gflops_end"] = square_matmul_gflops()
    if hasattr(os, "getloadavg"):
        info["load_average_end"] = os.getloadavg()
    tf, _ = keras_reference.import_keras()
    info["tensorflow"] = tf.__version__
    table = summarise(runs, flops, peaks)
    print_table(table, peaks, flops)
    report = {
        "benchmark": "the slides' MNIST model, dlmath against Keras",
        "settings": {**settings, "seeds": args.seeds, "training_images": n},
        "machine": info,
        "fit_gflop": flops / 1e9,
        "throughput": peaks,
        "table": table,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
