"""A reader's own view: the inbox of documents new or changed since they last
read them, starred ones, and the marks (star, mute, read, unread) that shape it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor.store.marks import Mark
from monitor.web.auth import Access, authorise
from monitor.web.context import render, store_of, view_for
from monitor.web.params import DocId

router = APIRouter(include_in_schema=False)
MARKS = {
    "star": {"starred": True},
    "unstar": {"starred": False},
    "mute": {"muted": True},
    "unmute": {"muted": False},
    "unread": {"seen_seq": 0},
}


def marks_for(request: Request, document_ids: list[int]) -> dict[int, Mark]:
    """The visitor's marks of these documents (none for an anonymous visitor)."""
    access: Access = request.state.access
    if access.user is None:
        return {}
    return store_of(request).marks(access.user.id, document_ids)


def read(request: Request, document_id: int, seq: int) -> Mark | None:
    """Opening a document's latest version reads it (for a logged-in reader)."""
    access: Access = request.state.access
    if access.user is None:
        return None
    mark = store_of(request).marks(access.user.id, [document_id]).get(document_id, Mark())
    if mark.seen_seq >= seq:
        return mark
    return store_of(request).set_mark(access.user.id, document_id, seen_seq=seq)


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request) -> Response:
    access: Access = request.state.access
    if access.user is None:
        raise HTTPException(401, "log in to see your inbox")
    unread, starred = store_of(request).inbox(access.user.id)
    names = {s.id: s.name for s in request.app.state.config.sources}
    return render(
        request,
        view_for(request),
        "inbox.html",
        current="nav.inbox",
        unread=unread,
        starred=starred,
        names=names,
    )


@router.post("/documents/{doc_id}/mark/{what}")
async def mark(request: Request, doc_id: DocId, what: str) -> Response:
    if what not in MARKS:
        raise HTTPException(404, "no such mark")
    access = await authorise(request, "viewer", f"document {what}", str(doc_id), audit=False)
    assert access.user is not None
    if store_of(request).document(doc_id) is None:
        raise HTTPException(404, "no such document")
    store_of(request).set_mark(access.user.id, doc_id, **MARKS[what])  # type: ignore[arg-type]
    back = "/inbox" if what == "unread" else f"/documents/{doc_id}"
    return RedirectResponse(back, status_code=303)
