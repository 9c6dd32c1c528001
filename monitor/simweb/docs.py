"""Real PDF and DOCX bytes with Cyrillic and Kazakh text, made offline.

Official texts are often published only as attachments, so tests, the demo and
benchmarks need genuine files: a PDF laid out the way office software does it
(wrapped lines, first-line indents, words hyphenated across lines, page
numbers, paragraphs running over page breaks) and a DOCX with metadata.

PDFs need a TrueType font with Cyrillic and Kazakh glyphs: DejaVu Sans is looked
for in the usual places (Debian's fonts-dejavu-core); `MONITOR_PDF_FONT` names
another file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

FONT_ENV = "MONITOR_PDF_FONT"
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
# Letters a hyphenated fragment must keep on each side of the break.
_MIN_FRAGMENT = 3
_PT_PER_MM = 72 / 25.4


class FontNotFoundError(RuntimeError):
    """No TrueType font with Cyrillic glyphs is available to draw PDF text."""


@lru_cache(maxsize=1)
def find_font() -> Path:
    """The TTF used for PDF text; cached because the file system does not change mid-run."""
    configured = os.environ.get(FONT_ENV)
    candidates = [configured] if configured else list(_FONT_CANDIDATES)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    raise FontNotFoundError(
        f"no TrueType font with Cyrillic glyphs found (tried {', '.join(candidates)}); "
        f"install fonts-dejavu-core or set {FONT_ENV} to a .ttf file"
    )


def _wrap(
    text: str, first_width: float, width: float, measure: Callable[[str], float], hyphenate: bool
) -> list[str]:
    """Greedy line breaking; a word that does not fit is split with a hyphen when it can be.

    Words that already contain a hyphen or a digit are never split, so that every
    hyphen at a line end in the output is a typographic one.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        limit = first_width if not lines else width
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= limit:
            current = candidate
            continue
        if hyphenate and current and word.isalpha() and len(word) >= 2 * _MIN_FRAGMENT:
            for cut in range(len(word) - _MIN_FRAGMENT, _MIN_FRAGMENT - 1, -1):
                head = f"{current} {word[:cut]}-"
                if measure(head) <= limit:
                    lines.append(head)
                    current = word[cut:]
                    break
            else:
                lines.append(current)
                current = word
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def make_pdf(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
    font_size: float = 11.0,
    hyphenate: bool = True,
    page_numbers: bool = True,
    metadata_title: bool = True,
    indent_mm: float = 12.5,
    paragraph_spacing: float = 0.4,
) -> bytes:
    """An A4 PDF: optional centred title, then indented, wrapped, hyphenated paragraphs.

    `metadata_title=False` leaves the title out of the document info, so that an
    extractor has to take it from the first line; `indent_mm` (first-line indent)
    and `paragraph_spacing` (extra space after a paragraph, in lines) vary the
    layout cues an extractor rebuilds paragraphs from.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.add_font("Body", fname=str(find_font()))
    pdf.set_creation_date(created or datetime.now(UTC))
    if title and metadata_title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creator("monitor.simweb.docs")
    margin = 25 * _PT_PER_MM
    indent = indent_mm * _PT_PER_MM
    width = pdf.w - 2 * margin
    leading = font_size * 1.35
    bottom = pdf.h - margin
    measure: Callable[[str], float] = pdf.get_string_width
    y = 0.0

    def new_page() -> None:
        nonlocal y
        pdf.add_page()
        y = margin + font_size
        if page_numbers:
            pdf.set_font("Body", size=font_size - 2)
            label = str(pdf.page_no())
            pdf.text(pdf.w / 2 - measure(label) / 2, pdf.h - margin / 2, label)

    new_page()
    if title:
        pdf.set_font("Body", size=font_size + 3)
        for line in _wrap(title, width, width, measure, hyphenate=False):
            pdf.text(pdf.w / 2 - measure(line) / 2, y, line)
            y += leading * 1.3
        y += leading * 0.7
    pdf.set_font("Body", size=font_size)
    for paragraph in paragraphs:
        lines = _wrap(" ".join(paragraph.split()), width - indent, width, measure, hyphenate)
        for number, line in enumerate(lines):
            if y > bottom:
                new_page()
                pdf.set_font("Body", size=font_size)
            pdf.text(margin + (indent if number == 0 else 0), y, line)
            y += leading
        y += leading * paragraph_spacing
    return bytes(pdf.output())


def make_blank_pdf(pages: int = 1) -> bytes:
    """A PDF whose pages carry only drawings, like a scan without an OCR text layer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(60, 60, pdf.w - 120, pdf.h - 120, style="F")
    return bytes(pdf.output())


def make_docx(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
    heading: bool = True,
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    """A Word document: the title as a heading (and in the core properties), then paragraphs.

    `table` rows are appended after the paragraphs, as signature blocks of treaties are.
    """
    import docx

    document = docx.Document()
    props = document.core_properties
    # The stock template says 2013; an unset date would leak into published_at.
    props.created = props.modified = created or datetime.now(UTC)
    props.title = title or ""
    props.author = author or ""
    if title and heading:
        document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for row_cells, row in zip(grid.rows, table, strict=True):
            for cell, value in zip(row_cells.cells, row, strict=False):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
