"""A divergence alert says what diverged, in the email, the chat message and a
digest, with a link to the family: the reader must not have to open the page to
learn that the Kremlin changed п. 17 and Akorda did not."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.alerts.build import drafts_for
from monitor.alerts.render import html_body, short_text, subject, text_body
from monitor.config import parse_config

DETAIL = {
    "family": 7,
    "kind": "edited",
    "document": {"id": 1, "url": "https://kremlin.example/ru", "source": "kremlin", "lang": "ru"},
    "points": [
        {
            "point": "17",
            "before": "Стороны будут поддерживать",
            "after": "Стороны будут ежегодно поддерживать",
            "unchanged": [{"id": 2, "url": "https://akorda.example/ru", "source": "akorda"}],
        }
    ],
    "facts": [
        {
            "point": "8",
            "here": ["Almaty"],
            "there": ["Астане"],
            "kinds": ["name"],
            "langs": ["en", "ru"],
            "siblings": [{"id": 2}],
        }
    ],
}


def _payload() -> dict:  # type: ignore[type-arg]
    config = parse_config(
        "alerts: {web_url: 'https://monitor.example'}\n"
        "sources:\n  - {id: kremlin, name: Kremlin, kind: official, country: RU}\n"
        "subscriptions:\n  - {name: desk, channel: {type: email, to: [desk@example.org]},\n"
        "     filters: {events: [diverged]}}\n"
    )
    [draft] = drafts_for(
        config,
        event="diverged",
        source=config.sources[0],
        document={"id": 1, "url": "https://kremlin.example/ru", "title": "Заявление"},
        versions={"from": None, "to": None},
        at=datetime(2026, 11, 30, tzinfo=UTC),
        extra={"divergence": DETAIL},
    )
    return draft.payload


def test_the_email_says_what_diverged_and_links_the_family() -> None:
    payload = _payload()
    assert payload["links"]["family"] == "https://monitor.example/families/7"
    body = text_body(payload)
    assert "DIVERGED (расхождение копий): Заявление" in body
    assert "Divergence: kremlin changed п. 17; unchanged at akorda" in body
    assert "п. 8 names differ (en/ru): Almaty against Астане" in body
    assert "Family: https://monitor.example/families/7" in body
    assert "kremlin changed п. 17" in html_body(payload)
    assert subject(payload).startswith("[monitor] diverged")


def test_a_chat_message_and_a_digest_carry_the_divergence_too() -> None:
    payload = _payload()
    chat = short_text(payload, 500)
    assert "kremlin changed п. 17; unchanged at akorda" in chat and len(chat) <= 500
    digest = {"event": "digest", "count": 1, "items": [payload]}
    assert "kremlin changed п. 17" in text_body(digest)
