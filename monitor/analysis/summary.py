"""Change summaries: what kind of change a new version is, readable at a glance.

A diff says where a text changed; whoever gets the alert wants to know whether to
read it. Numbers (also in words), dates, names, obligations («обязуются» →
«стремятся») and negations change what an agreement means, so they make a change
"major"; a point or a clause inserted or deleted is "moderate"; renumbered points
and a word in another grammatical form are "minor"; a typo fixed inside a word and
quote style, NBSP, dashes or ё/е change nothing and are "trivial". Changes are placed
by paragraph (one a line in normalised text) and by treaty point («17.», «Статья 5»,
«5-бап», «Article 3»). The rules live in summary_words (one word edited, number
words), summary_places (hunks, paragraphs), summary_points (treaty points, their
renumbering) and summary_signals (tokens of meaning); this module weighs them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any, Literal

from monitor.analysis.summary_places import (
    WORD,
    Hunk,
    Index,
    Span,
    canon,
    lift,
    para_hits,
    paragraphs,
    refine,
    slide,
    unfold,
    walk,
    whole,
)
from monitor.analysis.summary_points import Points, moved, pair_points, renumbered
from monitor.analysis.summary_signals import clip, rewording, signals
from monitor.analysis.summary_words import classify_pair, same_lemma
from monitor.diff import diff_words, side, tokenize

Significance = Literal["trivial", "minor", "moderate", "major"]
_CLAUSE = 3  # words inserted or deleted together that make a clause ("moderate")
_VERBS = ("changed", "added", "removed", "renumbered")
_SLIPS = {
    "typo": "typo fixed",
    "figures": "number written in figures or words",
    "capitalisation": "capitalisation changed",
}


@dataclass(frozen=True)
class ChangeSummary:
    """Where a new version differs from the old one and how much that matters."""

    paragraphs_changed: list[int]  # 1-based, new numbering
    paragraphs_added: list[int]  # new numbering
    paragraphs_removed: list[int]  # old numbering
    points_changed: list[str]  # new labels
    points_added: list[str]
    points_removed: list[str]  # old labels
    words_inserted: int
    words_deleted: int
    significance: Significance
    reasons: list[str]  # most telling first
    cosmetic: bool  # only whitespace, quotes, dashes, ё/е or punctuation changed
    points_renumbered: list[str] = field(default_factory=list)  # «п. 7–41 → п. 8–42»

    def as_dict(self) -> dict[str, Any]:
        """Plain lists, strings and numbers, for JSON and the database."""
        return asdict(self)

    def headline(self) -> str:
        """One line for a notification: where, how much, and the most telling reason."""
        if self.reasons == ["no change"]:
            return "no changes"
        head, _, detail = self.reasons[0].partition(": ")
        why = f"{self.significance}: {head}" + (f" ({detail})" if detail else "")
        return "; ".join(p for p in (self._where(), self._words(), why) if p)

    def render_text(self, max_chars: int | None = None) -> str:
        """A few lines for a message, cut at whole lines to fit `max_chars` (Telegram: 4096)."""
        if max_chars is not None and max_chars < 1:
            raise ValueError("max_chars must be positive")
        kind = " (cosmetic only)" if self.cosmetic else ""
        lines = [f"{self.significance.capitalize()} change{kind}: {self._words()}"]
        for title, groups in (("Points", self._points()), ("Paragraphs", self._paragraphs())):
            if groups:
                bits = "; ".join(f"{verb} {_few([str(x) for x in xs], 10)}" for xs, verb in groups)
                old = (
                    " (old numbering)"
                    if title == "Paragraphs" and groups[-1][1] == "removed"
                    else ""
                )
                lines.append(f"{title}: {bits}{old}")
        lines += [f"• {r}" for r in self.reasons if r != "no change"]
        return _fit(lines, max_chars)

    def _words(self) -> str:
        return f"+{self.words_inserted}/−{self.words_deleted} words"

    def _points(self) -> list[tuple[list[str], str]]:
        groups = (
            self.points_changed,
            self.points_added,
            self.points_removed,
            self.points_renumbered,
        )
        return [(g, verb) for g, verb in zip(groups, _VERBS, strict=True) if g]

    def _paragraphs(self) -> list[tuple[list[int], str]]:
        groups = (self.paragraphs_changed, self.paragraphs_added, self.paragraphs_removed)
        return [(g, verb) for g, verb in zip(groups, _VERBS, strict=False) if g]

    def _where(self) -> str:
        if points := self._points():
            return ", ".join(f"{_few(xs)} {verb}" for xs, verb in points)
        return ", ".join(f"{_paras(xs)} {verb}" for xs, verb in self._paragraphs())


def summarize(old: str, new: str, ops: Sequence[tuple[int, str]] | None = None) -> ChangeSummary:
    """Summarise the change from `old` to `new`; `ops` is their diff if already computed."""
    ops = lift(refine(slide(unfold(diff_words(old, new) if ops is None else ops))))
    if side(ops, "old") != old or side(ops, "new") != new:
        raise ValueError("ops are not a diff of old and new")
    hunks, align = walk(ops)
    _judge_words(old, new, hunks)
    paras = (Index(paragraphs(old)), Index(paragraphs(new)))
    points = (Points(old, paras[0].items), Points(new, paras[1].items))
    pairs = pair_points(points[0], points[1], align)
    moved = renumbered(points[0], points[1], pairs)
    _mark_renumbering(hunks, points, pairs)
    counted = [h for h in hunks if not h.renumber]  # a point's new number is not a word
    old_mod, removed = para_hits(old, paras[0], [(h.o0, h.o1) for h in counted])
    new_mod, added = para_hits(new, paras[1], [(h.n0, h.n1) for h in counted])
    for i in old_mod:  # a paragraph that lost words is the same paragraph in the new text
        if (pos := align.first(paras[0].items[i].start, paras[0].items[i].end)) is not None:
            new_mod.update(paras[1].hits(pos, pos + 1))
    paired = set(pairs.values())
    changed = {j for h in counted for j in points[1].within(h.n0, h.n1) if j in paired} | {
        pairs[i] for h in counted for i in points[0].within(h.o0, h.o1) if i in pairs
    }
    gone = _unique(p.label for i, p in enumerate(points[0].points) if i not in pairs)
    came = _unique(p.label for j, p in enumerate(points[1].points) if j not in paired)
    for h in hunks:
        h.structural = whole(new, paras[1], added, h.n0, h.n1) and whole(
            old, paras[0], removed, h.o0, h.o1
        )
    cosmetic = old != new and _same_words(hunks) and canon(old) == canon(new)
    base = ChangeSummary(
        paragraphs_changed=sorted(i + 1 for i in new_mod - added),
        paragraphs_added=sorted(i + 1 for i in added),
        paragraphs_removed=sorted(i + 1 for i in removed),
        points_changed=_unique(points[1].labels[j] for j in sorted(changed)),
        points_added=came,
        points_removed=gone,
        words_inserted=sum(h.words_in for h in counted),
        words_deleted=sum(h.words_out for h in counted),
        significance="trivial",
        reasons=["no change"],
        cosmetic=cosmetic,
        points_renumbered=moved,
    )
    kinds = _unique(h.cosmetic for h in hunks if h.cosmetic)
    if old == new:
        return base
    if cosmetic:
        return replace(base, reasons=[f"cosmetic only: {', '.join(kinds) or 'layout'}"])
    live = [h for h in hunks if not h.inert and not h.structural]
    clauses = {id(h): c for h in live if (c := _clause(h))}
    major = (
        [f"{x} removed" for x in gone]
        + [f"{x} added" for x in came]
        + signals((old, new), paras, points, hunks, align)
        + [f"{k}: {b if k.endswith('added') else a}" for h in live for a, b, k in h.pairs
           if k and k.startswith("negation")]
    )  # fmt: skip
    moderate: list[str] = []
    minor: list[str] = []
    for wholly, text, index, pts, verb in (
        (added, new, paras[1], points[1], "added"),
        (removed, old, paras[0], points[0], "removed"),
    ):
        own = [i for i in sorted(wholly) if pts.at(index.items[i].start) not in gone + came]
        words = sum(len(WORD.findall(text[index.items[i].start : index.items[i].end])) for i in own)
        if own:
            (moderate if words >= _CLAUSE else minor).append(
                f"{_paras([i + 1 for i in own])} {verb} ({words} words)"
            )
    moderate += rewording(new, [h for h in live if id(h) not in clauses], points[1], paras[1])
    moderate += clauses.values()
    minor += [f"points renumbered: {'; '.join(moved)}"] if moved else []
    if not major and not moderate:
        # A word swapped for another ("экспорт" -> "импорт") changes what the text
        # says and alerts by default; only a word put in another grammatical form
        # stays minor, next to renumbering.
        for example in [_example(h) for h in live][:2]:
            (minor if example.startswith("word form changed") else moderate).append(example)
    significance: Significance = (
        "major" if major else "moderate" if moderate else "minor" if minor or live else "trivial"
    )
    slips = [
        f"{_SLIPS[kind]}: {_few([f'{a} → {b}' for a, b in fixes])}"
        for kind in _SLIPS
        if (fixes := [(a, b) for h in hunks if h.slip for a, b, k in h.pairs if k == kind])
    ]
    also = [f"also cosmetic: {', '.join(kinds)}"] if kinds else []
    return replace(
        base,
        significance=significance,
        reasons=_unique(major + moderate + minor) + slips + also,
    )


def _same_words(hunks: list[Hunk]) -> bool:
    """Whether the edits delete the words they insert: cheap, and needed for the texts to
    have the same words, so the whole texts are compared only when it holds."""
    lost: Counter[str] = Counter()
    for h in hunks:
        lost.update(canon(h.deleted))
        lost.subtract(canon(h.inserted))
    return not any(lost.values())


def _judge_words(old: str, new: str, hunks: list[Hunk]) -> None:
    """Pair the words of each one-for-one replacement and say what each edit is."""

    def elsewhere(word: str) -> bool:
        rx = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        return sum(1 for _ in rx.finditer(old)) + sum(1 for _ in rx.finditer(new)) > 1

    for h in hunks:
        if h.cosmetic or not h.deleted or not h.inserted:
            continue
        td, ti = tokenize(h.deleted), tokenize(h.inserted)
        if len(td) != len(ti) or any(
            x != y and not (WORD.fullmatch(x) and WORD.fullmatch(y))
            for x, y in zip(td, ti, strict=True)
        ):
            continue
        h.pairs = [
            (x, y, classify_pair(x, y, elsewhere)) for x, y in zip(td, ti, strict=True) if x != y
        ]
        if h.pairs and all(k in _SLIPS for *_, k in h.pairs):
            kinds = {k for *_, k in h.pairs}
            h.slip = next(k for k in _SLIPS if k in kinds)  # in _SLIPS's order: a typo first


def _mark_renumbering(
    hunks: list[Hunk], points: tuple[Points, Points], pairs: dict[int, int]
) -> None:
    """Mark the hunks that only change the number of a point that was renumbered."""
    shifted = moved(points[0], points[1], pairs)
    if not shifted:
        return
    labels = tuple(
        Index(sorted((Span(pts.points[k].start, pts.points[k].end) for k in ks), key=_start))
        for pts, ks in zip(points, zip(*shifted, strict=True), strict=True)
    )
    for h in hunks:
        h.renumber = not h.cosmetic and all(
            a == b or any(idx.items[k].start <= a and b <= idx.items[k].end for k in idx.hits(a, b))
            for idx, (a, b) in zip(labels, ((h.o0, h.o1), (h.n0, h.n1)), strict=True)
        )


def _start(span: Span) -> int:
    return span.start


def _clause(h: Hunk) -> str | None:
    """Several words in a row inserted or deleted with nothing in their place: a clause.

    A coarse hunk «активно развивают взаимную торговлю» → «развивают торговлю» lost
    words one at a time; matching its words shows that no three went together.
    """
    if max(h.words_in, h.words_out) < _CLAUSE:
        return None
    old, new = (list(WORD.finditer(t)) for t in (h.deleted, h.inserted))
    match = SequenceMatcher(None, [m[0] for m in old], [m[0] for m in new], autojunk=False)
    for op, i1, i2, j1, j2 in match.get_opcodes():
        for verb, words, a, b in (("deleted", old, i1, i2), ("inserted", new, j1, j2)):
            if op in ("insert", "delete") and b - a >= _CLAUSE:
                text = (h.deleted if verb == "deleted" else h.inserted)[
                    words[a].start() : words[b - 1].end()
                ]
                return f"clause {verb}: «{clip(text, 60)}»"
    return None


def _example(h: Hunk) -> str:
    """A short quote of one edit: a word in another form, or the wording changed."""
    was, now = clip(h.deleted.strip(), 50), clip(h.inserted.strip(), 50)
    if h.pairs and all(k == "form" or k in _SLIPS for *_, k in h.pairs):
        forms = [f"{a} → {b}" for a, b, k in h.pairs if k == "form"]
        return f"word form changed: {_few(forms)}"
    if was and now and _regoverned(h.deleted, h.inserted):
        return f"word form changed: {was} → {now}"
    if was and now:
        return f"wording changed: «{was}» → «{now}»"
    return f"words added: «{now}»" if now else f"words removed: «{was}»"


# Prepositions and conjunctions that come and go when a phrase is re-governed
# («России» → «с Россией», "of Russia" → "with Russia"); they carry no new content.
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\S+",
        "с со в во на о об по к ко у от из за для при и а "
        "the of to with and in on for by мен менен бен пен және",
    )
)


def _regoverned(deleted: str, inserted: str) -> bool:
    """The same content words in other forms, give or take a preposition."""
    old = [w for w in WORD.findall(deleted) if w.lower() not in _FUNCTION_WORDS]
    new = [w for w in WORD.findall(inserted) if w.lower() not in _FUNCTION_WORDS]
    return (
        bool(old)
        and len(old) == len(new)
        and all(a == b or same_lemma(a, b) for a, b in zip(old, new, strict=True))
    )


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))


# --- text layout -------------------------------------------------------------------------


def _few(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" +{len(items) - limit} more" if len(items) > limit else "")


def _paras(numbers: list[int]) -> str:
    return ("paragraph " if len(numbers) == 1 else "paragraphs ") + _few([str(n) for n in numbers])


def _fit(lines: list[str], max_chars: int | None) -> str:
    """Whole lines while they fit, then a «… +N more» line in place of the rest."""
    text = "\n".join(lines)
    if max_chars is None or len(text) <= max_chars:
        return text
    for keep in range(len(lines) - 1, 0, -1):
        text = "\n".join([*lines[:keep], f"… +{len(lines) - keep} more"])
        if len(text) <= max_chars:
            return text
    return clip(lines[0], max_chars)
