"""Sitemaps: sitemap indexes (followed `depth` levels), url sets with lastmod,
and Google news sitemaps (title, publication date). Newest first."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from lxml import etree

from monitor.discover import Candidate, Discoverer, PollResult, register
from monitor.extract import parse_datetime

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
MAX_SITEMAPS = 50


def _text(node: etree._Element | None) -> str | None:
    return node.text.strip() if node is not None and node.text else None


def parse_sitemap(body: bytes) -> tuple[list[Candidate], list[str]]:
    """Return (documents, nested sitemap URLs)."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    root = etree.fromstring(body, _PARSER)
    if root is None:
        raise ValueError("not XML")
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        return [], [u for s in root.iter(f"{_SM}sitemap") if (u := _text(s.find(f"{_SM}loc")))]
    if tag != "urlset":
        raise ValueError(f"not a sitemap (root element <{tag}>)")
    out = []
    for url in root.iter(f"{_SM}url"):
        loc = _text(url.find(f"{_SM}loc"))
        if not loc:
            continue
        news = url.find(f"{_NEWS}news")
        when = parse_datetime(
            _text(news.find(f"{_NEWS}publication_date")) if news is not None else None
        ) or parse_datetime(_text(url.find(f"{_SM}lastmod")))
        title = _text(news.find(f"{_NEWS}title")) if news is not None else None
        out.append(Candidate(url=loc, title=title, published_at=when))
    return out, []


@register
class SitemapDiscoverer(Discoverer):
    type = "sitemap"

    async def poll(self) -> PollResult:
        result = PollResult()
        level: list[str] = [self.spec.url]
        seen: set[str] = set()
        for _depth in range(self.spec.depth + 1):
            nested: list[str] = []
            for url in level:
                if url in seen or len(seen) >= MAX_SITEMAPS:
                    continue
                seen.add(url)
                fetched = await self.fetcher.fetch(url)
                result.pages += 1
                if fetched.error or fetched.body is None:
                    result.error = f"sitemap {url}: {fetched.error}"
                    continue
                try:
                    docs, more = parse_sitemap(fetched.body)
                except (ValueError, OSError, etree.XMLSyntaxError) as exc:
                    result.error = f"sitemap {url}: {exc}"
                    continue
                result.candidates.extend(docs)
                nested.extend(more)
            level = nested
            if not level:
                break
        oldest = datetime.min.replace(tzinfo=UTC)
        result.candidates.sort(key=lambda c: c.published_at or oldest, reverse=True)
        return result
