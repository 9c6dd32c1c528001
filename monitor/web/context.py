"""Per-request presentation state (language, time zone) and the template environment.

Everything a template prints goes through Jinja2 with autoescaping on for every
template: scraped titles, texts and URLs are hostile. The only values marked
safe are search snippets, which the data layer builds from escaped text plus
<mark> tags. URLs become links only when they are http(s) (`http_url`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from monitor.analysis.themes import default_themes
from monitor.config import Config
from monitor.store import Reader
from monitor.web import summaries
from monitor.web.auth import Access
from monitor.web.i18n import LANGUAGES, choose_language, phrases, translator

TEMPLATES = Path(__file__).with_name("templates")
COOKIE_AGE = 365 * 24 * 3600


def http_url(url: object) -> bool:
    """True for absolute http(s) URLs, the only ones rendered as links."""
    if not isinstance(url, str) or any(c in url for c in "\r\n\t\x00 "):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def zone(name: str | None) -> tzinfo | None:
    """A ZoneInfo for an IANA name, or None for a missing or unknown one."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass
class View:
    """What a page needs to speak the user's language and time zone."""

    request: Request
    lang: str
    tz_name: str
    tz: tzinfo
    themes: Mapping[str, Mapping[str, Any]]
    set_lang: bool = False  # remember ?lang= in a cookie
    set_tz: bool = False

    @property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    def headline(self, summary: Mapping[str, Any] | None, stored: str | None = None) -> str:
        """A change's headline in the reader's language (`stored`: the English one,
        shown when there is no summary to compose it from)."""
        if not summary:
            return stored or ""
        t = self.t
        return summaries.headline(summary, phrases(self.lang), lambda s: t(f"significance.{s}"))

    def reason(self, text: str) -> str:
        """One reason of a change summary in the reader's language."""
        return summaries.reason(text, phrases(self.lang))

    def dt(self, value: datetime | None, seconds: bool = False) -> str:
        """A UTC datetime from the store, in the reader's zone."""
        if value is None:
            return "—"
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))

    def date(self, value: datetime | None) -> str:
        return "—" if value is None else value.astimezone(self.tz).strftime("%Y-%m-%d")

    def theme(self, theme_id: str) -> str:
        """A theme's label in the interface language (its id if unknown)."""
        spec = self.themes.get(theme_id) or {}
        if self.lang in ("ru", "kk") and spec.get(f"label_{self.lang}"):
            return str(spec[f"label_{self.lang}"])
        return str(spec.get("label") or theme_id)

    def lang_url(self, code: str) -> str:
        """This page in another language (a relative link: no Host header is trusted)."""
        return self.url(lang=code)

    def url(self, **params: Any) -> str:
        """The current page with some query parameters replaced (None removes one)."""
        items = [(k, v) for k, v in self.request.query_params.multi_items() if k not in params]
        for key, value in params.items():
            if value is None:
                continue
            for v in value if isinstance(value, list | tuple) else [value]:
                items.append((key, str(v)))
        query = urlencode(items)
        return self.request.url.path + (f"?{query}" if query else "")


def theme_specs(config: Config) -> dict[str, dict[str, Any]]:
    """Labels of the configured taxonomy, or of the shipped one."""
    if config.themes is not None:
        return {
            k: {"label": v.label, "label_ru": v.label_ru, "label_kk": v.label_kk}
            for k, v in config.themes.items()
        }
    return {
        k: {
            "label": v.get("label", k),
            "label_ru": v.get("label_ru"),
            "label_kk": v.get("label_kk"),
        }
        for k, v in default_themes().items()
    }


def view_for(request: Request) -> View:
    query_lang = request.query_params.get("lang")
    lang = choose_language(
        query_lang, request.cookies.get("lang"), request.headers.get("accept-language")
    )
    query_tz = request.query_params.get("tz")
    chosen = zone(query_tz)
    name = query_tz if chosen else None
    if chosen is None:
        cookie_tz = request.cookies.get("tz")
        chosen = zone(cookie_tz)
        name = cookie_tz if chosen else None
    state = request.app.state
    cached = getattr(state, "theme_specs", None)
    if cached is None or cached[0] is not state.config:  # the service may reload the config
        cached = state.theme_specs = (state.config, theme_specs(state.config))
    return View(
        request=request,
        lang=lang,
        tz_name=name or "UTC",
        tz=chosen or UTC,
        themes=cached[1],
        set_lang=query_lang in LANGUAGES and query_lang != request.cookies.get("lang"),
        set_tz=bool(query_tz and zone(query_tz) and query_tz != request.cookies.get("tz")),
    )


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["http_url"] = http_url
    env.filters["http_url"] = http_url
    return env


def store_of(request: Request) -> Reader:
    """The app's store (read side; the few actions that write say so at the call)."""
    store: Reader = request.app.state.store
    return store


def render(
    request: Request, view: View, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page and remember an explicit language or time zone choice."""
    env: jinja2.Environment = request.app.state.templates
    context.setdefault("access", getattr(request.state, "access", None) or Access())
    html = env.get_template(template).render(
        view=view, t=view.t, request=request, languages=LANGUAGES, **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if view.set_lang:
        response.set_cookie("lang", view.lang, max_age=COOKIE_AGE, samesite="lax", httponly=True)
    if view.set_tz:
        response.set_cookie("tz", view.tz_name, max_age=COOKIE_AGE, samesite="lax")
    return response
