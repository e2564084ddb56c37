"""Check the book's PDF: chapters, pages, paper size, internal links.

Usage::

    python tools/check_pdf.py build/pdf/dlmath.pdf [--book book]

Run by ``nox -s pdf`` after it builds the PDF. It fails, saying why, unless:

* the text (``pdftotext``, from poppler-utils) has the title of every chapter
  (the first ``# `` heading of each ``book/NN-*.md``), its figure captions are numbered
  ("Fig. 2.1") and its equations too ("(2.1)");
* the page count is sane: at least `MIN_PAGES_PER_CHAPTER` pages per chapter and at most
  `MAX_PAGES`;
* no page is wider or taller than A4 or US letter allow (``pdfinfo``): at most
  `MAX_WIDTH` × `MAX_HEIGHT` points;
* the PDF has internal links (to its chapters, sections, figures, equations, index),
  and every one of them leads to a destination that exists (read with pypdf).

The parsing and judging are plain functions, tested in ``tests/test_check_pdf.py``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: US letter is 612 pt wide, A4 842 pt tall: a page may be neither wider nor taller.
MAX_WIDTH = 612.0
MAX_HEIGHT = 842.0
#: Rounding of the page box in points: A4 is 595.276 × 841.89, Chromium's 595.92 × 842.88.
SLACK = 2.0
MIN_PAGES_PER_CHAPTER = 2
MAX_PAGES = 2000

_HEADING = re.compile(r"^# (.+?)\s*$", re.MULTILINE)
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.MULTILINE)
_PAGES = re.compile(r"^Pages:\s+(\d+)\s*$", re.MULTILINE)
_FIGURE_NUMBER = re.compile(r"\bFig\.\s*\d+\.\d+\b")
_EQUATION_NUMBER = re.compile(r"\(\d+\.\d+\)")


def chapter_titles(book: Path) -> list[str]:
    """The title of every chapter: the first ``# `` heading of ``book/NN-*.md``."""
    titles = []
    for path in sorted(Path(book).glob("[0-9][0-9]-*.md")):
        match = _HEADING.search(path.read_text(encoding="utf-8"))
        if match is None:
            raise ValueError(f"{path} has no '# ' title")
        titles.append(re.sub(r"[*_`]", "", match.group(1)))
    return titles


def normalise(text: str) -> str:
    """Text as compared: ligatures split (NFKC), words broken at line ends joined,
    whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split()).casefold()


def missing_titles(text: str, titles: list[str]) -> list[str]:
    """The titles that do not occur in ``text`` (compared after `normalise`)."""
    found = normalise(text)
    return [title for title in titles if normalise(title) not in found]


def numbering_problems(text: str) -> list[str]:
    """Failures: no numbered figure caption, or no numbered equation, in the text."""
    problems = []
    if not _FIGURE_NUMBER.search(text):
        problems.append("no numbered figure ('Fig. N.M') in the text")
    if not _EQUATION_NUMBER.search(text):
        problems.append("no numbered equation ('(N.M)') in the text")
    return problems


def page_sizes(pdfinfo: str) -> list[tuple[float, float]]:
    """(width, height) in points of every page, from ``pdfinfo -f 1 -l N`` output."""
    return [(float(w), float(h)) for _, w, h in _PAGE_SIZE.findall(pdfinfo)]


def page_count(pdfinfo: str) -> int:
    """The ``Pages:`` line of ``pdfinfo`` output."""
    match = _PAGES.search(pdfinfo)
    if match is None:
        raise ValueError("pdfinfo printed no 'Pages:' line")
    return int(match.group(1))


def page_problems(sizes: list[tuple[float, float]], chapters: int) -> list[str]:
    """Failures: a page count out of range, or pages larger than A4/letter allow."""
    problems = []
    low = MIN_PAGES_PER_CHAPTER * chapters
    if not low <= len(sizes) <= MAX_PAGES:
        problems.append(f"{len(sizes)} pages; expected between {low} and {MAX_PAGES}")
    large = [
        (number, width, height)
        for number, (width, height) in enumerate(sizes, start=1)
        if width > MAX_WIDTH + SLACK or height > MAX_HEIGHT + SLACK
    ]
    if large:
        number, width, height = large[0]
        problems.append(
            f"{len(large)} page(s) larger than A4/letter ({MAX_WIDTH:g} × {MAX_HEIGHT:g} pt "
            f"at most), the first: page {number}, {width:g} × {height:g} pt"
        )
    return problems


def internal_links(path: Path) -> tuple[int, list[str]]:
    """How many internal links the PDF has, and the ones whose destination is missing.

    A link is a ``/Link`` annotation with a ``/Dest`` or a ``/GoTo`` action. Its
    destination is either explicit (a page) or a name that must be among the
    document's named destinations.
    """
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    names = set(reader.named_destinations)
    pages = {page.indirect_reference.idnum for page in reader.pages}
    count, broken = 0, []
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            action = action.get_object() if action is not None else None
            if "/Dest" in annotation:
                dest = annotation["/Dest"]
            elif action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            else:
                continue  # a link to a web page
            count += 1
            dest = dest.get_object() if hasattr(dest, "get_object") else dest
            if isinstance(dest, str):
                if dest not in names:
                    broken.append(f"page {number}: a link to the missing destination {dest!r}")
            elif not dest or getattr(dest[0], "idnum", None) not in pages:
                broken.append(f"page {number}: a link to no page ({dest!r:.60})")
    return count, broken


def _run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()[-300:]}")
    return result.stdout


def check(path: Path, book: Path) -> list[str]:
    """Every failure of the PDF at ``path``; prints what it measured."""
    info = _run("pdfinfo", str(path))
    count = page_count(info)
    sizes = page_sizes(_run("pdfinfo", "-f", "1", "-l", str(count), str(path)))
    text = _run("pdftotext", "-enc", "UTF-8", str(path), "-")
    titles = chapter_titles(book)
    problems = [
        f"chapter title {title!r} is not in the text" for title in missing_titles(text, titles)
    ]
    problems += numbering_problems(text)
    problems += page_problems(sizes, len(titles))
    links, broken = internal_links(path)
    if links == 0:
        problems.append("the PDF has no internal link")
    problems += broken
    largest = max(sizes, default=(0.0, 0.0))
    print(
        f"check_pdf: {path}: {count} pages (largest {largest[0]:g} × {largest[1]:g} pt), "
        f"{len(titles)} chapter titles, {links} internal links"
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="the chapters' folder")
    args = parser.parse_args(argv)
    if not args.pdf.is_file():
        print(f"check_pdf: no PDF at {args.pdf} (build it: nox -s pdf)", file=sys.stderr)
        return 2
    problems = check(args.pdf, args.book)
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"check_pdf: {len(problems)} failure(s)", file=sys.stderr)
        return 1
    print("check_pdf: the PDF passes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
