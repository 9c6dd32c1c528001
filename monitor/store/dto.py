"""What the read side hands out: frozen plain data, never ORM rows, so a
caller can keep them after the session closed and cannot write through them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawSnapshot:
    """A stored response body as fetched; `body` is None once retention pruned it."""

    body: bytes | None
    content_type: str | None
    size: int


@dataclass(frozen=True)
class DocumentItem:
    id: int
    url: str
    title: str | None
    source_id: str
    source_name: str
    kind: str
    country: str
    status: str
    latest_seq: int
    first_seen_at: datetime
    last_changed_at: datetime | None
    themes: list[str]
    last_event: str | None
    last_event_at: datetime | None
    significance: str | None  # of the latest change
    snippet: str | None = None  # HTML-safe: text escaped, matches wrapped in <mark>
    languages: list[str] = field(default_factory=list)
    origin: str = "watch"
    rank: float | None = None  # search only: lower is a better match


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None  # opaque; pass back to get the next page
    total: int | None = None  # counted on the first page only


@dataclass(frozen=True)
class VersionItem:
    seq: int
    id: int
    fetched_at: datetime
    title: str | None
    chars: int
    text_hash: str
    themes: list[dict[str, Any]]
    change: dict[str, Any] | None  # significance, summary (dict), themes, inserted/deleted
    published_at: datetime | None = None
    final_url: str | None = None


@dataclass(frozen=True)
class EventItem:
    id: int
    kind: str
    created_at: datetime
    document_id: int
    url: str
    title: str | None
    source_id: str
    kind_of_source: str
    country: str
    themes: list[str]
    significance: str | None
    summary: str | None  # headline of the change
    version_seq: int | None
    source_name: str = ""
    change_id: int | None = None
    change_summary: dict[str, Any] | None = None  # the whole summary, for other languages


def _json(raw: str | None, default: Any) -> Any:
    return json.loads(raw) if raw else default


@dataclass(frozen=True)
class VersionRow:
    """One stored version; `themes` parsed (a list of theme hits)."""

    id: int
    document_id: int
    seq: int
    snapshot_id: int | None
    fetched_at: datetime
    final_url: str | None
    title: str | None
    published_at: datetime | None
    text: str
    text_hash: str
    chars: int
    rules: str | None
    themes: list[dict[str, Any]]
    origin: str

    @classmethod
    def of(cls, v: Any, text: str) -> VersionRow:
        """`text`: the version's text, rebuilt (monitor/store/history.py)."""
        return cls(
            v.id, v.document_id, v.seq, v.snapshot_id, v.fetched_at, v.final_url, v.title,
            v.published_at, text, v.text_hash, v.chars, v.rules, _json(v.themes, []), v.origin,
        )  # fmt: skip


@dataclass(frozen=True)
class ChangeRow:
    """The change that made a version: word diff, summary and themes, parsed."""

    id: int
    document_id: int
    from_version_id: int
    to_version_id: int
    inserted_chars: int
    deleted_chars: int
    diff: list[tuple[int, str]]
    created_at: datetime
    themes: list[dict[str, Any]]
    summary: dict[str, Any] | None
    significance: str | None

    @classmethod
    def of(cls, c: Any, ops: list[tuple[int, str]]) -> ChangeRow:
        """`ops`: the stored diff read back against the older text."""
        return cls(
            c.id, c.document_id, c.from_version_id, c.to_version_id, c.inserted_chars,
            c.deleted_chars, ops, c.created_at, _json(c.themes, []), _json(c.summary, None),
            c.significance,
        )  # fmt: skip


@dataclass(frozen=True)
class EventRow:
    id: int
    document_id: int
    kind: str
    version_id: int | None
    change_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, e: Any) -> EventRow:
        return cls(e.id, e.document_id, e.kind, e.version_id, e.change_id, e.created_at)


@dataclass(frozen=True)
class EndpointRow:
    """A feed, listing or sitemap with its schedule and latest outcome."""

    id: int
    source_id: str
    type: str
    url: str
    interval_s: float
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_new_at: datetime | None
    last_error: str | None
    polls: int
    items_new: int
    cursor: str | None

    @classmethod
    def of(cls, e: Any) -> EndpointRow:
        return cls(
            e.id, e.source_id, e.type, e.url, e.interval_s, e.next_poll_at, e.last_polled_at,
            e.last_new_at, e.last_error, e.polls, e.items_new, e.cursor,
        )  # fmt: skip


@dataclass(frozen=True)
class DocumentRow:
    """A tracked (or remembered) document: identity, status and schedule."""

    id: int
    source_id: str
    url: str
    status: str
    title: str | None
    origin: str
    latest_seq: int
    first_seen_at: datetime
    last_checked_at: datetime | None
    last_changed_at: datetime | None
    next_check_at: datetime | None
    missing_count: int
    relevant: bool | None
    alias_of_id: int | None
    parent_id: int | None

    @classmethod
    def of(cls, d: Any) -> DocumentRow:
        return cls(
            d.id, d.source_id, d.url, d.status, d.title, d.origin, d.latest_seq or 0,
            d.first_seen_at, d.last_checked_at, d.last_changed_at, d.next_check_at,
            d.missing_count or 0, d.relevant, d.alias_of_id, d.parent_id,
        )  # fmt: skip
