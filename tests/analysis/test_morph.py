"""Morphology-aware matching: inflections, compounds, phrases, false friends, Kazakh."""

from __future__ import annotations

import re

import pytest

from monitor.morph import TermMatcher, kazakh_stem, sentences
from monitor.simweb.corpus import commentary_text


def found(term: str, text: str) -> list[str]:
    return TermMatcher([term]).find(text).get(term, [])


@pytest.mark.parametrize(
    ("term", "forms"),
    [
        ("Россия", ["России", "Россией", "Россию", "РОССИЯ"]),
        ("российский", ["Российской", "российских", "российско"]),
        ("казахстанский", ["казахстанских", "Казахстанской"]),
        ("Казахстан", ["Казахстан", "Казахстана", "Казахстаном", "Казахстане"]),
        ("Токаев", ["Токаев", "Токаева", "Токаевым", "Токаеву"]),
        ("Астана", ["Астана", "Астане", "Астаны", "Астаной"]),
        ("Путин", ["Путина", "Путиным", "Путину"]),
        ("Кремль", ["Кремля", "Кремлем", "Кремлём"]),
        ("Ресей", ["Ресей", "Ресеймен", "Ресейдің", "ресейлік", "Ресейге", "Ресейде"]),
        ("Қазақстан", ["Қазақстан", "Қазақстанның", "Қазақстанға", "қазақстандық"]),
        ("Қазақстан", ["Қазақстанда", "Қазақстаннан", "Қазақстанмен", "Қазақстандағы"]),
        ("Мәскеу", ["Мәскеуде", "Мәскеуге", "Мәскеудің"]),
        ("Тоқаев", ["Тоқаевтың", "Тоқаевқа", "Тоқаевпен"]),
        ("Путин", ["Путинмен", "Путиннің"]),
        ("Kazakhstan", ["Kazakhstan", "Kazakhstan's", "Kazakhstan’s", "KAZAKHSTAN"]),
        ("Kazakh", ["Kazakh", "Kazakhs"]),
        ("Russia", ["Russia", "Russia's"]),
    ],
)
def test_inflected_forms_match(term: str, forms: list[str]) -> None:
    for form in forms:
        assert found(term, f"Сегодня {form} сообщил.") == [form], (term, form)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("энергия", "энергичный министр"),  # false friend: shares only a prefix
        ("энергия", "энергетика региона"),
        ("Казахстан", "казахский язык"),
        ("Казахстан", "саммит в Казани"),
        ("Россия", "русский язык"),
        ("Россия", "Российской Федерации"),  # the adjective is its own term
        ("Kazakhstan", "Kazakh tennis"),
        ("Қазақстан", "қазақ тілі"),
        ("Ресей", "орыс тілі"),
        ("Токаев", "сила тока"),
        ("союз", "надежный союзник"),
        ("договор", "договоренность"),
        ("energy", "energetic"),
    ],
)
def test_no_false_friends(term: str, text: str) -> None:
    assert found(term, text) == []


def test_wildcard_is_an_explicit_prefix() -> None:
    text = "энергичный министр говорил об энергии и энергетике"
    assert found("энерг*", text) == ["энергичный", "энергии", "энергетике"]
    assert found("энергия", text) == ["энергии"]


def test_hyphenated_compound_matches_parts_and_whole() -> None:
    text = "Развитие российско-казахстанских отношений."
    matcher = TermMatcher(["российский", "казахстанский", "российско-казахстанский", "Россия"])
    assert matcher.find(text) == {
        "российский": ["российско"],
        "казахстанский": ["казахстанских"],
        "российско-казахстанский": ["российско-казахстанских"],
    }


@pytest.mark.parametrize(
    "text", ["Russia-Kazakhstan ties", "Russia–Kazakhstan ties", "Russia — Kazakhstan ties"]
)
def test_dash_term_accepts_any_dash(text: str) -> None:
    assert found("Russia–Kazakhstan", text)


def test_wildcard_inside_a_phrase() -> None:
    assert found("энерг* мост", "энергетический мост") == ["энергетический мост"]
    assert found("Russia–Kazakh*", "Russia-Kazakhstan ties") == ["Russia-Kazakhstan"]


def test_dash_term_needs_the_dash() -> None:
    assert found("Russia–Kazakhstan", "Russia, Kazakhstan and Belarus") == []
    assert found("Қазақстан–Ресей", "Қазақстан–Ресей комиссиясы") == ["Қазақстан–Ресей"]


def test_multiword_terms_match_inflected_sequences() -> None:
    assert found(
        "Евразийский экономический союз", "в рамках Евразийского экономического союза"
    ) == ["Евразийского экономического союза"]
    assert found("strategic partnership", "Strategic partnerships matter") == [
        "Strategic partnerships"
    ]
    assert found("Евразийский экономический союз", "евразийский союз") == []
    assert found("strategic partnership", "strategic, partnership") == []
    # a phrase does not run across sentences
    assert found("strategic partnership", "It was strategic. Partnership came later.") == []


def test_kazakh_stemmer_keeps_a_minimal_stem() -> None:
    assert kazakh_stem("Ресейдің") == "ресей"
    assert kazakh_stem("ресейліктер") == "ресей"
    assert kazakh_stem("одақтастығы") == kazakh_stem("одақтастық") == "одақтас"
    assert kazakh_stem("Федерациясында") == kazakh_stem("Федерациясы") == "федерация"
    assert kazakh_stem("Өзбекстаннан") == "өзбекстан"  # -стан is not the ablative -тан
    assert kazakh_stem("елдер") == "елдер"  # «ел» would be below the minimal stem
    assert kazakh_stem("Астананы") == "астана"


def test_sentences_respect_abbreviations_and_lines() -> None:
    text = "В 2013 г. был подписан договор. В.В. Путин приехал! Итоги\nНовая строка? Да."
    assert [s.text for s in sentences(text)] == [
        "В 2013 г. был подписан договор.",
        "В.В. Путин приехал!",
        "Итоги",
        "Новая строка?",
        "Да.",
    ]
    for sentence in sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_matches_carry_offsets_and_sentences() -> None:
    text = "Погода хорошая. Токаев встретился с Путиным в Москве."
    matcher = TermMatcher(["Путин", "Москва", "энергия"])
    matches = matcher.matches(text)
    assert [(m.term, m.surface) for m in matches] == [("Путин", "Путиным"), ("Москва", "Москве")]
    assert all(text[m.start : m.end] == m.surface for m in matches)
    assert matches[0].sentence.text == "Токаев встретился с Путиным в Москве."
    by_sentence = matcher.by_sentence(text)
    assert [(s.text, found) for s, found in by_sentence] == [
        (matches[0].sentence.text, {"Путин": ["Путиным"], "Москва": ["Москве"]})
    ]
    assert matcher.terms == ["Путин", "Москва", "энергия"]


def test_empty_term_is_rejected_and_blank_ignored() -> None:
    assert TermMatcher(["", "  ", "Путин"]).terms == ["Путин"]
    with pytest.raises(ValueError):
        TermMatcher(["123"])


def test_fifty_kilobytes_in_well_under_a_second() -> None:
    sample = (
        "Президенты России и Казахстана обсудили в Астане энергетику, транзит нефти и "
        "цифровизацию. Қазақстан мен Ресей арасындағы сауда өсті. Russia's trade with "
        "Kazakhstan grew. "
    )
    text = (sample * (50_000 // len(sample) + 1))[:50_000]
    matcher = TermMatcher(["Россия", "Казахстан", "Ресей", "Kazakhstan", "энергия", "нефть"])
    result = matcher.find(text)  # its speed: bench/bench_text.py
    assert set(result) == {"Россия", "Казахстан", "Ресей", "Kazakhstan", "нефть"}


def test_stemming_is_safe_from_several_threads() -> None:
    """Workers run a writer thread per concurrent job; a shared snowball stemmer
    object mixed up their words (IndexError, wrong stems)."""
    import threading

    from monitor.morph import _EN, _RU

    words = ["сотрудничества", "энергетике", "Казахстаном", "производственной"] * 1500
    english = ["cooperation", "agreements", "nuclear", "railways"] * 1500
    expected = ([_RU.stemWord(w) for w in words], [_EN.stemWord(w) for w in english])
    results: list[object] = []

    def stem() -> None:
        try:
            got = ([_RU.stemWord(w) for w in words], [_EN.stemWord(w) for w in english])
            results.append(got == expected)
        except Exception as exc:  # the failure this guards against
            results.append(exc)

    threads = [threading.Thread(target=stem) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 8


def test_the_stemmers_are_snowball_in_c_and_agree_with_the_python_ones() -> None:
    """PyStemmer (a dependency) makes snowballstemmer 15x faster; a stem that differed
    from the pure-Python Snowball would silently change which texts match a term."""
    import snowballstemmer
    from snowballstemmer.english_stemmer import EnglishStemmer
    from snowballstemmer.russian_stemmer import RussianStemmer

    assert type(snowballstemmer.stemmer("russian")).__module__ == "Stemmer"
    text = commentary_text()
    words = {w.lower() for w in re.findall(r"[А-Яа-яЁё]+", text)}
    endings = ("", "а", "у", "ом", "ами", "ях", "ой", "ые")
    forms = sorted({w + e for w in sorted(words)[:3000] for e in endings})
    c_ru, py_ru = snowballstemmer.stemmer("russian"), RussianStemmer()
    assert [c_ru.stemWord(w) for w in forms] == [py_ru.stemWord(w) for w in forms]
    english = ["agreements", "cooperation", "transboundary", "railways", "shipping", "allied"]
    c_en, py_en = snowballstemmer.stemmer("english"), EnglishStemmer()
    assert [c_en.stemWord(w) for w in english] == [py_en.stemWord(w) for w in english]
