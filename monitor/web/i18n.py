"""Interface strings: English in the code, Russian and Kazakh (and English, for
rewording without touching code) in gettext catalogues under `locale/`.

Each string has a stable key («nav.overview»), used by templates and code, and
an English text: in the catalogues the key is the msgctxt and the English the
msgid, so a translator sees both, and dynamic keys (`"status." ~ status`) keep
working. The change summaries' phrases (monitor/web/summaries.py) are plain
msgids. `python -m monitor.web.catalogues` brings the catalogues up to date with
the code (Babel) and compiles them; tests/web/test_i18n.py fails when one is
missing a string, has a stale one, a placeholder differs, or a .mo is stale.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("ru", "kk", "en")
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "monitor"
DEFAULT_LANGUAGE = "ru"

# key -> the English text (the msgid; the key is its msgctxt). Placeholders use
# str.format names, the same in every language (tests/web/test_i18n.py).
MESSAGES: dict[str, str] = {
    "app.title": "Russia–Kazakhstan agreements monitor",
    "nav.overview": "Overview",
    "nav.documents": "Documents",
    "nav.sources": "Sources",
    "nav.themes": "Themes",
    "nav.alerts": "Alerts",
    "nav.families": "Families",
    # document families
    "families.title": "Document families",
    "families.about": (
        "Copies of one text on several sites and in several languages, and where they part ways."
    ),
    "families.divergences": "Divergences",
    "families.none": "No families yet: one forms when a second copy of a text is seen.",
    "families.text": "Text",
    "families.members": "Copies",
    "families.since": "Since",
    "families.relation": "Relation",
    "families.compare": "Point by point",
    "families.all_points": "all points",
    "families.differing": "{n} of {total} points differ",
    "families.of_document": "One of {n} copies of this text",
    "relation.original": "original",
    "relation.copy": "copy",
    "relation.quotation": "quotation",
    "relation.translation": "translation",
    "divergence.edited": "edited in one copy",
    "divergence.facts": "numbers, dates or names differ",
    "feed.documents": "Atom: new documents",
    "feed.changes": "Atom: changes",
    "feed.these": "Subscribe to this selection",
    "nav.language": "Language",
    "footer.tz": "Times are shown in {tz}",
    # overview
    "overview.latest": "Latest events",
    "overview.alerts": "Alert delivery",
    "overview.health": "Source health",
    "overview.no_events": "No events yet.",
    "overview.all_documents": "All documents",
    "overview.oldest": "Oldest undelivered: {at}",
    "overview.attention": "Need attention",
    # events, kinds, statuses
    "event.new": "new",
    "event.changed": "changed",
    "event.removed": "removed",
    "event.restored": "restored",
    "event.diverged": "diverged",
    "event.reextracted": "re-extracted",
    "kind.official": "official",
    "kind.media": "media",
    "country.RU": "Russia",
    "country.KZ": "Kazakhstan",
    "country.other": "other",
    "lang.ru": "Russian",
    "lang.kk": "Kazakh",
    "lang.en": "English",
    "status.active": "tracked",
    "status.removed": "removed",
    "status.pending": "pending",
    "status.sending": "sending",
    "status.sent": "sent",
    "status.failed": "failed",
    "status.uncertain": "uncertain",
    "significance.trivial": "trivial",
    "significance.minor": "minor",
    "significance.moderate": "moderate",
    "significance.major": "major",
    "health.ok": "OK",
    "health.failing": "failing since {since}",
    "health.unknown": "not fetched yet",
    # documents list
    "docs.title": "Documents",
    "docs.search": "Full-text search",
    "docs.search_placeholder": "e.g. nuclear power plant",
    "docs.source": "Source",
    "docs.kind": "Kind",
    "docs.country": "Country",
    "docs.language": "Language",
    "docs.theme": "Theme",
    "docs.event": "Event",
    "docs.since": "From",
    "docs.until": "To",
    "docs.sort": "Sort",
    "docs.sort.recent": "latest event first",
    "docs.sort.first_seen": "by date first seen",
    "docs.sort.title": "by title",
    "docs.sort.relevance": "by relevance",
    "docs.any": "any",
    "docs.apply": "Apply",
    "docs.reset": "Reset",
    "docs.none": "Nothing found.",
    "docs.next": "Next →",
    "docs.first_page": "← First page",
    "docs.total": "Found: {n}",
    "docs.untitled": "(untitled)",
    "docs.versions": "versions: {n}",
    "docs.last_event": "Last event",
    "docs.themes": "Themes",
    "docs.significance": "Significance",
    # document page
    "doc.url": "URL",
    "doc.source": "Source",
    "doc.status": "Status",
    "doc.first_seen": "First seen",
    "doc.last_changed": "Last changed",
    "doc.timeline": "Versions",
    "doc.version": "Version {seq}",
    "doc.chars": "{n} characters",
    "doc.raw": "raw snapshot",
    "doc.diff_prev": "diff with previous",
    "doc.first_version": "first version",
    "doc.compare": "Compare versions",
    "doc.from": "Older",
    "doc.to": "Newer",
    "doc.show_diff": "Show the differences",
    "doc.other_languages": "Other language versions",
    "doc.not_found": "No such document.",
    "doc.points_changed": "Points: {points}",
    # diff page
    "diff.title": "Differences: version {a} → version {b}",
    "diff.summary": "Summary",
    "diff.inline": "Inline",
    "diff.side": "Side by side",
    "diff.old": "Version {seq}",
    "diff.new": "Version {seq}",
    "diff.points_changed": "Points changed",
    "diff.points_added": "Points added",
    "diff.points_removed": "Points removed",
    "diff.paragraphs_changed": "Paragraphs changed",
    "diff.words": "+{ins} / −{dels} words",
    "diff.same": "The texts of these versions are identical.",
    "diff.unchanged_run": "{n} unchanged paragraphs",
    "diff.back": "← back to the document",
    "diff.bad_versions": "No such versions.",
    "diff.reasons": "Why",
    # sources
    "sources.title": "Sources",
    "sources.last_ok": "Last success",
    "sources.last_error": "Last error",
    "sources.documents": "Documents",
    "sources.errors_per_day": "Fetch errors per day",
    "sources.errors_of": "Errors / fetches in {days} days",
    "sources.never": "never",
    "sources.no_errors": "no errors",
    # themes
    "themes.title": "Themes per week",
    "themes.documents": "new documents",
    "themes.changes": "changes",
    "themes.weeks": "Weeks",
    "themes.empty": "No data for this period.",
    "themes.by": "Split by",
    "themes.split_event": "new or changed",
    "mode.immediate": "at once",
    "mode.hourly": "hourly digest",
    "mode.daily": "daily digest",
    "channel.email": "email",
    "channel.webhook": "webhook",
    "scope.read": "read",
    "scope.write": "read and write",
    "sources.relevance_terms": "texts about Russia and Kazakhstan (terms)",
    "sources.relevance_all": "every text (all)",
    "sources.select": "Main text, CSS selector (select)",
    "sources.remove": "Leave out, CSS selectors, one a line (remove)",
    "themes.theme": "Theme",
    "themes.total": "Events",
    "themes.weekly": "Per week",
    "themes.recent": "Last 4 weeks",
    "themes.trend": "Against the 4 before",
    "themes.official": "Official",
    "themes.countries": "RU · KZ · other",
    "themes.trend_new": "new",
    "themes.quiet": "Nothing in this period:",
    # alerts
    "alerts.title": "Alerts",
    "alerts.counts": "By status",
    "alerts.subscription": "Subscription",
    "alerts.channel": "Channel",
    "alerts.attempts": "Attempts",
    "alerts.created": "Created",
    "alerts.error": "Error",
    "alerts.retry": "Retry",
    "alerts.token": "Token",
    "alerts.disabled": "Actions are disabled: no token is configured (MONITOR_WEB_TOKEN).",
    "alerts.requeued": "Alert #{id} is queued again.",
    "alerts.none": "No alerts.",
    "alerts.all": "all",
    "diff.memo": "Change memo",
    "feed.opml": "All feeds (OPML)",
    "sources.add": "Add a source",
    "sources.edit": "Edit",
    "sources.pause": "Pause",
    "sources.resume": "Resume",
    "sources.delete": "Delete",
    "sources.paused": "Paused sources",
    "sources.by": "by {who}, {at}",
    "sources.from_ui": "from the UI ({who})",
    "sources.readonly": "Sources are managed in sources.yaml only (MONITOR_SOURCES_READONLY).",
    "sources.name": "Name",
    "sources.country": "Country",
    "sources.interval": "Interval",
    "sources.relevance": "Relevance",
    "sources.watch": "Watched URLs (one a line)",
    "sources.discover": "Feeds, listings, sitemaps ('feed|listing|sitemap URL')",
    "sources.save": "Save",
    "sources.preview": "Preview",
    "sources.preview_url": "Try on the address",
    "sources.preview_of": "Title: {title} · extractor: {extractor} · {n} characters",
    "sources.check_now": "Check now",
    "sources.checking": "Source {id} is checked now.",
    "doc.checking": "The document is checked now.",
    "sources.cancel": "Cancel",
    "nav.inbox": "Inbox",
    "nav.subscriptions": "My subscriptions",
    "subs.title": "My alert subscriptions",
    "subs.none": "No subscriptions.",
    "subs.add": "Add a subscription",
    "subs.filters": "Filters",
    "subs.mode": "Mode",
    "subs.min_significance": "At least",
    "inbox.title": "Inbox",
    "inbox.unread": "Unread: {n}",
    "inbox.starred": "Starred: {n}",
    "inbox.none": "Nothing unread.",
    "inbox.new": "new",
    "inbox.changed_since": "changed since version {seq}",
    "inbox.starred_one": "starred",
    "mark.star": "Star",
    "mark.unstar": "Unstar",
    "mark.mute": "Mute",
    "mark.unmute": "Unmute",
    "mark.unread": "Mark unread",
    # a document's text and presence
    "doc.last_checked": "Last checked",
    "doc.next_check": "next check {at}",
    "doc.text": "Text (version {seq})",
    "doc.latest_text": "latest version",
    "doc.link_here": "Link to this paragraph",
    "doc.read": "read",
    "doc.presence.removed": "The page stopped answering (404/410): the document was taken down.",
    "doc.presence.restored": "The page answers again.",
    # accounts
    "login.title": "Log in",
    "login.name": "Name",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.logout": "Log out",
    "login.failed": "Wrong name or password.",
    "login.stale": "The form is stale: open the login page again.",
    "account.title": "Account",
    "account.tokens": "API tokens",
    "account.label": "Label",
    "account.scope": "Scope",
    "account.used": "Last used",
    "account.revoke": "Revoke",
    "account.create": "Create a token",
    "account.none": "No tokens.",
    "account.created": "Your new token (shown once; keep it now):",
    "role.viewer": "viewer",
    "role.editor": "editor",
    "role.admin": "admin",
    "users.title": "Users",
    "users.cli": "Accounts are created with",
    "users.role": "Role",
    "users.disabled": "disabled",
    "users.audit": "Audit log",
    "users.when": "When",
    "users.who": "Who",
    "users.what": "What",
    "users.target": "Target",
    # errors
    "error.forbidden": "Forbidden: wrong or missing token.",
    "error.disabled": "This action is disabled: no token is configured.",
    "error.not_found": "Not found.",
    "error.bad_request": "Bad request: {detail}",
}


def choose_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """`?lang=` beats the remembered cookie beats the browser's Accept-Language."""
    for explicit in (query, cookie):
        if explicit in LANGUAGES:
            return explicit
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        q -= position * 1e-6  # equal weights: the first listed wins
        if q > best_q:
            best, best_q = code, q
    return best


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (no catalogue: the English of the code)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **values)`: the message in `lang`; an unknown key shows itself, so a
    missing translation is visible on the page instead of raising mid-render."""
    cat = catalogue(lang)

    def t(key: str, **values: object) -> str:
        english = MESSAGES.get(key)
        if english is None:
            return key
        text = cat.pgettext(key, english)
        return text.format(**values) if values else text

    return t


def phrases(lang: str) -> Callable[[str], str]:
    """gettext for the change summaries' phrases (monitor/web/summaries.py)."""
    return catalogue(lang).gettext
