"""Tests of tools/export_notebooks.py (the notebooks behind the Colab and Binder buttons)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
_spec = importlib.util.spec_from_file_location("export_notebooks", TOOLS / "export_notebooks.py")
export_notebooks = importlib.util.module_from_spec(_spec)
sys.modules["export_notebooks"] = export_notebooks
_spec.loader.exec_module(export_notebooks)

REPO = "https://github.com/dlmath/dlmath"


def _notebook(*sources):
    return {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": s} for s in sources
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_the_setup_cell_comes_first_and_pins_the_commit():
    exported = export_notebooks.export_notebook(_notebook("x = 1"), REPO, "abc123")
    first, second = exported["cells"]
    source = "".join(first["source"])
    assert '%pip install --quiet "dlmath @ git+https://github.com/dlmath/dlmath@abc123"' in source
    assert second["source"] == "x = 1"
    assert exported["metadata"]["kernelspec"]["name"] == "python3"


def test_exporting_twice_keeps_one_setup_cell():
    once = export_notebooks.export_notebook(_notebook("x = 1"), REPO, "a")
    twice = export_notebooks.export_notebook(once, REPO, "b")
    assert len(twice["cells"]) == 2
    assert "@b" in "".join(twice["cells"][0]["source"])


def test_the_setup_cell_stands_in_for_glue(monkeypatch):
    # Run the setup cell's Python (its %pip line made a pass: dlmath is installed here) as
    # on Colab, where MyST-NB is missing: the chapters' `from myst_nb import glue` works.
    source = "".join(export_notebooks.setup_cell(REPO, "main")["source"])
    python = "\n".join("    pass" if "%pip" in line else line for line in source.splitlines())
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "myst_nb" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # restored after the test
    exec(compile(python, "setup-cell", "exec"), {})
    from myst_nb import glue

    assert glue("x", 1.0, display=False) is None


def test_export_writes_chapters_and_binder_files(tmp_path):
    sources = tmp_path / "html" / "_sources"
    sources.mkdir(parents=True)
    (sources / "01-introduction.ipynb").write_text(json.dumps(_notebook("print(1)")))
    (sources / "exec-stats.ipynb").write_text(json.dumps(_notebook("not a chapter")))
    out = tmp_path / "out"
    written = export_notebooks.export(tmp_path / "html", out, REPO, "abc123")
    assert [p.name for p in written] == ["01-introduction.ipynb"]
    assert (out / "requirements.txt").read_text() == f"dlmath @ git+{REPO}@abc123\n"
    assert (out / "runtime.txt").read_text().startswith("python-3.11")
    notebook = json.loads((out / "book" / "01-introduction.ipynb").read_text())
    assert len(notebook["cells"]) == 2


def test_export_without_notebooks_fails(tmp_path):
    (tmp_path / "_sources").mkdir()
    with pytest.raises(SystemExit, match="no chapter notebooks"):
        export_notebooks.export(tmp_path, tmp_path / "out", REPO, "main")
