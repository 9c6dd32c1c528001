"""What a read page is, and what can be decided about a body without a parser.

Kept apart from monitor/extract/article.py, which builds the text with
BeautifulSoup and three extractors: the check of a document whose bytes (or
whose main-text region) did not change needs the rules' fingerprint, the kind
of body and the types below, and none of the ~0.2 s of imports behind them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from monitor.extract.region import Region

__all__ = [
    "EXTRACTOR_VERSION",
    "DecodeError",
    "Extracted",
    "ExtractionError",
    "check_content_type",
    "check_element_count",
    "check_parse_work",
    "is_attachment",
    "parse_datetime",
    "rules_fingerprint",
    "text_hash",
]

# heuristic, trafilatura, readability; furniture lines, captions and link-only paragraphs out
EXTRACTOR_VERSION = "consensus-2"


class DecodeError(Exception):
    """The body is not text this service reads (wrong type, undecodable)."""


class ExtractionError(Exception):
    """The page could not yield a main text (unparsable, selector matched nothing, empty)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    published_at: datetime | None
    # <link rel="canonical"> and linked PDF/DOCX files, as written in the page
    # (relative URLs are resolved by the caller, who knows the final URL).
    canonical: str | None = None
    attachments: list[str] = field(default_factory=list)
    # How the text was found ("selector", "auto: ..."), for `monitor extract` and logs.
    method: str = "auto"
    # Page furniture recognised and kept out of the text (view counters, "updated
    # N minutes ago", datelines): shown to the user, never hashed.
    metadata: dict[str, str] = field(default_factory=dict)
    # The extractor the text came from ("selector", "heuristic", "trafilatura",
    # "readability"): remembered per document and preferred next time.
    extractor: str | None = None
    # Where the text sits in the page (monitor/extract/region.py), so the next
    # fetch can tell "unchanged" without extracting; None for files.
    region: Region | None = None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rules_fingerprint(select: str | None, remove: Sequence[str]) -> str:
    """Changes whenever extraction of the same bytes could give a different text."""
    key = "\x1f".join([EXTRACTOR_VERSION, select or "", *remove])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


_PDF_TYPES = {"application/pdf", "application/x-pdf", "application/acrobat", "applications/pdf"}
_DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# Servers that do not know what they send: then the URL's extension decides.
_GENERIC_TYPES = {
    "",
    "application/octet-stream",
    "binary/octet-stream",
    "application/download",
    "application/force-download",
    "application/x-download",
    "application/unknown",
}
_EXTENSIONS = {".pdf": "pdf", ".docx": "docx"}


def is_attachment(content_type: str | None, url: str) -> str | None:
    """'pdf', 'docx' or None; the content type wins, the extension only breaks a generic one."""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype in _PDF_TYPES:
        return "pdf"
    if ctype in _DOCX_TYPES:
        return "docx"
    if ctype not in _GENERIC_TYPES:
        return None
    parts = urlsplit(url)
    candidates = [unquote(parts.path)]
    # download.php?file=agreement.pdf
    candidates += [unquote(v) for v in re.split(r"[&=]", parts.query) if "." in v]
    for candidate in candidates:
        for extension, kind in _EXTENSIONS.items():
            if candidate.lower().endswith(extension):
                return kind
    return None


_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


def check_content_type(content_type: str | None) -> None:
    """Refuse what is neither a page nor a known file (images, archives, video)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in _TEXT_TYPES:
        raise DecodeError(f"unsupported content type {media!r}")


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    for candidate in (value, value[:25], value[:19], value[:10]):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


# --- parse-work bound -----------------------------------------------------------------
# Why bounds before parsing: BeautifulSoup keeps about 1 KB per element and the
# extractors walk the tree several times, so an 8 MB page of a million tiny
# elements took 1.1 GB and 38 s, and deep nesting makes some walks quadratic.
# Measured: 50,000 paragraphs take ~320 MB and most of a minute through the three
# extractors, so the element bound keeps one page under ~300 MB; news and treaty
# pages have a few thousand elements and nest 20-60 deep. A page above either bound
# is refused with a clear error, not truncated: a cut text would be stored as a
# wrong version, and reported as a change when the page is read whole again.
MAX_HTML_ELEMENTS = 40_000
MAX_HTML_DEPTH = 200
# Below this many "<" a page cannot break either bound, so it is not scanned.
_SCAN_FROM = min(MAX_HTML_ELEMENTS, MAX_HTML_DEPTH)
_OPEN_TAG = re.compile(r"<[A-Za-z]")


def check_element_count(html: str) -> None:
    """Raise ExtractionError for a page with too many elements to parse safely."""
    if html.count("<") > MAX_HTML_ELEMENTS:
        tags = sum(1 for _ in _OPEN_TAG.finditer(html))
        if tags > MAX_HTML_ELEMENTS:
            raise ExtractionError(
                f"the page has {tags} HTML elements; the limit is {MAX_HTML_ELEMENTS} "
                "(too many to parse safely)"
            )


def too_deep() -> ExtractionError:
    return ExtractionError(
        f"the page nests elements deeper than {MAX_HTML_DEPTH} levels (too deep to parse safely)"
    )


def check_parse_work(html: str) -> None:
    """Raise ExtractionError for a page too large or too deep to parse safely.

    Cheap: a character count for normal pages; a tag count and a C-level pull
    parse (no tree kept) only for pages with many tags.
    """
    if html.count("<") < _SCAN_FROM:
        return
    check_element_count(html)
    from lxml import etree

    parser = etree.HTMLPullParser(events=("start", "end"), no_network=True)
    depth = 0
    for start in range(0, len(html), 1 << 20):
        parser.feed(html[start : start + (1 << 20)])
        for event, element in parser.read_events():
            if event == "end":
                depth -= 1
                element.clear()
                continue
            depth += 1
            if depth > MAX_HTML_DEPTH:
                raise too_deep()
