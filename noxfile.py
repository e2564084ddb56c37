"""Sessions for developing dlmath and its book.

``nox -s tests`` runs the unit tests and the doctests, ``nox -s lint`` checks style,
``nox -s docs`` executes every chapter and builds the book into ``build/html``.
``nox -s browser`` opens every page of the built book in headless Chromium and
``nox -s bench`` measures dlmath against Keras, JAX and PyTorch on MNIST (not run by default).
"""

from __future__ import annotations

import os
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
    session.install("-e", ".[test,keras]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff: lint and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Execute every chapter and build the book into build/html (warnings are errors)."""
    session.install("-e", ".[docs,keras]")
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
    session.install("-e", ".[keras,fast,test]", "jax", "optax")
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
