"""A reader's own alert subscriptions (monitor/web/subscriptions.py): added in
the UI with the file's rules, joined to the configuration, and alerted on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from web_support import PASSWORD, logged_in, serving

from monitor.config import parse_config
from monitor.config.stored import merge_sources
from monitor.cycle import run_cycle
from monitor.simweb import Response, SimServer
from monitor.store import Store
from monitor.web import create_app
from monitor.web.auth import hash_password

ENERGY = (
    "<html><body><article><h1>Соглашение</h1><p>Россия и Казахстан подписали соглашение "
    "о строительстве атомной электростанции и поставках ядерного топлива.</p>"
    "<p>Росатом построит АЭС у озера Балхаш.</p></article></body></html>"
)


def form_token(c: httpx.Client) -> str:
    page = BeautifulSoup(c.get("/subscriptions").text, "lxml")
    return str(page.select_one("#subscription-form input[name=csrf]")["value"])


def test_a_reader_subscribes_in_the_ui_and_is_alerted(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    store.create_user("vera", "viewer", hash_password(PASSWORD))
    with SimServer() as web:
        web.route("/doc", Response.html(ENERGY))
        config = parse_config(
            "fetch: {per_host_delay: 0, confirm_delay: 0}\n"
            "sources:\n  - id: s\n    name: S\n    allow_private: true\n"
            f"    watch: ['{web.url('/doc')}']\n"
        )
        app = create_app(config, store, bind_host="0.0.0.0")
        try:
            with serving(app) as base, logged_in(base, "vera") as c:
                token = form_token(c)
                good = {
                    "csrf": token,
                    "label": "energy",
                    "themes": "energy",
                    "email": "vera@example.org",
                    "channel": "email",
                    "min_significance": "moderate",
                    "mode": "immediate",
                    "events": ["new", "changed"],
                }
                assert c.post("/subscriptions", data=good).status_code == 303
                names = [s.name for s in app.state.config.subscriptions]
                assert names == ["u.vera.energy"]  # in the running configuration at once
                rows = BeautifulSoup(c.get("/subscriptions").text, "lxml").select(
                    "#subscriptions tr.subscription"
                )
                assert [r["data-label"] for r in rows] == ["energy"]
                bad = c.post("/subscriptions", data={**good, "label": "x", "themes": "weather"})
                assert bad.status_code == 400 and "unknown theme" in bad.text
                hook = {**good, "label": "hook", "channel": "webhook", "webhook_url": "https://h/x"}
                assert c.post("/subscriptions", data=hook).status_code == 403  # viewer
                again = c.post("/subscriptions", data=good)
                assert again.status_code == 400 and "already" in again.text
            # what the service does: the configuration with the readers' subscriptions
            merged, problems = merge_sources(
                config, store.stored_sources(), store.user_subscriptions()
            )
            assert problems == []
            asyncio.run(run_cycle(merged, store))
        finally:
            store.close()
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        alerts = store.alerts()
        assert [a.subscription for a in alerts] == ["u.vera.energy"]
        assert [e.action for e in store.audit_log()].count("subscription added") == 1
    finally:
        store.close()


def test_muting_a_document_silences_the_readers_own_subscriptions_only(db_url: str) -> None:
    """Vera mutes a document: her subscription stops alerting on it, the team's
    (file) subscription does not; unmuted, she is alerted again."""
    store = Store(db_url)
    try:
        vera = store.create_user("vera", "viewer", hash_password(PASSWORD))
        email = {"channel": {"type": "email", "to": ["vera@example.org"]}}
        store.add_user_subscription(vera.id, "all", email)
        with SimServer() as web:
            page = ENERGY
            web.route("/doc", lambda _req: Response.html(page))
            base = parse_config(
                "fetch: {per_host_delay: 0, confirm_delay: 0}\n"
                "sources:\n  - id: s\n    name: S\n    allow_private: true\n"
                f"    watch: ['{web.url('/doc')}']\n"
                "subscriptions:\n"
                "  - {name: team, channel: {type: email, to: [team@example.org]}}\n"
            )
            config, problems = merge_sources(base, [], store.user_subscriptions())
            assert problems == []

            def cycle_alerts(text: str) -> list[str]:
                nonlocal page
                page = text
                before = {a.id for a in store.alerts()}
                asyncio.run(run_cycle(config, store))
                return sorted(a.subscription for a in store.alerts() if a.id not in before)

            assert cycle_alerts(ENERGY) == ["team", "u.vera.all"]
            doc = store.find_document(web.url("/doc"))
            assert doc is not None
            store.set_mark(vera.id, doc.id, muted=True)
            edited = ENERGY.replace("у озера Балхаш", "у озера Балхаш до 2035 года")
            assert cycle_alerts(edited) == ["team"]
            store.set_mark(vera.id, doc.id, muted=False)
            again = edited.replace("2035", "2036")
            assert cycle_alerts(again) == ["team", "u.vera.all"]
    finally:
        store.close()
