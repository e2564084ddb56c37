"""Run one fit of the slides' MNIST model in this (fresh) process; write its JSON result.

Usage::

    python benchmarks/bench_worker.py --framework jax --seed 0 --scale --result out.json
        [--epochs 5] [--batch-size 128] [--data mnist.npz | --sample] [--preload keras jax]

``benchmarks/bench_mnist.py`` starts one such process per fit, so that every fit runs in
a process where no other framework was ever imported. ``--preload`` first runs one
epoch of the named frameworks on the bundled sample, in this process, to measure what
their threads cost the fit that follows (see bench_mnist's notes). ``--sample`` trains
on the bundled sample's first 800 images and tests on the other 200.

The result (the ``dict`` of :func:`frameworks.outcome`, plus the framework's package
versions) is written atomically: to a temporary file in the same folder, then renamed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import tempfile
from pathlib import Path

import frameworks

_PACKAGES = {
    "dlmath-fast": ("numpy", "numba"),
    "dlmath-reference": ("numpy",),
    "keras": ("tensorflow", "keras"),
    "jax": ("jax", "jaxlib", "optax"),
    "torch": ("torch",),
}


def load(data: Path | None, sample: bool):
    """(train, test) from ``data`` (or DLMATH_MNIST, ...), or the bundled sample split."""
    from dlmath import mnist

    if sample:
        x, y = mnist.load_mnist_sample()
        return (x[:800], y[:800]), (x[800:], y[800:])
    return mnist.load_mnist(data, download=False)


def versions(framework: str) -> dict[str, str]:
    found = {}
    for package in _PACKAGES[framework]:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def write_json(path: Path, value) -> None:
    """Write ``value`` as JSON to ``path`` atomically."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(value, out, indent=2)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=frameworks.FRAMEWORKS, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--scale", action=argparse.BooleanOptionalAction, required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--sample", action="store_true")
    parser.add_argument("--preload", nargs="*", choices=frameworks.FRAMEWORKS, default=[])
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.seed < 0:
        parser.error("--epochs and --batch-size must be >= 1 and --seed >= 0")
    train, test = load(args.data, args.sample)
    if args.preload:
        sample_train, sample_test = load(None, sample=True)
        for other in args.preload:
            preload = frameworks.fit_function(other)
            preload(sample_train, sample_test, scale=True, epochs=1, batch_size=128, seed=0)
    fit = frameworks.fit_function(args.framework)
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed}
    result = fit(train, test, scale=args.scale, **settings)
    result["versions"] = versions(args.framework)
    result["preloaded"] = args.preload
    write_json(args.result, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
