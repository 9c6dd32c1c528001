"""Storage for discovery: endpoints with their adaptive schedule, discovered
documents with their relevance decision, and what is due for a recheck."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from monitor.store.db import utcnow
from monitor.store.models import Document, Endpoint, FetchLog

# URLs per `IN (...)` list. Why a bound: one list of every URL a 70,000-entry
# sitemap names overflows PostgreSQL's parameter limit (65,535) and, at a million,
# SQLite's; a few hundred per query costs next to nothing more.
IN_BATCH = 500


def batches(items: Sequence[str], size: int = IN_BATCH) -> Iterable[list[str]]:
    """`items` in lists of at most `size`, for queries with an `IN (...)` list."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass(frozen=True)
class EndpointState:
    id: int
    source_id: str
    type: str
    url: str
    interval_s: float
    next_poll_at: datetime | None
    cursor: str | None = None


@dataclass(frozen=True)
class NewDocument:
    """A discovered URL to start tracking (or to remember as not relevant)."""

    url: str
    origin: str  # discovered | attachment
    relevant: bool
    matched: dict[str, list[str]]
    discovered_via: str | None = None
    parent_id: int | None = None


def _endpoint_state(e: Endpoint) -> EndpointState:
    return EndpointState(e.id, e.source_id, e.type, e.url, e.interval_s, e.next_poll_at, e.cursor)


class TrackingMixin:
    """Mixed into `Store`; everything here is one short transaction."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def ensure_endpoints(
        self, source_id: str, specs: Iterable[tuple[str, str]], interval: float
    ) -> list[EndpointState]:
        """One row per (source, url); `interval` is the starting poll interval."""
        wanted = list(specs)
        with self.session() as s, s.begin():
            rows = {
                e.url: e for e in s.scalars(select(Endpoint).where(Endpoint.source_id == source_id))
            }
            for kind, url in wanted:
                if url not in rows:
                    rows[url] = Endpoint(
                        source_id=source_id,
                        type=kind,
                        url=url,
                        interval_s=interval,
                        polls=0,
                        items_new=0,
                    )
                    s.add(rows[url])
                elif rows[url].type != kind:
                    rows[url].type = kind
            s.flush()
            return [_endpoint_state(rows[url]) for _, url in wanted]

    def record_poll(
        self,
        endpoint_id: int,
        at: datetime,
        new_items: int,
        error: str | None,
        interval_s: float,
        cursor: str | None = None,
    ) -> None:
        """Store the poll's outcome, next time and resume point (`cursor`); the
        fetch log gets a row too (no document: `polled` or `error`), so source
        health and the errors per day count feeds, listings and sitemaps, not
        only watched documents."""
        with self.session() as s, s.begin():
            e = s.get(Endpoint, endpoint_id)
            assert e is not None
            s.add(
                FetchLog(
                    source_id=e.source_id,
                    document_id=None,
                    url=e.url,
                    started_at=at,
                    duration_ms=0.0,
                    outcome="error" if error else "polled",
                    error=error,
                )
            )
            e.last_polled_at, e.last_error, e.polls = at, error, e.polls + 1
            e.items_new += new_items
            if new_items:
                e.last_new_at = at
            e.interval_s, e.cursor = interval_s, cursor
            e.next_poll_at = at + timedelta(seconds=interval_s)

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        """The URLs among `urls` already stored, asked in bounded batches (see IN_BATCH)."""
        known: set[str] = set()
        if not urls:
            return known
        unique = list(dict.fromkeys(urls))
        with self.session() as s:
            for chunk in batches(unique):
                known.update(s.scalars(select(Document.url).where(Document.url.in_(chunk))))
        return known

    def add_documents(self, source_id: str, docs: Sequence[NewDocument], at: datetime) -> list[int]:
        """Insert discovered documents; irrelevant ones are kept as `ignored` so they
        are not fetched again, with the matched terms that explain the decision."""
        ids = []
        with self.session() as s, s.begin():
            for d in docs:
                row = Document(
                    source_id=source_id,
                    url=d.url,
                    status="active" if d.relevant else "ignored",
                    first_seen_at=at,
                    latest_seq=0,
                    origin=d.origin,
                    discovered_via=d.discovered_via,
                    parent_id=d.parent_id,
                    relevant=d.relevant,
                    relevance=json.dumps(d.matched, ensure_ascii=False),
                    missing_count=0,
                )
                s.add(row)
                s.flush()
                ids.append(row.id)
        return ids

    def mark_alias(self, document_id: int, canonical_id: int) -> None:
        with self.session() as s, s.begin():
            doc = s.get(Document, document_id)
            assert doc is not None
            doc.status, doc.alias_of_id = "alias", canonical_id

    def make_due(self, source_id: str, document_id: int | None = None) -> int:
        """ "Check now": the source's documents (or one of them) are due from this
        moment; the scheduler or the workers' dispatch checks them next."""
        with self.session() as s, s.begin():
            query = update(Document).where(Document.source_id == source_id)
            if document_id is not None:
                query = query.where(Document.id == document_id)
            result = s.execute(query.values(next_check_at=utcnow()))
            return int(getattr(result, "rowcount", 0) or 0)

    def due_documents(self, source_id: str, now: datetime, limit: int) -> list[Document]:
        """Discovered documents whose recheck time has come, most overdue first."""
        with self.session() as s:
            query = (
                select(Document)
                .where(
                    Document.source_id == source_id,
                    Document.origin != "watch",
                    Document.status.in_(("active", "removed")),
                    or_(Document.next_check_at.is_(None), Document.next_check_at <= now),
                )
                .order_by(Document.next_check_at.is_not(None), Document.next_check_at)
                .limit(limit)
            )
            return list(s.scalars(query))
