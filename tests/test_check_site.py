"""Tests of the site checker (tools/check_site.py, layout_check.py, axe_check.py) and the
npm fetcher (tools/fetch_npm.py, fetch_mathjax.py).

Only their pure functions: the browser run itself is ``nox -s browser``.
"""

import importlib.util
import io
import json
import re
import sys
import tarfile
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fetch_npm = _load("fetch_npm")
fetch_mathjax = _load("fetch_mathjax")
layout_check = _load("layout_check")
axe_check = _load("axe_check")
check_site = _load("check_site")


# --- links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "href", "expected"),
    [
        ("index.html", "api/layers.html", ("api/layers.html", "")),
        ("api/layers.html", "../index.html#top", ("index.html", "top")),
        ("api/layers.html", "#dlmath.layers.Dense", ("api/layers.html", "dlmath.layers.Dense")),
        ("api/layers.html", "transforms.html?x=1#a%20b", ("api/transforms.html", "a b")),
        ("01-intro.html", "_images/a.png", ("_images/a.png", "")),
        ("api/index.html", "./", ("api/index.html", "")),
        ("index.html", "https://numpy.org/doc/", None),
        ("index.html", "//cdn.example.com/x.js", None),
        ("index.html", "mailto:someone@example.com", None),
        ("index.html", "javascript:window.print()", None),
        ("index.html", "#", None),
        ("index.html", "", None),
    ],
)
def test_resolve_link(page, href, expected):
    assert check_site.resolve_link(page, href) == expected


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js", True),
        ("http://example.com", True),
        ("//fonts.googleapis.com/css", True),
        ("wss://example.com/socket", True),
        ("_static/mathjax/tex-chtml.js", False),
        ("../_static/pygments.css?v=1", False),
        ("data:image/png;base64,AAAA", False),
        ("#fragment", False),
    ],
)
def test_is_external(url, external):
    assert check_site.is_external(url) is external


def _site(tmp_path, pages):
    for name, html in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return {name: check_site.scan_html(html) for name, html in pages.items()}


def test_check_links_finds_missing_files_and_anchors(tmp_path):
    scans = _site(
        tmp_path,
        {
            "index.html": (
                '<a href="api/a.html#f">ok</a> <a href="api/a.html#gone">bad anchor</a>'
                ' <a href="missing.html">bad file</a> <a href="#here">ok</a>'
                ' <span id="here"></span> <a href="https://example.com/#x">external</a>'
                ' <a href="../outside.html">outside</a>'
            ),
            "api/a.html": '<section id="f"><a href="../index.html#here">back</a></section>',
        },
    )
    failures = check_site.check_links(tmp_path, scans)
    assert len(failures) == 3, failures
    assert any("no id 'gone' in api/a.html" in f for f in failures)
    assert any("missing file missing.html" in f for f in failures)
    assert any("leaves the site" in f for f in failures)


def test_check_links_reads_anchors_of_unscanned_pages(tmp_path):
    (tmp_path / "other.html").write_text('<a name="legacy"></a><p id="p1"></p>')
    scans = _site(tmp_path, {"index.html": '<a href="other.html#legacy"></a>'})
    assert check_site.check_links(tmp_path, scans) == []
    scans = _site(tmp_path, {"index.html": '<a href="other.html#p2"></a>'})
    assert len(check_site.check_links(tmp_path, scans)) == 1


# --- what a page holds ----------------------------------------------------------------


def test_scan_counts_math_nodes_and_external_assets():
    html = """
    <html><head>
      <script defer src="_static/mathjax/tex-chtml.js"></script>
      <script src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js"></script>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">
      <link rel="canonical" href="https://example.com/book/">
    </head><body>
      <p>Inline <span class="math notranslate nohighlight">\\(x\\)</span></p>
      <div class="math notranslate nohighlight">\\[y = Wx + b\\]</div>
      <p class="mathematics">not a math node</p>
      <img src="_images/a.png"><img src="https://example.com/b.png">
      <a href="https://github.com/dlmath/dlmath">a link is no asset</a>
    </body></html>
    """
    scan = check_site.scan_html(html)
    assert scan.math_nodes == 2
    failures = check_site.external_assets("p.html", scan)
    assert len(failures) == 3, failures  # the CDN script, the web font, the remote image
    assert all("from another site" in f for f in failures)


def test_scan_error_outputs_except_expected_exceptions():
    html = """
    <div class="cell tag_raises-exception"><div class="cell_output">
      <div class="output traceback highlight-ipythontb">ValueError</div></div></div>
    <div class="cell"><div class="cell_output">
      <div class="output traceback highlight-ipythontb">NameError</div></div></div>
    <div class="cell"><div class="output stderr">a warning is no error</div></div>
    """
    assert check_site.scan_html(html).error_outputs == 1


def test_scan_dropdown_solutions_must_be_closed_details():
    closed = '<details class="solution dropdown admonition"><summary>S</summary></details>'
    opened = '<details open class="solution dropdown admonition"></details>'
    as_div = '<div class="solution dropdown admonition"></div>'
    plain = '<div class="solution admonition"></div>'
    assert check_site.scan_html(closed + plain).open_solutions == 0
    assert check_site.scan_html(opened + as_div).open_solutions == 2


def test_scan_text_leaves_scripts_out():
    scan = check_site.scan_html("<p>seen</p><script>var hidden = 1;</script><style>p{}</style>")
    assert scan.text == "seen"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The layer computes $Y = WX + B$ for each batch.", 1),
        ("Display: $$E = mc^2$$", 2),  # both $$ delimiters are raw
        (r"Inline \(x\) survived", 2),
        (r"Display \[x\] survived", 2),
        ("It cost $5 and then $10 more.", 0),
        ("Prices: $5, $10, $20.", 0),
        ("A lone dollar $ sign.", 0),
        ("Typeset formulas leave no delimiters: y = Wx + b.", 0),
    ],
)
def test_find_raw_math(text, count):
    assert len(check_site.find_raw_math(text)) == count


# --- alternative texts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "alt", "problem"),
    [
        ("_images/ab12.png", "The unit square and its image, turned by 10 degrees.", None),
        ("_static/images/logo_binder.svg", "Binder logo", None),
        ("_images/ab12.png", None, "no alt attribute"),
        ("_images/ab12.png", "", "empty alt"),
        ("_images/ab12.png", "  \n ", "empty alt"),
        ("_images/ab12.png", "<Figure size 640x480 with 1 Axes>", "Python repr"),
        ("_images/ab12.png", "Figure size 640x480 with 1 Axes", "Python repr"),
        ("_images/ab12.png", "<IPython.core.display.Image object>", "Python repr"),
        ("_images/ab12.png", "<matplotlib.figure.Figure object at 0x7f3a2c>", "Python repr"),
        ("_images/ab12.png", "_images/ab12.png", "file name"),
        ("_images/ab12.png", "ab12.png", "file name"),
        ("data:image/png;base64,AAAA", "frame.PNG", "file name"),
        ("_images/ab12.png", "Figure", "generic"),
        ("_images/ab12.png", "image.", "generic"),
    ],
)
def test_alt_problem(src, alt, problem):
    found = check_site.alt_problem(src, alt)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_scan_collects_images_and_their_alts():
    scan = check_site.scan_html(
        '<img src="a.png" alt="A line."><img src="b.png"><img alt src="c.png">'
        '<img src="d.png" alt="d.png"/>'
    )
    assert scan.images == [("a.png", "A line."), ("b.png", None), ("c.png", ""), ("d.png", "d.png")]
    failures = check_site.image_alts("p.html", scan)
    assert len(failures) == 3, failures
    assert all(f.startswith("p.html: <img src=") for f in failures)


# --- hidden check cells -----------------------------------------------------------------


def _notebook(*cells):
    return {
        "cells": [
            {"cell_type": kind, "metadata": {"tags": tags}, "source": source}
            for kind, tags, source in cells
        ]
    }


def test_hidden_check_lines_take_asserts_of_removed_code_cells_only():
    notebook = _notebook(
        ("code", [], "x = 2\nassert x == 2  # visible, a teaching assert"),
        ("code", ["remove-cell"], ["import math\n", "assert math.isclose(x, 2.0)\n"]),
        ("code", ["remove-input"], "assert x > 1"),
        ("markdown", ["remove-cell"], "assert in prose"),
    )
    assert check_site.hidden_check_lines(notebook) == ["assert math.isclose(x, 2.0)"]


def test_leaked_checks():
    notebook = _notebook(("code", ["remove-cell"], "assert total == 10"))
    clean = check_site.scan_html("<pre>total = 10</pre>")
    leaked = check_site.scan_html("<pre><span>assert</span> total == 10</pre>")
    assert check_site.leaked_checks("p.html", clean, notebook) == []
    assert len(check_site.leaked_checks("p.html", leaked, notebook)) == 1
    assert check_site.leaked_checks("p.html", leaked, None) == []


# --- a whole small site, statically ---------------------------------------------------------


def test_static_checks_on_a_small_site(tmp_path):
    _site(
        tmp_path,
        {
            "index.html": '<a href="01-a.html#s">chapter</a>',
            "01-a.html": (
                '<section id="s"><img src="_images/f.png" alt="A curve that rises."></section>'
            ),
            "_static/theme.html": "<p>an asset, not a page</p>",
        },
    )
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "f.png").write_bytes(b"")
    (tmp_path / "_sources").mkdir()
    (tmp_path / "_sources" / "01-a.ipynb").write_text(
        json.dumps(_notebook(("code", ["remove-cell"], "assert ok")))
    )
    pages = check_site.list_pages(tmp_path)
    assert pages == ["01-a.html", "index.html"]
    _, failures = check_site.static_checks(tmp_path, pages)
    assert failures == []

    (tmp_path / "01-a.html").write_text("<pre>assert ok</pre>")
    _, failures = check_site.static_checks(tmp_path, pages)
    assert len(failures) == 2, failures  # the leaked check, and the anchor #s is gone
    assert any("hidden check cell" in f for f in failures)
    assert any("no id 's'" in f for f in failures)


# --- layout ------------------------------------------------------------------------------


def _formula(**changes):
    formula = {
        "display": True,
        "label": "(8.4)",
        "text": "e = 1",
        "contentWidth": 300,
        "boxWidth": 600,
        "overflows": False,
        "scrolls": True,
        "blockWidth": 600,
        "numberOverlaps": False,
        "numberOutside": False,
    }
    return formula | changes


def _measured(**changes):
    measured = {
        "viewport": 400,
        "scrollWidth": 400,
        "wide": [],
        "formulas": [],
        "cut": [],
        "images": [],
    }
    return measured | changes


def test_layout_problems_accepts_a_page_that_fits():
    fits = _measured(formulas=[_formula(), _formula(overflows=True, contentWidth=900)])
    assert layout_check.layout_problems(fits, 400) == []


def test_layout_problems_reports_a_page_wider_than_the_window():
    wide = [{"element": "span.pre", "right": 428, "text": "dlmath.losses.sparse_categorical"}]
    problems = layout_check.layout_problems(_measured(scrollWidth=428, wide=wide), 400)
    assert problems == [
        "at 400 px the page is 428 px wide in a 400 px window: span.pre reaches 428 px "
        "('dlmath.losses.sparse_categorical')"
    ]
    # one pixel of rounding is no overflow
    assert layout_check.layout_problems(_measured(scrollWidth=401), 400) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"overflows": True, "scrolls": False, "contentWidth": 436}, "is clipped: 436 px"),
        ({"overflows": True, "boxWidth": 617, "blockWidth": 688}, "should move to its own"),
        ({"numberOverlaps": True}, "overlaps the formula"),
        ({"numberOutside": True}, "outside the window"),
    ],
)
def test_layout_problems_reports_formulas(changes, expected):
    problems = layout_check.layout_problems(_measured(formulas=[_formula(**changes)]), 1280)
    assert len(problems) == 1, problems
    assert problems[0].startswith("at 1280 px ")
    assert "formula (8.4) 'e = 1'" in problems[0]
    assert expected in problems[0]


def test_layout_problems_inline_formulas_have_no_block():
    inline = _formula(display=False, label="", blockWidth=None, overflows=True, boxWidth=100)
    assert layout_check.layout_problems(_measured(formulas=[inline]), 360) == []
    clipped = inline | {"scrolls": False}
    [problem] = layout_check.layout_problems(_measured(formulas=[clipped]), 360)
    assert problem.startswith("at 360 px formula 'e = 1' is clipped")


def _pre(**changes):
    pre = {
        "scrollWidth": 808,
        "clientWidth": 684,
        "text": "mnist_model = Sequential(",
        "output": False,
        "scrolls": True,
    }
    return pre | changes


def test_layout_problems_reports_cut_code():
    assert layout_check.layout_problems(_measured(cut=[_pre()]), 1280) == [
        "at 1280 px code is cut (808 px of text in 684 px): 'mnist_model = Sequential('"
    ]
    assert len(layout_check.layout_problems(_measured(cut=[_pre()]), 400)) == 1


def test_layout_problems_reports_cut_images():
    image = {"src": "data:image/png;base64,iVBO", "width": 640, "shownWidth": 368, "cut": True}
    assert layout_check.layout_problems(_measured(images=[image]), 400) == [
        "at 400 px an image is cut: 368 px of its 640 shown (data:image/png;base64,iVBO)"
    ]


def test_printed_output_may_scroll_on_a_phone_only():
    output = _pre(output=True, text="Layer  Activation  Output shape  Parameters")
    assert layout_check.layout_problems(_measured(cut=[output]), 400) == []
    assert len(layout_check.layout_problems(_measured(cut=[output]), 1280)) == 1
    clipped = output | {"scrolls": False}
    assert len(layout_check.layout_problems(_measured(cut=[clipped]), 360)) == 1


# --- axe-core ------------------------------------------------------------------------------


def _violation(rule, impact, count):
    return {
        "id": rule,
        "impact": impact,
        "help": f"{rule} help",
        "targets": [f"#e{k}" for k in range(count)],
    }


def test_axe_problems_fail_serious_and_critical_only():
    violations = [
        _violation("image-alt", "critical", 1),
        _violation("color-contrast", "serious", 5),
        _violation("region", "moderate", 2),
        _violation("aria-allowed-role", "minor", 1),
    ]
    problems = axe_check.axe_problems(violations, 400)
    assert problems == [
        "at 400 px axe critical image-alt: image-alt help (1 element(s): #e0)",
        "at 400 px axe serious color-contrast: color-contrast help "
        "(5 element(s): #e0, #e1, #e2, …)",
    ]


def test_axe_tally_counts_elements_by_impact_per_page_and_in_all():
    tally = axe_check.AxeTally()
    tally.add("a.html", 1280, [_violation("region", "moderate", 2)])
    tally.add("a.html", 400, [])
    tally.add("b.html", 1280, [_violation("x", "serious", 3), _violation("y", "moderate", 1)])
    assert tally.total() == {"critical": 0, "serious": 3, "moderate": 3, "minor": 0}
    report = tally.report()
    assert report == [
        "axe a.html at 1280 px: 0 critical, 0 serious, 2 moderate, 0 minor (region)",
        "axe a.html at 400 px: 0 critical, 0 serious, 0 moderate, 0 minor",
        "axe b.html at 1280 px: 0 critical, 3 serious, 1 moderate, 0 minor (x, y)",
        "axe total, 3 page loads: 0 critical, 3 serious, 3 moderate, 0 minor "
        "(elements with a violation, by impact)",
    ]


def test_axe_core_is_pinned_with_a_sha512_integrity():
    package = axe_check.AXE_CORE
    assert re.fullmatch(r"\d+\.\d+\.\d+", package.version)  # one version, not a range
    assert package.integrity.startswith("sha512-")
    assert fetch_npm.tarball_url(package.name, package.version) == (
        f"https://registry.npmjs.org/axe-core/-/axe-core-{package.version}.tgz"
    )


# --- fetching from npm, and MathJax ----------------------------------------------------------


def test_integrity_of_empty_input_is_the_known_sha512():
    # The SHA-512 of the empty string, as published in FIPS 180-2 test vectors.
    assert fetch_npm.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def test_verify_rejects_other_bytes():
    good = fetch_npm.integrity_of(b"mathjax")
    fetch_npm.verify(b"mathjax", good)
    with pytest.raises(fetch_npm.FetchError, match="integrity"):
        fetch_npm.verify(b"mathjaX", good)


def test_tarball_url():
    assert fetch_npm.tarball_url("mathjax", "3.2.2", "https://registry.npmjs.org/") == (
        "https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz"
    )


def _fake_tarball():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        files = {
            "package/LICENSE": b"Apache-2.0",
            "package/es5/tex-chtml.js": b"/* mathjax */",
            "package/es5/tex-svg.js": b"/* not needed */",
            "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff": b"woff",
            "package/es5/input/tex/extensions/cancel.js": b"/* cancel */",
        }
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_ensure_unpacks_only_what_the_pages_need_and_caches(tmp_path, monkeypatch):
    data = _fake_tarball()
    calls = []

    def fake_download(package, folder, *, use_npm=True):
        calls.append(folder)
        fetch_npm.verify(data, fetch_npm.integrity_of(data))
        return data

    monkeypatch.setattr(fetch_npm, "download", fake_download)
    static = fetch_mathjax.ensure(tmp_path)
    mathjax = static / "mathjax"
    assert (mathjax / "tex-chtml.js").read_bytes() == b"/* mathjax */"
    assert (mathjax / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").is_file()
    assert (mathjax / "input/tex/extensions/cancel.js").is_file()
    assert not (mathjax / "tex-svg.js").exists()
    assert fetch_mathjax.ensure(tmp_path) == static
    assert len(calls) == 1  # the second call found the cache
    assert [p.name for p in tmp_path.iterdir()] == [f"mathjax-{fetch_mathjax.VERSION}"]


def _tarball(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_ensure_keeps_files_at_the_package_root_with_licence_and_version(tmp_path, monkeypatch):
    data = _tarball({"package/axe.min.js": b"/* axe */", "package/LICENSE": b"MPL-2.0"})
    package = fetch_npm.NpmPackage(
        "axe-core",
        "9.9.9",
        fetch_npm.integrity_of(data),
        keep=("axe.min.js",),
        required=("axe.min.js",),
    )
    monkeypatch.setattr(fetch_npm, "_download_with_npm", lambda package, folder: data)
    static = fetch_npm.ensure(package, tmp_path)
    assert fetch_npm.entry_point(package, tmp_path) == static / "axe-core" / "axe.min.js"
    assert (static / "axe-core" / "axe.min.js").read_bytes() == b"/* axe */"
    assert (static / "axe-core" / "LICENSE").read_bytes() == b"MPL-2.0"
    assert "axe-core 9.9.9 (sha512-" in (static / "axe-core" / "VERSION").read_text()


def test_ensure_rejects_a_tarball_that_fails_its_integrity_or_lacks_a_required_file(
    tmp_path, monkeypatch
):
    data = _tarball({"package/other.js": b"/* other */"})
    good = fetch_npm.NpmPackage(
        "axe-core",
        "9.9.9",
        fetch_npm.integrity_of(data),
        keep=("axe.min.js",),
        required=("axe.min.js",),
    )
    monkeypatch.setattr(fetch_npm, "_download_with_npm", lambda package, folder: data)
    with pytest.raises(fetch_npm.FetchError, match=r"has no package/axe\.min\.js"):
        fetch_npm.ensure(good, tmp_path / "a")
    tampered = fetch_npm.NpmPackage(
        "axe-core",
        "9.9.9",
        fetch_npm.integrity_of(b"the real one"),
        keep=("axe.min.js",),
        required=("axe.min.js",),
    )
    with pytest.raises(fetch_npm.FetchError, match="integrity"):
        fetch_npm.ensure(tampered, tmp_path / "b")
    assert not list((tmp_path / "b").glob("axe-core-*"))  # nothing half-unpacked is left
