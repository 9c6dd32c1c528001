"""Alerts end to end: the simulated site changes a text, one cycle runs, and a real
SMTP server (aiosmtpd) and a real HTTP receiver get exactly what they should."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import subprocess
import sys
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from web_support import free_port

from monitor.alerts.dispatch import Dispatcher
from monitor.config import Config, ConfigError, parse_config
from monitor.cycle import run_cycle
from monitor.simweb.receiver import Receiver
from monitor.simweb.site import SimSite
from monitor.store import Store

SECRET = "s3cr3t-for-tests"
TRADE = [
    "Россия и Казахстан подвели итоги торгово-экономического сотрудничества за 2025 год.",
    "Товарооборот между странами вырос на 7 процентов и превысил 28 миллиардов долларов.",
    "Стороны договорились расширять взаимные поставки продукции машиностроения.",
]
NUCLEAR = (
    "Стороны также договорились о строительстве первой атомной электростанции в Казахстане "
    "при участии госкорпорации «Росатом»."
)


class Sink:
    """An SMTP server's message store; it can refuse the next N messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_SECRET", SECRET)


def config_text(site: SimSite, smtp_port: int, hook: str, themes: str = "[energy]") -> str:
    return f"""
fetch:
  per_host_delay: 0
alerts:
  web_url: http://ui.example
  backoff_base: 0.01
  backoff_max: 0.05
  max_attempts: 6
  smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, from_address: m@example.org}}
subscriptions:
  - name: energy-mail
    channel: {{type: email, to: [analyst@example.org]}}
    filters: {{themes: {themes}, kind: [official]}}
  - name: energy-hook
    channel: {{type: webhook, url: "{hook}", secret_env: MONITOR_TEST_SECRET}}
    filters: {{themes: {themes}}}
sources:
  - id: sim
    allow_private: true
    name: Акорда (симуляция)
    kind: official
    country: KZ
    watch:
      - {site.article_url("trade")}
"""


def cycle(config: Config, store: Store) -> None:
    asyncio.run(run_cycle(config, store))


def dispatch(config: Config, store: Store, rounds: int = 1) -> None:
    dispatcher = Dispatcher(config, store)
    for _ in range(rounds):
        asyncio.run(dispatcher.run_once())
        if not store.due_alerts(_far_future()):
            break
        asyncio.run(asyncio.sleep(0.06))


def _far_future() -> Any:
    from datetime import timedelta

    from monitor.store import utcnow

    return utcnow() + timedelta(days=1)


def test_an_inserted_energy_sentence_alerts_once_by_email_and_webhook(
    smtp: tuple[Sink, int], receiver: Receiver, store: Store
) -> None:
    sink, port = smtp
    with SimSite() as site:
        site.add_article("trade", "Итоги торгово-экономического сотрудничества", TRADE)
        config = parse_config(config_text(site, port, receiver.url + "/hook"))
        cycle(config, store)
        dispatch(config, store)
        assert sink.messages == [] and receiver.received == []  # trade only: not energy
        site.edit_article("trade", paragraph=len(TRADE), text=NUCLEAR)
        cycle(config, store)
        dispatch(config, store)
        cycle(config, store)  # nothing changed: nothing more
        dispatch(config, store)

    (mail,) = sink.messages
    (hook,) = receiver.received
    payload = hook.json()
    assert payload["event"] == "changed"
    assert [t["theme"] for t in payload["themes"]] == ["energy"]
    assert any("атомной" in s for s in payload["themes"][0]["sentences"])
    assert payload["summary"]["words_inserted"] >= 10 and payload["summary"]["headline"]
    assert [op for op, _ in payload["diff"] if op != 0] == [1]
    assert payload["links"]["diff"].startswith("http://ui.example/documents/")
    body = hook.body
    expected = hmac.new(
        SECRET.encode(), hook.headers["X-Monitor-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert hook.headers["X-Monitor-Signature"] == f"sha256={expected}"
    assert hook.headers["Idempotency-Key"] == payload["idempotency_key"]

    assert "energy" in mail["Subject"] and "Итоги торгово-экономического" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "{+" in text and "атомной" in text and "<ins" in html and "Росатом" in html
    assert [a.status for a in store.alerts()] == ["sent", "sent"]


def test_webhook_500_three_times_then_delivered_once(
    smtp: tuple[Sink, int], receiver: Receiver, store: Store
) -> None:
    _, port = smtp
    receiver.answer(500, 500, 500)
    with SimSite() as site:
        site.add_article("trade", "Итоги", [*TRADE, NUCLEAR])
        config = parse_config(config_text(site, port, receiver.url + "/hook", "[]"))
        cycle(config, store)
    dispatch(config, store, rounds=10)
    assert [r.status for r in receiver.received] == [500, 500, 500, 200]
    assert len({r.headers["Idempotency-Key"] for r in receiver.received}) == 1
    hook = next(a for a in store.alerts() if a.channel == "webhook")
    assert hook.status == "sent" and hook.attempts == 4


def test_webhook_4xx_is_not_retried_and_the_reason_is_kept(
    smtp: tuple[Sink, int], receiver: Receiver, store: Store
) -> None:
    _, port = smtp
    receiver.answer(404)
    with SimSite() as site:
        site.add_article("trade", "Итоги", [*TRADE, NUCLEAR])
        config = parse_config(config_text(site, port, receiver.url + "/hook", "[]"))
        cycle(config, store)
    dispatch(config, store, rounds=5)
    hook = next(a for a in store.alerts() if a.channel == "webhook")
    assert hook.status == "failed" and "HTTP 404" in (hook.last_error or "")
    assert len(receiver.received) == 1


def test_smtp_down_or_refusing_keeps_the_alert_pending_until_it_recovers(
    receiver: Receiver, store: Store
) -> None:
    port = free_port()  # nobody listens yet
    with SimSite() as site:
        site.add_article("trade", "Итоги", [*TRADE, NUCLEAR])
        config = parse_config(config_text(site, port, receiver.url + "/hook", "[]"))
        cycle(config, store)
    asyncio.run(Dispatcher(config, store).run_once())
    mail = next(a for a in store.alerts() if a.channel == "email")
    assert mail.status == "pending" and "ConnectionRefusedError" in (mail.last_error or "")
    sink = Sink()
    sink.refuse = 1
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        dispatch(config, store, rounds=5)
    finally:
        controller.stop()
    mail = next(a for a in store.alerts() if a.channel == "email")
    assert mail.status == "sent" and len(sink.messages) == 1


def test_whitespace_and_quote_style_edits_raise_no_alert(
    smtp: tuple[Sink, int], receiver: Receiver, store: Store
) -> None:
    sink, port = smtp
    quoted = "Стороны обсудили проект «Атомная электростанция» и энергетику."
    with SimSite() as site:
        site.add_article("trade", "Итоги", [*TRADE, quoted])
        config = parse_config(config_text(site, port, receiver.url + "/hook", "[]"))
        cycle(config, store)
        dispatch(config, store)
        first = len(receiver.received)
        site.edit_article("trade", replace=("Стороны обсудили", "Стороны  обсудили\u00a0"))
        cycle(config, store)
        site.edit_article("trade", replace=("«Атомная электростанция»", '"Атомная электростанция"'))
        cycle(config, store)
        dispatch(config, store)
    assert first == 1 and len(receiver.received) == 1 and len(sink.messages) == 1
    doc = store.find_document(site.article_url("trade"))
    assert doc is not None and doc.latest_seq == 2  # the quote edit is a version, not an alert


def test_subscription_with_unknown_theme_or_source_is_rejected_with_its_line() -> None:
    base = (
        "subscriptions:\n"
        "  - name: x\n"
        "    channel: {type: webhook, url: 'http://127.0.0.1:1/h'}\n"
        "    filters: {themes: [enrgy]}\n"
        "sources:\n  - id: a\n    allow_private: true\n    name: A\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_config(base)
    assert "sources.yaml:4: subscription 'x', field 'filters.themes': unknown theme 'enrgy'" in str(
        err.value
    )
    with pytest.raises(ConfigError, match="unknown source 'b'"):
        parse_config(base.replace("themes: [enrgy]", "sources: [b]"))


def test_crash_between_sending_and_recording(
    smtp: tuple[Sink, int], receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    """The dispatcher dies right after the far end accepted: after a restart the
    webhook is repeated with the same idempotency key, the email is not sent again."""
    sink, port = smtp
    with SimSite() as site:
        site.add_article("trade", "Итоги", [*TRADE, NUCLEAR])
        text = config_text(site, port, receiver.url + "/hook", "[]")
        cfg = tmp_path / "sources.yaml"
        cfg.write_text(text, encoding="utf-8")
        store = Store(db_url)
        cycle(parse_config(text), store)
        store.close()
    command = [
        sys.executable,
        "-m",
        "monitor.cli",
        "alerts",
        "dispatch",
        "--config",
        str(cfg),
        "--db",
        db_url,
    ]
    env = {**os.environ, "MONITOR_FAULT": "crash-after-send"}
    for _ in range(2):  # each run delivers one alert, then dies before recording it
        crashed = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert crashed.returncode == 70, crashed.stderr
    clean = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stderr

    keys = [r.headers["Idempotency-Key"] for r in receiver.accepted()]
    assert len(keys) == 2 and len(set(keys)) == 1  # repeated, with the same key
    assert len(sink.messages) == 1  # never twice
    store = Store(db_url)
    try:
        statuses = {a.channel: a.status for a in store.alerts()}
    finally:
        store.close()
    assert statuses == {"webhook": "sent", "email": "uncertain"}
