"""Family links (monitor/analysis/families.py) on texts of the labelled dev set
(tests/data/families/dev, written for the project): copies, quotations only by
the press, translations by anchors and meaning, and near-misses kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from monitor.analysis import families
from monitor.analysis.families import Candidate, fingerprint, link

DOCS = Path(__file__).resolve().parents[1] / "data" / "families" / "dev" / "docs"


def text(doc: str) -> tuple[str, str]:
    title, body = (DOCS / f"{doc}.txt").read_text(encoding="utf-8").split("\n", 1)
    return title, body


def fp(doc: str) -> families.Fingerprint:
    title, body = text(doc)
    return fingerprint(body, title)


def stored(doc: str, document_id: int, official: bool = True) -> Candidate:
    return Candidate(document_id, fp(doc), official)


def test_a_copy_with_its_own_lead_is_a_copy() -> None:
    title, body = text("dv046")  # the Kremlin's joint statement
    copy = fingerprint("Опубликовано на сайте Акорды.\n\n" + body, title)
    found = link(copy, True, [stored("dv046", 1)])
    assert found is not None and found.relation == "copy" and found.document_id == 1
    assert found.score >= families.COPY


def test_two_memoranda_of_one_genre_and_year_do_not_merge() -> None:
    """dv012 and dv033: two different memoranda between the same two agencies,
    half their words in common (preamble, final provisions)."""
    assert link(fp("dv012"), True, [stored("dv033", 1)]) is None
    assert link(fp("dv012"), False, [stored("dv033", 1)]) is None  # nor as a quotation


def test_only_the_press_quotes_and_only_official_texts() -> None:
    quote = fp("dv050")  # TASS on the joint statement, quoting much of it
    found = link(quote, False, [stored("dv046", 1)])
    assert found is not None and found.relation == "quotation"
    assert found.reasons["quoted_share"] >= families.QUOTED
    assert link(quote, True, [stored("dv046", 1)]) is None  # an official site: not a quote
    assert link(quote, False, [stored("dv046", 1, official=False)]) is None


def test_translations_by_anchors_confirmed_by_meaning() -> None:
    english, russian = fp("dv035"), stored("dv046", 1)
    assert families.jaccard(english.anchor_sig, russian.print.anchor_sig) >= families.ANCHORS

    def same_meaning(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0  # unit vectors, cosine 1

    def other_meaning(texts: list[str]) -> np.ndarray:  # English one way, Russian another
        vectors = np.zeros((len(texts), 4), dtype=np.float32)
        for i, t in enumerate(texts):
            vectors[i, 0 if "Parties" in t else 1] = 1.0
        return vectors

    found = link(english, True, [russian], same_meaning)
    assert found is not None and found.relation == "translation"
    assert link(english, True, [russian], other_meaning) is None
    # without a model: treaty-like texts with nearly equal anchors only
    strict = link(english, True, [russian], None)
    assert strict is None or strict.reasons["anchors"] >= families.STRICT_ANCHORS


def test_a_text_with_few_numbers_gets_no_anchor_bands() -> None:
    few = fingerprint("Стороны обсудили сотрудничество. Встреча прошла в Москве в 2025 году.")
    assert {kind for kind, _, _ in few.lsh_keys()} == {"t"}
    many = fp("dv046")
    kinds = [kind for kind, _, _ in many.lsh_keys()]
    assert kinds.count("t") == kinds.count("a") == families.BANDS
    assert len({h for _, _, h in many.lsh_keys()}) == 2 * families.BANDS


def test_points_are_read_in_every_language() -> None:
    ru = families.point_texts("Статья 1. Общие положения.\nСтатья 2. Срок 10 дней.")
    kk = families.point_texts("1-бап. Жалпы ережелер.\n2-бап. Мерзімі 10 күн.")
    en = families.point_texts("Article 1. General.\nArticle 2. Within 10 days.")
    assert list(ru) == list(kk) == list(en) == ["1", "2"]
    assert "10" in ru["2"] and "10" in kk["2"] and "10" in en["2"]
    assert families.language_of("Тараптар келісімге қол қойды") == "kk"
    assert families.language_of("Стороны подписали соглашение") == "ru"
    assert families.language_of("The Parties signed") == "en"


def test_a_quote_seen_before_its_official_text_joins_it_when_it_comes() -> None:
    """TASS published first (dv050); the Kremlin's text comes later: the quote is
    named by quoted_by, so arrival order does not decide the family."""
    official = fp("dv046")
    media = Candidate(7, fp("dv050"), official=False)
    [quote] = families.quoted_by(official, True, [media])
    assert quote.document_id == 7 and quote.relation == "quotation"
    assert families.quoted_by(official, False, [media]) == []  # only official texts are quoted
    other = Candidate(8, fp("dv046"), official=False)  # a full copy is a copy, not a quote
    assert families.quoted_by(official, True, [other]) == []
