"""Read the chapters of the book: MyST Markdown notebooks, without Sphinx.

:func:`read_events` lists, in reading order, a chapter's code cells (with their tags,
source and line) and its exercises and solutions. The book's checks use it:
``tools/check_book.py`` (the lint session's rules for the code a reader sees) and
``tests/test_book.py`` (the rules of exercises).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


@dataclass
class Event:
    """One thing in a chapter that the book's rules care about, in reading order."""

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
