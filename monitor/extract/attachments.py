"""Text of PDF and DOCX attachments, in the same shape as text extracted from HTML.

Treaties, protocols and joint statements are often published only as a linked
PDF or Word file, so those are versioned like pages. The text must come out the
same from fetch to fetch and read like the HTML text: one paragraph per line.
A PDF only has positioned lines, so paragraphs are rebuilt from the layout
(vertical gaps, first-line indents, short last lines) and words hyphenated
across a line end are joined again.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.extract.article import Extracted, ExtractionError, normalize_text
from monitor.extract.docx_bounds import (
    MAX_DOCX_DEPTH,
    MAX_DOCX_ELEMENTS,
    MAX_DOCX_MEMBERS,
    MAX_DOCX_XML_BYTES,
    check_docx_bounds,
)
from monitor.extract.page import is_attachment

__all__ = [
    "MAX_BYTES",
    "MAX_DOCX_DEPTH",
    "MAX_DOCX_ELEMENTS",
    "MAX_DOCX_MEMBERS",
    "MAX_DOCX_XML_BYTES",
    "MAX_PDF_PAGES",
    "extract_docx",
    "extract_pdf",
    "is_attachment",
]

MAX_PDF_PAGES = 500
MAX_BYTES = 50_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_size(body: bytes, kind: str, max_bytes: int) -> None:
    if not body:
        raise ExtractionError(f"empty {kind} file (0 bytes)")
    if len(body) > max_bytes:
        raise ExtractionError(f"{kind} file is {len(body)} bytes; the limit is {max_bytes}")


def _plausible_date(value: object) -> datetime | None:
    """Metadata dates are often template defaults or garbage; keep only believable ones."""
    if not isinstance(value, datetime):
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if value.year < 1995 or value > datetime.now(UTC):
        return None
    return value


_JUNK_TITLE = re.compile(
    r"^(untitled|без названия|документ\d*|document\d*|microsoft word.*)$|"
    r"\.(docx?|pdf|rtf|odt)$",
    re.IGNORECASE,
)


def _clean_title(value: object) -> str | None:
    """A metadata title, unless it is a file name or an office suite's placeholder."""
    if not isinstance(value, str):
        return None
    title = normalize_text(value.replace("\n", " "))
    title = re.sub(r"^Microsoft Word - ", "", title)
    if not title or _JUNK_TITLE.search(title):
        return None
    return title[:1000]


def _first_line(text: str) -> str | None:
    return text.split("\n", 1)[0][:300] or None


# --- PDF -------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float  # font size in user space points


_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(стр\.?|страница|page|бет|б\.)?\s*\d{1,4}\s*((из|of|/)\s*\d{1,4})?[-–—\s]*$"
    r"|^[-–—\s]*\d{1,4}\s*(бет|стр\.?)?[-–—\s]*$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(\d{1,3}(\.\d{1,3})*[.)]|[a-zа-я][.)]|[-–—•·▪])\s", re.IGNORECASE)
_HYPHENS = "-\u2010\u2011"
_SENTENCE_END = '.!?:;»"…)'


def _page_lines(page: object) -> list[_Line]:
    """Lines of one page with the position of their first glyph, in reading order."""
    lines: list[_Line] = []
    parts: list[str] = []
    where: list[tuple[float, float, float]] = []

    def flush() -> None:
        joined = "".join(parts).replace("\n", " ").rstrip()
        text = normalize_text(joined)
        if text and where:
            # normalize_text drops soft hyphens; one at the line end marks a broken word
            lines.append(_Line(text + "\u00ad" * joined.endswith("\u00ad"), *where[0]))
        parts.clear()
        where.clear()

    def visit(text: str, cm: list[float], tm: list[float], _: object, size: float) -> None:
        for number, piece in enumerate(text.split("\n")):
            if number:
                flush()
            if piece.strip() and not where:
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                where.append((x, y, abs(size * tm[3] * cm[3]) or size))
            parts.append(piece)

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    flush()
    if lines and _PAGE_NUMBER.match(lines[-1].text):
        lines.pop()
    if lines and _PAGE_NUMBER.match(lines[0].text):
        lines.pop(0)
    return lines


def _dehyphenate(left: str, right: str, text: str) -> str | None:
    """`left` + `right` when `left` ends inside a word broken across the line end, else None.

    The hyphen is dropped (сотруд-/ничество) unless it belongs to the word: after a
    digit (1990-х), before a capital (Санкт-Петербург), or when the hyphenated form
    occurs elsewhere in the document (северо-западный).
    """
    if left.endswith("\u00ad"):
        return left[:-1] + right
    if len(left) < 2 or left[-1] not in _HYPHENS or not left[-2].isalnum():
        return None
    if not right[:1].isalnum():
        return None
    if not (left[-2].isalpha() and left[-2].islower() and right[0].islower()):
        return left + right
    head = re.findall(r"\w+$", left[:-1])[0]
    tail = re.findall(r"^\w+", right)[0]
    if f"{head}-{tail}" in text:
        return left + right
    return left[:-1] + right


def _margin(page: list[_Line]) -> float:
    """The most common line start: lines starting further right are indented or centred."""
    xs = [round(line.x) for line in page]
    return min(set(xs), key=lambda x: (-xs.count(x), x)) if xs else 0.0


@dataclass
class _Layout:
    """What a page break, an indent or a short line means in this document."""

    pitch: float  # usual distance between the baselines of one paragraph's lines
    margin: float
    full: int  # characters on a full line (a proxy: glyph widths are not known)
    indents: bool  # paragraphs are marked by first-line indents, so short lines prove nothing

    def starts_paragraph(self, previous: _Line, line: _Line, same_page: bool) -> bool:
        gap = previous.y - line.y if same_page else 0.0
        if gap > max(1.3 * self.pitch, 1.4 * line.size) or _LIST_ITEM.match(line.text):
            return True
        indented = line.x > self.margin + 4
        if indented and previous.x > self.margin + 4 and abs(line.x - previous.x) > 2:
            return False  # the next line of a centred block such as a title
        if indented:
            return True
        if self.indents:
            return False
        # A paragraph's last line ends short; a sentence end makes a shorter line suspect.
        sentence_end = previous.text[-1] in _SENTENCE_END and line.text[0].isupper()
        return len(previous.text) < (0.85 if sentence_end else 0.7) * self.full


def _uses_indents(pages: list[list[_Line]]) -> bool:
    """True when several lines start at one offset up to an inch right of the margin."""
    offsets: Counter[int] = Counter()
    for page in pages:
        margin = _margin(page)
        offsets.update(o for o in (round(line.x - margin) for line in page) if 4 < o <= 72)
    return bool(offsets) and offsets.most_common(1)[0][1] >= 2


def _paragraphs(pages: list[list[_Line]], page_width: float) -> str:
    """Join wrapped lines back into paragraphs using the layout of the whole document.

    A line starts a new paragraph after a large vertical gap, when it is indented,
    when it is a list item, or (in documents without first-line indents) when the
    line before it ended well short of a full line; paragraphs run on over page breaks.
    """
    everything = [line for page in pages for line in page]
    if not everything:
        return ""
    raw = "\n".join(line.text for line in everything)
    full = sorted(len(line.text) for line in everything)[int(0.9 * (len(everything) - 1))]
    if len(everything) < 10:  # too few lines to know a full one: estimate from the page
        size = statistics.median(line.size for line in everything)
        left = min(line.x for line in everything)
        full = max(full, int((page_width - 2 * left) / (0.55 * size)))
    indents = _uses_indents(pages)
    out: list[str] = []
    current = ""
    previous: _Line | None = None
    for page in pages:
        gaps = [a.y - b.y for a, b in itertools.pairwise(page) if a.y > b.y]
        layout = _Layout(statistics.median(gaps) if gaps else 0.0, _margin(page), full, indents)
        for number, line in enumerate(page):
            if previous is None:
                current, previous = line.text, line
                continue
            joined = _dehyphenate(current, line.text, raw)
            if joined is not None:
                current = joined
            elif layout.starts_paragraph(previous, line, same_page=number > 0):
                out.append(current)
                current = line.text
            else:
                current = f"{current} {line.text}"
            previous = line
    out.append(current)
    return normalize_text("\n".join(out))


def _info(metadata: object, name: str) -> object:
    """A document info field; a malformed one (e.g. an unparsable date) counts as missing."""
    try:
        return getattr(metadata, name, None)
    except Exception:  # pypdf parses dates lazily and raises on garbage
        return None


def extract_pdf(
    body: bytes, *, max_pages: int = MAX_PDF_PAGES, max_bytes: int = MAX_BYTES
) -> Extracted:
    """Text of a PDF's text layer, one paragraph per line; title from metadata or first line."""
    _check_size(body, "PDF", max_bytes)
    if b"%PDF-" not in body[:1024]:
        raise ExtractionError("not a PDF: no %PDF- header in the first 1024 bytes")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF: a password is required to read its text")
        count = len(reader.pages)
        if count > max_pages:
            raise ExtractionError(f"PDF has {count} pages; the limit is {max_pages}")
        pages = [_page_lines(page) for page in reader.pages]
        page_width = float(reader.pages[0].mediabox.width) if count else 0.0
        metadata = reader.metadata
    except ExtractionError:
        raise
    except (DependencyError, NotImplementedError) as exc:  # AES without `cryptography`
        raise ExtractionError(f"encrypted PDF that cannot be decrypted here: {exc}") from exc
    except FileNotDecryptedError as exc:
        raise ExtractionError("encrypted PDF: a password is required to read its text") from exc
    except Exception as exc:  # pypdf raises all kinds of errors on damaged files
        raise ExtractionError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    text = _paragraphs(pages, page_width)
    if not text:
        raise ExtractionError(
            f"PDF has no text layer ({count} page{'s' if count != 1 else ''}, probably scanned "
            "images); text recognition (OCR) is not supported"
        )
    title = _clean_title(_info(metadata, "title")) or _first_line(text)
    return Extracted(
        text=text, title=title, published_at=_plausible_date(_info(metadata, "creation_date"))
    )


# --- DOCX ------------------------------------------------------------------------


def _docx_blocks(document: object) -> list[str]:
    """Body paragraphs and table rows in document order; tables become 'a | b' lines."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats across its span
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                lines.append(" | ".join(c for c in cells if c))
    return lines


def extract_docx(body: bytes, *, max_bytes: int = MAX_BYTES) -> Extracted:
    """Text of a Word document's body (headers and footers are boilerplate and skipped)."""
    _check_size(body, "DOCX", max_bytes)
    if body.startswith(_OLE_MAGIC):
        raise ExtractionError(
            "not a DOCX: an OLE2 file, i.e. a password-protected DOCX or a legacy Word .doc"
        )
    check_docx_bounds(body)
    import docx

    try:
        document = docx.Document(io.BytesIO(body))
        lines = _docx_blocks(document)
        props = document.core_properties
    except Exception as exc:  # python-docx and lxml raise many kinds on damaged parts
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    text = normalize_text("\n".join(lines))
    if not text:
        raise ExtractionError("DOCX has no text in its body")
    title = _clean_title(props.title) or _first_line(text)
    return Extracted(text=text, title=title, published_at=_plausible_date(props.created))
