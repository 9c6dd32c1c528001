"""Source metadata for the read side, and opaque keyset cursors.

Kind, country and languages of a source are configuration, not data: they are
passed in (`sources=config.sources`) rather than copied into the database, so
editing sources.yaml takes effect at once and nothing can drift.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.store.browse import DocumentFilter


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
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("invalid cursor") from None
    if not isinstance(data, list) or not data or data[0] != tag:
        raise ValueError("invalid cursor (made for another sort or list)")
    return data[1:]
