"""Tests of the benchmark (benchmarks/): its bookkeeping, and each framework's fit.

The bookkeeping (FLOP counts, the order of the runs, the table's figures, the targets)
is tested on small made-up inputs. The tests marked ``bench`` fit the slides' model with
each framework for one epoch on the bundled sample; ``nox -s bench`` runs them (``pytest
-m bench``) before the timed run, and the default test run leaves them out (they need
Numba, JAX and the other frameworks, which only the bench session installs). The timed
run itself is ``nox -s bench``.
"""

import json
import statistics
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_flops  # noqa: E402
import bench_mnist  # noqa: E402
import bench_report  # noqa: E402
import bench_runs  # noqa: E402
import bench_worker  # noqa: E402
import frameworks  # noqa: E402

from dlmath.mnist import load_mnist_sample  # noqa: E402


# --- FLOPs -------------------------------------------------------------------------
def test_fit_flops_of_the_slides_fit():
    # 469 batches per epoch (468 of 128 images and one of 96); 98.2 GFLOP per epoch.
    assert frameworks.batch_sizes(60000, 128) == [128] * 468 + [96]
    per_image = 2 * (784 * 512 + 512 * 10) + 2 * (10 * 512 + 512 * 10 + 512 * 784)
    assert bench_flops.fit_flops(60000, 128, 5) == 5 * 60000 * per_image
    assert bench_flops.fit_flops(60000, 128, 5) / 1e9 == pytest.approx(491.0, abs=0.1)
    assert bench_flops.forward_flops(60000, 128, 1) == 60000 * 2 * (784 * 512 + 512 * 10)


def test_fit_products_time_the_fits_products():
    rows = np.random.default_rng(0).random((300, 784), dtype=np.float32)
    gflops, seconds = bench_flops.fit_products_gflops(rows, 128, 2, repeats=1)
    assert seconds > 0
    assert gflops == pytest.approx(bench_flops.fit_flops(300, 128, 2) / seconds / 1e9)


# --- the order of the runs -----------------------------------------------------------
def test_schedule_runs_every_framework_once_per_round_in_a_rotating_order():
    names = list(frameworks.FRAMEWORKS)
    plan = bench_runs.schedule(names, seeds=[0, 1, 2])
    assert len(plan) == 3 * 2 * len(names)
    rounds = [plan[k : k + len(names)] for k in range(0, len(plan), len(names))]
    assert [(r[0][0], r[0][1]) for r in rounds] == [(s, x) for s in (0, 1, 2) for x in (0, 1)]
    for round_ in rounds:
        assert sorted(name for _, _, name in round_) == sorted(names)
        assert len({(seed, scale) for seed, scale, _ in round_}) == 1
    firsts = {round_[0][2] for round_ in rounds}
    lasts = {round_[-1][2] for round_ in rounds}
    assert firsts == set(names)  # six rounds, five frameworks: each one starts once
    assert lasts == set(names)
    for name in names:  # nobody keeps one place
        assert len({[n for _, _, n in r].index(name) for r in rounds}) > 1


def test_worker_command_passes_the_settings():
    settings = {"epochs": 2, "batch_size": 64, "data": Path("m.npz"), "sample": False}
    command = bench_runs.worker_command("jax", 3, True, settings, Path("r.json"))
    assert command[1].endswith("bench_worker.py")
    text = " ".join(command[2:])
    assert "--framework jax --seed 3 --scale --result r.json" in text
    assert "--epochs 2 --batch-size 64 --data m.npz" in text
    settings["sample"] = True
    command = bench_runs.worker_command("keras", 0, False, settings, Path("r.json"), ["jax"])
    assert "--no-scale" in command
    assert "--sample" in command
    assert "--data" not in command
    assert command[-2:] == ["--preload", "jax"]


def test_worker_writes_the_result_of_one_fit(tmp_path):
    result = tmp_path / "result.json"
    argv = ["--framework", "dlmath-reference", "--seed", "1", "--no-scale", "--sample"]
    argv += ["--epochs", "1", "--preload", "dlmath-reference", "--result", str(result)]
    assert bench_worker.main(argv) == 0
    written = json.loads(result.read_text())
    assert written["preloaded"] == ["dlmath-reference"]
    assert written["versions"]["numpy"] == np.__version__
    assert written["test_accuracy"] > 0.3
    assert written["compile_seconds"] is None
    assert len(written["history"]["loss"]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary file left


def test_choose_skips_a_missing_framework_with_a_note_unless_it_was_asked_for(monkeypatch):
    monkeypatch.setattr(frameworks, "missing", lambda name: ["torch"] if name == "torch" else [])
    chosen, notes = bench_mnist.choose(None)
    assert chosen == [name for name in frameworks.FRAMEWORKS if name != "torch"]
    assert notes == ["PyTorch not installed: skipped"]
    assert bench_mnist.choose(["jax", "keras", "jax"]) == (["jax", "keras"], [])
    with pytest.raises(SystemExit, match="PyTorch not installed"):
        bench_mnist.choose(["torch", "jax"])


# --- the table -----------------------------------------------------------------------
def fake_run(framework, scale, seconds, accuracy, **extra):
    return {
        "framework": framework,
        "scale": scale,
        "fit_seconds": seconds,
        "test_accuracy": accuracy,
        "train_accuracy": accuracy + 0.01,
        "compile_seconds": extra.pop("compile_seconds", None),
        **extra,
    }


def fake_runs(fast=(2.0, 1.0, 3.0), other=(4.0, 5.0, 6.0), reference=(1.5, 1.5, 1.5)):
    runs = []
    for scale in (False, True):
        for k in range(3):
            work = {"executed_flops": 100e9 + 10e9 * k, "backward_examples": 50, "examples": 100}
            runs.append(
                fake_run("dlmath-fast", scale, fast[k], 0.96 + 0.01 * k, compile_seconds=k, **work)
            )
            runs.append(fake_run("dlmath-reference", scale, reference[k], 0.97))
            runs.append(fake_run("keras", scale, other[k], 0.97 + 0.002 * k))
            runs.append(
                fake_run("jax", scale, other[k] + 1, 0.97, compile_seconds=2.0, warm_up_seconds=k)
            )
    return runs


def test_summarise_gives_each_framework_its_figures():
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=400.0)
    assert [(r["framework"], r["pixels"]) for r in rows] == [
        (name, pixels)
        for pixels in ("raw", "/255")
        for name in ("dlmath-fast", "dlmath-reference", "keras", "jax")
    ]
    fast, reference, keras, jax = rows[:4]
    assert (fast["runs"], fast["fit_seconds_median"]) == (3, 2.0)
    assert (fast["fit_seconds_min"], fast["fit_seconds_max"]) == (1.0, 3.0)
    assert fast["test_accuracy_mean"] == pytest.approx(0.97)
    assert fast["test_accuracy_sd"] == pytest.approx(statistics.stdev([0.96, 0.97, 0.98]))
    assert fast["train_accuracy_mean"] == pytest.approx(0.98)
    assert fast["model_gflops"] == pytest.approx(200 / 2.0)
    assert fast["fraction_of_limit"] == pytest.approx(100 / 400)
    assert fast["executed_gflops"] == pytest.approx(110 / 2.0)
    assert fast["backward_examples_fraction"] == 0.5
    assert fast["compile_seconds_median"] == 1
    assert reference["compile_seconds_median"] is None
    assert jax["compile_seconds_median"] == 2.0
    assert jax["warm_up_seconds_median"] == 1
    assert fast["warm_up_seconds_median"] is None
    assert reference["executed_gflops"] is None
    # Ratios to the fastest (the reference engine here, 1.5 s) and accuracy against Keras.
    assert reference["ratio_to_fastest"] == 1.0
    assert fast["ratio_to_fastest"] == pytest.approx(2.0 / 1.5)
    assert jax["ratio_to_fastest"] == pytest.approx(6.0 / 1.5)
    assert keras["test_accuracy_minus_keras"] == 0.0
    assert fast["test_accuracy_minus_keras"] == pytest.approx(0.97 - 0.972)


def test_comparisons_hold_dlmath_fast_against_the_fastest_other_framework():
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=400.0)
    compared = bench_report.comparisons(rows)
    assert compared["raw"] == {
        "fastest": "dlmath-reference",
        "fastest_other": "keras",  # dlmath's engines are not "other frameworks"
        "fast_over_fastest_other": pytest.approx(2.0 / 5.0),
    }
    only_dlmath = [r for r in rows if r["framework"] in frameworks.DLMATH]
    assert bench_report.comparisons(only_dlmath)["/255"]["fast_over_fastest_other"] is None


def test_bounds_hold_the_allowed_time_against_the_products_alone():
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=400.0)
    # Keras is the fastest other framework on both scalings, at 5.0 s: 0.67 × 5.0 = 3.35 s.
    found = bench_report.bounds(rows, openblas_seconds=3.5, xla_seconds=2.5)
    assert set(found) == {"raw", "/255"}
    assert found["raw"]["allowed_seconds"] == pytest.approx(0.67 * 5.0)
    assert found["raw"]["fastest_other"] == "keras"
    # dlmath-fast executes 55 GFLOP/s of the model's 100 (fake_runs: 110 of 200 GFLOP in
    # 2.0 s): the products it executes take 0.55 of the time of all of them.
    assert found["raw"]["executed_products_seconds"] == pytest.approx(3.5 * 55 / 100)
    assert found["raw"]["products_alone_fit_in_allowed"] is True
    assert bench_report.bounds(rows, 7.0, None)["raw"]["products_alone_fit_in_allowed"] is False
    text = bench_report.bound_lines(bench_report.bounds(rows, 7.0, 2.5))
    assert "raw pixels: the target allows 3.35 s (0.67 × keras)" in text
    assert "7.00 s on NumPy's BLAS, 2.50 s under XLA; those dlmath-fast executes, 3.85 s " in text
    assert text.endswith("(more than the target allows)")
    only_dlmath = [r for r in rows if r["framework"] in frameworks.DLMATH]
    assert bench_report.bounds(only_dlmath, 3.0, None) == {}


def test_bounds_add_what_else_a_step_does_to_the_products_dlmath_executes():
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=400.0)
    found = bench_report.bounds(rows, 3.5, None, {"raw": 0.5})
    assert found["raw"]["floor_seconds"] == pytest.approx(3.5 * 55 / 100 + 0.5)  # 2.425
    assert found["raw"]["floor_fits_in_allowed"] is True  # 3.35 s allowed
    assert found["/255"]["floor_seconds"] is None  # not measured: not judged
    text = bench_report.bound_lines(bench_report.bounds(rows, 3.5, None, {"raw": 1.5}))
    assert "update alone (1.50 s), 3.42 s (more than the target allows)" in text.splitlines()[0]
    assert "(more than the target allows)" not in text.splitlines()[1]


def test_update_and_gather_time_the_rest_of_a_step():
    pytest.importorskip("numba", reason="the fast engine's kernels need Numba")
    rows = np.random.default_rng(0).integers(0, 256, size=(300, 784), dtype=np.uint8)
    seconds = bench_flops.update_and_gather_seconds(rows, 128, 1, repeats=1)
    assert 0 < seconds < 5


def test_the_blas_line_names_the_kernel_and_warns_when_one_is_forced():
    info = {
        "blas_runtime": [
            {
                "internal_api": "openblas",
                "version": "0.3.31",
                "architecture": "SkylakeX",
                "num_threads": 2,
            }
        ],
        "blas_environment": {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None},
    }
    line = bench_mnist.blas_line(info)
    assert line == "NumPy's BLAS: openblas 0.3.31: SkylakeX kernel, 2 threads"
    info["blas_environment"]["OPENBLAS_CORETYPE"] = "Haswell"
    line = bench_mnist.blas_line(info)
    assert "Warning: OPENBLAS_CORETYPE=Haswell is set" in line
    assert line.endswith("env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nox -s bench")
    assert "kernel unknown" in bench_mnist.blas_line({"blas_runtime": []})


def verdicts(rows, identical):
    return [check["met"] for check in bench_report.targets(rows, identical)]


def test_targets_are_judged_on_the_runs_figures():
    # dlmath-fast: 0.4 of Keras's time; 100 of 120 GFLOP/s; accuracy 0.970 against 0.972.
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=120.0)
    checks = bench_report.targets(rows, {"raw": True, "/255": True})
    assert [c["met"] for c in checks] == [True, True, True, True, True, False, True]
    assert "0.40 (2.00 s against keras 5.00 s)" in checks[0]["value"]
    assert checks[2]["value"].startswith("83.3%")
    assert checks[4]["value"] == "-0.0020 (Keras 0.9720)"
    text = bench_report.target_lines(checks)
    assert text.count("[         met]") == 6
    assert "[     NOT met] /255 pixels: dlmath-fast's test accuracy ≥ 0.978: 0.9700" in text


def test_targets_that_are_missed_or_not_measured_say_so():
    slow = fake_runs(fast=(3.5, 3.5, 3.5))  # 0.7 of Keras's time
    rows = bench_report.summarise(slow, model_flops=200e9, limit_gflops=400.0)
    assert verdicts(rows, {"raw": True, "/255": False}) == [
        False,
        False,
        False,  # 57 of 400 GFLOP/s
        True,
        True,
        False,
        False,
    ]
    without_keras = [r for r in rows if r["framework"] != "keras"]
    checks = bench_report.targets(without_keras, None)
    assert [c["met"] for c in checks][3:] == [True, None, False, None]
    assert checks[4]["value"] == "not measured in this run"
    assert "[not measured]" in bench_report.target_lines(checks)


def test_disagreements_flag_a_framework_far_from_keras():
    runs = fake_runs()
    runs.append(fake_run("jax", False, 5.0, 0.90))  # drags JAX's raw mean to 0.9525
    rows = bench_report.summarise(runs, model_flops=200e9, limit_gflops=400.0)
    assert bench_report.disagreements(rows) == [
        "jax (raw): test accuracy 0.9525, -0.0195 from Keras's"
    ]


def test_tables_show_every_row():
    rows = bench_report.summarise(fake_runs(), model_flops=200e9, limit_gflops=400.0)
    text, markdown = bench_report.table(rows), bench_report.markdown(rows)
    assert len(text.splitlines()) == 2 + len(rows)
    assert len(markdown.splitlines()) == 2 + len(rows)
    assert "| dlmath-fast | 0..255 | 2.00 (1.00–3.00) | 1.33 | 0.9700 ± 0.0100 | 100 | 25% " in (
        markdown
    )


def test_weights_digest_sees_every_bit():
    weights = [np.arange(6, dtype=np.float32).reshape(2, 3), np.zeros(2, np.float32)]
    same = [w.copy() for w in weights]
    assert frameworks.weights_digest(weights) == frameworks.weights_digest(same)
    flipped = [w.copy() for w in weights]
    flipped[0].view(np.uint32)[1, 2] ^= 1  # the last bit of one weight
    assert frameworks.weights_digest(flipped) != frameworks.weights_digest(weights)
    reshaped = [weights[0].reshape(3, 2), weights[1]]
    assert frameworks.weights_digest(reshaped) != frameworks.weights_digest(weights)


# --- each framework's fit (nox -s bench) -----------------------------------------------
@pytest.fixture(scope="module")
def sample():
    x, y = load_mnist_sample()
    return (x[:800], y[:800]), (x[800:], y[800:])


def fit_one_epoch(framework, sample, scale):
    if frameworks.missing(framework):
        pytest.skip(frameworks.missing_note(framework))
    train, test = sample
    fit = frameworks.fit_function(framework)
    # One epoch of 800 images: 7 batches (6 of 128 and one of 32).
    return fit(train, test, scale=scale, epochs=1, batch_size=128, seed=0)


@pytest.mark.bench
@pytest.mark.parametrize("scale", [False, True], ids=["raw", "scaled"])
@pytest.mark.parametrize("framework", frameworks.FRAMEWORKS)
def test_each_framework_learns_in_one_epoch(framework, scale, sample):
    result = fit_one_epoch(framework, sample, scale)
    assert result["test_accuracy"] > 0.3  # chance: 0.1
    assert result["fit_seconds"] > 0
    assert len(result["history"]["loss"]) == 1
    assert len(result["weights_sha256"]) == 64
    assert result["warm_up_seconds"] > 0
    if framework in ("dlmath-fast", "jax"):
        assert result["compile_seconds"] > 0
    else:
        assert result["compile_seconds"] is None
    if framework == "dlmath-fast":
        assert result["examples"] == 800
        assert 0 < result["executed_flops"] <= bench_flops.fit_flops(800, 128, 1)


@pytest.mark.bench
@pytest.mark.parametrize("framework", ["dlmath-fast", "jax"])
def test_same_weights_order_and_algorithm_as_the_reference_engine(framework, sample):
    # Same initial weights, same batches, RMSprop with ε inside the square root: the
    # losses agree to rounding. (PyTorch's RMSprop puts ε outside the square root.)
    reference = fit_one_epoch("dlmath-reference", sample, True)
    other = fit_one_epoch(framework, sample, True)
    assert other["history"]["loss"][0] == pytest.approx(reference["history"]["loss"][0], rel=1e-5)
    assert other["test_accuracy"] == pytest.approx(reference["test_accuracy"], abs=0.011)


@pytest.mark.bench
def test_xla_products_time_the_fits_work_in_a_fresh_process():
    if frameworks.missing("jax"):
        pytest.skip(frameworks.missing_note("jax"))
    rows = np.random.default_rng(0).random((300, 784), dtype=np.float32)
    assert bench_flops.xla_fit_products_seconds(rows, 128, 2, repeats=1) > 0
    done = bench_runs.xla_products({"epochs": 1, "batch_size": 128, "sample": True})
    assert done["seconds"] > 0
    assert done["gflops"] == pytest.approx(
        bench_flops.fit_flops(800, 128, 1) / done["seconds"] / 1e9
    )
