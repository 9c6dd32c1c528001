"""One check cycle: discover, then check every watched and due document of the
selected sources once (the service runs one per scheduler tick)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from monitor.config import Config, Source
from monitor.cycle.confirm import confirm_change
from monitor.cycle.core import Cycle
from monitor.cycle.outcome import CycleSummary, DocumentOutcome, fetch_record
from monitor.cycle.process import unchanged_region
from monitor.fetch.client import Fetcher, Validators
from monitor.fetch.guard import private_allowed
from monitor.metrics import FETCH_SECONDS
from monitor.sources import jobs_for
from monitor.store import DocumentState, StorageUnavailable, Store, state_of, utcnow

log = logging.getLogger(__name__)

DUE_LIMIT = 5000  # rechecks per source per cycle; the most overdue go first
CHECKS_IN_FLIGHT = 32  # per source: each holds at most a body or two


def _wants_full_fetch(state: DocumentState, config: Config) -> bool:
    if not (state.etag or state.last_modified) or state.last_full_fetch_at is None:
        return True
    age = utcnow() - state.last_full_fetch_at
    return age >= timedelta(seconds=config.fetch.full_fetch_after)


async def check(cycle: Cycle, source: Source, state: DocumentState) -> None:
    """Fetch one document (conditionally when it has validators), confirm a
    change by a second fetch when configured, and settle it."""
    full = _wants_full_fetch(state, cycle.config)
    validators = None if full else Validators(state.etag, state.last_modified)
    started_at = utcnow()
    fetched = await cycle.fetcher.fetch(state.url, validators)
    FETCH_SECONDS.labels(source.id).observe(fetched.duration_ms / 1000)
    # A page whose text element is unchanged needs neither a confirm fetch nor an
    # extraction (monitor/extract/region.py); asked once, here.
    same = await cycle.in_writer(unchanged_region, source, state, fetched)
    read = None
    if not same and cycle.config.fetch.confirm_delay > 0:
        read = await confirm_change(cycle, source, state, fetched)
    rec = fetch_record(state.url, started_at, fetched)
    await cycle.settle(source, state, fetched, rec, read, same)


async def _discover(cycle: Cycle, source: Source) -> None:
    # Imported here: feeds, listings and sitemaps bring feedparser, BeautifulSoup
    # and the relevance rules, which a source without `discover:` never needs.
    from monitor.cycle.intake import discover

    await discover(cycle, source)


async def run_source(cycle: Cycle, source: Source) -> None:
    # Every request made for the source — discovery, examined links, rechecks,
    # attachments, redirects, robots.txt — follows its SSRF policy.
    with private_allowed(source.allow_private):
        if source.discover:
            try:
                await _discover(cycle, source)
            except StorageUnavailable:
                raise
            except Exception as exc:  # discovery trouble must not stop the rechecks
                log.exception("discovery for %s failed", source.id)
                cycle.summary.discovery_errors.append(f"{source.id}: {type(exc).__name__}: {exc}")
        urls = [j.url for j in jobs_for(source)]
        watched = await cycle.in_writer(cycle.store.ensure_documents, source.id, urls)
        due = await cycle.in_writer(_due_states, cycle, source.id)
        await checked_in_turn(cycle, source, [*watched, *due])


async def checked_in_turn(cycle: Cycle, source: Source, states: list[DocumentState]) -> None:
    """Check the source's documents, a few at a time.

    Why not all at once: downloading a page is faster than extracting it, so a
    cycle that started every check together held every downloaded body until the
    writer thread got to it (peak memory grew ~50 KB per page). A few more checks
    than the host's request slots keep its slots and the writer busy; a source
    waiting for its host's politeness delay holds no other source back. The width
    is well above the host's request slots because a check also waits out its
    confirm fetch's delay (1 s) while holding its place.
    """
    pending = iter(states)
    width = max(CHECKS_IN_FLIGHT, 2 * cycle.config.fetch.per_host_concurrency + 2)

    async def worker() -> None:
        for state in pending:  # one shared iterator: each state is taken once
            await check(cycle, source, state)

    await asyncio.gather(*(worker() for _ in range(min(width, len(states)))))


def _due_states(cycle: Cycle, source_id: str) -> list[DocumentState]:
    return [state_of(r) for r in cycle.store.due_documents(source_id, utcnow(), DUE_LIMIT)]


async def run_cycle(
    config: Config,
    store: Store,
    *,
    source_ids: list[str] | None = None,
    on_document: Callable[[DocumentOutcome], None] | None = None,
    fetcher: Fetcher | None = None,
    force: bool = False,
) -> CycleSummary:
    """Discover, then check every watched and due document of the selected sources once.

    The service runs cycles with `force=False`: each feed is polled on its own
    adaptive interval. `monitor check` means "one cycle now" and passes
    `force=True`, so every feed, listing and sitemap is polled whether due or not.
    """
    started = time.perf_counter()
    sources = [config.source(i) for i in source_ids] if source_ids else list(config.sources)
    store.sync_sources((s.id, s.name) for s in config.sources)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.fetch)
    cycle = Cycle(config, store, fetcher, on_document, force=force)
    try:
        await asyncio.gather(*(run_source(cycle, source) for source in sources))
    finally:
        await cycle.close()
        if own_fetcher:
            await fetcher.aclose()
    summary = cycle.summary
    summary.documents.sort(key=lambda d: d.id)
    summary.seconds = time.perf_counter() - started
    return summary


async def check_documents(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    source_id: str,
    ids: list[int],
    checked_since: datetime | None = None,
) -> CycleSummary:
    """Check these documents of one source now: a worker's unit of work
    (monitor/queue). The state is read when the check starts, so a check retried
    after a crash sees the version its first run recorded and adds none; with
    `checked_since` (when the dispatcher queued it), a document already checked
    since then is not checked again: once per cycle, whatever was retried."""
    source = config.source(source_id)
    cycle = Cycle(config, store, fetcher, None)
    try:
        with private_allowed(source.allow_private):
            states = await cycle.in_writer(store.document_states, ids)
            if checked_since is not None:
                states = [
                    st
                    for st in states
                    if st.last_checked_at is None or st.last_checked_at < checked_since
                ]
            await checked_in_turn(cycle, source, states)
    finally:
        await cycle.close()
    return cycle.summary


async def discover_source(
    config: Config, store: Store, fetcher: Fetcher, source_id: str
) -> CycleSummary:
    """Poll the source's due feeds, listings and sitemaps and admit what they name;
    register its watched URLs. A worker's discovery job (monitor/queue)."""
    source = config.source(source_id)
    cycle = Cycle(config, store, fetcher, None)
    try:
        with private_allowed(source.allow_private):
            urls = [j.url for j in jobs_for(source)]
            await cycle.in_writer(store.ensure_documents, source.id, urls)
            if source.discover:
                await _discover(cycle, source)
    finally:
        await cycle.close()
    return cycle.summary
