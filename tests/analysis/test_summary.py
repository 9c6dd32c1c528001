"""Change summaries: cosmetic edits are trivial, edits of meaning are major, places are named."""

from __future__ import annotations

import json
import re

import pytest

from monitor.analysis.summary import ChangeSummary, summarize
from monitor.diff import diff_words
from monitor.simweb.corpus import commentary_text

NEW_POINT = "Стороны обязуются ежегодно рассматривать ход выполнения настоящей Декларации."


def _sentences() -> tuple[str, list[str]]:
    """The title and the sentences of the project's Declaration-like fixture text."""
    title, *body = commentary_text().splitlines()
    found = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(body)) if len(s.split()) > 3]
    assert len(found) >= 42
    return title, found


def _declaration(points: dict[int, str]) -> str:
    """A Declaration-like text: a title line, then numbered points in order."""
    title, _ = _sentences()
    return "\n".join([title, *(f"{n}. {text}" for n, text in sorted(points.items()))])


@pytest.fixture(scope="module")
def points() -> dict[int, str]:
    return dict(enumerate(_sentences()[1][:42], start=1))


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        (
            "Стороны  обязуются\nразвивать связи. ",
            "Стороны обязуются развивать связи.",
            "whitespace",
        ),
        ("Подписана 12 ноября 2025 года.", "Подписана 12\u00a0ноября\u202f2025 года.", "NBSP"),
        ("Так называемый «союз» и «дружба».", 'Так называемый "союз" и "дружба".', "quote style"),
        ("российско-казахстанский - договор", "российско–казахстанский — договор", "dashes"),
        ("Общий объём торговли ещё вырос.", "Общий объем торговли еще вырос.", "ё/е"),
        (
            "Стороны, как и прежде, развивают связи.",
            "Стороны как и прежде развивают связи;",
            "punct",
        ),
    ],
)
def test_cosmetic_edits_are_trivial(old: str, new: str, kind: str) -> None:
    summary = summarize(old, new)
    assert summary.cosmetic is True
    assert summary.significance == "trivial"
    assert summary.reasons[0].startswith("cosmetic only:") and kind in summary.reasons[0]
    assert summary.paragraphs_changed == [1]


def test_identical_texts_are_no_change() -> None:
    summary = summarize("Текст.", "Текст.")
    assert (summary.significance, summary.cosmetic, summary.reasons) == (
        "trivial",
        False,
        ["no change"],
    )
    assert summary.headline() == "no changes"
    assert summary.paragraphs_changed == summary.points_changed == []


def test_modal_verb_change_is_major(points: dict[int, str]) -> None:
    points[5] = "Стороны обязуются развивать сотрудничество в сфере мирного атома и энергетики."
    old = _declaration(points)
    new = old.replace("обязуются", "стремятся")
    summary = summarize(old, new)
    assert summary.significance == "major" and not summary.cosmetic
    assert summary.reasons[0] == "modal verb changed: обязуются → стремятся"
    assert summary.points_changed == ["п. 5"] and summary.points_added == []
    assert summary.paragraphs_changed == [6]  # the title is paragraph 1
    assert (summary.words_inserted, summary.words_deleted) == (1, 1)
    assert summary.headline() == (
        "п. 5 changed; +1/−1 words; major: modal verb changed (обязуются → стремятся)"
    )


def test_changed_number_is_major() -> None:
    summary = summarize("Программа действует до 2030 года.", "Программа действует до 2035 года.")
    assert summary.significance == "major"
    assert summary.reasons == ["number changed: 2030 → 2035"]


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("Подписана 12 ноября 2025 года.", "Подписана 15 ноября 2025 года.", "date changed"),
        ("Рост на 5% в год.", "Рост на 7% в год.", "percentage changed: 5% → 7%"),
        ("Кредит 3 млрд долларов.", "Кредит 3 млн долларов.", "amount changed"),
        ("Встреча пройдет в Москве.", "Встреча пройдет в Астане.", "name changed: Москве → Астане"),
        ("Стороны не вмешиваются.", "Стороны вмешиваются.", "negation removed: не вмешиваются"),
        ("The Parties shall not act.", "The Parties shall act.", "negation removed: not act"),
        ("Тараптар келісуге міндеттенеді.", "Тараптар келісуге ұмтылады.", "modal verb changed"),
    ],
)
def test_meaning_changes_are_major(old: str, new: str, reason: str) -> None:
    summary = summarize(old, new)
    assert summary.significance == "major"
    assert any(r.startswith(reason) for r in summary.reasons), summary.reasons


def test_inflected_name_and_sentence_start_are_not_name_changes() -> None:
    summary = summarize("Союз России и Казахстана.", "Союз с Россией и Казахстаном.")
    assert summary.significance == "minor", summary.reasons
    assert summary.reasons[0].startswith("word form changed")


def test_point_removed_and_added_in_declaration(points: dict[int, str]) -> None:
    old = _declaration(points)
    del points[17]
    points[43] = NEW_POINT
    summary = summarize(old, _declaration(points))
    assert summary.points_removed == ["п. 17"]
    assert summary.points_added == ["п. 43"]
    assert summary.points_changed == []
    assert summary.paragraphs_removed == [18] and summary.paragraphs_added == [43]
    assert summary.paragraphs_changed == []
    assert summary.significance == "major"
    assert summary.reasons[:2] == ["п. 17 removed", "п. 43 added"]
    assert summary.headline().startswith("п. 43 added, п. 17 removed; +9/−")


def test_sub_points_and_label_styles() -> None:
    old = "Преамбула.\n1) Первое.\n2. Второе.\n2.1. Стороны развивают торговлю.\n2.2. Иное."
    summary = summarize(old, old.replace("развивают", "расширяют"))
    assert summary.points_changed == ["п. 2.1"]
    summary = summarize(old, old.replace("Первое", "Самое первое"))
    assert summary.points_changed == ["п. 1"]
    explicit = "п. 17 Стороны развивают торговлю.\nпункт 18 Иное."
    assert summarize(explicit, explicit.replace("Иное", "Другое")).points_changed == ["п. 18"]


def test_word_changed_inside_article() -> None:
    old = (
        "Договор о добрососедстве\n"
        "Статья 4\nСтороны развивают сотрудничество в области образования.\n"
        "Статья 5.\nСтороны развивают сотрудничество в области культуры.\n"
        "1. Стороны поощряют обмены.\n"
        "Статья 6\nНастоящий Договор вступает в силу с даты обмена грамотами."
    )
    summary = summarize(old, old.replace("культуры", "науки"))
    assert summary.points_changed == ["Статья 5"]
    assert summary.paragraphs_changed == [5]
    summary = summarize(old, old.replace("поощряют", "поддерживают"))
    assert summary.points_changed == ["Статья 5, п. 1"]
    summary = summarize(old, old.replace("Статья 6\n", "").replace("Настоящий", "6. Настоящий"))
    assert summary.points_removed == ["Статья 6"] and summary.points_added == ["Статья 5, п. 6"]


def test_kazakh_and_english_articles() -> None:
    kk = "5-бап\nТараптар ынтымақтастықты дамытады.\n6 бап\nТараптар кеңеседі."
    summary = summarize(kk, kk.replace("кеңеседі", "келіседі"))
    assert summary.points_changed == ["6-бап"]
    assert summarize(kk, kk.replace("дамытады", "нығайтады")).points_changed == ["5-бап"]
    en = "Article 2\nThe Parties cooperate.\nArticle 3\nThe Parties shall consult each other."
    summary = summarize(en, en.replace("shall", "may"))
    assert summary.points_changed == ["Article 3"]
    assert summary.reasons[0] == "modal verb changed: shall → may"


def test_mid_text_reference_is_not_a_point() -> None:
    text = "1. Стороны развивают связи согласно п. 5 и Статья 3 Договора.\n2. Иное."
    summary = summarize(text, text.replace("связи", "контакты"))
    assert summary.points_changed == ["п. 1"]


def test_paragraph_numbers_in_a_long_text() -> None:
    _, sentences = _sentences()
    paragraphs = sentences[:30]
    old = "\n".join(paragraphs)
    edited = list(paragraphs)
    edited[16] = edited[16].replace(" и ", " и, более того, ", 1)
    edited.insert(21, "Новый абзац о сотрудничестве в сфере образования и науки.")
    del edited[4]
    summary = summarize(old, "\n".join(edited))
    assert summary.paragraphs_changed == [16]  # 17th of the old text, one removed above it
    assert summary.paragraphs_added == [21]
    assert summary.paragraphs_removed == [5]
    assert summary.points_changed == summary.points_added == []
    assert summary.significance == "moderate"
    assert "paragraph 21 added (9 words)" in summary.reasons


def test_whole_paragraph_removal_does_not_touch_its_neighbours() -> None:
    old = "Первый абзац о безопасности.\nВторой абзац о безопасности.\nТретий абзац."
    new = "Первый абзац о безопасности.\nТретий абзац."
    summary = summarize(old, new)
    assert summary.paragraphs_removed == [2] and summary.paragraphs_changed == []


def test_word_counts() -> None:
    old = "Стороны развивают торговлю."
    new = "Стороны активно развивают взаимную торговлю и инвестиции."
    summary = summarize(old, new)
    assert (summary.words_inserted, summary.words_deleted) == (4, 0)
    summary = summarize(new, old)
    assert (summary.words_inserted, summary.words_deleted) == (0, 4)
    assert summary.significance == "moderate"  # "и инвестиции" removed changes the text


def test_rewording_of_substance_is_moderate() -> None:
    old = "Стороны развивают торговлю."
    new = "Стороны совместно и последовательно наращивают взаимную торговлю товарами."
    summary = summarize(old, new)
    assert summary.significance == "moderate"
    assert summary.reasons[0].startswith("sentence reworded in paragraph 1")


def test_precomputed_ops_are_used_and_checked() -> None:
    old, new = "Стороны обязуются.", "Стороны стремятся."
    assert summarize(old, new, diff_words(old, new)) == summarize(old, new)
    with pytest.raises(ValueError):
        summarize(old, new, diff_words(old, "Другое."))


def test_as_dict_is_json_ready(points: dict[int, str]) -> None:
    old = _declaration(points)
    summary = summarize(old, old.replace("2013", "2014"))
    data = json.loads(json.dumps(summary.as_dict(), ensure_ascii=False))
    assert data["significance"] == "major"
    assert data["reasons"] == ["number changed: 2013 → 2014"]
    assert ChangeSummary(**data) == summary


def test_render_text_fits_max_chars(points: dict[int, str]) -> None:
    old = _declaration(points)
    changed = {n: text.replace(" и ", " или ") for n, text in points.items()}
    changed[43] = NEW_POINT
    summary = summarize(old, _declaration(changed).replace("2013", "2014").replace("42", "43"))
    full = summary.render_text()
    assert full.splitlines()[0].startswith("Major change: +")
    assert "Points: changed п. " in full and "• number changed" in full
    for limit in (4096, 300, 120, 60, 20, 1):
        text = summary.render_text(limit)
        assert len(text) <= limit
        assert text == full or text.endswith("more") or text.endswith("…")
    cut = summary.render_text(120)
    assert all(line in full.splitlines() for line in cut.splitlines()[:-1])
    with pytest.raises(ValueError):
        summary.render_text(0)
    assert len(summary.headline().splitlines()) == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Лагеря для пяти тысяч школьников.", "Лагеря для 5 тысяч школьников."),
        ("The roadmap is reviewed every two years.", "The roadmap is reviewed every 2 years."),
        ("Кеңес жылына екі рет өткізіледі.", "Кеңес жылына 2 рет өткізіледі."),
        ("Взнос 5 тысяч долларов.", "Взнос пять тысяч долларов."),
    ],
)
def test_a_number_written_in_figures_or_words_is_trivial(old: str, new: str) -> None:
    """The same value, written the other way: an editor's style, not a change."""
    s = summarize(old, new, diff_words(old, new))
    assert s.significance == "trivial"
    assert "number written in figures or words" in s.headline()


def test_a_number_in_words_changed_to_another_value_is_still_major() -> None:
    old = "Лагеря для пяти тысяч школьников."
    for new in ("Лагеря для 6 тысяч школьников.", "Лагеря для шести тысяч школьников."):
        s = summarize(old, new, diff_words(old, new))
        assert s.significance == "major"
        assert "amount changed" in s.headline()
