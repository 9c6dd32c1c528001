"""Intake: poll a source's due feeds, listings and sitemaps, examine the URLs
never seen before, and start tracking the relevant ones.

An examined page is fetched once: its text decides relevance and, if relevant,
becomes version 1 straight away. Irrelevant pages are remembered (status
`ignored`, with the matched terms) so they are not fetched again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urljoin

from monitor.analysis.relevance import Decision, default_rules, judge
from monitor.config import RelevanceRules, Source
from monitor.cycle.core import Cycle
from monitor.cycle.outcome import DocumentOutcome, fetch_record
from monitor.cycle.schedule import next_poll_interval
from monitor.discover import Candidate, poll
from monitor.extract.article import Extracted, ExtractionError
from monitor.extract.bodies import extract_body
from monitor.extract.decode import DecodeError
from monitor.fetch.client import FetchResult
from monitor.sources import canonical_url
from monitor.store import NewDocument, utcnow

log = logging.getLogger(__name__)


@dataclass
class Examined:
    candidate: Candidate
    via: str
    fetched: FetchResult
    page: Extracted
    encoding: str | None
    url: str  # canonical: <link rel="canonical"> when the page names one
    decision: Decision


def _rules(cycle: Cycle) -> RelevanceRules:
    return cycle.config.relevance or RelevanceRules.model_validate(default_rules())


def _canonical(base: str, href: str | None) -> str | None:
    if not href:
        return None
    try:
        return canonical_url(urljoin(base, href))
    except ValueError:
        return None


async def _examine(cycle: Cycle, source: Source, candidate: Candidate, via: str) -> Examined | None:
    fetched = await cycle.fetcher.fetch(candidate.url)
    if fetched.error or fetched.body is None:
        log.info("%s: cannot examine %s: %s", source.id, candidate.url, fetched.error)
        return None
    try:
        page, encoding = await cycle.in_writer(
            extract_body, fetched.body, fetched.content_type, candidate.url, source
        )
    except (DecodeError, ExtractionError) as exc:
        log.info("%s: cannot extract %s: %s", source.id, candidate.url, exc)
        return None
    url = _canonical(fetched.final_url or candidate.url, page.canonical) or candidate.url
    if source.relevance == "all":
        decision = Decision(True, {}, "the source declares relevance: all")
    else:
        text = "\n".join(t for t in (candidate.title, page.title, page.text) if t)
        decision = judge(text, _rules(cycle))
    return Examined(candidate, via, fetched, page, encoding, url, decision)


async def discover(cycle: Cycle, source: Source) -> None:
    store, policy = cycle.store, cycle.config.recheck
    now = utcnow()
    start = min(policy.discover_max, max(policy.discover_min, source.interval))
    specs = {d.url: d for d in source.discover}
    endpoints = await cycle.in_writer(
        store.ensure_endpoints, source.id, [(d.type, d.url) for d in source.discover], start
    )
    due = [e for e in endpoints if cycle.force or e.next_poll_at is None or e.next_poll_at <= now]
    results = await asyncio.gather(*(poll(specs[e.url], cycle.fetcher, e.cursor) for e in due))
    fresh: list[tuple[Candidate, str]] = []
    seen: set[str] = set()
    for endpoint, result in zip(due, results, strict=True):
        urls = [c.url for c in result.candidates]
        known = await cycle.in_writer(store.known_urls, urls)
        new = [c for c in result.candidates if c.url not in known and c.url not in seen]
        seen.update(c.url for c in new)
        fresh.extend((c, endpoint.url) for c in new)
        interval = next_poll_interval(policy, endpoint.interval_s, len(new))
        await cycle.in_writer(
            store.record_poll, endpoint.id, now, len(new), result.error, interval, result.cursor
        )
        if result.error:
            log.warning("%s: %s", source.id, result.error)
            cycle.summary.discovery_errors.append(f"{source.id}: {result.error}")
        else:
            cycle.summary.polled += 1
    chosen = fresh[: source.max_examine_per_cycle]
    examined = await asyncio.gather(*(_examine(cycle, source, c, via) for c, via in chosen))
    budget = source.max_new_per_cycle
    for item in examined:
        if item is None:
            continue
        if item.decision.relevant:
            if budget <= 0:
                continue  # still unknown, so found again next cycle
            budget -= 1
        await _admit(cycle, source, item)


async def _admit(cycle: Cycle, source: Source, item: Examined) -> None:
    store = cycle.store
    matched = item.decision.matched
    aliases = [item.candidate.url] if item.url != item.candidate.url else []
    known: set[str] = await cycle.in_writer(store.known_urls, [item.url]) if aliases else set()
    if known:
        # Reached under a new URL, but the canonical document is already tracked.
        await cycle.in_writer(_add_aliases, cycle, source, aliases, item, None)
        return
    (doc_id,) = await cycle.in_writer(
        store.add_documents,
        source.id,
        [NewDocument(item.url, "discovered", item.decision.relevant, matched, item.via)],
        utcnow(),
    )
    if aliases:
        await cycle.in_writer(_add_aliases, cycle, source, aliases, item, doc_id)
    if not item.decision.relevant:
        cycle.summary.ignored += 1
        return
    (state,) = await cycle.in_writer(store.document_states, [doc_id])
    rec = fetch_record(item.url, utcnow(), item.fetched)
    outcome: DocumentOutcome = await cycle.settle(
        source, state, item.fetched, rec, (item.page, item.encoding)
    )
    if outcome.event == "new" and source.follow_attachments and item.page.attachments:
        await _add_attachments(cycle, source, item, doc_id)


def _add_aliases(
    cycle: Cycle, source: Source, urls: list[str], item: Examined, canonical_id: int | None
) -> None:
    store = cycle.store
    if canonical_id is None:
        target = store.find_document(item.url)
        canonical_id = target.id if target else None
    known = store.known_urls(urls)
    fresh = [u for u in urls if u not in known]
    ids = store.add_documents(
        source.id,
        [NewDocument(u, "discovered", False, item.decision.matched, item.via) for u in fresh],
        utcnow(),
    )
    if canonical_id is not None:
        for alias_id in ids:
            store.mark_alias(alias_id, canonical_id)


async def _add_attachments(cycle: Cycle, source: Source, item: Examined, parent_id: int) -> None:
    base = item.fetched.final_url or item.url
    urls = [u for href in item.page.attachments if (u := _canonical(base, href))]
    known = await cycle.in_writer(cycle.store.known_urls, urls)
    docs = [
        NewDocument(u, "attachment", True, item.decision.matched, item.url, parent_id)
        for u in dict.fromkeys(urls)
        if u not in known
    ]
    if docs:
        await cycle.in_writer(cycle.store.add_documents, source.id, docs, utcnow())
