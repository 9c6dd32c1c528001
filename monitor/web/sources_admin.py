"""Sources managed in the web UI and the JSON API: add, edit, pause, resume and
delete, validated by the same rules as sources.yaml with the same messages
(monitor/config/stored.py), stored in the database, written to the audit log.

sources.yaml stays the declarative base: its sources can be paused here but not
edited; `MONITOR_SOURCES_READONLY=1` turns editing off for a GitOps setup; and
`monitor sources export` writes the UI's sources back as YAML. What may not be
set from the UI: `allow_private` (reaching private addresses is the server
operator's decision, not an editor's — the SSRF guard stays on).
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from monitor.config import ConfigError
from monitor.config.stored import validate_source
from monitor.web.auth import Access, authorise, form_values
from monitor.web.context import render, store_of, view_for
from monitor.web.params import DocId

router = APIRouter()
SourceId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="a source id"),
]
ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KINDS, COUNTRIES, LANGUAGES = ("official", "media"), ("RU", "KZ", "other"), ("ru", "kk", "en")


def editable() -> bool:
    return os.environ.get("MONITOR_SOURCES_READONLY", "").lower() not in ("1", "true", "yes")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]


def spec_from_form(data: dict[str, str], languages: list[str]) -> dict[str, Any]:
    """A sources.yaml mapping from the form; empty fields are left to the defaults."""
    spec: dict[str, Any] = {"id": data.get("id", "").strip(), "name": data.get("name", "").strip()}
    for key in ("kind", "country", "interval", "select", "relevance"):
        if data.get(key, "").strip():
            spec[key] = data[key].strip()
    if languages:
        spec["languages"] = languages
    if watch := _lines(data.get("watch", "")):
        spec["watch"] = watch
    if remove := _lines(data.get("remove", "")):
        spec["remove"] = remove
    discover = []
    for line in _lines(data.get("discover", "")):
        kind, _, url = line.partition(" ")
        discover.append({"type": kind.strip(), "url": url.strip()})
    if discover:
        spec["discover"] = discover
    return spec


async def _posted(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """The source form's fields and the sources.yaml mapping they describe."""
    values = await form_values(request)
    data = {k: v[0] for k, v in values.items()}
    languages = [v for v in values.get("languages", []) if v in LANGUAGES]
    return data, spec_from_form(data, languages)


def check_spec(request: Request, spec: dict[str, Any], *, new: bool) -> str | None:
    """Why `spec` cannot be saved, or None."""
    if "allow_private" in spec:
        return "allow_private is set in sources.yaml on the server only (SSRF guard)"
    source_id = str(spec.get("id", ""))
    if not ID.match(source_id):
        return "the id: lower-case letters, digits, '.', '_' or '-', at most 64"
    from_file = {s.id for s in request.app.state.base_config.sources}
    if source_id in from_file:
        return f"source {source_id!r} is defined in sources.yaml: edit it there"
    stored = {s.id for s in store_of(request).stored_sources() if s.spec is not None}
    if new and source_id in stored:
        return f"a source {source_id!r} exists already"
    try:
        validate_source(spec)
    except ConfigError as exc:
        return str(exc)
    return None


def _changed(request: Request) -> None:
    request.app.state.sources_changed()


def _page(
    request: Request,
    spec: dict[str, Any],
    error: str | None,
    new: bool,
    preview: Any = None,
) -> Response:
    return render(
        request,
        view_for(request),
        "source_form.html",
        status_code=400 if error else 200,
        current="nav.sources",
        spec=spec,
        error=error,
        new=new,
        kinds=KINDS,
        countries=COUNTRIES,
        all_languages=LANGUAGES,
        preview=preview,
        can_preview=getattr(request.app.state, "preview", None) is not None,
    )


def _require_editable() -> None:
    if not editable():
        raise HTTPException(403, "sources are managed in sources.yaml (MONITOR_SOURCES_READONLY)")


@router.get("/sources/new", response_class=HTMLResponse, include_in_schema=False)
def new_source(request: Request) -> Response:
    access: Access = request.state.access
    if not access.can("editor"):
        raise HTTPException(403, "adding a source needs an editor")
    _require_editable()
    return _page(request, {}, None, True)


@router.get("/sources/{source_id}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_source(request: Request, source_id: str) -> Response:
    access: Access = request.state.access
    if not access.can("editor"):
        raise HTTPException(403, "editing a source needs an editor")
    _require_editable()
    stored = {s.id: s for s in store_of(request).stored_sources()}
    item = stored.get(source_id)
    if item is None or item.spec is None:
        raise HTTPException(404, f"no source {source_id!r} managed in the UI")
    return _page(request, item.spec, None, False)


@router.post("/sources", include_in_schema=False)
async def create_or_update(request: Request) -> Response:
    _require_editable()
    data, spec = await _posted(request)
    new = data.get("mode") != "edit"
    action = "source added" if new else "source edited"
    access = await authorise(request, "editor", action, spec.get("id"), audit=False)
    error = check_spec(request, spec, new=new)
    if error:
        return _page(request, spec, error, new)
    store_of(request).save_source(spec["id"], spec, access.name)
    store_of(request).audit(access.name, action, spec["id"])
    _changed(request)
    return RedirectResponse(f"/sources#source-{spec['id']}", status_code=303)


@router.post("/sources/{source_id}/{action}", include_in_schema=False)
async def act(request: Request, source_id: str, action: str) -> Response:
    if action == "check":  # not an edit: allowed in the read-only mode too
        return await check_source(request, source_id)
    if action not in ("pause", "resume", "delete"):
        raise HTTPException(404, "no such action")
    _require_editable()
    access = await authorise(request, "editor", f"source {action}d", source_id)
    _apply(request, source_id, action, access)
    return RedirectResponse(f"/sources#source-{source_id}", status_code=303)


def _apply(request: Request, source_id: str, action: str, access: Access) -> None:
    store = store_of(request)
    stored = {s.id: s for s in store.stored_sources()}
    from_file = {s.id for s in request.app.state.base_config.sources}
    if source_id not in from_file and source_id not in stored:
        raise HTTPException(404, f"no source {source_id!r}")
    if action == "delete":
        if source_id in from_file:
            raise HTTPException(409, f"source {source_id!r} is in sources.yaml: remove it there")
        store.delete_stored_source(source_id)
    else:
        store.pause_source(source_id, action == "pause", access.name)
    _changed(request)


# --- JSON API ---------------------------------------------------------------------


class SourceSpec(BaseModel):
    """A source as in sources.yaml (see README: Configuring sources)."""

    spec: dict[str, Any] = Field(description="the source's sources.yaml mapping")


@router.post("/api/sources", status_code=201, tags=["sources"], summary="Add a source")
async def api_add(request: Request, body: SourceSpec) -> JSONResponse:
    _require_editable()
    access = await authorise(request, "editor", "source added", None, audit=False)
    error = check_spec(request, body.spec, new=True)
    if error:
        raise HTTPException(422, error)
    store_of(request).save_source(body.spec["id"], body.spec, access.name)
    store_of(request).audit(access.name, "source added", body.spec["id"])
    _changed(request)
    return JSONResponse({"id": body.spec["id"], "origin": "ui"}, status_code=201)


@router.put("/api/sources/{source_id}", tags=["sources"], summary="Replace a UI-made source")
async def api_edit(request: Request, source_id: SourceId, body: SourceSpec) -> dict[str, str]:
    _require_editable()
    access = await authorise(request, "editor", "source edited", source_id, audit=False)
    if body.spec.get("id") != source_id:
        raise HTTPException(422, "the spec's id must be the id in the address")
    if not any(s.id == source_id and s.spec for s in store_of(request).stored_sources()):
        raise HTTPException(404, f"no source {source_id!r} managed in the UI")
    error = check_spec(request, body.spec, new=False)
    if error:
        raise HTTPException(422, error)
    store_of(request).save_source(source_id, body.spec, access.name)
    store_of(request).audit(access.name, "source edited", source_id)
    _changed(request)
    return {"id": source_id, "origin": "ui"}


@router.post("/api/sources/{source_id}/{action}", tags=["sources"], summary="Pause or resume")
async def api_act(
    request: Request, source_id: SourceId, action: Literal["pause", "resume"]
) -> dict[str, str]:
    _require_editable()
    access = await authorise(request, "editor", f"source {action}d", source_id)
    _apply(request, source_id, action, access)
    return {"id": source_id, "state": "paused" if action == "pause" else "active"}


@router.delete("/api/sources/{source_id}", tags=["sources"], summary="Delete a UI-made source")
async def api_delete(request: Request, source_id: SourceId) -> dict[str, str]:
    _require_editable()
    access = await authorise(request, "editor", "source deleted", source_id)
    _apply(request, source_id, "delete", access)
    return {"id": source_id, "state": "deleted"}


@router.post("/sources/preview", response_class=HTMLResponse, include_in_schema=False)
async def preview(request: Request) -> Response:
    """What the source in the form would extract from its first page, unsaved."""
    _require_editable()
    data, spec = await _posted(request)
    new = data.get("mode") != "edit"
    await authorise(request, "editor", "source previewed", spec.get("id"), audit=False)
    hook = getattr(request.app.state, "preview", None)
    if hook is None:
        raise HTTPException(501, "preview needs `monitor run` or `monitor serve`")
    try:
        source = validate_source(spec)
    except ConfigError as exc:
        return _page(request, spec, str(exc), new)
    url = data.get("preview_url", "").strip() or next(
        (str(u) for u in source.watch), next((str(d.url) for d in source.discover), "")
    )
    if not url.startswith(("http://", "https://")):
        return _page(request, spec, "give a watched URL (or one to try) to preview", new)
    result = await hook(source, url)
    return _page(request, spec, None, new, result)


async def check_source(request: Request, source_id: str) -> Response:
    """Check the source's documents now (they are made due; the service or the
    workers check them at once)."""
    await authorise(request, "editor", "source check requested", source_id)
    if source_id not in {s.id for s in request.app.state.config.sources}:
        raise HTTPException(404, f"no active source {source_id!r}")
    request.app.state.check_now(source_id, None)
    return RedirectResponse(f"/sources?checking={source_id}#source-{source_id}", status_code=303)


@router.post("/documents/{doc_id}/check", include_in_schema=False)
async def check_document(request: Request, doc_id: DocId) -> Response:
    await authorise(request, "editor", "document check requested", str(doc_id))
    item = store_of(request).document(doc_id, sources=request.app.state.config.sources)
    if item is None:
        raise HTTPException(404, "no such document")
    request.app.state.check_now(item.source_id, doc_id)
    return RedirectResponse(f"/documents/{doc_id}?checking=1", status_code=303)
