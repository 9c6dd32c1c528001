"""Where the main text sits in a page, to tell "nothing changed" without extracting.

Why: most news and government pages send no ETag or Last-Modified, and change
their boilerplate on every request (counters, "most read", a clock), so every
recheck is a new body. Extracting it costs ~15 ms; this check costs ~2 ms.

When a page is extracted, `locate` finds the smallest element holding the main
text from its first line to its last (every line in between lies inside it, in
document order) and fingerprints that element's text. On the next fetch,
`fingerprint` parses the page with lxml, finds the element by its path and
compares. Same fingerprint: the main text cannot have changed, the fetch is
"unchanged" without extraction. Different (or the element is gone): the page is
extracted in full as before. Lines kept out of the text (a view counter inside
the article) only make the check fall back to extraction; they never hide an
edit, because any change inside the element moves its fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree, html

from monitor.extract.decode import decode_body
from monitor.extract.page import DecodeError, check_content_type, is_attachment

# Soft hyphen, zero-width characters, BOM: never part of what a text says. Shared
# with monitor/extract/blocktext.py, whose normalised text must drop the same ones.
INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
# Removed by one regex: str.translate with a dict looks every character up, which
# was the largest cost of an unchanged churning page.
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
_KEY_CHARS = 40  # non-space characters of a line used to find it in the page
_SKIP = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True)
class Region:
    """An element of the page (an lxml path) and the fingerprint of its text."""

    path: str
    digest: str


def _squeeze(text: str) -> str:
    """Text as compared here: NFC, no invisible characters, no whitespace at all."""
    return "".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


def _parse(page: str) -> etree._Element | None:
    try:
        root = html.fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root.tag, str) else None


def _digest(element: etree._Element) -> str:
    text = element.text_content() if hasattr(element, "text_content") else ""
    return hashlib.sha256(_squeeze(text).encode("utf-8")).hexdigest()


def _flat(tops: Sequence[etree._Element]) -> tuple[str, list[tuple[int, etree._Element]]]:
    """The visible text of `tops` squeezed, and where each piece starts and whose it is
    (the tails of `tops` themselves are outside them)."""
    parts: list[str] = []
    owners: list[tuple[int, etree._Element]] = []
    length = 0

    def add(text: str | None, owner: etree._Element) -> None:
        nonlocal length
        piece = _squeeze(text or "")
        if piece:
            owners.append((length, owner))
            parts.append(piece)
            length += len(piece)

    def walk(element: etree._Element) -> None:
        if isinstance(element.tag, str) and element.tag not in _SKIP:
            add(element.text, element)
            for child in element:
                walk(child)
                add(child.tail, element)

    for top in tops:
        walk(top)
    return "".join(parts), owners


def _owner(owners: list[tuple[int, etree._Element]], offset: int) -> etree._Element:
    lo, hi = 0, len(owners) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if owners[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return owners[lo][1]


def _occurrences(flat: str, key: str) -> list[int]:
    found: list[int] = []
    at = flat.find(key)
    while at != -1 and len(found) < 50:
        found.append(at)
        at = flat.find(key, at + 1)
    return found


def _common(a: etree._Element, b: etree._Element) -> etree._Element:
    ancestors = {id(e) for e in (a, *a.iterancestors())}
    for element in (b, *b.iterancestors()):
        if id(element) in ancestors:
            return element
    return a.getroottree().getroot()


def locate(page: str, text: str) -> Region | None:
    """The element holding `text` (the extracted main text) in `page`, or None."""
    root = _parse(page)
    if root is None:
        return None
    body = root.find("body") if root.tag != "body" else root
    return None if body is None else locate_in([body], text)


def locate_in(tops: Sequence[etree._Element], text: str) -> Region | None:
    """The element holding `text` within `tops` (a parsed page's body, or the
    elements a selector chose, in document order), or None."""
    lines = [_squeeze(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return None
    flat, owners = _flat(tops)
    if not owners:
        return None
    first_key, last_key = lines[0][:_KEY_CHARS], lines[-1][-_KEY_CHARS:]
    starts, ends = _occurrences(flat, first_key), _occurrences(flat, last_key)
    if not starts or not ends:
        return None
    # A title repeated in breadcrumbs, a lead repeated in a teaser: take the
    # occurrence of the first line closest before the second line, and of the
    # last line closest after the one before it.
    start = starts[0]
    if len(starts) > 1 and len(lines) > 1:
        second = _occurrences(flat, lines[1][:_KEY_CHARS])
        before = [s for s in starts if second and s < second[0]]
        start = before[-1] if before else starts[0]
    after = [e for e in ends if e >= start]
    if not after:
        return None
    end = after[-1]
    if len(after) > 1 and len(lines) > 1:
        previous = [p for p in _occurrences(flat, lines[-2][-_KEY_CHARS:]) if p >= start]
        later = [e for e in after if previous and e > previous[-1]]
        end = later[0] if later else after[-1]
    element = _common(_owner(owners, start), _owner(owners, end + len(last_key) - 1))
    return Region(element.getroottree().getpath(element), _digest(element))


def fingerprint(page: str, path: str) -> str | None:
    """The fingerprint of the element at `path` in `page`, or None if it is gone."""
    root = _parse(page)
    if root is None:
        return None
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return None
    if not found or not isinstance(found[0], etree._Element):
        return None
    return _digest(found[0])


def same_region(body: bytes, content_type: str | None, url: str, path: str, digest: str) -> bool:
    """Does the element that held the main text last time still hold the same text?

    True means the main text is unchanged and need not be extracted; False (other
    text, element gone, not a page) means: extract in full."""
    if is_attachment(content_type, url):
        return False
    try:
        check_content_type(content_type)
        html, _ = decode_body(body, content_type)
    except DecodeError:
        return False
    return fingerprint(html, path) == digest
