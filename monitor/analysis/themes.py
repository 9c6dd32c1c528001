"""Tag texts and changes with themes (energy, space, migration...) so users can subscribe.

The shipped taxonomy (monitor/data/themes.yaml) follows the sections of the 2025
Declaration. A theme is a `ThemeSpec`: weighted terms in ru/kk/en, matched with
morphology (`monitor.morph`), and `exclude` phrases whose words must not count (a
term match that overlaps an exclude match of the same theme is dropped, so
"информационная безопасность" does not feed politics-security).

Scoring: a theme's score is the sum of the weights of the distinct terms found; a
term counts once however often it repeats, so a long text does not win by
repetition, and a stretch of text counts once, under its heaviest term. A text
gets the themes whose score reaches their threshold.

A change is scored on the changed sentences only: the sentences of the new text
that overlap inserted words and those of the old text that overlap deleted words
(offsets rebuilt from the ops; words both sides of a hunk share, and changes of
spacing or punctuation alone, do not count). A
changed sentence is short, so one strong term must be enough there: the threshold
for changes is `min(threshold, STRONG_WEIGHT)`, i.e. one term of weight >= 2
suffices, while a single generic term (weight 1) still does not. The shipped
themes use threshold 2, tuned on paragraphs, so for them the two thresholds
coincide; a theme configured stricter for whole texts stays lenient for changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from monitor.config.alerts import ThemeSpec
from monitor.data import THEMES_PATH, shipped, shipped_theme_ids
from monitor.morph import Match, Sentence, TermMatcher, sentences

DEFAULT_THEMES_PATH = THEMES_PATH
STRONG_WEIGHT = 2.0  # a single term this heavy tags a change on its own
MAX_SENTENCES = 5  # quoted per theme: enough to judge, short enough for an alert
MAX_SENTENCE_CHARS = 300
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class ThemeHit:
    """One theme found in a text, with the evidence a reader needs to trust it."""

    theme: str
    score: float
    terms: list[str]  # configured terms that counted, heaviest first
    sentences: list[str]  # where they were found, trimmed, in text order
    side: str | None = None  # for changes: "inserted", "deleted" or "both"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (webhooks, the store)."""
        return asdict(self)


@dataclass
class _Evidence:
    """What one theme collected: term -> weight, sentence -> (score, first offset)."""

    terms: dict[str, float] = field(default_factory=dict)
    sentences: dict[tuple[str, int], tuple[float, int]] = field(default_factory=dict)
    sides: set[str] = field(default_factory=set)

    @property
    def score(self) -> float:
        return sum(self.terms.values())


class Taxonomy:
    """Compiled themes: one matcher for every term and exclude of every theme."""

    def __init__(self, themes: Mapping[str, ThemeSpec]) -> None:
        self.themes = dict(themes)
        self._weights: dict[str, list[tuple[str, float]]] = {}  # term -> (theme, weight)
        self._excludes: dict[str, set[str]] = {}  # exclude phrase -> themes
        for theme_id, spec in self.themes.items():
            for term, weight in spec.terms.items():
                self._weights.setdefault(term.strip(), []).append((theme_id, weight))
            for phrase in spec.exclude:
                self._excludes.setdefault(phrase.strip(), set()).add(theme_id)
        self._matcher = TermMatcher([*self._weights, *self._excludes])

    def tag(self, text: str) -> list[ThemeHit]:
        """Themes of a whole text (a new document), best first."""
        evidence = self._collect(self._matcher.matches(text), side=None)
        return self._hits(evidence, change=False)

    def tag_change(self, old: str, new: str, ops: Sequence[tuple[int, str]]) -> list[ThemeHit]:
        """Themes of what a change inserted or deleted, not of the unchanged rest."""
        deleted, inserted = _changed_spans(old, new, ops)
        matches_old = self._matches_in(old, deleted)
        matches_new = self._matches_in(new, inserted)
        evidence = self._collect(matches_old, side="deleted")
        for theme_id, found in self._collect(matches_new, side="inserted").items():
            into = evidence.setdefault(theme_id, _Evidence())
            for term, weight in found.terms.items():
                into.terms[term] = weight
            into.sentences.update(found.sentences)
            into.sides |= found.sides
        return self._hits(evidence, change=True)

    def _matches_in(self, text: str, spans: list[tuple[int, int]]) -> list[Match]:
        """Matches inside the sentences of text that overlap a changed span."""
        if not spans:
            return []
        found: list[Match] = []
        for sentence in sentences(text):
            if any(start < sentence.end and sentence.start < end for start, end in spans):
                shift = sentence.start
                for m in self._matcher.matches(sentence.text):
                    where = Sentence(
                        m.sentence.start + shift, m.sentence.end + shift, m.sentence.text
                    )
                    found.append(Match(m.term, m.surface, m.start + shift, m.end + shift, where))
        return found

    def _collect(self, matches: Iterable[Match], side: str | None) -> dict[str, _Evidence]:
        """Per theme, the terms that count: not inside an exclude, and each stretch of
        text once, under its heaviest term ("взаимная торговля" is 3, not 3 + 2 for
        "торговля"; a word matching a Russian and a Kazakh term counts once)."""
        # spans already taken, per (theme, sentence): matches never cross a sentence
        taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
        candidates: dict[str, list[tuple[float, Match]]] = {}
        for m in matches:
            for theme_id in self._excludes.get(m.term, ()):
                taken.setdefault((theme_id, m.sentence.start), []).append((m.start, m.end))
            for theme_id, weight in self._weights.get(m.term, ()):
                candidates.setdefault(theme_id, []).append((weight, m))
        evidence: dict[str, _Evidence] = {}
        for theme_id, found_here in candidates.items():
            found_here.sort(key=lambda wm: (-wm[0], wm[1].start - wm[1].end, wm[1].start))
            for weight, m in found_here:
                spans = taken.setdefault((theme_id, m.sentence.start), [])
                if any(a < m.end and m.start < b for a, b in spans):
                    continue
                spans.append((m.start, m.end))
                found = evidence.setdefault(theme_id, _Evidence())
                found.terms.setdefault(m.term, weight)
                key = (m.sentence.text, m.sentence.start)
                score, first = found.sentences.get(key, (0.0, m.start - m.sentence.start))
                found.sentences[key] = (score + weight, min(first, m.start - m.sentence.start))
                if side:
                    found.sides.add(side)
        return evidence

    def _hits(self, evidence: Mapping[str, _Evidence], change: bool) -> list[ThemeHit]:
        hits: list[ThemeHit] = []
        for theme_id, found in evidence.items():
            threshold = self.themes[theme_id].threshold
            if change:
                threshold = min(threshold, STRONG_WEIGHT)
            if found.score < threshold:
                continue
            best = sorted(found.sentences.items(), key=lambda item: -item[1][0])[:MAX_SENTENCES]
            quoted = [_trim(text, first) for (text, _), (_, first) in sorted(best, key=_order)]
            terms = sorted(found.terms, key=lambda term: -found.terms[term])
            side = None
            if change:
                side = "both" if len(found.sides) > 1 else next(iter(found.sides))
            hits.append(ThemeHit(theme_id, round(found.score, 3), terms, quoted, side))
        order = list(self.themes)
        return sorted(hits, key=lambda hit: (-hit.score, order.index(hit.theme)))


def _order(item: tuple[tuple[str, int], tuple[float, int]]) -> int:
    return item[0][1]


def _trim(text: str, offset: int) -> str:
    """Cut a long sentence to a window around its first matched term, on word breaks."""
    if len(text) <= MAX_SENTENCE_CHARS:
        return text
    start = max(0, min(offset - MAX_SENTENCE_CHARS // 3, len(text) - MAX_SENTENCE_CHARS))
    end = start + MAX_SENTENCE_CHARS
    if start > 0:
        cut = text.find(" ", start)
        start = cut + 1 if 0 <= cut < offset else start
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > offset else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _changed_spans(
    old: str, new: str, ops: Sequence[tuple[int, str]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character spans of the words deleted from old and inserted into new.

    Each hunk (a run of -1/+1 ops) is reduced to the words that really differ: diff
    cleanup often rewrites "a  b" as delete "a  b", insert "a b", and a change of
    spacing or punctuation alone changes no theme.
    """
    deleted: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    at_old = at_new = 0
    hunk: tuple[int, int] | None = None  # where the open hunk starts in old and new
    for op, text in [*ops, (0, "")]:
        if op == 0:
            if hunk is not None:
                old_words = list(_WORDS.finditer(old, hunk[0], at_old))
                new_words = list(_WORDS.finditer(new, hunk[1], at_new))
                _trim_common(old_words, new_words)
                if old_words:
                    deleted.append((old_words[0].start(), old_words[-1].end()))
                if new_words:
                    inserted.append((new_words[0].start(), new_words[-1].end()))
                hunk = None
            at_old += len(text)
            at_new += len(text)
        elif op in (-1, 1):
            hunk = hunk or (at_old, at_new)
            if op == -1:
                at_old += len(text)
            else:
                at_new += len(text)
        else:
            raise ValueError(f"unknown diff op {op!r}")
    if at_old != len(old) or at_new != len(new):
        raise ValueError("diff ops do not rebuild the old and new texts")
    return deleted, inserted


def _trim_common(a: list[re.Match[str]], b: list[re.Match[str]]) -> None:
    """Drop the words both sides of a hunk share at its start and at its end."""
    while a and b and a[0].group() == b[0].group():
        del a[0], b[0]
    while a and b and a[-1].group() == b[-1].group():
        del a[-1], b[-1]


def default_themes() -> dict[str, dict[str, Any]]:
    """The shipped taxonomy as plain data (a copy: callers may edit it for their config)."""
    return shipped(THEMES_PATH)


def theme_ids() -> list[str]:
    """Ids of the shipped themes, e.g. to validate subscription filters; parsed once."""
    return shipped_theme_ids()


def taxonomy(themes: Mapping[str, ThemeSpec] | None = None) -> Taxonomy:
    """A compiled taxonomy (None: the shipped one); compiled once per distinct content."""
    if themes is None:
        return _shipped_taxonomy()
    payload = {key: spec.model_dump(mode="json") for key, spec in themes.items()}
    return _compile(json.dumps(payload, ensure_ascii=False))


@lru_cache(maxsize=1)
def _shipped_taxonomy() -> Taxonomy:
    specs = {key: ThemeSpec.model_validate(value) for key, value in default_themes().items()}
    return taxonomy(specs)


@lru_cache(maxsize=16)
def _compile(payload: str) -> Taxonomy:
    data = json.loads(payload)
    return Taxonomy({key: ThemeSpec.model_validate(value) for key, value in data.items()})
