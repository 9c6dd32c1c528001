"""Extraction keeps the main text and nothing that churns; normalization erases invisible noise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.extract.article import ExtractionError, extract, normalize_text, rules_fingerprint


def test_normalize_erases_invisible_differences() -> None:
    plain = "Статья 5\nСтороны обязуются развивать сотрудничество."
    noisy = (
        "  Статья\u00a05 \r\n\n\u200bСто\u00adроны  обязуются\u202fразвивать\t"
        "сотрудничество.\ufeff  \n\n"
    )
    assert normalize_text(noisy) == plain
    assert normalize_text("е\u0308") == "ё"  # NFC


def test_block_elements_become_lines_inline_elements_do_not() -> None:
    html = (
        "<html><body><article><h1>Заголовок</h1><p>Первый <b>абзац</b> "
        "текста.</p><ul><li>1. Пункт один</li><li>2. Пункт два</li></ul>"
        "<div>Хвост<br>после переноса</div></article></body></html>"
    )
    assert extract(html).text == (
        "Заголовок\nПервый абзац текста.\n1. Пункт один\n2. Пункт два\nХвост\nпосле переноса"
    )


def test_markup_only_differences_give_the_same_text() -> None:
    a = "<html><body><main><p>Текст   декларации</p><p>Второй&nbsp;абзац</p></main></body></html>"
    b = (
        "<html><body><main>\n  <p>Текст\nдекларации</p>\n\n<p>Второй abзац</p></main></body></html>"
    ).replace("ab", "аб")
    assert extract(a).text == extract(b).text


def test_remove_then_select() -> None:
    html = (
        "<html><body><div id='c'><p>Главный текст документа.</p>"
        "<p class='meta'>Просмотров: 5</p></div><p>Вне блока</p></body></html>"
    )
    out = extract(html, select="#c", remove=[".meta"])
    assert out.text == "Главный текст документа."


def test_selector_that_matches_nothing_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="matched nothing"):
        extract("<html><body><p>x</p></body></html>", select=".absent")


def test_automatic_main_block_without_semantic_tags() -> None:
    paragraphs = "".join(
        f"<p>Абзац номер {i}, в котором говорится о сотрудничестве России и Казахстана, "
        f"об энергетике, транспорте и гуманитарных связях.</p>"
        for i in range(6)
    )
    html = (
        "<html><body><table><tr><td class='left'><a href='/1'>Главная</a><br><a href='/2'>"
        "Законы</a><br><a href='/3'>Поиск</a></td><td class='middle'>"
        f"{paragraphs}</td></tr></table><div class='counter'>Просмотров: 77</div>"
        "<div class='share'>Поделиться</div></body></html>"
    )
    text = extract(html).text
    assert text.count("Абзац номер") == 6
    assert "Главная" not in text and "Просмотров" not in text and "Поделиться" not in text


def test_title_and_publication_date() -> None:
    html = (
        "<html><head><title>Декларация | Kremlin</title>"
        "<meta property='article:published_time' content='2025-11-12T15:30:00+03:00'>"
        "</head><body><article><h1>Декларация о союзничестве</h1><p>Текст.</p></article>"
        "</body></html>"
    )
    out = extract(html)
    assert out.title == "Декларация о союзничестве"
    assert out.published_at == datetime(2025, 11, 12, 12, 30, tzinfo=UTC)


def test_scripts_styles_and_comments_are_not_text() -> None:
    html = (
        "<html><body><article><p>Текст.</p><script>var x='Скрипт';</script>"
        "<style>p{}</style><!-- комментарий --></article></body></html>"
    )
    assert extract(html).text == "Текст."


def test_garbage_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExtractionError):
        extract("")
    with pytest.raises(ExtractionError):
        extract("<html><body><nav>только меню</nav></body></html>")


def test_rules_fingerprint_changes_with_rules() -> None:
    assert rules_fingerprint(None, []) != rules_fingerprint("article", [])
    assert rules_fingerprint("a", [".x"]) != rules_fingerprint("a", [".y"])
