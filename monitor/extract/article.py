"""Extract stage: HTML in, normalized main text (plus title and date) out.

The text is what gets hashed and versioned, so it must be identical from fetch
to fetch of an unchanged document: boilerplate is dropped and invisible
differences (NBSP, soft hyphens, zero-width characters, spacing) are erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from monitor.extract.blocktext import BLOCK_TAGS, block_text, normalize_text
from monitor.extract.consensus import auto_text
from monitor.extract.page import (
    EXTRACTOR_VERSION,
    Extracted,
    ExtractionError,
    check_parse_work,
    parse_datetime,
    rules_fingerprint,
    text_hash,
)
from monitor.extract.pagemeta import (
    ATTACHMENT,
    drop_captions,
    drop_furniture,
    drop_link_paragraphs,
    split_metadata,
)
from monitor.extract.selected import (
    PUBLISHED_METAS,
    TITLE_METAS,
    Metas,
    extract_selected,
    first_title,
    meta,
    metas_of,
)

__all__ = [
    "BLOCK_TAGS",
    "EXTRACTOR_VERSION",
    "Extracted",
    "ExtractionError",
    "block_text",
    "extract",
    "normalize_text",
    "parse_datetime",
    "rules_fingerprint",
    "text_hash",
]

# --- metadata -----------------------------------------------------------------------


def _title(soup: BeautifulSoup, main: Tag, metas: Metas) -> str | None:
    h1 = main.find("h1") or soup.find("h1")
    return first_title(
        [
            meta(metas, *TITLE_METAS),
            h1.get_text(" ", strip=True) if isinstance(h1, Tag) else None,
            soup.title.get_text(" ", strip=True) if soup.title else None,
        ]
    )


def _published(soup: BeautifulSoup, metas: Metas) -> datetime | None:
    value = meta(metas, *PUBLISHED_METAS)
    if not value:
        tag = soup.find(itemprop="datePublished")
        if isinstance(tag, Tag):
            value = str(tag.get("content") or tag.get("datetime") or "")
    if not value:
        tag = soup.find("time", attrs={"datetime": True})
        if isinstance(tag, Tag):
            value = str(tag["datetime"])
    return parse_datetime(value)


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        rel: list[str] | str = link.get("rel") or []
        if "canonical" in [r.lower() for r in (rel if isinstance(rel, list) else [rel])]:
            href = str(link["href"]).strip()
            return href or None
    return None


def _attachments(soup: BeautifulSoup) -> list[str]:
    found: list[str] = []
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if ATTACHMENT.search(href) and href not in found:
            found.append(href)
    return found


# --- public entry point ------------------------------------------------------------


def extract(
    html: str,
    *,
    select: str | None = None,
    remove: Sequence[str] = (),
    prefer: str | None = None,
) -> Extracted:
    """Apply `remove`, then `select`; without a selector find the main text automatically
    (monitor/extract/consensus.py; `prefer` pins the extractor a document's text came from)."""
    if select:
        read = extract_selected(html, select, remove)
        if read is not None:
            return read
    return extract_with_soup(html, select=select, remove=remove, prefer=prefer)


def extract_with_soup(
    html: str,
    *,
    select: str | None = None,
    remove: Sequence[str] = (),
    prefer: str | None = None,
) -> Extracted:
    """`extract` on a BeautifulSoup tree: every automatic extraction, and selectors
    monitor/extract/selected.py does not read with lxml alone."""
    check_parse_work(html)
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception as exc:  # lxml raises a zoo of errors on truly broken input
        raise ExtractionError(f"unparsable HTML: {exc}") from exc
    if soup.find() is None:
        raise ExtractionError("the page has no HTML elements")
    title_soup_title = soup.title.get_text(" ", strip=True) if soup.title else None
    metas = metas_of(soup.find_all("meta"))
    published = _published(soup, metas)
    canonical = _canonical(soup)
    attachments = _attachments(soup)
    for css in remove:
        for tag in soup.select(css):
            tag.decompose()
    dropped: dict[str, str] = {}
    if select:
        nodes = soup.select(select)
        if not nodes:
            raise ExtractionError(f"selector {select!r} matched nothing")
        text = normalize_text("\n".join(block_text(node) for node in nodes))
        title = _title(soup, nodes[0], metas) or title_soup_title
        method, extractor = "selector", "selector"
    else:
        # the title before the heuristic prunes the tree
        title = _title(soup, soup, metas) or title_soup_title
        hint = meta(metas, *TITLE_METAS) or title_soup_title
        body = soup.body or soup
        pruned = drop_captions(body) + drop_link_paragraphs(body)
        dropped = drop_furniture(body)
        source_html = str(soup) if remove or dropped or pruned else html
        text, extractor, consulted = auto_text(source_html, soup.body or soup, hint, prefer)
        method = (
            f"auto: {extractor}"
            + (f" (consensus of {', '.join(consulted)})" if len(consulted) > 1 else " (pinned)")
            + f", {EXTRACTOR_VERSION}"
        )
    text, metadata = split_metadata(text)
    if not select:
        metadata = {**dropped, **metadata}
    if not text:
        raise ExtractionError("no text found in the main block")
    return Extracted(
        text=text,
        title=title,
        published_at=published,
        canonical=canonical,
        attachments=attachments,
        method=method,
        metadata=metadata,
        extractor=extractor,
    )
