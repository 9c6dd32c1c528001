"""Source metadata for the read side, opaque keyset cursors, and the checks that
keep what a caller passes within what the database can hold.

Kind, country and languages of a source are configuration, not data: they are
passed in (`sources=config.sources`) rather than copied into the database, so
editing sources.yaml takes effect at once and nothing can drift.

A cursor comes back from a client, so it is untrusted input like any other: a
forged one must be a ValueError ("invalid cursor"), never a value that reaches
SQL and fails there (an id above BIGINT, a NUL byte PostgreSQL cannot store).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class DocumentFilter:
    source: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # official | media
    country: list[str] = field(default_factory=list)  # RU | KZ | other
    language: list[str] = field(default_factory=list)  # ru | kk | en (source languages)
    theme: list[str] = field(default_factory=list)  # theme ids of the latest version (any)
    # with since/until: documents with an event of one of these kinds in that range
    event: list[str] = field(default_factory=list)  # new | changed | removed | restored
    since: datetime | None = None  # an event at or after
    until: datetime | None = None  # an event at or before
    query: str | None = None  # full-text search over the latest versions
    status: list[str] = field(default_factory=lambda: ["active", "removed"])


MAX_BIGINT = 2**63 - 1  # ids: BIGINT on PostgreSQL, INTEGER (64-bit) on SQLite
MAX_INT = 2**31 - 1  # version numbers: INTEGER, 32-bit on PostgreSQL
MAX_CURSOR = 16384  # above any cursor the web layer lets through (it allows 8192)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_NOT_SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_char(value: str, *, allow_space: bool = False) -> str | None:
    """The first control character of `value` as "U+0000", or None. Tab, CR and LF
    pass with `allow_space` (free text); NUL never does: PostgreSQL cannot store it."""
    found = (_CONTROL_NOT_SPACE if allow_space else _CONTROL).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


class InvalidFilter(ValueError):
    """A filter value the database cannot take; `field` names the filter field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def check_filter(f: DocumentFilter) -> None:
    """InvalidFilter (a ValueError) when a filter holds a string the database would
    choke on (a control character); callers of the store get a clean error, not a
    driver failure half-way through a query."""
    for name in ("source", "kind", "country", "language", "theme", "event", "status"):
        for value in getattr(f, name):
            if not isinstance(value, str) or control_char(value) is not None:
                raise InvalidFilter(name, f"{value!r} is not a valid value")
    if f.query is not None and control_char(f.query, allow_space=True) is not None:
        raise InvalidFilter("query", "control characters are not allowed")


def in_id_range(value: int) -> bool:
    """Whether `value` can be a row id at all: a larger one is simply not found."""
    return 1 <= value <= MAX_BIGINT


def in_seq_range(value: int) -> bool:
    """Whether `value` can be a version number (INTEGER on PostgreSQL)."""
    return 1 <= value <= MAX_INT


@dataclass(frozen=True)
class SourceMeta:
    id: str
    name: str
    kind: str = "unknown"
    country: str = "unknown"
    languages: tuple[str, ...] = ()


def source_catalog(sources: Any) -> dict[str, SourceMeta]:
    """Config sources (objects with id/name/kind/country/languages), SourceMeta, or a
    mapping id -> SourceMeta | (name, kind, country, languages), as one mapping."""
    if sources is None:
        return {}
    out: dict[str, SourceMeta] = {}
    items: Iterable[Any] = sources.items() if isinstance(sources, Mapping) else sources
    for item in items:
        if isinstance(sources, Mapping):
            sid, value = item
            if isinstance(value, SourceMeta):
                out[sid] = value
            else:
                name, kind, country, languages = value
                out[sid] = SourceMeta(sid, name, kind, country, tuple(languages))
        else:
            out[item.id] = SourceMeta(
                item.id, item.name, item.kind, item.country, tuple(item.languages)
            )
    return out


def source_ids_for(f: DocumentFilter, catalog: Mapping[str, SourceMeta]) -> list[str] | None:
    """The source ids allowed by the source/kind/country/language filters; None: all."""
    if not (f.source or f.kind or f.country or f.language):
        return None
    ids = set(f.source) if f.source else None
    for wanted, attr in ((f.kind, "kind"), (f.country, "country")):
        if wanted:
            have = {m.id for m in catalog.values() if getattr(m, attr) in wanted}
            ids = have if ids is None else ids & have
    if f.language:
        have = {m.id for m in catalog.values() if set(m.languages) & set(f.language)}
        ids = have if ids is None else ids & have
    return sorted(ids or ())


def encode_cursor(payload: list[Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str) -> list[Any]:
    """The payload of a cursor made by `encode_cursor` with `tag` first; ValueError
    for anything else (a cursor from another sort, or edited by hand)."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise ValueError("invalid cursor")
    try:
        padded = cursor.rstrip("=")
        data = json.loads(base64.urlsafe_b64decode(padded + "=" * (-len(padded) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError("invalid cursor") from None
    if not isinstance(data, list) or not data or data[0] != tag:
        raise ValueError("invalid cursor (made for another sort or list)")
    return data[1:]


def cursor_id(value: Any) -> int:
    """The row id of a decoded cursor: a JSON integer a row can have, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not in_id_range(value):
        raise ValueError("invalid cursor")
    return value


def cursor_time(value: Any) -> datetime:
    """The timestamp of a decoded cursor (ISO 8601 with its zone, as written), in UTC;
    else ValueError."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("invalid cursor")
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:  # the store binds aware datetimes only; a naive one is forged
        raise ValueError("invalid cursor")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise ValueError("invalid cursor") from None


def cursor_text(value: Any) -> str:
    """A text sort key of a decoded cursor (a title or URL as stored, so any character
    but NUL, which no stored title has and PostgreSQL cannot take), else ValueError."""
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("invalid cursor")
    return value
