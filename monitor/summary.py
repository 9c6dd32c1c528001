"""Change summaries: what kind of change a new version is, readable at a glance.

A diff says where a text changed; whoever gets the alert wants to know whether to
read it. Numbers, dates, names, obligations («обязуются» → «стремятся») and negations
change what an agreement means, so they make a change "major"; quote style, NBSP,
dashes or ё/е change nothing and are "trivial". Changes are placed by paragraph (one
a line in normalised text) and by treaty point («17.», «Статья 5», «5-бап», «Article 3»).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from monitor.diff import diff_words, side
from monitor.morph import sentences, term_word_keys, word_keys

Significance = Literal["trivial", "minor", "moderate", "major"]
_SUBSTANCE = 5  # words changed in one sentence that make a rewording "moderate"
_VERBS = ("changed", "added", "removed")

# Labels count only at the start of a paragraph: «согласно п. 17» mid-text is a reference.
_N = r"\d{1,3}(?:\.\d{1,3})*"
_ARTICLE = re.compile(
    rf"(?:(?P<word>Статья|СТАТЬЯ|Article|ARTICLE)\s+(?P<num>{_N})"
    r"|(?P<bap>\d{1,3})\s*[-‐‑–]?\s*(?:бап|БАП))(?!\w)"
)
_ITEM = re.compile(
    rf"(?:п\.|пункт|Пункт|ПУНКТ)\s*(?P<a>{_N})(?!\d)|(?P<b>\d{{1,3}})\s*[-‐‑–]\s*тармақ"
    rf"|(?P<c>{_N})[.)](?=\s|$)|(?P<d>\d{{1,3}}(?:\.\d{{1,3}})+)(?=\s)"
)
_LABEL_WORDS = {"п", "пункт", "Пункт", "Статья", "СТАТЬЯ", "Article", "ARTICLE", "бап", "тармақ"}

_EN_MONTH = r"January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH = (
    r"(?:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?"
    r"|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]|(?:қаңтар|ақпан|наурыз|сәуір|мамыр|маусым"
    rf"|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан)\w*|{_EN_MONTH})(?!\w)"
)
_YEAR = r"\d{4}(?:\s*(?:года|году|г\.|жылғы|жыл\w*))?"
_NUM = r"(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?"  # «12 500», not «2025 150»
_MAGNITUDE = (
    r"(?:трлн|млрд|млн|тыс)\.?|(?:триллион|миллиард|миллион|тысяч|[mbtr]illion|thousand)\w*"
)
_CURRENCY = r"долл\w*|рубл\w*|тенге|теңге|евро|юан\w*|USD|EUR|RUB|KZT|CNY|dollars?|euros?|\$|€|₽|₸"
_NUMERIC = (  # earlier kinds win where they overlap
    ("date", rf"\d{{1,2}}\s+{_MONTH}(?:\s+{_YEAR})?|(?:{_EN_MONTH})\s+\d{{1,2}},\s*\d{{4}}"
     rf"|{_MONTH}\s+{_YEAR}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{4}}-\d\d-\d\d"),
    ("percent", rf"{_NUM}\s*(?:%|процент\w*|percent|пайыз\w*)"),
    ("amount", rf"[$€₽₸]\s*{_NUM}(?:\s*(?:{_MAGNITUDE}))?|{_NUM}\s*(?:{_CURRENCY})"
     rf"|{_NUM}\s*(?:{_MAGNITUDE})(?:\s*(?:{_CURRENCY}))?"),
    ("number", _NUM),
)  # fmt: skip
_NUMERIC_RE = [(kind, re.compile(rf"(?<![\w.])(?:{rx})(?!\w)")) for kind, rx in _NUMERIC]
_MODAL = re.compile(
    r"(?<!\w)(?:обязу\w+|долж(?:ны|ен|на|но)|вправе|мо(?:гут|жет)|стрем(?:ятся|ится)|намерен[аы]?"
    r"|рассмотр(?:ят|ит)|прим(?:ут|ет)\s+мер\w*|не\s+допуска\w+|shall|will|(?-i:may)|should|must"
    r"|undertak\w+|endeavou?r\w*|міндеттен\w*|тиіс\w*|ұмтыл\w*|мүмкін\w*)(?!\w)",
    re.IGNORECASE,
)
_NEGATION = re.compile(  # the particle, shown with the word it negates
    r"(?<!\w)(?:(?P<p>не|ни|нет|not|never|cannot|no(?!\.))(?!\w)(?:\s+\w+)?"
    r"|(?:\w+\s+)?(?P<q>емес)(?!\w))",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!\w)[A-ZА-ЯЁІӘҒҚҢӨҰҮҺ]\w*(?:-\w+)*")
_KINDS = {  # reasons come in this order: meaning first
    "modal": "modal verb", "negation": "negation", "date": "date", "percent": "percentage",
    "amount": "amount", "number": "number", "name": "name",
}  # fmt: skip

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_ODD_SPACE = re.compile(r"[^\S \n]|[\u00ad\u200b-\u200d\u2060\ufeff]")
_QUOTES = str.maketrans(dict.fromkeys("«»“”„‟‹›‘’‚‛`´'", '"'))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−⁃", "-"))
_YO = str.maketrans("ёЁ", "еЕ")
_NON_WORD = re.compile(r"[^\w%‰$€₽₸£¥№§+]+")  # symbols that carry meaning count as words
_COSMETIC: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("whitespace", lambda s: re.sub(r"\s+", "", _INVISIBLE.sub("", s))),
    ("quote style", lambda s: s.translate(_QUOTES)),
    ("dashes", lambda s: s.translate(_DASHES)),
    ("ё/е", lambda s: s.translate(_YO)),
    ("punctuation", lambda s: _NON_WORD.sub("", s)),
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ChangeSummary:
    """Where a new version differs from the old one and how much that matters."""

    paragraphs_changed: list[int]  # 1-based, new numbering
    paragraphs_added: list[int]  # new numbering
    paragraphs_removed: list[int]  # old numbering
    points_changed: list[str]
    points_added: list[str]
    points_removed: list[str]
    words_inserted: int
    words_deleted: int
    significance: Significance
    reasons: list[str]  # most telling first
    cosmetic: bool  # only whitespace, quotes, dashes, ё/е or punctuation changed

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
        groups = (self.points_changed, self.points_added, self.points_removed)
        return [(g, verb) for g, verb in zip(groups, _VERBS, strict=True) if g]

    def _paragraphs(self) -> list[tuple[list[int], str]]:
        groups = (self.paragraphs_changed, self.paragraphs_added, self.paragraphs_removed)
        return [(g, verb) for g, verb in zip(groups, _VERBS, strict=True) if g]

    def _where(self) -> str:
        if points := self._points():
            return ", ".join(f"{_few(xs)} {verb}" for xs, verb in points)
        return ", ".join(f"{_paras(xs)} {verb}" for xs, verb in self._paragraphs())


def summarize(old: str, new: str, ops: Sequence[tuple[int, str]] | None = None) -> ChangeSummary:
    """Summarise the change from `old` to `new`; `ops` is their diff if already computed."""
    ops = _slide(diff_words(old, new) if ops is None else ops)
    if side(ops, "old") != old or side(ops, "new") != new:
        raise ValueError("ops are not a diff of old and new")
    hunks, align = _walk(ops)
    paras = (_Index(_paragraphs(old)), _Index(_paragraphs(new)))
    old_mod, removed = _para_hits(old, paras[0], [(h.o0, h.o1) for h in hunks])
    new_mod, added = _para_hits(new, paras[1], [(h.n0, h.n1) for h in hunks])
    for i in old_mod:  # a paragraph that lost words is the same paragraph in the new text
        if (pos := align.first(paras[0].items[i].start, paras[0].items[i].end)) is not None:
            new_mod.update(paras[1].hits(pos, pos + 1))
    points = (_Points(old, paras[0].items), _Points(new, paras[1].items))
    touched = {
        x for h in hunks for x in points[0].within(h.o0, h.o1) + points[1].within(h.n0, h.n1)
    }
    labels = [p.labels for p in points]
    gone = _unique(x for x in labels[0] if x not in set(labels[1]))
    came = _unique(x for x in labels[1] if x not in set(labels[0]))
    for h in hunks:
        h.structural = _whole(new, paras[1], added, h.n0, h.n1) and _whole(
            old, paras[0], removed, h.o0, h.o1
        )
    cosmetic = old != new and _canon(old) == _canon(new)
    base = ChangeSummary(
        paragraphs_changed=sorted(i + 1 for i in new_mod - added),
        paragraphs_added=sorted(i + 1 for i in added),
        paragraphs_removed=sorted(i + 1 for i in removed),
        points_changed=_unique(x for x in labels[1] if x in touched and x in set(labels[0])),
        points_added=came,
        points_removed=gone,
        words_inserted=sum(h.words_in for h in hunks),
        words_deleted=sum(h.words_out for h in hunks),
        significance="trivial",
        reasons=["no change"],
        cosmetic=cosmetic,
    )
    kinds = _unique(h.cosmetic for h in hunks if h.cosmetic)
    if old == new:
        return base
    if cosmetic:
        return replace(base, reasons=[f"cosmetic only: {', '.join(kinds) or 'layout'}"])
    major = (
        [f"{x} removed" for x in gone]
        + [f"{x} added" for x in came]
        + _signals(old, new, hunks, align)
    )
    moderate, minor = [], []
    for whole, text, index, pts, verb in (
        (added, new, paras[1], points[1], "added"),
        (removed, old, paras[0], points[0], "removed"),
    ):
        own = [i for i in sorted(whole) if pts.at(index.items[i].start) not in gone + came]
        words = sum(
            len(_WORD.findall(text[index.items[i].start : index.items[i].end])) for i in own
        )
        if own:
            (moderate if words >= _SUBSTANCE else minor).append(
                f"{_paras([i + 1 for i in own])} {verb} ({words} words)"
            )
    moderate += _rewording(new, hunks, points[1], paras[1])
    if not major and not moderate:
        minor += [_example(h) for h in hunks if not h.cosmetic and not h.structural][:2]
    significance: Significance = "major" if major else "moderate" if moderate else "minor"
    also = [f"also cosmetic: {', '.join(kinds)}"] if kinds else []
    return replace(
        base, significance=significance, reasons=_unique(major + moderate + minor) + also
    )


# --- positions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    key: str = ""
    shown: str = ""


@dataclass(slots=True)
class _Hunk:
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


class _Index:
    """Sorted non-overlapping spans, looked up by overlap in O(log n)."""

    def __init__(self, items: list[_Span]) -> None:
        self.items, self.ends = items, [s.end for s in items]

    def hits(self, a: int, b: int) -> range:
        """Spans overlapping [a, b); for an empty range, the span strictly around `a`."""
        i = j = bisect_right(self.ends, a)
        if a == b:
            return range(i, i + 1) if i < len(self.items) and self.items[i].start < a else range(0)
        while j < len(self.items) and self.items[j].start < b:
            j += 1
        return range(i, j)


class _Align:
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


class _Points:
    """Treaty points by paragraph start; numbered items nest in the current article."""

    def __init__(self, text: str, paras: list[_Span]) -> None:
        self.text, self.found, article = text, [], None
        for p in paras:
            if m := _ARTICLE.match(text, p.start, p.end):
                article = f"{m['word'].capitalize()} {m['num']}" if m["word"] else f"{m['bap']}-бап"
                self.found.append((p.start, m.end(), article))
            elif m := _ITEM.match(text, p.start, p.end):
                n = m["a"] or m["b"] or m["c"] or m["d"]
                self.found.append((p.start, m.end(), _item_label(article, n)))
        self.starts, self.labels = [f[0] for f in self.found], [f[2] for f in self.found]

    def at(self, pos: int) -> str | None:
        i = bisect_right(self.starts, pos) - 1
        return self.labels[i] if i >= 0 else None

    def within(self, a: int, b: int) -> list[str]:
        """Labels of the points that the text [a, b), trimmed of whitespace, falls in."""
        if a == b:
            return []
        a, b = _strip(self.text, a, b)
        first, last = (bisect_right(self.starts, x) - 1 for x in (a, max(a, b - 1)))
        return self.labels[max(first, 0) : last + 1]


def _item_label(article: str | None, n: str) -> str:
    """«п. 3»; inside an article «Статья 5, п. 3», «Article 5(3)» or «5-бап 3-тармақ»."""
    if article is None:
        return f"п. {n}"
    if article.startswith("Article"):
        return f"{article}({n})"
    return f"{article} {n}-тармақ" if article.endswith("бап") else f"{article}, п. {n}"


def _slide(ops: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Shift pure insertions/deletions onto line starts where the diff allows it.

    Removing «B.\\n» from «A.\\nB.\\n» can come out as «.\\nB» cut across two lines;
    slid back, whole paragraphs stay whole and their neighbours are not "changed".
    """
    out = [[op, text] for op, text in ops if text]
    for k in range(1, len(out) - 1):
        if out[k - 1][0] or out[k + 1][0] or not out[k][0]:
            continue
        options = [(out[k - 1][1], out[k][1], out[k + 1][1])]
        x, y, z = options[0]
        while x and x[-1] == y[-1]:  # the same text could have been cut one character earlier
            x, y, z = x[:-1], x[-1] + y[:-1], y[-1] + z
            options.append((x, y, z))
        x, y, z = options[0]
        while z and z[0] == y[0]:  # or later
            x, y, z = x + y[0], y[1:] + z[0], z[1:]
            options.append((x, y, z))
        out[k - 1][1], out[k][1], out[k + 1][1] = max(options, key=_line_score)
    merged: list[tuple[int, str]] = []
    for op, text in (o for o in out if o[1]):
        merged.append(
            (op, merged.pop()[1] + text) if merged and merged[-1][0] == op else (op, text)
        )
    return merged


def _line_score(cut: tuple[str, str, str]) -> int:
    before, edit, after = cut
    return 2 * (not before or before.endswith("\n")) + (edit.endswith("\n") or after[:1] in "\n")


def _walk(ops: list[tuple[int, str]]) -> tuple[list[_Hunk], _Align]:
    o = n = 0
    hunks: list[_Hunk] = []
    segs: list[tuple[int, int, int]] = []
    for k, (op, text) in enumerate(ops):
        if op == 0:
            segs.append((o, n, len(text)))
        elif k == 0 or ops[k - 1][0] == 0:
            hunks.append(_Hunk(o, o, n, n))
        if op < 0:
            hunks[-1].o1, hunks[-1].deleted = o + len(text), hunks[-1].deleted + text
        elif op > 0:
            hunks[-1].n1, hunks[-1].inserted = n + len(text), hunks[-1].inserted + text
        o, n = o + len(text) * (op <= 0), n + len(text) * (op >= 0)
    for h in hunks:
        lost, got = (Counter(_WORD.findall(t.translate(_YO))) for t in (h.deleted, h.inserted))
        h.words_in, h.words_out = (got - lost).total(), (lost - got).total()
        if _canon(h.deleted) == _canon(h.inserted):
            h.cosmetic = _cosmetic_kind(h.deleted, h.inserted)
    return hunks, _Align(segs)


def _cosmetic_kind(d: str, i: str) -> str:
    odd = bool(_ODD_SPACE.search(d + i))
    for name, step in _COSMETIC:
        d, i = step(d), step(i)
        if d == i:
            return "NBSP/odd spaces" if name == "whitespace" and odd else name
    return "punctuation"


def _canon(text: str) -> list[str]:
    return _NON_WORD.sub(" ", _INVISIBLE.sub("", text).translate(_YO)).split()


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _paragraphs(text: str) -> list[_Span]:
    return [_Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _solid(text: str, a: int, b: int) -> int:
    return len("".join(text[a:b].split()))


def _para_hits(
    text: str, paras: _Index, ranges: list[tuple[int, int]]
) -> tuple[set[int], set[int]]:
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


def _whole(text: str, paras: _Index, whole: set[int], a: int, b: int) -> bool:
    a, b = _strip(text, a, b)
    return a == b or all(i in whole for i in paras.hits(a, b))


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))


# --- what the change is about ------------------------------------------------------------


def _signals(old: str, new: str, hunks: list[_Hunk], align: _Align) -> list[str]:
    """Reasons from meaningful tokens whose values differ across an edit.

    Each side takes the tokens an edit touches plus their counterparts through the
    unchanged text, so «12 ноября» → «12 ноября 2025» compares the whole dates.
    """
    names = (_names(old), _names(new))
    known = {_name_key(w) for found in names for *_, w, sure in found if sure}
    index = (_spans(old, names[0], known), _spans(new, names[1], known))
    reasons = []
    for kind, title in _KINDS.items():
        for h in (h for h in hunks if not h.cosmetic and not h.structural):
            found: tuple[set[int], set[int]] = (set(), set())
            for s, (a, b) in enumerate(((h.o0, h.o1), (h.n0, h.n1))):
                for i in index[s][kind].hits(a, b):
                    span = index[s][kind].items[i]
                    found[s].add(i)
                    for x, y in align.map(span.start, span.end, s == 0):
                        found[1 - s].update(index[1 - s][kind].hits(x, y))
            olds, news = ([index[s][kind].items[i] for i in sorted(found[s])] for s in (0, 1))
            lost, got = _unmatched(olds, news, kind == "name")
            was, now = _show(lost), _show(got)
            if kind == "negation" and (lost or got):
                more = len(got) > len(lost)
                reasons.append(f"negation {'added' if more else 'removed'}: {now if more else was}")
            elif lost or got:
                verb = "changed" if lost and got else "added" if got else "removed"
                reasons.append(f"{title} {verb}: " + " → ".join(x for x in (was, now) if x))
    return reasons


def _spans(
    text: str, names: list[tuple[int, int, str, bool]], known: set[str]
) -> dict[str, _Index]:
    """Numbers, dates, amounts, modal verbs, negations and names found in the text."""
    out: dict[str, list[_Span]] = {kind: [] for kind in _KINDS}
    taken = bytearray(len(text))
    for start, end, _ in _Points(text, _paragraphs(text)).found:
        taken[start:end] = b"\1" * (end - start)  # «17.» is a label, not a number
    for kind, rx in _NUMERIC_RE:
        for m in rx.finditer(text):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = b"\1" * (m.end() - m.start())
                out[kind].append(_Span(m.start(), m.end(), _flat(m[0]), m[0]))
    out["modal"] = [_Span(m.start(), m.end(), _flat(m[0]), m[0]) for m in _MODAL.finditer(text)]
    for m in _NEGATION.finditer(text):
        g = "p" if m["p"] else "q"
        out["negation"].append(_Span(m.start(g), m.end(g), "neg", m[0]))
    out["name"] = [_Span(s, e, _name_key(w), w) for s, e, w, _ in names if _name_key(w) in known]
    return {kind: _Index(items) for kind, items in out.items()}


def _names(text: str) -> list[tuple[int, int, str, bool]]:
    """Capitalised words, each with whether it is surely a name: not a sentence start."""
    starts = [s.start for s in sentences(text)] or [0]
    found = []
    for m in _NAME.finditer(text):
        before = text[starts[max(0, bisect_right(starts, m.start()) - 1)] : m.start()]
        sure = set(_NON_WORD.sub(" ", re.sub(r"\d", "", before)).split()) - _LABEL_WORDS
        found.append(
            (m.start(), m.end(), m[0], bool(sure) or (m[0].isupper() and 1 < len(m[0]) < 7))
        )
    return found


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text.lower().translate(_YO))


def _name_key(word: str) -> str:
    return max(word_keys(word))  # the Russian stem of Cyrillic words


def _unmatched(
    olds: list[_Span], news: list[_Span], names: bool
) -> tuple[list[_Span], list[_Span]]:
    """Tokens of each side with no equal on the other; «России» equals «Россией»."""
    rest, lost = list(news), []
    for o in olds:
        same = [n for n in rest if n.key == o.key or (names and _same_name(o.shown, n.shown))]
        if same:
            rest.remove(same[0])
        else:
            lost.append(o)
    return lost, rest


def _same_name(a: str, b: str) -> bool:
    return not (
        term_word_keys(a).isdisjoint(word_keys(b)) and term_word_keys(b).isdisjoint(word_keys(a))
    )


def _show(spans: list[_Span]) -> str:
    out, prev = "", -2
    for s in spans[:4]:  # adjacent words read as one name: «Нур-Султан», «Владимир Путин»
        out += (" " if s.start == prev + 1 else ", ") * bool(out) + _clip(s.shown, 60)
        prev = s.end
    return out


def _rewording(new: str, hunks: list[_Hunk], points: _Points, paras: _Index) -> list[str]:
    """A sentence with several words changed, named by its point or paragraph."""
    starts = [s.start for s in sentences(new)] or [0]
    per: Counter[int] = Counter()
    for h in (h for h in hunks if not h.cosmetic and not h.structural):
        where = _strip(new, h.n0, h.n1)[0] if h.n1 > h.n0 else h.n0
        per[starts[max(0, bisect_right(starts, where) - 1)]] += max(h.words_in, h.words_out)
    if not per or (top := per.most_common(1)[0])[1] < _SUBSTANCE:
        return []
    place = points.at(top[0]) or f"paragraph {next(iter(paras.hits(top[0], top[0] + 1)), 0) + 1}"
    return [f"sentence reworded in {place}: {top[1]} words changed"]


def _example(h: _Hunk) -> str:
    was, now = _clip(h.deleted.strip(), 50), _clip(h.inserted.strip(), 50)
    if was and now:
        return f"wording changed: «{was}» → «{now}»"
    return f"words added: «{now}»" if now else f"words removed: «{was}»"


# --- text layout -------------------------------------------------------------------------


def _few(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" +{len(items) - limit} more" if len(items) > limit else "")


def _paras(numbers: list[int]) -> str:
    return ("paragraph " if len(numbers) == 1 else "paragraphs ") + _few([str(n) for n in numbers])


def _clip(line: str, limit: int) -> str:
    """`line` cut at a word boundary with an ellipsis when longer than `limit`."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def _fit(lines: list[str], max_chars: int | None) -> str:
    """Whole lines while they fit, then a «… +N more» line in place of the rest."""
    text = "\n".join(lines)
    if max_chars is None or len(text) <= max_chars:
        return text
    for keep in range(len(lines) - 1, 0, -1):
        text = "\n".join([*lines[:keep], f"… +{len(lines) - keep} more"])
        if len(text) <= max_chars:
            return text
    return _clip(lines[0], max_chars)
