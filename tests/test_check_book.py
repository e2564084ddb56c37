"""Tests of tools/check_book.py: the rules for the code the book shows."""

import importlib.util
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"
spec = importlib.util.spec_from_file_location("check_book", TOOLS / "check_book.py")
check_book = importlib.util.module_from_spec(spec)
sys.modules["check_book"] = check_book
spec.loader.exec_module(check_book)

CHAPTER = """# A chapter

```{code-cell} ipython3
from myst_nb import glue
x = 1
```

```{code-cell} ipython3
:tags: [remove-cell]

glue("x", x, display=False)
assert x == 1
```

```{code-cell} ipython3
---
tags: [remove-input]
---
print("a line that is much longer than eighty characters, but whose source nobody sees")
```

```{code-cell} ipython3
y = x + 1  # a short line
print("this visible line is far too long for the cell of the book at 1280 pixels wide")
glue("y", y)
assert y == 2
```
"""


def test_visible_cells_break_the_rules_and_hidden_ones_do_not():
    found = check_book.problems(CHAPTER)
    assert found == [
        (4, "a visible cell holds an import of myst_nb (plumbing belongs in a removed cell)"),
        (24, "a line of 87 characters (at most 77)"),
        (25, "a visible cell holds a glue() call (glue in a removed cell)"),
        (26, "a visible cell holds an assert (checks of claims go in a removed cell)"),
    ]
    lines = CHAPTER.splitlines()
    assert lines[23].startswith('print("this visible')  # line 24, counting from 1
    assert len(lines[23]) == 87
    assert check_book.problems(CHAPTER, width=90)[1][0] == 25  # the long line now fits


def test_a_clean_chapter_has_no_problems():
    assert check_book.problems("# Title\n\n```{code-cell} ipython3\nx = 1\n```\n") == []


def test_main_reports_each_problem_and_fails(tmp_path, capsys):
    chapter = tmp_path / "01-a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    assert check_book.main([str(chapter)]) == 1
    out, err = capsys.readouterr()
    assert out.count(f"{chapter}:") == 4
    assert "4 problem(s) in 1 file(s)" in err
    clean = tmp_path / "02-b.md"
    clean.write_text("# B\n", encoding="utf-8")
    assert check_book.main([str(clean)]) == 0
