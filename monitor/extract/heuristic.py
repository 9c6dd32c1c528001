"""Our own main-block heuristic: paragraph scoring near the headline.

One of the candidates of automatic extraction (monitor/extract/consensus.py). Why keep a
heuristic of our own next to two libraries: it is the best of the three on the
Russian pages of the real-page corpus, and where the libraries disagree it is
the third vote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4 import NavigableString, Tag

from monitor.extract.blocktext import _NEVER_TEXT, _SKIP_STRINGS, BLOCK_TAGS, block_text

_BOILERPLATE_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "menu",
    "dialog",
]
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu"}
_BOILERPLATE_WORDS = (
    r"nav|navbar|menu|breadcrumbs?|sidebar|side-bar|footer|header|masthead|related|"
    r"recommend\w*|popular|most-read|trending|share|sharing|social|subscribe|newsletter|comments?|"
    r"counter|views?|banner|advert\w*|ads?|promo|cookie\w*|widget|tags|rubrics?|"
    r"read-also|see-also|more-news|news-feed|lenta|teaser"
)
_BOILERPLATE_NAME = re.compile(rf"(^|[-_\s])({_BOILERPLATE_WORDS})([-_\s]|$)", re.IGNORECASE)
# The last word of a compound class names the thing ("article__views", "post-share",
# "content_main_meta_views"): such a class is boilerplate even with a main-text hint in it.
_BOILERPLATE_TAIL = re.compile(
    r"(?<!with)(?<!has)(?<!no)[-_](nav|menu|breadcrumbs?|sidebar|footer|related|recommend\w*|"
    r"popular|most-read|trending|share|sharing|social|subscribe|newsletter|comments?|counter|"
    r"views|banner|advert\w*|ads?|promo|cookie\w*|widget|tags|read-also|see-also|more-news)$",
    re.IGNORECASE,
)
_MAIN_HINT = re.compile(
    r"(article|content|text|body|entry|post|story|material|news-text)", re.IGNORECASE
)


def _is_boilerplate_name(attrs: Mapping[str, object]) -> bool:
    tokens = [str(c) for c in attrs.get("class") or ()]  # type: ignore[attr-defined]
    if attrs.get("id"):
        tokens.append(str(attrs["id"]))
    names = " ".join(tokens)
    if not names.strip():
        return False
    if any(_BOILERPLATE_TAIL.search(token) for token in tokens):
        return True
    return bool(_BOILERPLATE_NAME.search(names)) and not _MAIN_HINT.search(names)


_NEVER_TEXT_TAGS = frozenset(["script", "style", "noscript", "template", "svg", "iframe"])


def _holds_the_article(tag: Tag, total: int) -> bool:
    """Whether removing `tag` would take the article with it.

    Names and wrappers lie on real pages: ASP.NET wraps the whole page in one
    <form>, Blogger's article sits in `div.widget.Blog`, Elementor's in
    `elementor-widget-container`, a kommersant.ru article in `div.lenta_top_doc`.
    A "boilerplate" element that holds the headline, explicit article markup or
    a large share of the page's text is a wrapper, not furniture.
    """
    if tag.find(["h1", "article"]) is not None or tag.find(itemprop="articleBody"):
        return True
    return total > 0 and _text_len(tag) > 0.4 * total


def _strip_boilerplate(root: Tag) -> None:
    for tag in root.find_all(_NEVER_TEXT_TAGS):
        tag.decompose()
    total = _text_len(root)
    for tag in root.find_all(_BOILERPLATE_TAGS):
        if not tag.decomposed and not _holds_the_article(tag, total):
            tag.decompose()
    doomed: list[Tag] = []
    for tag in root.find_all(True):
        if tag.name in ("html", "body", "main", "article"):
            continue
        attrs = tag.attrs or {}
        role = attrs.get("role")
        if role in _BOILERPLATE_ROLES or attrs.get("hidden") is not None:
            doomed.append(tag)
            continue
        if attrs.get("aria-hidden") == "true":
            doomed.append(tag)
            continue
        if _is_boilerplate_name(attrs):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed and not _holds_the_article(tag, total):
            tag.decompose()


def _text_len(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _link_density(tag: Tag) -> float:
    total = _text_len(tag)
    if not total:
        return 1.0
    linked = sum(_text_len(a) for a in tag.find_all("a"))
    return linked / total


_LINK_BLOCKS = ("div", "section", "ul", "ol", "dl")


def prune_link_blocks(main: Tag, blocks: tuple[str, ...] = _LINK_BLOCKS) -> None:
    """Drop link lists inside the main block: "read also" inserts, tag clouds, share bars."""
    for tag in main.find_all(list(blocks)):
        if not tag.decomposed and tag.find("a") is not None and _link_density(tag) > 0.5:
            tag.decompose()


# Elements whose text is one paragraph even when it has <br>s in it.
_PARAGRAPH_TAGS = frozenset(["p", "pre", "li", "dt", "dd", "th", "h1", "h2", "h3", "h4"])


def _runs(tag: Tag) -> tuple[bool, list[str]]:
    """Whether `tag` has block children, and its own text split at block children and <br>s."""
    runs: list[str] = []
    current: list[str] = []
    has_block = False
    for child in tag.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _SKIP_STRINGS):
                current.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in _NEVER_TEXT:
            continue
        if child.name in BLOCK_TAGS or child.name == "br":
            has_block = has_block or child.name != "br"
            runs.append(" ".join("".join(current).split()))
            current = []
        else:
            current.append(child.get_text(" "))
    runs.append(" ".join("".join(current).split()))
    return has_block, [r for r in runs if r]


def _units(root: Tag) -> list[tuple[str, Tag]]:
    """Paragraph-like text units, each with the element that holds it as a paragraph.

    A <p> (or a div with nothing but inline content) is a unit held by its parent;
    text written straight into a container between <br>s gives one unit per run,
    held by the container itself (old sites without <p>).
    """
    units: list[tuple[str, Tag]] = []
    for tag in root.find_all(True):
        if tag.name not in BLOCK_TAGS and tag.name != "p":
            continue
        has_block, runs = _runs(tag)
        if not runs:
            continue
        if not has_block and (len(runs) == 1 or tag.name in _PARAGRAPH_TAGS):
            if isinstance(tag.parent, Tag):
                units.append((tag.get_text(" ", strip=True), tag.parent))
        else:
            units.extend((run, tag) for run in runs)
    return units


_PROSE_END = re.compile(r"[.!?…:;»\"”)]$")


def _is_prose(text: str) -> bool:
    """Sentences, not labels: headlines, dates, counters and menu lines rarely end in a stop."""
    return len(text) >= 80 or (len(text) >= 20 and bool(_PROSE_END.search(text)))


def _headline_anchor(root: Tag, title: str | None) -> Tag | None:
    """The grandparent of the headline (the og:title text, else the only <h1>).

    The article text is nearly always under it; site footers and sidebars are not.
    """
    want = " ".join((title or "").split())
    head: Tag | None = None
    if want:
        for string in root.find_all(string=True):
            if not isinstance(string, _SKIP_STRINGS) and " ".join(string.split()) == want:
                head = string.parent
                break
    if head is None:
        h1 = root.find_all("h1")
        head = h1[0] if len(h1) == 1 else None
    while head is not None and head.name not in BLOCK_TAGS and head.name != "p":
        head = head.parent
    for _ in range(2):
        if head is not None and isinstance(head.parent, Tag) and head is not root:
            head = head.parent
    return head


def _main_block(root: Tag, title: str | None = None) -> Tag:
    """Pick the element that holds the article: explicit markup first, then paragraph scoring.

    <main> only narrows the search: it often holds sidebars and teasers too.
    """
    for css in ('[itemprop="articleBody"]', "article"):
        found = [t for t in root.select(css) if _text_len(t) > 0]
        if found:
            return max(found, key=_text_len)
    for css in ("main", '[role="main"]'):
        found = [t for t in root.select(css) if _text_len(t) > 0]
        if found:
            root = max(found, key=_text_len)
            break
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    for text, holder in _units(root):
        if not _is_prose(text):
            continue
        score = 1 + min(len(text) / 100, 3) + text.count(",") * 0.1
        for depth, ancestor in enumerate((holder, holder.parent)):
            if isinstance(ancestor, Tag):
                scores[id(ancestor)] = scores.get(id(ancestor), 0) + score / (1 + depth)
                nodes[id(ancestor)] = ancestor
    if not scores:
        return root
    anchor = _headline_anchor(root, title)
    near = {id(t) for t in anchor.find_all(True)} | {id(anchor)} if anchor else set()
    # Weight = score x (1 - link density) x 2 near the headline. Link density is costly,
    # so go down the candidates by their upper bound and stop once none can win.
    bounds = sorted(((scores[k] * (2 if k in near else 1), k) for k in scores), reverse=True)
    best, best_weight = bounds[0][1], -1.0
    for bound, k in bounds:
        if bound <= best_weight:
            break
        weight = bound * (1 - _link_density(nodes[k]))
        if weight > best_weight:
            best, best_weight = k, weight
    return nodes[best]


def main_text(root: Tag, title: str | None) -> str:
    """The text of the article block found in `root` (which this mutates)."""
    _strip_boilerplate(root)
    main = _main_block(root, title)
    prune_link_blocks(main)
    return block_text(main)
