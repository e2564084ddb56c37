"""Tests of the site checker (tools/check_site.py) and the MathJax fetcher (tools/fetch_mathjax.py).

Only their pure functions: the browser run itself is ``nox -s browser``.
"""

import importlib.util
import io
import json
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


check_site = _load("check_site")
fetch_mathjax = _load("fetch_mathjax")


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
            "01-a.html": '<section id="s"><img src="_images/f.png"></section>',
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


# --- MathJax ---------------------------------------------------------------------------------


def test_integrity_of_empty_input_is_the_known_sha512():
    # The SHA-512 of the empty string, as published in FIPS 180-2 test vectors.
    assert fetch_mathjax.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def test_verify_rejects_other_bytes():
    good = fetch_mathjax.integrity_of(b"mathjax")
    fetch_mathjax.verify(b"mathjax", good)
    with pytest.raises(fetch_mathjax.MathJaxError, match="integrity"):
        fetch_mathjax.verify(b"mathjaX", good)


def test_tarball_url():
    assert fetch_mathjax.tarball_url("https://registry.npmjs.org/", "3.2.2") == (
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

    def fake_download(folder, *, use_npm=True):
        calls.append(folder)
        fetch_mathjax.verify(data, fetch_mathjax.integrity_of(data))
        return data

    monkeypatch.setattr(fetch_mathjax, "download", fake_download)
    static = fetch_mathjax.ensure(tmp_path)
    mathjax = static / "mathjax"
    assert (mathjax / "tex-chtml.js").read_bytes() == b"/* mathjax */"
    assert (mathjax / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").is_file()
    assert (mathjax / "input/tex/extensions/cancel.js").is_file()
    assert not (mathjax / "tex-svg.js").exists()
    assert fetch_mathjax.ensure(tmp_path) == static
    assert len(calls) == 1  # the second call found the cache
    assert [p.name for p in tmp_path.iterdir()] == [f"mathjax-{fetch_mathjax.VERSION}"]
