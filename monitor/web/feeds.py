"""Atom feeds: `/feeds/documents.atom` (new documents) and `/feeds/changes.atom`
(changes, removals, restorations), filterable by theme, source, country, kind.

Built with lxml, never by string formatting: titles and headlines come from
pages nobody here controls, and lxml escapes markup; characters XML 1.0 cannot
carry at all (control characters) are dropped first.

Entry ids are tag URIs of the event id (`tag:HOST,2025:event:42`), HOST being
the web UI's host from `alerts.web_url`: an entry keeps its id however often
the feed is fetched or filtered, so readers never show it twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from lxml import etree

from monitor.analysis.divergence import describe_divergence
from monitor.config import Config
from monitor.store.browse import DocumentFilter, EventItem
from monitor.web.api import ConfigDep, Country, Kind, StoreDep, theme_labels
from monitor.web.params import MAX_VALUES, Ident, invalid

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FEEDS = {
    "documents": ("New documents", ["new"]),
    "changes": ("Changes", ["changed", "removed", "restored"]),
    "divergences": ("Divergences between copies", ["diverged"]),
}

router = APIRouter(prefix="/feeds", tags=["feeds"])


def build_feeds_router() -> APIRouter:
    return router


def clean(text: str | None) -> str:
    """Text XML can carry: control characters and lone surrogates removed."""
    return _NOT_XML.sub("", text or "")


def authority(config: Config) -> str:
    """The tag URI authority: the web UI's host name, or localhost for an IP address."""
    host = (urlsplit(config.alerts.web_url).hostname or "").lower()
    if not host or not re.search(r"[a-z]", host) or not re.fullmatch(r"[a-z0-9.-]+", host):
        return "localhost"
    return host


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        node.text = clean(text)
    return node


def _summary(e: EventItem, details: dict[int, str]) -> str:
    if e.kind == "diverged":
        return details.get(e.id, "Copies of this text differ.")
    if e.kind == "changed":
        return e.summary or "The text changed."
    if e.kind == "removed":
        return "The document is no longer available at its address."
    if e.kind == "restored":
        return "The document is available again."
    return f"New document from {e.source_name or e.source_id}."


def render_feed(
    name: str,
    events: list[EventItem],
    *,
    base: str,
    self_url: str,
    tag_host: str,
    query: str,
    labels: dict[str, dict[str, str]],
    details: dict[int, tuple[int, str]] | None = None,
) -> bytes:
    """One Atom document; `base` is the web UI's root, ending without a slash;
    `details`: a divergence event's family and description, by event id."""
    details = details or {}
    title, _ = FEEDS[name]
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _sub(feed, "id", f"tag:{tag_host},2025:feed:{name}" + (f"?{query}" if query else ""))
    _sub(feed, "title", f"monitor — {title}" + (f" ({query})" if query else ""))
    newest = max((e.created_at for e in events), default=datetime.now(UTC))
    _sub(feed, "updated", _stamp(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/")
    author = _sub(feed, "author")
    _sub(author, "name", "monitor")
    _sub(feed, "generator", "monitor")
    for e in events:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{tag_host},2025:event:{e.id}")
        prefix = {"removed": "Removed: ", "restored": "Restored: ", "diverged": "Diverged: "}.get(
            e.kind, ""
        )
        _sub(entry, "title", prefix + (e.title or e.url), type="text")
        _sub(entry, "updated", _stamp(e.created_at))
        _sub(entry, "published", _stamp(e.created_at))
        # a change opens on its diff (the version before against this one)
        page = f"{base}/documents/{e.document_id}"
        if e.kind == "changed" and e.version_seq and e.version_seq > 1:
            page += f"/diff?from={e.version_seq - 1}&to={e.version_seq}"
        if e.kind == "diverged" and e.id in details:
            page = f"{base}/families/{details[e.id][0]}"
        _sub(entry, "link", rel="alternate", type="text/html", href=page)
        if e.url.startswith(("http://", "https://")):
            _sub(entry, "link", rel="related", href=e.url)
        _sub(entry, "summary", _summary(e, {k: v[1] for k, v in details.items()}), type="text")
        for theme in e.themes:
            label = labels.get(theme, {}).get("label", theme)
            _sub(entry, "category", term=theme, label=label)
        if e.significance:
            _sub(entry, "category", term=e.significance, scheme="urn:monitor:significance")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _feed(
    name: str,
    request: Request,
    store: StoreDep,
    config: ConfigDep,
    theme: list[str],
    source: list[str],
    country: Sequence[str],
    kind: Sequence[str],
    limit: int,
) -> Response:
    labels = theme_labels(config)
    unknown = sorted(set(theme) - set(labels))
    if unknown:
        raise invalid("theme", f"unknown theme(s): {', '.join(unknown)}", unknown)
    _, events = FEEDS[name]
    f = DocumentFilter(
        theme=theme, source=source, country=list(country), kind=list(kind), event=events
    )
    try:
        page = store.events_since(None, f, None, limit, sources=config.sources)
    except ValueError as exc:  # the parameters are checked already; this is a safety net
        raise invalid(getattr(exc, "field", "query"), str(exc)) from None
    filters = [("theme", t) for t in sorted(theme)] + [("source", s) for s in sorted(source)]
    filters += [("country", c) for c in sorted(country)] + [("kind", k) for k in sorted(kind)]
    body = render_feed(
        name,
        page.items,
        base=str(request.base_url).rstrip("/"),
        self_url=str(request.url),
        tag_host=authority(config),
        query=urlencode(filters),
        labels=labels,
        details=_divergences(store) if name == "divergences" else None,
    )
    return Response(body, media_type=MEDIA_TYPE)


def _divergences(store: StoreDep) -> dict[int, tuple[int, str]]:
    """Event id -> (family id, one line) of the latest divergences."""
    return {
        d.event_id: (d.family_id, describe_divergence(d.detail))
        for d in store.divergences(limit=500)
        if d.event_id is not None
    }


# Bounded like the API's filters (count, length, no control characters), so a feed
# reader's garbled URL is a 422 naming the parameter, never a failed query.
ThemeQ = Annotated[list[Ident], Query(description="theme ids (any of them)", max_length=MAX_VALUES)]
SourceQ = Annotated[list[Ident], Query(description="source ids", max_length=MAX_VALUES)]
CountryQ = Annotated[list[Country], Query(max_length=MAX_VALUES)]
KindQ = Annotated[list[Kind], Query(max_length=MAX_VALUES)]
LimitQ = Annotated[int, Query(ge=1, le=200)]


@router.get("/documents.atom", response_class=Response, summary="Atom: new documents")
def documents_feed(
    request: Request,
    store: StoreDep,
    config: ConfigDep,
    theme: ThemeQ = [],  # noqa: B006
    source: SourceQ = [],  # noqa: B006
    country: CountryQ = [],  # noqa: B006
    kind: KindQ = [],  # noqa: B006
    limit: LimitQ = 50,
) -> Response:
    return _feed("documents", request, store, config, theme, source, country, kind, limit)


@router.get("/changes.atom", response_class=Response, summary="Atom: changes to documents")
def changes_feed(
    request: Request,
    store: StoreDep,
    config: ConfigDep,
    theme: ThemeQ = [],  # noqa: B006
    source: SourceQ = [],  # noqa: B006
    country: CountryQ = [],  # noqa: B006
    kind: KindQ = [],  # noqa: B006
    limit: LimitQ = 50,
) -> Response:
    return _feed("changes", request, store, config, theme, source, country, kind, limit)


@router.get("/divergences.atom", response_class=Response, summary="Atom: divergences")
def divergences_feed(
    request: Request,
    store: StoreDep,
    config: ConfigDep,
    theme: ThemeQ = [],  # noqa: B006
    source: SourceQ = [],  # noqa: B006
    country: CountryQ = [],  # noqa: B006
    kind: KindQ = [],  # noqa: B006
    limit: LimitQ = 50,
) -> Response:
    """Copies of one text parting ways: an official copy edited where its sibling
    was not, or numbers, dates or names that differ between language versions."""
    return _feed("divergences", request, store, config, theme, source, country, kind, limit)


@router.get("/opml", response_class=Response, summary="OPML: every feed, by theme and by source")
def opml(request: Request, store: StoreDep, config: ConfigDep) -> Response:
    """Every Atom feed in one OPML file for a feed reader: new documents, changes,
    and the changes of each theme and each source. With accounts, a reader appends
    its own `access_token` (no token is written into the file)."""
    base = str(request.base_url).rstrip("/")  # the address this reader reached us by
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "monitor: Russia–Kazakhstan texts"
    body = etree.SubElement(root, "body")

    def outline(parent: etree._Element, text: str, path: str, query: dict[str, str]) -> None:
        url = f"{base}/feeds/{path}" + (f"?{urlencode(query)}" if query else "")
        etree.SubElement(
            parent, "outline", text=clean(text), title=clean(text), type="rss", xmlUrl=url
        )

    outline(body, "New documents", "documents.atom", {})
    outline(body, "Changes", "changes.atom", {})
    themes = etree.SubElement(body, "outline", text="Changes by theme")
    for theme_id, labels in theme_labels(config).items():
        outline(themes, f"Changes: {labels['label']}", "changes.atom", {"theme": theme_id})
    sources = etree.SubElement(body, "outline", text="Changes by source")
    for source in config.sources:
        outline(sources, f"Changes: {source.name}", "changes.atom", {"source": source.id})
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return Response(xml, media_type="text/x-opml; charset=utf-8")
