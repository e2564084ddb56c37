"""Benchmark: the slides' MNIST fit in dlmath (both engines) and every framework, on this CPU.

Usage::

    DLMATH_MNIST=/path/to/mnist.npz python benchmarks/bench_mnist.py
        [--frameworks dlmath-fast dlmath-reference keras jax torch] [--seeds 0 1 2]
        [--epochs 5] [--batch-size 128] [--output build/bench/mnist.json] [--sample]

(or ``nox -s bench``, which first runs the frameworks' smoke tests, ``pytest -m bench``).

**Shape convention.** dlmath's: one example per column, a layer ``W·X + B``; the other
frameworks are fed one example per row (see :mod:`frameworks`).

What is fitted. The slides' model, 784 → 512 ReLU → 10 softmax, with Glorot-uniform
weights and zero biases, RMSprop (learning rate 0.001, ρ = 0.9, ε = 1e-7, no momentum,
not centred), the sparse categorical cross-entropy from the logits, 5 epochs of batches
of 128 (the last of 96), reshuffled every epoch, in float32, on the raw pixels 0..255 (as
the slides) and on pixels / 255, by

* ``dlmath-fast`` and ``dlmath-reference``: ``dlmath.mnist.train_and_evaluate`` with the
  engine of that name;
* ``keras``: ``dlmath.keras_reference.train_and_evaluate``, the slides' Keras code;
* ``jax``: the whole step (forward, loss, gradient, optax's update) under one ``jax.jit``;
* ``torch``: PyTorch eager, when it is installed (otherwise skipped, with a note); its
  RMSprop adds ε outside the square root (``frameworks/torch_fit.py``).

Each is a small function in ``benchmarks/frameworks/``; dlmath, JAX and PyTorch start
from the same weights and visit the same batches. Only the fit is timed: the data are
converted to the framework's layout and dtype before (dlmath converts raw pixels itself,
batch by batch, inside its fit); compilation (dlmath-fast's ``warm_up``, XLA's program)
and a warm-up (a throwaway model trained on the first three batches, so that no fit pays
for its process's first use of thread pools and kernels) come before the clock and are
reported beside it. Keras traces the training function of each new model inside
``fit``, as the slides' code does, and that stays in its time. Test accuracy is measured
after each fit.

How. For each seed, for each pixel scaling, every framework fits once, in an order that
rotates from round to round, and **each fit runs in a fresh Python process**
(``bench_worker.py``), where no other framework was ever imported. TensorFlow and XLA
start thread pools of their own, which stay alive when their fit is over; a fit that
shares a process with them shares the cores with those threads. A fresh process per fit
removes that question at the price of a few seconds of start-up outside the clock. (On
this project's shared 2-core machine, the comparison of dlmath-fast fits with and without
Keras and JAX run first in the same process, ``bench_worker.py --preload keras jax``,
was drowned by the other work on the machine: 5 to 34 s without, 11 to 20 s with.)
NumPy's BLAS is named with the kernel it runs (threadpoolctl), with a warning when
``OPENBLAS_CORETYPE`` or ``OPENBLAS_L2_SIZE`` force one: this project's machines set
them for older OpenBLAS builds, and with them NumPy's OpenBLAS runs its AVX2 (Haswell)
kernel on a CPU whose own is the AVX-512 one, at half the speed (see the README).
Fits whose matrix products run on NumPy's OpenBLAS (dlmath's) or MKL (PyTorch's) slow
down far more than XLA's when another process takes a core: the JSON records the load
average after every fit, and the figures mean something only on an otherwise idle
machine.

It also measures, in this process and before and after the fits, the limit a fit is held
to: the fit's own matrix products timed alone at their shapes (``bench_flops``), and a
large square product for reference; what else each of dlmath-fast's steps must do (the
batch's gather and the optimizer's update, timed alone); the same products under XLA,
in a fresh process, where JAX is installed (what JAX multiplies with); the time of
dlmath-fast's ``warm_up`` in fresh processes with an empty Numba cache (the first-ever
compile) and with the cache filled;
and whether two dlmath-fast fits with the same seed give bit-identical weights.

It prints, per framework and pixel scaling, the fit seconds (median, min–max), the ratio
to the fastest framework of the run, test accuracy (mean ± sd, and its difference from
Keras's), the model's GFLOP/s (the fit's useful work, 491 GFLOP for 5 epochs, divided by
the time), its fraction of the products-alone limit, dlmath-fast's executed GFLOP/s
(from its engine's stats: it skips products whose result is zero), compile and warm-up
seconds;
then dlmath-fast's time over the fastest other framework's and the project's targets,
each with its figure and whether this run meets it; and what bounds the speed targets:
the time they allow against the fit's products alone (all of them, on NumPy's BLAS and
under XLA, and those dlmath-fast executes). Everything is written as JSON
(``--output``) and the table also as Markdown beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import bench_flops
import bench_report
import bench_runs
import frameworks
import numpy as np
from bench_worker import load, write_json

ROOT = Path(__file__).resolve().parents[1]


def choose(requested: list[str] | None) -> tuple[list[str], list[str]]:
    """The frameworks to run, and the notes on those skipped.

    All installed frameworks when none are requested; a requested one that is missing
    is an error (SystemExit), not a silent skip.
    """
    if requested is None:
        chosen = [name for name in frameworks.FRAMEWORKS if not frameworks.missing(name)]
        notes = [
            frameworks.missing_note(name)
            for name in frameworks.FRAMEWORKS
            if frameworks.missing(name)
        ]
        return chosen, notes
    absent = [name for name in requested if frameworks.missing(name)]
    if absent:
        raise SystemExit(
            "bench_mnist: " + "; ".join(frameworks.missing_note(name) for name in absent)
        )
    return list(dict.fromkeys(requested)), []


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
    info["blas_runtime"] = blas_runtime()
    info["blas_environment"] = {name: os.environ.get(name) for name in FORCING}
    return info


#: Environment variables that override OpenBLAS's choice of kernel for this CPU.
FORCING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_runtime() -> list[dict]:
    """The BLAS libraries NumPy loaded, with the kernel each runs (threadpoolctl), or []."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info() if lib["user_api"] == "blas"]


def blas_line(info: dict) -> str:
    """What BLAS NumPy's products (dlmath's) run, and a warning when a kernel is forced."""
    found = info.get("blas_runtime") or []
    kernels = ", ".join(
        f"{lib['internal_api']} {lib['version']}: {lib['architecture']} kernel, "
        f"{lib['num_threads']} threads"
        for lib in found
    )
    line = f"NumPy's BLAS: {kernels or 'kernel unknown (install threadpoolctl to see it)'}"
    forced = {k: v for k, v in info.get("blas_environment", {}).items() if v is not None}
    if forced:
        setting = " ".join(f"{k}={v}" for k, v in forced.items())
        line += (
            f". Warning: {setting} is set, which makes OpenBLAS run that kernel instead of "
            "the one it picks for this CPU (this project's machines set it for old "
            "OpenBLAS builds): dlmath's figures and the products timed alone on NumPy's "
            "BLAS measure that kernel (JAX, Keras and PyTorch bring their own). To "
            "measure the default, unset both in this command alone: env -u "
            + " -u ".join(FORCING)
            + " nox -s bench"
        )
    return line


def load_average() -> list[float] | None:
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def throughput(rows32: np.ndarray, settings: dict) -> dict[str, float]:
    gflops, seconds = bench_flops.fit_products_gflops(
        rows32, settings["batch_size"], settings["epochs"]
    )
    return {
        "square_matmul_gflops": bench_flops.square_matmul_gflops(),
        "fit_products_gflops": gflops,
        "fit_products_seconds": seconds,
    }


def same_seed_check(runs: list[dict], seed: int, settings: dict, scalings) -> tuple[dict, list]:
    """Fit dlmath-fast again with ``seed`` on each scaling; compare the weights' digests."""
    identical, repeats = {}, []
    for scale in scalings:
        first = next(
            r
            for r in runs
            if (r["framework"], r["seed"], r["scale"]) == ("dlmath-fast", seed, scale)
        )
        again = bench_runs.run_fit("dlmath-fast", seed, scale, settings)
        again.update(framework="dlmath-fast", seed=seed, scale=scale)
        repeats.append(again)
        identical[bench_report.pixels(scale)] = again["weights_sha256"] == first["weights_sha256"]
    return identical, repeats


def report_text(rows, peaks, compile_times, identical, notes, model_flops, bounds) -> str:
    """Everything printed after the runs."""
    start, end = peaks["start"], peaks["end"]
    lines = [
        "",
        f"Useful work of one fit: {model_flops / 1e9:.1f} GFLOP. The limit: the fit's own "
        f"products timed alone, {peaks['limit_gflops']:.1f} GFLOP/s (before the fits "
        f"{start['fit_products_gflops']:.1f}, after {end['fit_products_gflops']:.1f}); "
        f"a 2048³ product {start['square_matmul_gflops']:.1f} GFLOP/s "
        f"(after: {end['square_matmul_gflops']:.1f})."
        + (
            ""
            if peaks.get("xla_fit_products_seconds") is None
            else f" The same products under XLA (JAX's multiply): "
            f"{peaks['xla_fit_products_seconds']:.2f} s, against "
            f"{peaks['limit_seconds']:.2f} s on NumPy's BLAS (the faster of its two timings)."
        ),
        "",
        bench_report.table(rows),
        "",
    ]
    for p, c in bench_report.comparisons(rows).items():
        ratio = c["fast_over_fastest_other"]
        lines.append(
            f"{p} pixels: fastest {c['fastest']}; dlmath-fast ÷ fastest other framework "
            f"({c['fastest_other']}): {'-' if ratio is None else f'{ratio:.2f}'}"
        )
    if compile_times:
        lines.append(
            f"dlmath-fast warm_up: {compile_times['first_compile_seconds']:.2f} s with an empty "
            f"Numba cache (the first fit on a machine), {compile_times['cached_seconds']:.2f} s "
            "from the cache"
        )
    lines += [f"Accuracy check: {line}" for line in bench_report.disagreements(rows)]
    lines += [f"Note: {note}" for note in notes]
    lines += ["", "Targets:", bench_report.target_lines(bench_report.targets(rows, identical))]
    lines += ["", "What bounds the speed targets:", bench_report.bound_lines(bounds)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", nargs="+", choices=frameworks.FRAMEWORKS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench" / "mnist.json")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help="mnist.npz (default: DLMATH_MNIST, ...)")
    source.add_argument(
        "--sample", action="store_true", help="the bundled 1,000 images (to try the benchmark)"
    )
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or any(seed < 0 for seed in args.seeds):
        parser.error("--epochs and --batch-size must be >= 1 and seeds >= 0")
    seeds = list(dict.fromkeys(args.seeds))
    names, notes = choose(args.frameworks)
    for note in notes:
        print(note, flush=True)

    train, _ = load(args.data, args.sample)
    n = len(train[1])
    settings = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "data": args.data,
        "sample": args.sample,
    }
    info = machine()
    info["load_average_start"] = load_average()
    print(
        f"{info['cpus']} CPUs, numpy {info['numpy']} ({info['blas']}), load average "
        f"{info['load_average_start']}; frameworks: {', '.join(names)}\n{blas_line(info)}",
        flush=True,
    )
    rows32 = frameworks.training_rows(train[0], scale=False)
    peaks = {"start": throughput(rows32, settings)}
    raw_rows = np.ascontiguousarray(np.asarray(train[0]).reshape(n, -1))  # uint8, as dlmath
    peaks["update_and_gather_seconds"] = {
        bench_report.pixels(scale): bench_flops.update_and_gather_seconds(
            frameworks.training_rows(train[0], scale=True) if scale else raw_rows,
            settings["batch_size"],
            settings["epochs"],
        )
        for scale in (False, True)
    }
    xla = bench_runs.xla_products(settings) if not frameworks.missing("jax") else None
    peaks["xla_fit_products_seconds"] = None if xla is None else xla["seconds"]
    compile_times = bench_runs.compile_seconds() if "dlmath-fast" in names else None

    scalings = (False, True)
    plan = bench_runs.schedule(names, seeds, scalings)
    runs = []
    started = time.perf_counter()
    for position, (seed, scale, name) in enumerate(plan, start=1):
        result = bench_runs.run_fit(name, seed, scale, settings)
        result.update(framework=name, seed=seed, scale=scale, position=position)
        result["load_average"] = load_average()  # after the fit: was the machine shared?
        runs.append(result)
        compiled = result["compile_seconds"]
        print(
            f"{position:>3}/{len(plan)} {name:<16} {bench_report.pixels(scale):<4} seed {seed}: "
            f"fit {result['fit_seconds']:6.2f} s, test accuracy {result['test_accuracy']:.4f} "
            f"({'' if compiled is None else f'compile {compiled:.2f} s, '}"
            f"warm-up {result['warm_up_seconds']:.2f} s)",
            flush=True,
        )
    identical, repeats = (
        same_seed_check(runs, seeds[0], settings, scalings)
        if "dlmath-fast" in names
        else (None, [])
    )
    peaks["end"] = throughput(rows32, settings)
    peaks["limit_gflops"] = max(p["fit_products_gflops"] for p in (peaks["start"], peaks["end"]))
    peaks["limit_seconds"] = min(p["fit_products_seconds"] for p in (peaks["start"], peaks["end"]))
    info["load_average_end"] = load_average()
    info["seconds"] = time.perf_counter() - started

    model_flops = bench_flops.fit_flops(n, args.batch_size, args.epochs)
    rows = bench_report.summarise(runs, model_flops, peaks["limit_gflops"])
    rest = {p: t for p, t in peaks["update_and_gather_seconds"].items() if t is not None}
    bounds = bench_report.bounds(
        rows, peaks["limit_seconds"], peaks.get("xla_fit_products_seconds"), rest
    )
    print(report_text(rows, peaks, compile_times, identical, notes, model_flops, bounds))
    print(
        f"Load average: {info['load_average_start']} at the start, "
        f"{info['load_average_end']} at the end"
    )
    report = {
        "benchmark": "the slides' MNIST fit: dlmath's engines against every framework",
        "settings": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "seeds": seeds,
            "training_images": n,
            "data": "the bundled sample" if args.sample else "MNIST",
            "frameworks": names,
            "skipped": notes,
        },
        "machine": info,
        "fit_gflop": model_flops / 1e9,
        "throughput": peaks,
        "compile": compile_times,
        "table": rows,
        "comparisons": bench_report.comparisons(rows),
        "targets": bench_report.targets(rows, identical),
        "bounds": bounds,
        "bit_identical": identical,
        "runs": runs,
        "repeat_runs": repeats,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.output, report)
    markdown = args.output.with_suffix(".md")
    markdown.write_text(bench_report.markdown(rows) + "\n")
    print(f"\nwrote {args.output} and {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
