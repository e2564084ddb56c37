"""Sphinx configuration of the book (built as ``sphinx-build -c conf book build/html``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dlmath

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

project = "The Mathematical Intuition of Deep Learning"
author = "The dlmath authors, after a presentation by Wade Copeland"
copyright = "2025-2026, " + author
release = version = dlmath.__version__

extensions = ["myst_nb"]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]
nitpicky = True

# --- MyST and MyST-NB -------------------------------------------------------------
myst_enable_extensions = ["amsmath", "dollarmath", "colon_fence", "deflist", "substitution"]
myst_dmath_double_inline = True


def _sources_digest() -> str:
    """A short hash of dlmath's sources.

    jupyter-cache keys a chapter on its own code cells only: editing dlmath would not
    re-execute the chapters that call it. Naming the cache after the package's sources
    makes every change to dlmath start a fresh cache.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "dlmath").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".npz"}:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


nb_execution_mode = "cache"
nb_execution_cache_path = str(BUILD / "jupyter_cache" / _sources_digest())
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# --- HTML ---------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
}
