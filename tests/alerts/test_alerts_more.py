"""Operator alerts, Apprise (to a real JSON endpoint) and digests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.health import check_health
from monitor.config import Config, parse_config
from monitor.cycle import run_cycle
from monitor.simweb.receiver import Receiver
from monitor.simweb.server import Response, SimServer
from monitor.store import Store, utcnow

ENERGY = [
    "Россия и Казахстан договорились о строительстве атомной электростанции.",
    "Росатом и Казатомпром расширят поставки урана и сотрудничество в атомной энергетике.",
]


def page(paragraphs: list[str]) -> Response:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Response.html(f"<html><body><article><h1>Атом</h1>{body}</article></body></html>")


def run(config: Config, store: Store) -> None:
    asyncio.run(run_cycle(config, store))


def test_failing_source_is_told_to_the_operator_once_and_its_recovery_once(
    web: SimServer, receiver: Receiver, store: Store
) -> None:
    web.route("/doc", Response(503, b"down"))
    config = parse_config(
        "fetch: {per_host_delay: 0, max_retries: 0}\n"
        "alerts:\n  source_failing_after: 0s\n"
        f"  operator: {{type: webhook, url: '{receiver.url}/ops'}}\n"
        "sources:\n  - id: s\n"
        f"    allow_private: true\n    name: S\n    watch: ['{web.url('/doc')}']\n"
    )
    dispatcher = Dispatcher(config, store)
    for _ in range(2):  # failing on two health checks: said once
        run(config, store)
        later = utcnow() + timedelta(seconds=1)
        check_health(config, store, later)
        asyncio.run(dispatcher.run_once(later))
    web.route("/doc", page(ENERGY))
    run(config, store)
    later = utcnow() + timedelta(seconds=1)
    check_health(config, store, later)
    asyncio.run(dispatcher.run_once(later))
    said = [r.json() for r in receiver.received]
    assert [(p["condition"], p["state"]) for p in said] == [
        ("source:s", "raised"),
        ("source:s", "cleared"),
    ]
    assert "HTTP 503" in said[0]["detail"] and said[1]["title"].startswith("recovered")


def test_apprise_json_endpoint_gets_a_shortened_message_with_a_link(
    web: SimServer, receiver: Receiver, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = receiver.url.removeprefix("http://")
    monkeypatch.setenv("MONITOR_APPRISE", f"json://{host}/apprise")
    web.route("/doc", page(ENERGY))
    config = parse_config(
        "fetch: {per_host_delay: 0}\n"
        "alerts: {web_url: 'http://ui.example'}\n"
        "subscriptions:\n  - name: chat\n"
        "    channel: {type: apprise, urls_env: MONITOR_APPRISE, max_chars: 400}\n"
        "sources:\n  - id: s\n"
        f"    allow_private: true\n    name: S\n    watch: ['{web.url('/doc')}']\n"
    )
    run(config, store)
    web.route("/doc", page([*ENERGY, " ".join(["Новый абзац о поставках урана."] * 40)]))
    run(config, store)
    asyncio.run(Dispatcher(config, store).run_once())
    messages = [r.json() for r in receiver.received]
    assert len(messages) == 2  # new, then changed
    changed = messages[1]
    assert len(changed["title"]) + len(changed["message"]) <= 400
    assert "Full diff: http://ui.example/documents/" in changed["message"]
    assert "{+" in changed["message"]
    assert [a.status for a in store.alerts()] == ["sent", "sent"]


def test_hourly_digest_waits_for_the_hour_and_sends_one_message(
    web: SimServer, receiver: Receiver, store: Store
) -> None:
    web.route("/a", page(ENERGY))
    web.route("/b", page(ENERGY[::-1]))
    config = parse_config(
        "fetch: {per_host_delay: 0}\n"
        "subscriptions:\n  - name: digest\n"
        f"    channel: {{type: webhook, url: '{receiver.url}/d'}}\n    mode: hourly\n"
        f"sources:\n  - id: s\n    allow_private: true\n    name: S\n"
        f"    watch: ['{web.url('/a')}', '{web.url('/b')}']\n"
    )
    run(config, store)
    dispatcher = Dispatcher(config, store)
    asyncio.run(dispatcher.run_once())
    assert receiver.received == []
    asyncio.run(dispatcher.run_once(utcnow() + timedelta(hours=1, minutes=1)))
    (digest,) = [r.json() for r in receiver.received]
    assert digest["event"] == "digest" and digest["count"] == 2
    assert {i["document"]["url"] for i in digest["items"]} == {web.url("/a"), web.url("/b")}


def test_a_new_document_alert_quotes_the_opening_of_its_text() -> None:
    from datetime import UTC, datetime

    from monitor.alerts.build import drafts_for, excerpt
    from monitor.alerts.render import html_body, text_body
    from monitor.config import parse_config

    config = parse_config(
        "subscriptions:\n  - name: all\n    channel: {type: email, to: [a@example.org]}\n"
        "sources:\n  - id: s\n    name: S\n    watch: ['https://kremlin.ru/x']\n"
    )
    text = "Совместное заявление. " + "Стороны подтвердили приверженность союзничеству. " * 40
    (draft,) = drafts_for(
        config,
        event="new",
        source=config.sources[0],
        document={"id": 1, "url": "https://kremlin.ru/x", "title": "Заявление", "seq": 1},
        versions={"from": None, "to": 1},
        at=datetime(2026, 11, 30, tzinfo=UTC),
        text=text,
    )
    quoted = draft.payload["excerpt"]
    assert quoted.startswith("Совместное заявление.") and quoted.endswith(" …")
    assert len(quoted) <= 602 and quoted[:-2] in text  # cut on a word boundary
    assert quoted in text_body(draft.payload) and "<blockquote>" in html_body(draft.payload)
    assert excerpt("Короткий текст.") == "Короткий текст."
