"""The shipped source catalogue (sources.yaml) is valid, complete and annotated."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from monitor.config import Config, Source, load_config

CATALOGUE = Path(__file__).resolve().parents[2] / "sources.yaml"

# Every site the catalogue must cover, by host (a sub-domain counts) and,
# where one host serves many bodies, by path prefix.
REQUIRED_SITES = [
    ("kremlin.ru", ""),
    ("en.kremlin.ru", ""),
    ("government.ru", ""),
    ("mid.ru", ""),
    ("publication.pravo.gov.ru", ""),
    ("akorda.kz", "/ru/"),
    ("akorda.kz", "/kz/"),
    ("akorda.kz", "/en/"),
    ("primeminister.kz", ""),
    ("gov.kz", "/memleket/entities/mfa"),
    ("adilet.zan.kz", ""),
    ("parlam.kz", ""),
    ("tass.ru", ""),
    ("ria.ru", ""),
    ("interfax.ru", ""),
    ("kommersant.ru", ""),
    ("rbc.ru", ""),
    ("inform.kz", ""),
    ("tengrinews.kz", ""),
    ("zakon.kz", ""),
    ("kursiv.media", ""),
    ("vlast.kz", ""),
    ("contur.kz", ""),
    ("dni.asia", ""),
]


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CATALOGUE)


def _urls(source: Source) -> list[str]:
    return [*source.watch, *(d.url for d in source.discover)]


def _on_host(url: str, host: str) -> bool:
    netloc = (urlsplit(url).hostname or "").lower()
    return netloc == host or netloc.endswith("." + host)


def _seconds(text: str) -> float:
    return {"m": 60, "h": 3600}[text[-1]] * float(text[:-1])


def test_catalogue_validates_with_at_least_twenty_sources(config: Config) -> None:
    assert len(config.sources) >= 20


def test_ids_are_unique_in_the_file_itself() -> None:
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in raw["sources"]]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize(
    ("kind", "country"),
    [("official", "RU"), ("official", "KZ"), ("media", "RU"), ("media", "KZ")],
)
def test_official_and_media_of_both_countries(config: Config, kind: str, country: str) -> None:
    matching = [s.id for s in config.sources if s.kind == kind and s.country == country]
    assert len(matching) >= 3, matching


@pytest.mark.parametrize(("host", "path"), REQUIRED_SITES)
def test_every_named_site_is_covered(config: Config, host: str, path: str) -> None:
    urls = [u for s in config.sources for u in _urls(s)]
    assert any(_on_host(u, host) and urlsplit(u).path.startswith(path) for u in urls), (
        host,
        path,
    )


def test_every_source_has_a_discovery_mechanism_or_a_watch_url(config: Config) -> None:
    empty = [s.id for s in config.sources if not s.discover and not s.watch]
    assert not empty


def test_declaration_pages_are_watched_on_kremlin_and_akorda(config: Config) -> None:
    watched = [u for s in config.sources for u in s.watch]
    kremlin = [u for u in watched if _on_host(u, "kremlin.ru") and "/supplement/" in u]
    assert {urlsplit(u).hostname for u in kremlin} >= {"kremlin.ru", "en.kremlin.ru"}
    akorda = [u for u in watched if _on_host(u, "akorda.kz")]
    assert {urlsplit(u).path.split("/")[1] for u in akorda} >= {"ru", "kz", "en"}


def test_intervals_follow_the_kind(config: Config) -> None:
    for source in config.sources:
        if source.kind == "official":
            assert _seconds("30m") <= source.interval <= _seconds("1h"), source.id
        else:
            assert _seconds("10m") <= source.interval <= _seconds("15m"), source.id


def test_keep_everything_only_for_official_sources(config: Config) -> None:
    broad = [s.id for s in config.sources if s.relevance == "all" and s.kind != "official"]
    assert not broad
    assert any(s.relevance == "all" for s in config.sources)


def test_languages_and_countries_are_all_represented(config: Config) -> None:
    assert {lang for s in config.sources for lang in s.languages} == {"ru", "kk", "en"}


_NEEDS_MARK = re.compile(r"^\s*(?:-\s+https?://|(?:url|select|links|next):)")


def test_every_url_and_selector_says_whether_it_was_confirmed() -> None:
    unmarked = [
        (number, line)
        for number, line in enumerate(CATALOGUE.read_text(encoding="utf-8").splitlines(), 1)
        if _NEEDS_MARK.match(line) and not re.search(r"#\s*(?:un)?confirmed:\s*\S", line)
    ]
    assert not unmarked, unmarked
