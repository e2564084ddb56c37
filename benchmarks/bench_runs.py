"""The benchmark's runs: their alternating order, and each fit in a fresh process.

**Shape convention.** None of its own: a run is a (seed, scale, framework) triple and its
result the ``dict`` of :func:`frameworks.outcome`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = Path(__file__).resolve().with_name("bench_worker.py")
FLOPS = Path(__file__).resolve().with_name("bench_flops.py")


def schedule(names, seeds, scalings=(False, True)) -> list[tuple[int, bool, str]]:
    """The order of the fits: for each seed, for each scaling, every framework once.

    The frameworks' order rotates by one place from each (seed, scaling) round to the
    next, so that no framework always runs first or last.

    >>> [name for _, _, name in schedule(["a", "b", "c"], seeds=[0, 1], scalings=[False])]
    ['a', 'b', 'c', 'b', 'c', 'a']
    """
    names = list(names)
    order = []
    for round_, (seed, scale) in enumerate((s, x) for s in seeds for x in scalings):
        shift = round_ % len(names)
        order.extend((seed, scale, name) for name in names[shift:] + names[:shift])
    return order


def worker_command(framework, seed, scale, settings, result, preload=()) -> list[str]:
    """The command line of :mod:`bench_worker` for one fit."""
    command = [sys.executable, str(WORKER), "--framework", framework, "--seed", str(seed)]
    command += ["--scale" if scale else "--no-scale", "--result", str(result)]
    command += _size_and_data(settings)
    if preload:
        command += ["--preload", *preload]
    return command


def run_fit(framework, seed, scale, settings, preload=()) -> dict:
    """One fit in a new Python process; its result.

    Raises
    ------
    RuntimeError
        If the process fails; the message ends with its last lines of output.
    """
    with tempfile.TemporaryDirectory(prefix="dlmath-bench-") as folder:
        result = Path(folder) / "result.json"
        command = worker_command(framework, seed, scale, settings, result, preload)
        done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
        if done.returncode != 0 or not result.is_file():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            raise RuntimeError(
                f"the {framework} fit (seed {seed}, scale {scale}) failed with exit status "
                f"{done.returncode}:\n{tail}"
            )
        return json.loads(result.read_text())


def compile_seconds() -> dict[str, float]:
    """dlmath-fast's ``warm_up`` in fresh processes: with an empty Numba cache, then warm.

    Numba's cache is pointed at a new temporary folder (``NUMBA_CACHE_DIR``), so the
    first process compiles every kernel as on a machine that never ran dlmath, and the
    second loads them from that cache; dlmath's own cache is left as it is.
    """
    code = "from dlmath.engines.fast import warm_up; print(repr(warm_up('float32')))"
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="dlmath-numba-") as folder:
        for key in ("first_compile_seconds", "cached_seconds"):
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env=_env(NUMBA_CACHE_DIR=folder),
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"warm_up failed:\n{done.stderr.strip()[-2000:]}")
            seconds[key] = float(done.stdout.strip().splitlines()[-1])
    return seconds


def xla_products(settings) -> dict[str, float]:
    """The fit's products alone under XLA (``bench_flops.py --xla``), in a new process."""
    command = [sys.executable, str(FLOPS), "--xla", *_size_and_data(settings)]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the XLA products failed:\n{done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _size_and_data(settings) -> list[str]:
    """The options shared by bench_worker.py and bench_flops.py: the fit's size, its data."""
    options = ["--epochs", str(settings["epochs"]), "--batch-size", str(settings["batch_size"])]
    if settings.get("sample"):
        options.append("--sample")
    elif settings.get("data") is not None:
        options += ["--data", str(settings["data"])]
    return options


def _env(**extra) -> dict[str, str]:
    """This process's environment (the worker finds dlmath as this process did)."""
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra)
    return env
