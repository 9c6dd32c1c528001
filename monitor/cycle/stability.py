"""Keep boilerplate that moves on every request out of the versioned text.

A news page without validators is fetched in full on every check, and many
carry fragments that change on each request even inside the article block: view
counters, "updated N minutes ago", rotating teasers. The extractor already
recognises the common ones (monitor/extract/article.py, metadata lines); this module is
the learned part. When a text seems to have changed, the page is fetched once
more a moment later; lines that differ between those two fetches cannot be an
edit by the publisher, so they are remembered as *volatile* for the source and
dropped from its texts before comparing and storing.

A line is remembered by a pattern: its lower-cased text with every run of digits
masked, hashed. "Просмотров: 16" and "Просмотров: 31" are one pattern, so the
counter is silenced on every page of the source, not only on the one where it
was first caught. Only short lines (at most `MAX_VOLATILE_CHARS`) are learned,
unless the two fetches hold the same line with other digits: a whole paragraph
replaced by another is more likely a live text than page furniture, but a
paragraph whose figures change within seconds is generated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from difflib import SequenceMatcher

MAX_VOLATILE_CHARS = 300
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def line_pattern(line: str) -> str:
    """The digit-masked, case- and space-folded hash of one line of text."""
    folded = _SPACES.sub(" ", _DIGITS.sub("#", line.lower())).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def drop_volatile(text: str, patterns: frozenset[str] | set[str]) -> str:
    """`text` without the lines whose pattern is volatile for its source."""
    if not patterns:
        return text
    return "\n".join(line for line in text.split("\n") if line_pattern(line) not in patterns)


def flipping_lines(first: str, second: str, stored: str | None = None) -> list[tuple[str, str]]:
    """(pattern, line) for the short lines present in one fetch and not the other.

    With `stored` (the text of the last version): a stored line that sits where
    the first fetch has only flipping lines was the same furniture in its day (a
    rotating teaser showed another headline then), so it is learned too.
    """
    a, b = first.split("\n"), second.split("\n")
    in_a, in_b = set(a), set(b)
    only = [line for line in a if line not in in_b] + [line for line in b if line not in in_a]
    # A line present in both fetches with only its digits changed is generated (a
    # clock, a counter, a random figure), however long: no publisher edits a
    # paragraph's numbers twice within seconds. Other lines must be short.
    paired = {line_pattern(line) for line in a if line not in in_b} & {
        line_pattern(line) for line in b if line not in in_a
    }
    flips = {
        line
        for line in only
        if line.strip() and (len(line) <= MAX_VOLATILE_CHARS or line_pattern(line) in paired)
    }
    if stored is not None and flips:
        old = stored.split("\n")
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, a, autojunk=False).get_opcodes():
            if tag == "replace" and all(line in flips for line in a[j1:j2]):
                flips.update(
                    line for line in old[i1:i2] if line.strip() and len(line) <= MAX_VOLATILE_CHARS
                )
    seen: dict[str, str] = {}
    for line in [*only, *(stored or "").split("\n")]:
        if line in flips:
            seen.setdefault(line_pattern(line), line)
    return list(seen.items())


def patterns_of(lines: Iterable[str]) -> frozenset[str]:
    """Patterns for lines given by hand (tests, a future per-source setting)."""
    return frozenset(line_pattern(line) for line in lines)
