"""The storage API the rest of the service uses; no other module writes SQL.

Each document's outcome is written in one transaction (fetch log, snapshot,
version, change, event, document state), so a crash can never leave a version
without its snapshot or a change without both of its versions.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor.store import history
from monitor.store.accounts import AccountsMixin
from monitor.store.activity import ActivityMixin
from monitor.store.browse import BrowseMixin
from monitor.store.db import create_db_engine, migrate, require_schema, utcnow
from monitor.store.families import FamiliesMixin, FamiliesReadMixin
from monitor.store.marks import MarksMixin
from monitor.store.models import (
    Change,
    Document,
    Event,
    FetchLog,
    Snapshot,
    SourceRow,
    Version,
)
from monitor.store.outbox import AlertDraft, OutboxMixin, OutboxReadMixin, add_alerts
from monitor.store.reading import ReadingMixin
from monitor.store.reextraction import ReextractionMixin
from monitor.store.search import index_latest
from monitor.store.stored_sources import StoredSourcesMixin
from monitor.store.tracking import TrackingMixin


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DocumentState:
    """What the pipeline needs to know about a document before fetching it."""

    id: int
    source_id: str
    url: str
    etag: str | None
    last_modified: str | None
    last_full_fetch_at: datetime | None
    latest_seq: int
    latest_text_hash: str | None
    last_body_sha256: str | None
    last_rules: str | None
    status: str = "active"  # active | removed | ignored | alias
    origin: str = "watch"  # watch | discovered | attachment
    first_seen_at: datetime | None = None
    last_changed_at: datetime | None = None
    missing_count: int = 0
    extractor: str | None = None  # the automatic extractor of the latest text
    region_path: str | None = None  # where the latest text sits in the page
    region_digest: str | None = None
    last_checked_at: datetime | None = None


@dataclass(frozen=True)
class Tracking:
    """Schedule and presence decided by the pipeline for one checked document."""

    next_check_at: datetime | None = None
    missing_count: int = 0
    presence: str | None = None  # "removed" or "restored": an event to emit
    alerts: tuple[AlertDraft, ...] = ()  # for the presence event


@dataclass(frozen=True)
class FetchRecord:
    """One fetch as it goes into the fetch log."""

    url: str
    started_at: datetime
    duration_ms: float
    status_code: int | None = None
    final_url: str | None = None
    error: str | None = None
    bytes: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    full_fetch: bool = False


@dataclass(frozen=True)
class Outcome:
    """A fetch that produced no new version, waiting to be written."""

    state: DocumentState
    rec: FetchRecord
    outcome: str  # error | not_modified | unchanged
    body_sha256: str | None = None
    rules: str | None = None
    tracking: Tracking | None = None
    region: tuple[str, str] | None = None  # (path, digest) found by a full extraction


@dataclass(frozen=True)
class NewVersion:
    body: bytes
    content_type: str | None
    encoding: str | None
    text: str
    text_hash: str
    title: str | None
    published_at: datetime | None
    rules: str
    diff: list[tuple[int, str]] | None  # None for a document's first version
    inserted_chars: int = 0
    deleted_chars: int = 0
    themes: list[dict[str, Any]] | None = None  # of the whole text
    change_themes: list[dict[str, Any]] | None = None  # of the inserted/deleted text
    summary: dict[str, Any] | None = None
    significance: str | None = None
    extractor: str | None = None  # which automatic extractor gave the text
    region: tuple[str, str] | None = None  # (path, digest) of the text in the page


@dataclass(frozen=True)
class StoredVersion:
    document_id: int
    version_id: int
    seq: int
    event: str
    change_id: int | None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def state_of(doc: Document) -> DocumentState:
    return DocumentState(
        id=doc.id,
        source_id=doc.source_id,
        url=doc.url,
        etag=doc.etag,
        last_modified=doc.last_modified,
        last_full_fetch_at=doc.last_full_fetch_at,
        latest_seq=doc.latest_seq,
        latest_text_hash=doc.latest_text_hash,
        last_body_sha256=doc.last_body_sha256,
        last_rules=doc.last_rules,
        status=doc.status,
        origin=doc.origin,
        first_seen_at=doc.first_seen_at,
        last_changed_at=doc.last_changed_at,
        missing_count=doc.missing_count,
        extractor=doc.extractor,
        region_path=doc.region_path,
        region_digest=doc.region_digest,
        last_checked_at=doc.last_checked_at,
    )


class Reader(
    BrowseMixin,
    ActivityMixin,
    ReadingMixin,
    OutboxReadMixin,
    AccountsMixin,
    StoredSourcesMixin,
    MarksMixin,
    FamiliesReadMixin,
):
    """The read side: what the web UI, the JSON API, the CLI and the health checks
    ask. Every method is one short read-only session and returns plain frozen data
    (monitor/store/dto.py, AlertRow), never an ORM row.
    """

    def __init__(self, url: str, *, auto_migrate: bool = True, must_exist: bool = False) -> None:
        """Open (and migrate) the database at `url`. `must_exist` is for commands
        that only read: a database that does not exist yet is refused with
        `MissingDatabase` instead of being created empty."""
        self.url = url
        self.engine: Engine = create_db_engine(url, must_exist=must_exist)
        if must_exist:
            try:
                require_schema(self.engine)
            except Exception:
                self.engine.dispose()
                raise
        if auto_migrate:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def ping(self) -> str | None:
        """None when the database answers a trivial query, else what went wrong."""
        try:
            with self.session() as s:
                s.execute(select(1))
        except Exception as exc:  # any failure means "not ready", and says which
            return f"{type(exc).__name__}: {exc}"
        return None

    def close(self) -> None:
        self.engine.dispose()


class Store(Reader, TrackingMixin, OutboxMixin, ReextractionMixin, FamiliesMixin):
    """The write side, and the one gateway to the database: recording fetches,
    versions, discovery and alert delivery, each method one short transaction.
    A Store is also a Reader."""

    # --- sources and documents ------------------------------------------------

    def sync_sources(self, sources: Iterable[tuple[str, str]]) -> None:
        """One row per configured source. Workers starting together on PostgreSQL
        insert the same rows at once: the loser of that race reads them again."""
        wanted = list(sources)
        for attempt in range(3):
            now = utcnow()
            try:
                with self.session() as s, s.begin():
                    for source_id, name in wanted:
                        row = s.get(SourceRow, source_id)
                        if row is None:
                            s.add(
                                SourceRow(id=source_id, name=name, created_at=now, updated_at=now)
                            )
                        elif row.name != name:
                            row.name, row.updated_at = name, now
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def ensure_documents(self, source_id: str, urls: Sequence[str]) -> list[DocumentState]:
        """Get or create one row per canonical URL, in the order given."""
        now = utcnow()
        with self.session() as s, s.begin():
            existing = {d.url: d for d in s.scalars(select(Document).where(Document.url.in_(urls)))}
            for url in urls:
                if url not in existing:
                    doc = Document(
                        source_id=source_id,
                        url=url,
                        status="active",
                        first_seen_at=now,
                        latest_seq=0,
                    )
                    s.add(doc)
                    existing[url] = doc
            s.flush()
            return [state_of(existing[url]) for url in urls]

    def document_states(self, ids: Sequence[int]) -> list[DocumentState]:
        with self.session() as s:
            rows = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(ids)))}
            return [state_of(rows[i]) for i in ids if i in rows]

    # --- writing outcomes ------------------------------------------------------

    def _log(self, s: Session, source_id: str, doc_id: int, rec: FetchRecord, outcome: str) -> None:
        s.add(
            FetchLog(
                source_id=source_id,
                document_id=doc_id,
                url=rec.url,
                final_url=rec.final_url,
                started_at=rec.started_at,
                duration_ms=rec.duration_ms,
                status_code=rec.status_code,
                outcome=outcome,
                error=rec.error,
                bytes=rec.bytes,
            )
        )

    def _touch(self, doc: Document, rec: FetchRecord) -> None:
        doc.last_checked_at = rec.started_at
        if rec.status_code and 200 <= rec.status_code < 400:
            if rec.etag is not None or rec.full_fetch:
                doc.etag = rec.etag
            if rec.last_modified is not None or rec.full_fetch:
                doc.last_modified = rec.last_modified
        if rec.full_fetch:
            doc.last_full_fetch_at = rec.started_at

    def record_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        """Several version-less outcomes in one transaction.

        Why: on a quiet cycle almost every document is a 304; a commit per
        document would cost more CPU than the fetch itself.
        """
        if not outcomes:
            return
        with self.session() as s, s.begin():
            docs = {
                d.id: d
                for d in s.scalars(
                    select(Document).where(Document.id.in_({o.state.id for o in outcomes}))
                )
            }
            for o in outcomes:
                doc = docs[o.state.id]
                self._log(s, o.state.source_id, o.state.id, o.rec, o.outcome)
                if o.outcome != "error":
                    self._touch(doc, o.rec)
                    if o.body_sha256:
                        doc.last_body_sha256, doc.last_rules = o.body_sha256, o.rules
                    if o.region is not None:
                        doc.region_path, doc.region_digest = o.region
                else:
                    doc.last_checked_at = o.rec.started_at
                self._track(s, doc, o.rec, o.tracking)

    def _snapshot(self, s: Session, version: NewVersion, body_sha: str, now: datetime) -> int:
        existing = s.scalar(select(Snapshot).where(Snapshot.sha256 == body_sha))
        if existing is not None:
            if existing.body is None:  # pruned by retention: the same bytes are back
                existing.body = zlib.compress(version.body, 6)
                existing.stored_size, existing.compression = len(existing.body), "zlib"
                existing.pruned_at = None
            return existing.id
        packed = zlib.compress(version.body, 6)
        try:
            with s.begin_nested():
                snap = Snapshot(
                    sha256=body_sha,
                    size=len(version.body),
                    stored_size=len(packed),
                    compression="zlib",
                    content_type=version.content_type,
                    encoding=version.encoding,
                    body=packed,
                    created_at=now,
                )
                s.add(snap)
                s.flush()
                return snap.id
        except IntegrityError:  # another process stored the same body meanwhile
            found = s.scalar(select(Snapshot.id).where(Snapshot.sha256 == body_sha))
            assert found is not None
            return found

    def _track(self, s: Session, doc: Document, rec: FetchRecord, t: Tracking | None) -> None:
        if t is None:
            return
        # A watched URL has no recheck time of its own (it follows its source's
        # interval); the one a worker dispatcher gave it when queueing it stays.
        if t.next_check_at is not None or doc.origin != "watch":
            doc.next_check_at = t.next_check_at
        doc.missing_count = t.missing_count
        if t.presence == "removed":
            doc.status = "removed"
        elif t.presence == "restored":
            doc.status = "active"
        if t.presence:
            event = Event(document_id=doc.id, kind=t.presence, created_at=rec.started_at)
            s.add(event)
            s.flush()
            add_alerts(s, t.alerts, event.id, doc.id, rec.started_at)

    def record_version(
        self,
        state: DocumentState,
        rec: FetchRecord,
        version: NewVersion,
        tracking: Tracking | None = None,
        alerts: Sequence[AlertDraft] = (),
        *,
        origin: str = "fetch",
    ) -> StoredVersion:
        """One version with its change, event and alerts, in one transaction.

        `origin="reextract"`: the stored body read again by a newer extractor or
        changed rules. It is recorded as history (event "reextracted"), without
        alerts, a fetch-log row or a new "last changed" time: nobody edited it.
        """
        refetch = origin == "fetch"
        if not refetch:
            assert not alerts, "a re-extraction never alerts"
        body_sha = sha256(version.body)
        with self.session() as s, s.begin():
            doc = s.get(Document, state.id, with_for_update=s.get_bind().dialect.name != "sqlite")
            assert doc is not None
            if doc.latest_seq != state.latest_seq:
                raise ConcurrentUpdate(f"document {doc.id} was updated by another process")
            snapshot_id = self._snapshot(s, version, body_sha, rec.started_at)
            if refetch:
                self._track(s, doc, rec, tracking)
            seq = doc.latest_seq + 1
            row = Version(
                document_id=doc.id,
                seq=seq,
                snapshot_id=snapshot_id,
                fetched_at=rec.started_at,
                final_url=rec.final_url,
                title=version.title,
                published_at=version.published_at,
                text=version.text,
                text_hash=version.text_hash,
                chars=len(version.text),
                rules=version.rules,
                themes=_json(version.themes),
                origin=origin,
            )
            s.add(row)
            s.flush()
            index_latest(s, doc.id, row.id, version.title, version.text, version.themes)
            change_id = None
            if seq > 1 and version.diff is not None:
                previous = s.scalar(
                    select(Version.id).where(Version.document_id == doc.id, Version.seq == seq - 1)
                )
                change = Change(
                    document_id=doc.id,
                    from_version_id=previous,
                    to_version_id=row.id,
                    inserted_chars=version.inserted_chars,
                    deleted_chars=version.deleted_chars,
                    diff=history.pack(version.diff),
                    created_at=rec.started_at,
                    themes=_json(version.change_themes),
                    summary=_json(version.summary),
                    significance=version.significance,
                )
                s.add(change)
                s.flush()
                change_id = change.id
            if seq > 1:
                history.demote(s, doc.id, seq - 1)
            event = ("new" if seq == 1 else "changed") if refetch else "reextracted"
            event_row = Event(
                document_id=doc.id,
                kind=event,
                version_id=row.id,
                change_id=change_id,
                created_at=rec.started_at,
            )
            s.add(event_row)
            s.flush()
            add_alerts(s, alerts, event_row.id, doc.id, rec.started_at)
            if refetch:
                self._log(s, state.source_id, doc.id, rec, event)
                self._touch(doc, rec)
                doc.last_changed_at = rec.started_at
            doc.latest_seq, doc.latest_text_hash = seq, version.text_hash
            doc.last_body_sha256, doc.last_rules = body_sha, version.rules
            doc.title = version.title
            doc.extractor = version.extractor
            doc.region_path, doc.region_digest = version.region or (None, None)
            return StoredVersion(doc.id, row.id, seq, event, change_id)


class ConcurrentUpdate(Exception):
    pass
