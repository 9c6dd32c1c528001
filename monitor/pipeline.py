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
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from monitor.config import Config, Source
from monitor.decode import DecodeError, decode_body
from monitor.diff import diff_words, stats
from monitor.extract import ExtractionError, extract, rules_fingerprint, text_hash
from monitor.fetch import Fetcher, FetchResult, Validators
from monitor.sources import Job, jobs_for
from monitor.store import (
    ConcurrentUpdate,
    DocumentState,
    FetchRecord,
    NewVersion,
    Outcome,
    Store,
    sha256,
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
    documents: list[DocumentOutcome] = field(default_factory=list)
    seconds: float = 0.0

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
            "seconds": round(self.seconds, 3),
            "documents": [
                {k: v for k, v in asdict(d).items() if v is not None} for d in self.documents
            ],
        }


_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


def _check_content_type(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in _TEXT_TYPES:
        raise DecodeError(f"unsupported content type {media!r}")


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


def process(
    store: Store,
    source: Source,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    batch: OutcomeBatch | None = None,
) -> DocumentOutcome:
    """Decide what one fetch means and record it; a new version in one transaction."""
    outcome = DocumentOutcome(id=state.id, url=state.url, event="unchanged", source=source.id)
    quiet = batch or OutcomeBatch(store, size=1)
    if fetched.error:
        quiet.add(Outcome(state, rec, "error"))
        outcome.event, outcome.error = "error", fetched.error
        return outcome
    if fetched.not_modified:
        quiet.add(Outcome(state, rec, "not_modified"))
        return outcome
    body = fetched.body or b""
    rules = rules_fingerprint(source.select, source.remove)
    body_sha = sha256(body)
    if body_sha == state.last_body_sha256 and rules == state.last_rules:
        quiet.add(Outcome(state, rec, "unchanged", body_sha, rules))
        return outcome
    try:
        _check_content_type(fetched.content_type)
        html, encoding = decode_body(body, fetched.content_type)
        extracted = extract(html, select=source.select, remove=source.remove)
    except (DecodeError, ExtractionError) as exc:
        failed = FetchRecord(**{**asdict(rec), "error": str(exc)})
        quiet.add(Outcome(state, failed, "error"))
        outcome.event, outcome.error = "error", str(exc)
        return outcome
    digest = text_hash(extracted.text)
    if digest == state.latest_text_hash:
        quiet.add(Outcome(state, rec, "unchanged", body_sha, rules))
        return outcome
    ops = None
    inserted = deleted = 0
    if state.latest_seq:
        previous = store.latest_text(state.id, state.latest_seq) or ""
        ops = diff_words(previous, extracted.text)
        counted = stats(ops)
        inserted, deleted = counted.inserted_chars, counted.deleted_chars
    stored = store.record_version(
        state,
        rec,
        NewVersion(
            body=body,
            content_type=fetched.content_type,
            encoding=encoding,
            text=extracted.text,
            text_hash=digest,
            title=extracted.title,
            published_at=extracted.published_at,
            rules=rules,
            diff=ops,
            inserted_chars=inserted,
            deleted_chars=deleted,
        ),
    )
    outcome.event, outcome.seq = stored.event, stored.seq
    return outcome


def _wants_full_fetch(state: DocumentState, config: Config) -> bool:
    if not (state.etag or state.last_modified) or state.last_full_fetch_at is None:
        return True
    age = utcnow() - state.last_full_fetch_at
    return age >= timedelta(seconds=config.fetch.full_fetch_after)


async def run_cycle(
    config: Config,
    store: Store,
    *,
    source_ids: list[str] | None = None,
    on_document: Callable[[DocumentOutcome], None] | None = None,
    fetcher: Fetcher | None = None,
) -> CycleSummary:
    """Check every document of the selected sources once."""
    started = time.perf_counter()
    sources = [config.source(i) for i in source_ids] if source_ids else list(config.sources)
    store.sync_sources((s.id, s.name) for s in config.sources)
    summary = CycleSummary()
    loop = asyncio.get_running_loop()
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.fetch)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-store")
    batch = OutcomeBatch(store)
    try:
        jobs: list[tuple[Job, DocumentState]] = []
        for source in sources:
            source_jobs = jobs_for(source)
            states = await loop.run_in_executor(
                writer, store.ensure_documents, source.id, [j.url for j in source_jobs]
            )
            jobs.extend(zip(source_jobs, states, strict=True))

        async def one(job: Job, state: DocumentState) -> None:
            full = _wants_full_fetch(state, config)
            validators = None if full else Validators(state.etag, state.last_modified)
            started_at = utcnow()
            fetched = await fetcher.fetch(job.url, validators)
            rec = FetchRecord(
                url=job.url,
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
            try:
                outcome = await loop.run_in_executor(
                    writer, process, store, job.source, state, fetched, rec, batch
                )
            except ConcurrentUpdate as exc:
                outcome = DocumentOutcome(state.id, state.url, "error", job.source.id, str(exc))
            except Exception as exc:  # a bug must not end the cycle for other documents
                log.exception("processing %s failed", job.url)
                outcome = DocumentOutcome(
                    state.id,
                    state.url,
                    "error",
                    job.source.id,
                    f"internal error: {type(exc).__name__}: {exc}",
                )
            if outcome.event == "error":
                log.warning("%s %s: %s", job.source.id, job.url, outcome.error)
            summary.add(outcome)
            if on_document:
                on_document(outcome)

        await asyncio.gather(*(one(job, state) for job, state in jobs))
    finally:
        # Runs in the writer thread, after every queued process() call.
        await loop.run_in_executor(writer, batch.flush)
        writer.shutdown(wait=True)
        if own_fetcher:
            await fetcher.aclose()
    summary.documents.sort(key=lambda d: d.id)
    summary.seconds = time.perf_counter() - started
    return summary
