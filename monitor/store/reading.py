"""Plain reads used by the CLI, the pipeline and the health checks; every
method returns plain data (monitor/store/dto.py), never an ORM row."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from monitor.store import history
from monitor.store.catalog import MAX_INT
from monitor.store.coordination import QueueFigures, queue_figures
from monitor.store.dto import ChangeRow, DocumentRow, EndpointRow, EventRow, VersionRow
from monitor.store.models import (
    Change,
    Document,
    Endpoint,
    Event,
    FetchLog,
    Snapshot,
    Version,
)


def _first_error_after(
    s: Session, source_id: str, polls: bool, after: datetime | None
) -> datetime | None:
    """When the current run of failures of one channel (documents or polls) began."""
    query = select(func.min(FetchLog.started_at)).where(
        FetchLog.source_id == source_id,
        FetchLog.outcome == "error",
        FetchLog.document_id.is_(None) if polls else FetchLog.document_id.is_not(None),
    )
    if after is not None:
        query = query.where(FetchLog.started_at > after)
    return s.scalar(query)


def _health(
    s: Session,
    source_id: str,
    channels: dict[int, tuple[datetime | None, datetime, int]],
    endpoints: list[Endpoint],
) -> dict[str, Any]:
    """One source's health from its document and poll channels (see source_health)."""
    failing: list[tuple[datetime, str | None, datetime]] = []  # (since, error, at)
    oks = [c[0] for c in channels.values() if c[0] is not None]
    fetched = [c[1] for c in channels.values()]
    if 0 in channels:
        last_ok, _, last_id = channels[0]
        row = s.get(FetchLog, last_id)
        if row is not None and row.outcome == "error":
            since = _first_error_after(s, source_id, False, last_ok) or row.started_at
            failing.append((since, row.error, row.started_at))
    # Endpoints no longer in the configuration stop being polled: one that was due
    # at the source's latest poll but was not polled then is ignored.
    latest_poll = max((e.last_polled_at for e in endpoints if e.last_polled_at), default=None)
    live = [
        e
        for e in endpoints
        if e.next_poll_at is None or latest_poll is None or e.next_poll_at > latest_poll
    ]
    oks += [e.last_polled_at for e in live if e.last_polled_at and not e.last_error]
    # A poll that found items worked (databases from before polls were logged).
    oks += [e.last_new_at for e in endpoints if e.last_new_at]
    fetched += [e.last_polled_at for e in live if e.last_polled_at]
    polled = [(e.last_polled_at, e.last_error) for e in live if e.last_polled_at is not None]
    if polled and all(error for _, error in polled):
        at, error = max(polled, key=lambda p: p[0])
        began = _first_error_after(s, source_id, True, channels.get(1, (None,))[0])
        failing.append((began or min(p[0] for p in polled), error, at))
    last_ok_at = max(oks, default=None)
    return {
        "last_ok_at": last_ok_at,
        "failing_since": min(f[0] for f in failing) if failing else None,
        "last_error": max(failing, key=lambda f: f[2])[1] if failing else None,
        "last_fetch_at": max(fetched, default=None),
        "never_succeeded": bool(failing) and last_ok_at is None,
    }


class ReadingMixin:
    """Mixed into `Store`."""

    engine: Engine  # provided by Store

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def source_health(self) -> dict[str, dict[str, Any]]:
        """Per source: last success, since when it fails, the last error.

        A source fails when the latest fetch of its documents failed, or when every
        feed, listing and sitemap it polls failed at its latest poll: either way it
        no longer follows or finds what it should. Watched documents alone would
        leave a source that only has feeds looking fine while nothing reaches it.
        `never_succeeded`: no fetch or poll of it ever worked (a wrong host name, or
        no network since the first start), which the operator must hear at once.
        """
        poll = case((FetchLog.document_id.is_(None), 1), else_=0)
        ok_at = case((FetchLog.outcome != "error", FetchLog.started_at))
        with self.session() as s:
            channels: dict[str, dict[int, tuple[datetime | None, datetime, int]]] = {}
            for source_id, is_poll, last_ok, last_at, last_id in s.execute(
                select(
                    FetchLog.source_id,
                    poll,
                    func.max(ok_at),
                    func.max(FetchLog.started_at),
                    func.max(FetchLog.id),
                ).group_by(FetchLog.source_id, poll)
            ):
                channels.setdefault(source_id, {})[int(is_poll)] = (last_ok, last_at, last_id)
            endpoints: dict[str, list[Endpoint]] = {}
            for e in s.scalars(select(Endpoint).where(Endpoint.polls > 0)):
                endpoints.setdefault(e.source_id, []).append(e)
            out: dict[str, dict[str, Any]] = {}
            for source_id in sorted(set(channels) | set(endpoints)):
                out[source_id] = _health(
                    s, source_id, channels.get(source_id, {}), endpoints.get(source_id, [])
                )
            return out

    def latest_themes(self, document_id: int) -> list[dict[str, Any]]:
        with self.session() as s:
            raw = s.scalar(
                select(Version.themes)
                .where(Version.document_id == document_id)
                .order_by(Version.seq.desc())
                .limit(1)
            )
            return json.loads(raw) if raw else []

    def versions(self, document_id: int) -> list[VersionRow]:
        """Every version in order, texts rebuilt in one pass from version 1 (a keyframe)."""
        with self.session() as s:
            rows = history.rebuilt(s, document_id, upto=MAX_INT)
            return [VersionRow.of(v, text) for v, text in rows]

    def version(self, document_id: int, seq: int) -> VersionRow | None:
        with self.session() as s:
            rows = history.rebuilt(s, document_id, upto=seq, since=seq)
            return VersionRow.of(*rows[0]) if rows else None

    def _change_row(self, s: Session, c: Change) -> ChangeRow:
        before = s.get(Version, c.from_version_id)
        old = history.text_of(s, c.document_id, before.seq) if before is not None else None
        return ChangeRow.of(c, history.unpack(c.diff, old or ""))

    def change(self, change_id: int) -> ChangeRow | None:
        with self.session() as s:
            c = s.get(Change, change_id)
            return self._change_row(s, c) if c is not None else None

    def change_to(self, version_id: int) -> ChangeRow | None:
        with self.session() as s:
            c = s.scalars(select(Change).where(Change.to_version_id == version_id)).first()
            return self._change_row(s, c) if c is not None else None

    def events(self, *, document_id: int | None = None, after: int = 0) -> list[EventRow]:
        """Events in order; `after` an event id, to follow the stream."""
        with self.session() as s:
            q = select(Event).where(Event.id > after).order_by(Event.id)
            if document_id is not None:
                q = q.where(Event.document_id == document_id)
            return [EventRow.of(e) for e in s.scalars(q)]

    def find_document(self, url_or_id: str) -> DocumentRow | None:
        with self.session() as s:
            if url_or_id.isdigit():
                d = s.get(Document, int(url_or_id))
            else:
                d = s.scalars(select(Document).where(Document.url == url_or_id)).first()
            return DocumentRow.of(d) if d is not None else None

    def endpoints(self, source_id: str | None = None) -> list[EndpointRow]:
        with self.session() as s:
            query = select(Endpoint).order_by(Endpoint.source_id, Endpoint.id)
            if source_id:
                query = query.where(Endpoint.source_id == source_id)
            return [EndpointRow.of(e) for e in s.scalars(query)]

    def schedule(self, source_id: str | None = None) -> list[DocumentRow]:
        """Active and removed documents by source and next check."""
        with self.session() as s:
            query = select(Document).where(Document.status.in_(("active", "removed")))
            if source_id:
                query = query.where(Document.source_id == source_id)
            order = query.order_by(Document.source_id, Document.next_check_at)
            return [DocumentRow.of(d) for d in s.scalars(order)]

    def queue_figures(self, stalled_after: float = 30.0) -> QueueFigures | None:
        """The job queue's figures (monitor/store/coordination.py), or None where no
        worker queue exists (SQLite, or PostgreSQL before the first worker)."""
        return queue_figures(self.engine, stalled_after)

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (
                    ("documents", Document),
                    ("versions", Version),
                    ("snapshots", Snapshot),
                    ("changes", Change),
                    ("events", Event),
                    ("fetch_log", FetchLog),
                )
            }
