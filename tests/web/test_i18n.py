"""The interface's catalogues (monitor/web/locale, Babel) and the change summaries
in the reader's language (monitor/web/summaries.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from monitor.analysis.summary import ChangeSummary, summarize
from monitor.web import catalogues, summaries
from monitor.web.i18n import MESSAGES, phrases, translator

DATA = Path(__file__).resolve().parents[1] / "data"
# development edits only: the blind set is for measuring the analysis, not for this
EDITS = [DATA / "dev3" / "changes.yaml"]
TREATY = "\n".join(
    f"{n}. Стороны {'обязуются' if n % 2 else 'стремятся'} развивать сотрудничество в области {n}."
    for n in range(1, 13)
)


def _edits() -> list[tuple[str, str]]:
    pairs = []
    for path in EDITS:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            pairs.append((item["before"], item["after"]))
    # shapes the sets lack: many points, renumbering, paragraphs, cosmetic only
    more = TREATY.replace("7. ", "7. В 2026 году ").replace("области 9", "области 90")
    renumbered = TREATY.replace("3. Стороны", "3. Новый пункт.\n4. Стороны", 1)
    paragraphs = "Первый абзац текста.\n\nВторой абзац текста о поставках нефти.\n\nТретий."
    pairs += [
        (TREATY, TREATY.replace("обязуются", "должны").replace("области 1.", "области 11.")),
        (TREATY, more),
        (TREATY, renumbered),
        (paragraphs, paragraphs.replace("Второй абзац текста о поставках нефти.\n\n", "")),
        (paragraphs, paragraphs + "\n\nЧетвёртый абзац о новых поставках угля и газа."),
        ("«Соглашение» — 2025 год", '"Соглашение" - 2025 год'),
        ("Стороны сотрудничают.", "Стороны не сотрудничают."),
        ("Министр Токаев прибыл.", "Министр Тоакев прибыл."),
        (
            "5. Стороны развивают торговлю товарами и услугами на взаимовыгодной основе.",
            "5. Стороны совместно расширяют обмен продукцией и сервисами на равноправной основе.",
        ),
    ]
    return pairs


PAIRS = _edits()
SUMMARIES: list[ChangeSummary] = [summarize(old, new) for old, new in PAIRS]


def test_the_catalogues_hold_every_string_translated_and_compiled() -> None:
    assert catalogues.problems() == []


def test_every_template_key_is_a_message() -> None:
    templates = Path(catalogues.__file__).with_name("templates")
    used = set()
    for f in templates.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.]+[a-z])["']""", f.read_text(encoding="utf-8")))
    assert used and used - MESSAGES.keys() == set()


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_interface_strings_are_translated(lang: str) -> None:
    t = translator(lang)
    english = translator("en")
    assert t("nav.overview") != english("nav.overview")
    assert t("footer.tz", tz="Asia/Almaty").count("Asia/Almaty") == 1
    assert t("no.such.key") == "no.such.key"


def test_summaries_in_english_are_the_stored_text() -> None:
    """Composed again from the fields, the English headline and reasons are exactly
    what the analysis stored: the reading back misses nothing it writes."""
    same = phrases("en")
    reasons = {r for s in SUMMARIES for r in s.reasons}
    assert len(reasons) >= 40
    for s in SUMMARIES:
        assert summaries.headline(s.as_dict(), same, str) == s.headline()
        for r in s.reasons:
            assert summaries.reason(r, same) == r


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_no_summary_phrase_stays_english(lang: str) -> None:
    """Every reason and headline of Russian texts reads without an English word."""
    _ = phrases(lang)
    t = translator(lang)
    english = re.compile(r"\b(?:changed|added|removed|renumbered|words?|more|paragraphs?|fixed)\b")
    cyrillic_only = [
        s
        for s, (old, new) in zip(SUMMARIES, PAIRS, strict=True)
        if not re.search("[A-Za-z]", old + new)
    ]
    assert len(cyrillic_only) >= 20
    for s in cyrillic_only:
        line = summaries.headline(s.as_dict(), _, lambda x: t(f"significance.{x}"))
        assert not english.search(line), line
        for r in s.reasons:
            assert not english.search(summaries.reason(r, _)), r


def test_a_russian_headline_reads_as_russian() -> None:
    s = summarize("1. Срок действия 10 лет.\n2. Прочее.", "1. Срок действия 15 лет.\n2. Прочее.")
    t = translator("ru")
    line = summaries.headline(s.as_dict(), phrases("ru"), lambda x: t(f"significance.{x}"))
    assert line == "изменено: п. 1; слов: +1/−1; важное: изменено число (10 → 15)"
    assert s.headline() == "п. 1 changed; +1/−1 words; major: number changed (10 → 15)"
