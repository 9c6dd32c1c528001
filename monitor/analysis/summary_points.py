"""Treaty points of a text, and which points of two versions are the same point.

Points are labels at a paragraph start («17.», «п. 17», «Статья 5», «5-бап»,
«Article 3»); mid-text «согласно п. 17» is a reference, not a point. Points of two
versions are paired by their text through the diff, not by their labels, so that
inserting a point before п. 7 reads as one point added and «п. 7–41 → п. 8–42»
renumbered, not as 35 points changed and п. 42 added.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from monitor.analysis.summary_places import Align, Span, strip

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
LABEL_WORDS = {"п", "пункт", "Пункт", "Статья", "СТАТЬЯ", "Article", "ARTICLE", "бап", "тармақ"}

_SAME_SHAPE = 0.5  # share of a point's text that must survive for it to be the same point


@dataclass(frozen=True, slots=True)
class Point:
    start: int  # of the label, at a paragraph start
    end: int  # of the label
    stop: int  # of its text: the next point, or for an article the next article
    label: str
    number: str
    parent: int | None  # index of the enclosing article, for an item
    style: str  # "item", or the article word: "Статья", "Article", "бап"


class Points:
    """Treaty points by paragraph start; numbered items nest in the current article."""

    def __init__(self, text: str, paras: list[Span]) -> None:
        self.text = text
        found: list[tuple[int, int, str, str, int | None, str]] = []
        article: int | None = None
        for p in paras:
            if m := _ARTICLE.match(text, p.start, p.end):
                style = m["word"].capitalize() if m["word"] else "бап"
                number = m["num"] or m["bap"]
                article = len(found)
                found.append((p.start, m.end(), article_label(style, number), number, None, style))
            elif m := _ITEM.match(text, p.start, p.end):
                n = m["a"] or m["b"] or m["c"] or m["d"]
                parent = found[article][2] if article is not None else None
                found.append((p.start, m.end(), item_label(parent, n), n, article, "item"))
        starts = [f[0] for f in found] + [len(text)]
        articles = [f[0] for f in found if f[5] != "item"] + [len(text)]
        self.points = [
            Point(s, e, articles[bisect_right(articles, s)] if style != "item" else starts[k + 1],
                  label, n, parent, style)
            for k, (s, e, label, n, parent, style) in enumerate(found)
        ]  # fmt: skip
        self.starts, self.labels = starts[:-1], [p.label for p in self.points]

    def index_at(self, pos: int) -> int | None:
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 else None

    def at(self, pos: int) -> str | None:
        i = self.index_at(pos)
        return None if i is None else self.labels[i]

    def within(self, a: int, b: int) -> range:
        """Indices of the points that the text [a, b), trimmed of whitespace, falls in."""
        if a == b:
            return range(0)
        a, b = strip(self.text, a, b)
        first, last = (bisect_right(self.starts, x) - 1 for x in (a, max(a, b - 1)))
        return range(max(first, 0), last + 1)


def article_label(style: str, n: str) -> str:
    return f"{n}-бап" if style == "бап" else f"{style} {n}"


def item_label(article: str | None, n: str) -> str:
    """«п. 3»; inside an article «Статья 5, п. 3», «Article 5(3)» or «5-бап 3-тармақ»."""
    if article is None:
        return f"п. {n}"
    if article.startswith("Article"):
        return f"{article}({n})"
    return f"{article} {n}-тармақ" if article.endswith("бап") else f"{article}, п. {n}"


def pair_points(old: Points, new: Points, align: Align) -> dict[int, int]:
    """Old point index → new point index for the points that are the same point.

    A point is the same if most of its text survives into one new point of its kind
    (articles into articles, items into items); what is left pairs by equal labels,
    so a point rewritten in place is "changed", not removed and added.
    """
    candidates = []
    for i, p in enumerate(old.points):
        a, b = strip(old.text, p.end, p.stop)
        score: Counter[int] = Counter()
        for x, y in align.map(a, b) if a < b else ():
            j = new.index_at(x)
            if j is not None and (new.points[j].style == "item") != (p.style == "item"):
                j = new.points[j].parent if p.style != "item" else None
            if j is not None:
                score[j] += y - x
        if score and (best := score.most_common(1)[0])[1] >= _SAME_SHAPE * (b - a):
            candidates.append((-best[1], i, best[0]))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(candidates):  # the best-kept point first
        if j not in taken:
            pairs[i] = j
            taken.add(j)
    free: dict[str, list[int]] = {}
    for j, q in enumerate(new.points):
        if j not in taken:
            free.setdefault(q.label, []).append(j)
    for i, p in enumerate(old.points):
        if i not in pairs and free.get(p.label):
            pairs[i] = free[p.label].pop(0)
    return pairs


def moved(old: Points, new: Points, pairs: dict[int, int]) -> list[tuple[int, int]]:
    """Paired points whose own number changed; an item whose article was renumbered
    keeps its own number and is carried along, not listed."""
    return sorted((i, j) for i, j in pairs.items() if old.points[i].number != new.points[j].number)


def renumbered(old: Points, new: Points, pairs: dict[int, int]) -> list[str]:
    """The renumbered points, consecutive ones in one line: «п. 7–41 → п. 8–42»."""
    runs: list[list[tuple[int, int]]] = []
    for i, j in moved(old, new, pairs):
        if runs and _continues(old, new, runs[-1][-1], (i, j)):
            runs[-1].append((i, j))
        else:
            runs.append([(i, j)])
    out = []
    for run in runs:
        (i0, j0), (i1, j1) = run[0], run[-1]
        if len(run) == 1:
            out.append(f"{old.labels[i0]} → {new.labels[j0]}")
            continue
        sides = []
        for pts, k0, k1 in ((old, i0, i1), (new, j0, j1)):
            p, q = pts.points[k0], pts.points[k1]
            span = f"{p.number}–{q.number}"
            parent = pts.labels[p.parent] if p.parent is not None else None
            label = item_label(parent, span) if p.style == "item" else article_label(p.style, span)
            sides.append(label)
        out.append(" → ".join(sides))
    return out


def _continues(old: Points, new: Points, prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    """Whether `cur` extends a run of renumbered points that ends with `prev`."""
    (pi, pj), (ci, cj) = prev, cur
    a, b, c, d = old.points[pi], old.points[ci], new.points[pj], new.points[cj]
    if not all(x.number.isdigit() for x in (a, b, c, d)):
        return False
    return (
        (a.parent, a.style, c.parent, c.style) == (b.parent, b.style, d.parent, d.style)
        and int(b.number) == int(a.number) + 1
        and int(d.number) - int(b.number) == int(c.number) - int(a.number)
    )
