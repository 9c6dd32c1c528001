"""Read side for the web UI, the JSON API and the Atom feeds: filtered and
searched document lists with cursor pagination, timelines, trends, health.

CONTRACT (the web layer codes against it): every method is read-only, one short
session, returns plain dataclasses (no ORM objects escape), and works on SQLite
(FTS5) and PostgreSQL (tsvector, 'russian'); see `monitor.store.search`.

Source metadata (kind, country, languages) lives in the configuration, not in
the database: the methods that need it take `sources=` (e.g. `config.sources`,
or a mapping id -> (name, kind, country, languages)). Filters by kind, country or
language become a filter on the source ids that have them. A source missing
from the configuration reads as kind and country "unknown".
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from monitor.store import history
from monitor.store.catalog import (
    DocumentFilter,
    SourceMeta,
    check_filter,
    cursor_id,
    cursor_text,
    cursor_time,
    decode_cursor,
    encode_cursor,
    in_id_range,
    in_seq_range,
    source_catalog,
    source_ids_for,
)
from monitor.store.dto import DocumentItem, EventItem, Page, RawSnapshot, VersionItem
from monitor.store.models import (
    Change,
    Document,
    Event,
    Snapshot,
    SourceRow,
    Version,
    unpack_body,
)
from monitor.store.search import (
    document_themes,
    relevance,
    search_hits,
    snippets,
    theme_ids_of,
)

__all__ = [
    "MAX_LIMIT",
    "SORTS",
    "BrowseMixin",
    "DocumentFilter",
    "DocumentItem",
    "EventItem",
    "Page",
    "SourceMeta",
    "VersionItem",
    "decode_cursor",
    "encode_cursor",
    "source_catalog",
    "source_ids_for",
]

SORTS = ("recent", "title", "first_seen", "relevance")
MAX_LIMIT = 500


def _sort_key(s: Session, sort: str, hits: Any) -> tuple[Any, bool]:
    """(key expression, descending); ties are broken by the document id."""
    if sort == "recent":
        return func.coalesce(Document.last_changed_at, Document.first_seen_at), True
    if sort == "title":
        return func.coalesce(Document.title, Document.url), False
    if sort == "first_seen":
        return Document.first_seen_at, True
    return relevance(s, hits), False


def _cursor_position(cursor: str, sort: str) -> tuple[Any, int]:
    """(sort key, document id) of a cursor; ValueError for anything malformed. A cursor
    comes back from the client: every part is checked to be what `list_documents`
    writes (an aware time, a finite rank, a text, an id a row can have), so a forged
    one is refused here rather than failing in the driver."""
    try:
        value, last_id = decode_cursor(cursor, sort)
        if sort in ("recent", "first_seen"):
            value = cursor_time(value)
        elif sort == "relevance":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError
            value = float(value)
            if not math.isfinite(value):
                raise ValueError
        else:
            value = cursor_text(value)
        return value, cursor_id(last_id)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("invalid cursor") from None


class BrowseMixin:
    """Mixed into `Store`: documents, their versions and texts."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def _document_filters(
        self, s: Session, f: DocumentFilter, catalog: Mapping[str, SourceMeta]
    ) -> tuple[list[ColumnElement[bool]], Any]:
        """WHERE conditions on Document, and the search hits subquery (None: no search)."""
        where: list[ColumnElement[bool]] = []
        if f.status:
            where.append(Document.status.in_(f.status))
        ids = source_ids_for(f, catalog)
        if ids is not None:
            where.append(Document.source_id.in_(ids) if ids else false())
        if f.theme:
            themed = select(document_themes.c.document_id).where(
                document_themes.c.theme.in_(f.theme)
            )
            where.append(Document.id.in_(themed))
        if f.event or f.since or f.until:
            ev = select(Event.document_id)
            if f.event:
                ev = ev.where(Event.kind.in_(f.event))
            if f.since:
                ev = ev.where(Event.created_at >= f.since)
            if f.until:
                ev = ev.where(Event.created_at <= f.until)
            where.append(Document.id.in_(ev))
        hits = None
        if f.query and f.query.strip():
            hits = search_hits(s, f.query)
            if hits is None:
                where.append(false())
        return where, hits

    def list_documents(
        self,
        f: DocumentFilter | None = None,
        *,
        sources: Any = None,
        sort: str = "recent",
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page:
        """One page of documents, sorted by `sort` ("recent": last new or changed
        version, "title", "first_seen", "relevance": best search match first), with
        a keyset cursor: stable under inserts, no duplicates and no gaps."""
        f = f or DocumentFilter()
        check_filter(f)
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        catalog = source_catalog(sources)
        with self.session() as s:
            where, hits = self._document_filters(s, f, catalog)
            if f.query and f.query.strip() and hits is None:  # nothing in it can match
                return Page(items=[], next_cursor=None, total=0 if cursor is None else None)
            if sort == "relevance" and hits is None:
                raise ValueError("sort=relevance needs a search query")
            key, desc = _sort_key(s, sort, hits)
            cols = [Document.id, key.label("sort_key")]
            if cursor is None:  # counted in the same scan: the window runs before LIMIT
                cols.append(func.count().over().label("total"))
            stmt = select(*cols).where(*where)
            if hits is not None:
                stmt = stmt.join(hits, hits.c.document_id == Document.id)
            if cursor is not None:
                value, last_id = _cursor_position(cursor, sort)
                if desc:
                    stmt = stmt.where(or_(key < value, and_(key == value, Document.id < last_id)))
                else:
                    stmt = stmt.where(or_(key > value, and_(key == value, Document.id > last_id)))
            order = (key.desc(), Document.id.desc()) if desc else (key.asc(), Document.id.asc())
            rows = s.execute(stmt.order_by(*order).limit(limit + 1)).all()
            total = (rows[0].total if rows else 0) if cursor is None else None
            more = len(rows) > limit
            rows = rows[:limit]
            ids = [r.id for r in rows]
            ranks = {r.id: r.sort_key for r in rows} if sort == "relevance" else {}
            cuts = snippets(s, f.query or "", ids) if hits is not None else {}
            items = self._items(s, ids, catalog, cuts, ranks)
            next_cursor = None
            if more and rows:
                last = rows[-1].sort_key
                value = last.isoformat() if isinstance(last, datetime) else last
                next_cursor = encode_cursor([sort, value, rows[-1].id])
            return Page(items=items, next_cursor=next_cursor, total=total)

    def _items(
        self,
        s: Session,
        ids: Sequence[int],
        catalog: Mapping[str, SourceMeta],
        cuts: Mapping[int, str] | None = None,
        ranks: Mapping[int, float] | None = None,
    ) -> list[DocumentItem]:
        """DocumentItems for `ids`, in that order: three indexed queries for a page."""
        if not ids:
            return []
        docs = {
            d.id: (d, name)
            for d, name in s.execute(
                select(Document, SourceRow.name)
                .outerjoin(SourceRow, SourceRow.id == Document.source_id)
                .where(Document.id.in_(ids))
            )
        }
        latest = {
            doc_id: (themes, significance)
            for doc_id, themes, significance in s.execute(
                select(Version.document_id, Version.themes, Change.significance)
                .join(
                    Document,
                    and_(Document.id == Version.document_id, Version.seq == Document.latest_seq),
                )
                .outerjoin(Change, Change.to_version_id == Version.id)
                .where(Version.document_id.in_(ids))
            )
        }
        last_ids = select(func.max(Event.id)).where(Event.document_id.in_(ids))
        events = {
            doc_id: (kind, at)
            for doc_id, kind, at in s.execute(
                select(Event.document_id, Event.kind, Event.created_at).where(
                    Event.id.in_(last_ids.group_by(Event.document_id))
                )
            )
        }
        out = []
        for doc_id in ids:
            if doc_id not in docs:
                continue
            d, db_name = docs[doc_id]
            meta = catalog.get(d.source_id) or SourceMeta(d.source_id, db_name or d.source_id)
            themes, significance = latest.get(doc_id, (None, None))
            kind, at = events.get(doc_id, (None, None))
            out.append(
                DocumentItem(
                    id=d.id,
                    url=d.url,
                    title=d.title,
                    source_id=d.source_id,
                    source_name=meta.name,
                    kind=meta.kind,
                    country=meta.country,
                    status=d.status,
                    latest_seq=d.latest_seq,
                    first_seen_at=d.first_seen_at,
                    last_changed_at=d.last_changed_at,
                    themes=theme_ids_of(themes),
                    last_event=kind,
                    last_event_at=at,
                    significance=significance,
                    snippet=(cuts or {}).get(doc_id),
                    languages=list(meta.languages),
                    origin=d.origin,
                    rank=(ranks or {}).get(doc_id),
                )
            )
        return out

    def document(self, document_id: int, *, sources: Any = None) -> DocumentItem | None:
        """One document, or None; an id no row can have (above BIGINT) is not found,
        rather than an overflow in the driver."""
        if not in_id_range(document_id):
            return None
        with self.session() as s:
            items = self._items(s, [document_id], source_catalog(sources))
            return items[0] if items else None

    def document_versions(self, document_id: int) -> list[VersionItem]:
        """Every version, oldest first, with the change that led to it (not the texts:
        a page of history must not load megabytes)."""
        if not in_id_range(document_id):
            return []
        with self.session() as s:
            rows = s.execute(
                select(
                    Version.id,
                    Version.seq,
                    Version.fetched_at,
                    Version.title,
                    Version.chars,
                    Version.text_hash,
                    Version.themes,
                    Version.published_at,
                    Version.final_url,
                    Change.id.label("change_id"),
                    Change.significance,
                    Change.summary,
                    Change.themes.label("change_themes"),
                    Change.inserted_chars,
                    Change.deleted_chars,
                )
                .outerjoin(Change, Change.to_version_id == Version.id)
                .where(Version.document_id == document_id)
                .order_by(Version.seq)
            ).all()
        out = []
        for r in rows:
            change = None
            if r.change_id is not None:
                summary = json.loads(r.summary) if r.summary else None
                change = {
                    "id": r.change_id,
                    "significance": r.significance,
                    "summary": summary,
                    "headline": (summary or {}).get("headline"),
                    "themes": json.loads(r.change_themes) if r.change_themes else [],
                    "inserted_chars": r.inserted_chars,
                    "deleted_chars": r.deleted_chars,
                }
            out.append(
                VersionItem(
                    seq=r.seq,
                    id=r.id,
                    fetched_at=r.fetched_at,
                    title=r.title,
                    chars=r.chars,
                    text_hash=r.text_hash,
                    themes=json.loads(r.themes) if r.themes else [],
                    change=change,
                    published_at=r.published_at,
                    final_url=r.final_url,
                )
            )
        return out

    def version_text(self, document_id: int, seq: int) -> str | None:
        """The extracted text of one version; None when there is no such version (or
        the numbers are beyond what the columns hold)."""
        if not (in_id_range(document_id) and in_seq_range(seq)):
            return None
        with self.session() as s:
            return history.text_of(s, document_id, seq)

    def latest_text(self, document_id: int) -> str:
        """The text of a document's latest version ("" when it has none)."""
        if not in_id_range(document_id):
            return ""
        with self.session() as s:
            seq = s.scalar(select(Document.latest_seq).where(Document.id == document_id))
            return (history.text_of(s, document_id, seq) or "") if seq else ""

    def snapshot_of(self, document_id: int, seq: int) -> RawSnapshot | None:
        """The raw body behind a version (None inside when pruned by retention);
        None when there is no such version."""
        if not (in_id_range(document_id) and in_seq_range(seq)):
            return None
        with self.session() as s:
            snap = s.scalar(
                select(Snapshot)
                .join(Version, Version.snapshot_id == Snapshot.id)
                .where(Version.document_id == document_id, Version.seq == seq)
            )
            if snap is None:
                return None
            return RawSnapshot(unpack_body(snap), snap.content_type, snap.size)

    def stored_diff(
        self, document_id: int, from_seq: int, to_seq: int, old: str | None = None
    ) -> dict[str, Any] | None:
        """The stored change between two consecutive versions: ops, summary, themes,
        significance. None when the versions are not consecutive or not found.
        `old`: the text of `from_seq` when the caller has it (the diff is stored by
        positions and read against it), so it is not rebuilt a second time."""
        if to_seq != from_seq + 1 or not (in_id_range(document_id) and in_seq_range(to_seq)):
            return None
        with self.session() as s:
            change = s.scalar(
                select(Change)
                .join(Version, Version.id == Change.to_version_id)
                .where(Version.document_id == document_id, Version.seq == to_seq)
            )
            if change is None:
                return None
            old = old if old is not None else history.text_of(s, document_id, from_seq)
            if old is None:
                return None
            return {
                "ops": history.unpack(change.diff, old),
                "summary": json.loads(change.summary) if change.summary else None,
                "themes": json.loads(change.themes) if change.themes else [],
                "significance": change.significance,
            }

    def document_url(self, document_id: int) -> str | None:
        if not in_id_range(document_id):
            return None
        with self.session() as s:
            return s.scalar(select(Document.url).where(Document.id == document_id))

    def documents_on_site(self, site: str, excluding: int) -> list[tuple[int, str, str | None]]:
        """(id, url, title) of active or removed documents whose URL contains `site`."""
        with self.session() as s:
            rows = s.execute(
                select(Document.id, Document.url, Document.title).where(
                    Document.url.like(f"%{site}%"),
                    Document.id != excluding,
                    Document.status.in_(("active", "removed")),
                )
            ).all()
        return [(int(i), str(u), t) for i, u, t in rows]
