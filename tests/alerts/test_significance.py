"""Significance a reader would agree with, and what the default subscription does with it.

Each case is a realistic edit of a treaty or news sentence in Russian, Kazakh or
English: a typo fixed is trivial, renumbered points are minor and reported as such,
number words are numbers, a capitalised word at a sentence start is not a name; a
number, a date, a clause, a modal verb or a negation changed is a real change. The
alert decision comes from the real filter (`monitor.alerts.build.matches`) applied to
a subscription with default filters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.alerts.build import matches
from monitor.analysis.summary import ChangeSummary, summarize
from monitor.config import Source, Subscription
from monitor.config.alerts import Filters, WebhookChannel

DEFAULT = Subscription(
    name="default", channel=WebhookChannel(type="webhook", url="https://example.org/hook")
)
SOURCE = Source(id="akorda", name="Акорда", kind="official", country="KZ")


@dataclass(frozen=True)
class Case:
    id: str
    old: str
    new: str
    significance: str
    reason: str  # the start of one of the reasons
    alerts: bool  # under the default subscription


def _points(items: list[str], label: str = "{n}.", numbers: list[int] | None = None) -> str:
    """A declaration: a title line, then one numbered point a line."""
    numbers = numbers or list(range(1, len(items) + 1))
    lines = [f"{label.format(n=n)} {text}" for n, text in zip(numbers, items, strict=True)]
    return "\n".join(["Совместное заявление", *lines])


def _articles(items: list[str], label: str, numbers: list[int] | None = None) -> str:
    """A treaty: a title line, then headed articles, their text on the next line."""
    numbers = numbers or list(range(1, len(items) + 1))
    lines = [f"{label.format(n=n)}\n{text}" for n, text in zip(numbers, items, strict=True)]
    return "\n".join(["Договор", *lines])


WRONG = [1, 2, 3, 3, 4, 5, 6, 7]  # a number used twice, and every later one off by one


RU_POINTS = [
    "Стороны развивают торговлю и взаимные инвестиции.",
    "Стороны сотрудничают в сфере мирного использования атомной энергии.",
    "Стороны поддерживают культурные и гуманитарные обмены.",
    "Стороны содействуют развитию туризма.",
    "Стороны развивают транспортные коридоры Север — Юг.",
    "Стороны укрепляют безопасность общей границы.",
    "Стороны проводят консультации министров иностранных дел ежегодно.",
    "Стороны поощряют молодёжные и студенческие обмены.",
]
NEW_POINT = "Стороны создают совместную рабочую группу по цифровой трансформации."
KK_ARTICLES = [
    "Тараптар сауда-экономикалық ынтымақтастықты дамытады.",
    "Тараптар көлік дәліздерін бірлесіп дамытады.",
    "Тараптар мәдени алмасуды қолдайды.",
    "Тараптар шекара қауіпсіздігін нығайтады.",
]
EN_ARTICLES = [
    "The Parties shall develop trade and investment.",
    "The Parties shall cooperate in the peaceful use of nuclear energy.",
    "The Parties shall support cultural and humanitarian exchanges.",
    "The Parties shall promote tourism between their regions.",
]
NEW_ARTICLE = "The Parties shall establish a joint working group on digital matters."

CASES = [
    # --- typos: trivial, and never an alert
    Case(
        "ru-name-typo",
        "Президент Казахстана Касым-Жомарт Токаеав провёл переговоры в Москве.",
        "Президент Казахстана Касым-Жомарт Токаев провёл переговоры в Москве.",
        "trivial",
        "typo fixed: Токаеав → Токаев",
        False,
    ),
    Case(
        "ru-word-typo",
        "Стороны развивают сотрудничесво в области энергетики.",
        "Стороны развивают сотрудничество в области энергетики.",
        "trivial",
        "typo fixed: сотрудничесво → сотрудничество",
        False,
    ),
    Case(
        "ru-two-typos",
        "Стороны подтвердили приверженость принципам добрососедства и взаимного уважния.",
        "Стороны подтвердили приверженность принципам добрососедства и взаимного уважения.",
        "trivial",
        "typo fixed: приверженость → приверженность, уважния → уважения",
        False,
    ),
    Case(
        "ru-latin-letter",
        "Cтороны обменялись ратификационными грамотами.",  # a Latin C
        "Стороны обменялись ратификационными грамотами.",
        "trivial",
        "typo fixed",
        False,
    ),
    Case(
        "en-typo",
        "The Parties shall cooperate in the field of enviromental protection.",
        "The Parties shall cooperate in the field of environmental protection.",
        "trivial",
        "typo fixed: enviromental → environmental",
        False,
    ),
    Case(
        "en-misspelt-modal",
        "The Parties shal consult each other on matters of mutual interest.",
        "The Parties shall consult each other on matters of mutual interest.",
        "trivial",
        "typo fixed: shal → shall",
        False,
    ),
    Case(
        "kk-typo",
        "Тараптар экономикалық ынтымақтасықты дамытады.",
        "Тараптар экономикалық ынтымақтастықты дамытады.",
        "trivial",
        "typo fixed: ынтымақтасықты → ынтымақтастықты",
        False,
    ),
    Case(
        "kk-missing-diacritic",
        "Казақстан Республикасы мен Ресей Федерациясы келісімге қол қойды.",
        "Қазақстан Республикасы мен Ресей Федерациясы келісімге қол қойды.",
        "trivial",
        "typo fixed: Казақстан → Қазақстан",
        False,
    ),
    Case(
        "ru-misspelt-month",
        "Декларация подписана 12 нобря 2025 года в Москве.",
        "Декларация подписана 12 ноября 2025 года в Москве.",
        "trivial",
        "typo fixed: нобря → ноября",
        False,
    ),
    Case(
        "typo-plus-number",
        "Президент Токаеав подписал указ сроком на 5 лет.",
        "Президент Токаев подписал указ сроком на 7 лет.",
        "major",
        "number changed: 5 → 7",
        True,
    ),
    # --- capitalised words at a sentence start
    Case(
        "ru-capitalised-at-start",
        "стороны договорились о создании рабочей группы.",
        "Стороны договорились о создании рабочей группы.",
        "trivial",
        "capitalisation changed: стороны → Стороны",
        False,
    ),
    Case(
        "ru-sentence-start-is-not-a-name",
        "Стороны договорились о создании рабочей группы. Каждая из Сторон назначает "
        "своего представителя.",
        "Участники договорились о создании рабочей группы. Каждая из Сторон назначает "
        "своего представителя.",
        # not "name changed" (major), but a word swapped for another still alerts
        "moderate",
        "wording changed: «Стороны» → «Участники»",
        True,
    ),
    Case(
        "ru-known-name-at-start",
        "Токаев провёл переговоры в Кремле. Встреча с Токаевым продлилась три часа.",
        "Назарбаев провёл переговоры в Кремле. Встреча с Токаевым продлилась три часа.",
        "major",
        "name changed: Токаев → Назарбаев",
        True,
    ),
    Case(
        "ru-name-mid-sentence",
        "Переговоры в Астане провёл Президент Токаев.",
        "Переговоры в Астане провёл Президент Назарбаев.",
        "major",
        "name changed: Токаев → Назарбаев",
        True,
    ),
    # --- a word in another grammatical form
    Case(
        "ru-case-ending",
        "Стороны придают особое значение развитию сотрудничества в энергетике.",
        "Стороны придают особое значение развитию сотрудничеству в энергетике.",
        "minor",
        "word form changed: сотрудничества → сотрудничеству",
        False,
    ),
    # --- numbers, in digits and in words
    Case(
        "ru-number-words",
        "Соглашение заключается сроком на пять лет.",
        "Соглашение заключается сроком на десять лет.",
        "major",
        "number changed: пять → десять",
        True,
    ),
    Case(
        "ru-compound-number-words",
        "Ответ направляется в течение двадцати пяти дней.",
        "Ответ направляется в течение сорока двух дней.",
        "major",
        "number changed: двадцати пяти → сорока двух",
        True,
    ),
    Case(
        "ru-same-number-in-figures",
        "Ответ направляется в течение пяти рабочих дней.",
        "Ответ направляется в течение 5 рабочих дней.",
        "trivial",  # the same value: a matter of style, like a capital letter
        "number written in figures or words: пяти → 5",
        False,
    ),
    Case(
        "ru-amount-in-words",
        "Объём инвестиций составит два миллиарда долларов.",
        "Объём инвестиций составит три миллиарда долларов.",
        "major",
        "amount changed: два миллиарда долларов → три миллиарда долларов",
        True,
    ),
    Case(
        "kk-number-words",
        "Келісім бес жыл мерзімге жасалады.",
        "Келісім он жыл мерзімге жасалады.",
        "major",
        "number changed: бес → он",
        True,
    ),
    Case(
        "kk-compound-number-words",
        "Жоба жиырма бес ай ішінде іске асырылады.",
        "Жоба отыз ай ішінде іске асырылады.",
        "major",
        "number changed: жиырма бес → отыз",
        True,
    ),
    Case(
        "en-number-words",
        "This Agreement shall remain in force for five years.",
        "This Agreement shall remain in force for twenty-five years.",
        "major",
        "number changed: five → twenty-five",
        True,
    ),
    Case(
        "en-amount-in-words",
        "The Bank shall provide a loan of two billion dollars.",
        "The Bank shall provide a loan of three billion dollars.",
        "major",
        "amount changed: two billion dollars → three billion dollars",
        True,
    ),
    Case(
        "ru-year-one-digit",
        "Программа сотрудничества рассчитана до 2025 года.",
        "Программа сотрудничества рассчитана до 2026 года.",
        "major",
        "number changed: 2025 → 2026",
        True,
    ),
    Case(
        "ru-date",
        "Декларация подписана 12 ноября 2025 года в Москве.",
        "Декларация подписана 15 ноября 2025 года в Москве.",
        "major",
        "date changed: 12 ноября 2025 года → 15 ноября 2025 года",
        True,
    ),
    Case(
        "ru-month",
        "Очередное заседание межправительственной комиссии состоится в мае.",
        "Очередное заседание межправительственной комиссии состоится в марте.",
        "major",
        "date changed: мае → марте",
        True,
    ),
    # --- modal verbs and negations
    Case(
        "ru-modal",
        "Стороны обязуются развивать сотрудничество в сфере мирного атома.",
        "Стороны стремятся развивать сотрудничество в сфере мирного атома.",
        "major",
        "modal verb changed: обязуются → стремятся",
        True,
    ),
    Case(
        "en-modal",
        "Each Party shall notify the other Party of any changes.",
        "Each Party may notify the other Party of any changes.",
        "major",
        "modal verb changed: shall → may",
        True,
    ),
    Case(
        "kk-modal",
        "Тараптар ақпарат алмасуға міндеттенеді.",
        "Тараптар ақпарат алмасуға ұмтылады.",
        "major",
        "modal verb changed",
        True,
    ),
    Case(
        "ru-negation-word",
        "Стороны вмешиваются во внутренние дела друг друга.",
        "Стороны не вмешиваются во внутренние дела друг друга.",
        "major",
        "negation added: не вмешиваются",
        True,
    ),
    Case(
        "ru-negation-prefix",
        "Такие действия являются допустимыми в соответствии с настоящим Договором.",
        "Такие действия являются недопустимыми в соответствии с настоящим Договором.",
        "major",
        "negation added: недопустимыми",
        True,
    ),
    Case(
        "en-negation-removed",
        "The Parties shall not disclose information received from the other Party.",
        "The Parties shall disclose information received from the other Party.",
        "major",
        "negation removed: not disclose",
        True,
    ),
    Case(
        "en-negation-prefix",
        "Such transfers shall be considered lawful.",
        "Such transfers shall be considered unlawful.",
        "major",
        "negation added: unlawful",
        True,
    ),
    Case(
        "kk-negation-suffix",
        "Тараптар алынған ақпаратты үшінші тарапқа береді.",
        "Тараптар алынған ақпаратты үшінші тарапқа бермейді.",
        "major",
        "negation added: бермейді",
        True,
    ),
    # --- clauses inserted and deleted
    Case(
        "ru-clause-inserted",
        "Стороны развивают сотрудничество в области энергетики.",
        "Стороны развивают сотрудничество в области энергетики с учетом национального "
        "законодательства.",
        "moderate",
        "clause inserted: «с учетом национального законодательства»",
        True,
    ),
    Case(
        "en-clause-deleted",
        "The Parties shall cooperate in the energy sector, subject to their national legislation.",
        "The Parties shall cooperate in the energy sector.",
        "moderate",
        "clause deleted: «subject to their national legislation»",
        True,
    ),
    Case(
        "kk-clause-inserted",
        "Тараптар сауда-экономикалық байланыстарды дамытады.",
        "Тараптар ұлттық заңнамаға сәйкес сауда-экономикалық байланыстарды дамытады.",
        "moderate",
        "clause inserted: «ұлттық заңнамаға сәйкес»",
        True,
    ),
    # --- renumbered points
    Case(
        "ru-point-inserted-and-renumbered",
        _points(RU_POINTS),
        _points([*RU_POINTS[:3], NEW_POINT, *RU_POINTS[3:]]),
        "major",
        "п. 4 added",
        True,
    ),
    Case(
        "ru-duplicate-number-fixed",
        _points(RU_POINTS, numbers=WRONG),
        _points(RU_POINTS),
        "minor",
        "points renumbered: п. 3–7 → п. 4–8",
        False,
    ),
    Case(
        "ru-p-label-renumbered",
        _points(RU_POINTS, "п. {n}", [1, 2, 3, 4, 5, 5, 6, 7]),
        _points(RU_POINTS, "п. {n}"),
        "minor",
        "points renumbered: п. 5–7 → п. 6–8",
        False,
    ),
    Case(
        "ru-point-removed-and-renumbered",
        _points(RU_POINTS),
        _points([*RU_POINTS[:1], *RU_POINTS[2:]]),
        "major",
        "п. 2 removed",
        True,
    ),
    Case(
        "ru-article-inserted-and-renumbered",
        _articles(RU_POINTS[:4], "Статья {n}"),
        _articles([RU_POINTS[0], NEW_POINT, *RU_POINTS[1:4]], "Статья {n}"),
        "major",
        "Статья 2 added",
        True,
    ),
    Case(
        "kk-articles-renumbered",
        _articles(KK_ARTICLES, "{n}-бап", [1, 2, 2, 3]),
        _articles(KK_ARTICLES, "{n}-бап"),
        "minor",
        "points renumbered: 2–3-бап → 3–4-бап",
        False,
    ),
    Case(
        "en-article-inserted-and-renumbered",
        _articles(EN_ARTICLES, "Article {n}"),
        _articles([EN_ARTICLES[0], NEW_ARTICLE, *EN_ARTICLES[1:]], "Article {n}"),
        "major",
        "Article 2 added",
        True,
    ),
]


def test_the_default_threshold_is_moderate() -> None:
    """Typos, word forms and renumbering (trivial/minor) must stay out of the default
    subscription; every real change is at least moderate."""
    assert Filters().min_significance == "moderate"


def _alerts(summary: ChangeSummary) -> bool:
    return matches(
        DEFAULT,
        event="changed",
        source=SOURCE,
        themes=[],
        significance=summary.significance,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_significance_and_reason(case: Case) -> None:
    summary = summarize(case.old, case.new)
    assert summary.significance == case.significance, summary.reasons
    assert any(r.startswith(case.reason) for r in summary.reasons), summary.reasons
    assert not summary.cosmetic


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_default_subscription(case: Case) -> None:
    assert _alerts(summarize(case.old, case.new)) is case.alerts


def test_renumbered_points_with_one_inserted_point() -> None:
    """Both the real insertion and the renumbering are reported, neither as the other."""
    old = _points(RU_POINTS)
    summary = summarize(old, _points([*RU_POINTS[:3], NEW_POINT, *RU_POINTS[3:]]))
    assert summary.significance == "major"
    assert summary.points_added == ["п. 4"]
    assert summary.points_renumbered == ["п. 4–8 → п. 5–9"]
    assert summary.points_removed == summary.points_changed == []
    assert summary.reasons[0] == "п. 4 added"
    assert "points renumbered: п. 4–8 → п. 5–9" in summary.reasons
    assert summary.paragraphs_added == [5] and summary.paragraphs_changed == []
    assert (summary.words_inserted, summary.words_deleted) == (
        9,
        0,
    )  # «4» → «5» and so on are not words
    assert summary.headline().startswith("п. 4 added, п. 4–8 → п. 5–9 renumbered; +9/−0")
    assert _alerts(summary)


def test_renumbering_alone_is_minor_and_only_renumbering() -> None:
    summary = summarize(_points(RU_POINTS, numbers=WRONG), _points(RU_POINTS))
    assert (summary.significance, summary.reasons) == (
        "minor",
        ["points renumbered: п. 3–7 → п. 4–8"],
    )
    assert summary.points_added == summary.points_removed == summary.points_changed == []
    assert summary.paragraphs_changed == [] and summary.words_inserted == 0
    assert "Points: renumbered п. 3–7 → п. 4–8" in summary.render_text()


def test_typo_fixed_next_to_a_renumbering_stays_out_of_the_way() -> None:
    """A typo fixed in the first shifted point: the point is still paired by its text."""
    old = _points(RU_POINTS).replace("развитию туризма", "развитию туризмма")
    summary = summarize(old, _points([*RU_POINTS[:3], NEW_POINT, *RU_POINTS[3:]]))
    assert summary.points_added == ["п. 4"]
    assert summary.points_renumbered == ["п. 4–8 → п. 5–9"]
    assert summary.points_changed == ["п. 5"]
    assert "typo fixed: туризмма → туризма" in summary.reasons


def test_article_renumbering_carries_its_items() -> None:
    """Items follow their article: «Статья 5, п. 1» becoming «Статья 6, п. 1» is not news."""
    old = "Договор\nСтатья 1\nОбщие положения.\nСтатья 2\n1. Стороны торгуют.\n2. Иное."
    new = (
        "Договор\nСтатья 1\nОбщие положения.\nСтатья 2\nСтороны развивают энергетику.\n"
        "Статья 3\n1. Стороны торгуют.\n2. Иное."
    )
    summary = summarize(old, new)
    assert summary.points_added == ["Статья 2"]
    assert summary.points_renumbered == ["Статья 2 → Статья 3"]
    assert summary.points_changed == summary.points_removed == []


def test_several_typos_and_cosmetics_stay_trivial() -> None:
    old = "Стороны  подтвердили приверженость принципам «добрососедства» и уважния."
    new = 'Стороны подтвердили приверженность принципам "добрососедства" и уважения.'
    summary = summarize(old, new)
    assert summary.significance == "trivial" and not summary.cosmetic
    assert summary.reasons[0].startswith("typo fixed: ")
    assert summary.reasons[-1].startswith("also cosmetic: ")
    assert not _alerts(summary)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Стороны развивают экспорт зерна.", "Стороны развивают импорт зерна."),
        ("Стороны сохраняют рост товарооборота.", "Стороны сохраняют пост товарооборота."),
        ("Стороны ограничивают ввоз товаров.", "Стороны ограничивают вывоз товаров."),
        ("The parties agreed on the line.", "The parties agreed on the lime."),
    ],
)
def test_different_words_are_not_typos(old: str, new: str) -> None:
    """Short words, a changed prefix and whole-word swaps are edits, not slips: they
    change what the text says, so they alert by default."""
    summary = summarize(old, new)
    assert summary.significance == "moderate"
    assert _alerts(summary)
    assert summary.reasons[0].startswith("wording changed")
