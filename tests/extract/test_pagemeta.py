"""Furniture lines (counters, relative times, datelines) are metadata, not text;
lines that flip between two fetches are learned as volatile, real text is not."""

from __future__ import annotations

import pytest

from monitor.cycle.stability import drop_volatile, flipping_lines, patterns_of
from monitor.extract.article import extract
from monitor.extract.pagemeta import classify, split_metadata


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Просмотров: 1234", "views"),
        ("1 234 просмотра", "views"),
        ("Views: 31", "views"),
        ("Қаралым: 120", "views"),
        ("Сейчас читают: 17", "readers"),
        ("17 человек читают", "readers"),
        ("Комментарии (5)", "comments"),
        ("Обновлено 5 минут назад", "updated"),
        ("Updated 3 hours ago", "updated"),
        ("Жаңартылды: 30.11.2026", "updated"),
        ("Опубликовано: 30 ноября 2026", "updated"),
        ("12:45, 30 ноября 2026", "dateline"),
        ("30.11.2026 12:45", "dateline"),
        ("Nov 30, 2026 12:45 PM", "dateline"),
        ("30 ноября 2026 г.", "dateline"),
        ("28.11.2011", "dateline"),
        ("By A. Writer Updated Nov 13, 2019, 10:28am EST", "dateline"),
        ("20.08.2011 11:43 Семь самых полезных продуктов", "dateline"),
        ("Время чтения: 3 мин", "reading time"),
        ("5 min read", "reading time"),
    ],
)
def test_furniture_is_recognised(line: str, kind: str) -> None:
    assert classify(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Москва, 12 ноября 2025 года",  # a treaty's signing line
        "В 12:30 30 ноября состоялась встреча президентов.",
        "Стороны договорились о 5 пунктах.",
        "Число просмотров сайта выросло на 20 процентов за год, сообщил министр.",
        "Президент России провёл переговоры",
        "42",
    ],
)
def test_text_stays_text(line: str) -> None:
    assert classify(line) is None


def _page(views: int, updated: int) -> str:
    return (
        "<html><body><header><a href='/'>Главная</a></header><article><h1>Заголовок</h1>"
        f"<div class='meta'>Просмотров: {views}</div><div>Обновлено {updated} минут назад</div>"
        "<p>Россия и Казахстан подписали соглашение о сотрудничестве в энергетике.</p>"
        "<p>Документ вступает в силу с 1 января 2026 года.</p></article></body></html>"
    )


@pytest.mark.parametrize("select", [None, "article"])
def test_a_view_counter_under_the_headline_does_not_move_the_text(select: str | None) -> None:
    first, second = extract(_page(16, 3), select=select), extract(_page(31, 9), select=select)
    assert first.text == second.text
    assert "Просмотров" not in first.text and "1 января 2026" in first.text
    assert first.metadata["views"] == "Просмотров: 16"
    assert second.metadata["updated"] == "Обновлено 9 минут назад"


def test_split_metadata_keeps_order_of_text() -> None:
    text, meta = split_metadata("А\n12:45\nБ\nViews: 3\nВ")
    assert text == "А\nБ\nВ" and set(meta) == {"dateline", "views"}


def test_flipping_lines_and_their_patterns() -> None:
    stored = "Заголовок\nГлавное: погода\nТекст статьи."
    first = "Заголовок\nГлавное: курс тенге\nТекст статьи."
    second = "Заголовок\nГлавное: пробки\nТекст статьи."
    flips = dict(flipping_lines(first, second, stored))
    assert set(flips.values()) == {"Главное: погода", "Главное: курс тенге", "Главное: пробки"}
    assert drop_volatile(stored, frozenset(flips)) == "Заголовок\nТекст статьи."


def test_a_counter_is_one_pattern_whatever_its_digits() -> None:
    volatile = patterns_of(["Онлайн-трансляция: 16 зрителей"])
    assert drop_volatile("А\nОнлайн-трансляция: 31 зрителей\nБ", volatile) == "А\nБ"


def test_long_paragraphs_replaced_by_others_are_not_learned() -> None:
    long_a, long_b = "Стороны " + "договорились " * 40, "Стороны " + "решили " * 50
    assert flipping_lines(long_a, long_b) == []


def test_a_long_paragraph_whose_figures_change_within_seconds_is_learned() -> None:
    """Two fetches seconds apart: the same paragraph with other digits is generated."""
    body = "Курс на {} тенге. " + "Котировки обновляются автоматически. " * 10
    first, second = f"Текст.\n{body.format(512)}", f"Текст.\n{body.format(515)}"
    flips = dict(flipping_lines(first, second))
    assert len(flips) == 1 and len(next(iter(flips.values()))) > 300
    assert drop_volatile(f"Текст.\n{body.format(498)}", frozenset(flips)) == "Текст."
    # A paragraph edited in words is not "generated": nothing is learned.
    edited = body.format(512).replace("автоматически", "вручную")
    assert flipping_lines(first, f"Текст.\n{edited}") == []


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("November 20, 2019 / 1:07 AM / CBS News", "dateline"),
        ("5:45 AM PST 11/19/2019 by Patrick Shanley", "dateline"),
        ("Nov. 20, 2019Updated: Nov. 20, 2019 1:35 a.m.", "dateline"),
        ("17 января 2012 г. (13:17)", "dateline"),
        ("Читайте также: Россия и Казахстан обсудили транзит", "teaser"),
        ("Related: The 15 Weirdest Galaxies in Our Universe", "teaser"),
        ("Read more: Alibaba poised to launch record-breaking $13.4bn listing", "teaser"),
        ("Image 3 of 5", "counter"),
        ("Фото 2 из 7", "counter"),
        ("Адрес материала: http://news.example/health/92148.html", "link"),
        ("Зарегистрируйтесь, чтобы оставить комментарий (сейчас комментариев: 0)", "comments"),
        ("Log in to post a comment", "comments"),
        ("Tempo de leitura: 2 minutos", "reading time"),
        ("sexta-feira, 22 de outubro de 2010 às 20:13", "dateline"),
        ("Всего сюжетов: 89", "counter"),
        ("Фото: пресс-служба Акорды", "credit"),
        ("installation views, photos © Inexhibit, 2018", "credit"),
    ],
)
def test_more_furniture_is_recognised(line: str, kind: str) -> None:
    assert classify(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Соглашение подписано в 14:00 12 ноября 2025 года.",
        "Читайте также статью 5 Договора, она говорит о границе",  # no colon: a sentence
        "Related parties: the Republic of Kazakhstan and the Russian Federation.",
        "Фото и видео предоставлены пресс-службой Акорды",
        "Источник: Указ Президента от 5 мая http://publication.pravo.gov.ru/doc/1",
        "Министр отказался оставить комментарий журналистам.",
        "Photo exhibition opens on 5 May in Astana",
    ],
)
def test_sentences_with_those_words_stay_text(line: str) -> None:
    assert classify(line) is None


def _article(caption: str, teaser: str) -> str:
    return (
        "<html><body><article><h1>Заголовок</h1>"
        "<p>Россия и Казахстан подписали соглашение о сотрудничестве в энергетике.</p>"
        f"<figure><img src='a.jpg'><figcaption>{caption}</figcaption></figure>"
        f"<div class='image__caption-credit'>Фото: {caption}</div>"
        f"<p><strong><a href='/news/{len(teaser)}'>{teaser}</a></strong></p>"
        "<p>Документ вступает в силу с <a href='/doc/1'>1 января 2026 года</a>.</p>"
        "<p><a href='/files/declaration.pdf'>Текст Декларации от 12 ноября 2025 года</a></p>"
        "<ul><li><a href='/acts/1'>Договор о дружбе от 25 мая 1992 года</a></li></ul>"
        "</article></body></html>"
    )


@pytest.mark.parametrize("prefer", [None, "heuristic", "trafilatura", "readability"])
def test_captions_and_teaser_links_are_not_text(prefer: str | None) -> None:
    """A swapped photo or a promoted story is not an edit; the links that are the
    document's own (a sentence's link, a PDF, a list of acts) stay."""
    first = extract(_article("Встреча 12 ноября 2025", "Курс тенге на 5 декабря"), prefer=prefer)
    second = extract(_article("Встреча 13 ноября 2025", "Погода на 6 декабря"), prefer=prefer)
    assert first.text == second.text
    assert "Встреча" not in first.text and "Курс тенге" not in first.text
    assert "1 января 2026 года" in first.text
    assert "Текст Декларации" in first.text
