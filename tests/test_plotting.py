"""Tests of the dlmath.plotting package: its names, and how its modules import."""

import ast
import subprocess
import sys
from pathlib import Path

from dlmath import plotting

PACKAGE = Path(plotting.__file__).parent

#: Every public name of the single module dlmath/plotting.py that the package replaced:
#: the book, the README and the tools call them as ``plotting.<name>``.
NAMES_BEFORE_THE_SPLIT = [
    "BOOK_STYLE",
    "CLASS_COLORS",
    "COLORS",
    "animate_descent",
    "animation_html",
    "digit_grid",
    "new_axes",
    "plot_activation",
    "plot_curves",
    "plot_decision_regions",
    "plot_descent_contour",
    "plot_descent_path",
    "plot_fit_progress",
    "plot_gradient_field",
    "plot_line",
    "plot_network",
    "plot_representations",
    "plot_residuals",
    "plot_roadmap",
    "plot_series",
    "plot_step_errors",
    "plot_tangent",
    "plot_transformation",
    "plot_two_classes",
    "training_curves",
    "use_book_style",
]


def test_every_name_of_the_former_module_is_still_a_name_of_the_package():
    missing = [name for name in NAMES_BEFORE_THE_SPLIT if name not in plotting.__all__]
    assert missing == []
    for name in NAMES_BEFORE_THE_SPLIT:
        assert hasattr(plotting, name), name


def test_every_exported_name_exists_and_functions_are_documented():
    for name in plotting.__all__:
        value = getattr(plotting, name)
        if callable(value):
            assert value.__doc__, name
            assert "Examples" in value.__doc__, name


def test_the_palette_names_the_colours_the_chapters_use():
    # book/05-layers-and-activations.md picks these by name
    for name in ("blue", "green", "red", "sky"):
        assert name in plotting.COLORS


def test_importing_dlmath_does_not_import_matplotlib():
    code = "import sys, dlmath\nprint('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def _plotting_imports(path: Path) -> set[str]:
    """The modules of dlmath.plotting that the module at ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "dlmath.plotting":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("dlmath.plotting."):
                found.add(node.module.removeprefix("dlmath.plotting."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dlmath.plotting."):
                    found.add(alias.name.removeprefix("dlmath.plotting."))
    return found


def test_the_modules_import_one_way_style_first():
    modules = {path.stem: path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert set(modules) == {
        "style",
        "checks",
        "geometry",
        "deformation",
        "calculus",
        "networks",
        "descent",
        "digits",
    }
    imports = {name: _plotting_imports(path) for name, path in modules.items()}
    assert imports["style"] == set()
    for name, used in imports.items():
        if name != "style":
            assert used == {"style"}, f"{name} imports {sorted(used)}"
    assert _plotting_imports(PACKAGE / "__init__.py") >= set(modules)


def test_no_module_of_the_package_is_over_600_lines():
    for path in PACKAGE.glob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 600, f"{path.name} has {lines} lines"
