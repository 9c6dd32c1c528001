"""Decide whether a document from a broad feed concerns Russia–Kazakhstan relations.

Rules are `RelevanceRules` from the configuration: a document is relevant if one
`any` term matches, or if every `require_all` group matches at least one term
within one sentence, clause or list item (`within: sentence`, the default), and
never if an `exclude` term matches. Terms are matched with morphology
(`monitor.morph.TermMatcher`), so the rules list dictionary forms, not every case.

Why proximity: a news digest names Russia in one item and Kazakhstan in another,
a weather report names a Russian anticyclone and Kazakh frost; only a sentence
that names both sides says something about the two of them. Why `others`: the
same sentence listing the members of a summit ("Russia, China, India and
Kazakhstan") is about a multilateral event, not the bilateral relationship.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.config import RelevanceRules
from monitor.data import RELEVANCE_PATH, shipped
from monitor.morph import Match, TermMatcher, by_term

DEFAULT_RULES_PATH = RELEVANCE_PATH
_RESERVED = ("any", "exclude", "others", "multilateral", "cues")
_BULLETS = "•●▪■◦"
# Inside a sentence, these end a clause or a list item: digests run items together.
_CLAUSE = re.compile(rf"\s*(?:;|[{_BULLETS}]|\s[—–-]\s(?=[А-ЯЁӘҒҚҢӨҰҮҺІA-Z]))\s*")


@dataclass(frozen=True)
class Decision:
    """The verdict with the terms behind it, so a reviewer can see why."""

    relevant: bool
    # group -> configured terms found: each require_all group, "any" and "exclude"
    matched: dict[str, list[str]]
    reason: str


# "150 states, Russia and Kazakhstan among them": a count of three or more states
# in the clause makes it a vote or a ranking, whatever the words around it.
# A vote count ("adopted by 151 votes") says the same.
_MANY_STATES = re.compile(
    r"(?<![\d.,])(?:[3-9]|[1-9]\d{1,2})\s+(?:государств|стран|стране|странах|countries|states|"
    r"nations|мемлекет|ел(?:дің|ден|ге)?\b|votes?\b|голос\w*|дауыс)",
    re.IGNORECASE,
)
_BULLET = re.compile(f"[{_BULLETS}]")
# "40 km from the Kazakh border", "near the Russian border": a side named as where a
# place lies, not as a party.
_BORDER_PLACE_BEFORE = re.compile(
    r"(?:^|\W)(?:от|у|близ|вблизи|возле|near|from|off)\s+(?:the\s+)?$", re.I
)
_BORDER_AFTER = re.compile(r"\s+(?:границ|border|frontier)", re.I)


@dataclass(frozen=True)
class _Compiled:
    matcher: TermMatcher
    groups: dict[str, list[str]]  # require_all groups, then "any" and "exclude"
    # a side named in a comparison: text before it ends in a marker / after it starts with one
    compared_before: re.Pattern[str] | None
    compared_after: re.Pattern[str] | None
    others: frozenset[str]

    def compared(self, text: str, match: Match) -> bool:
        """Whether this match names a side that is only compared with ("like Russia"),
        or only says where a place lies ("40 km from the Kazakh border")."""
        lo = max(match.sentence.start, match.start - 60)
        hi = min(match.sentence.end, match.end + 60)
        before, after = text[lo : match.start], text[match.end : hi]
        if _BORDER_PLACE_BEFORE.search(before) and _BORDER_AFTER.match(after):
            return True
        return bool(
            (self.compared_before and self.compared_before.search(before))
            or (self.compared_after and self.compared_after.match(after))
        )


def default_rules() -> dict[str, Any]:
    """The shipped rules (monitor/data/relevance.yaml), for sources that set none."""
    return shipped(RELEVANCE_PATH)


def judge(text: str, rules: RelevanceRules | Mapping[str, Any]) -> Decision:
    """Judge one document; matchers are compiled once per distinct set of rules."""
    if not isinstance(rules, RelevanceRules):
        rules = RelevanceRules.model_validate(rules)
    compiled = _compile(rules.model_dump_json())
    matches = compiled.matcher.matches(text)  # once: the clause test reuses them
    found = by_term(matches)
    matched = {
        group: [term for term in terms if term in found] for group, terms in compiled.groups.items()
    }

    def quote(terms: list[str]) -> str:
        return ", ".join(f"{term!r} ({found[term][0]!r})" for term in terms)

    cues = matched.pop("cues", [])
    for group in ("others", "multilateral"):
        matched.pop(group, None)
    vetoed: list[Match] = []
    if matched["exclude"]:
        if len(_BULLET.findall(text)) < 2:
            return Decision(False, matched, f"excluded by {quote(matched['exclude'])}")
        # A digest: a sports or weather item vetoes itself, not its neighbours.
        vetoed = [m for m in matches if m.term in compiled.groups["exclude"]]
    if matched["any"]:
        return Decision(True, matched, f"found {quote(matched['any'])}")
    required = [group for group in compiled.groups if group not in _RESERVED]
    if not required and not compiled.groups["any"]:
        return Decision(False, matched, "no relevance terms are configured")
    missing = [group for group in required if not matched[group]]
    if required and not missing:
        evidence = "; ".join(f"{group}: {quote(matched[group])}" for group in required)
        if rules.within == "document":
            return Decision(True, matched, f"every group matched ({evidence})")
        if cues and not vetoed and _sides_apart_from_others(matches, compiled, required):
            why = f"every group matched ({evidence}), and a bilateral cue ({quote(cues)})"
            return Decision(True, matched, why)
        # In a text about a multilateral event, one more country makes a member list.
        after = 1 if any(t in found for t in compiled.groups["multilateral"]) else None
        together = _together(
            text, matches, compiled, required, after or rules.multilateral_after, vetoed
        )
        if together is not None:
            return Decision(True, matched, f"every group matched in one sentence: {together!r}")
        return Decision(
            False, matched, f"every group matched, but never in one sentence ({evidence})"
        )
    parts = ["no 'any' term"] if compiled.groups["any"] else []
    if missing:
        parts.append("nothing from " + ", ".join(missing))
    return Decision(False, matched, "; ".join(parts))


def _another_state(match: Match, compiled: _Compiled) -> bool:
    """A match of `others` that is a name as written: capitalised. Stems of names
    meet common words («Грузия» and «грузы», «Алиев» and Kazakh «алу»)."""
    return match.term in compiled.others and match.surface[:1].isupper()


def _sides_apart_from_others(
    matches: list[Match], compiled: _Compiled, required: list[str]
) -> bool:
    """Every side is named in a sentence that names no other country.

    Why: a cue such as "the two countries" speaks of the pair the text is about;
    in «Presidents of Kazakhstan and Uzbekistan ... the two countries' trade grew
    faster than their trade with Russia and China» that pair is not ours."""
    crowded = {m.sentence.start for m in matches if _another_state(m, compiled)}
    alone = {m.term for m in matches if m.sentence.start not in crowded}
    return all(any(t in alone for t in compiled.groups[g]) for g in required)


def _together(
    text: str,
    matches: list[Match],
    compiled: _Compiled,
    required: list[str],
    multilateral_after: int,
    vetoed: list[Match],
) -> str | None:
    """The first clause naming every required group as parties (not a multilateral
    list, not a comparison: "Kazakhstan's central bank, like Russia's before it").

    Works on the document's matches by position: a clause is a stretch of one
    sentence between separators (`_CLAUSE`), and a match counts for the clause
    that contains it."""
    sentences: dict[int, list[Match]] = {}
    for m in matches:
        sentences.setdefault(m.sentence.start, []).append(m)

    def names_all(terms: set[str]) -> bool:
        return all(any(t in terms for t in compiled.groups[g]) for g in required)

    for found in sentences.values():  # in text order
        sentence = found[0].sentence
        if not names_all({m.term for m in found}):
            continue
        cuts = [(c.start(), c.end()) for c in _CLAUSE.finditer(sentence.text)]
        starts = [0, *(end for _, end in cuts)]
        ends = [*(start for start, _ in cuts), len(sentence.text)]
        for a, b in zip(starts, ends, strict=True):
            lo, hi = sentence.start + a, sentence.start + b
            inside = [m for m in found if lo <= m.start and m.end <= hi]
            if any(lo <= m.start and m.end <= hi for m in vetoed):
                continue
            here = {m.term for m in inside}
            if not names_all(here):
                continue
            parties = {m.term for m in inside if not compiled.compared(text, m)}
            if not names_all(parties) or _MANY_STATES.search(sentence.text, a, b):
                continue
            states = {m.term for m in inside if _another_state(m, compiled)}
            if len(states) >= multilateral_after:
                continue
            if any(t in here for t in compiled.groups["multilateral"]):
                continue
            return sentence.text[a:b].strip()[:200]
    return None


@lru_cache(maxsize=64)
def _compile(rules_json: str) -> _Compiled:
    rules = RelevanceRules.model_validate_json(rules_json)
    clash = [name for name in rules.require_all if name in _RESERVED]
    if clash:
        raise ValueError(f"require_all group names {clash} clash with 'any'/'exclude'")
    raw = {
        **rules.require_all,
        "any": rules.any,
        "exclude": rules.exclude,
        "others": rules.others,
        "multilateral": rules.multilateral,
        "cues": rules.cues,
    }
    groups = {name: [t.strip() for t in terms if t.strip()] for name, terms in raw.items()}
    terms = [term for group_terms in groups.values() for term in group_terms]
    before = _markers(rules.comparisons, r"(?:^|[^\w])(?:{})[^\w]+(?:[\w-]+[^\w]+){{0,2}}$")
    after = _markers(rules.comparisons_after, r"[^\w]*(?:[\w-]+[^\w]+){{0,2}}(?:{})(?![\w])")
    return _Compiled(TermMatcher(terms), groups, before, after, frozenset(groups["others"]))


def _markers(words: list[str], shape: str) -> re.Pattern[str] | None:
    """One regex for comparison markers; spaces in a marker match any whitespace."""
    alternatives = [r"\s+".join(map(re.escape, w.split())) for w in words if w.strip()]
    if not alternatives:
        return None
    return re.compile(shape.format("|".join(sorted(alternatives, key=len, reverse=True))), re.I)
