"""Field types and validators shared by every configuration model."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: Any) -> float:
    """Accept `90`, `90s`, `15m`, `1h`, `1d`: humans write intervals, not seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m, 1h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; use e.g. 30s, 15m, 1h or 1d")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def format_duration(seconds: float) -> str:
    """The inverse of `parse_duration` for display: 1800 -> "30m", 5400 -> "1h30m".

    Why: a user who wrote `interval: 30m` should read "every 30m", not "every 1800s".
    """
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    parts: list[str] = []
    rest = round(seconds)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            count, rest = divmod(rest, size)
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


Duration = Annotated[float, BeforeValidator(parse_duration)]


# Selectors as sources write them ("div.article-body", "article, .lead", "#content
# > p"): type, class and id selectors joined by descendant or child combinators. A
# strict subset of CSS, so a selector it accepts is valid without asking soupsieve.
_NAMED = r"[.#]-?[A-Za-z_][\w-]*"
_COMPOUND = rf"(?:(?:[a-zA-Z][\w-]*|\*)(?:{_NAMED})*|(?:{_NAMED})+)"
_SIMPLE_PART = re.compile(rf"\s*(?:{_COMPOUND}(?:\s*>\s*|\s+))*{_COMPOUND}\s*")


def check_css(selector: str) -> str:
    parts = selector.split(",")
    if all(part.strip() and _SIMPLE_PART.fullmatch(part) for part in parts):
        return selector
    # Anything else is parsed by soupsieve, which costs ~90 ms to import (with
    # BeautifulSoup under it) and ~0.15 s with its first compile: only a source with
    # such a selector pays it, not every `monitor` command.
    from soupsieve import SelectorSyntaxError
    from soupsieve import compile as compile_css

    try:
        compile_css(selector)
    except SelectorSyntaxError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc.args[0]}") from None
    return selector


def check_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/]+[^\s]*$", url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


HttpUrl = Annotated[str, AfterValidator(check_url)]


def check_regex(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern
