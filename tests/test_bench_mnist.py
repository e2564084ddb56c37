"""Tests of the benchmark's bookkeeping (benchmarks/bench_mnist.py): the FLOP counts.

The timed run itself is ``nox -s bench``.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from dlmath.layers import Dense
from dlmath.mnist import build_model, load_mnist_sample

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
spec = importlib.util.spec_from_file_location("bench_mnist", BENCHMARKS / "bench_mnist.py")
bench_mnist = importlib.util.module_from_spec(spec)
sys.modules["bench_mnist"] = bench_mnist
spec.loader.exec_module(bench_mnist)


def test_fit_flops_of_the_slides_fit():
    # 469 batches per epoch (468 of 128 images and one of 96); 98.2 GFLOP per epoch.
    assert bench_mnist.batch_sizes(60000, 128) == [128] * 468 + [96]
    per_image = 2 * (784 * 512 + 512 * 10) + 2 * (10 * 512 + 512 * 10 + 512 * 784)
    assert bench_mnist.fit_flops(60000, 128, 5) == 5 * 60000 * per_image
    assert bench_mnist.fit_flops(60000, 128, 1) / 1e9 == pytest.approx(98.2, abs=0.05)
    assert bench_mnist.forward_flops(60000, 128, 1) == 60000 * 2 * (784 * 512 + 512 * 10)


def test_backward_work_counts_what_the_backward_pass_computes():
    images, labels = load_mnist_sample()
    X = images[:64].reshape(64, -1).T.astype(np.float32)
    model = build_model(seed=0)  # untrained: no example has a zero gradient
    original = Dense._linear_backward
    with bench_mnist.BackwardWork() as work:
        model.compute_gradients(X, labels[:64])
    assert Dense._linear_backward is original
    nonzero = np.flatnonzero(X.any(axis=1))
    pixels = nonzero[-1] + 1 - nonzero[0]  # the first layer's dW skips the zero borders
    assert pixels < 784
    assert work.flops == 2 * 64 * (10 * 512 + 512 * 10 + 512 * pixels)


def test_backward_work_counts_fewer_flops_for_examples_with_a_zero_gradient():
    images, _ = load_mnist_sample()
    X = images[:64].reshape(64, -1).T.astype(np.float32)
    model = build_model(seed=0)
    model.layers[1].W = 1e4 * model.layers[1].W  # a model sure of its (random) answers
    predicted = model.predict(X).argmax(axis=0)
    with bench_mnist.BackwardWork() as all_wrong:
        model.compute_gradients(X, (predicted + 1) % 10)
    with bench_mnist.BackwardWork() as mostly_right:
        model.compute_gradients(X, np.where(np.arange(64) < 8, (predicted + 1) % 10, predicted))
    assert 0 < mostly_right.flops < all_wrong.flops / 4
