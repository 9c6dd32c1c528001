"""`monitor alerts`, `monitor history` with themes, SMTP authentication, and the
undeliverable-alerts operator notice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from web_support import free_port

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.health import check_health
from monitor.config import parse_config
from monitor.cycle import run_cycle
from monitor.simweb.receiver import Receiver
from monitor.simweb.server import Response, SimServer
from monitor.store import Store, utcnow

MONITOR = [sys.executable, "-m", "monitor.cli"]
# AUTH without TLS is deliberate on loopback: the test checks the credentials path.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
ENERGY_PAGE = Response.html(
    "<html><body><article><h1>Энергетика</h1>"
    "<p>Россия и Казахстан договорились о строительстве атомной электростанции.</p>"
    "<p>Росатом поставит оборудование для АЭС.</p></article></body></html>"
)


def test_cli_lists_and_requeues_alerts_and_history_shows_themes(
    web: SimServer, db_url: str, tmp_path: Path
) -> None:
    web.route("/doc", ENERGY_PAGE)
    cfg = tmp_path / "sources.yaml"
    cfg.write_text(
        "fetch: {per_host_delay: 0}\n"
        "alerts: {max_attempts: 1}\n"
        "subscriptions:\n  - name: hook\n"
        "    channel: {type: webhook, url: 'http://127.0.0.1:9/nothing-listens'}\n"
        "sources:\n  - id: s\n"
        f"    allow_private: true\n    name: S\n    watch: ['{web.url('/doc')}']\n",
        encoding="utf-8",
    )
    common = ["--config", str(cfg), "--db", db_url]

    def monitor(*args: str) -> Any:
        done = subprocess.run(
            [*MONITOR, *args, *common], capture_output=True, text=True, timeout=60
        )
        return done

    assert monitor("check").returncode == 0
    history = json.loads(monitor("history", web.url("/doc"), "--json").stdout)
    assert history["versions"][0]["themes"] == ["energy"]
    dispatched = monitor("alerts", "dispatch")
    assert dispatched.returncode == 1 and "webhook unreachable" in dispatched.stdout
    (failed,) = json.loads(monitor("alerts", "--status", "failed", "--json").stdout)
    assert failed["kind"] == "new" and failed["attempts"] == 1
    retried = monitor("alerts", "retry", str(failed["id"]))
    assert retried.returncode == 0 and "pending" in retried.stdout
    assert (
        json.loads(monitor("alerts", "--status", "pending", "--json").stdout)[0]["id"]
        == (failed["id"])
    )
    missing = monitor("alerts", "retry", "99999")
    assert missing.returncode == 1 and "no alert 99999" in missing.stderr


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mon", b"pw")
    return AuthResult(success=ok, handled=False)


def test_smtp_authentication_with_the_password_from_the_environment(
    web: SimServer, db_url: str, monkeypatch: Any
) -> None:
    sink, port = Sink(), free_port()
    controller = Controller(  # no TLS on loopback in tests; AUTH is what is checked
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    web.route("/doc", ENERGY_PAGE)
    text = (
        "fetch: {per_host_delay: 0}\n"
        f"alerts:\n  smtp: {{host: 127.0.0.1, port: {port}, security: none, username: mon,"
        " password_env: MONITOR_TEST_SMTP_PW, from_address: m@example.org}\n"
        "subscriptions:\n  - name: mail\n    channel: {type: email, to: [a@example.org]}\n"
        "sources:\n  - id: s\n"
        f"    allow_private: true\n    name: S\n    watch: ['{web.url('/doc')}']\n"
    )
    config = parse_config(text)
    store = Store(db_url)
    try:
        asyncio.run(run_cycle(config, store))
        monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "wrong")
        asyncio.run(Dispatcher(config, store).run_once())
        (alert,) = store.alerts()
        assert alert.status == "pending" and "535" in (alert.last_error or "")
        monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "pw")
        asyncio.run(Dispatcher(config, store).run_once(utcnow() + timedelta(hours=2)))
        (alert,) = store.alerts()
        assert alert.status == "sent" and len(sink.messages) == 1
    finally:
        store.close()
        controller.stop()


def test_alerts_waiting_too_long_are_told_to_the_operator(web: SimServer, db_url: str) -> None:
    web.route("/doc", ENERGY_PAGE)
    with Receiver() as ops:
        config = parse_config(
            "fetch: {per_host_delay: 0}\n"
            "alerts:\n  undeliverable_after: 30m\n"
            f"  operator: {{type: webhook, url: '{ops.url}'}}\n"
            "subscriptions:\n  - name: hook\n"
            "    channel: {type: webhook, url: 'http://127.0.0.1:9/down'}\n"
            "sources:\n  - id: s\n"
            f"    allow_private: true\n    name: S\n    watch: ['{web.url('/doc')}']\n"
        )
        store = Store(db_url)
        try:
            asyncio.run(run_cycle(config, store))
            later = utcnow() + timedelta(hours=1)
            assert check_health(config, store, later)["alerts:undeliverable"] is True
            asyncio.run(Dispatcher(config, store).run_once(later))
        finally:
            store.close()
        notices = [r.json() for r in ops.received]
    assert [(n["condition"], n["state"]) for n in notices] == [("alerts:undeliverable", "raised")]
