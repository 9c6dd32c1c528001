"""What a change is about: tokens of meaning whose values differ across an edit.

Numbers (in digits or words), dates, percentages, amounts, modal verbs, negations
and names change what an agreement means; a change to any of them is "major".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from monitor.analysis.summary_places import NON_WORD, YO, Align, Hunk, Index, Span, strip
from monitor.analysis.summary_points import LABEL_WORDS, Points
from monitor.analysis.summary_words import (
    EN_MONTH,
    MODAL,
    MONTH,
    lemma_keys,
    number_runs,
    numeric_key,
    words,
)
from monitor.morph import sentences, term_word_keys, word_keys

_YEAR = r"\d{4}(?:\s*(?:года|году|г\.|жылғы|жыл\w*))?"
_NUM = r"(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?"  # «12 500», not «2025 150»
_MAGNITUDE = (
    r"(?:трлн|млрд|млн|тыс)\.?|(?:триллион|миллиард|миллион|тысяч|[mbtr]illion|thousand)\w*"
)
_CURRENCY = r"долл\w*|рубл\w*|тенге|теңге|евро|юан\w*|USD|EUR|RUB|KZT|CNY|dollars?|euros?|\$|€|₽|₸"
_PERCENT = r"%|процент\w*|percent|пайыз\w*"
_NUMERIC = (  # earlier kinds win where they overlap
    ("date", rf"\d{{1,2}}\s+{MONTH}(?:\s+{_YEAR})?|(?:{EN_MONTH})\s+\d{{1,2}},\s*\d{{4}}"
     rf"|{MONTH}\s+{_YEAR}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{4}}-\d\d-\d\d|{MONTH}"),
    ("percent", rf"{_NUM}\s*(?:{_PERCENT})"),
    ("amount", rf"[$€₽₸]\s*{_NUM}(?:\s*(?:{_MAGNITUDE}))?|{_NUM}\s*(?:{_CURRENCY})"
     rf"|{_NUM}\s*(?:{_MAGNITUDE})(?:\s*(?:{_CURRENCY}))?"),
    ("number", _NUM),
)  # fmt: skip
_ENDS_IN_MAGNITUDE = re.compile(rf"(?:{_MAGNITUDE})$", re.IGNORECASE)
_NUMERIC_RE = [(kind, re.compile(rf"(?<![\w.])(?:{rx})(?!\w)")) for kind, rx in _NUMERIC]
_UNIT_AFTER = (  # what follows a number in words makes it a percentage or an amount
    ("percent", re.compile(rf"\s*(?:{_PERCENT})(?!\w)")),
    ("amount", re.compile(rf"\s*(?:{_CURRENCY})(?!\w)")),
)
_NEGATION = re.compile(  # the particle, shown with the word it negates
    r"(?<!\w)(?:(?P<p>не|ни|нет|not|never|cannot|no(?!\.))(?!\w)(?:\s+\w+)?"
    r"|(?:\w+\s+)?(?P<q>емес)(?!\w))",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!\w)[A-ZА-ЯЁІӘҒҚҢӨҰҮҺ]\w*(?:-\w+)*")
# Treaty roles and instruments are capitalised by drafting convention («каждая из
# Сторон»), which makes them look like names; they are ordinary words.
_DEFINED_TERMS = frozenset(
    key
    for word in words(
        "Сторона Участник Договор Соглашение Конвенция Протокол Декларация Меморандум Устав "
        "Статья Приложение Party Parties Agreement Treaty Convention Protocol Declaration "
        "Memorandum Article Annex Charter Тарап Тараптар Келісім Шарт Хаттама Қосымша"
    )
    for key in lemma_keys(word, True)
)
SUBSTANCE = 5  # words changed in one sentence that make a rewording "moderate"
KINDS = {  # reasons come in this order: meaning first
    "modal": "modal verb", "negation": "negation", "date": "date", "percent": "percentage",
    "amount": "amount", "number": "number", "name": "name",
}  # fmt: skip


def signals(
    texts: tuple[str, str],
    paras: tuple[Index, Index],
    points: tuple[Points, Points],
    hunks: list[Hunk],
    align: Align,
) -> list[str]:
    """Reasons from meaningful tokens whose values differ across an edit.

    Each side takes the tokens an edit touches plus their counterparts through the
    unchanged text, so «12 ноября» → «12 ноября 2025» compares the whole dates. Tokens
    are looked for only in the paragraphs around the edits (and one either side):
    a one-word edit in a 40 KB treaty reads three paragraphs, not the treaty.
    """
    live = [h for h in hunks if not h.inert and not h.structural]
    if not live:
        return []
    near = tuple(
        _windows(paras[s], [(h.o0, h.o1) if s == 0 else (h.n0, h.n1) for h in live]) for s in (0, 1)
    )
    known = _Names(texts)
    for h in live:  # «Токаев» → «Назарбаев» at a sentence start: one known name for another
        for was, now, what in h.pairs:
            if what is None and was[:1].isupper() and now[:1].isupper() and known.has(was, now):
                known.also |= {was, now}
    index = tuple(_spans(texts[s], points[s], near[s], known) for s in (0, 1))
    reasons = []
    for kind, title in KINDS.items():
        for h in live:
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


def _windows(paras: Index, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The paragraphs the ranges touch and one either side, as merged text ranges."""
    picked: set[int] = set()
    for a, b in ranges:
        hit = paras.hits(max(0, a - 1), b + 1)
        if hit:
            picked.update(range(max(0, hit.start - 1), min(len(paras.items), hit.stop + 1)))
    out: list[tuple[int, int]] = []
    for i in sorted(picked):
        start, end = paras.items[i].start, paras.items[i].end
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


class _Names:
    """Which capitalised words are names: those capitalised mid-sentence somewhere.

    A capitalised word at a sentence start («Стороны договорились») is a name only if
    it, in some case form, is capitalised mid-sentence elsewhere in either version;
    treaty roles and instruments («Стороны», «Договор», «Parties») never are.
    """

    def __init__(self, texts: tuple[str, str]) -> None:
        self.texts = texts
        self.also: set[str] = set()  # paired with a known name in a one-word swap
        self._spelled: dict[str, list[tuple[int, int]]] | None = None

    def name(self, word: str, sure: bool) -> bool:
        if lemma_keys(word) & _DEFINED_TERMS:
            return False
        return sure or word in self.also or self.has(word)

    def has(self, *words: str) -> bool:
        """Whether a form of one of the words is capitalised mid-sentence somewhere."""
        if self._spelled is None:
            self._spelled = {}
            for t, text in enumerate(self.texts):
                for m in _NAME.finditer(text):
                    self._spelled.setdefault(m[0], []).append((t, m.start()))
        for w in words:
            if lemma_keys(w) & _DEFINED_TERMS:
                continue
            for other, where in self._spelled.items():
                if _forms(w).isdisjoint(word_keys(other)) and _forms(other).isdisjoint(
                    word_keys(w)
                ):
                    continue
                if any(_mid_sentence(self.texts[t], pos) for t, pos in where):
                    return True
        return False


@lru_cache(maxsize=4096)
def _forms(word: str) -> frozenset[str]:
    return term_word_keys(word)


def _mid_sentence(text: str, pos: int) -> bool:
    """Whether a word of the sentence comes before `pos` (labels and digits aside)."""
    start = text.rfind("\n", 0, pos) + 1
    starts = [start + s.start for s in sentences(text[start : pos + 1])] or [start]
    before = text[starts[-1] if starts[-1] <= pos else start : pos]
    return bool(set(NON_WORD.sub(" ", re.sub(r"\d", "", before)).split()) - LABEL_WORDS)


def _spans(
    text: str, points: Points, windows: list[tuple[int, int]], known: _Names
) -> dict[str, Index]:
    """Numbers, dates, amounts, modal verbs, negations and names in the windows."""
    out: dict[str, list[Span]] = {kind: [] for kind in KINDS}
    taken = bytearray(len(text))
    for p in points.points:
        taken[p.start : p.end] = b"\1" * (p.end - p.start)  # «17.» is a label, not a number
    for a, b in windows:
        for kind, rx in _NUMERIC_RE:
            for m in rx.finditer(text, a, b):
                if not any(taken[m.start() : m.end()]):
                    taken[m.start() : m.end()] = b"\1" * (m.end() - m.start())
                    out[kind].append(_numeric(kind, m.start(), m.end(), m[0]))
        for start, end, _ in number_runs(text, a, b):
            if any(taken[start:end]):
                continue
            # «пяти тысяч» is the amount «5 тысяч» is, not a bare number
            kind = "amount" if _ENDS_IN_MAGNITUDE.search(text, start, end) else "number"
            for unit, rx in _UNIT_AFTER:
                if after := rx.match(text, end, b):
                    kind, end = unit, after.end()
                    break
            taken[start:end] = b"\1" * (end - start)
            out[kind].append(_numeric(kind, start, end, text[start:end]))
        out["modal"] += (
            Span(m.start(), m.end(), _flat(m[0]), m[0]) for m in MODAL.finditer(text, a, b)
        )
        for m in _NEGATION.finditer(text, a, b):
            g = "p" if m["p"] else "q"
            out["negation"].append(Span(m.start(g), m.end(g), "neg", m[0]))
        for s, e, w, sure in _names(text, a, b):
            if known.name(w, sure):
                out["name"].append(Span(s, e, _name_key(w), w))
    return {kind: Index(sorted(items, key=lambda s: s.start)) for kind, items in out.items()}


def _numeric(kind: str, start: int, end: int, shown: str) -> Span:
    return Span(start, end, numeric_key(kind, shown), shown)


def _names(text: str, a: int, b: int) -> list[tuple[int, int, str, bool]]:
    """Capitalised words of text[a:b] (whole paragraphs), each with whether it is surely
    a name: not a sentence start."""
    starts = [a + s.start for s in sentences(text[a:b])] or [a]
    found = []
    for m in _NAME.finditer(text, a, b):
        before = text[starts[max(0, bisect_right(starts, m.start()) - 1)] : m.start()]
        sure = set(NON_WORD.sub(" ", re.sub(r"\d", "", before)).split()) - LABEL_WORDS
        found.append(
            (m.start(), m.end(), m[0], bool(sure) or (m[0].isupper() and 1 < len(m[0]) < 7))
        )
    return found


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text.lower().translate(YO))


def _name_key(word: str) -> str:
    return max(word_keys(word))  # the Russian stem of Cyrillic words


def _unmatched(olds: list[Span], news: list[Span], names: bool) -> tuple[list[Span], list[Span]]:
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


def _show(spans: list[Span]) -> str:
    out, prev = "", -2
    for s in spans[:4]:  # adjacent words read as one name: «Нур-Султан», «Владимир Путин»
        out += (" " if s.start == prev + 1 else ", ") * bool(out) + clip(s.shown, 60)
        prev = s.end
    return out


def clip(line: str, limit: int) -> str:
    """`line` cut at a word boundary with an ellipsis when longer than `limit`."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def rewording(new: str, hunks: list[Hunk], points: Points, paras: Index) -> list[str]:
    """A sentence with several words changed, named by its point or paragraph."""
    starts = [s.start for s in sentences(new)] or [0]
    per: dict[int, int] = {}
    for h in hunks:
        where = strip(new, h.n0, h.n1)[0] if h.n1 > h.n0 else h.n0
        at = starts[max(0, bisect_right(starts, where) - 1)]
        per[at] = per.get(at, 0) + max(h.words_in, h.words_out)
    if not per or (top := max(per.items(), key=lambda kv: kv[1]))[1] < SUBSTANCE:
        return []
    place = points.at(top[0]) or f"paragraph {next(iter(paras.hits(top[0], top[0] + 1)), 0) + 1}"
    return [f"sentence reworded in {place}: {top[1]} words changed"]
