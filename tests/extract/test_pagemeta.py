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


def test_long_paragraphs_are_never_learned() -> None:
    long_a, long_b = "Стороны " + "договорились " * 40, "Стороны " + "решили " * 50
    assert flipping_lines(long_a, long_b) == []
