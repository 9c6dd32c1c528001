"""Login and logout, a user's own API tokens, and the admin's accounts page with
the audit log (routes; the rules are in monitor/web/auth.py)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from monitor.web.auth import (
    LOGIN_CSRF_COOKIE,
    Access,
    authorise,
    digest,
    dummy_hash,
    end_session,
    form,
    login_csrf,
    new_token,
    start_session,
    verify_password,
)
from monitor.web.context import render, store_of, view_for

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    view = view_for(request)
    csrf, fresh = login_csrf(request)
    response = render(
        request,
        view,
        "login.html",
        status_code=status,
        current="",
        csrf=csrf,
        error=error,
        next_url=request.query_params.get("next") or "/",
    )
    if fresh:
        response.set_cookie(
            LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/login"
        )
    return response


@router.get("/login", response_class=HTMLResponse)
def login(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login_post(request: Request) -> Response:
    data = await form(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not cookie or data.get("csrf") != cookie:
        return _login_page(request, "login.stale", 403)
    store = store_of(request)
    user = store.user_by_name(data.get("name", "").strip())
    # A hash is checked even for an unknown name, so timing does not tell names.
    known = user.password_hash if user else dummy_hash()
    if not verify_password(known, data.get("password", "")) or user is None or user.disabled:
        store.audit(data.get("name", "")[:64] or "?", "login failed")
        return _login_page(request, "login.failed", 401)
    return start_session(request, user, data.get("next") or "/")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await authorise(request, "viewer", "logout", None)
    return end_session(request)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, created: str | None = None) -> Response:
    access: Access = request.state.access
    if access.user is None:
        raise HTTPException(401, "log in to see your account")
    return _account_page(request, access)


def _account_page(request: Request, access: Access, created: str | None = None) -> Response:
    """The account page; `created`: a token just made, shown this once."""
    assert access.user is not None
    return render(
        request,
        view_for(request),
        "account.html",
        current="",
        tokens=store_of(request).tokens(access.user.name),
        created=created,
    )


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request) -> Response:
    access = await authorise(request, "viewer", "token created", None)
    assert access.user is not None
    data = await form(request)
    scope = data.get("scope", "read")
    if scope == "write" and not access.can("editor"):
        raise HTTPException(403, "a viewer's tokens are read-only")
    token = new_token()
    label = (data.get("label") or "token").strip()[:100]
    store = store_of(request)
    store.create_token(
        access.user.name, label, scope if scope == "write" else "read", digest(token)
    )
    return _account_page(request, access, created=token)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Response:
    access = await authorise(request, "viewer", "token revoked", str(token_id))
    assert access.user is not None
    store = store_of(request)
    mine = {t.id for t in store.tokens(access.user.name)}
    if token_id not in mine and not access.can("admin"):
        raise HTTPException(404, "no such token of yours")
    store.revoke_token(token_id)
    return _account_page(request, access)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request) -> Response:
    access: Access = request.state.access
    if not access.can("admin"):
        raise HTTPException(403, "accounts and the audit log are for admins")
    store = store_of(request)
    return render(
        request,
        view_for(request),
        "users.html",
        current="",
        users=store.users(),
        tokens=store.tokens(),
        audit=store.audit_log(300),
    )
