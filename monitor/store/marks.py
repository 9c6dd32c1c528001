"""A reader's own state of documents: read up to which version (so a new
document or a new change is unread until opened), starred, muted (left out of
the reader's inbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.db import utcnow
from monitor.store.models import Document, ReaderMark


@dataclass(frozen=True)
class Mark:
    seen_seq: int = 0
    starred: bool = False
    muted: bool = False


@dataclass(frozen=True)
class InboxItem:
    id: int
    title: str | None
    url: str
    source_id: str
    latest_seq: int
    seen_seq: int
    last_changed_at: datetime | None
    first_seen_at: datetime
    starred: bool


class MarksMixin:
    """Mixed into `Reader`: reading state is written by readers through the UI."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def marks(self, user_id: int, document_ids: Sequence[int]) -> dict[int, Mark]:
        if not document_ids:
            return {}
        with self.session() as s:
            rows = s.scalars(
                select(ReaderMark).where(
                    ReaderMark.user_id == user_id, ReaderMark.document_id.in_(document_ids)
                )
            )
            return {r.document_id: Mark(r.seen_seq, r.starred, r.muted) for r in rows}

    def set_mark(
        self,
        user_id: int,
        document_id: int,
        *,
        seen_seq: int | None = None,
        starred: bool | None = None,
        muted: bool | None = None,
    ) -> Mark:
        with self.session() as s, s.begin():
            row = s.get(ReaderMark, (user_id, document_id))
            if row is None:
                row = ReaderMark(
                    user_id=user_id,
                    document_id=document_id,
                    seen_seq=0,
                    starred=False,
                    muted=False,
                    updated_at=utcnow(),
                )
                s.add(row)
            if seen_seq is not None:
                row.seen_seq = seen_seq
            if starred is not None:
                row.starred = starred
            if muted is not None:
                row.muted = muted
            row.updated_at = utcnow()
            return Mark(row.seen_seq, row.starred, row.muted)

    def inbox(self, user_id: int, limit: int = 200) -> tuple[list[InboxItem], list[InboxItem]]:
        """(unread, starred): documents new or changed since this reader last opened
        them, newest first, muted ones left out; and the starred ones. Two bounded
        queries: a store of 100,000 documents is not read to find a page."""
        seen = func.coalesce(ReaderMark.seen_seq, 0)
        base = (
            select(Document, ReaderMark)
            .outerjoin(
                ReaderMark,
                (ReaderMark.document_id == Document.id) & (ReaderMark.user_id == user_id),
            )
            .where(Document.latest_seq > 0, Document.status.in_(("active", "removed")))
            .order_by(Document.last_changed_at.desc().nulls_last(), Document.id.desc())
            .limit(limit)
        )
        unread_q = base.where(seen < Document.latest_seq).where(
            func.coalesce(ReaderMark.muted, False).is_(False)
        )
        starred_q = base.where(ReaderMark.starred.is_(True))
        with self.session() as s:
            return (
                [_item(d, m) for d, m in s.execute(unread_q)],
                [_item(d, m) for d, m in s.execute(starred_q)],
            )


def _item(doc: Document, mark: ReaderMark | None) -> InboxItem:
    return InboxItem(
        doc.id,
        doc.title,
        doc.url,
        doc.source_id,
        doc.latest_seq,
        mark.seen_seq if mark else 0,
        doc.last_changed_at,
        doc.first_seen_at,
        bool(mark and mark.starred),
    )
