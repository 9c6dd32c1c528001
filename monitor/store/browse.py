"""Read side for the web UI, the JSON API and the Atom feeds: filtered and
searched document lists with cursor pagination, timelines, trends, health.

CONTRACT (to be implemented in this module; the web layer codes against it):
every method is read-only, one short session, returns plain dataclasses (no ORM
objects escape), and works on SQLite (FTS5) and PostgreSQL (tsvector, 'russian').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DocumentFilter:
    source: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # official | media
    country: list[str] = field(default_factory=list)  # RU | KZ | other
    language: list[str] = field(default_factory=list)  # ru | kk | en (source languages)
    theme: list[str] = field(default_factory=list)  # theme ids of the latest version
    event: list[str] = field(default_factory=list)  # new | changed | removed | restored
    since: datetime | None = None  # last event at or after
    until: datetime | None = None
    query: str | None = None  # full-text search over the latest versions
    status: list[str] = field(default_factory=lambda: ["active", "removed"])


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


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None  # opaque; pass back to get the next page
    total: int | None = None


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
