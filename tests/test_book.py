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

import importlib.util
import re
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
spec = importlib.util.spec_from_file_location("book_source", TOOLS / "book_source.py")
book_source = importlib.util.module_from_spec(spec)
sys.modules["book_source"] = book_source
spec.loader.exec_module(book_source)
read_events = book_source.read_events

_ASSERT = re.compile(r"^\s*assert\b", re.MULTILINE)

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]-*.md"))


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
