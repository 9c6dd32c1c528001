"""Accounts in the web UI and the JSON API: who is asking, and may they.

- Who: a login session (an HttpOnly, SameSite=Lax cookie holding a random token;
  Secure over HTTPS) or a personal API token (`Authorization: Bearer …`, or
  `?access_token=` on the Atom feeds, which feed readers fetch without headers).
- May they read: with an account, yes. Without one, only when the operator chose
  it: the public read-only mode (`MONITOR_WEB_PUBLIC=1`), or a server on a
  loopback address that has no accounts yet (a laptop, the demo). A server bound
  to another address with no accounts serves nothing but how to create one.
- May they act: viewer < editor < admin. A form needs the session's CSRF token; a
  token needs the write scope. The old shared `MONITOR_WEB_TOKEN` still works for
  the alert retry it always guarded.

Passwords are hashed with argon2 (argon2-cffi, the reference implementation's
binding, OWASP's first choice); session and API tokens are 256-bit random values
kept as SHA-256 (monitor/store/accounts.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from monitor.store import Reader, utcnow
from monitor.store.accounts import UserRow

SESSION_COOKIE = "monitor_session"
LOGIN_CSRF_COOKIE = "monitor_login_csrf"
SESSION_AGE = timedelta(days=14)
# Paths anyone may reach: probes, static files, the login form.
OPEN = ("/healthz", "/readyz", "/metrics", "/static/", "/login")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A real argon2 hash to check unknown names against (same cost as a real one)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """A generated password for `monitor users add` (about 100 bits)."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Access:
    """Who is asking: a user (by session or token) or nobody, and how."""

    user: UserRow | None = None
    via: str | None = None  # "session" | "token"
    scope: str | None = None  # a token's scope: read | write
    csrf: str | None = None  # the session's CSRF token

    def can(self, role: str) -> bool:
        return self.user is not None and self.user.can(role)

    @property
    def name(self) -> str:
        return self.user.name if self.user else "anonymous"


@dataclass
class Policy:
    """The read gate, decided once per app (see the module docstring)."""

    public: bool
    loopback: bool
    _users: int | None = None
    _checked: float = 0.0

    @classmethod
    def for_host(cls, bind_host: str) -> Policy:
        public = os.environ.get("MONITOR_WEB_PUBLIC", "").lower() in ("1", "true", "yes")
        return cls(public=public, loopback=bind_host in LOOPBACK)

    def users(self, store: Reader) -> int:
        # One count per few seconds, not per request: the first account created
        # with the CLI closes an open loopback UI within that time.
        if self._users is None or time.monotonic() - self._checked > 5:
            self._users, self._checked = store.user_count(), time.monotonic()
        return self._users


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    if request.url.path.startswith("/feeds/"):
        return request.query_params.get("access_token") or None
    return None


def identify(request: Request) -> Access:
    store: Reader = request.app.state.store
    token = _bearer(request)
    if token and token != request.app.state.token:
        found = store.token_user(digest(token))
        if found is not None:
            return Access(found[0], "token", found[1])
        return Access()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session = store.session_user(digest(cookie))
        if session is not None:
            return Access(session[0], "session", csrf=session[1])
    return Access()


def gate(request: Request) -> Response | None:
    """None when the request may go on; otherwise the answer that stops it."""
    path = request.url.path
    access: Access = request.state.access
    if access.user is not None or path.startswith(OPEN) or path == "/favicon.ico":
        return None
    policy: Policy = request.app.state.policy
    if policy.public:
        return None
    users = policy.users(request.app.state.store)
    if users == 0 and policy.loopback:
        return None
    if users == 0:
        message = (
            "No accounts yet, and this server is not on a loopback address: create an "
            "admin first (`monitor users add NAME --role admin`), or serve a public "
            "read-only UI on purpose with MONITOR_WEB_PUBLIC=1.\n"
        )
        return PlainTextResponse(message, status_code=503)
    if path.startswith(("/api", "/feeds")):
        return JSONResponse(
            {"detail": "authentication required: a personal API token (Bearer)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method in ("GET", "HEAD"):
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return PlainTextResponse("authentication required\n", status_code=401)


async def form_values(
    request: Request, limit: int = 10_000, *, blanks: bool = True
) -> dict[str, list[str]]:
    """A urlencoded form's fields with every value (checkboxes repeat a name),
    read from at most `limit` bytes of the body."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = (await request.body())[:limit].decode("utf-8", "replace")
    return parse_qs(body, keep_blank_values=blanks)


async def form(request: Request) -> dict[str, str]:
    """A urlencoded form's first values (bounded: 10 kB)."""
    return {k: v[0] for k, v in (await form_values(request)).items()}


async def authorise(
    request: Request, role: str, action: str, target: str | None, *, audit: bool = True
) -> Access:
    """Allow a state-changing request by someone with `role`, or raise 401/403.

    A session must send its CSRF token (form field `csrf` or header X-CSRF-Token),
    so a page elsewhere cannot make a logged-in browser act; a token must have the
    write scope. The action is written to the audit log."""
    access: Access = request.state.access
    legacy = request.app.state.token
    given = _bearer(request) or (await form(request)).get("token")
    if legacy and given and hmac.compare_digest(given.encode(), legacy.encode()):
        if audit:
            request.app.state.store.audit("shared-token", action, target)
        return access
    if access.user is None:
        raise HTTPException(401, "log in, or send a personal API token with the write scope")
    if not access.can(role):
        raise HTTPException(403, f"{access.user.role} may not do this: it needs {role}")
    if access.via == "token" and access.scope != "write":
        raise HTTPException(403, "this API token is read-only")
    if access.via == "session":
        sent = request.headers.get("x-csrf-token") or (await form(request)).get("csrf") or ""
        if not access.csrf or not hmac.compare_digest(sent.encode(), access.csrf.encode()):
            raise HTTPException(403, "the form is stale or forged (CSRF token missing or wrong)")
    if audit:  # else the caller writes it once the action succeeded
        request.app.state.store.audit(access.name, action, target)
    return access


def start_session(request: Request, user: UserRow, next_url: str) -> Response:
    store: Reader = request.app.state.store
    token, csrf = new_token(), new_token()
    store.open_session(user.id, digest(token), csrf, utcnow() + SESSION_AGE)
    store.audit(user.name, "login", None, request.client.host if request.client else None)
    response = RedirectResponse(_local(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_AGE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def end_session(request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        request.app.state.store.close_session(digest(cookie))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _secure(request: Request) -> bool:
    forced = os.environ.get("MONITOR_COOKIE_SECURE", "").lower() in ("1", "true", "yes")
    return forced or request.url.scheme == "https"


def _local(url: str) -> str:
    """Only a path on this site: an open redirect after login is a phishing aid."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def login_csrf(request: Request) -> tuple[str, bool]:
    """The login form's double-submit token: the cookie's, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE)
    return (current, False) if current else (new_token(), True)


def context(request: Request) -> dict[str, Any]:
    """What every page template needs to know about the visitor."""
    access: Access | None = getattr(request.state, "access", None)
    return {"access": access or Access()}
