"""What the read side hands out: frozen plain data, never ORM rows, so a
caller can keep them after the session closed and cannot write through them."""

from __future__ import annotations

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
