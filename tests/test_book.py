"""The book's exercises follow the project's rules, read from every chapter's source.

Each chapter (``book/NN-*.md``) has at least two exercises (``{exercise}`` with a
``:label:``); each exercise has a solution (``{solution}`` or the gated
``{solution-start}`` … ``{solution-end}``, for its label) shown as a closed dropdown
(``:class: dropdown``); and each solution has a code cell that runs at build time,
followed by a hidden check cell (tag ``remove-cell``) with an ``assert``, so that a wrong
published solution fails the build.

The chapters are MyST Markdown notebooks; the small reader below needs no Sphinx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]-*.md"))

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_ASSERT = re.compile(r"^\s*assert\b", re.MULTILINE)


@dataclass
class Event:
    """One thing in a chapter that the exercise rules care about, in reading order."""

    kind: str  # "exercise", "solution", "solution-end" or "code"
    label: str = ""
    options: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    line: int = 0


def _tags(options: dict[str, str], yaml_lines: list[str]) -> list[str]:
    """The tags of a code cell, from ``:tags: [a, b]`` or its YAML header."""
    text = options.get("tags", "")
    if not text:
        yaml = "\n".join(yaml_lines)
        inline = re.search(r"^tags:\s*\[(.*?)\]\s*$", yaml, re.MULTILINE)
        if inline:
            text = inline.group(1)
        else:
            block = re.search(r"^tags:\s*\n((?:\s+-\s*.+\n?)+)", yaml, re.MULTILINE)
            if block:
                text = ",".join(re.findall(r"-\s*(.+)", block.group(1)))
    return [tag.strip().strip("\"'") for tag in text.strip("[]").split(",") if tag.strip()]


def _directive_body(
    lines: list[str], start: int, fence: str
) -> tuple[int, dict[str, str], list[str], int]:
    """Options (``:key: value`` or a ``---`` YAML block) and the end of a directive."""
    options: dict[str, str] = {}
    yaml: list[str] = []
    i = start
    if i < len(lines) and lines[i].strip() == "---":
        i += 1
        while i < len(lines) and lines[i].strip() != "---":
            yaml.append(lines[i])
            key, _, value = lines[i].partition(":")
            if value.strip() and not lines[i].startswith(" "):
                options.setdefault(key.strip(), value.strip())
            i += 1
        i += 1
    else:
        while i < len(lines) and (match := _OPTION.match(lines[i])):
            options[match["key"]] = match["value"]
            i += 1
    body_start = i
    closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    while i < len(lines) and not closing.match(lines[i]):
        i += 1
    return i, options, yaml, body_start


def read_events(text: str) -> list[Event]:
    """Exercises, solutions and code cells of a MyST notebook, in order."""
    lines = text.splitlines()
    events: list[Event] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        name, fence, argument = match["name"], match["fence"], match["argument"]
        end, options, yaml, body_start = _directive_body(lines, i + 1, fence)
        if name == "code-cell":
            events.append(
                Event(
                    "code",
                    tags=_tags(options, yaml),
                    source="\n".join(lines[body_start:end]),
                    line=i + 1,
                )
            )
            i = end + 1
            continue
        if name in {"exercise", "exercise-start"}:
            events.append(Event("exercise", options.get("label", ""), options, line=i + 1))
        elif name in {"solution", "solution-start"}:
            events.append(Event("solution", argument, options, line=i + 1))
        elif name == "solution-end":
            events.append(Event("solution-end", line=i + 1))
        # Directives may nest (a note inside an exercise): read on inside them.
        i += 1
    return events


def exercise_problems(text: str, *, minimum: int = 2) -> list[str]:
    """Everything wrong with the exercises of one chapter, as readable sentences."""
    events = read_events(text)
    problems = []
    exercises = [e for e in events if e.kind == "exercise"]
    if len(exercises) < minimum:
        problems.append(f"has {len(exercises)} exercise(s); a chapter needs at least {minimum}")
    for exercise in exercises:
        if not exercise.label:
            problems.append(f"line {exercise.line}: an exercise without a :label:")
    solutions = {e.label: e for e in events if e.kind == "solution"}
    for exercise in exercises:
        if exercise.label and exercise.label not in solutions:
            problems.append(f"exercise {exercise.label!r} (line {exercise.line}) has no solution")
    labels = {e.label for e in exercises}
    for index, solution in enumerate(events):
        if solution.kind != "solution":
            continue
        where = f"solution of {solution.label!r} (line {solution.line})"
        if solution.label not in labels:
            problems.append(f"{where} solves no exercise of this chapter")
        if "dropdown" not in solution.options.get("class", "").split():
            problems.append(f"{where} is not a dropdown (:class: dropdown)")
        region = []
        for event in events[index + 1 :]:
            if event.kind in {"exercise", "solution"}:
                break
            if event.kind == "code":
                region.append(event)
        shown = [n for n, cell in enumerate(region) if "remove-cell" not in cell.tags]
        if not shown:
            problems.append(f"{where} has no code cell")
            continue
        checks = [
            cell
            for cell in region[shown[0] + 1 :]
            if "remove-cell" in cell.tags and _ASSERT.search(cell.source)
        ]
        if not checks:
            problems.append(
                f"{where}: its code cell is not followed by a hidden check cell "
                "(tags: [remove-cell]) with an assert"
            )
    return problems


# --- the chapters -----------------------------------------------------------------------


def test_the_book_has_chapters():
    assert len(CHAPTERS) >= 10, [path.name for path in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_exercises(chapter):
    problems = exercise_problems(chapter.read_text(encoding="utf-8"))
    assert not problems, f"{chapter.name}:\n  " + "\n  ".join(problems)


# --- the reader and the rules, on small made-up chapters ----------------------------------

GOOD = """
# A chapter

```{code-cell} ipython3
x = 1
```

```{exercise}
:label: ex-a

Add one.
```

````{solution-start} ex-a
:class: dropdown
````

```{code-cell} ipython3
y = x + 1
```

````{solution-end}
````

```{code-cell} ipython3
:tags: [remove-cell]

assert y == 2
```

:::{exercise}
:label: ex-b
Double it.
:::

```{solution} ex-b
:class: dropdown

Multiply by two.
```

```{code-cell} ipython3
z = 2 * y
```

```{code-cell} ipython3
---
tags:
  - remove-cell
---
assert z == 4
```
"""


def test_a_good_chapter_passes():
    events = read_events(GOOD)
    kinds = [e.kind for e in events]
    assert kinds == [
        "code",
        "exercise",
        "solution",
        "code",
        "solution-end",
        "code",
        "exercise",
        "solution",
        "code",
        "code",
    ]
    assert [e.tags for e in events if e.kind == "code"] == [
        [],
        [],
        ["remove-cell"],
        [],
        ["remove-cell"],
    ]
    assert exercise_problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace(":label: ex-b", ":label: ex-c"), "'ex-c' (line"),
        (lambda t: t.replace("assert z == 4", "z == 4"), "not followed by a hidden check cell"),
        (
            lambda t: t.replace("tags:\n  - remove-cell\n", "tags:\n  - hide-input\n"),
            "hidden check",
        ),
        (lambda t: t.replace("```{code-cell} ipython3\ny = x + 1\n```\n", ""), "has no code cell"),
        (lambda t: t.replace(":class: dropdown\n````", "````"), "not a dropdown"),
        (lambda t: t.split(":::{exercise}")[0], "has 1 exercise(s)"),
    ],
    ids=[
        "missing-solution",
        "check-without-assert",
        "check-not-hidden",
        "no-code",
        "not-dropdown",
        "one-exercise",
    ],
)
def test_a_broken_chapter_fails(change, message):
    broken = change(GOOD)
    assert broken != GOOD
    problems = exercise_problems(broken)
    assert any(message in problem for problem in problems), problems


def test_a_check_before_the_solution_code_does_not_count():
    solution_then_check = (
        "```{code-cell} ipython3\nz = 2 * y\n```\n\n"
        "```{code-cell} ipython3\n---\ntags:\n  - remove-cell\n---\nassert z == 4\n```"
    )
    check_then_solution = (
        "```{code-cell} ipython3\n:tags: [remove-cell]\nassert y == 2\n```\n\n"
        "```{code-cell} ipython3\nz = 2 * y\n```"
    )
    assert solution_then_check in GOOD
    text = GOOD.replace(solution_then_check, check_then_solution)
    assert any("not followed by a hidden check" in p for p in exercise_problems(text))
