"""Sitemaps: sitemap indexes (followed `depth` levels), url sets with lastmod,
and Google news sitemaps (title, publication date). Newest first.

Why streaming: a sitemap is the one discovery input that is routinely huge
(tens of thousands of URLs, gzipped), and a hostile or broken one is a memory
bomb: 1 MB of gzip inflates to gigabytes. So the body is inflated chunk by
chunk with an output limit and fed to a pull parser whose finished elements
are dropped at once; what is kept per poll is bounded too (MAX_URLS_PER_POLL).
A body that is not a sitemap, or breaks off, is an error naming the endpoint
and what was wrong, never an empty success.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from monitor.discover import Candidate, Discoverer, PollResult, register
from monitor.extract import parse_datetime

_NEWS_TAG = "{http://www.google.com/schemas/sitemap-news/0.9}news"
# Sitemap files read per poll (the index and the sitemaps it names, all levels).
MAX_SITEMAPS = 50
# Uncompressed bytes per sitemap file: the protocol's own limit (50 MiB), which
# stops a gzip bomb after a few seconds of parsing.
MAX_SITEMAP_BYTES = 52_428_800
# Uncompressed bytes per poll, over all files: bounds the parse time of a poll.
MAX_POLL_BYTES = 200_000_000
# URLs read per poll (twice the protocol's 50,000 per file): bounds memory and the
# parse time a gzip bomb of repeated entries can take. Intake examines a few
# hundred of them per cycle and finds the rest, still unknown, on the next one.
MAX_URLS_PER_POLL = 100_000
# Elements inside one <url> or <sitemap> entry (loc, lastmod, news:...): a dozen
# in real files, so an entry of thousands is junk that would otherwise pile up.
MAX_ENTRY_ELEMENTS = 200
_CHUNK = 1 << 16
_OLDEST = datetime.min.replace(tzinfo=UTC)


class SitemapError(ValueError):
    """The body is not a usable sitemap; the message says why."""


@dataclass
class _Budget:
    """What one poll may still read and keep; shared by the files it reads."""

    poll_bytes: int = MAX_POLL_BYTES
    max_urls: int = MAX_URLS_PER_POLL
    found: list[Candidate] = field(default_factory=list)
    skipped_sitemaps: int = 0  # named by an index beyond MAX_SITEMAPS

    def keep(self, candidate: Candidate) -> None:
        if len(self.found) >= self.max_urls:
            raise SitemapError(f"more than {self.max_urls} URLs per poll; the rest are not read")
        self.found.append(candidate)

    def newest_first(self) -> list[Candidate]:
        """Newest first; undated ones last, in the order the files list them."""
        return sorted(self.found, key=lambda c: c.published_at or _OLDEST, reverse=True)


def _chunks(body: bytes, limit: int) -> Iterator[bytes]:
    """The body's bytes, inflated if gzipped, in chunks, at most `limit` of them."""
    if body[:2] != b"\x1f\x8b":
        if len(body) > limit:
            raise SitemapError(f"larger than {limit} bytes")
        for start in range(0, len(body), _CHUNK):
            yield body[start : start + _CHUNK]
        return
    inflate = zlib.decompressobj(wbits=31)
    total = 0
    for start in range(0, len(body), _CHUNK):
        data = body[start : start + _CHUNK]
        while data:
            try:
                out = inflate.decompress(data, _CHUNK)
            except zlib.error as exc:
                raise SitemapError(f"corrupt gzip: {exc}") from None
            total += len(out)
            if total > limit:
                raise SitemapError(f"inflates to more than {limit} bytes (a gzip bomb?)")
            if out:
                yield out
            data = inflate.unconsumed_tail
        if inflate.eof:
            break
    if not inflate.eof:
        raise SitemapError("truncated gzip: the compressed stream breaks off")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _texts(element: etree._Element) -> dict[str, str]:
    """Child texts by local name (first wins), with news:news's children as `news:…`."""
    out: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == _NEWS_TAG:
            out.update({f"news:{k}": v for k, v in _texts(child).items()})
            continue
        text = child.text
        if text and (text := text.strip()):
            out.setdefault(_local(tag), text)
    return out


def _candidate(url: etree._Element) -> Candidate | None:
    texts = _texts(url)
    loc = texts.get("loc")
    if not loc:
        return None
    when = parse_datetime(texts.get("news:publication_date")) or parse_datetime(
        texts.get("lastmod")
    )
    return Candidate(url=loc, title=texts.get("news:title"), published_at=when)


def parse_sitemap(
    body: bytes, budget: _Budget | None = None, max_nested: int = MAX_SITEMAPS
) -> tuple[list[Candidate], list[str]]:
    """Return (documents, nested sitemap URLs) of one sitemap or sitemap index.

    Raises SitemapError for a body that is empty, not XML, not a sitemap, cut
    off, or too large; documents found before the problem are lost with it
    only when the caller passes no `budget` (the poll keeps them).
    """
    own = budget is None
    budget = budget or _Budget()
    if not body.strip():
        raise SitemapError("empty response")
    limit = min(MAX_SITEMAP_BYTES, budget.poll_bytes)
    # Comments and processing instructions would pile up as children of the root,
    # where no end event reaches them: a gzip bomb of "<!-- -->" took 1.1 GB.
    parser = etree.XMLPullParser(
        events=("end",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    nested: list[str] = []
    dropped = inner = read = 0
    root_tag: str | None = None
    try:
        for chunk in _chunks(body, limit):
            read += len(chunk)
            parser.feed(chunk)
            for _, element in parser.read_events():
                parent = element.getparent()
                if parent is None:
                    root_tag = root_tag or _local(element.tag)
                    continue
                if parent.getparent() is not None:  # inside an entry: kept until it ends
                    inner += 1
                    if inner > MAX_ENTRY_ELEMENTS:
                        raise SitemapError(
                            f"an entry holds more than {MAX_ENTRY_ELEMENTS} elements"
                        )
                    continue
                inner = 0
                if root_tag is None:
                    root_tag = _local(parent.tag)
                    if root_tag not in ("urlset", "sitemapindex"):
                        raise SitemapError(f"not a sitemap (root element <{root_tag}>)")
                local = _local(element.tag)
                if root_tag == "urlset" and local == "url":
                    if (candidate := _candidate(element)) is not None:
                        budget.keep(candidate)
                elif root_tag == "sitemapindex" and local == "sitemap":
                    if (loc := _texts(element).get("loc")) is None:
                        pass
                    elif len(nested) < max_nested:
                        nested.append(loc)
                    else:
                        dropped += 1
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
        parser.close()
    except etree.XMLSyntaxError as exc:
        line = f" at line {exc.lineno}" if exc.lineno else ""
        raise SitemapError(f"malformed XML{line}: {exc.msg}") from None
    finally:
        budget.poll_bytes -= read
    if root_tag is None:
        raise SitemapError("not XML")
    if root_tag not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap (root element <{root_tag}>)")
    budget.skipped_sitemaps += dropped
    return (budget.newest_first() if own else []), nested


@register
class SitemapDiscoverer(Discoverer):
    type = "sitemap"

    async def poll(self) -> PollResult:
        result = PollResult()
        budget = _Budget()
        errors: list[str] = []
        level: list[str] = [self.spec.url]
        seen: set[str] = set()
        for _depth in range(self.spec.depth + 1):
            nested: list[str] = []
            for url in level:
                if url in seen:
                    continue
                if len(seen) >= MAX_SITEMAPS:
                    errors.append(f"sitemap {url}: not read, {MAX_SITEMAPS} sitemaps per poll")
                    break
                if budget.poll_bytes <= 0:
                    errors.append(f"sitemap {url}: not read, {MAX_POLL_BYTES} bytes per poll")
                    break
                seen.add(url)
                fetched = await self.fetcher.fetch(url)
                result.pages += 1
                if fetched.error or fetched.body is None:
                    errors.append(f"sitemap {url}: {fetched.error}")
                    continue
                try:
                    # In a thread: a large sitemap takes seconds to parse, and the
                    # event loop keeps serving every other download meanwhile.
                    _, more = await asyncio.to_thread(
                        parse_sitemap, fetched.body, budget, MAX_SITEMAPS
                    )
                except SitemapError as exc:
                    errors.append(f"sitemap {url}: {exc}")
                    continue
                nested.extend(more)
            level = nested
            if not level:
                break
        if budget.skipped_sitemaps:
            errors.append(
                f"sitemap {self.spec.url}: {budget.skipped_sitemaps} more sitemaps named "
                f"than the {MAX_SITEMAPS} sitemaps per poll that are read"
            )
        result.candidates = budget.newest_first()
        if errors:
            result.error = "; ".join(errors[:3]) + (
                f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            )
        return result
