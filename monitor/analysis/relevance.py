"""Decide whether a document from a broad feed concerns Russia–Kazakhstan relations.

Rules are `RelevanceRules` from the configuration: a document is relevant if one
`any` term matches, or if every `require_all` group matches at least one term, and
never if an `exclude` term matches. Terms are matched with morphology
(`monitor.morph.TermMatcher`), so the rules list dictionary forms, not every case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.config import RelevanceRules
from monitor.data import RELEVANCE_PATH, shipped
from monitor.morph import TermMatcher

DEFAULT_RULES_PATH = RELEVANCE_PATH
_RESERVED = ("any", "exclude")


@dataclass(frozen=True)
class Decision:
    """The verdict with the terms behind it, so a reviewer can see why."""

    relevant: bool
    # group -> configured terms found: each require_all group, "any" and "exclude"
    matched: dict[str, list[str]]
    reason: str


@dataclass(frozen=True)
class _Compiled:
    matcher: TermMatcher
    groups: dict[str, list[str]]  # require_all groups, then "any" and "exclude"


def default_rules() -> dict[str, Any]:
    """The shipped rules (monitor/data/relevance.yaml), for sources that set none."""
    return shipped(RELEVANCE_PATH)


def judge(text: str, rules: RelevanceRules | Mapping[str, Any]) -> Decision:
    """Judge one document; matchers are compiled once per distinct set of rules."""
    if not isinstance(rules, RelevanceRules):
        rules = RelevanceRules.model_validate(rules)
    compiled = _compile(rules.model_dump_json())
    found = compiled.matcher.find(text)
    matched = {
        group: [term for term in terms if term in found] for group, terms in compiled.groups.items()
    }

    def quote(terms: list[str]) -> str:
        return ", ".join(f"{term!r} ({found[term][0]!r})" for term in terms)

    if matched["exclude"]:
        return Decision(False, matched, f"excluded by {quote(matched['exclude'])}")
    if matched["any"]:
        return Decision(True, matched, f"found {quote(matched['any'])}")
    required = [group for group in compiled.groups if group not in _RESERVED]
    if not required and not compiled.groups["any"]:
        return Decision(False, matched, "no relevance terms are configured")
    missing = [group for group in required if not matched[group]]
    if required and not missing:
        evidence = "; ".join(f"{group}: {quote(matched[group])}" for group in required)
        return Decision(True, matched, f"every group matched ({evidence})")
    parts = ["no 'any' term"] if compiled.groups["any"] else []
    if missing:
        parts.append("nothing from " + ", ".join(missing))
    return Decision(False, matched, "; ".join(parts))


@lru_cache(maxsize=64)
def _compile(rules_json: str) -> _Compiled:
    rules = RelevanceRules.model_validate_json(rules_json)
    clash = [name for name in rules.require_all if name in _RESERVED]
    if clash:
        raise ValueError(f"require_all group names {clash} clash with 'any'/'exclude'")
    raw = {**rules.require_all, "any": rules.any, "exclude": rules.exclude}
    groups = {name: [t.strip() for t in terms if t.strip()] for name, terms in raw.items()}
    terms = [term for group_terms in groups.values() for term in group_terms]
    return _Compiled(TermMatcher(terms), groups)
