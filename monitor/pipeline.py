"""The engine: one check cycle through sources -> fetch -> extract -> store -> diff.

Downloads run concurrently on the event loop; processing (decode, extract, diff,
store) runs in one worker thread, so the loop keeps serving the network while
writes to the database stay serialised.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from monitor.alerts.build import assess, drafts_for
from monitor.bodies import extract_body
from monitor.config import Config, RecheckPolicy, Source
from monitor.confirm import confirm_change
from monitor.decode import DecodeError
from monitor.diff import diff_words, stats
from monitor.extract import Extracted, ExtractionError, rules_fingerprint, text_hash
from monitor.fetch import Fetcher, FetchResult, Validators
from monitor.guard import private_allowed
from monitor.metrics import FETCH_SECONDS, FETCHES, PROCESS_SECONDS
from monitor.reextract import rebase
from monitor.schedule import tracking_for
from monitor.sources import jobs_for
from monitor.stability import drop_volatile
from monitor.store import (
    ConcurrentUpdate,
    DocumentState,
    FetchRecord,
    NewVersion,
    Outcome,
    StorageUnavailable,
    Store,
    Tracking,
    sha256,
    state_of,
    utcnow,
)

log = logging.getLogger(__name__)


@dataclass
class DocumentOutcome:
    id: int
    url: str
    event: str  # new | changed | unchanged | error
    source: str
    error: str | None = None
    seq: int | None = None


@dataclass
class CycleSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    ignored: int = 0  # discovered documents judged not relevant
    documents: list[DocumentOutcome] = field(default_factory=list)
    discovery_errors: list[str] = field(default_factory=list)
    polled: int = 0  # feeds, listings and sitemaps that answered
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Something failed and nothing succeeded: no document, no feed answered."""
        worked = self.new or self.changed or self.unchanged or self.polled
        return bool(self.errors or self.discovery_errors) and not worked

    def add(self, outcome: DocumentOutcome) -> None:
        self.documents.append(outcome)
        if outcome.event == "new":
            self.new += 1
        elif outcome.event == "changed":
            self.changed += 1
        elif outcome.event == "error":
            self.errors += 1
        else:
            self.unchanged += 1

    def as_json(self) -> dict[str, object]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "ignored": self.ignored,
            "polled": self.polled,
            "discovery_errors": self.discovery_errors,
            "seconds": round(self.seconds, 3),
            "documents": [
                {k: v for k, v in asdict(d).items() if v is not None} for d in self.documents
            ],
        }


class OutcomeBatch:
    """Version-less outcomes (304s, unchanged texts, errors) written in batches.

    Why: a commit per quiet document would cost more CPU than fetching it. Only
    fetch-log rows and validators can wait; versions are written at once.
    """

    def __init__(self, store: Store, size: int = 200) -> None:
        self.store, self.size, self.pending = store, size, list[Outcome]()

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        self.store.record_outcomes(pending)


def _document(state: DocumentState, seq: int) -> dict[str, object]:
    return {"id": state.id, "url": state.url, "title": None, "origin": state.origin, "seq": seq}


def process(
    store: Store,
    source: Source,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    batch: OutcomeBatch | None = None,
    config: Config | None = None,
    extracted: tuple[Extracted, str | None] | None = None,
    volatile: frozenset[str] = frozenset(),
) -> DocumentOutcome:
    """Decide what one fetch means and record it; a new version, its change, event
    and alerts in one transaction.

    `volatile`: the source's learned volatile line patterns (monitor/stability.py),
    dropped from the new text and, for the comparison, from the stored one.
    """
    outcome = DocumentOutcome(id=state.id, url=state.url, event="unchanged", source=source.id)
    quiet = batch or OutcomeBatch(store, size=1)
    policy = config.recheck if config else RecheckPolicy()

    def track(changed: bool) -> Tracking:
        tracking = tracking_for(state, fetched, policy, rec.started_at, changed)
        if tracking.presence and config and config.subscriptions:
            drafts = drafts_for(
                config,
                event=tracking.presence,
                source=source,
                document=_document(state, state.latest_seq),
                versions={"from": None, "to": state.latest_seq or None},
                at=rec.started_at,
                themes=store.latest_themes(state.id),
            )
            tracking = replace(tracking, alerts=tuple(drafts))
        return tracking

    if fetched.error:
        quiet.add(Outcome(state, rec, "error", tracking=track(False)))
        outcome.event, outcome.error = "error", fetched.error
        return outcome
    if fetched.not_modified:
        quiet.add(Outcome(state, rec, "not_modified", tracking=track(False)))
        return outcome
    body = fetched.body or b""
    rules = rules_fingerprint(source.select, source.remove)
    if config and state.latest_seq and state.last_rules and state.last_rules != rules:
        # The extractor or the source's rules changed since the last version: read
        # the stored body again first, so this fetch is compared like with like.
        try:
            _, state = rebase(store, config, source, state)
        except (DecodeError, ExtractionError) as exc:
            log.info("%s: cannot re-extract %s: %s", source.id, state.url, exc)
    body_sha = sha256(body)
    if body_sha == state.last_body_sha256 and rules == state.last_rules:
        quiet.add(Outcome(state, rec, "unchanged", body_sha, rules, track(False)))
        return outcome
    try:
        page, encoding = extracted or extract_body(
            body, fetched.content_type, state.url, source, state.extractor
        )
    except (DecodeError, ExtractionError) as exc:
        failed = FetchRecord(**{**asdict(rec), "error": str(exc)})
        quiet.add(Outcome(state, failed, "error", tracking=track(False)))
        outcome.event, outcome.error = "error", str(exc)
        return outcome
    if volatile:
        page = replace(page, text=drop_volatile(page.text, volatile))
        if not page.text:
            failed = FetchRecord(**{**asdict(rec), "error": "only volatile lines left"})
            quiet.add(Outcome(state, failed, "error", tracking=track(False)))
            outcome.event, outcome.error = "error", "only volatile lines left"
            return outcome
    digest = text_hash(page.text)
    if digest == state.latest_text_hash:
        quiet.add(Outcome(state, rec, "unchanged", body_sha, rules, track(False)))
        return outcome
    ops = None
    previous: str | None = None
    inserted = deleted = 0
    if state.latest_seq:
        previous = store.latest_text(state.id, state.latest_seq) or ""
        if volatile:
            # Lines learned as volatile after the last version are not part of the
            # change: compare (and show the diff) without them.
            previous = drop_volatile(previous, volatile)
            if previous == page.text:
                quiet.add(Outcome(state, rec, "unchanged", body_sha, rules, track(False)))
                return outcome
        ops = diff_words(previous, page.text)
        counted = stats(ops)
        inserted, deleted = counted.inserted_chars, counted.deleted_chars
    assessment = assess(config, previous, page.text, ops) if config else None
    drafts = []
    if config and assessment and config.subscriptions:
        drafts = drafts_for(
            config,
            event="changed" if state.latest_seq else "new",
            source=source,
            document={**_document(state, state.latest_seq + 1), "title": page.title},
            versions={"from": state.latest_seq or None, "to": state.latest_seq + 1},
            at=rec.started_at,
            assessment=assessment,
            ops=ops,
        )
    stored = store.record_version(
        state,
        rec,
        NewVersion(
            body=body,
            content_type=fetched.content_type,
            encoding=encoding,
            text=page.text,
            text_hash=digest,
            title=page.title,
            published_at=page.published_at,
            rules=rules,
            diff=ops,
            inserted_chars=inserted,
            deleted_chars=deleted,
            themes=assessment.themes if assessment else None,
            change_themes=assessment.change_themes if assessment else None,
            summary=assessment.summary if assessment else None,
            significance=assessment.significance if assessment else None,
            extractor=page.extractor,
        ),
        track(True),
        drafts,
    )
    outcome.event, outcome.seq = stored.event, stored.seq
    return outcome


def _wants_full_fetch(state: DocumentState, config: Config) -> bool:
    if not (state.etag or state.last_modified) or state.last_full_fetch_at is None:
        return True
    age = utcnow() - state.last_full_fetch_at
    return age >= timedelta(seconds=config.fetch.full_fetch_after)


def _timed_process(*args: Any) -> DocumentOutcome:
    with PROCESS_SECONDS.time():
        return process(*args)


def fetch_record(url: str, started_at: datetime, fetched: FetchResult) -> FetchRecord:
    return FetchRecord(
        url=url,
        started_at=started_at,
        duration_ms=fetched.duration_ms,
        status_code=fetched.status,
        final_url=fetched.final_url,
        error=fetched.error,
        bytes=len(fetched.body) if fetched.body is not None else None,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        full_fetch=not fetched.conditional and fetched.ok,
    )


T = TypeVar("T")


class Cycle:
    """What one check cycle shares: fetcher, the single writer thread, the summary.

    Downloads run concurrently on the event loop; everything that parses or
    writes runs in the writer thread, so the database sees one writer.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        on_document: Callable[[DocumentOutcome], None] | None,
        *,
        force: bool = False,
    ) -> None:
        self.config, self.store, self.fetcher = config, store, fetcher
        # force: poll every feed, listing and sitemap now, due or not (`monitor check`).
        self.force = force
        self.on_document = on_document
        self.summary = CycleSummary()
        self.loop = asyncio.get_running_loop()
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-store")
        self.batch = OutcomeBatch(store)
        self._volatile: dict[str, frozenset[str]] = {}

    async def in_writer(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.loop.run_in_executor(self.writer, fn, *args)

    def report(self, outcome: DocumentOutcome) -> None:
        FETCHES.labels(outcome.source, outcome.event).inc()
        if outcome.event == "error":
            log.warning(
                "%s %s: %s",
                outcome.source,
                outcome.url,
                outcome.error,
                extra={"source": outcome.source, "document": outcome.id, "url": outcome.url},
            )
        self.summary.add(outcome)
        if self.on_document:
            self.on_document(outcome)

    async def settle(
        self,
        source: Source,
        state: DocumentState,
        fetched: FetchResult,
        rec: FetchRecord,
        extracted: tuple[Extracted, str | None] | None = None,
    ) -> DocumentOutcome:
        """Process one fetch in the writer thread; a failure stays with its document."""
        try:
            outcome = await self.in_writer(
                _timed_process,
                self.store,
                source,
                state,
                fetched,
                rec,
                self.batch,
                self.config,
                extracted,
                await self.volatile(source.id),
            )
        except ConcurrentUpdate as exc:
            outcome = DocumentOutcome(state.id, state.url, "error", source.id, str(exc))
        except StorageUnavailable:
            raise  # read-only or full: every other document would fail the same way
        except Exception as exc:  # a bug must not end the cycle for other documents
            log.exception("processing %s failed", state.url)
            outcome = DocumentOutcome(
                state.id,
                state.url,
                "error",
                source.id,
                f"internal error: {type(exc).__name__}: {exc}",
            )
        self.report(outcome)
        return outcome

    async def volatile(self, source_id: str) -> frozenset[str]:
        """The source's volatile line patterns, read once per cycle."""
        if source_id not in self._volatile:
            self._volatile[source_id] = await self.in_writer(
                self.store.volatile_patterns, source_id
            )
        return self._volatile[source_id]

    async def check(self, source: Source, state: DocumentState) -> None:
        full = _wants_full_fetch(state, self.config)
        validators = None if full else Validators(state.etag, state.last_modified)
        started_at = utcnow()
        fetched = await self.fetcher.fetch(state.url, validators)
        FETCH_SECONDS.labels(source.id).observe(fetched.duration_ms / 1000)
        read = None
        if self.config.fetch.confirm_delay > 0:
            read = await confirm_change(self, source, state, fetched)
        rec = fetch_record(state.url, started_at, fetched)
        await self.settle(source, state, fetched, rec, read)

    def learned(self, source_id: str, patterns: frozenset[str]) -> None:
        """Volatile patterns learned during this cycle apply to its later checks."""
        self._volatile[source_id] = self._volatile.get(source_id, frozenset()) | patterns

    async def run_source(self, source: Source) -> None:
        # Every request made for the source — discovery, examined links, rechecks,
        # attachments, redirects, robots.txt — follows its SSRF policy.
        with private_allowed(source.allow_private):
            await self._run_source(source)

    async def _run_source(self, source: Source) -> None:
        if source.discover:
            from monitor.intake import discover  # intake builds on this module

            try:
                await discover(self, source)
            except StorageUnavailable:
                raise
            except Exception as exc:  # discovery trouble must not stop the rechecks
                log.exception("discovery for %s failed", source.id)
                self.summary.discovery_errors.append(f"{source.id}: {type(exc).__name__}: {exc}")
        urls = [j.url for j in jobs_for(source)]
        watched = await self.in_writer(self.store.ensure_documents, source.id, urls)
        due = await self.in_writer(self._due_states, source.id)
        await asyncio.gather(*(self.check(source, st) for st in [*watched, *due]))

    def _due_states(self, source_id: str) -> list[DocumentState]:
        return [state_of(r) for r in self.store.due_documents(source_id, utcnow(), DUE_LIMIT)]

    async def close(self) -> None:
        # In the writer thread, after every queued process() call.
        await self.in_writer(self.batch.flush)
        self.writer.shutdown(wait=True)


DUE_LIMIT = 5000  # rechecks per source per cycle; the most overdue go first


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
        await asyncio.gather(*(cycle.run_source(source) for source in sources))
    finally:
        await cycle.close()
        if own_fetcher:
            await fetcher.aclose()
    summary = cycle.summary
    summary.documents.sort(key=lambda d: d.id)
    summary.seconds = time.perf_counter() - started
    return summary
