"""Sphinx configuration of the book (built as ``sphinx-build -c conf book build/html``)."""

from __future__ import annotations

import hashlib
import html as html_module
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# A relative DLMATH_BUILD_DIR is relative to the repository root (where every documented
# command runs; Sphinx runs this file from conf/, and reads intersphinx paths from book/).
BUILD = (ROOT / os.environ.get("DLMATH_BUILD_DIR", "build")).resolve()
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))

import fetch_mathjax  # noqa: E402
import sphinx_exercise.nodes as _exercise_nodes  # noqa: E402
from docutils import nodes  # noqa: E402
from external_objects import write_inventories  # noqa: E402
from myst_nb.sphinx_ import HideCodeCellNode  # noqa: E402
from sphinx.transforms.post_transforms import SphinxPostTransform  # noqa: E402

import dlmath  # noqa: E402

#: The book's repository (buttons "repository", "source", "open issue", "launch").
#: One constant, overridden by the environment variable DLMATH_REPOSITORY_URL.
REPOSITORY_URL = os.environ.get("DLMATH_REPOSITORY_URL", "https://github.com/dlmath/dlmath")
REPOSITORY_BRANCH = "main"
#: The branch that the publishing workflow fills with the executed chapters as .ipynb
#: (tools/export_notebooks.py); Colab and Binder open those, they cannot open MyST .md.
NOTEBOOKS_BRANCH = "notebooks"
#: MathJax is downloaded once (tools/fetch_mathjax.py) into this cache, shared by all
#: build folders, and served from the book's own _static folder.
MATHJAX_CACHE = (ROOT / os.environ.get("DLMATH_MATHJAX_CACHE", "build/mathjax")).resolve()

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
    "figure_checks",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# Development: build only some chapters (DLMATH_ONLY=02-matrices,03-rates-of-change).
# The toctree then warns about the chapters left out; the full build must not.
if os.environ.get("DLMATH_ONLY"):
    _wanted = {name.strip() for name in os.environ["DLMATH_ONLY"].split(",")}
    exclude_patterns += [
        path.name for path in (ROOT / "book").glob("[0-9][0-9]-*.md") if path.stem not in _wanted
    ]
    # ... and the deeper pages of the chapters left out (book/deeper/NN-*.md).
    _numbers = {name[:2] for name in _wanted}
    exclude_patterns += [
        f"deeper/{path.name}"
        for path in (ROOT / "book" / "deeper").glob("[0-9][0-9]-*.md")
        if path.stem[:2] not in _numbers | {"00"}
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
    for path in [*sorted((ROOT / "dlmath").rglob("*")), HERE / "ipython_startup.py"]:
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
# Anything a cell writes to standard error (a warning, a check of the figures that
# failed) is a build warning, and so an error with -W; cells whose stderr is expected
# noise (TensorFlow's logs) carry the tag remove-stderr.
nb_output_stderr = "warn"


def _kernel_profile() -> Path:
    """An IPython profile for the chapters' kernels, whose startup file checks figures."""
    startup = BUILD / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-book-checks.py").write_text(
        (HERE / "ipython_startup.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return BUILD / "ipython"


os.environ["IPYTHONDIR"] = str(_kernel_profile())

# Alternative text. Every image needs an alt that says what it shows, for a reader who
# cannot see it: one or two sentences, not a copy of the caption. Give it in the metadata
# of the cell that draws the figure, next to the caption (">-" keeps colons safe):
#
#     mystnb:
#       image:
#         alt: >-
#           The grey unit square and a blue copy of it moved 0.2 up and to the right.
#       figure:
#         caption: ...
#
# {glue:figure} takes an :alt: option, dlmath.plotting.animation_html an alt= argument.
# Without one, Sphinx writes the image's file name as its alt, and tools/check_site.py
# fails.

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


#: numpydoc section titles that may appear in a module docstring.
_MODULE_SECTIONS = {"Notes", "References", "Examples", "See Also", "Modules", "Warnings"}


def _format_module_docstring(app, what, name, obj, options, lines) -> None:
    """Give dlmath's module docstrings the treatment numpydoc gives functions' ones.

    numpydoc leaves module docstrings as plain reST, so a ``References`` heading
    becomes a real section of the API page (in the page's table of contents, and a
    label "references" that collides between pages) and an uncited ``.. [1]`` warns.
    Here section headings become rubrics, citations get numpydoc's LaTeX-only
    back-references, and, on the pages that document members, a table of everything in
    the module's ``__all__`` (one-line summaries, linked to the entries) goes between
    the introduction and the first section.
    """
    if what != "module" or not (name == "dlmath" or name.startswith("dlmath.")):
        return
    out: list[str] = []
    citations: list[str] = []
    first_section = None
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() in _MODULE_SECTIONS and underline and set(underline) == {"-"}:
            first_section = len(out) if first_section is None else first_section
            out += [f".. rubric:: {line.strip()}", ""]
            i += 2
            continue
        if match := re.match(r"\.\. \[([\w.-]+)\]", line):
            citations.append(match.group(1))
        out.append(line)
        i += 1
    if citations:
        out += ["", ".. only:: latex", "", "   " + ", ".join(f"[{c}]_" for c in citations), ""]
    names = getattr(obj, "__all__", []) if options.get("members") else []
    table = ["", ".. rubric:: Contents", "", ".. autosummary::", "   :nosignatures:", ""]
    table += [f"   ~{member}" for member in names] + [""]
    if names:
        at = len(out) if first_section is None else first_section
        out[at:at] = table
    lines[:] = out


# --- bibliography -------------------------------------------------------------------
bibtex_bibfiles = [str(ROOT / "book" / "references.bib")]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# --- HTML ---------------------------------------------------------------------------
# Nothing on a page may come from another site (tools/check_site.py checks it in a
# browser): MathJax 3 and its fonts are served from _static, the theme's icons and
# fonts are its own vendored copies, and the launch buttons are plain links.
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = [str(HERE / "_static"), str(fetch_mathjax.ensure(MATHJAX_CACHE))]
html_css_files = ["dlmath.css"]
templates_path = [str(HERE / "_templates")]
mathjax_path = f"mathjax/{fetch_mathjax.ENTRY}"
# MathJax 3 reads window.MathJax; MyST adds processHtmlClass to this (non-empty) dict.
mathjax3_config = {"tex": {"tags": "none"}}
# The theme's colour mode follows the reader's system. Set explicitly: left empty, the
# theme's script logs "Got invalid theme mode" on a reader's first visit.
html_context = {"default_mode": "auto"}
_github = REPOSITORY_URL.rstrip("/").startswith("https://github.com/")
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "repository_url": REPOSITORY_URL,
    "repository_branch": REPOSITORY_BRANCH,
    "path_to_docs": "book",
    "use_repository_button": True,
    "use_source_button": True,
    "use_issues_button": True,
    "use_download_button": True,
    # Colab and Binder exist only for GitHub repositories; see _launch_from_notebooks.
    "launch_buttons": (
        {
            "colab_url": "https://colab.research.google.com",
            "binderhub_url": "https://mybinder.org",
            "notebook_interface": "jupyterlab",
        }
        if _github
        else {}
    ),
}

# --- PDF (nox -s pdf: LaTeX, typeset by XeLaTeX from Debian's TeX Live) ---------------
# XeLaTeX reads the book's Unicode (×, →, ε, ²...) directly, in the GNU FreeFont fonts;
# makeindex builds the index (xindy is another 50 MB of packages for the same result).
latex_engine = "xelatex"
latex_use_xindy = False
latex_documents = [("index", "dlmath.tex", project, author, "manual")]
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    # Long lines of code and output wrap, with a mark at the break; none is cut.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
}

# --- copy buttons ---------------------------------------------------------------------
# Copy the code, not the prompts (">>> ", "... ") or the printed output of doctests.
copybutton_exclude = ".linenos, .gp, .go"
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True


def _launch_from_notebooks(app, pagename, templatename, context, doctree) -> None:
    """Point the Colab and Binder buttons at the chapter's .ipynb on NOTEBOOKS_BRANCH.

    The theme links the launch buttons to ``book/<page>.md`` on the main branch, which
    Colab cannot open (Binder needs jupytext for it). The publishing workflow exports
    every executed chapter as ``book/<page>.ipynb``, with an installation cell for
    dlmath, to the branch ``notebooks`` (tools/export_notebooks.py), and the buttons
    open those. They are links: nothing is loaded before the reader clicks.
    """
    org_repo = REPOSITORY_URL.rstrip("/").removeprefix("https://github.com/")
    notebook = f"book/{pagename}.ipynb"
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group["buttons"]:
            if button.get("text") == "Colab":
                button["url"] = (
                    "https://colab.research.google.com/github/"
                    f"{org_repo}/blob/{NOTEBOOKS_BRANCH}/{notebook}"
                )
            elif button.get("text") == "Binder":
                button["url"] = (
                    f"https://mybinder.org/v2/gh/{org_repo}/{NOTEBOOKS_BRANCH}"
                    f"?urlpath=lab/tree/{notebook}"
                )


def _visit_solution(self, node) -> None:
    """A solution with ``:class: dropdown`` becomes a closed ``<details>`` element.

    sphinx-exercise leaves collapsing to sphinx-togglebutton, which the book does not
    use: rendering the dropdown as HTML's own ``<details>``/``<summary>`` keeps it
    collapsed without any JavaScript.
    """
    if "dropdown" in node["classes"]:
        self.body.append(self.starttag(node, "details", CLASS="admonition"))
    else:
        _exercise_nodes.visit_solution_node(self, node)


def _depart_solution(self, node) -> None:
    if "dropdown" in node["classes"]:
        self.body.append("</details>\n")
    else:
        _exercise_nodes.depart_solution_node(self, node)


class _SolutionSummary(nodes.Part, nodes.TextElement):
    """The title of a dropdown solution, written as the ``<summary>`` of its ``<details>``."""


def _summarise_dropdown_solutions(app, doctree, docname) -> None:
    if app.builder.format != "html":
        return
    for solution in doctree.findall(_exercise_nodes.solution_node):
        if "dropdown" in solution["classes"] and isinstance(solution[0], nodes.title):
            title = solution[0]
            solution[0] = _SolutionSummary("", "", *title.children, classes=["admonition-title"])


def _visit_summary(self, node) -> None:
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self, node) -> None:
    self.body.append('<span class="dlmath-toggle" aria-hidden="true"></span></summary>\n')


def _visit_hidden_input(self, node) -> None:
    """MyST-NB's toggle of a hidden cell input, without its aria-label.

    MyST-NB labels the ``<summary>`` "Toggle hidden content" while it shows "Show code
    cell source": a screen reader's name that differs from the visible one (axe-core's
    rule label-content-name-mismatch). The summary's own text names it.
    """
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    for kind, prompt in (("collapsed", "prompt_show"), ("expanded", "prompt_hide")):
        text = self.encode(node[prompt])
        self.body.append(f'<p class="{kind} admonition-title">{text}</p>\n')
    self.body.append("</summary>\n")


def _depart_hidden_input(self, node) -> None:
    self.body.append("</details>\n")


def _unlink_solution_titles(app, doctree, docname) -> None:
    """A solution's title names its exercise as text, not as a link.

    In HTML the title is the ``<summary>`` of the solution's ``<details>``: a link inside
    it is an interactive element inside another (axe-core's nested-interactive). In
    LaTeX sphinx-exercise links it to a label it never defines. The exercise is just
    above its solution.
    """
    for solution in doctree.findall(_exercise_nodes.solution_node):
        if solution.children and isinstance(solution[0], nodes.title):
            for reference in list(solution[0].findall(nodes.reference)):
                reference.replace_self(nodes.inline("", "", *reference.children))


def _accessible_page(app, pagename, templatename, context, doctree) -> None:
    """Fix two things of the theme's and docutils' HTML that screen readers stumble on.

    * The toggles of the navigation's sub-lists are ``<summary>`` elements holding only
      an icon: each gets an aria-label naming its page (axe-core's summary-name).
    * docutils gives each citation the deprecated role ``doc-biblioentry`` inside a
      ``role="list"``, whose items must be ``listitem`` (aria-required-children).
    """
    generate = context.get("generate_toctree_html")
    if generate is not None and not getattr(generate, "dlmath_labelled", False):

        def generate_labelled(kind, *args, **kwargs):
            soup = generate(kind, *args, **kwargs)
            if isinstance(soup, str):
                return soup
            for summary in soup.select("li.has-children > details > summary"):
                if summary.get_text(strip=True) or summary.get("aria-label"):
                    continue
                item = summary.find_parent("li")
                link = item.find("a", recursive=False) if item else None
                title = link.get_text(" ", strip=True) if link else ""
                summary["aria-label"] = f"Sections of {title}" if title else "Sections"
            return soup

        generate_labelled.dlmath_labelled = True
        context["generate_toctree_html"] = generate_labelled
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


_IMG_ALT = re.compile(r"<img\b[^>]*?\balt=\"([^\"]+)\"", re.IGNORECASE)
_REPR = re.compile(r"^<[\w.]+ object(?: at 0x[0-9a-f]+)?>$")


class _AnimationsInPrint(SphinxPostTransform):
    """In print, an HTML-only output (the animation of Chapter 7) becomes a sentence.

    A cell that shows HTML also carries a text/plain repr such as
    ``<IPython.core.display.HTML object>``, which is what LaTeX would print. Where the
    HTML has an image with an alt text, the repr is replaced by a sentence with that
    text; otherwise by a sentence that points to the HTML edition.
    """

    default_priority = 3  # before MyST-NB selects one output per format (4)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            parts = {part.get("mime_type"): part for part in bundle.children}
            html, plain = parts.get("text/html"), parts.get("text/plain")
            if html is None or plain is None or not _REPR.match(plain.astext().strip()):
                continue
            alt = _IMG_ALT.search(html.astext())
            text = "Shown in the HTML edition of this book" + (
                f": {html_module.unescape(alt.group(1))}" if alt else "."
            )
            plain.children = [nodes.paragraph("", "", nodes.emphasis(text, text))]


#: A digest of this configuration's own code (and of the tools it imports). Sphinx
#: re-reads every page when a configuration *value* changes, not when a function in this
#: file does; this value changes with the code, so that no page keeps a stale rendering
#: (re-reading is cheap: the chapters' outputs come from the execution cache).
dlmath_conf_digest = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for path in (
            HERE / "conf.py",
            HERE / "external_objects.py",
            ROOT / "tools" / "fetch_mathjax.py",
            ROOT / "tools" / "fetch_npm.py",
        )
    )
).hexdigest()[:12]


def setup(app) -> None:
    app.add_config_value("dlmath_conf_digest", "", "env", types=frozenset({str}))
    # after numpydoc (priority 500), which rewrites the docstring's sections
    app.connect("autodoc-process-docstring", _format_module_docstring, priority=600)
    app.connect("html-page-context", _launch_from_notebooks, priority=600)
    app.add_node(
        _exercise_nodes.solution_node,
        override=True,
        html=(_visit_solution, _depart_solution),
        singlehtml=(_visit_solution, _depart_solution),
    )
    app.add_node(
        _SolutionSummary,
        html=(_visit_summary, _depart_summary),
        singlehtml=(_visit_summary, _depart_summary),
    )
    app.connect("doctree-resolved", _unlink_solution_titles, priority=400)
    app.connect("doctree-resolved", _summarise_dropdown_solutions)
    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(_visit_hidden_input, _depart_hidden_input),
        singlehtml=(_visit_hidden_input, _depart_hidden_input),
    )
    app.connect("html-page-context", _accessible_page, priority=600)
    app.add_post_transform(_AnimationsInPrint)
