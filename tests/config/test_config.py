"""Configuration errors name the file, line, source id and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, parse_config, parse_duration

GOOD = """\
fetch:
  read_timeout: 20s
sources:
  - id: kremlin-ru
    name: Kremlin
    interval: 30m
    watch:
      - http://kremlin.ru/supplement/1
    select: "div.read__content"
    remove: [".read__bottommeta"]
  - id: akorda
    name: Akorda
    watch: [https://www.akorda.kz/ru/1]
"""


def test_a_good_file_parses_with_durations() -> None:
    config = parse_config(GOOD)
    assert [s.id for s in config.sources] == ["kremlin-ru", "akorda"]
    assert config.source("kremlin-ru").interval == 1800
    assert config.fetch.read_timeout == 20
    assert config.source("akorda").interval == 3600


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("interval: 30m", "interval: soon"),
            "sources.yaml:6: source 'kremlin-ru', field 'interval':",
        ),
        (
            ('select: "div.read__content"', 'select: "div[["'),
            "sources.yaml:9: source 'kremlin-ru', field 'select': invalid CSS selector",
        ),
        (
            ("- http://kremlin.ru/supplement/1", "- ftp://kremlin.ru/x"),
            "sources.yaml:8: source 'kremlin-ru', field 'watch.0': "
            "'ftp://kremlin.ru/x' is not an http",
        ),
        (
            ("    name: Akorda\n", "    nme: Akorda\n"),
            "sources.yaml:12: source 'akorda', field 'nme': unknown field",
        ),
        (
            ("id: akorda", "id: kremlin-ru"),
            "sources.yaml:11: source 'kremlin-ru', field 'id': duplicate source id 'kremlin-ru'",
        ),
        (("id: akorda", "id: Bad Id"), "sources.yaml:11: source 'Bad Id', field 'id':"),
    ],
)
def test_errors_name_line_source_and_field(edit: tuple[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(GOOD.replace(*edit))
    assert expected in str(info.value)


def test_missing_name_points_at_the_source_entry() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(GOOD.replace("    name: Akorda\n", ""))
    assert "sources.yaml:11: source 'akorda', field 'name': Field required" in str(info.value)


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("sources:\n  - id: a\n    name: [unclosed\n")
    assert str(info.value).startswith("sources.yaml:4: invalid YAML")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_durations() -> None:
    assert parse_duration("90") == 90
    assert parse_duration("1.5h") == 5400
    assert parse_duration(45) == 45
    for bad in ("tomorrow", "-5s", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_the_shipped_sources_yaml_is_valid() -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "sources.yaml")
    assert config.sources


@pytest.mark.parametrize(
    ("discover", "expected"),
    [
        (
            "      - {type: listing, url: 'https://a.kz/news'}\n",
            "field 'discover.0.listing.links': Field required",
        ),
        (
            "      - {type: feed, url: 'https://a.kz/rss', links: 'a'}\n",
            "field 'discover.0.feed.links': unknown field",
        ),
        (
            "      - {type: atom, url: 'https://a.kz/rss'}\n",
            "field 'discover.0':",
        ),
    ],
)
def test_each_discovery_kind_has_its_own_spec(discover: str, expected: str) -> None:
    """A listing without `links`, or a feed with them, is an error in the file."""
    text = "sources:\n  - id: a\n    name: A\n    discover:\n" + discover
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert "sources.yaml:5: source 'a', " + expected in str(info.value)


def test_a_plain_selector_is_checked_without_soupsieve_and_agrees_with_it() -> None:
    """Type, class and id selectors with descendant or child combinators are checked
    by a strict grammar (no soupsieve import, ~0.2 s of a check's start-up); whatever
    that grammar accepts, soupsieve accepts too, and anything else goes to soupsieve."""
    import random
    import subprocess
    import sys

    import soupsieve

    from monitor.config.types import _SIMPLE_PART, check_css

    code = (
        "import sys; from monitor.config.types import check_css; "
        "check_css('div.article-body, #content > p.lead, main article .text'); "
        "print('soupsieve' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
    rng = random.Random(7)
    alphabet = list("ad.#> ,*-_2Я")
    accepted = 0
    for _ in range(20000):
        selector = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        if all(p.strip() and _SIMPLE_PART.fullmatch(p) for p in selector.split(",")):
            accepted += 1
            soupsieve.compile(selector)  # raises if the grammar let an invalid one by
    assert accepted > 500
    for bad in ("div >", "> p", ".2col", "div..x", "a,,b", "#"):
        with pytest.raises(ValueError, match="invalid CSS selector"):
            check_css(bad)
    assert check_css("div:not(.ad) > p[lang=ru]") == "div:not(.ad) > p[lang=ru]"
