"""Where a change is: the hunks of a word diff, and the paragraphs they touch.

The diff is reshaped before it is read (see `slide`, `unfold`, `refine`, `lift`) so
that its hunks fall where a reader would put them: whole paragraphs added or removed,
one word replaced by one word, a point's number changed apart from its text.
Paragraphs are lines of normalised text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from monitor.analysis.summary_words import PairKind
from monitor.diff import tokenize

INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_ODD_SPACE = re.compile(r"[^\S \n]|[\u00ad\u200b-\u200d\u2060\ufeff]")
_QUOTES = str.maketrans(dict.fromkeys("«»“”„‟‹›‘’‚‛`´'", '"'))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−⁃", "-"))
YO = str.maketrans("ёЁ", "еЕ")
NON_WORD = re.compile(r"[^\w%‰$€₽₸£¥№§+]+")  # symbols that carry meaning count as words
_COSMETIC: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("whitespace", lambda s: re.sub(r"\s+", "", INVISIBLE.sub("", s))),
    ("quote style", lambda s: s.translate(_QUOTES)),
    ("dashes", lambda s: s.translate(_DASHES)),
    ("ё/е", lambda s: s.translate(YO)),
    ("punctuation", lambda s: NON_WORD.sub("", s)),
)
WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_UNFOLD_LIMIT = 400_000  # characters × characters of a replacement worth matching again
_LONG_WORD = re.compile(r"\w{3,}")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    key: str = ""
    shown: str = ""


@dataclass(slots=True)
class Hunk:
    """One run of deletions and insertions between unchanged text."""

    o0: int
    o1: int
    n0: int
    n1: int
    deleted: str = ""
    inserted: str = ""
    words_in: int = 0  # words gained and lost, so a coarse hunk «развивают» →
    words_out: int = 0  # «активно развивают» counts one word added, not two and one
    cosmetic: str | None = None  # which kind of cosmetic edit, if it is one
    structural: bool = False  # only whole paragraphs added or removed
    pairs: list[tuple[str, str, PairKind | None]] = field(default_factory=list)
    slip: PairKind | None = None  # "typo", "figures" or "capitalisation": every word pair is one
    renumber: bool = False  # only the number of a renumbered point

    @property
    def inert(self) -> bool:
        """Changes nothing a reader needs: layout, a slip of the pen, a point's new number."""
        return bool(self.cosmetic or self.slip or self.renumber)


class Index:
    """Sorted non-overlapping spans, looked up by overlap in O(log n)."""

    def __init__(self, items: list[Span]) -> None:
        self.items, self.ends = items, [s.end for s in items]

    def hits(self, a: int, b: int) -> range:
        """Spans overlapping [a, b); for an empty range, the span strictly around `a`."""
        i = j = bisect_right(self.ends, a)
        if a == b:
            return range(i, i + 1) if i < len(self.items) and self.items[i].start < a else range(0)
        while j < len(self.items) and self.items[j].start < b:
            j += 1
        return range(i, j)


class Align:
    """Maps ranges of one side to the other through the unchanged stretches."""

    def __init__(self, segs: list[tuple[int, int, int]]) -> None:
        self.segs, self.keys = segs, ([s[0] for s in segs], [s[1] for s in segs])

    def map(self, a: int, b: int, from_old: bool = True) -> list[tuple[int, int]]:
        src, dst = (0, 1) if from_old else (1, 0)
        out = []
        for k in range(max(0, bisect_right(self.keys[src], a) - 1), len(self.segs)):
            seg = self.segs[k]
            if seg[src] >= b:
                break
            lo, hi = max(a, seg[src]), min(b, seg[src] + seg[2])
            if lo < hi:
                out.append((seg[dst] + lo - seg[src], seg[dst] + hi - seg[src]))
        return out

    def first(self, a: int, b: int) -> int | None:
        """Where the longest unchanged stretch of old [a, b) lies in the new text."""
        ranges = self.map(a, b)
        return max(ranges, key=lambda r: r[1] - r[0])[0] if ranges else None


# --- hunks ----------------------------------------------------------------------------


def slide(ops: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Shift pure insertions/deletions onto line starts where the diff allows it.

    Removing «B.\\n» from «A.\\nB.\\n» can come out as «.\\nB» cut across two lines;
    slid back, whole paragraphs stay whole and their neighbours are not "changed".
    """
    kinds = [op for op, text in ops if text]
    texts = [text for _, text in ops if text]
    for k in range(1, len(texts) - 1):
        if kinds[k - 1] or kinds[k + 1] or not kinds[k]:
            continue
        options = [(texts[k - 1], texts[k], texts[k + 1])]
        x, y, z = options[0]
        while x and x[-1] == y[-1]:  # the same text could have been cut one character earlier
            x, y, z = x[:-1], x[-1] + y[:-1], y[-1] + z
            options.append((x, y, z))
        x, y, z = options[0]
        while z and z[0] == y[0]:  # or later
            x, y, z = x + y[0], y[1:] + z[0], z[1:]
            options.append((x, y, z))
        texts[k - 1], texts[k], texts[k + 1] = max(options, key=_line_score)
    return _merge(zip(kinds, texts, strict=True))


def lift(ops: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Move an insertion or deletion of whole lines up to where its lines start.

    Inserting a point before «4. Стороны …» comes out of the diff as «4. Стороны»
    kept and «создают …\n5. Стороны» inserted, because the new п. 4 begins like the
    old one. The lines before the cut and the last lines of the edit read the same
    but for their numbers, so the edit can as well be «4. Стороны создают …\n»
    inserted and «4» → «5» in the label that follows: whole paragraphs, and the
    renumbering where it happened.
    """
    out: list[tuple[int, str]] = []
    for k, (op, text) in enumerate(ops):
        prev = out[-1][1] if out and out[-1][0] == 0 else None
        neighbours = (ops[k - 1][0] if k else 0, ops[k + 1][0] if k + 1 < len(ops) else 0)
        if not op or prev is None or "\n" not in text or neighbours != (0, 0):
            out.append((op, text))
            continue
        cut = None
        lines, edit = prev.split("\n"), text.split("\n")
        for n in range(1, min(len(lines), len(edit))):  # the most lines that match wins
            tail, end = "\n".join(lines[-n:]), "\n".join(edit[-n:])
            if tail and tail != end and _DIGITS.sub("#", tail) == _DIGITS.sub("#", end):
                cut = n
        if cut is None:
            out.append((op, text))
            continue
        tail, end = "\n".join(lines[-cut:]), "\n".join(edit[-cut:])
        out[-1] = (0, prev[: len(prev) - len(tail)])
        out += [(op, tail + text[: len(text) - len(end)]), (0, "")]  # two hunks, not one
        for x, y in zip(tokenize(tail), tokenize(end), strict=True):
            was, now = (x, y) if op > 0 else (y, x)
            out += [(0, x)] if x == y else [(-1, was), (1, now)]
    return _merge(out, keep_empty=True)


def unfold(ops: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Find the unchanged words inside a replacement that spans paragraphs.

    The diff's semantic cleanup folds short equalities into the edits around them:
    a point inserted before «4. Стороны содействуют туризму.», with a typo fixed in
    that point, comes out as the whole old point deleted and both points inserted.
    Matching the two sides again, letter by letter and then cut to whole words, keeps
    the old point's words unchanged, so it is paired with its new number.
    Replacements within one paragraph are left as the diff made them.
    """
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(ops):
        op, text = ops[k]
        if not (op and k + 1 < len(ops) and ops[k + 1][0] == -op and "\n" in text + ops[k + 1][1]):
            out.append((op, text))
            k += 1
            continue
        d, i = (text, ops[k + 1][1]) if op < 0 else (ops[k + 1][1], text)
        k += 2
        if len(d) * len(i) > _UNFOLD_LIMIT:
            out += [(-1, d), (1, i)]
            continue
        cuts = (_boundaries(d), _boundaries(i))
        a = b = kept = 0
        parts: list[tuple[int, str]] = []
        for x, y, n in SequenceMatcher(None, d, i, autojunk=False).get_matching_blocks():
            lo = next((j for j in range(n) if x + j in cuts[0] and y + j in cuts[1]), n)
            hi = next((j for j in range(n, lo, -1) if x + j in cuts[0] and y + j in cuts[1]), lo)
            same = d[x + lo : x + hi]
            if n and (hi <= lo or not ("\n" in same or _LONG_WORD.search(same))):
                continue  # spaces and commas in common do not make text unchanged
            parts += [(-1, d[a : x + lo]), (1, i[b : y + lo]), (0, same)]
            a, b, kept = x + hi, y + hi, kept + len(same)
        # a rewrite shares a few words by chance; an edit keeps most of the shorter side
        out += parts if 2 * kept >= min(len(d), len(i)) else [(-1, d), (1, i)]
    return _merge(out)


def _boundaries(text: str) -> set[int]:
    """Offsets between the diff's tokens: words, runs of spaces, single symbols."""
    cuts, at = {0}, 0
    for token in tokenize(text):
        at += len(token)
        cuts.add(at)
    return cuts


def refine(ops: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Split a replacement of several words into one replacement per word.

    The diff's semantic cleanup merges «Токаеав подписал» → «Токаев подписали» into
    one hunk; word by word, the typo and the grammatical change are judged apart. Only
    done where both sides have the same shape: words where words were, the same
    spaces and punctuation between them.
    """
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(ops):
        if ops[k][0] == 0 or k + 1 == len(ops) or ops[k + 1][0] in (0, ops[k][0]):
            out.append(ops[k])
            k += 1
            continue
        d, i = (ops[k][1], ops[k + 1][1]) if ops[k][0] < 0 else (ops[k + 1][1], ops[k][1])
        k += 2
        td, ti = tokenize(d), tokenize(i)
        if len(td) < 2 or len(td) != len(ti) or "".join(td) != d or "".join(ti) != i:
            out += [(-1, d), (1, i)]
            continue
        if not all(
            x == y or (WORD.fullmatch(x) and WORD.fullmatch(y)) for x, y in zip(td, ti, strict=True)
        ):
            out += [(-1, d), (1, i)]
            continue
        for x, y in zip(td, ti, strict=True):
            out += [(0, x)] if x == y else [(-1, x), (1, y)]
    return _merge(out)


def _merge(ops: Iterable[tuple[int, str]], keep_empty: bool = False) -> list[tuple[int, str]]:
    merged: list[tuple[int, str]] = []
    for op, text in ops:
        if text or (keep_empty and op == 0):
            merged.append(
                (op, merged.pop()[1] + text) if merged and merged[-1][0] == op else (op, text)
            )
    return merged


def _line_score(cut: tuple[str, str, str]) -> int:
    before, edit, after = cut
    return 2 * (not before or before.endswith("\n")) + (edit.endswith("\n") or after[:1] in "\n")


def walk(ops: list[tuple[int, str]]) -> tuple[list[Hunk], Align]:
    """The hunks of a diff, with their words counted and cosmetic ones named."""
    o = n = 0
    hunks: list[Hunk] = []
    segs: list[tuple[int, int, int]] = []
    for k, (op, text) in enumerate(ops):
        if op == 0:
            segs.append((o, n, len(text)))
        elif k == 0 or ops[k - 1][0] == 0:
            hunks.append(Hunk(o, o, n, n))
        if op < 0:
            hunks[-1].o1, hunks[-1].deleted = o + len(text), hunks[-1].deleted + text
        elif op > 0:
            hunks[-1].n1, hunks[-1].inserted = n + len(text), hunks[-1].inserted + text
        o, n = o + len(text) * (op <= 0), n + len(text) * (op >= 0)
    for h in hunks:
        lost, got = (Counter(WORD.findall(t.translate(YO))) for t in (h.deleted, h.inserted))
        h.words_in, h.words_out = (got - lost).total(), (lost - got).total()
        if canon(h.deleted) == canon(h.inserted):
            h.cosmetic = _cosmetic_kind(h.deleted, h.inserted)
    return hunks, Align(segs)


def _cosmetic_kind(d: str, i: str) -> str:
    odd = bool(_ODD_SPACE.search(d + i))
    for name, step in _COSMETIC:
        d, i = step(d), step(i)
        if d == i:
            return "NBSP/odd spaces" if name == "whitespace" and odd else name
    return "punctuation"


def canon(text: str) -> list[str]:
    return NON_WORD.sub(" ", INVISIBLE.sub("", text).translate(YO)).split()


# --- paragraphs -----------------------------------------------------------------------


def strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def paragraphs(text: str) -> list[Span]:
    return [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _solid(text: str, a: int, b: int) -> int:
    return len("".join(text[a:b].split()))


def para_hits(text: str, paras: Index, ranges: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
    """Paragraphs touched by the ranges: those partly covered, and those wholly covered."""
    hit: Counter[int] = Counter()
    for a, b in ranges:
        for i in paras.hits(a, b) if a < b else ():
            hit[i] += _solid(text, max(a, paras.items[i].start), min(b, paras.items[i].end))
    whole = {
        i
        for i, n in hit.items()
        if n and n == _solid(text, paras.items[i].start, paras.items[i].end)
    }
    return set(hit) - whole, whole


def whole(text: str, paras: Index, wholly: set[int], a: int, b: int) -> bool:
    a, b = strip(text, a, b)
    return a == b or all(i in wholly for i in paras.hits(a, b))
