"""What a source would extract from a page, before the source is saved: the
web UI's preview, the same reading `monitor extract` and every check do."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from monitor.config import Source
from monitor.extract.article import ExtractionError
from monitor.extract.bodies import extract_body
from monitor.extract.decode import DecodeError
from monitor.fetch.client import Fetcher
from monitor.fetch.guard import private_allowed

PREVIEW_CHARS = 4000


@dataclass(frozen=True)
class Preview:
    url: str
    title: str | None = None
    extractor: str | None = None
    characters: int = 0
    text: str = ""  # the first PREVIEW_CHARS characters
    error: str | None = None


async def preview_page(fetcher: Fetcher, source: Source, url: str) -> Preview:
    """Fetch `url` under the source's policy (its SSRF setting, politeness) and read
    it with its rules (`select`, `remove`, or the automatic extractor)."""
    with private_allowed(source.allow_private):
        fetched = await fetcher.fetch(url)
    if fetched.error or fetched.body is None:
        return Preview(url, error=fetched.error or "no body")
    final = fetched.final_url or url
    try:
        page, _ = await asyncio.to_thread(
            extract_body, fetched.body, fetched.content_type, final, source
        )
    except (DecodeError, ExtractionError) as exc:
        return Preview(final, error=str(exc))
    return Preview(final, page.title, page.method, len(page.text), page.text[:PREVIEW_CHARS])
