"""Extract stage: HTML in, normalized main text (plus title and date) out.

The text is what gets hashed and versioned, so it must be identical from fetch
to fetch of an unchanged document: boilerplate is dropped and invisible
differences (NBSP, soft hyphens, zero-width characters, spacing) are erased.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag
from bs4.element import CData, ProcessingInstruction

EXTRACTOR_VERSION = "heuristic-2"


class ExtractionError(Exception):
    """The page could not yield a main text (unparsable, selector matched nothing, empty)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    published_at: datetime | None
    # <link rel="canonical"> and linked PDF/DOCX files, as written in the page
    # (relative URLs are resolved by the caller, who knows the final URL).
    canonical: str | None = None
    attachments: list[str] = field(default_factory=list)


# --- normalization -----------------------------------------------------------

_DROP_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_SPACE_CHARS = dict.fromkeys(
    map(
        ord,
        "\u00a0\u202f\u2007\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009"
        "\u200a\u205f\u3000\t\f\v",
    ),
    " ",
)
_TRANSLATE = {**_DROP_CHARS, **_SPACE_CHARS, ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n"}
_SPACES = re.compile(r" {2,}")


def normalize_text(text: str) -> str:
    """One paragraph per line, single spaces, no invisible characters."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rules_fingerprint(select: str | None, remove: Sequence[str]) -> str:
    """Changes whenever extraction of the same bytes could give a different text."""
    key = "\x1f".join([EXTRACTOR_VERSION, select or "", *remove])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- block-aware text ----------------------------------------------------------

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "center",
    ]
)
_SKIP_STRINGS = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
_NEWLINE = object()
_LINE_BREAKS = re.compile(r"[\r\n]+")
_NEVER_TEXT = frozenset(
    ["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "head"]
)


def block_text(node: Tag) -> str:
    """Text with a line break around every block element, so paragraphs stay lines.

    Line breaks inside text nodes are just spaces in HTML (except in <pre>), so a
    page re-wrapped by its CMS gives the same text.
    """
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(node, False)]
    while stack:
        item, in_pre = stack.pop()
        if isinstance(item, NavigableString):
            if not isinstance(item, _SKIP_STRINGS):
                parts.append(str(item) if in_pre else _LINE_BREAKS.sub(" ", str(item)))
        elif isinstance(item, Tag):
            name = item.name
            if name in _NEVER_TEXT:
                continue
            if name == "br":
                parts.append("\n")
                continue
            if name in BLOCK_TAGS:
                parts.append("\n")
                stack.append((_NEWLINE, False))
            child_pre = in_pre or name == "pre"
            stack.extend((child, child_pre) for child in reversed(item.contents))
        elif item is _NEWLINE:
            parts.append("\n")
    return normalize_text("".join(parts))


# --- boilerplate removal ---------------------------------------------------------

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


def _is_boilerplate_name(attrs: dict[str, object]) -> bool:
    tokens = [str(c) for c in attrs.get("class") or ()]  # type: ignore[attr-defined]
    if attrs.get("id"):
        tokens.append(str(attrs["id"]))
    names = " ".join(tokens)
    if not names.strip():
        return False
    if any(_BOILERPLATE_TAIL.search(token) for token in tokens):
        return True
    return bool(_BOILERPLATE_NAME.search(names)) and not _MAIN_HINT.search(names)


def _strip_boilerplate(root: Tag) -> None:
    for tag in root.find_all(_BOILERPLATE_TAGS):
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
        if not tag.decomposed:
            tag.decompose()


def _text_len(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _link_density(tag: Tag) -> float:
    total = _text_len(tag)
    if not total:
        return 1.0
    linked = sum(_text_len(a) for a in tag.find_all("a"))
    return linked / total


def _prune_link_blocks(main: Tag) -> None:
    """Drop link lists inside the main block: "read also" inserts, tag clouds, share bars."""
    for tag in main.find_all(["div", "section", "ul", "ol", "dl"]):
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


# --- metadata -----------------------------------------------------------------------


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def _title(soup: BeautifulSoup, main: Tag) -> str | None:
    h1 = main.find("h1") or soup.find("h1")
    candidates = [
        _meta(soup, "og:title", "twitter:title"),
        h1.get_text(" ", strip=True) if isinstance(h1, Tag) else None,
        soup.title.get_text(" ", strip=True) if soup.title else None,
    ]
    for value in candidates:
        if value:
            return normalize_text(value.replace("\n", " "))[:1000] or None
    return None


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    for candidate in (value, value[:25], value[:19], value[:10]):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _published(soup: BeautifulSoup) -> datetime | None:
    value = _meta(soup, "article:published_time", "datePublished", "pubdate", "date", "dc.date")
    if not value:
        tag = soup.find(attrs={"itemprop": "datePublished"})
        if isinstance(tag, Tag):
            value = str(tag.get("content") or tag.get("datetime") or "")
    if not value:
        tag = soup.find("time", attrs={"datetime": True})
        if isinstance(tag, Tag):
            value = str(tag["datetime"])
    return parse_datetime(value)


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        if "canonical" in [r.lower() for r in (rel if isinstance(rel, list) else [rel])]:
            href = str(link["href"]).strip()
            return href or None
    return None


_ATTACHMENT = re.compile(r"\.(pdf|docx)(?:$|[?#])", re.IGNORECASE)


def _attachments(soup: BeautifulSoup) -> list[str]:
    found: list[str] = []
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if _ATTACHMENT.search(href) and href not in found:
            found.append(href)
    return found


# --- public entry point ------------------------------------------------------------


def extract(html: str, *, select: str | None = None, remove: Sequence[str] = ()) -> Extracted:
    """Apply `remove`, then `select`; without a selector find the main block automatically."""
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception as exc:  # lxml raises a zoo of errors on truly broken input
        raise ExtractionError(f"unparsable HTML: {exc}") from exc
    if soup.find() is None:
        raise ExtractionError("the page has no HTML elements")
    title_soup_title = soup.title.get_text(" ", strip=True) if soup.title else None
    published = _published(soup)
    canonical = _canonical(soup)
    attachments = _attachments(soup)
    for css in remove:
        for tag in soup.select(css):
            tag.decompose()
    if select:
        nodes = soup.select(select)
        if not nodes:
            raise ExtractionError(f"selector {select!r} matched nothing")
        text = normalize_text("\n".join(block_text(node) for node in nodes))
        main: Tag = nodes[0]
    else:
        root = soup.body or soup
        _strip_boilerplate(root)
        main = _main_block(root, _meta(soup, "og:title", "twitter:title") or title_soup_title)
        _prune_link_blocks(main)
        text = block_text(main)
    if not text:
        raise ExtractionError("no text found in the main block")
    title = _title(soup, main) or title_soup_title
    return Extracted(
        text=text,
        title=title,
        published_at=published,
        canonical=canonical,
        attachments=attachments,
    )
