"""Discovery stage: find a source's new documents in feeds, listings and sitemaps.

Each mechanism is a small class registered by its `type` name in `sources.yaml`
(the way urlwatch registers jobs and filters), so adding one is adding a module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from monitor.config import Discover
from monitor.discover import feed, listing, sitemap  # noqa: F401  (each registers its kind)
from monitor.discover.base import DISCOVERERS, Candidate, Discoverer, PollResult, register
from monitor.fetch.client import Fetcher
from monitor.sources import canonical_url

__all__ = ["DISCOVERERS", "Candidate", "Discoverer", "PollResult", "poll", "register"]


def _filter(spec: Discover) -> Callable[[str], bool]:
    include = re.compile(spec.include) if spec.include else None
    exclude = re.compile(spec.exclude) if spec.exclude else None

    def keep(url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        if include and not include.search(url):
            return False
        return not (exclude and exclude.search(url))

    return keep


async def poll(spec: Discover, fetcher: Fetcher, cursor: str | None = None) -> PollResult:
    """Run one endpoint; candidates come back canonical, filtered and de-duplicated.

    `cursor` is the endpoint's stored resume point (see `PollResult.cursor`)."""
    result = await DISCOVERERS[spec.type](spec, fetcher, cursor).poll()
    keep = _filter(spec)
    seen: set[str] = set()
    unique: list[Candidate] = []
    for candidate in result.candidates:
        try:
            candidate.url = canonical_url(candidate.url)
        except ValueError:
            continue
        if candidate.url not in seen and keep(candidate.url):
            seen.add(candidate.url)
            unique.append(candidate)
    result.candidates = await _screen(unique, fetcher, spec, result)
    return result


async def _screen(
    candidates: list[Candidate], fetcher: Fetcher, spec: Discover, result: PollResult
) -> list[Candidate]:
    """Drop links the SSRF guard refuses, and say so in the poll's error.

    The fetch would refuse them too (the guard checks every connection); this
    makes the refusal visible where the operator looks — the endpoint's error in
    source health — instead of a log line per examined link. One lookup per host.
    """
    verdicts: dict[tuple[str, int | None], str | None] = {}
    kept: list[Candidate] = []
    refused: list[str] = []
    for candidate in candidates:
        parts = urlsplit(candidate.url)
        try:
            key = (parts.hostname or "", parts.port)
        except ValueError:
            continue
        if key not in verdicts:
            verdicts[key] = await fetcher.screen(candidate.url)
        if verdicts[key] is None:
            kept.append(candidate)
        else:
            refused.append(f"{candidate.url}: {verdicts[key]}")
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        note = f"{spec.type} {spec.url}: link refused: {refused[0]}{more}"
        result.error = f"{result.error}; {note}" if result.error else note
    return kept
