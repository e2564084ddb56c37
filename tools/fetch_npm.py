"""Fetch a pinned npm package once, check its integrity, and keep the files that are used.

The book must work offline and load nothing from another site, so the JavaScript it
needs from npm (MathJax for the pages, axe-core for the accessibility check) is
downloaded from the npm registry at a pinned version, checked against the registry's
``sha512`` integrity for that version (``npm view NAME@VERSION dist.integrity``),
unpacked into a cache under the build folder and never committed.

A package is described by an `NpmPackage`: its name, version and integrity, the part of
the tarball to keep, and what must be in it. `ensure` makes sure the package is unpacked
in a cache folder and returns the folder to serve::

    <cache>/<name>-<version>/static/<folder>/...

The download goes through ``npm pack`` when npm is installed, and otherwise through
``urllib`` straight from the registry (``NPM_CONFIG_REGISTRY`` overrides its address).
Once the package's first required file exists in the cache, nothing is fetched.

`fetch_mathjax` pins MathJax; ``tools/check_site.py`` pins axe-core.
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
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"


class FetchError(RuntimeError):
    """A package could not be fetched, failed its integrity check, or lacks a file."""


@dataclass(frozen=True)
class NpmPackage:
    """A pinned npm package and the part of it that is kept.

    Attributes
    ----------
    name, version : str
        The package on the registry (unscoped names only).
    integrity : str
        The registry's ``dist.integrity`` of that version (``sha512-<base64>``).
    keep : tuple of str
        Files and folders to keep, relative to ``root`` inside the tarball.
    required : tuple of str
        The members of ``keep`` without which the package is useless; the first one is
        the entry point that `ensure` looks for in the cache.
    root : str
        The folder of the tarball's ``package/`` that ``keep`` is relative to.
    folder : str
        The folder under ``static/`` that the kept files go to (default: the name).
    """

    name: str
    version: str
    integrity: str
    keep: tuple[str, ...]
    required: tuple[str, ...]
    root: str = ""
    folder: str = ""

    @property
    def tarball(self) -> str:
        """The tarball's file name, ``<name>-<version>.tgz``."""
        return f"{self.name}-{self.version}.tgz"

    @property
    def static_name(self) -> str:
        return self.folder or self.name


def integrity_of(data: bytes, algorithm: str = "sha512") -> str:
    """The Subresource-Integrity string (``sha512-<base64>``) of ``data``."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def verify(data: bytes, expected: str, what: str = "the tarball") -> None:
    """Raise `FetchError` unless ``data`` matches the integrity string ``expected``."""
    algorithm = expected.split("-", 1)[0]
    actual = integrity_of(data, algorithm)
    if actual != expected:
        raise FetchError(f"{what} failed its integrity check: expected {expected}, got {actual}")


def tarball_url(name: str, version: str, registry: str = REGISTRY) -> str:
    """The registry's address of the tarball ``<name>-<version>.tgz``."""
    return f"{registry.rstrip('/')}/{name}/-/{name}-{version}.tgz"


def _download_with_npm(package: NpmPackage, folder: Path) -> bytes | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    spec = f"{package.name}@{package.version}"
    result = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(folder), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    tarball = folder / package.tarball
    if result.returncode != 0 or not tarball.is_file():
        print(
            f"fetch_npm: npm pack {spec} failed ({result.stderr.strip()[-300:]}); "
            "falling back to a direct download",
            file=sys.stderr,
        )
        return None
    return tarball.read_bytes()


def _download_with_urllib(package: NpmPackage, registry: str) -> bytes:
    url = tarball_url(package.name, package.version, registry)
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except OSError as error:
        raise FetchError(f"could not download {url}: {error}") from error


def download(package: NpmPackage, folder: Path, *, use_npm: bool = True) -> bytes:
    """Download the package's tarball (npm, or urllib) and check its integrity."""
    registry = os.environ.get("NPM_CONFIG_REGISTRY", REGISTRY)
    data = _download_with_npm(package, folder) if use_npm else None
    if data is None:
        data = _download_with_urllib(package, registry)
    verify(data, package.integrity, package.tarball)
    return data


def static_folder(package: NpmPackage, cache: Path) -> Path:
    """The folder to serve (``html_static_path``): it holds ``<folder>/``."""
    return Path(cache) / f"{package.name}-{package.version}" / "static"


def entry_point(package: NpmPackage, cache: Path) -> Path:
    """Where the package's first required file is once `ensure` has run."""
    return static_folder(package, cache) / package.static_name / package.required[0]


def ensure(package: NpmPackage, cache: Path, *, use_npm: bool = True) -> Path:
    """Make sure ``package`` is unpacked in ``cache``; return its `static_folder`.

    Nothing is fetched when the cache has it already.

    Concurrent builds are safe: each unpacks into a private temporary folder, which is
    renamed into place in one step; a build that loses the race keeps the winner's copy.
    """
    cache = Path(cache)
    static = static_folder(package, cache)
    if entry_point(package, cache).is_file():
        return static
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=f".{package.name}-") as tmp:
        tmp = Path(tmp)
        archive = tmp / package.tarball
        archive.write_bytes(download(package, tmp, use_npm=use_npm))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp / "unpacked", filter="data")
        unpacked = tmp / "unpacked" / "package"
        source_root = unpacked / package.root if package.root else unpacked
        staged = tmp / "stage" / "static" / package.static_name
        staged.mkdir(parents=True)
        for part in package.keep:
            source = source_root / part
            if source.is_dir():
                shutil.copytree(source, staged / part)
            elif source.is_file():
                (staged / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, staged / part)
            elif part in package.required:
                where = f"package/{package.root}/{part}" if package.root else f"package/{part}"
                raise FetchError(f"{package.tarball} has no {where}")
        for name in ("LICENSE", "LICENSE.txt", "LICENSE.md"):
            if (unpacked / name).is_file():
                shutil.copy2(unpacked / name, staged / "LICENSE")
                break
        (staged / "VERSION").write_text(f"{package.name} {package.version} ({package.integrity})\n")
        try:
            os.replace(tmp / "stage", static.parent)
        except OSError:
            if not entry_point(package, cache).is_file():
                raise
    return static
