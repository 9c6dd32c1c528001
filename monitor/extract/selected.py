"""The selector path on lxml: a source with a plain `select:` builds no BeautifulSoup tree.

Why: building the BeautifulSoup tree was ~60 % of extracting a 45 KB page with
a selector (and a third of a whole first check cycle), while lxml parses the
same page in under a millisecond. For a plain selector — type, class and id
parts joined by descendant or child combinators, what `check_css` accepts
without soupsieve, and what nearly every source writes — this module reads
from one lxml tree exactly what `article.extract` reads from the soup: the
metadata, title, date, canonical URL, attachments, the removed and selected
elements and their block text.

It must give the same `Extracted` as the BeautifulSoup path, byte for byte,
or a stored document would change version when it moves from one path to the
other. So it follows BeautifulSoup's rules where they are subtle (which
strings `get_text` counts, how `class` and `rel` split, `find` searching
descendants only), and tests/extract/test_selected.py compares the two paths
on real saved pages and on generated ones. Anything it does not handle (another
selector, a document lxml will not parse) returns None, and the caller takes
the BeautifulSoup path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from lxml import etree, html

# the same tags and line breaks as blocktext.block_text, which this mirrors for lxml
from monitor.extract.blocktext import _LINE_BREAKS, _NEVER_TEXT, BLOCK_TAGS, normalize_text
from monitor.extract.page import (
    MAX_HTML_DEPTH,
    Extracted,
    ExtractionError,
    check_element_count,
    parse_datetime,
    too_deep,
)
from monitor.extract.pagemeta import ATTACHMENT, split_metadata
from monitor.extract.region import locate_in

__all__ = ["extract_selected", "parse_plain"]

# --- plain selectors ------------------------------------------------------------------

# One compound: an optional type (or *) and any number of .class / #id parts; the
# same grammar as monitor/config/types.py's check_css.
_COMPOUND = re.compile(r"([a-zA-Z][\w-]*|\*)?((?:[.#]-?[A-Za-z_][\w-]*)*)")
_NAMED = re.compile(r"([.#])(-?[A-Za-z_][\w-]*)")
_COMBINATOR = re.compile(r"\s*>\s*|\s+")
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# (type or None, classes, ids)
Compound = tuple[str | None, tuple[str, ...], tuple[str, ...]]
# compounds left to right, and the combinator before each one after the first
Complex = tuple[tuple[Compound, ...], tuple[str, ...]]


def _compound(match: re.Match[str]) -> Compound:
    kind, named = match.groups()
    parts = _NAMED.findall(named or "")
    # soupsieve compares HTML type names in ASCII lower case; lxml's are lowered.
    name = None if kind in (None, "*") else kind.translate(_ASCII_UPPER)
    classes = tuple(value for mark, value in parts if mark == ".")
    ids = tuple(value for mark, value in parts if mark == "#")
    return name, classes, ids


def parse_plain(selector: str) -> tuple[Complex, ...] | None:
    """The selector's alternatives, or None if it is not a plain selector."""
    alternatives: list[Complex] = []
    for part in selector.split(","):
        part = part.strip()
        if not part:
            return None
        compounds: list[Compound] = []
        combinators: list[str] = []
        at = 0
        while True:
            match = _COMPOUND.match(part, at)
            if match is None or match.end() == at:
                return None
            compounds.append(_compound(match))
            at = match.end()
            if at == len(part):
                break
            between = _COMBINATOR.match(part, at)
            if between is None:
                return None
            combinators.append(">" if ">" in between.group() else " ")
            at = between.end()
        alternatives.append((tuple(compounds), tuple(combinators)))
    return tuple(alternatives)


def _matches(element: etree._Element, compound: Compound) -> bool:
    name, classes, ids = compound
    if name is not None and element.tag != name:
        return False
    if classes:
        # BeautifulSoup splits class on any whitespace (Python's \S+), so does this.
        present = (element.get("class") or "").split()
        if any(wanted not in present for wanted in classes):
            return False
    return all(element.get("id", "") == wanted for wanted in ids)


def _matches_complex(element: etree._Element, selector: Complex, index: int) -> bool:
    compounds, combinators = selector
    if not _matches(element, compounds[index]):
        return False
    if index == 0:
        return True
    parent = element.getparent()
    if combinators[index - 1] == ">":
        return parent is not None and _matches_complex(parent, selector, index - 1)
    while parent is not None:
        if _matches_complex(parent, selector, index - 1):
            return True
        parent = parent.getparent()
    return False


def _select(root: etree._Element, selectors: tuple[Complex, ...]) -> list[etree._Element]:
    """Every element matching any alternative, once each, in document order.

    Like soupsieve, nothing inside a <template> matches: its contents are not
    part of the document until a script puts them there. Where every alternative
    names its element type, lxml walks only those elements (in C, in document
    order)."""
    kinds = {compounds[-1][0] for compounds, _ in selectors}
    elements = root.iter(*kinds) if None not in kinds else root.iter(tag=etree.Element)
    hidden = {e for t in root.iter("template") for e in t.iterdescendants(tag=etree.Element)}
    return [
        element
        for element in elements
        if element not in hidden
        and any(_matches_complex(element, s, len(s[0]) - 1) for s in selectors)
    ]


# --- text as BeautifulSoup reads it -----------------------------------------------------

# Tags whose strings BeautifulSoup gives a special class (Script, Stylesheet, …),
# which `get_text` leaves out.
_STRING_CONTAINERS = frozenset(["rt", "rp", "style", "script", "template"])


def _block_parts(element: etree._Element, in_pre: bool, parts: list[str]) -> None:
    name = element.tag
    if not isinstance(name, str) or name in _NEVER_TEXT:
        return  # comments and processing instructions say nothing; their tails do
    if name == "br":
        parts.append("\n")
        return
    block = name in BLOCK_TAGS
    if block:
        parts.append("\n")
    pre = in_pre or name == "pre"
    if element.text:
        parts.append(element.text if pre else _LINE_BREAKS.sub(" ", element.text))
    for child in element:
        _block_parts(child, pre, parts)
        if child.tail:
            parts.append(child.tail if pre else _LINE_BREAKS.sub(" ", child.tail))
    if block:
        parts.append("\n")


def block_text(element: etree._Element) -> str:
    """monitor.extract.blocktext.block_text, for an lxml element."""
    parts: list[str] = []
    _block_parts(element, False, parts)
    return normalize_text("".join(parts))


def _strings(element: etree._Element, contained: bool = False) -> Iterator[str]:
    """The strings BeautifulSoup's `get_text` counts, in order: text, not comments,
    processing instructions or the contents of script, style, template, rt, rp."""
    if not isinstance(element.tag, str):
        return
    contained = contained or element.tag in _STRING_CONTAINERS
    if element.text and not contained:
        yield element.text
    for child in element:
        yield from _strings(child, contained)
        if child.tail and not contained:
            yield child.tail


def get_text(element: etree._Element) -> str:
    """BeautifulSoup's `get_text(" ", strip=True)`."""
    inside = any(e.tag in _STRING_CONTAINERS for e in element.iterancestors())
    return " ".join(s for s in (string.strip() for string in _strings(element, inside)) if s)


# --- metadata, as article.py reads it ----------------------------------------------------

Metas = tuple[dict[str, str], dict[str, str]]
# The first element of each kind in document order, found in C.
_DATE_PUBLISHED = etree.XPath("(//*[@itemprop='datePublished'])[1]")
_TIME_WITH_DATETIME = etree.XPath("(//time[@datetime])[1]")


def _first(root: etree._Element, tag: str) -> etree._Element | None:
    return next(root.iter(tag), None)


def metas_of(tags: Iterable[Any]) -> Metas:
    """The page's `<meta content=…>` by `property` and by `name`, the first of each,
    from its meta elements (lxml's or BeautifulSoup's: both have `.get`).

    Read in one pass: a search of the whole tree per wanted name cost more than
    the rest of the metadata together."""
    by_property: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for tag in tags:
        content = tag.get("content")
        if not content:
            continue
        for attr, found in (("property", by_property), ("name", by_name)):
            key = tag.get(attr)
            if isinstance(key, str):
                found.setdefault(key, str(content).strip())
    return by_property, by_name


def meta(metas: Metas, *names: str) -> str | None:
    """The first of `names` the page states (as a property, else as a name);
    shared with the BeautifulSoup path, which reads `metas` from its own tree."""
    for name in names:
        value = metas[0].get(name) or metas[1].get(name)
        if value:
            return value
    return None


# Where each path reads its date from `<meta>`, in this order of preference.
PUBLISHED_METAS = ("article:published_time", "datePublished", "pubdate", "date", "dc.date")
TITLE_METAS = ("og:title", "twitter:title")


def first_title(candidates: Sequence[str | None]) -> str | None:
    """The first candidate title that says something, normalised and bounded."""
    for value in candidates:
        if value:
            return normalize_text(value.replace("\n", " "))[:1000] or None
    return None


def _published(root: etree._Element, metas: Metas) -> str | None:
    value = meta(metas, *PUBLISHED_METAS)
    if not value:
        found = _DATE_PUBLISHED(root)
        if found:
            value = found[0].get("content") or found[0].get("datetime") or ""
    if not value:
        found = _TIME_WITH_DATETIME(root)
        if found:
            value = found[0].get("datetime", "")
    return value


def _canonical(root: etree._Element) -> str | None:
    for link in root.iter("link"):
        href = link.get("href")
        if href is None:
            continue
        if "canonical" in [r.lower() for r in (link.get("rel") or "").split()]:
            return href.strip() or None
    return None


def _attachments(root: etree._Element) -> list[str]:
    found: list[str] = []
    for a in root.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        href = href.strip()
        if ATTACHMENT.search(href) and href not in found:
            found.append(href)
    return found


def _title(root: etree._Element, main: etree._Element, metas: Metas) -> str | None:
    h1 = next(main.iterdescendants("h1"), None)
    if h1 is None:
        h1 = _first(root, "h1")
    title = _first(root, "title")
    return first_title(
        [
            meta(metas, *TITLE_METAS),
            get_text(h1) if h1 is not None else None,
            get_text(title) if title is not None else None,
        ]
    )


# An element with MAX_HTML_DEPTH ancestors, found in C on the tree already built:
# the same bound check_parse_work puts on the BeautifulSoup path, without its pull
# parse (which cost as much as this whole extraction).
_TOO_DEEP = etree.XPath(f"boolean(//*[ancestor::*[{MAX_HTML_DEPTH}]])")
_END_HTML = re.compile(r"</html\s*>", re.IGNORECASE)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)


def _parse(page: str) -> etree._Element | None:
    """The page as one lxml document, or None where BeautifulSoup would read it otherwise.

    Markup after the closing </html> is one such place: lxml's tree drops it,
    BeautifulSoup keeps it in a second <html>."""
    end = max((match.end() for match in _END_HTML.finditer(page)), default=None)
    if end is not None and _COMMENTS.sub("", page[end:]).strip():
        return None
    try:
        root = html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    return root if root.tag == "html" else None


def extract_selected(
    page: str,
    select: str,
    remove: Sequence[str] = (),
) -> Extracted | None:
    """What `article.extract(page, select=select, remove=remove)` returns, read with lxml;
    None when the selectors are not plain or lxml cannot read the page as a document."""
    wanted = parse_plain(select)
    removed = [parse_plain(css) for css in remove]
    if wanted is None or any(r is None for r in removed):
        return None
    check_element_count(page)
    root = _parse(page)
    if root is None:
        return None
    if _TOO_DEEP(root):
        raise too_deep()
    title_element = _first(root, "title")
    page_title = get_text(title_element) if title_element is not None else None
    metas = metas_of(root.iter("meta"))
    published = parse_datetime(_published(root, metas))
    canonical = _canonical(root)
    attachments = _attachments(root)
    for selectors in removed:
        assert selectors is not None
        doomed = _select(root, selectors)
        if any(element is root for element in doomed):
            return None  # a page without its <html>: left to BeautifulSoup's rules
        for element in doomed:
            element.drop_tree()  # keeps the text that follows it, as decompose does
    nodes = _select(root, wanted)
    if not nodes:
        raise ExtractionError(f"selector {select!r} matched nothing")
    text = normalize_text("\n".join(block_text(node) for node in nodes))
    title = _title(root, nodes[0], metas) or page_title
    text, metadata = split_metadata(text)
    if not text:
        raise ExtractionError("no text found in the main block")
    # Where the text sits, found among the chosen elements of the tree already
    # built (the whole page's walk cost as much as the extraction); after a
    # `remove:` the tree is no longer the page, so region.locate reads it again.
    region = None if remove else locate_in(nodes, text)
    return Extracted(
        text=text,
        title=title,
        published_at=published,
        canonical=canonical,
        attachments=attachments,
        method="selector",
        metadata=metadata,
        extractor="selector",
        region=region,
    )
