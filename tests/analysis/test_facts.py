"""Numbers, dates and names compared across Russian, Kazakh and English."""

from __future__ import annotations

from monitor.analysis.facts import facts, missing, read, same_name

RU = (
    "5. Стороны проведут встречу 12 ноября 2025 года в Астане с участием "
    "Тимура Бекмамбетова и министра Лаврова. Международный форум ЕАЭС."
)
KK = (
    "5. Тараптар 2025 жылғы 12 қарашада Астанада Тимур Бекмамбетовтің және министр "
    "Лавровтың қатысуымен кездесу өткізеді. Халықаралық ЕАЭО форумы."
)
EN = (
    "5. The Parties will meet on 12 November 2025 in Astana with Timur Bekmambetov "
    "and minister Lavrov. International EAEU forum."
)


def _diff(a: str, b: str) -> tuple[list[str], list[str]]:
    ra, rb = read(a), read(b)
    return [f.text for f in missing(ra, rb)], [f.text for f in missing(rb, ra)]


def test_one_point_in_three_languages_has_the_same_facts() -> None:
    assert _diff(RU, KK) == ([], [])
    assert _diff(RU, EN) == ([], [])
    assert _diff(KK, EN) == ([], [])
    kinds = {(f.kind, f.key) for f in facts(KK)}
    assert ("date", "month:11") in kinds and ("name", "@astana") in kinds


def test_a_changed_month_day_city_or_name_is_reported_as_each_side_writes_it() -> None:
    assert _diff(RU, EN.replace("November", "October")) == (["ноября"], ["October"])
    assert _diff(RU, EN.replace("12 November", "13 November")) == (["12"], ["13"])
    assert _diff(RU, EN.replace("in Astana", "in Almaty")) == (["Астане"], ["Almaty"])
    assert _diff(KK, EN.replace("Lavrov", "Putin")) == (["Лавровтың"], ["Putin"])


def test_a_name_is_missing_only_where_the_other_text_could_have_written_it() -> None:
    # «Международный» is capitalised in Russian only: never a divergence
    swapped = EN.replace("Timur Bekmambetov", "Timur Smith")
    # Bekmambetov is named nowhere else in the English text, Smith nowhere in the
    # Russian one: this point alone cannot tell a swap from a paraphrase
    assert _diff(RU, swapped) == ([], [])
    # ... but when the English text names him elsewhere, his absence here counts
    whole_en = read(swapped + "\n6. Timur Bekmambetov will chair the forum.")
    ru, en = read(RU), read(swapped)
    assert [f.text for f in missing(ru, en, whole_en)] == ["Бекмамбетова"]


def test_names_match_across_scripts_and_case_endings() -> None:
    def key(word: str) -> str:
        [fact] = [f for f in facts(f"Встреча с {word} прошла.") if f.kind == "name"]
        return fact.key

    assert same_name(key("Бекмамбетовым"), key("Бекмамбетовтің"))
    assert same_name(key("Бекмамбетовым"), key("Bekmambetov"))
    assert same_name(key("Жанаозеном"), key("Жаңаөзен"))
    assert same_name(key("Шанхаем"), key("Shanghai"))
    assert not same_name(key("Стороной"), key("Strategic"))
    assert key("Ресеймен") == key("России") == key("Russia") == "@russia"


def test_currencies_and_sentence_openings_are_not_names() -> None:
    ru = "Товарооборот достигнет 30 млрд долларов США. Казахстанская сторона согласна."
    en = "Trade will reach 30 billion dollars. The Kazakh side agrees."
    assert _diff(ru, en) == ([], [])
    assert [f.text for f in facts("Стороны договорились.") if f.kind == "name"] == []


def test_a_month_counts_only_in_a_date() -> None:
    assert [f.kind for f in facts("Встреча пройдёт в Казани.")] == ["name"]  # the city
    kk = [f.key for f in facts("Шешім 1999 жылдың қазанында қабылданды.") if f.kind == "date"]
    assert kk == ["month:10"]
    # «в конце августа» and «тамыз айында» alike: no day, no year, no date
    assert [f for f in facts("Кездесу тамыз айында өтеді.") if f.kind == "date"] == []
    assert [f for f in facts("Встреча пройдёт в конце августа.") if f.kind == "date"] == []
    assert [f.key for f in facts("Он родился 22 июня 1941 года.") if f.kind == "date"] == [
        "month:6"
    ]
    assert [f.key for f in facts("May the Parties agree") if f.kind == "date"] == []
