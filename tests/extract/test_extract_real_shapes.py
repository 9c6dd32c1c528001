"""Automatic extraction on the page shapes that broke it on real saved pages.

The pages here are written for the project, but each reproduces a shape seen in
the real-page corpus (bench/realpages): a whole page wrapped in one ASP.NET
<form>, the article inside an element whose class says "widget", "ad", "lenta"
or "sidebar", a view counter under the headline. The consensus of the three
extractors (monitor/extract/consensus.py) and its pinning are tested here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.extract.article import ExtractionError, extract
from monitor.extract.consensus import CANDIDATES, agreement, choose, shingles
from monitor.simweb import Response, SimServer

ARTICLE = [
    "Президенты России и Казахстана подписали Декларацию о переходе к всеобъемлющему "
    "стратегическому партнерству и союзничеству, сообщила пресс-служба.",
    "Документ из сорока двух пунктов охватывает политику и безопасность, экономику, высокие "
    "технологии и гуманитарные связи двух стран.",
    "Стороны договорились расширить расчеты в национальных валютах и развивать совместные "
    "проекты в энергетике, включая строительство атомной электростанции.",
    "Отдельный раздел посвящен космосу: Байконур остается ключевым объектом сотрудничества.",
]
MENU = "".join(f"<li><a href='/s/{i}'>Раздел {i}</a></li>" for i in range(12))
RELATED = "".join(
    f"<li><a href='/n/{i}'>Новость дня номер {i} о погоде и пробках</a></li>" for i in range(8)
)


def _body(wrapper_open: str, wrapper_close: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return (
        "<html><head><title>Декларация подписана</title></head><body>"
        f"<header><ul class='menu'>{MENU}</ul></header>{wrapper_open}"
        "<h1>Декларация подписана</h1>"
        f"<div class='meta'>Просмотров: 1234</div><div class='text'>{paragraphs}</div>"
        f"<div class='related'><ul>{RELATED}</ul></div>{wrapper_close}"
        "<footer><p>© Информационное агентство, 2025. Все права защищены.</p></footer>"
        "</body></html>"
    )


SHAPES = {
    "aspnet-form": ("<form id='aspnetForm' method='post'><div class='page'>", "</div></form>"),
    "blogger-widget": ("<div class='widget Blog' id='Blog1'><div class='post'>", "</div></div>"),
    "elementor-widget": ("<div class='elementor-widget-container'>", "</div>"),
    "ad-margins": ("<div class='Page-ad-margins'><main>", "</main></div>"),
    "kommersant-lenta": ("<div class='lenta_top_doc'>", "</div>"),
    "penci-sidebar": ("<div class='penci_sidebar main-wrap'>", "</div>"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_article_survives_a_wrapper_named_like_boilerplate(shape: str) -> None:
    page = extract(_body(*SHAPES[shape]))
    for paragraph in ARTICLE:
        assert paragraph in page.text, (shape, page.method)
    assert "Раздел 3" not in page.text and "Все права защищены" not in page.text
    assert "Просмотров" not in page.text


@pytest.mark.parametrize("shape", SHAPES)
def test_our_heuristic_alone_keeps_the_wrapper(shape: str) -> None:
    """The heuristic used to delete these wrappers and return a menu or nothing."""
    text = extract(_body(*SHAPES[shape]), prefer="heuristic").text
    assert all(paragraph in text for paragraph in ARTICLE), shape


def test_a_counter_that_moves_does_not_move_the_text() -> None:
    first = extract(_body(*SHAPES["aspnet-form"]))
    later = _body(*SHAPES["aspnet-form"]).replace("1234", "1301")
    assert extract(later, prefer=first.extractor).text == first.text
    assert extract(later).text == first.text


def test_a_page_of_menus_only_has_no_article() -> None:
    with pytest.raises(ExtractionError, match="no text"):
        extract(f"<html><body><nav><ul>{MENU}</ul></nav></body></html>")


def test_consensus_picks_the_text_two_extractors_agree_on() -> None:
    article = " ".join(ARTICLE)
    texts = {
        "readability": article,
        "trafilatura": article + " Подписывайтесь на наш канал и читайте также новости дня.",
        "heuristic": "Главная Новости Спорт Погода Контакты",
    }
    assert choose(texts) in ("readability", "trafilatura")
    assert choose({"readability": "", "trafilatura": "", "heuristic": ""}) is None
    assert choose({"readability": "", "trafilatura": article, "heuristic": ""}) == "trafilatura"


def test_when_no_two_agree_the_headline_anchored_heuristic_decides() -> None:
    texts = {
        "readability": "Адрес редакции: Астана, улица Мангилик Ел, дом восемь, телефон.",
        "trafilatura": "Главная Новости Политика Экономика Общество Регионы Мир Спорт",
        "heuristic": " ".join(ARTICLE),
    }
    assert choose(texts) == "heuristic"


def test_agreement_is_symmetric_shingle_f1() -> None:
    a, b = shingles("раз два три четыре пять"), shingles("раз два три четыре шесть")
    assert agreement(a, b) == agreement(b, a) == pytest.approx(0.5)
    assert agreement(a, shingles("")) == 0.0


def test_pinning_uses_the_named_extractor_and_says_so() -> None:
    html = _body(*SHAPES["kommersant-lenta"])
    chosen = extract(html)
    assert chosen.extractor in CANDIDATES and "consensus of" in chosen.method
    for name in CANDIDATES:
        pinned = extract(html, prefer=name)
        assert pinned.extractor == name and "(pinned)" in pinned.method


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        cwd=Path(__file__).resolve().parent,
    )


def test_monitor_extract_shows_what_would_be_stored(tmp_path: Path, web: SimServer) -> None:
    page = tmp_path / "page.html"
    page.write_text(_body(*SHAPES["blogger-widget"]), encoding="utf-8")
    web.route("/decl", Response.html(_body(*SHAPES["aspnet-form"])))
    missing = tmp_path / "missing.html"
    proc = _cli("extract", str(page), web.url("/decl"), str(missing), "--json", "--allow-private")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["input"] for r in rows] == [str(page), web.url("/decl"), str(missing)]
    assert rows[0]["title"] == "Декларация подписана" and ARTICLE[2] in rows[0]["text"]
    assert rows[0]["extractor"].startswith("auto: ") and "Просмотров" not in rows[0]["text"]
    assert rows[1]["text"] == rows[0]["text"]
    assert "cannot read" in rows[2]["error"]
    assert proc.returncode == 1  # one input failed

    selected = _cli("extract", str(page), "--select", "div.text", "--remove", "p:first-child")
    assert selected.returncode == 0, selected.stderr
    assert "extractor: selector (select 'div.text'" in selected.stdout
    assert ARTICLE[0] not in selected.stdout and ARTICLE[1] in selected.stdout

    bad = _cli("extract", str(page), "--select", "div[")
    assert bad.returncode == 2 and "invalid CSS selector" in bad.stderr
