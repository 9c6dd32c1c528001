"""Plain reads used by the CLI, the pipeline and the health checks."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.models import (
    Change,
    Document,
    Event,
    FetchLog,
    Snapshot,
    Version,
    unpack_body,
)


class ReadingMixin:
    """Mixed into `Store`."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def source_health(self) -> dict[str, dict[str, Any]]:
        """Per source: last success, the first failure since then, the last error."""
        with self.session() as s:
            ok = dict(
                s.execute(
                    select(FetchLog.source_id, func.max(FetchLog.started_at))
                    .where(FetchLog.outcome != "error")
                    .group_by(FetchLog.source_id)
                ).all()
            )
            last = dict(
                s.execute(
                    select(FetchLog.source_id, func.max(FetchLog.id)).group_by(FetchLog.source_id)
                ).all()
            )
            out: dict[str, dict[str, Any]] = {}
            for source_id, last_id in last.items():
                row = s.get(FetchLog, last_id)
                assert row is not None
                since = None
                if row.outcome == "error":
                    query = select(func.min(FetchLog.started_at)).where(
                        FetchLog.source_id == source_id, FetchLog.outcome == "error"
                    )
                    if ok.get(source_id):
                        query = query.where(FetchLog.started_at > ok[source_id])
                    since = s.scalar(query)
                out[source_id] = {
                    "last_ok_at": ok.get(source_id),
                    "failing_since": since,
                    "last_error": row.error if row.outcome == "error" else None,
                    "last_fetch_at": row.started_at,
                }
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

    def versions(self, document_id: int) -> list[Version]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(Version).where(Version.document_id == document_id).order_by(Version.seq)
                )
            )

    def version(self, document_id: int, seq: int) -> Version | None:
        with self.session() as s:
            return s.scalars(
                select(Version).where(Version.document_id == document_id, Version.seq == seq)
            ).first()

    def change(self, change_id: int) -> Change | None:
        with self.session() as s:
            return s.get(Change, change_id)

    def change_to(self, version_id: int) -> Change | None:
        with self.session() as s:
            return s.scalars(select(Change).where(Change.to_version_id == version_id)).first()

    def snapshot_body(self, snapshot_id: int) -> bytes:
        with self.session() as s:
            snap = s.get(Snapshot, snapshot_id)
            body = unpack_body(snap) if snap is not None else None
            if body is None:
                raise LookupError(f"snapshot {snapshot_id} has no stored body")
            return body

    def fetch_log(self, *, document_id: int | None = None, limit: int = 100) -> list[FetchLog]:
        with self.session() as s:
            q = select(FetchLog).order_by(FetchLog.id.desc()).limit(limit)
            if document_id is not None:
                q = q.where(FetchLog.document_id == document_id)
            return list(s.scalars(q))

    def events(self, *, document_id: int | None = None, after: int = 0) -> list[Event]:
        """Events in order; `after` an event id, to follow the stream."""
        with self.session() as s:
            q = select(Event).where(Event.id > after).order_by(Event.id)
            if document_id is not None:
                q = q.where(Event.document_id == document_id)
            return list(s.scalars(q))

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
