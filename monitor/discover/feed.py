"""RSS and Atom feeds, parsed by feedparser (it copes with the broken feeds real
sites serve: wrong encodings, undeclared entities, mixed date formats)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXException

import feedparser

from monitor.config import FeedSpec
from monitor.discover.base import Candidate, Discoverer, PollResult, register


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


# What the XML parser says when a document stops in the middle: a feed cut off by
# a dropped connection or a full disk on the server. Other parse errors (an
# undeclared &nbsp;, a stray ampersand) are what feedparser's loose parser exists
# for, and what it recovers from is a usable feed.
_CUT_OFF = ("no element found", "unclosed token")


def _what_it_is(body: bytes) -> str:
    """A short description of a body that is not a feed, for the error message."""
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "an HTML page"
    if head[:1] in (b"{", b"["):
        return "JSON"
    if not head.startswith(b"<"):
        return "not XML"
    return "XML that is not RSS or Atom"


def parse_feed(body: bytes, base_url: str) -> tuple[list[Candidate], str | None]:
    """Return (items, problem): `problem` says what is wrong with the body, if
    anything; items read before a cut-off are still returned with it."""
    if not body.strip():
        return [], "empty response (0 bytes of feed)"
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    problem = None
    # An RSS or Atom document with no items yet is a feed, not an error: feedparser
    # still sets `bozo` for it (e.g. "no Content-type specified"), but it names the
    # format it recognised in `version`.
    exc = parsed.get("bozo_exception")
    if not parsed.get("version"):
        detail = f": {exc}" if isinstance(exc, SAXException) else ""
        return [], f"not an RSS or Atom feed ({_what_it_is(body)}{detail})"
    if parsed.bozo and any(cut in str(exc) for cut in _CUT_OFF):
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f" at line {line}" if line else ""
        problem = f"feed breaks off{where} ({exc}): read {len(parsed.entries)} items"
    out = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        out.append(
            Candidate(
                url=link,
                title=entry.get("title"),
                published_at=_date(entry),
                summary=entry.get("summary"),
            )
        )
    return out, problem


@register
class FeedDiscoverer(Discoverer[FeedSpec]):
    type = "feed"

    async def poll(self) -> PollResult:
        fetched = await self.fetcher.fetch(self.spec.url)
        if fetched.error or fetched.body is None:
            return PollResult(pages=1, error=f"feed {self.spec.url}: {fetched.error}")
        candidates, problem = parse_feed(fetched.body, fetched.final_url or self.spec.url)
        error = f"feed {self.spec.url}: {problem}" if problem else None
        return PollResult(candidates=candidates, pages=1, error=error)
