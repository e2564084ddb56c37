"""Fetch a pinned MathJax 3 from the npm registry, once, so the book typesets math offline.

The book's pages must not load anything from another site, so MathJax is served from
the book itself. This module downloads the npm package ``mathjax`` (a pinned version,
checked against the registry's pinned ``sha512`` integrity), unpacks it under the build
folder and keeps only what the pages need: the ``tex-chtml.js`` component, the TeX
extensions it may autoload, the CHTML output with its WOFF fonts, and the menu and
accessibility components (with the speech rule engine) that the reader may switch on.
MathJax 4 is not used: it fetches its fonts from a CDN.

The download goes through ``npm pack`` when npm is installed, and otherwise through
``urllib`` straight from the registry. The result is cached: once
``<cache>/mathjax-<version>/static/mathjax/tex-chtml.js`` exists, nothing is fetched.

Run as a script to fill the cache ahead of a build::

    python tools/fetch_mathjax.py build/mathjax
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = "3.2.2"
#: The registry's ``dist.integrity`` of mathjax@3.2.2 (``npm view mathjax@3.2.2 dist``).
INTEGRITY = (
    "sha512-"
    "Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)
REGISTRY = "https://registry.npmjs.org"
#: The script that the pages load (``mathjax_path``, relative to ``_static``).
ENTRY = "tex-chtml.js"
#: What the pages may load, relative to the package's ``es5`` folder.
KEEP = (
    ENTRY,
    "input/tex/extensions",
    "output/chtml",
    "ui",
    "a11y",
    "sre",
    "adaptors",
)
#: The parts without which no formula shows: the script and the CHTML fonts.
REQUIRED = (ENTRY, "output/chtml")


class MathJaxError(RuntimeError):
    """MathJax could not be fetched or failed its integrity check."""


def integrity_of(data: bytes, algorithm: str = "sha512") -> str:
    """The Subresource-Integrity string (``sha512-<base64>``) of ``data``."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def verify(data: bytes, expected: str = INTEGRITY) -> None:
    """Raise `MathJaxError` unless ``data`` matches the integrity string ``expected``."""
    algorithm = expected.split("-", 1)[0]
    actual = integrity_of(data, algorithm)
    if actual != expected:
        raise MathJaxError(
            f"mathjax-{VERSION}.tgz failed its integrity check: expected {expected}, got {actual}"
        )


def tarball_url(registry: str = REGISTRY, version: str = VERSION) -> str:
    """The registry's address of the package tarball ``mathjax-<version>.tgz``."""
    return f"{registry.rstrip('/')}/mathjax/-/mathjax-{version}.tgz"


def _download_with_npm(folder: Path) -> bytes | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    result = subprocess.run(
        [npm, "pack", f"mathjax@{VERSION}", "--pack-destination", str(folder), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    tarball = folder / f"mathjax-{VERSION}.tgz"
    if result.returncode != 0 or not tarball.is_file():
        print(
            f"fetch_mathjax: npm pack failed ({result.stderr.strip()[-300:]}); "
            "falling back to a direct download",
            file=sys.stderr,
        )
        return None
    return tarball.read_bytes()


def _download_with_urllib(registry: str) -> bytes:
    url = tarball_url(registry)
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except OSError as error:
        raise MathJaxError(f"could not download {url}: {error}") from error


def download(folder: Path, *, use_npm: bool = True) -> bytes:
    """Download ``mathjax-<VERSION>.tgz`` (npm, or urllib) and check its integrity."""
    registry = os.environ.get("NPM_CONFIG_REGISTRY", REGISTRY)
    data = _download_with_npm(folder) if use_npm else None
    if data is None:
        data = _download_with_urllib(registry)
    verify(data)
    return data


def _extract(data: bytes, folder: Path) -> Path:
    """Unpack the tarball into ``folder`` and return its ``package/es5`` folder."""
    archive = folder / f"mathjax-{VERSION}.tgz"
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    es5 = folder / "package" / "es5"
    if not (es5 / ENTRY).is_file():
        raise MathJaxError(f"mathjax-{VERSION}.tgz has no package/es5/{ENTRY}")
    return es5


def static_folder(cache: Path) -> Path:
    """The folder to put in ``html_static_path``: it holds ``mathjax/``."""
    return Path(cache) / f"mathjax-{VERSION}" / "static"


def ensure(cache: Path, *, use_npm: bool = True) -> Path:
    """Make sure MathJax is unpacked in ``cache``; return `static_folder` (no network if cached).

    Concurrent builds are safe: each unpacks into a private temporary folder, which is
    renamed into place in one step; a build that loses the race keeps the winner's copy.
    """
    cache = Path(cache)
    static = static_folder(cache)
    if (static / "mathjax" / ENTRY).is_file():
        return static
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".mathjax-") as tmp:
        tmp = Path(tmp)
        es5 = _extract(download(tmp, use_npm=use_npm), tmp)
        staged = tmp / "stage" / "static" / "mathjax"
        for part in KEEP:
            source = es5 / part
            if source.is_dir():
                shutil.copytree(source, staged / part)
            elif source.is_file():
                (staged / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, staged / part)
            elif part in REQUIRED:
                raise MathJaxError(f"mathjax-{VERSION}.tgz has no package/es5/{part}")
        (staged / "LICENSE").write_bytes((es5.parent / "LICENSE").read_bytes())
        (staged / "VERSION").write_text(f"mathjax {VERSION} ({INTEGRITY})\n")
        target = static.parent
        try:
            os.replace(tmp / "stage", target)
        except OSError:
            if not (static / "mathjax" / ENTRY).is_file():
                raise
    return static


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cache = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "build" / "mathjax"
    print(ensure(cache) / "mathjax" / ENTRY)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
