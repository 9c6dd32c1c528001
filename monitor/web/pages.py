"""Server-rendered pages: overview, documents, a document's history and diffs,
sources, themes and alerts.

Pages only read, through the store's browse methods, except one action (alert
retry) which needs the configured token. Query parameters are parsed leniently
(an empty select means "any") but a malformed cursor or date is a 400 with a
readable page, never a traceback. Every query value is first held to the same
limits as the API's (`monitor.web.params.check_page_query`: length, no control
characters), and numbers to what the database columns hold, so nothing typed
into an address bar can fail inside the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor.config import Config
from monitor.store import Store, utcnow
from monitor.store.browse import SORTS, DocumentFilter
from monitor.views import compare, raw_text, translations
from monitor.web import inbox, sources_admin
from monitor.web import memo as memos
from monitor.web.auth import Access, authorise
from monitor.web.context import View, render, store_of, view_for
from monitor.web.diffview import blocks, rows
from monitor.web.overview import SPLITS, overview_data, sources_data, themes_data
from monitor.web.params import MAX_SEQ, AlertId, DocId, Seq, check_page_query, page_int
from monitor.web.reading import readable

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_page_query)])

EVENTS = ("new", "changed", "removed", "restored", "reextracted", "diverged")
PAGE_SIZE = 25


def _writer(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def _values(request: Request, name: str) -> list[str]:
    """Repeated query values, empty ones (the "any" option) dropped."""
    return [v for v in request.query_params.getlist(name) if v.strip()]


def _day(value: str | None, view: View, name: str, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD date in the reader's zone, as the UTC instant starting (or ending) it;
    a 400 naming the parameter `name` when it is no date or has no UTC equivalent."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise HTTPException(
            400, f"query parameter {name!r}: not a date: {value!r} (use YYYY-MM-DD)"
        ) from None
    try:  # the first day of year 1 east of UTC, or the last of 9999 west of it, is not in UTC
        start = datetime.combine(day, time.min, tzinfo=view.tz)
        if end:
            start += timedelta(days=1) - timedelta(microseconds=1)
        return start.astimezone(UTC)
    except OverflowError:
        raise HTTPException(
            400, f"query parameter {name!r}: {value} is out of range in UTC"
        ) from None


# --- overview ------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    view = view_for(request)
    data = overview_data(store_of(request), _config(request))
    return render(request, view, "overview.html", current="nav.overview", **data)


# --- documents -----------------------------------------------------------------------


@router.get("/documents", response_class=HTMLResponse)
def documents(request: Request) -> Response:
    view = view_for(request)
    config = _config(request)
    q = (request.query_params.get("q") or "").strip()
    sort = request.query_params.get("sort") or ("relevance" if q else "recent")
    if sort not in SORTS or (sort == "relevance" and not q):
        sort = "recent"
    chosen = {
        name: _values(request, name)
        for name in ("source", "kind", "country", "language", "theme", "event")
    }
    since_raw = request.query_params.get("since") or ""
    until_raw = request.query_params.get("until") or ""
    f = DocumentFilter(
        **chosen,
        since=_day(since_raw, view, "since"),
        until=_day(until_raw, view, "until", end=True),
        query=q or None,
    )
    cursor = request.query_params.get("cursor") or None
    limit = max(1, min(page_int(request.query_params.get("limit"), "limit") or PAGE_SIZE, 100))
    try:
        page = store_of(request).list_documents(
            f, sources=config.sources, sort=sort, cursor=cursor, limit=limit
        )
    except ValueError as exc:  # the filter values were checked: the cursor is what is wrong
        name = getattr(exc, "field", "cursor")
        raise HTTPException(400, f"query parameter {name!r}: {exc}") from None
    options = {
        "source": [(s.id, s.name) for s in config.sources],
        "kind": [(k, view.t(f"kind.{k}")) for k in ("official", "media")],
        "country": [(c, view.t(f"country.{c}")) for c in ("RU", "KZ", "other")],
        "language": [(c, view.t(f"lang.{c}")) for c in ("ru", "kk", "en")],
        "theme": [(k, view.theme(k)) for k in view.themes],
        "event": [(e, view.t(f"event.{e}")) for e in EVENTS],
    }
    return render(
        request,
        view,
        "documents.html",
        current="nav.documents",
        marks=inbox.marks_for(request, [d.id for d in page.items]),
        page=page,
        chosen=chosen,
        options=options,
        q=q,
        sort=sort,
        sorts=[s for s in SORTS if s != "relevance" or q],
        since=since_raw,
        until=until_raw,
        cursor=cursor,
        feed_query=_feed_query(chosen),
    )


def _feed_query(chosen: dict[str, list[str]]) -> str:
    """The filters the Atom feeds understand, as a query string for their links."""
    pairs = [(k, v) for k in ("theme", "source", "country", "kind") for v in chosen[k]]
    return "?" + urlencode(pairs) if pairs else ""


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: DocId) -> Response:
    """Metadata, the text as a reader reads it (the latest version, or `?seq=`),
    and a timeline of versions and of the document's removal and return."""
    view = view_for(request)
    store = store_of(request)
    item = store.document(doc_id, sources=_config(request).sources)
    if item is None:
        raise HTTPException(404, view.t("doc.not_found"))
    versions = store.document_versions(doc_id)
    seq = page_int(request.query_params.get("seq"), "seq", MAX_SEQ) or item.latest_seq
    text = store.version_text(doc_id, seq) if seq else None
    if seq and text is None:
        raise HTTPException(404, view.t("diff.bad_versions"))
    presence = [e for e in store.events(document_id=doc_id) if e.kind in ("removed", "restored")]
    timeline: list[tuple[str, Any]] = [("version", v) for v in versions]
    timeline += [("event", e) for e in presence]
    timeline.sort(
        key=lambda entry: entry[1].fetched_at if entry[0] == "version" else entry[1].created_at,
        reverse=True,
    )
    row = store.find_document(item.url)
    # the reader's marks; opening the latest version reads it
    mark = inbox.read(request, doc_id, seq) if seq == item.latest_seq else None
    mark = mark or inbox.marks_for(request, [doc_id]).get(doc_id)
    return render(
        request,
        view,
        "document.html",
        current="nav.documents",
        doc=item,
        versions=versions,
        timeline=timeline,
        translations=translations(store, doc_id),
        seq=seq,
        paragraphs=readable(text) if text else [],
        last_checked_at=row.last_checked_at if row else None,
        next_check_at=row.next_check_at if row else None,
        mark=mark,
        family=store.family_of(doc_id),
    )


@router.get("/documents/{doc_id}/diff", response_class=HTMLResponse)
def diff(request: Request, doc_id: DocId) -> Response:
    """Two versions compared: inline and side by side, with the change summary.

    Consecutive versions reuse the diff and summary stored when the change was
    found; any other pair is diffed and summarised now, the same way.
    """
    view = view_for(request)
    store = store_of(request)
    item = store.document(doc_id, sources=_config(request).sources)
    if item is None:
        raise HTTPException(404, view.t("doc.not_found"))
    to_seq = page_int(request.query_params.get("to"), "to", MAX_SEQ) or item.latest_seq
    from_seq = page_int(request.query_params.get("from"), "from", MAX_SEQ)
    if from_seq is None:
        from_seq = max(1, to_seq - 1)
    if from_seq > to_seq:
        from_seq, to_seq = to_seq, from_seq
    try:
        change = compare(store, _config(request), doc_id, from_seq, to_seq)
    except LookupError:
        raise HTTPException(404, view.t("diff.bad_versions")) from None
    all_rows = rows(change.ops)
    return render(
        request,
        view,
        "diff.html",
        current="nav.documents",
        doc=item,
        versions=store.document_versions(doc_id),
        from_seq=from_seq,
        to_seq=to_seq,
        identical=change.identical,
        blocks=blocks(all_rows),
        summary=change.summary or {},
        change_themes=[h["theme"] for h in change.themes],
        significance=change.significance,
    )


@router.get("/documents/{doc_id}/memo.{fmt}")
def memo(request: Request, doc_id: DocId, fmt: str) -> Response:
    """The change between `from` and `to` as a memo to forward: Markdown or DOCX."""
    view = view_for(request)
    if fmt not in ("md", "docx"):
        raise HTTPException(404, view.t("error.not_found"))
    store = store_of(request)
    item = store.document(doc_id, sources=_config(request).sources)
    if item is None:
        raise HTTPException(404, view.t("doc.not_found"))
    to_seq = page_int(request.query_params.get("to"), "to", MAX_SEQ) or item.latest_seq
    from_seq = page_int(request.query_params.get("from"), "from", MAX_SEQ)
    from_seq = max(0, to_seq - 1) if from_seq is None else from_seq
    try:
        change = compare(
            store, _config(request), doc_id, min(from_seq, to_seq), max(from_seq, to_seq)
        )
    except LookupError:
        raise HTTPException(404, view.t("diff.bad_versions")) from None
    dates = {v.seq: v.fetched_at for v in store.document_versions(doc_id)}
    name = memos.filename(item, change, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "md":
        body = memos.markdown(item, change, dates).encode()
        return Response(body, media_type="text/markdown; charset=utf-8", headers=headers)
    return Response(
        memos.docx(item, change, dates),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers=headers,
    )


@router.get("/documents/{doc_id}/versions/{seq}/raw")
def raw(request: Request, doc_id: DocId, seq: Seq) -> Response:
    """The raw snapshot as plain text: never rendered as HTML, whatever it contains."""
    text = raw_text(store_of(request), doc_id, seq)
    if text is None:
        raise HTTPException(404, "no such version")
    return PlainTextResponse(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": "inline", "Cache-Control": "private, max-age=300"},
    )


# --- sources and themes ----------------------------------------------------------------


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request) -> Response:
    view = view_for(request)
    store = store_of(request)
    data = sources_data(store, _config(request), view)
    stored = store.stored_sources()
    readonly = not sources_admin.editable()
    return render(
        request,
        view,
        "sources.html",
        current="nav.sources",
        managed={s.id: s for s in stored if s.spec is not None},
        paused=[s for s in stored if s.paused],
        can_edit=request.state.access.can("editor") and not readonly,
        readonly=readonly,
        checking=request.query_params.get("checking"),
        **data,
    )


@router.get("/themes", response_class=HTMLResponse)
def themes(request: Request) -> Response:
    view = view_for(request)
    weeks = page_int(request.query_params.get("weeks"), "weeks") or 26
    split = request.query_params.get("split") or "kind"
    data = themes_data(
        store_of(request),
        _config(request),
        view,
        weeks=max(1, min(weeks, 104)),
        split=split if split in SPLITS else "kind",
    )
    return render(request, view, "themes.html", current="nav.themes", **data)


# --- alerts ------------------------------------------------------------------------------


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request) -> Response:
    view = view_for(request)
    store = store_of(request)
    status = request.query_params.get("status") or None
    if status not in (None, "pending", "sending", "sent", "failed", "uncertain"):
        status = None
    requeued = page_int(request.query_params.get("requeued"), "requeued")
    return render(
        request,
        view,
        "alerts.html",
        current="nav.alerts",
        counts=store.alert_counts(),
        alerts=store.alerts(status=status, limit=200),
        status=status,
        requeued=requeued,
        actions=bool(request.app.state.token) or request.state.access.can("editor"),
    )


async def _token_from(request: Request) -> str | None:
    """The bearer token, or the `token` field of a urlencoded form."""
    auth = request.headers.get("authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = (await request.body())[:10_000].decode("utf-8", "replace")
        values = parse_qs(body).get("token")
        return values[0] if values else None
    return None


@router.post("/alerts/{alert_id}/retry")
async def retry_alert(request: Request, alert_id: AlertId) -> Response:
    """Re-queue an alert: an editor (a session with its CSRF token, or a personal
    token with the write scope), or the shared MONITOR_WEB_TOKEN."""
    view = view_for(request)
    access: Access = request.state.access
    if not request.app.state.token and access.user is None:
        raise HTTPException(403, view.t("error.disabled"))
    await authorise(request, "editor", "alert retried", f"alert {alert_id}")
    try:
        _writer(request).retry_alert(alert_id, utcnow())
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/alerts?requeued={alert_id}", status_code=303)
    return PlainTextResponse(f"alert {alert_id} re-queued\n")


# --- errors ---------------------------------------------------------------------------------


def install_error_pages(app: FastAPI) -> None:
    """HTML error pages for the UI; the API and feeds keep FastAPI's JSON errors."""
    from fastapi.exception_handlers import (
        http_exception_handler,
        request_validation_exception_handler,
    )
    from fastapi.exceptions import RequestValidationError

    def _page(request: Request) -> bool:
        path = request.url.path
        return request.method == "GET" and not path.startswith(("/api", "/feeds", "/static"))

    def _error(request: Request, status: int, detail: str) -> Response:
        if not _page(request):
            return PlainTextResponse(f"{detail}\n", status_code=status)
        view = view_for(request)
        return render(
            request,
            view,
            "error.html",
            status_code=status,
            current="",
            status=status,
            detail=detail,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(("/api", "/feeds", "/static")):
            return await http_exception_handler(request, exc)
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_errors(request: Request, exc: RequestValidationError) -> Response:
        """A page address with a malformed number (/documents/abc) is not found, not a 422."""
        if request.url.path.startswith(("/api", "/feeds")):
            return await request_validation_exception_handler(request, exc)
        return _error(request, 404, view_for(request).t("error.not_found"))
