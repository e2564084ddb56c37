"""The benchmark's figures: per framework and pixel scaling, the ratios, and the targets.

**Shape convention.** None of its own: a run is the ``dict`` of :func:`frameworks.outcome`
with its ``framework``, ``seed`` and ``scale``; a row of the table is a ``dict`` of the
figures of one framework on one pixel scaling.
"""

from __future__ import annotations

import statistics

from frameworks import DLMATH, FRAMEWORKS

#: The project's targets for dlmath's fast engine (see bench_mnist's notes).
FAST_RATIO_MAX = 0.67  # of the fastest other framework's fit time, raw and scaled
LIMIT_FRACTION_MIN = 0.75  # of the fit's products timed alone, on scaled pixels
RAW_ACCURACY_MIN = 0.960
KERAS_GAP_MAX = 0.003  # raw pixels: |dlmath's mean - Keras's mean|
SCALED_ACCURACY_MIN = 0.978
#: A framework whose mean test accuracy is further than this from Keras's is flagged.
AGREEMENT = 0.01


def pixels(scale: bool) -> str:
    return "/255" if scale else "raw"


def summarise(runs: list[dict], model_flops: float, limit_gflops: float) -> list[dict]:
    """One row per framework and pixel scaling (raw first), in :data:`FRAMEWORKS` order.

    ``model_flops`` is the useful work of one fit; ``limit_gflops`` the rate of the fit's
    products timed alone. Ratios compare medians of the same pixel scaling.
    """
    rows = []
    for scale in (False, True):
        group = []
        for name in FRAMEWORKS:
            chosen = [r for r in runs if r["framework"] == name and r["scale"] == scale]
            if chosen:
                group.append(_row(name, scale, chosen, model_flops, limit_gflops))
        if not group:
            continue
        fastest = min(row["fit_seconds_median"] for row in group)
        keras = next((row for row in group if row["framework"] == "keras"), None)
        for row in group:
            row["ratio_to_fastest"] = row["fit_seconds_median"] / fastest
            row["test_accuracy_minus_keras"] = (
                None if keras is None else row["test_accuracy_mean"] - keras["test_accuracy_mean"]
            )
        rows.extend(group)
    return rows


def _row(name, scale, chosen, model_flops, limit_gflops) -> dict:
    seconds = [r["fit_seconds"] for r in chosen]
    test = [r["test_accuracy"] for r in chosen]
    median = statistics.median(seconds)
    model_gflops = model_flops / median / 1e9
    compiles = [r["compile_seconds"] for r in chosen if r.get("compile_seconds") is not None]
    warm_ups = [r["warm_up_seconds"] for r in chosen if r.get("warm_up_seconds") is not None]
    row = {
        "framework": name,
        "scale": scale,
        "pixels": pixels(scale),
        "runs": len(chosen),
        "fit_seconds_median": median,
        "fit_seconds_min": min(seconds),
        "fit_seconds_max": max(seconds),
        "test_accuracy_mean": statistics.fmean(test),
        "test_accuracy_sd": statistics.stdev(test) if len(test) > 1 else 0.0,
        "train_accuracy_mean": statistics.fmean(r["train_accuracy"] for r in chosen),
        "model_gflops": model_gflops,
        "fraction_of_limit": model_gflops / limit_gflops,
        "compile_seconds_median": statistics.median(compiles) if compiles else None,
        "warm_up_seconds_median": statistics.median(warm_ups) if warm_ups else None,
        "executed_gflops": None,
        "executed_fraction_of_limit": None,
    }
    if all("executed_flops" in r for r in chosen):
        executed = statistics.fmean(r["executed_flops"] for r in chosen) / median / 1e9
        row["executed_gflops"] = executed
        row["executed_fraction_of_limit"] = executed / limit_gflops
        row["backward_examples_fraction"] = statistics.fmean(
            r["backward_examples"] / r["examples"] for r in chosen
        )
    return row


def comparisons(rows: list[dict]) -> dict[str, dict]:
    """Per pixel scaling: the fastest framework, the fastest that is not dlmath, and
    dlmath-fast's time as a fraction of the latter's (None where missing)."""
    found = {}
    for scale in (False, True):
        group = [row for row in rows if row["scale"] == scale]
        if not group:
            continue
        others = [row for row in group if row["framework"] not in DLMATH]
        fast = next((row for row in group if row["framework"] == "dlmath-fast"), None)
        fastest = min(group, key=lambda row: row["fit_seconds_median"])
        other = min(others, key=lambda row: row["fit_seconds_median"]) if others else None
        found[pixels(scale)] = {
            "fastest": fastest["framework"],
            "fastest_other": None if other is None else other["framework"],
            "fast_over_fastest_other": (
                None
                if fast is None or other is None
                else fast["fit_seconds_median"] / other["fit_seconds_median"]
            ),
        }
    return found


def bounds(
    rows: list[dict],
    openblas_seconds: float,
    xla_seconds: float | None,
    rest_seconds: dict[str, float] | None = None,
) -> dict:
    """Per pixel scaling: the fit time the speed target allows, against the products alone.

    The target allows dlmath-fast ``FAST_RATIO_MAX`` times the fastest other framework's
    median fit. ``openblas_seconds`` is the time of the fit's products alone on NumPy's
    BLAS (what dlmath multiplies with), ``xla_seconds`` under XLA (what JAX multiplies
    with; None where not measured). dlmath-fast skips products whose result is zero (on
    raw pixels, most of the backward pass): the products it does execute take
    ``openblas_seconds × executed / model GFLOP/s`` alone, and the target is out of
    reach with this BLAS when that alone is more than the target allows.
    ``rest_seconds`` (per pixel scaling, where measured) is the time of what each step
    does besides (the batch's gather and the optimizer's update, alone): with it, the
    floor of dlmath-fast's fit.
    """
    by = {(row["framework"], row["pixels"]): row for row in rows}
    found = {}
    for p, c in comparisons(rows).items():
        other = by.get((c.get("fastest_other"), p))
        if other is None:
            continue
        allowed = FAST_RATIO_MAX * other["fit_seconds_median"]
        fast = by.get(("dlmath-fast", p))
        executed = (
            openblas_seconds
            if fast is None or fast.get("executed_gflops") is None
            else openblas_seconds * fast["executed_gflops"] / fast["model_gflops"]
        )
        rest = (rest_seconds or {}).get(p)
        floor = None if rest is None else executed + rest
        found[p] = {
            "allowed_seconds": allowed,
            "fastest_other": other["framework"],
            "openblas_products_seconds": openblas_seconds,
            "xla_products_seconds": xla_seconds,
            "executed_products_seconds": executed,
            "products_alone_fit_in_allowed": executed <= allowed,
            "update_and_gather_seconds": rest,
            "floor_seconds": floor,
            "floor_fits_in_allowed": None if floor is None else floor <= allowed,
        }
    return found


def bound_lines(found: dict) -> str:
    """The bounds of :func:`bounds`, one line per pixel scaling."""
    lines = []
    over = " (more than the target allows)"
    for p, b in found.items():
        xla = b["xla_products_seconds"]
        line = (
            f"  {p} pixels: the target allows {b['allowed_seconds']:.2f} s "
            f"({FAST_RATIO_MAX} × {b['fastest_other']}); the fit's products alone take "
            f"{b['openblas_products_seconds']:.2f} s on NumPy's BLAS"
            + ("" if xla is None else f", {xla:.2f} s under XLA")
            + f"; those dlmath-fast executes, {b['executed_products_seconds']:.2f} s alone"
            + ("" if b["products_alone_fit_in_allowed"] else over)
        )
        if b.get("floor_seconds") is not None:
            line += (
                f"; with the batches' gather and the optimizer's update alone "
                f"({b['update_and_gather_seconds']:.2f} s), {b['floor_seconds']:.2f} s"
                + ("" if b["floor_fits_in_allowed"] else over)
            )
        lines.append(line)
    return "\n".join(lines)


def targets(rows: list[dict], identical: dict[str, bool] | None) -> list[dict]:
    """Each target with the figure it is judged on and whether it is met (None: not measured).

    ``identical`` maps a pixel scaling to whether two dlmath-fast fits with the same seed
    gave bit-identical weights.
    """
    by = {(row["framework"], row["pixels"]): row for row in rows}
    compared = comparisons(rows)
    checks = []
    for scale in (False, True):
        p = pixels(scale)
        fast, c = by.get(("dlmath-fast", p)), compared.get(p, {})
        other = by.get((c.get("fastest_other"), p))
        ratio = c.get("fast_over_fastest_other")
        checks.append(
            _check(
                f"{p} pixels: dlmath-fast's fit ≤ {FAST_RATIO_MAX} of the fastest other's",
                ratio,
                lambda r: r <= FAST_RATIO_MAX,
                lambda r, fast=fast, other=other: (
                    f"{r:.2f} ({fast['fit_seconds_median']:.2f} s against "
                    f"{other['framework']} {other['fit_seconds_median']:.2f} s)"
                ),
            )
        )
    scaled = by.get(("dlmath-fast", "/255"))
    checks.append(
        _check(
            f"/255 pixels: dlmath-fast ≥ {LIMIT_FRACTION_MIN:.0%} of the products-alone limit",
            None if scaled is None else scaled["fraction_of_limit"],
            lambda f: f >= LIMIT_FRACTION_MIN,
            lambda f, row=scaled: f"{f:.1%} ({row['model_gflops']:.0f} model GFLOP/s)",
        )
    )
    raw, keras = by.get(("dlmath-fast", "raw")), by.get(("keras", "raw"))
    checks.append(
        _check(
            f"raw pixels: dlmath-fast's test accuracy ≥ {RAW_ACCURACY_MIN:.3f}",
            None if raw is None else raw["test_accuracy_mean"],
            lambda a: a >= RAW_ACCURACY_MIN,
            lambda a: f"{a:.4f}",
        )
    )
    checks.append(
        _check(
            f"raw pixels: dlmath-fast's test accuracy within {KERAS_GAP_MAX} of Keras's",
            None if raw is None or keras is None else raw["test_accuracy_minus_keras"],
            lambda d: abs(d) <= KERAS_GAP_MAX,
            lambda d, keras=keras: f"{d:+.4f} (Keras {keras['test_accuracy_mean']:.4f})",
        )
    )
    checks.append(
        _check(
            f"/255 pixels: dlmath-fast's test accuracy ≥ {SCALED_ACCURACY_MIN:.3f}",
            None if scaled is None else scaled["test_accuracy_mean"],
            lambda a: a >= SCALED_ACCURACY_MIN,
            lambda a: f"{a:.4f}",
        )
    )
    checks.append(
        _check(
            "same seed, same machine: dlmath-fast's weights bit-identical",
            identical or None,
            lambda same: all(same.values()),
            lambda same: ", ".join(f"{p}: {'yes' if s else 'NO'}" for p, s in same.items()),
        )
    )
    return checks


def _check(target: str, value, passes, describe) -> dict:
    if value is None:
        return {"target": target, "value": "not measured in this run", "met": None}
    return {"target": target, "value": describe(value), "met": bool(passes(value))}


def disagreements(rows: list[dict]) -> list[str]:
    """Frameworks whose mean test accuracy is more than :data:`AGREEMENT` from Keras's."""
    return [
        f"{row['framework']} ({row['pixels']}): test accuracy {row['test_accuracy_mean']:.4f}, "
        f"{row['test_accuracy_minus_keras']:+.4f} from Keras's"
        for row in rows
        if row["test_accuracy_minus_keras"] is not None
        and abs(row["test_accuracy_minus_keras"]) > AGREEMENT
    ]


def _optional(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict]) -> str:
    """The rows as a plain-text table."""
    header = (
        f"{'framework':<16} {'pixels':<6} {'runs':>4} {'fit s median':>12} {'min–max':>11} "
        f"{'× fastest':>9} {'test acc mean ± sd':>18} {'Δ Keras':>8} {'model GFLOP/s':>13} "
        f"{'of limit':>8} {'executed GFLOP/s':>16} {'compile s':>9} {'warm-up s':>9}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['framework']:<16} {row['pixels']:<6} {row['runs']:>4} "
            f"{row['fit_seconds_median']:>12.2f} "
            f"{row['fit_seconds_min']:>5.2f}–{row['fit_seconds_max']:<5.2f} "
            f"{row['ratio_to_fastest']:>9.2f} "
            f"{row['test_accuracy_mean']:>9.4f} ± {row['test_accuracy_sd']:.4f} "
            f"{_optional(row['test_accuracy_minus_keras'], '+.4f'):>8} "
            f"{row['model_gflops']:>13.1f} {row['fraction_of_limit']:>8.1%} "
            f"{_optional(row['executed_gflops'], '.1f'):>16} "
            f"{_optional(row['compile_seconds_median'], '.2f'):>9} "
            f"{_optional(row['warm_up_seconds_median'], '.2f'):>9}"
        )
    return "\n".join(lines)


def markdown(rows: list[dict]) -> str:
    """The rows as a Markdown table (for the README)."""
    lines = [
        "| fit | pixels | fit seconds, median (min–max) | × fastest | test accuracy (mean ± sd) "
        "| model GFLOP/s | of the products-alone limit | executed GFLOP/s | compile s "
        "| warm-up s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['framework']} | {'0..255' if not row['scale'] else '/255'} "
            f"| {row['fit_seconds_median']:.2f} ({row['fit_seconds_min']:.2f}–"
            f"{row['fit_seconds_max']:.2f}) | {row['ratio_to_fastest']:.2f} "
            f"| {row['test_accuracy_mean']:.4f} ± {row['test_accuracy_sd']:.4f} "
            f"| {row['model_gflops']:.0f} | {row['fraction_of_limit']:.0%} "
            f"| {_optional(row['executed_gflops'], '.0f')} "
            f"| {_optional(row['compile_seconds_median'], '.2f')} "
            f"| {_optional(row['warm_up_seconds_median'], '.2f')} |"
        )
    return "\n".join(lines)


def target_lines(checks: list[dict]) -> str:
    """The targets block: one line each, met / NOT met / not measured."""
    verdict = {True: "met", False: "NOT met", None: "not measured"}
    return "\n".join(f"  [{verdict[c['met']]:>12}] {c['target']}: {c['value']}" for c in checks)
