"""Intersphinx inventories of the external objects the book refers to, written locally.

The book is built where only the package registries are reachable, so Sphinx cannot
download the ``objects.inv`` files of Python, NumPy and Matplotlib. Instead, this
module lists the few external objects that the book and dlmath's docstrings name,
with their addresses in the real documentation, and writes them as standard
inventories (format 2) that ``intersphinx_mapping`` reads from disk. A reference to
an object missing here fails the nitpicky build, which tells you to add it.
"""

from __future__ import annotations

import zlib
from pathlib import Path

#: project name -> (documentation root, version, [(name, domain:role, path), ...])
OBJECTS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "python": (
        "https://docs.python.org/3/",
        "3",
        [
            ("bool", "py:class", "library/functions.html#bool"),
            ("callable", "py:function", "library/functions.html#callable"),
            ("dict", "py:class", "library/stdtypes.html#dict"),
            ("float", "py:class", "library/functions.html#float"),
            ("int", "py:class", "library/functions.html#int"),
            ("list", "py:class", "library/stdtypes.html#list"),
            ("str", "py:class", "library/stdtypes.html#str"),
            ("tuple", "py:class", "library/stdtypes.html#tuple"),
            ("None", "py:data", "library/constants.html#None"),
            ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
            ("TypeError", "py:exception", "library/exceptions.html#TypeError"),
            ("OSError", "py:exception", "library/exceptions.html#OSError"),
            ("FileNotFoundError", "py:exception", "library/exceptions.html#FileNotFoundError"),
            ("KeyboardInterrupt", "py:exception", "library/exceptions.html#KeyboardInterrupt"),
            ("os.PathLike", "py:class", "library/os.html#os.PathLike"),
            ("pathlib.Path", "py:class", "library/pathlib.html#pathlib.Path"),
            (
                "collections.abc.Callable",
                "py:class",
                "library/collections.abc.html#collections.abc.Callable",
            ),
            (
                "collections.abc.Sequence",
                "py:class",
                "library/collections.abc.html#collections.abc.Sequence",
            ),
            ("typing.NamedTuple", "py:class", "library/typing.html#typing.NamedTuple"),
            ("sequence", "std:term", "glossary.html#term-sequence"),
            ("iterable", "std:term", "glossary.html#term-iterable"),
            ("mapping", "std:term", "glossary.html#term-mapping"),
            ("bltin-boolean-values", "std:label", "library/stdtypes.html#bltin-boolean-values"),
        ],
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        "2",
        [
            ("numpy", "py:module", "reference/index.html#module-numpy"),
            ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html"),
            ("numpy.dtype", "py:class", "reference/generated/numpy.dtype.html"),
            ("numpy.float32", "py:attribute", "reference/arrays.scalars.html#numpy.float32"),
            ("numpy.float64", "py:attribute", "reference/arrays.scalars.html#numpy.float64"),
            ("numpy.uint8", "py:attribute", "reference/arrays.scalars.html#numpy.uint8"),
            (
                "numpy.random.Generator",
                "py:class",
                "reference/random/generator.html#numpy.random.Generator",
            ),
            (
                "numpy.random.default_rng",
                "py:function",
                "reference/random/generator.html#numpy.random.default_rng",
            ),
            ("numpy.load", "py:function", "reference/generated/numpy.load.html"),
            ("numpy.savez", "py:function", "reference/generated/numpy.savez.html"),
            ("numpy.matmul", "py:function", "reference/generated/numpy.matmul.html"),
            ("numpy.dot", "py:function", "reference/generated/numpy.dot.html"),
            ("numpy.exp", "py:function", "reference/generated/numpy.exp.html"),
            ("numpy.meshgrid", "py:function", "reference/generated/numpy.meshgrid.html"),
            ("array_like", "std:term", "glossary.html#term-array_like"),
        ],
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        "3",
        [
            ("matplotlib.axes.Axes", "py:class", "api/_as_gen/matplotlib.axes.Axes.html"),
            ("matplotlib.figure.Figure", "py:class", "api/_as_gen/matplotlib.figure.Figure.html"),
            (
                "matplotlib.axes.Axes.plot",
                "py:method",
                "api/_as_gen/matplotlib.axes.Axes.plot.html",
            ),
            (
                "matplotlib.axes.Axes.scatter",
                "py:method",
                "api/_as_gen/matplotlib.axes.Axes.scatter.html",
            ),
            (
                "matplotlib.collections.LineCollection",
                "py:class",
                "api/collections_api.html#matplotlib.collections.LineCollection",
            ),
            (
                "matplotlib.animation.FuncAnimation",
                "py:class",
                "api/_as_gen/matplotlib.animation.FuncAnimation.html",
            ),
            (
                "matplotlib.pyplot.subplots",
                "py:function",
                "api/_as_gen/matplotlib.pyplot.subplots.html",
            ),
        ],
    ),
}


def write_inventories(folder: Path) -> dict[str, tuple[str, str]]:
    """Write one ``<project>.inv`` per project into ``folder``.

    Returns the ``intersphinx_mapping`` that reads them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (root, version, objects) in OBJECTS.items():
        lines = []
        for name, role, path in objects:
            display = "Boolean Values" if role == "std:label" else "-"
            lines.append(f"{name} {role} 1 {path} {display}")
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n"
            f"# Version: {version}\n"
            "# The remainder of this file is compressed using zlib.\n"
        ).encode()
        body = zlib.compress(("\n".join(lines) + "\n").encode())
        path = folder / f"{project}.inv"
        content = header + body
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
        mapping[project] = (root, str(path))
    return mapping
