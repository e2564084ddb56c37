"""The import structure of dlmath: every module imports on its own, imports run one way
(no circle among dlmath's modules, counting imports inside functions), and the heavy
optional libraries are imported only by the modules that need them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dlmath"
HEAVY = ("matplotlib", "tqdm", "numba", "tensorflow", "keras")


def module_names() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its ``__init__``)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imported_modules(path: Path, name: str, modules) -> set[str]:
    """The dlmath modules that ``path`` imports anywhere (module level or in functions).

    ``from dlmath.x import y`` is an import of ``dlmath.x.y`` when that is a module,
    else of ``dlmath.x``. Importing a submodule also runs its package's ``__init__``;
    that is not counted as an import of the package, whose ``__init__`` only re-exports
    what its own modules define.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .y import z
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in modules else base)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: imported_modules(path, name, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports, as a list of modules, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_the_imports_it_should():
    """The parser finds module-level, function-level and lazy (PEP 562) imports."""
    graph = import_graph()
    assert "dlmath.mnist" in graph
    assert "dlmath.mnist.cli" in graph["dlmath.mnist"]  # inside __getattr__
    assert "dlmath.keras_reference" in graph["dlmath.mnist.cli"]  # inside a function
    assert "dlmath.serialization" in graph["dlmath.layers.sequential"]
    assert "dlmath.training" in graph["dlmath.layers.sequential"]  # inside Sequential.fit
    assert graph["dlmath.keras_reference"] >= {"dlmath.mnist.model", "dlmath.layers"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle_among_dlmaths_modules():
    assert find_cycle(import_graph()) is None


def test_imports_run_one_way():
    """_validation → mathematics → layers → mnist data and model → keras_reference → cli."""
    graph = import_graph()
    order = [
        "dlmath._validation",
        "dlmath.activations",
        "dlmath.serialization",
        "dlmath.engines",
        "dlmath.training",
        "dlmath.layers",
        "dlmath.mnist.data",
        "dlmath.mnist.model",
        "dlmath.keras_reference",
        "dlmath.mnist.cli",
    ]

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return seen

    for k, lower in enumerate(order):
        assert not reaches(lower) & set(order[k + 1 :]), f"{lower} imports a module above it"
    assert graph["dlmath.keras_reference"] & {"dlmath.mnist", "dlmath.mnist.cli"} == set()


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=PACKAGE.parent,
    )


@pytest.mark.parametrize("name", sorted(module_names()))
def test_every_module_imports_first_in_a_fresh_interpreter(name):
    done = run_python(f"import {name}")
    assert done.returncode == 0, done.stderr


def test_import_dlmath_needs_numpy_alone():
    heavy = f"sorted(m for m in {HEAVY!r} if m in sys.modules)"
    done = run_python(
        "import sys, dlmath\n"
        f"print({heavy})\n"
        "import dlmath.mnist, dlmath.keras_reference, dlmath.progress, dlmath.serialization\n"
        f"print({heavy}, 'dlmath.mnist.cli' in sys.modules)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "[] False"]
