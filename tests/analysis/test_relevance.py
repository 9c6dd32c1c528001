"""Relevance judgement: rule semantics, shipped defaults, and quality on a labelled corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.analysis.relevance import _compile, default_rules, judge
from monitor.config import RelevanceRules

CORPUS = Path(__file__).resolve().parents[1] / "data" / "relevance_corpus.yaml"

RULES = RelevanceRules(
    require_all={"russia": ["Россия", "Ресей", "Russia"], "kazakhstan": ["Казахстан", "Astana"]},
    any=["российско-казахстанский"],
    exclude=["чемпионат"],
)


def test_every_group_must_match() -> None:
    decision = judge("Россия и Казахстан подписали договор.", RULES)
    assert decision.relevant
    assert decision.matched == {
        "russia": ["Россия"],
        "kazakhstan": ["Казахстан"],
        "any": [],
        "exclude": [],
    }
    assert "in one sentence: 'Россия и Казахстан подписали договор.'" in decision.reason

    decision = judge("Россия подписала договор с Китаем.", RULES)
    assert not decision.relevant
    assert decision.matched["russia"] == ["Россия"]
    assert "kazakhstan" in decision.reason


def test_one_any_term_suffices() -> None:
    decision = judge("Итоги российско-казахстанских переговоров.", RULES)
    assert decision.relevant
    assert decision.matched["any"] == ["российско-казахстанский"]
    assert "российско-казахстанских" in decision.reason


def test_exclude_vetoes_everything() -> None:
    decision = judge("Российско-казахстанский чемпионат по хоккею в России и Казахстане.", RULES)
    assert not decision.relevant
    assert decision.matched["exclude"] == ["чемпионат"]
    assert decision.reason.startswith("excluded by 'чемпионат'")


def test_no_rules_means_nothing_is_relevant() -> None:
    decision = judge("Россия и Казахстан.", RelevanceRules())
    assert not decision.relevant
    assert decision.reason == "no relevance terms are configured"


def test_rules_may_be_a_mapping_and_are_compiled_once() -> None:
    as_dict = RULES.model_dump()
    assert judge("Ресей мен Astana", as_dict).relevant
    _compile.cache_clear()
    judge("a", RULES)
    judge("b", RelevanceRules.model_validate(as_dict))
    assert _compile.cache_info().misses == 1


def test_group_names_must_not_clash() -> None:
    with pytest.raises(ValueError, match="clash"):
        judge("x", RelevanceRules(require_all={"any": ["Россия"]}))


def test_default_rules_are_valid_and_bilingual() -> None:
    rules = RelevanceRules.model_validate(default_rules())
    assert set(rules.require_all) == {"russia", "kazakhstan"}
    assert {"Ресей", "Russia", "Россия"} <= set(rules.require_all["russia"])
    assert {"Қазақстан", "Kazakhstan", "Казахстан"} <= set(rules.require_all["kazakhstan"])
    assert "русский" not in rules.require_all["russia"]


def load_corpus() -> list[dict[str, Any]]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["items"]


def test_corpus_is_balanced_and_well_formed() -> None:
    items = load_corpus()
    assert len(items) >= 90
    assert len({item["id"] for item in items}) == len(items)
    langs = Counter(item["lang"] for item in items)
    assert langs["ru"] >= 40 and langs["kk"] >= 25 and langs["en"] >= 20
    share = sum(item["relevant"] for item in items) / len(items)
    assert 0.4 <= share <= 0.6


def test_precision_and_recall_on_corpus() -> None:
    rules = RelevanceRules.model_validate(default_rules())
    counts: dict[str, Counter[str]] = {}
    errors: list[str] = []
    for item in load_corpus():
        decision = judge(item["text"], rules)
        outcome = ("t" if decision.relevant == item["relevant"] else "f") + (
            "p" if decision.relevant else "n"
        )
        for key in (item["lang"], "all"):
            counts.setdefault(key, Counter())[outcome] += 1
        if outcome[0] == "f":
            errors.append(f"wrong {item['id']} labelled {item['relevant']}: {decision.reason}")

    def scores(c: Counter[str]) -> tuple[float, float]:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        return precision, recall

    lines = [
        f"{lang:>3}: precision {scores(c)[0]:.3f} recall {scores(c)[1]:.3f} "
        f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']}, tn {c['tn']})"
        for lang, c in sorted(counts.items())
    ]
    report = "\n".join(["relevance on corpus:", *lines, *("  " + e for e in errors)])
    print(report)
    precision, recall = scores(counts["all"])
    assert precision >= 0.95 and recall >= 0.95, report


# --- proximity, regions, multilateral lists (monitor/data/relevance.yaml) -----------


def _shipped(text: str) -> bool:
    return judge(text, default_rules()).relevant


def test_a_digest_is_judged_item_by_item() -> None:
    digest = (
        "Коротко: в Казахстане подняли минимальную зарплату; "
        "в России утвердили правила техосмотра; в Египте нашли гробницу."
    )
    decision = judge(digest, default_rules())
    assert not decision.relevant
    assert "never in one sentence" in decision.reason
    assert _shipped(digest + " Россия и Казахстан подписали протокол о транзите.")


def test_two_border_regions_named_alone_are_relevant() -> None:
    assert _shipped(
        "Губернатор Омской области и аким Северо-Казахстанской области подписали план "
        "совместных мероприятий на следующий год."
    )
    assert _shipped("Orenburg and Aktobe regions set up a joint flood headquarters.")
    assert not _shipped("В Оренбургской области завершили ремонт дамб после паводка.")


def test_a_member_list_of_a_summit_is_not_bilateral() -> None:
    assert not _shipped(
        "Саммит ШОС завершился. В нём участвовали лидеры России, Китая, Индии и Казахстана."
    )
    assert _shipped(
        "Газпром и QazaqGaz договорились о транзите российского газа через Казахстан "
        "в Узбекистан и Кыргызстан."
    )


def test_a_bilateral_cue_lets_the_sides_be_named_in_different_sentences() -> None:
    text = (
        "В Астане открылся филиал МИФИ. Соглашение подписали министерства двух стран "
        "и госкорпорация «Росатом»."
    )
    assert _shipped(text)
    assert not _shipped(text.replace("двух стран", "образования"))


def test_a_side_named_in_a_comparison_is_not_a_party() -> None:
    """ "Like Russia", «в отличие от России», «Ресей сияқты»: the sentence is about one
    country and only compares it with the other."""
    assert not _shipped(
        "Министерство финансов Казахстана, как прежде и Минфин России, сократило выпуск "
        "облигаций до конца года."
    )
    assert not _shipped("В отличие от России, в Казахстане налог на роскошь отменят с января.")
    assert not _shipped("Unemployment in Kazakhstan fell to 4.6%, below Russia's level.")
    assert not _shipped("Қазақстан үкіметі, Ресей сияқты, бензин бағасын шектеді.")
    # the same sentence without the comparison is a statement about both
    assert _shipped("Министерство финансов Казахстана и Минфин России подписали меморандум.")


def test_a_count_of_many_states_is_a_vote_not_a_pair() -> None:
    text = "Конвенцию подписали 42 государства, в том числе Россия и Казахстан."
    assert not _shipped(text)
    assert _shipped("Конвенцию подписали два государства — Россия и Казахстан.")


def test_the_other_side_as_a_party_lets_the_sides_be_named_apart() -> None:
    """«с казахстанской стороной», "the Kazakh side": one party negotiating with the other."""
    text = (
        "Российская энергокомпания выиграла тендер на проект новой ТЭЦ. Контракт с "
        "казахстанской стороной рассчитан на десять лет."
    )
    assert _shipped(text)
    assert not _shipped(text.replace("с казахстанской стороной", "с заказчиком"))


def test_a_common_word_is_not_taken_for_a_city() -> None:
    """«семей» (families) is not Semey, «курган» (a mound) is not Kurgan."""
    assert not _shipped("В Оренбургской области жильё получили 300 семей, пострадавших от паводка.")
    assert not _shipped("Под Оренбургом археологи раскопали сарматский курган.")


def test_a_cue_speaks_of_the_pair_the_text_is_about() -> None:
    """«the two countries» of a Kazakhstan–Uzbekistan story is not a Russia–Kazakhstan
    cue, even when Russia is named elsewhere, beside another state."""
    text = (
        "Президенты Казахстана и Узбекистана открыли центр кооперации на границе. "
        "Товарооборот двух стран растёт быстрее, чем их торговля с Россией и Китаем."
    )
    assert not _shipped(text)
    assert _shipped(
        "Президент Казахстана прилетел в Москву. Лидеры двух стран подписали договор; "
        "накануне Узбекистан и Кыргызстан подписали свой."
    )


def test_a_vote_count_makes_a_member_list() -> None:
    text = (
        "The General Assembly adopted the resolution by 151 votes to none. Supporters "
        "included Kazakhstan, Russia, Germany, Nigeria and Chile."
    )
    assert not _shipped(text)
    assert not _shipped("Резолюцию поддержали 151 голосом, среди них Россия и Казахстан.")


def test_a_border_named_as_a_place_is_not_a_party() -> None:
    """A plant "40 km from the Kazakh border" is a Russian story."""
    assert not _shipped(
        "Магнитогорский комбинат, расположенный в 40 км от казахстанской границы, "
        "запустил новую коксовую батарею."
    )
    assert not _shipped(
        "The governor said the plant, a short drive from the Kazakh border, would supply "
        "local builders."
    )
    assert _shipped("Магнитогорский комбинат увеличит закупки руды у казахстанской компании.")


def test_a_lower_case_word_is_not_taken_for_another_state() -> None:
    """«грузы» stem like «Грузия», Kazakh «алу» like «Алиев»: only a capitalised name
    counts as another state, so a bilateral cue is not lost to a common word."""
    text = (
        "На Байқоңыр ғарыш айлағында үкіметаралық комиссияның отырысы өтті. Тараптар "
        "нысандарды Қазақстанға беру және жалға алу шарттарын талқылады."
    )
    assert _shipped(text)
    assert _shipped(
        "Межправкомиссия обсудила перевозки грузов. Российская сторона предложила "
        "Казахстану новый тариф."
    )


def test_bypassing_and_whereas_compare_rather_than_pair() -> None:
    assert not _shipped(
        "Қазақстан, Әзербайжан және Грузия бұл дәлізді Ресейді айналып өтетін бағыт "
        "ретінде дамытып келеді."
    )
    assert not _shipped(
        "Экономика Казахстана вырастет на 4,8%, тогда как российская прибавит около 1%."
    )
    assert not _shipped("Казахстан везёт нефть в Европу в обход России.")


def test_an_excluded_item_of_a_digest_vetoes_only_itself() -> None:
    """A digest's volleyball and weather items do not silence its bilateral item."""
    digest = (
        "Главное к этому часу: • В Санкт-Петербурге открылся форум. • Министры транспорта "
        "России и Казахстана договорились ускорить строительство вторых путей. • В Атырау "
        "стартовал турнир по волейболу. • Синоптики обещают мокрый снег."
    )
    assert _shipped(digest)
    assert not _shipped(digest.replace("России и Казахстана", "Казахстана"))
    # outside a digest the veto stays whole
    assert not _shipped("Министры России и Казахстана открыли турнир по волейболу.")


def test_a_region_bordering_the_other_side_is_not_a_party() -> None:
    assert not _shipped(
        "В районе Омской области, граничащем с Казахстаном, отремонтировали 40 км дорог."
    )


def test_market_quotes_are_not_relations() -> None:
    assert not _shipped(
        "Нефть дорожает: Brent торгуется по 74 доллара. Дисконт российской Urals сузился, "
        "казахстанская смесь котируется с небольшим дисконтом."
    )
