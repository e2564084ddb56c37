"""Accessibility of a page: axe-core, run in the browser, judged and counted in Python.

axe-core is fetched from the npm registry at a pinned version, checked against the
registry's ``sha512`` integrity and cached under the build folder (`fetch_npm`), never
committed. ``tools/check_site.py`` injects the cached ``axe.min.js`` into every page
(Playwright reads the file: no request leaves the machine) at the widths of
`AXE_WIDTHS` and runs `RUN` with axe's default rules. A violation of `FAILING` impact
fails the check; every violation is counted by impact in an `AxeTally`.

No rule is disabled. An exclusion, if one is ever needed, belongs in `RUN` with a
comment saying why it cannot be fixed in the book.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fetch_npm

AXE_CORE = fetch_npm.NpmPackage(
    name="axe-core",
    version="4.14.1",
    # ``npm view axe-core@4.14.1 dist.integrity``
    integrity=(
        "sha512-"
        "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
    ),
    keep=("axe.min.js",),
    required=("axe.min.js",),
)
#: The window widths at which axe runs: a desktop and a phone.
AXE_WIDTHS = (1280, 400)
#: Impacts, most severe first; the first two fail the check.
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = ("critical", "serious")

#: JavaScript run in the page after ``axe.min.js`` is injected.
RUN = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact || "minor",
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def script(cache: Path) -> Path:
    """The path of ``axe.min.js``, fetched into ``cache`` when it is not there yet."""
    fetch_npm.ensure(AXE_CORE, cache)
    return fetch_npm.entry_point(AXE_CORE, cache)


def axe_problems(violations: list[dict], width: int) -> list[str]:
    """Failures: the violations of `FAILING` impact, one line per rule."""
    problems = []
    for v in violations:
        if v["impact"] in FAILING:
            shown = ", ".join(v["targets"][:3]) + (", …" if len(v["targets"]) > 3 else "")
            problems.append(
                f"at {width} px axe {v['impact']} {v['id']}: {v['help']} "
                f"({len(v['targets'])} element(s): {shown})"
            )
    return problems


@dataclass
class AxeTally:
    """Violations counted by impact (affected elements), per page and width, and in all."""

    pages: dict[tuple[str, int], Counter] = field(default_factory=dict)
    rules: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def add(self, page: str, width: int, violations: list[dict]) -> None:
        counts: Counter = Counter(dict.fromkeys(IMPACTS, 0))
        for v in violations:
            counts[v["impact"]] += len(v["targets"])
        self.pages[(page, width)] = counts
        self.rules[(page, width)] = sorted({v["id"] for v in violations})

    def total(self) -> Counter:
        total: Counter = Counter(dict.fromkeys(IMPACTS, 0))
        for counts in self.pages.values():
            total.update(counts)
        return total

    @staticmethod
    def _counts(counts: Counter) -> str:
        return ", ".join(f"{counts[impact]} {impact}" for impact in IMPACTS)

    def report(self) -> list[str]:
        """One line per page and width, then the total."""
        lines = []
        for (page, width), counts in self.pages.items():
            rules = self.rules[(page, width)]
            lines.append(
                f"axe {page} at {width} px: {self._counts(counts)}"
                + (f" ({', '.join(rules)})" if rules else "")
            )
        lines.append(
            f"axe total, {len(self.pages)} page loads: {self._counts(self.total())} "
            "(elements with a violation, by impact)"
        )
        return lines
