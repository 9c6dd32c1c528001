"""Sitemaps: sitemap indexes (followed `depth` levels), url sets with lastmod,
and Google news sitemaps (title, publication date). Newest first.

Why streaming: a sitemap is the one discovery input that is routinely huge
(tens of thousands of URLs, gzipped), and a hostile or broken one is a memory
bomb: 1 MB of gzip inflates to gigabytes. So the body is inflated chunk by
chunk with an output limit and fed to a pull parser whose finished elements
are dropped at once; what is kept per poll is bounded too (MAX_URLS_PER_POLL).
A body that is not a sitemap, or breaks off, is an error naming the endpoint
and what was wrong, never an empty success.

Why a cursor: what does not fit in one poll is read on the next ones instead of
never. An index naming more sitemaps than a poll reads has its newest half
read every poll and the rest read in turn; a file with more URLs than a poll
keeps is resumed where the last poll stopped. The endpoint stores the cursor.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from monitor.config import SitemapSpec
from monitor.discover.base import Candidate, Discoverer, PollResult, register
from monitor.extract.article import parse_datetime

log = logging.getLogger(__name__)

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
# Sitemaps one index may name (the protocol's limit); the rest are dropped with
# an error, so a hostile index cannot grow the list without bound.
MAX_INDEX_ENTRIES = 50_000
# Files whose resume point a cursor remembers (only cut-off files have one).
MAX_CURSOR_FILES = 100
_CHUNK = 1 << 16
_OLDEST = datetime.min.replace(tzinfo=UTC)


class SitemapError(ValueError):
    """The body is not a usable sitemap; the message says why."""


class _Full(Exception):
    """The poll's URL budget is spent at URL entry `position` of the file being read."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


@dataclass
class _Budget:
    """What one poll may still read and keep; shared by the files it reads."""

    poll_bytes: int = MAX_POLL_BYTES
    max_urls: int = MAX_URLS_PER_POLL
    found: list[Candidate] = field(default_factory=list)
    skipped_sitemaps: int = 0  # named by an index beyond MAX_INDEX_ENTRIES

    def keep(self, candidate: Candidate, position: int) -> None:
        if len(self.found) >= self.max_urls:
            raise _Full(position)
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
    body: bytes, budget: _Budget | None = None, max_nested: int = MAX_INDEX_ENTRIES, skip: int = 0
) -> tuple[list[Candidate], list[Candidate]]:
    """Return (documents, nested sitemaps with their lastmod) of one sitemap or index.

    The first `skip` URL entries are passed over (a poll resuming a cut-off
    file). Raises SitemapError for a body that is empty, not XML, not a
    sitemap, cut off, or too large; documents found before the problem are lost
    with it only when the caller passes no `budget` (the poll keeps them). With
    a `budget`, a full one raises `_Full` with the position to resume from.
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
    nested: list[Candidate] = []
    dropped = inner = read = position = 0
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
                    if position >= skip and (candidate := _candidate(element)) is not None:
                        budget.keep(candidate, position)
                    position += 1
                elif root_tag == "sitemapindex" and local == "sitemap":
                    texts = _texts(element)
                    if (loc := texts.get("loc")) is None:
                        pass
                    elif len(nested) < max_nested:
                        nested.append(
                            Candidate(loc, published_at=parse_datetime(texts.get("lastmod")))
                        )
                    else:
                        dropped += 1
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
        parser.close()
    except _Full:
        if own:
            raise SitemapError(
                f"more than {budget.max_urls} URLs per poll; the rest are not read"
            ) from None
        raise
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


@dataclass
class _Cursor:
    """Where the next poll of an endpoint resumes; stored as JSON with it."""

    rotate: dict[int, int] = field(default_factory=dict)  # level -> offset into the rest
    skip: dict[str, int] = field(default_factory=dict)  # file -> URL entries handed out

    @classmethod
    def load(cls, raw: str | None) -> _Cursor:
        """An unreadable cursor (edited by hand, older format) starts from the top."""
        try:
            data = json.loads(raw) if raw else {}
            return cls(
                {int(k): int(v) for k, v in data.get("rotate", {}).items()},
                {str(k): int(v) for k, v in data.get("skip", {}).items()},
            )
        except (ValueError, TypeError, AttributeError):
            return cls()

    def dump(self) -> str | None:
        rotate = {str(k): v for k, v in self.rotate.items() if v}
        if not rotate and not self.skip:
            return None
        return json.dumps({"rotate": rotate, "skip": self.skip}, sort_keys=True)


def _choose(
    named: list[Candidate], room: int, offset: int
) -> tuple[list[Candidate], list[Candidate]]:
    """(read every poll, read in turn from `offset`) among the sitemaps an index names.

    All are read when they fit in `room`. Otherwise half the room goes to the
    newest by <lastmod> (new documents land there; undated ones count as the
    oldest, in the order listed) and the other half walks round the rest, so
    each is read within len(rest) / half polls.
    """
    if len(named) <= room:
        return named, []
    newest = sorted(
        range(len(named)), key=lambda i: named[i].published_at or _OLDEST, reverse=True
    )[: room // 2]
    chosen = set(newest)
    rest = [c for i, c in enumerate(named) if i not in chosen]
    start = offset % len(rest)
    turn = [rest[(start + k) % len(rest)] for k in range(min(room - len(newest), len(rest)))]
    return [named[i] for i in sorted(newest)], turn


@register
class SitemapDiscoverer(Discoverer[SitemapSpec]):
    type = "sitemap"

    async def poll(self) -> PollResult:
        result = PollResult()
        budget = _Budget(max_urls=MAX_URLS_PER_POLL)
        cursor, after = _Cursor.load(self.cursor), _Cursor()
        errors: list[str] = []
        level = [Candidate(self.spec.url)]
        seen: set[str] = set()
        full = False
        for depth in range(self.spec.depth + 1):
            named = list({c.url: c for c in level if c.url not in seen}.values())
            offset = cursor.rotate.get(depth, 0)
            every, turn = _choose(named, MAX_SITEMAPS - len(seen), offset)
            # Deeper levels get room only if this one names indexes: then it
            # stops at half the room left, else it reads what it was given.
            share = (MAX_SITEMAPS - len(seen)) // 2 if depth < self.spec.depth else None
            nested: list[Candidate] = []
            read_in_turn = 0
            for i, sitemap in enumerate(every + turn):
                url = sitemap.url
                if share is not None and nested and i >= share:
                    break
                if budget.poll_bytes <= 0:
                    errors.append(f"sitemap {url}: not read, {MAX_POLL_BYTES} bytes per poll")
                    break
                seen.add(url)
                read_in_turn += i >= len(every)
                fetched = await self.fetcher.fetch(url)
                result.pages += 1
                if fetched.error or fetched.body is None:
                    errors.append(f"sitemap {url}: {fetched.error}")
                    continue
                try:
                    # In a thread: a large sitemap takes seconds to parse, and the
                    # event loop keeps serving every other download meanwhile.
                    _, more = await asyncio.to_thread(
                        parse_sitemap,
                        fetched.body,
                        budget,
                        MAX_INDEX_ENTRIES,
                        cursor.skip.get(url, 0),
                    )
                except _Full as stop:
                    after.skip[url] = stop.position
                    full = True
                    break
                except SitemapError as exc:
                    errors.append(f"sitemap {url}: {exc}")
                    continue
                nested.extend(more)
            if turn:
                after.rotate[depth] = (offset + read_in_turn) % (len(named) - len(every))
            if full or not nested:
                break
            level = nested
        for url, position in cursor.skip.items():  # files this poll did not reach
            if url not in seen and url not in after.skip and len(after.skip) < MAX_CURSOR_FILES:
                after.skip[url] = position
        result.cursor = after.dump()
        if full or after.rotate:
            log.info(
                "sitemap %s: %d URLs and %d sitemaps this poll; the rest on the next polls",
                self.spec.url,
                len(budget.found),
                len(seen),
            )
        if budget.skipped_sitemaps:
            errors.append(
                f"sitemap {self.spec.url}: {budget.skipped_sitemaps} more sitemaps named "
                f"than the {MAX_INDEX_ENTRIES} an index may hold; they are not read"
            )
        result.candidates = budget.newest_first()
        if errors:
            result.error = "; ".join(errors[:3]) + (
                f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            )
        return result
