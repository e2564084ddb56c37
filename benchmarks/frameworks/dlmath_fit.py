"""dlmath's fit of the slides' MNIST model, with either training engine.

**Shape convention.** One example per column, as dlmath computes: ``mnist.train_and_evaluate``
turns the (N, 28, 28) images into a (784, N) matrix before the clock starts (raw pixels
stay ``uint8``: the engines convert each batch as they gather it, inside the fit).
"""

from __future__ import annotations

import time

import numpy as np

from . import outcome, warm_up_split


def fit(train, test, *, scale: bool, epochs: int, batch_size: int, seed: int, engine: str):
    """Fit with ``mnist.train_and_evaluate(..., engine=engine)``; see :mod:`frameworks`.

    For the fast engine, Numba's kernels are compiled (or loaded from its cache) by
    ``warm_up`` before the fit, and its seconds are the compile time; the engine's
    ``stats`` give the FLOPs it executed (it skips products whose result is zero).
    """
    from dlmath import mnist
    from dlmath.engines import get_engine

    if engine not in ("fast", "reference"):
        raise ValueError(f"engine must be 'fast' or 'reference'; got {engine!r}")
    compile_seconds = None
    if engine == "fast":
        from dlmath.engines.fast import warm_up

        compile_seconds = warm_up(np.float32)
    settings = {"scale": scale, "batch_size": batch_size, "seed": seed}
    started = time.perf_counter()
    first = warm_up_split(train, batch_size)
    mnist.train_and_evaluate(first, first, epochs=1, engine=get_engine(engine), **settings)
    warm_up_seconds = time.perf_counter() - started

    chosen = get_engine(engine)
    result = mnist.train_and_evaluate(train, test, epochs=epochs, engine=chosen, **settings)
    extra = {}
    if engine == "fast":
        stats = chosen.stats
        extra = {
            "executed_flops": stats["forward_flops"] + stats["backward_flops"],
            "backward_examples": stats["backward_examples"],
            "examples": stats["examples"],
        }
    return outcome(
        fit_seconds=result.fit_seconds,
        compile_seconds=compile_seconds,
        warm_up_seconds=warm_up_seconds,
        train_accuracy=result.train_accuracy,
        test_accuracy=result.test_accuracy,
        history=result.history,
        weights=[np.asarray(p) for p in result.model.parameters()],
        **extra,
    )
