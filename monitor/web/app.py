"""The web application: server-rendered pages, the JSON API and Atom feeds.

One FastAPI app holds the `Store` and the `Config` in `app.state`; pages,
API and feeds all read through the store's read-only browse methods. Every
response carries security headers (a strict CSP without inline scripts or
styles, nosniff, no referrer leaking the watched URLs), because the pages
show text scraped from sites nobody here controls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from monitor.config import Config
from monitor.config.stored import merge_sources
from monitor.store import Store
from monitor.web import (
    account,
    api,
    families,
    feeds,
    inbox,
    pages,
    sources_admin,
    subscriptions,
)
from monitor.web.auth import Policy, gate, identify
from monitor.web.context import environment

STATIC = Path(__file__).with_name("static")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(
    config: Config,
    store: Store,
    *,
    token: str | None = None,
    extra_routers: Iterable[APIRouter] = (),
    bind_host: str = "127.0.0.1",
    base_config: Config | None = None,
    preview: Callable[..., Awaitable[Any]] | None = None,
) -> FastAPI:
    """Build the app. Accounts decide who reads and who acts (monitor/web/auth.py);
    `bind_host` is where it will listen: on a non-loopback address nothing is
    served before an account exists. `token` is the old shared token, still
    accepted for the alert retry."""
    # No Swagger UI: it loads scripts from a CDN, which the CSP (and offline use) forbid.
    app = FastAPI(title="monitor", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store
    app.state.config = config
    # sources.yaml as read, before the sources managed in the UI were joined to it
    app.state.base_config = base_config or config

    def sources_changed() -> None:
        """After a change in the UI: the sources this app shows (the service
        replaces this with its reload, which also schedules them)."""
        merged, _ = merge_sources(
            app.state.base_config, store.stored_sources(), store.user_subscriptions()
        )
        app.state.config = merged

    app.state.sources_changed = sources_changed
    # "check now": make them due; the service (or the workers' dispatch) checks
    # them at its next look. The service also starts the source's check at once.
    app.state.check_now = lambda source_id, document_id: store.make_due(source_id, document_id)
    # a page previewed with a source's rules before it is saved: set by whoever
    # can fetch (`monitor run`, `monitor serve`); the web layer itself never does
    app.state.preview = preview
    app.state.token = token or None
    app.state.templates = environment()
    app.state.policy = Policy.for_host(bind_host)

    @app.middleware("http")
    async def accounts(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        request.state.access = await run_in_threadpool(identify, request)
        stop = await run_in_threadpool(gate, request)
        return stop if stop is not None else await call_next(request)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.include_router(api.build_api_router())
    app.include_router(feeds.build_feeds_router())
    for router in extra_routers:
        app.include_router(router)
    app.include_router(account.router)
    app.include_router(sources_admin.router)
    app.include_router(inbox.router)
    app.include_router(subscriptions.router)
    app.include_router(families.router)
    app.include_router(pages.router)
    pages.install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def serve(
    config: Config,
    store: Store,
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str | None = None,
    extra_routers: Iterable[APIRouter] = (),
    base_config: Config | None = None,
    preview: Callable[..., Awaitable[Any]] | None = None,
) -> None:
    """Run the UI with uvicorn until interrupted (`monitor serve`)."""
    import uvicorn

    app = create_app(
        config,
        store,
        token=token,
        extra_routers=extra_routers,
        bind_host=host,
        base_config=base_config,
        preview=preview,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
