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
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from monitor.config.alerts import ThemeSpec
from monitor.data import THEMES_PATH, shipped, shipped_theme_ids
from monitor.morph import Match, Sentence, TermMatcher, sentences

DEFAULT_THEMES_PATH = THEMES_PATH
STRONG_WEIGHT = 2.0  # a single term this heavy tags a change on its own
UNAMBIGUOUS_WEIGHT = 3.0  # a term that names its theme on its own («Байконур», «ЕАЭС»)
# A theme is central when its score is at least this share of the best theme's.
MIN_SHARE = 0.3
MAX_SENTENCES = 5  # quoted per theme: enough to judge, short enough for an alert
MAX_SENTENCE_CHARS = 300
_WORDS = re.compile(r"\w+")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class ThemeHit:
    """One theme found in a text, with the evidence a reader needs to trust it."""

    theme: str
    score: float
    terms: list[str]  # configured terms that counted, heaviest first
    sentences: list[str]  # where they were found, trimmed, in text order
    side: str | None = None  # for changes: "inserted", "deleted" or "both"
    # "primary": what the text is about (alerts, filters, search); "secondary": a
    # passing mention, kept visible but never alerting (see `_central`).
    level: str = "primary"

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
        """Themes of what a change inserted or deleted, not of the unchanged rest.

        The changed words' own terms count first, with those themes of the rest of
        their sentence that the enclosing point (paragraph) is about: a border word in
        a sentence about checkpoints does not make a checkpoint count a security
        change. Changed words that name no theme (an amount, a date, a deadline) take
        the themes of their point, or of the text: an amount edited in an article on
        a space programme is a space change.
        """
        deleted, inserted = _changed_spans(old, new, ops)
        if not (deleted or inserted):
            return []
        matches_old = self._matches_in(old, deleted)
        matches_new = self._matches_in(new, inserted)
        direct = self._hits(
            self._merged(
                [m for m in matches_old if _within(m, deleted)],
                [m for m in matches_new if _within(m, inserted)],
            ),
            change=True,
        )
        point = self._enclosing(new, inserted, "inserted") or self._enclosing(
            old, deleted, "deleted"
        )
        if not direct and point:
            # The changed words name no theme (a date of entry into force, an amount):
            # the change belongs to what the enclosing point, or the text, is about —
            # all of it, as the labelled edits of tests/data/dev5 and dev6 file them.
            return point
        context = self._hits(self._merged(matches_old, matches_new), change=True)
        themes = {h.theme for h in direct}
        hits = direct + [h for h in context if h.theme not in themes and _named(h, point)]
        return hits

    def _merged(self, old: list[Match], new: list[Match]) -> dict[str, _Evidence]:
        """Evidence from the deleted and the inserted side, each term counted once."""
        evidence = self._collect(old, side="deleted")
        for theme_id, found in self._collect(new, side="inserted").items():
            into = evidence.setdefault(theme_id, _Evidence())
            for term, weight in found.terms.items():
                into.terms[term] = weight
            into.sentences.update(found.sentences)
            into.sides |= found.sides
        return evidence

    def _enclosing(self, text: str, spans: list[tuple[int, int]], side: str) -> list[ThemeHit]:
        """Primary themes of the paragraphs holding `spans`, else of the whole text.

        Only for an edit inside a paragraph that stays (a number, a date, a word):
        a paragraph that is new or gone as a whole and names no theme has none.
        """
        paragraphs = [
            p
            for p in _PARAGRAPH.finditer(text)
            if any(p.start() < end and start < p.end() for start, end in spans)
        ]
        changed = sum(
            min(end, p.end()) - max(start, p.start())
            for p in paragraphs
            for start, end in spans
            if p.start() < end and start < p.end()
        )
        kept = sum(len(_WORDS.findall(p.group())) for p in paragraphs) - len(
            _WORDS.findall(" ".join(text[s:e] for s, e in spans))
        )
        if not paragraphs or kept <= 0 or changed <= 0:
            return []
        for scope in ("\n".join(p.group() for p in paragraphs), text):
            hits = [h for h in self.tag(scope) if h.level == "primary"]
            if hits:
                return [replace(h, side=side) for h in hits]
        return []

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
        if not change and hits:
            top = max(hit.score for hit in hits)
            hits = [
                hit if _central(evidence[hit.theme], top) else replace(hit, level="secondary")
                for hit in hits
            ]
        order = list(self.themes)
        return sorted(
            hits, key=lambda hit: (hit.level != "primary", -hit.score, order.index(hit.theme))
        )


def _within(match: Match, spans: list[tuple[int, int]]) -> bool:
    """Whether a match touches one of the changed spans (its own words changed)."""
    return any(match.start < end and start < match.end for start, end in spans)


def _named(hit: ThemeHit, point: list[ThemeHit]) -> bool:
    """Whether a theme of the changed sentence is also what its point is about."""
    return any(h.theme == hit.theme for h in point)


def _central(found: _Evidence, top: float) -> bool:
    """Is the theme what the text is about, or a passing mention?

    Central: the best-scoring theme, or one within MIN_SHARE of it that the text
    keeps coming back to — two distinct terms, an unambiguous one, or matches in
    two sentences. One generic word ("trade" in a launch story, "border" in a
    culture story) is a mention. Tuned on tests/data/themes_corpus.yaml and
    tests/data/dev2/ (bench/bench_text.py), never on tests/data/blind/.
    """
    if found.score >= top:
        return True
    if found.score < MIN_SHARE * top:
        return False
    strongest = max(found.terms.values(), default=0.0)
    return len(found.terms) >= 2 or strongest >= UNAMBIGUOUS_WEIGHT or len(found.sentences) >= 2


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
