"""Automatic extraction by consensus of three extractors.

Why three: measured on 282 real saved pages (bench/bench_realpages.py), each
extractor alone fails on pages where another succeeds — our heuristic
(monitor/extract/heuristic.py) is best on Russian pages, readability-lxml on English
ones, trafilatura rarely returns nothing — and the one whose text agrees most
with the other two (the medoid, by 4-gram word-shingle F1, the metric of the
article-extraction benchmarks) is right far more often than any of them alone.

Why pinning: once a document's text has come from one extractor, later fetches
of that document use the same one (`prefer`), so a small change in the page
cannot make the choice flip between extractors and the text jump with it. The
consensus runs again only when the pinned extractor finds nothing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from monitor.extract.blocktext import block_text, normalize_text
from monitor.extract.heuristic import main_text, prune_link_blocks

log = logging.getLogger(__name__)

Candidate = Callable[[str, Tag, str | None], str]
_WORD = re.compile(r"\w+")


def _heuristic(html: str, root: Tag, title: str | None) -> str:
    return main_text(root, title)


def _trafilatura(html: str, root: Tag, title: str | None) -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, deduplicate=False)
    return normalize_text(text or "")


def _readability(html: str, root: Tag, title: str | None) -> str:
    from readability import Document

    summary = BeautifulSoup(Document(html).summary(html_partial=True), "lxml")
    # readability keeps menus that share a container with the text (old table
    # layouts); its summary still has the links, so drop link-dense blocks.
    prune_link_blocks(summary, ("div", "section", "ul", "ol", "dl", "td"))
    return block_text(summary)


DISAGREE = 0.5  # below this shingle F1 between every pair, no consensus exists

# In order of preference when two candidates agree equally well (readability-lxml
# has the best mean F1 of the three on the real-page corpus).
CANDIDATES: dict[str, Candidate] = {
    "readability": _readability,
    "trafilatura": _trafilatura,
    "heuristic": _heuristic,
}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-gram multiset; a text shorter than n words is its own single shingle."""
    words = _WORD.findall(text)
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def agreement(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> float:
    """Shingle F1 of two texts (symmetric)."""
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    return 2 * common / (sum(a.values()) + sum(b.values()))


def choose(texts: dict[str, str]) -> str | None:
    """The candidate whose text agrees most with the others (None if all are empty)."""
    live = {name: shingles(text) for name, text in texts.items() if text.strip()}
    if not live:
        return None
    if len(live) == 1:
        return next(iter(live))
    names = list(live)
    pairs = {
        (a, b): agreement(live[a], live[b]) for i, a in enumerate(names) for b in names[i + 1 :]
    }
    if "heuristic" in live and max(pairs.values()) < DISAGREE:
        # No two agree: the medoid would be whichever text is the union of the
        # others (a whole-page dump). Ours anchors on the headline; on the corpus
        # it is the best of the three on such pages.
        return "heuristic"
    score = {name: sum(v for pair, v in pairs.items() if name in pair) for name in names}
    order = list(CANDIDATES)
    return max(names, key=lambda name: (score[name], -order.index(name)))


def _run(name: str, html: str, root: Tag, title: str | None) -> str:
    try:
        return CANDIDATES[name](html, root, title)
    except Exception as exc:  # a library's bug on one page must not fail the document
        log.debug("extractor %s failed: %s", name, exc)
        return ""


def auto_text(
    html: str, root: Tag, title: str | None, prefer: str | None = None
) -> tuple[str, str, list[str]]:
    """(text, extractor chosen, extractors consulted). `root` is mutated by the heuristic,
    so it runs last."""
    if prefer in CANDIDATES:
        text = _run(prefer, html, root, title)
        if text:
            return text, prefer, [prefer]
    menus = _menu_lines(root)
    texts = {name: _run(name, html, root, title) for name in CANDIDATES}
    for name, text in texts.items():
        if text and set(text.split("\n")) <= menus:
            texts[name] = ""  # only the page's menus: no article here
    chosen = choose(texts)
    return (texts[chosen] if chosen else ""), (chosen or "none"), list(texts)


def _menu_lines(root: Tag) -> set[str]:
    """The lines of the page's navigation menus (read before the heuristic prunes)."""
    lines: set[str] = set()
    for menu in root.find_all(["nav", "menu"]) + root.find_all(role="navigation"):
        lines.update(block_text(menu).split("\n"))
    return lines
