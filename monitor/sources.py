"""Sources stage: turn the configuration into the documents to check this cycle.

Discovery (feeds, listings, sitemaps) plugs in here; for now a source's fixed
`watch` URLs are its documents.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.config import Source

# Parameters that identify a click, not a document.
TRACKING_PARAMS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "yclid",
        "gclid",
        "fbclid",
        "mc_cid",
        "mc_eid",
        "_openstat",
        "from",
        "ref",
        "rss",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """One spelling per document: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, remaining parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # keep an undecodable host as given
        host = host.encode("idna").decode("ascii") if host else host
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


@dataclass(frozen=True)
class Job:
    source: Source
    url: str


def jobs_for(source: Source) -> list[Job]:
    seen: dict[str, Job] = {}
    for url in source.watch:
        canonical = canonical_url(url)
        seen.setdefault(canonical, Job(source=source, url=canonical))
    return list(seen.values())


_LANG_HOST = re.compile(r"^(?:www\.|(ru|en|kk|kz)\.)")
_LANG_PATH = re.compile(r"^/(ru|en|kk|kz)(?=/|$)")
_TRAILING_ID = re.compile(r"(?:^/|-)(\d{3,})/?$")


def language_key(url: str) -> tuple[str, str, str | None]:
    """(site, language-neutral path, language) of a URL, so that kremlin.ru/x and
    en.kremlin.ru/x, or akorda.kz/ru/slug-123 and akorda.kz/kz/other-slug-123, are
    recognised as the same text in other languages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    match = _LANG_HOST.match(host)
    language = match.group(1) if match and match.group(1) else None
    site = host[match.end() :] if match else host
    path = parts.path or "/"
    path_match = _LANG_PATH.match(path)
    if path_match:
        language = language or path_match.group(1)
        path = path[path_match.end() :] or "/"
    trailing = _TRAILING_ID.search(path)
    if trailing:
        path = f"#id:{trailing.group(1)}"
    if language == "kz":
        language = "kk"
    return site, path, language
