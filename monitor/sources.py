"""Sources stage: turn the configuration into the documents to check this cycle.

Discovery (feeds, listings, sitemaps) plugs in here; for now a source's fixed
`watch` URLs are its documents.
"""

from __future__ import annotations

import contextlib
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
