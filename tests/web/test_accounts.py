"""Accounts (monitor/web/auth.py, monitor/web/account.py, `monitor users`): the
read gate, login with CSRF, roles, personal API tokens, the audit log, and the
safe bootstrap of a server on a non-loopback address."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from conftest import _pg_schema_url
from web_support import Dataset, build, serving

from monitor.store import Store
from monitor.web import create_app
from monitor.web.auth import hash_password
from monitor.web.ops import ops_router

MONITOR = [sys.executable, "-m", "monitor.cli"]
PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    base: str
    store: Store
    data: Dataset
    db: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """One dataset per backend: sessions, tokens and the audit log on both."""
    pg = _pg_schema_url() if request.param == "postgresql" else None
    url = next(pg) if pg else f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'monitor.db'}"
    store = Store(url)
    data = build(store)
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("ada", "admin")):
        store.create_user(name, role, hash_password(PASSWORD))
    try:
        # bound "elsewhere": with accounts, nothing is open without logging in
        with serving(create_app(data.config, store, bind_host="0.0.0.0")) as base:
            yield Site(base, store, data, url)
    finally:
        store.close()
        if pg:
            pg.close()


def login(site: Site, name: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=site.base, headers={"Accept-Language": "en"})
    page = client.get("/login")
    csrf = BeautifulSoup(page.text, "lxml").select_one("#login input[name=csrf]")["value"]
    r = client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf, "next": "/alerts"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/alerts", r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie, cookie
    return client


@contextmanager
def logged_in(site: Site, name: str) -> Iterator[httpx.Client]:
    client = login(site, name)
    try:
        yield client
    finally:
        client.close()


def csrf_of(client: httpx.Client, path: str = "/account") -> str:
    page = BeautifulSoup(client.get(path).text, "lxml")
    return str(page.select_one("input[name=csrf]")["value"])


def test_nothing_is_readable_without_logging_in(site: Site) -> None:
    with httpx.Client(base_url=site.base) as c:
        page = c.get("/documents?q=x")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fdocuments%3Fq%3Dx"
        api = c.get("/api/documents")
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert c.get("/feeds/changes.atom").status_code == 401
        assert c.get(f"/documents/{site.data.ids['treaty']}").status_code == 303
        # static files and the login form stay open
        assert c.get("/static/style.css").status_code == 200
        assert c.get("/login").status_code == 200


def test_login_needs_the_right_password_and_its_own_form(site: Site) -> None:
    with httpx.Client(base_url=site.base) as c:
        page = c.get("/login")
        csrf = BeautifulSoup(page.text, "lxml").select_one("#login input[name=csrf]")["value"]
        wrong = c.post("/login", data={"name": "vera", "password": "nope", "csrf": csrf})
        assert wrong.status_code == 401 and "login-error" in wrong.text
        unknown = c.post("/login", data={"name": "nobody", "password": "x", "csrf": csrf})
        assert unknown.status_code == 401
    with httpx.Client(base_url=site.base) as fresh:  # a form posted from elsewhere
        forged = fresh.post("/login", data={"name": "vera", "password": PASSWORD, "csrf": "x"})
        assert forged.status_code == 403
    failed = [e for e in site.store.audit_log() if e.action == "login failed"]
    assert {e.actor for e in failed} >= {"vera", "nobody"}


def test_after_login_a_viewer_reads_but_may_not_act(site: Site) -> None:
    with logged_in(site, "vera") as c:
        assert c.get("/").status_code == 200
        assert c.get("/api/documents").status_code == 200
        alerts = BeautifulSoup(c.get("/alerts").text, "lxml")
        assert not alerts.select("form.retry")  # no action offered to a viewer
        r = c.post(f"/alerts/{site.data.failed_alert}/retry", data={"csrf": csrf_of(c)})
        assert r.status_code == 403 and "needs editor" in r.text
        assert c.get("/users").status_code == 403


def test_an_editor_acts_only_with_the_sessions_csrf_token(site: Site) -> None:
    alert = site.data.failed_alert
    with logged_in(site, "eddie") as c:
        forged = c.post(f"/alerts/{alert}/retry", data={"csrf": "guessed"})
        assert forged.status_code == 403 and "CSRF" in forged.text
        page = BeautifulSoup(c.get("/alerts").text, "lxml")
        form = page.select_one(f"form[action='/alerts/{alert}/retry']")
        assert form is not None and form.select_one("input[name=csrf]")
        r = c.post(
            f"/alerts/{alert}/retry",
            data={"csrf": form.select_one("input[name=csrf]")["value"]},
            headers={"Accept": "text/html"},
        )
        assert r.status_code == 303
    got = site.store.alert(alert)
    assert got is not None and got.status == "pending"
    assert any(
        e.actor == "eddie" and e.action == "alert retried" and e.target == f"alert {alert}"
        for e in site.store.audit_log()
    )


def test_personal_tokens_read_the_api_and_feeds_and_write_only_with_the_write_scope(
    site: Site,
) -> None:
    with logged_in(site, "eddie") as c:
        made = {}
        for scope in ("read", "write"):
            page = c.post(
                "/account/tokens",
                data={"csrf": csrf_of(c), "label": f"{scope} script", "scope": scope},
            )
            made[scope] = BeautifulSoup(page.text, "lxml").select_one("#new-token code").text
        listed = BeautifulSoup(c.get("/account").text, "lxml").select("#tokens tr.token")
        assert len(listed) >= 2
        assert made["read"] not in c.get("/account").text  # shown once only
    with httpx.Client(base_url=site.base) as anon:
        read = {"Authorization": f"Bearer {made['read']}"}
        assert anon.get("/api/documents", headers=read).status_code == 200
        feed = anon.get(f"/feeds/changes.atom?access_token={made['read']}")
        assert feed.status_code == 200 and "<feed" in feed.text
        assert anon.get("/api/documents?access_token=" + made["read"]).status_code == 401
        alert = site.data.failed_alert
        assert anon.post(f"/alerts/{alert}/retry", headers=read).status_code == 403
        write = {"Authorization": f"Bearer {made['write']}"}
        assert anon.post(f"/alerts/{alert}/retry", headers=write).status_code == 200
        bogus = {"Authorization": "Bearer not-a-token"}
        assert anon.get("/api/documents", headers=bogus).status_code == 401


def test_an_admin_sees_accounts_and_the_audit_log(site: Site) -> None:
    with logged_in(site, "ada") as c:
        page = BeautifulSoup(c.get("/users").text, "lxml")
        names = [tr.select_one("td").text for tr in page.select("#users tr.user")]
        assert names == ["ada", "eddie", "vera"]
        assert any("login" in tr.text for tr in page.select("#audit tr.audit"))


def test_logout_ends_the_session_and_a_redirect_stays_on_this_site(site: Site) -> None:
    c = login(site, "vera")
    page = BeautifulSoup(c.get("/").text, "lxml")
    csrf = page.select_one("form[action='/logout'] input[name=csrf]")["value"]
    assert c.post("/logout", data={"csrf": csrf}).status_code == 303
    assert c.get("/").status_code == 303  # back to the login page
    c.close()
    with httpx.Client(base_url=site.base) as evil:
        page = evil.get("/login")
        csrf = BeautifulSoup(page.text, "lxml").select_one("#login input[name=csrf]")["value"]
        r = evil.post(
            "/login",
            data={"name": "vera", "password": PASSWORD, "csrf": csrf, "next": "//evil.example/x"},
        )
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_new_password_or_disabling_ends_sessions(site: Site, tmp_path: Path) -> None:
    site.store.create_user("temp", "viewer", hash_password(PASSWORD))
    c = login(site, "temp")
    assert c.get("/").status_code == 200
    site.store.update_user("temp", disabled=True)
    assert c.get("/").status_code == 303
    with httpx.Client(base_url=site.base) as again:
        page = again.get("/login")
        csrf = BeautifulSoup(page.text, "lxml").select_one("#login input[name=csrf]")["value"]
        r = again.post("/login", data={"name": "temp", "password": PASSWORD, "csrf": csrf})
        assert r.status_code == 401
    c.close()


def test_a_server_off_loopback_without_accounts_serves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    from monitor.config import parse_config

    config = parse_config("sources: []\n")
    try:
        probes = [ops_router()]
        with serving(create_app(config, store, bind_host="0.0.0.0", extra_routers=probes)) as base:
            r = httpx.get(base + "/")
            assert r.status_code == 503 and "monitor users add" in r.text
            assert httpx.get(base + "/api/documents").status_code == 503
            assert httpx.get(base + "/healthz").status_code == 200
        with serving(create_app(config, store)) as base:  # loopback, no accounts: open
            assert httpx.get(base + "/").status_code == 200
        monkeypatch.setenv("MONITOR_WEB_PUBLIC", "1")  # public read-only, on purpose
        with serving(create_app(config, store, bind_host="0.0.0.0")) as base:
            assert httpx.get(base + "/api/documents").status_code == 200
            assert httpx.post(base + "/alerts/1/retry").status_code in (401, 403)
    finally:
        store.close()


def test_cli_bootstraps_an_admin_tokens_and_audit(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'm.db'}"]

    def monitor(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*MONITOR, *args, *db], input=stdin, capture_output=True, text=True, cwd=tmp_path
        )

    made = monitor("users", "add", "root", "--role", "admin")
    assert made.returncode == 0, made.stderr
    password = re.search(r"password \(shown once\): (\S+)", made.stdout)
    assert password and len(password.group(1)) >= 20
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        user = store.user_by_name("root")
        from monitor.web.auth import verify_password

        assert user is not None and verify_password(user.password_hash, password.group(1))
    finally:
        store.close()
    assert monitor("users", "add", "root").returncode == 2  # exists
    short = monitor("users", "add", "bob", "--password-stdin", stdin="short")
    assert short.returncode == 2 and "12 characters" in short.stderr
    assert monitor("users", "add", "bob", "--password-stdin", stdin=PASSWORD).returncode == 0
    denied = monitor("users", "token", "bob", "--scope", "write")
    assert denied.returncode == 2 and "editor" in denied.stderr
    token = monitor("users", "token", "bob", "--label", "grafana")
    assert token.returncode == 0 and "shown once" in token.stdout
    assert monitor("users", "set", "bob", "--role", "editor").returncode == 0
    listing = monitor("users", "list")
    assert "bob" in listing.stdout and "editor" in listing.stdout
    audit = monitor("users", "audit").stdout
    for line in ("account created", "token created", "account changed"):
        assert line in audit, audit
