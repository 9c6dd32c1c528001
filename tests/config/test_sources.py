"""Canonical URLs: one row per document however it was reached."""

from __future__ import annotations

from monitor.config import parse_config
from monitor.sources import canonical_url, jobs_for
from monitor.store import Store
from monitor.views import translations


def test_canonical_url_collapses_spellings() -> None:
    variants = [
        "HTTP://Kremlin.RU:80/events/president/news/78000?utm_source=tg#top",
        "http://kremlin.ru/events/president/news/78000",
        "http://kremlin.ru/events/president/news/78000?fbclid=abc",
    ]
    assert {canonical_url(v) for v in variants} == {"http://kremlin.ru/events/president/news/78000"}


def test_meaningful_parameters_are_kept_and_sorted() -> None:
    assert (
        canonical_url("https://adilet.zan.kz/rus/docs?b=2&a=1&utm_medium=x")
        == "https://adilet.zan.kz/rus/docs?a=1&b=2"
    )
    assert canonical_url("https://example.kz") == "https://example.kz/"
    assert canonical_url("https://пример.рф/путь") == "https://xn--e1afmkfd.xn--p1ai/путь"


def test_jobs_deduplicate_watch_urls() -> None:
    config = parse_config(
        "sources:\n  - id: a\n    name: A\n    watch:\n"
        "      - http://x.ru/1?utm_source=a\n      - http://X.ru/1\n"
    )
    assert [j.url for j in jobs_for(config.sources[0])] == ["http://x.ru/1"]


def test_language_key_pairs_translations_of_one_text() -> None:
    from monitor.sources import language_key

    assert (
        language_key("http://en.kremlin.ru/supplement/6322")[:2]
        == language_key("http://kremlin.ru/supplement/6322")[:2]
    )
    ru = language_key("https://www.akorda.kz/ru/deklaraciya-o-soyuznichestve-1284850")
    kk = language_key("https://www.akorda.kz/kz/1284850")
    assert ru[:2] == kk[:2] and (ru[2], kk[2]) == ("ru", "kk")
    assert language_key("https://www.akorda.kz/ru/other-1284851")[:2] != ru[:2]


def test_store_links_other_language_versions(store: Store) -> None:
    from monitor.store import NewDocument, utcnow

    store.sync_sources([("a", "Akorda")])
    urls = [
        "https://www.akorda.kz/ru/deklaraciya-1284850",
        "https://www.akorda.kz/kz/1284850",
        "https://www.akorda.kz/en/declaration-1284850",
        "https://www.akorda.kz/ru/drugoe-1284851",
    ]
    ids = store.add_documents("a", [NewDocument(u, "discovered", True, {}) for u in urls], utcnow())
    found = translations(store, ids[0])
    assert sorted((t["id"], t["language"]) for t in found) == [(ids[1], "kk"), (ids[2], "en")]
