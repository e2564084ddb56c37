"""Check the code that the book shows its readers (run by ``nox -s lint``).

Usage::

    python tools/check_book.py [--width 77] [book/*.md ...]

A visible code cell (one without the tags ``remove-cell`` or ``remove-input``) is code
the reader is meant to follow. The rules for it:

* every line fits the cell: at most ``--width`` characters (77: what the book's code
  cells show at a 1280-pixel window without wrapping);
* no build plumbing: no ``glue(`` call and no import of ``myst_nb`` (numbers for the
  prose are glued in removed cells), and no ``assert`` (the build's checks of claims
  go in removed cells too).

Every problem is printed as ``file:line: message``; the exit status is 1 if there is
any. The rules are plain functions, tested in ``tests/test_check_book.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_source import read_events

ROOT = Path(__file__).resolve().parents[1]
#: Characters of code a cell shows at 1280 px without wrapping (sphinx-book-theme and the
#: book's CSS: lines of 79 and 80 characters wrap there).
WIDTH = 77
HIDDEN = {"remove-cell", "remove-input"}
PLUMBING = [
    (re.compile(r"\bglue\("), "a glue() call (glue in a removed cell)"),
    (re.compile(r"\bmyst_nb\b"), "an import of myst_nb (plumbing belongs in a removed cell)"),
    (re.compile(r"^\s*assert\b"), "an assert (checks of claims go in a removed cell)"),
]


def problems(text: str, *, width: int = WIDTH) -> list[tuple[int, str]]:
    """(line, message) for every rule a chapter's visible code cells break."""
    found = []
    for cell in read_events(text):
        if cell.kind != "code" or HIDDEN & set(cell.tags):
            continue
        first = _first_source_line(text, cell.line)
        for offset, line in enumerate(cell.source.splitlines()):
            number = first + offset
            if len(line) > width:
                found.append((number, f"a line of {len(line)} characters (at most {width})"))
            for pattern, message in PLUMBING:
                if pattern.search(line):
                    found.append((number, f"a visible cell holds {message}"))
    return found


def _first_source_line(text: str, fence_line: int) -> int:
    """The line number of a code cell's first line of source (after its options)."""
    lines = text.splitlines()
    i = fence_line  # the line after the fence (fence_line counts from 1)
    if i < len(lines) and lines[i].strip() == "---":
        i += 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        return i + 2
    while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
        i += 1
    return i + 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="chapters (default: book/*.md)")
    parser.add_argument("--width", type=int, default=WIDTH, help="characters per line")
    args = parser.parse_args(argv)
    files = args.files or sorted((ROOT / "book").glob("*.md"))
    count = 0
    for path in files:
        for line, message in problems(path.read_text(encoding="utf-8"), width=args.width):
            print(f"{path}:{line}: {message}")
            count += 1
    print(f"check_book: {count} problem(s) in {len(files)} file(s)", file=sys.stderr)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
