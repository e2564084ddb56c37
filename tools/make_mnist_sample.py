"""Make ``dlmath/data/mnist_sample.npz``: 100 MNIST test images of each digit.

Usage::

    DLMATH_MNIST=/path/to/mnist.npz python tools/make_mnist_sample.py [--output PATH]

The images are drawn from the MNIST *test* set (``x_test``, ``y_test`` of Keras's
``mnist.npz``, read by :func:`dlmath.mnist.load_mnist`, which honours ``DLMATH_MNIST``):
for each digit 0..9 in turn, 100 of its test images are chosen without replacement by
``numpy.random.default_rng(SEED)``; the 1,000 chosen images are then put in an order
shuffled by the same generator, so that any leading part of the sample has all digits.

The archive (``numpy.savez_compressed``) holds ``x`` (uint8, (1000, 28, 28)), ``y``
(uint8, (1000,)) and ``index`` (int32, (1000,)), with ``x == x_test[index]`` and
``y == y_test[index]``. Running the script again on the same MNIST file rewrites the
same arrays.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from dlmath.mnist import ENV_VAR, load_mnist

SEED = 20240501
PER_CLASS = 100
OUTPUT = Path(__file__).resolve().parents[1] / "dlmath" / "data" / "mnist_sample.npz"


def make_sample(x_test: np.ndarray, y_test: np.ndarray, per_class: int = PER_CLASS, seed=SEED):
    """Return ``(x, y, index)``: ``per_class`` test images of each digit, shuffled."""
    rng = np.random.default_rng(seed)
    chosen = [
        np.sort(rng.choice(np.flatnonzero(y_test == digit), per_class, replace=False))
        for digit in range(10)
    ]
    index = rng.permutation(np.concatenate(chosen)).astype(np.int32)
    return x_test[index], y_test[index], index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    args = parser.parse_args(argv)
    if not os.environ.get(ENV_VAR):
        print(f"set {ENV_VAR} to the path of Keras's mnist.npz", file=sys.stderr)
        return 2
    _, (x_test, y_test) = load_mnist()
    x, y, index = make_sample(x_test, y_test)
    np.savez_compressed(args.output, x=x, y=y, index=index)
    digest = hashlib.sha256(x.tobytes() + y.tobytes() + index.tobytes()).hexdigest()
    size = args.output.stat().st_size
    print(f"wrote {args.output}: {len(y)} images, {size:,} bytes; SHA-256 of the arrays {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
