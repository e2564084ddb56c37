"""Sphinx configuration of the book (built as ``sphinx-build -c conf book build/html``)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = Path(os.environ.get("DLMATH_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(HERE))

from external_objects import write_inventories  # noqa: E402

import dlmath  # noqa: E402

project = "The Mathematical Intuition of Deep Learning"
author = "the dlmath authors, after a presentation by Wade Copeland"
copyright = "2025-2026, " + author
release = version = dlmath.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinxcontrib.bibtex",
    "sphinx_exercise",
    "sphinx_copybutton",
    "sphinx_design",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# Development: build only some chapters (DLMATH_ONLY=02-matrices,03-rates-of-change).
# The toctree then warns about the chapters left out; the full build must not.
if os.environ.get("DLMATH_ONLY"):
    _wanted = {name.strip() for name in os.environ["DLMATH_ONLY"].split(",")}
    exclude_patterns += [
        path.name for path in (ROOT / "book").glob("[0-9][0-9]-*.md") if path.stem not in _wanted
    ]
nitpicky = True
numfig = True

# --- MyST and MyST-NB -------------------------------------------------------------
myst_enable_extensions = ["amsmath", "dollarmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3


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


nb_execution_mode = os.environ.get("DLMATH_NB_EXECUTION_MODE", "cache")
nb_execution_cache_path = str(BUILD / "jupyter_cache" / _sources_digest())
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_execution_excludepatterns: list[str] = []

# --- API reference ------------------------------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "array_like": ":term:`numpy:array_like`",
    "ndarray": "numpy.ndarray",
    "numpy.ndarray": "numpy.ndarray",
    "Generator": "numpy.random.Generator",
    "numpy.random.Generator": "numpy.random.Generator",
    "float": "float",
    "int": "int",
    "str": "str",
    "bool": "bool",
    "dict": "dict",
    "list": "list",
    "tuple": "tuple",
    "callable": "collections.abc.Callable",
    "sequence": ":term:`python:sequence`",
    "None": "None",
    "numpy dtype": "numpy.dtype",
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "Sequential": "dlmath.layers.Sequential",
    "Dense": "dlmath.layers.Dense",
    "Optimizer": "dlmath.optimizers.Optimizer",
    "Activation": "dlmath.activations.Activation",
    "Loss": "dlmath.losses.Loss",
}

intersphinx_mapping = write_inventories(BUILD / "inventories")

# --- bibliography -------------------------------------------------------------------
bibtex_bibfiles = [str(ROOT / "book" / "references.bib")]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# --- HTML ---------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
}
