"""RSS and Atom feeds, parsed by feedparser (it copes with the broken feeds real
sites serve: wrong encodings, undeclared entities, mixed date formats)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.discover import Candidate, Discoverer, PollResult, register


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def parse_feed(body: bytes, base_url: str) -> list[Candidate]:
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    # An RSS or Atom document with no items yet is a feed, not an error: feedparser
    # still sets `bozo` for it (e.g. "no Content-type specified"), but it names the
    # format it recognised in `version`.
    if parsed.bozo and not parsed.entries and not parsed.get("version"):
        raise ValueError(f"not an RSS or Atom feed ({parsed.get('bozo_exception')})")
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
    return out


@register
class FeedDiscoverer(Discoverer):
    type = "feed"

    async def poll(self) -> PollResult:
        fetched = await self.fetcher.fetch(self.spec.url)
        if fetched.error or fetched.body is None:
            return PollResult(pages=1, error=f"feed {self.spec.url}: {fetched.error}")
        try:
            candidates = parse_feed(fetched.body, fetched.final_url or self.spec.url)
        except ValueError as exc:
            return PollResult(pages=1, error=f"feed {self.spec.url}: {exc}")
        return PollResult(candidates=candidates, pages=1)
