"""The pinned MathJax 3 that the book serves from its own pages, so that math typesets offline.

The book's pages must not load anything from another site, so MathJax is served from
the book itself: `ensure` fetches the npm package ``mathjax`` at a pinned version,
checked against the registry's ``sha512`` integrity, through `fetch_npm` (which caches
it under the build folder), and keeps only what the pages need: the ``tex-chtml.js``
component, the TeX extensions it may autoload, the CHTML output with its WOFF fonts,
and the menu and accessibility components (with the speech rule engine) that the reader
may switch on. MathJax 4 is not used: it fetches its fonts from a CDN.

Run as a script to fill the cache ahead of a build::

    python tools/fetch_mathjax.py build/mathjax
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fetch_npm

VERSION = "3.2.2"
#: The registry's ``dist.integrity`` of mathjax@3.2.2 (``npm view mathjax@3.2.2 dist``).
INTEGRITY = (
    "sha512-"
    "Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)
#: The script that the pages load (``mathjax_path``, relative to ``_static``).
ENTRY = "tex-chtml.js"

MATHJAX = fetch_npm.NpmPackage(
    name="mathjax",
    version=VERSION,
    integrity=INTEGRITY,
    root="es5",
    # What the pages may load, relative to the package's es5 folder.
    keep=(ENTRY, "input/tex/extensions", "output/chtml", "ui", "a11y", "sre", "adaptors"),
    # Without the script and the CHTML fonts no formula shows.
    required=(ENTRY, "output/chtml"),
)


def static_folder(cache: Path) -> Path:
    """The folder to put in ``html_static_path``: it holds ``mathjax/``."""
    return fetch_npm.static_folder(MATHJAX, cache)


def ensure(cache: Path, *, use_npm: bool = True) -> Path:
    """Make sure MathJax is unpacked in ``cache``; return `static_folder` (no network if cached)."""
    return fetch_npm.ensure(MATHJAX, cache, use_npm=use_npm)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cache = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "build" / "mathjax"
    ensure(cache)
    print(fetch_npm.entry_point(MATHJAX, cache))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
