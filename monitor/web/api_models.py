"""Response models of the JSON API: they give /openapi.json its schemas and keep
what the API promises separate from how the store happens to return it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """A 404 (or another error that names no parameter): what was not found."""

    detail: str


class DocumentOut(BaseModel):
    id: int
    url: str
    title: str | None
    source_id: str
    source_name: str
    kind: str
    country: str
    languages: list[str]
    status: str
    origin: str
    latest_seq: int
    first_seen_at: datetime
    last_changed_at: datetime | None
    themes: list[str]
    last_event: str | None
    last_event_at: datetime | None
    significance: str | None = Field(description="of the latest change")
    snippet: str | None = Field(
        None, description="search only: HTML-safe, text escaped, matches in <mark>"
    )
    rank: float | None = Field(None, description="search only: lower is a better match")


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
    total: int | None = Field(description="matching documents; on the first page only")


class ThemeHitOut(BaseModel):
    theme: str
    score: float
    terms: list[str]
    sentences: list[str]
    side: str | None = None


class ChangeOut(BaseModel):
    id: int
    significance: str | None
    headline: str | None
    summary: dict[str, Any] | None
    themes: list[ThemeHitOut]
    inserted_chars: int
    deleted_chars: int


class VersionOut(BaseModel):
    seq: int
    id: int
    fetched_at: datetime
    published_at: datetime | None
    title: str | None
    final_url: str | None
    chars: int
    text_hash: str
    themes: list[ThemeHitOut]
    change: ChangeOut | None = Field(description="the change from the previous version")


class TextOut(BaseModel):
    document_id: int
    seq: int
    kind: Literal["extracted", "raw"]
    text: str


class DiffOut(BaseModel):
    document_id: int
    from_seq: int
    to_seq: int
    ops: list[tuple[Literal[-1, 0, 1], str]] = Field(
        description="[op, text]: -1 deleted, 0 unchanged, 1 inserted"
    )
    significance: str | None
    headline: str | None
    summary: dict[str, Any] | None
    themes: list[ThemeHitOut] = Field(description="themes of the inserted and deleted text")
    stored: bool = Field(description="true: the diff recorded when the change was found")


class EventOut(BaseModel):
    id: int
    kind: str
    created_at: datetime
    document_id: int
    url: str
    title: str | None
    source_id: str
    source_name: str
    kind_of_source: str
    country: str
    themes: list[str]
    significance: str | None
    summary: str | None = Field(description="headline of the change")
    version_seq: int | None
    change_id: int | None


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class AlertOut(BaseModel):
    id: int
    key: str
    subscription: str
    channel: str
    kind: str
    status: str
    attempts: int
    created_at: datetime
    due_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    document_id: int | None
    title: str | None
    headline: str | None


class AlertsOut(BaseModel):
    counts: dict[str, int]
    total: int
    oldest_undelivered: datetime | None
    items: list[AlertOut]


class SourceDayOut(BaseModel):
    date: str
    fetches: int
    errors: int


class SourceOut(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    languages: list[str]
    configured: bool
    documents: int
    removed: int
    ignored: int
    last_ok_at: datetime | None
    last_fetch_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    days: list[SourceDayOut]


class ThemeOut(BaseModel):
    id: str
    label: str
    label_ru: str
    documents: int = Field(description="tracked documents whose latest version has the theme")
    new_30d: int = Field(description="new documents with the theme, last 30 days")
    changes_30d: int = Field(description="changes touching the theme, last 30 days")


class TrendsOut(BaseModel):
    weeks: list[str]
    by: str | None
    groups: list[str]
    series: dict[str, dict[str, dict[str, list[int]]]]
    totals: dict[str, dict[str, int]]
