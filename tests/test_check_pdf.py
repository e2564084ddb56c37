"""Tests of the PDF checker (tools/check_pdf.py): its parsing and judging functions.

The PDF itself is built and checked by ``nox -s pdf``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

TOOLS = Path(__file__).resolve().parents[1] / "tools"
_spec = importlib.util.spec_from_file_location("check_pdf", TOOLS / "check_pdf.py")
check_pdf = importlib.util.module_from_spec(_spec)
sys.modules["check_pdf"] = check_pdf
_spec.loader.exec_module(check_pdf)


def test_chapter_titles_are_the_first_headings_of_the_numbered_chapters(tmp_path):
    (tmp_path / "01-intro.md").write_text("---\nkernel: x\n---\n(chap-intro)=\n# Introduction\n")
    (tmp_path / "02-more.md").write_text(
        "# A real *example*: MNIST\n\n## Not this one\n# Nor this\n"
    )
    (tmp_path / "index.md").write_text("# The book\n")
    assert check_pdf.chapter_titles(tmp_path) == ["Introduction", "A real example: MNIST"]
    (tmp_path / "03-untitled.md").write_text("## only a section\n")
    with pytest.raises(ValueError, match=r"03-untitled\.md has no '# ' title"):
        check_pdf.chapter_titles(tmp_path)


def test_missing_titles_reads_through_case_ligatures_and_line_breaks():
    text = "CHAPTER ONE\nINTRODUCTION\n...\nOptimiza-\ntion by gradient\ndescent\n\ufb01nal words"
    titles = ["Introduction", "Optimization by gradient descent", "Final words", "Summary"]
    assert check_pdf.missing_titles(text, titles) == ["Summary"]


def test_numbering_problems():
    assert check_pdf.numbering_problems("Fig. 2.1: The unit square ... y = Wx + b (2.3)") == []
    problems = check_pdf.numbering_problems("Figure: a square; y = Wx + b (2)")
    assert problems == [
        "no numbered figure ('Fig. N.M') in the text",
        "no numbered equation ('(N.M)') in the text",
    ]


PDFINFO = """Title:           The Mathematical Intuition of Deep Learning
Pages:           3
Page    1 size: 595.276 x 841.89 pts (A4)
Page    1 rot:  0
Page    2 size: 612 x 792 pts (letter)
Page    3 size: 841.89 x 1190.55 pts (A3)
"""


def test_page_sizes_and_count_from_pdfinfo():
    assert check_pdf.page_count(PDFINFO) == 3
    assert check_pdf.page_sizes(PDFINFO) == [(595.276, 841.89), (612.0, 792.0), (841.89, 1190.55)]
    with pytest.raises(ValueError, match="Pages:"):
        check_pdf.page_count("Title: x\n")


def test_page_problems_accepts_a4_and_letter_only():
    a4, letter = (595.276, 841.89), (612.0, 792.0)
    assert check_pdf.page_problems([a4] * 20 + [letter] * 20, chapters=10) == []
    chromium_a4 = (595.92, 842.88)
    assert check_pdf.page_problems([chromium_a4] * 20, chapters=10) == []
    landscape = (792.0, 612.0)
    [problem] = check_pdf.page_problems([a4] * 18 + [landscape, (595.0, 1684.0)], chapters=10)
    assert problem == (
        "2 page(s) larger than A4/letter (612 × 842 pt at most), the first: page 19, 792 × 612 pt"
    )
    [problem] = check_pdf.page_problems([a4] * 5, chapters=10)
    assert problem == "5 pages; expected between 20 and 2000"


def _link(writer, page, dest):
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 50, 30)]),
            NameObject("/Dest"): dest,
        }
    )
    writer.add_annotation(page_number=page, annotation=annotation)


def test_internal_links_are_counted_and_their_destinations_checked(tmp_path):
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    writer.add_named_destination("chapter.1", page_number=1)
    target = writer.pages[2].indirect_reference
    _link(writer, 0, ArrayObject([target, NameObject("/Fit")]))  # explicit, to page 3
    _link(writer, 0, TextStringObject("chapter.1"))  # named, exists
    _link(writer, 1, TextStringObject("chapter.9"))  # named, missing
    path = tmp_path / "links.pdf"
    with path.open("wb") as file:
        writer.write(file)
    count, broken = check_pdf.internal_links(path)
    assert count == 3
    assert broken == ["page 2: a link to the missing destination 'chapter.9'"]


def test_a_pdf_without_links_has_none(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "plain.pdf"
    with path.open("wb") as file:
        writer.write(file)
    assert check_pdf.internal_links(path) == (0, [])
