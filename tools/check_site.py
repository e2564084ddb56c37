"""Check the built book the way a reader sees it: every page, in headless Chromium.

Usage::

    python tools/check_site.py [--html build/html] [--screenshots build/screenshots]

The pages are served from ``--html`` on 127.0.0.1 by Python's ``http.server`` (in a
thread) and opened one by one in Debian's Chromium, driven by Playwright
(``--chromium``, default ``/usr/bin/chromium``; Playwright never downloads a browser
here). Every request to anything but the local server is aborted and counted as a
failure: the book must read offline.

For every page it checks, and reports each failure with the page and what went wrong:

* no console error, no uncaught exception, no failed request, no HTTP error status,
  no request leaving 127.0.0.1, and no script, style sheet, image or font addressed to
  another site in the HTML;
* every ``<img>`` loaded (``naturalWidth > 0``) and has a meaningful ``alt``: not
  missing or empty, not a Python repr (``<Figure size 640x480 with 1 Axes>``), not a
  file name (`alt_problem`);
* MathJax typeset every formula: as many ``mjx-container`` elements as math nodes that
  Sphinx wrote (``span.math``, ``div.math``), and no raw ``$…$``, ``\\(`` or ``\\[``
  left in the visible text (code and signatures excluded);
* no cell error output (``.output.error``, ``.output.traceback``), except in cells
  tagged ``raises-exception``, whose traceback is the point;
* every solution with ``:class: dropdown`` is a closed ``<details>`` element, and no
  ``assert`` line of a hidden check cell (tag ``remove-cell``) reached the page;
* every local link points to an existing file, and its ``#fragment`` to an existing
  ``id`` (or ``name``) in it;
* the page fits windows 1280, 400 and 360 px wide: it is no wider than the window, no
  formula is clipped or squeezed beside its number, and no code is cut
  (``tools/layout_check.py``; every ``<details>`` is opened for this, so that hidden
  code and solutions are measured too);
* axe-core finds no violation of serious or critical impact, at 1280 and 400 px
  (``tools/axe_check.py``); the violations of every impact are counted and printed,
  per page and in all.

Every page is loaded afresh at each width. It also searches the site for ``--query``
(Sphinx's search runs in the page, offline) and expects results, saves a full-page
screenshot of every chapter at 1280 and 400 px under ``--screenshots``
(``<page>-<width>.png``), and one screenshot of a figure in the theme's dark mode
(``dark-<page>.png``).

The checks that need no browser (links, external assets, image alternative texts, math
and error nodes in the HTML, leaked check cells) are plain functions, tested in
``tests/test_check_site.py``; ``--static-only`` runs only them.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import posixpath
import re
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import axe_check
import layout_check

ROOT = Path(__file__).resolve().parents[1]

#: Folders of the HTML output that hold assets, not pages.
ASSET_FOLDERS = ("_static", "_sources", "_images", "_downloads", "_sphinx_design_static")
#: Elements that have no end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
#: Chromium flags that work in containers (no sandbox, no GPU, no background traffic).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Chapters are the pages named like ``01-introduction.html``.
CHAPTER = re.compile(r"^\d\d-[^/]+\.html$")
#: The widths of the full-page screenshots of every chapter.
SCREENSHOT_WIDTHS = (1280, 400)


# --- what a page's HTML contains ----------------------------------------------------


@dataclass
class PageScan:
    """What `scan_html` found in one page's HTML."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    #: (tag, attribute, URL) of everything the page loads: scripts, styles, images...
    assets: list[tuple[str, str, str]] = field(default_factory=list)
    math_nodes: int = 0
    error_outputs: int = 0
    #: dropdown solutions that are not a ``<details>`` element, or are open
    open_solutions: int = 0
    #: (src, alt) of every ``<img>``; alt is None when the attribute is missing
    images: list[tuple[str, str | None]] = field(default_factory=list)
    text: str = ""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self.stack: list[tuple[str, set[str]]] = []
        self.text: list[str] = []

    def _inside(self, cls: str) -> bool:
        return any(cls in classes for _, classes in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        classes = set(attributes.get("class", "").split())
        scan = self.scan
        for key in ("id", "name"):
            if attributes.get(key) and (key == "id" or tag == "a"):
                scan.ids.add(attributes[key])
        if tag == "a" and "href" in attributes:
            scan.links.append(attributes["href"])
        for attribute in ("src", "poster", "data"):
            if attribute in attributes and tag in {
                "script",
                "img",
                "iframe",
                "source",
                "video",
                "audio",
                "embed",
                "object",
                "input",
                "track",
            }:
                scan.assets.append((tag, attribute, attributes[attribute]))
        if tag == "img":
            alt = next((value or "" for name, value in attrs if name == "alt"), None)
            scan.images.append((attributes.get("src", ""), alt))
        if tag == "img" and attributes.get("srcset"):
            for candidate in attributes["srcset"].split(","):
                if candidate.strip():
                    scan.assets.append((tag, "srcset", candidate.split()[0]))
        if tag == "link" and "href" in attributes:
            rel = set(attributes.get("rel", "").lower().split())
            if rel & {"stylesheet", "preload", "icon", "modulepreload", "prefetch", "manifest"}:
                scan.assets.append((tag, "href", attributes["href"]))
        if tag in {"span", "div"} and "math" in classes:
            scan.math_nodes += 1
        if (
            "output" in classes
            and classes & {"error", "traceback"}
            and not self._inside("tag_raises-exception")
        ):
            scan.error_outputs += 1
        if (
            "solution" in classes
            and "dropdown" in classes
            and (tag != "details" or "open" in attributes)
        ):
            scan.open_solutions += 1
        if tag not in VOID:
            self.stack.append((tag, classes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if not any(tag in {"script", "style"} for tag, _ in self.stack):
            self.text.append(data)


def scan_html(html: str) -> PageScan:
    """Read one page's HTML: anchors, links, loaded assets, math and error nodes, text."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    scanner.scan.text = "".join(scanner.text)
    return scanner.scan


def is_external(url: str) -> bool:
    """Whether ``url`` addresses another site (``http(s)://…``, ``//host/…``, ``ws://…``)."""
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https", "ws", "wss", "ftp"} or (
        not parts.scheme and url.strip().startswith("//")
    )


def resolve_link(page: str, href: str) -> tuple[str, str] | None:
    """The site file and fragment that a local ``href`` on ``page`` points to.

    ``page`` is the page's path relative to the site root (``api/layers.html``). Returns
    ``(path, fragment)`` with ``path`` relative to the root (``""`` fragment when there
    is none), or None for a link that leaves the site or is no file (``mailto:``,
    ``javascript:``, ``data:``, an empty ``#``).
    """
    href = href.strip()
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//") or not href or href == "#":
        return None
    fragment = unquote(parts.fragment)
    if not parts.path:
        return page, fragment
    base = posixpath.dirname(page)
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if parts.path.endswith("/"):
        path = posixpath.join(path, "index.html")
    return path, fragment


def external_assets(page: str, scan: PageScan) -> list[str]:
    """Failures: assets of ``page`` loaded from another site."""
    return [
        f"{page}: <{tag} {attribute}> loads {url} from another site"
        for tag, attribute, url in scan.assets
        if is_external(url)
    ]


#: Python reprs that matplotlib and IPython leave as an image's text.
_REPR = re.compile(r"^<.*>$|\bobject at 0x[0-9a-f]+|^<?Figure size \d", re.DOTALL)
#: An alt that is only a file name or path (Sphinx's default alt is the image's path).
_FILE_NAME = re.compile(r"^\S+\.(png|jpe?g|gif|svg|webp|avif|bmp|pdf)$", re.IGNORECASE)
#: Words that name the kind of thing, not what it shows.
_GENERIC = frozenset({"image", "figure", "img", "picture", "plot", "graph", "chart", "png"})


def alt_problem(src: str, alt: str | None) -> str | None:
    """Why ``alt`` is no meaningful alternative text for the image ``src``; None if it is.

    Missing, empty or blank; a Python repr (``<Figure size 640x480 with 1 Axes>``,
    ``<IPython.core.display.Image object>``); a file name or path, such as the one Sphinx
    writes when it is given none; or a generic word such as "image" or "figure".
    """
    if alt is None:
        return "has no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "has an empty alt"
    if _REPR.search(text):
        return f"has a Python repr as its alt ({text[:60]!r})"
    name = posixpath.basename(urlsplit(src).path) if src and not src.startswith("data:") else ""
    if _FILE_NAME.match(text) or (name and text == name):
        return f"has a file name as its alt ({text[:60]!r})"
    if text.lower().strip(".") in _GENERIC:
        return f"has a generic alt ({text!r}) that does not say what it shows"
    return None


def image_alts(page: str, scan: PageScan) -> list[str]:
    """Failures: images of ``page`` without a meaningful alternative text."""
    failures = []
    for src, alt in scan.images:
        problem = alt_problem(src, alt)
        if problem:
            shown = src if not src.startswith("data:") else src[:30] + "…"
            failures.append(f"{page}: <img src={shown!r}> {problem}")
    return failures


def check_links(root: Path, scans: dict[str, PageScan]) -> list[str]:
    """Failures: local links whose file or ``#fragment`` does not exist.

    ``scans`` maps every page (relative path) to its `PageScan`; fragments in other
    HTML files are looked up by scanning those files.
    """
    failures = []
    cache: dict[str, set[str]] = {}

    def ids_of(path: str) -> set[str]:
        if path in scans:
            return scans[path].ids
        if path not in cache:
            cache[path] = scan_html((root / path).read_text(encoding="utf-8")).ids
        return cache[path]

    for page, scan in sorted(scans.items()):
        for href in scan.links:
            target = resolve_link(page, href)
            if target is None:
                continue
            path, fragment = target
            if path.startswith("../") or path == "..":
                failures.append(f"{page}: link {href!r} leaves the site")
                continue
            if not (root / path).is_file():
                failures.append(f"{page}: link {href!r} points to missing file {path}")
                continue
            if fragment and path.endswith(".html") and fragment not in ids_of(path):
                failures.append(f"{page}: link {href!r}: no id {fragment!r} in {path}")
    return failures


_RAW_MATH = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$"  # TeX delimiters that MathJax should have consumed
    r"|(?<![\w$\\])\$(?=\S)[^$\n]+?(?<=\S)\$(?![\w$])"  # $…$ (not $5 … $10)
)


def find_raw_math(text: str) -> list[str]:
    """Pieces of ``text`` that look like TeX that MathJax did not typeset.

    ``$…$`` counts when the dollars hug the formula (``$x$``, not ``$5 and $10``), as in
    TeX and Pandoc; ``\\(``, ``\\)``, ``\\[``, ``\\]`` and ``$$`` always count.
    """
    found = []
    for match in _RAW_MATH.finditer(text):
        start, end = max(match.start() - 20, 0), min(match.end() + 20, len(text))
        found.append(" ".join(text[start:end].split()))
    return found


def hidden_check_lines(notebook: dict) -> list[str]:
    """The ``assert`` lines of the cells tagged ``remove-cell`` in a notebook (nbformat 4)."""
    lines = []
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and "remove-cell" in tags:
            source = cell["source"]
            source = "".join(source) if isinstance(source, list) else source
            lines += [ln.strip() for ln in source.splitlines() if ln.strip().startswith("assert")]
    return lines


def leaked_checks(page: str, scan: PageScan, notebook: dict | None) -> list[str]:
    """Failures: ``assert`` lines of hidden check cells that appear in the page's text."""
    if notebook is None:
        return []
    return [
        f"{page}: the hidden check cell line {line!r} is visible in the HTML"
        for line in hidden_check_lines(notebook)
        if line in scan.text
    ]


def list_pages(root: Path) -> list[str]:
    """Every HTML page of the site (relative paths), assets folders left out."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if not path.relative_to(root).parts[0].startswith(ASSET_FOLDERS)
    )


def static_checks(root: Path, pages: list[str]) -> tuple[dict[str, PageScan], list[str]]:
    """Scan every page and run the checks that need no browser."""
    scans = {page: scan_html((root / page).read_text(encoding="utf-8")) for page in pages}
    failures = []
    for page, scan in scans.items():
        failures += external_assets(page, scan)
        failures += image_alts(page, scan)
        if scan.error_outputs:
            failures.append(f"{page}: {scan.error_outputs} cell error output(s) in the HTML")
        if scan.open_solutions:
            failures.append(
                f"{page}: {scan.open_solutions} dropdown solution(s) not rendered as a "
                "closed <details>"
            )
        # the executed notebook: offered for download, or else where MyST-NB wrote it
        stem = Path(page).with_suffix(".ipynb")
        candidates = [root / "_sources" / stem, root.parent / "jupyter_execute" / stem]
        found = [path for path in candidates if path.is_file()]
        notebook = json.loads(found[0].read_text(encoding="utf-8")) if found else None
        failures += leaked_checks(page, scan, notebook)
    failures += check_links(root, scans)
    return scans, failures


# --- in the browser -----------------------------------------------------------------

_PAGE_STATE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const skip = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight, .sig";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement && n.parentElement.closest(skip)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
  return {
    mathjax: !!(window.MathJax && MathJax.startup),
    containers: document.querySelectorAll("mjx-container").length,
    mathErrors: document.querySelectorAll("mjx-merror, [data-mjx-error]").length,
    brokenImages: [...document.images]
      .filter((img) => !img.complete || img.naturalWidth === 0)
      .map((img) => img.getAttribute("src")),
    openSolutions: document.querySelectorAll("details.solution[open]").length,
    errorOutputs: [...document.querySelectorAll(".output.error, .output.traceback")]
      .filter((el) => !el.closest(".tag_raises-exception")).length,
    text: texts.join(" "),
  };
}
"""


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


#: Opens every ``<details>``, so that hidden code cells and solutions are measured too.
_OPEN_ALL = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
#: The theme makes scrolling blocks focusable 300 ms after the layout settles.
_SETTLE_MS = 400


class Browser:
    """Headless Chromium with every request off 127.0.0.1 aborted and recorded."""

    def __init__(self, playwright, chromium: str, base: str, profile: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.axe_script: Path | None = None
        self.axe = axe_check.AxeTally()
        self.context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, page_path: str, problems: list[str], *, dark: bool = False, width: int = 1280):
        """Open a page; record its console errors, failed requests and external requests."""
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        if dark:
            page.emulate_media(color_scheme="dark")
            page.add_init_script(
                "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');"
            )
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
        page.on(
            "requestfailed",
            lambda r: (
                r.url.startswith(self.base)
                and problems.append(f"request failed: {r.url} ({r.failure})")
            ),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"),
        )
        before = len(self.outside)
        page.goto(self.base + page_path, wait_until="load")
        page.wait_for_load_state("networkidle")
        return page, before

    def check_page(self, page_path: str, scan: PageScan, screenshots: Path | None) -> list[str]:
        """Every check of one page, at every width; screenshots when a folder is given."""
        problems: list[str] = []
        for width in layout_check.WIDTHS:
            page, before = self.open(page_path, problems, width=width)
            try:
                state = page.evaluate(_PAGE_STATE)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(_SETTLE_MS)
                if width == layout_check.WIDTHS[0]:
                    problems += self._content_problems(scan, state)
                if self.axe_script is not None and width in axe_check.AXE_WIDTHS:
                    page.add_script_tag(path=str(self.axe_script))
                    violations = page.evaluate(axe_check.RUN)
                    self.axe.add(page_path, width, violations)
                    problems += axe_check.axe_problems(violations, width)
                if screenshots is not None and width in SCREENSHOT_WIDTHS:
                    name = page_path.replace("/", "-").removesuffix(".html")
                    screenshots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
                page.evaluate(_OPEN_ALL)
                problems += layout_check.layout_problems(page.evaluate(layout_check.MEASURE), width)
            finally:
                page.close()
            problems += [f"request to another site: {url}" for url in self.outside[before:]]
        unique = list(dict.fromkeys(problems))  # a console error repeats at every width
        return [f"{page_path}: {problem}" for problem in unique]

    @staticmethod
    def _content_problems(scan: PageScan, state: dict) -> list[str]:
        problems = [f"image did not load: {src}" for src in state["brokenImages"]]
        if scan.math_nodes and not state["mathjax"]:
            problems.append(f"{scan.math_nodes} math node(s) but MathJax did not start")
        elif state["containers"] != scan.math_nodes:
            problems.append(
                f"MathJax typeset {state['containers']} formula(s), Sphinx wrote "
                f"{scan.math_nodes} math node(s)"
            )
        if state["mathErrors"]:
            problems.append(f"{state['mathErrors']} MathJax error(s) (bad TeX)")
        problems += [f"raw TeX left in the text: …{bit}…" for bit in find_raw_math(state["text"])]
        if state["errorOutputs"]:
            problems.append(f"{state['errorOutputs']} cell error output(s) on the page")
        if state["openSolutions"]:
            problems.append(f"{state['openSolutions']} solution(s) open on load")
        return problems

    def check_search(self, query: str) -> list[str]:
        problems: list[str] = []
        page, before = self.open(f"search.html?q={query}", problems)
        try:
            page.wait_for_function(
                "() => document.querySelectorAll('#search-results li').length > 0"
                " || /did not match|no results/i.test("
                "(document.querySelector('#search-results') || {}).innerText || '')",
                timeout=20_000,
            )
            hits = page.locator("#search-results li").count()
        finally:
            page.close()
        problems += [f"request to another site: {url}" for url in self.outside[before:]]
        if hits == 0:
            problems.append(f"searching {query!r} found nothing")
        return [f"search.html?q={query}: {problem}" for problem in problems]

    def dark_screenshot(self, page_path: str, path: Path) -> list[str]:
        problems: list[str] = []
        # the page's own problems were reported in light mode already
        page, _ = self.open(page_path, [], dark=True)
        try:
            page.evaluate(_PAGE_STATE)
            theme = page.evaluate("document.documentElement.dataset.theme")
            if theme != "dark":
                problems.append(f"the dark mode did not apply (data-theme={theme!r})")
            figure = page.locator("figure img").first
            if figure.count():
                figure.scroll_into_view_if_needed()
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
        finally:
            page.close()
        return [f"{page_path} (dark): {problem}" for problem in problems]


def browser_checks(
    root: Path,
    scans: dict[str, PageScan],
    *,
    chromium: str,
    screenshots: Path,
    query: str,
    axe_cache: Path,
) -> list[str]:
    from playwright.sync_api import sync_playwright

    if not Path(chromium).is_file():
        return [f"no Chromium at {chromium} (apt-get install chromium)"]
    axe_script = axe_check.script(axe_cache)
    screenshots.mkdir(parents=True, exist_ok=True)
    for stale in screenshots.glob("*.png"):
        stale.unlink()
    server, base = _serve(root)
    failures = []
    try:
        with tempfile.TemporaryDirectory(prefix="check-site-") as profile, sync_playwright() as p:
            browser = Browser(p, chromium, base, profile)
            browser.axe_script = axe_script
            try:
                for page_path, scan in scans.items():
                    failures += browser.check_page(
                        page_path, scan, screenshots if CHAPTER.match(page_path) else None
                    )
                    print(f"  {page_path}", file=sys.stderr)
                if "search.html" in scans:
                    failures += browser.check_search(query)
                with_figure = [
                    p
                    for p in scans
                    if CHAPTER.match(p) and "<figure" in (root / p).read_text(encoding="utf-8")
                ] or [p for p in scans if CHAPTER.match(p)]
                if with_figure:
                    name = "dark-" + with_figure[0].replace(".html", ".png")
                    failures += browser.dark_screenshot(with_figure[0], screenshots / name)
            finally:
                browser.context.close()
            for line in browser.axe.report():
                print(line)
    finally:
        server.shutdown()
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "build" / "html")
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--query", default="softmax", help="a word the search must find")
    parser.add_argument(
        "--axe-cache",
        type=Path,
        default=ROOT / "build" / "axe-core",
        help="where axe-core is downloaded to (once) and read from",
    )
    parser.add_argument("--static-only", action="store_true", help="skip the browser")
    parser.add_argument("pages", nargs="*", help="only these pages (relative paths)")
    args = parser.parse_args(argv)

    root = args.html.resolve()
    if not (root / "index.html").is_file():
        print(f"check_site: no book at {root} (build it first: nox -s docs)", file=sys.stderr)
        return 2
    screenshots = args.screenshots or root.parent / "screenshots"
    pages = args.pages or list_pages(root)
    scans, failures = static_checks(root, pages)
    print(f"check_site: {len(pages)} pages in {root}", file=sys.stderr)
    if not args.static_only:
        failures += browser_checks(
            root,
            scans,
            chromium=args.chromium,
            screenshots=screenshots,
            query=args.query,
            axe_cache=args.axe_cache,
        )
    for failure in failures:
        print(f"FAIL {failure}")
    if failures:
        print(f"check_site: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"check_site: all {len(pages)} pages pass; screenshots in {screenshots}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
