"""The JSON API (`/api/...`): documents with filters, search and cursor pagination,
versions, texts, diffs, the change stream, alerts, sources and themes.

The app puts the `Store` and the `Config` in `app.state`; every endpoint reads
them from there (`get_store`, `get_config`), so a test can mount `router` on a
bare FastAPI app. Endpoints are plain functions: FastAPI runs them in its thread
pool, where the store's short blocking sessions belong.

Texts come from pages nobody here controls, so JSON is written with `<`, `>` and
`&` as \\u escapes: a response pasted into HTML, or sniffed as HTML, cannot open
a tag. The values decode to exactly what was stored.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from monitor.analysis.themes import default_themes
from monitor.config import Config
from monitor.store import Reader
from monitor.store.browse import DocumentFilter
from monitor.views import compare, raw_text
from monitor.web.api_models import (
    AlertOut,
    AlertsOut,
    ChangeOut,
    DiffOut,
    DocumentOut,
    DocumentPage,
    ErrorOut,
    EventOut,
    EventPage,
    SourceOut,
    TextOut,
    ThemeHitOut,
    ThemeOut,
    TrendsOut,
    VersionOut,
)
from monitor.web.params import (
    MAX_SEQ,
    MAX_VALUES,
    Cursor,
    DocId,
    Ident,
    SearchText,
    Seq,
    invalid,
    utc,
)

MAX_LIMIT = 200
Kind = Literal["official", "media"]
Country = Literal["RU", "KZ", "other"]
Language = Literal["ru", "kk", "en"]
EventKind = Literal["new", "changed", "removed", "restored", "reextracted", "diverged"]
Status = Literal["active", "removed", "ignored", "alias"]
AlertStatus = Literal["pending", "sending", "sent", "failed", "uncertain"]


class SafeJSONResponse(JSONResponse):
    """JSON with <, > and & escaped, so hostile strings stay inert anywhere."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def get_store(request: Request) -> Reader:
    store: Reader = request.app.state.store
    return store


def get_config(request: Request) -> Config:
    return getattr(request.app.state, "config", None) or Config()


StoreDep = Annotated[Reader, Depends(get_store)]
ConfigDep = Annotated[Config, Depends(get_config)]


def theme_labels(config: Config) -> dict[str, dict[str, str]]:
    """Theme id -> {"label", "label_ru"} of the configured (or shipped) taxonomy."""
    if config.themes is not None:
        return {
            k: {"label": v.label, "label_ru": v.label_ru or v.label}
            for k, v in config.themes.items()
        }
    return _shipped_labels()


@lru_cache(maxsize=1)
def _shipped_labels() -> dict[str, dict[str, str]]:
    """Parsed once: `default_themes()` deep-copies the whole taxonomy on every call."""
    return {
        k: {"label": v.get("label", k), "label_ru": v.get("label_ru") or v.get("label", k)}
        for k, v in default_themes().items()
    }


def _many(description: str) -> Any:
    """A repeatable query parameter, bounded in count so the schema states the limit."""
    return Query(description=description, max_length=MAX_VALUES)


def document_filter(
    config: ConfigDep,
    source: Annotated[list[Ident], _many("source ids (repeat for several)")] = [],  # noqa: B006
    kind: Annotated[list[Kind], _many("kinds of source")] = [],  # noqa: B006
    country: Annotated[list[Country], _many("countries of source")] = [],  # noqa: B006
    language: Annotated[list[Language], _many("source languages")] = [],  # noqa: B006
    theme: Annotated[list[Ident], _many("theme ids (any of them)")] = [],  # noqa: B006
    event: Annotated[list[EventKind], _many("event kinds, with since/until")] = [],  # noqa: B006
    since: Annotated[datetime | None, Query(description="an event at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="an event at or before")] = None,
    q: Annotated[SearchText | None, Query(description="full-text search")] = None,
    status: Annotated[list[Status], _many("document statuses")] = ["active", "removed"],  # noqa: B006
) -> DocumentFilter:
    """The filter shared by documents and changes: every value bounded and checked here
    (unknown themes, since after until), so the store only sees what it can query."""
    unknown = sorted(set(theme) - set(theme_labels(config)))
    if unknown:
        raise invalid("theme", f"unknown theme(s): {', '.join(unknown)}", unknown)
    start, end = utc(since, "since"), utc(until, "until")
    if start and end and start > end:
        raise invalid("until", "until is before since", str(until))
    return DocumentFilter(
        source=source,
        kind=list(kind),
        country=list(country),
        language=list(language),
        theme=theme,
        event=list(event),
        since=start,
        until=end,
        query=q.strip() if q and q.strip() else None,
        status=list(status),
    )


FilterDep = Annotated[DocumentFilter, Depends(document_filter)]


# --- endpoints -------------------------------------------------------------------------

router = APIRouter(prefix="/api", tags=["api"], default_response_class=SafeJSONResponse)


def build_api_router() -> APIRouter:
    """The router the app includes (one per process; it holds no state)."""
    return router


def _limit(default: int = 50) -> Any:
    return Query(default, ge=1, le=MAX_LIMIT)


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such document or version"}
}


def _hits(raw: list[dict[str, Any]] | None) -> list[ThemeHitOut]:
    return [ThemeHitOut.model_validate(h) for h in raw or ()]


@router.get("/documents", response_model=DocumentPage, summary="Documents, filtered or searched")
def list_documents(
    store: StoreDep,
    config: ConfigDep,
    f: FilterDep,
    sort: Literal["recent", "title", "first_seen", "relevance"] | None = Query(
        None, description="default: relevance with q, else recent"
    ),
    cursor: Annotated[Cursor | None, Query(description="`next_cursor` of the page before")] = None,
    limit: int = _limit(),
) -> DocumentPage:
    chosen = sort or ("relevance" if f.query else "recent")
    if chosen == "relevance" and not f.query:
        raise invalid("sort", "sort=relevance needs q", sort)
    try:
        page = store.list_documents(
            f, sources=config.sources, sort=chosen, cursor=cursor, limit=limit
        )
    except ValueError as exc:  # the filter is checked above: the cursor is what is wrong
        raise invalid(getattr(exc, "field", "cursor"), str(exc), cursor) from None
    return DocumentPage(
        items=[DocumentOut.model_validate(asdict(i)) for i in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


def _document_or_404(store: Reader, config: Config, doc_id: int) -> Any:
    """The document, or a 404 naming the id."""
    item = store.document(doc_id, sources=config.sources)
    if item is None:
        raise HTTPException(404, f"no document {doc_id}")
    return item


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=NOT_FOUND)
def get_document(store: StoreDep, config: ConfigDep, doc_id: DocId) -> DocumentOut:
    return DocumentOut.model_validate(asdict(_document_or_404(store, config, doc_id)))


@router.get("/documents/{doc_id}/versions", response_model=list[VersionOut], responses=NOT_FOUND)
def get_versions(store: StoreDep, config: ConfigDep, doc_id: DocId) -> list[VersionOut]:
    _document_or_404(store, config, doc_id)
    out = []
    for v in store.document_versions(doc_id):
        change = None
        if v.change is not None:
            change = ChangeOut(**{**v.change, "themes": _hits(v.change["themes"])})
        data = {**asdict(v), "themes": _hits(v.themes), "change": change}
        out.append(VersionOut.model_validate(data))
    return out


@router.get("/documents/{doc_id}/versions/{seq}/text", response_model=TextOut, responses=NOT_FOUND)
def get_version_text(
    store: StoreDep,
    doc_id: DocId,
    seq: Seq,
    kind: Literal["extracted", "raw"] = Query(
        "extracted", description="extracted text, or the raw body as fetched (decoded)"
    ),
) -> TextOut:
    text = store.version_text(doc_id, seq) if kind == "extracted" else raw_text(store, doc_id, seq)
    if text is None:
        raise HTTPException(404, f"no version {seq} of document {doc_id}")
    return TextOut(document_id=doc_id, seq=seq, kind=kind, text=text)


@router.get("/documents/{doc_id}/diff", response_model=DiffOut, responses=NOT_FOUND)
def get_diff(
    store: StoreDep,
    config: ConfigDep,
    doc_id: DocId,
    from_seq: int | None = Query(
        None, alias="from", ge=1, le=MAX_SEQ, description="default: to - 1"
    ),
    to_seq: int | None = Query(
        None, alias="to", ge=1, le=MAX_SEQ, description="default: the latest"
    ),
) -> DiffOut:
    """Consecutive versions give the diff, summary and themes stored when the change
    was found; any other pair is diffed and assessed now, the same way."""
    item = _document_or_404(store, config, doc_id)
    to = to_seq or item.latest_seq
    frm = from_seq if from_seq is not None else to - 1
    if frm == to:
        raise invalid("to", "from and to are the same version", to)
    if frm < 1:
        raise HTTPException(404, f"no version {frm} of document {doc_id}")
    try:
        change = compare(store, config, doc_id, frm, to)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    return DiffOut(
        document_id=doc_id,
        from_seq=frm,
        to_seq=to,
        ops=change.ops,  # type: ignore[arg-type]  # ops are -1, 0, 1 by construction
        significance=change.significance,
        headline=change.headline,
        summary=change.summary,
        themes=_hits(change.themes),
        stored=change.stored,
    )


@router.get("/changes", response_model=EventPage, summary="The event stream, newest first")
def list_changes(
    store: StoreDep,
    config: ConfigDep,
    f: FilterDep,
    cursor: Annotated[Cursor | None, Query(description="`next_cursor` of the page before")] = None,
    limit: int = _limit(),
) -> EventPage:
    """Events (new, changed, removed, restored) at or after `since`; a change's themes
    are those of its inserted and deleted text."""
    try:
        page = store.events_since(f.since, f, cursor, limit, sources=config.sources)
    except ValueError as exc:  # the filter is checked above: the cursor is what is wrong
        raise invalid(getattr(exc, "field", "cursor"), str(exc), cursor) from None
    return EventPage(
        items=[EventOut.model_validate(asdict(e)) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/alerts", response_model=AlertsOut)
def list_alerts(
    store: StoreDep, status: AlertStatus | None = None, limit: int = _limit(100)
) -> AlertsOut:
    overview = store.alerts_overview()
    items = []
    for a in store.alerts(status=status, limit=limit):
        document = a.payload.get("document") if isinstance(a.payload, dict) else None
        summary = a.payload.get("summary") if isinstance(a.payload, dict) else None
        items.append(
            AlertOut(
                id=a.id,
                key=a.key,
                subscription=a.subscription,
                channel=a.channel,
                kind=a.kind,
                status=a.status,
                attempts=a.attempts,
                created_at=a.created_at,
                due_at=a.due_at,
                next_attempt_at=a.next_attempt_at,
                sent_at=a.sent_at,
                last_error=a.last_error,
                document_id=a.document_id,
                title=document.get("title") if isinstance(document, dict) else None,
                headline=summary.get("headline") if isinstance(summary, dict) else None,
            )
        )
    return AlertsOut(
        counts=overview["counts"],
        total=overview["total"],
        oldest_undelivered=overview["oldest_undelivered"],
        items=items,
    )


@router.get("/sources", response_model=list[SourceOut])
def list_sources(
    store: StoreDep, config: ConfigDep, days: int = Query(14, ge=1, le=90)
) -> list[SourceOut]:
    return [SourceOut.model_validate(s) for s in store.sources_overview(config.sources, days)]


@router.get("/themes", response_model=list[ThemeOut])
def list_themes(store: StoreDep, config: ConfigDep) -> list[ThemeOut]:
    counts = store.theme_counts(days=30)
    out = []
    for theme_id, labels in theme_labels(config).items():
        c = counts.get(theme_id, {})
        out.append(
            ThemeOut(
                id=theme_id,
                label=labels["label"],
                label_ru=labels["label_ru"],
                documents=c.get("documents", 0),
                new_30d=c.get("new", 0),
                changes_30d=c.get("changes", 0),
            )
        )
    return out


@router.get("/trends", response_model=TrendsOut)
def get_trends(
    store: StoreDep,
    config: ConfigDep,
    weeks: int = Query(12, ge=1, le=520),
    by: Literal["country", "kind"] | None = None,
) -> TrendsOut:
    """New documents and changes per theme per ISO week."""
    return TrendsOut.model_validate(store.theme_trends(weeks, by, sources=config.sources))
