"""A reader's own alert subscriptions, managed in the UI instead of sources.yaml:
themes, sources, kinds, countries, events, the least significance, the mode, and
the channel — email for anyone, a webhook for editors (the server then calls
that address, which an editor is trusted to choose). Validated by the rules of
the file's subscriptions (monitor/config/stored.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor.config import ConfigError
from monitor.config.stored import validate_subscription
from monitor.web.auth import Access, authorise, form_values
from monitor.web.context import render, store_of, view_for

router = APIRouter(include_in_schema=False)
EVENTS = ("new", "changed", "removed", "restored", "diverged")
LEVELS = ("trivial", "minor", "moderate", "major")


def _page(
    request: Request, error: str | None = None, form: dict[str, Any] | None = None
) -> Response:
    access: Access = request.state.access
    assert access.user is not None
    view = view_for(request)
    config = request.app.state.config
    return render(
        request,
        view,
        "subscriptions.html",
        status_code=400 if error else 200,
        current="nav.subscriptions",
        mine=store_of(request).user_subscriptions(access.user.name),
        error=error,
        form=form or {},
        themes=[(k, view.theme(k)) for k in view.themes],
        sources=[(s.id, s.name) for s in config.sources],
        events=EVENTS,
        levels=LEVELS,
        webhooks=access.can("editor"),
    )


@router.get("/subscriptions", response_class=HTMLResponse)
def subscriptions(request: Request) -> Response:
    if request.state.access.user is None:
        raise HTTPException(401, "log in to manage your subscriptions")
    return _page(request)


def spec_from(values: dict[str, list[str]]) -> dict[str, Any]:
    def one(name: str, default: str = "") -> str:
        return (values.get(name) or [default])[0].strip()

    channel: dict[str, Any]
    if one("channel", "email") == "webhook":
        channel = {"type": "webhook", "url": one("webhook_url")}
    else:
        channel = {"type": "email", "to": [a.strip() for a in one("email").split(",") if a.strip()]}
    filters: dict[str, Any] = {"min_significance": one("min_significance", "moderate")}
    for key in ("themes", "sources", "kind", "country", "events"):
        if values.get(key):
            filters[key] = values[key]
    return {"channel": channel, "filters": filters, "mode": one("mode", "immediate")}


@router.post("/subscriptions")
async def add(request: Request) -> Response:
    access = await authorise(request, "viewer", "subscription added", None, audit=False)
    assert access.user is not None
    values = await form_values(request, 20_000, blanks=False)
    label = (values.get("label") or [""])[0].strip()
    spec = spec_from(values)
    if spec["channel"]["type"] == "webhook" and not access.can("editor"):
        raise HTTPException(403, "a webhook channel needs an editor; use email")
    try:
        validate_subscription(request.app.state.config, access.user.name, label, spec)
    except ConfigError as exc:
        return _page(request, str(exc), {k: v for k, v in values.items()})
    if any(s.label == label for s in store_of(request).user_subscriptions(access.user.name)):
        return _page(request, f"you have a subscription {label!r} already", dict(values))
    store_of(request).add_user_subscription(access.user.id, label, spec)
    store_of(request).audit(access.name, "subscription added", label)
    request.app.state.sources_changed()
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/delete")
async def delete(request: Request, subscription_id: int) -> Response:
    access = await authorise(
        request, "viewer", "subscription deleted", str(subscription_id), audit=False
    )
    assert access.user is not None
    if not store_of(request).delete_user_subscription(access.user.id, subscription_id):
        raise HTTPException(404, "no such subscription of yours")
    store_of(request).audit(access.name, "subscription deleted", str(subscription_id))
    request.app.state.sources_changed()
    return RedirectResponse("/subscriptions", status_code=303)
