"""Sessions for developing dlmath and its book.

``nox -s tests`` runs the unit tests and the doctests, ``nox -s lint`` checks style,
``nox -s docs`` executes every chapter and builds the book into ``build/html``.
``nox -s browser`` opens every page of the built book in headless Chromium,
``nox -s pdf`` builds the whole book as one PDF in ``build/pdf`` and
``nox -s bench`` measures dlmath against Keras, JAX and PyTorch on MNIST (not run by
default).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
BUILD = ROOT / "build"

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint", "docs"]

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests, property tests and doctests (with the Keras comparisons)."""
    session.install("-e", ".[test,keras,fast]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and formatting), and the rules for the code the book shows its readers."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "tools/check_book.py")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Execute every chapter and build the book into build/html (warnings are errors)."""
    session.install("-e", ".[docs,keras,fast]")
    session.run(
        "sphinx-build",
        "-c",
        "conf",
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-n",
        "-d",
        str(BUILD / "doctrees"),
        "book",
        str(BUILD / "html"),
        *session.posargs,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", **_mnist_env()},
    )


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Open every page of build/html in headless Chromium, offline, and check it.

    Needs the built book (``nox -s docs``) and Debian's Chromium (``apt-get install
    chromium``; another binary with DLMATH_CHROMIUM): Playwright drives it and never
    downloads a browser. Screenshots go to build/screenshots. Arguments are passed to
    tools/check_site.py (e.g. ``nox -s browser -- 01-introduction.html``).
    """
    session.install("playwright>=1.45")
    session.run(
        "python",
        "tools/check_site.py",
        "--html",
        str(BUILD / "html"),
        "--screenshots",
        str(BUILD / "screenshots"),
        "--chromium",
        os.environ.get("DLMATH_CHROMIUM", "/usr/bin/chromium"),
        *session.posargs,
    )


@nox.session(python=PYTHON)
def pdf(session: nox.Session) -> None:
    """Build the whole book as one PDF, build/pdf/dlmath.pdf, and check it.

    Sphinx's LaTeX builder writes the book (the chapters come from the execution cache
    that ``nox -s docs`` fills, or are executed), XeLaTeX from Debian's TeX Live
    typesets it (``apt-get install latexmk texlive-xetex texlive-latex-recommended
    texlive-latex-extra texlive-fonts-recommended fonts-freefont-otf poppler-utils``), and
    tools/check_pdf.py checks the result with poppler-utils (``pdftotext``, ``pdfinfo``)
    and pypdf: every chapter title in the text, numbered figures and equations, a sane
    page count, no page larger than A4/letter, internal links that all lead somewhere.

    Why LaTeX and not Chromium printing a single-page build (``singlehtml``), measured
    on this project's 2-core machine: TeX Live costs 113 MB of Debian packages to
    download (365 MB installed, 83 seconds to install); Chromium costs nothing more, as
    ``nox -s browser`` installs it already. Building takes about as long either way:
    20 s for Sphinx's LaTeX builder (from the execution cache) and 15 s for XeLaTeX,
    against 20 s for ``singlehtml`` and 18 s to load and print it. The results differ:
    LaTeX gives 193 A4 pages (1.8 MB) with a table of contents with page numbers,
    chapters that start on a new page, numbered figures and equations, 758 working
    internal links, PDF bookmarks, an index, math typeset by TeX and long code lines
    wrapped with a mark; Chromium gives 196 pages (12 MB), a contents list without page
    numbers, chapters running on, the web page's buttons ("Hide code cell source"), and
    170 links. A book is worth the packages.
    """
    session.install("-e", ".[docs,keras,fast]", "pypdf>=4")
    for tool in ("latexmk", "xelatex", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            session.error(
                f"{tool} is missing: apt-get install latexmk texlive-xetex "
                "texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
                "fonts-freefont-otf poppler-utils"
            )
    latex = BUILD / "latex"
    session.run(
        "sphinx-build",
        "-c",
        "conf",
        "-b",
        "latex",
        "-W",
        "--keep-going",
        "-n",
        "-d",
        str(BUILD / "doctrees-latex"),
        "book",
        str(latex),
        *session.posargs,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", **_mnist_env()},
    )
    with session.chdir(latex):
        session.run(
            "latexmk",
            "-xelatex",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            "dlmath.tex",
            external=True,
            silent=True,
        )
    out = BUILD / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    partial = out / ".dlmath.pdf.partial"
    shutil.copyfile(latex / "dlmath.pdf", partial)
    partial.replace(out / "dlmath.pdf")
    session.run("python", "tools/check_pdf.py", str(out / "dlmath.pdf"))


def _mnist_env() -> dict[str, str]:
    """Pass DLMATH_MNIST through to the chapters when it is set."""
    path = os.environ.get("DLMATH_MNIST")
    return {"DLMATH_MNIST": path} if path else {}


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """dlmath (both engines) against Keras, JAX and PyTorch on MNIST, in one run.

    Not run by default (it takes about ten minutes). First the frameworks' smoke tests
    (``pytest -m bench``: one epoch of each on the bundled sample), then the timed run:
    fit seconds, ratios to the fastest framework, accuracy, the fit's products timed
    alone, compile times and the project's targets. JAX and optax are installed here
    only; PyTorch is not (it is large): the run skips it with a note unless it is
    installed. Needs the real MNIST (DLMATH_MNIST, passed through, or the Keras cache);
    writes build/bench/mnist.json and mnist.md. Arguments go to
    benchmarks/bench_mnist.py (e.g. ``nox -s bench -- --seeds 0 --epochs 1``).
    """
    session.install("-e", ".[keras,fast,test]", "jax", "optax", "threadpoolctl")
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", **_mnist_env()}
    session.run("pytest", "-m", "bench", "-rs", "tests/test_bench_mnist.py", env=env)
    session.run(
        "python",
        "benchmarks/bench_mnist.py",
        "--output",
        str(BUILD / "bench" / "mnist.json"),
        *session.posargs,
        env=env,
    )
