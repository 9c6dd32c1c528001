"""Read side, continued: the event stream (changes feed, Atom), theme trends and
counts, source health and the alert outbox at a glance.

An event's themes are those of what it is about: a change's themes are those of
the inserted and deleted text (as for alerts), a new document's those of its
first version, a removal's or restoration's those of the document's latest
version. So a feed filtered by a theme carries the edits that touch the theme,
not every typo fixed in a document that mentions it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, false, func, or_, select, text
from sqlalchemy.orm import Session

from monitor.store.browse import (
    MAX_LIMIT,
    DocumentFilter,
    EventItem,
    Page,
    SourceMeta,
    decode_cursor,
    encode_cursor,
    source_catalog,
    source_ids_for,
)
from monitor.store.catalog import check_filter, cursor_id, cursor_time
from monitor.store.models import (
    Change,
    Document,
    Event,
    FetchLog,
    SourceRow,
    UTCDateTime,
    Version,
)
from monitor.store.outbox import STATUSES
from monitor.store.search import document_themes, search_hits, theme_ids_of

_THEMED_KINDS = ("new", "changed")


def _json_has_theme(s: Session, col: str, themes: list[str], tag: str) -> ColumnElement[bool]:
    """`col` (a themes JSON column, as SQL) lists one of `themes`."""
    if s.get_bind().dialect.name == "sqlite":
        return text(
            f"EXISTS (SELECT 1 FROM json_each({col}) j "
            f"WHERE json_extract(j.value, '$.theme') IN :{tag})"
        ).bindparams(bindparam(tag, themes, expanding=True))  # type: ignore[return-value]
    parts = []
    for i, theme in enumerate(themes):
        name = f"{tag}{i}"
        probe = json.dumps([{"theme": theme}])
        parts.append(
            text(f"CAST({col} AS jsonb) @> CAST(:{name} AS jsonb)").bindparams(**{name: probe})
        )
    return or_(*parts)


def _week(at: datetime) -> str:
    year, week, _ = at.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


class ActivityMixin:
    """Mixed into `Store` (uses `source_health`, `alerts`, `alert_counts` of Store)."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def events_since(
        self,
        since: datetime | None = None,
        f: DocumentFilter | None = None,
        cursor: str | None = None,
        limit: int = 50,
        *,
        sources: Any = None,
    ) -> Page:
        """Events at or after `since`, newest first (keyset cursor on time and id),
        filtered like documents (the event
        kinds by `f.event`, its time by `f.since`/`f.until`, themes as said above)."""
        f = f or DocumentFilter()
        check_filter(f)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        catalog = source_catalog(sources)
        with self.session() as s:
            stmt = (
                select(
                    Event.id,
                    Event.kind,
                    Event.created_at,
                    Event.document_id,
                    Event.change_id,
                    Document.url,
                    Document.title.label("doc_title"),
                    Document.source_id,
                    Version.seq,
                    Version.title.label("version_title"),
                    Version.themes.label("version_themes"),
                    Change.themes.label("change_themes"),
                    Change.summary,
                    Change.significance,
                )
                .join(Document, Document.id == Event.document_id)
                .outerjoin(Version, Version.id == Event.version_id)
                .outerjoin(Change, Change.id == Event.change_id)
            )
            for at in (since, f.since):
                if at is not None:
                    stmt = stmt.where(Event.created_at >= at)
            if f.until is not None:
                stmt = stmt.where(Event.created_at <= f.until)
            if f.event:
                stmt = stmt.where(Event.kind.in_(f.event))
            if f.status:
                stmt = stmt.where(Document.status.in_(f.status))
            ids = source_ids_for(f, catalog)
            if ids is not None:
                stmt = stmt.where(Document.source_id.in_(ids) if ids else false())
            if f.theme:
                themed_docs = select(document_themes.c.document_id).where(
                    document_themes.c.theme.in_(f.theme)
                )
                stmt = stmt.where(
                    or_(
                        and_(
                            Event.change_id.is_not(None),
                            _json_has_theme(s, "changes.themes", f.theme, "ct"),
                        ),
                        and_(
                            Event.change_id.is_(None),
                            Event.version_id.is_not(None),
                            _json_has_theme(s, "versions.themes", f.theme, "vt"),
                        ),
                        and_(
                            Event.change_id.is_(None),
                            Event.version_id.is_(None),
                            Event.document_id.in_(themed_docs),
                        ),
                    )
                )
            if f.query and f.query.strip():
                hits = search_hits(s, f.query)
                if hits is None:
                    return Page(items=[], next_cursor=None)
                stmt = stmt.where(Event.document_id.in_(select(hits.c.document_id)))
            if cursor is not None:
                try:  # checked part by part: a forged cursor must not reach the driver
                    raw_at, raw_id = decode_cursor(cursor, "events")
                    at, last_id = cursor_time(raw_at), cursor_id(raw_id)
                except (TypeError, ValueError, OverflowError):
                    raise ValueError("invalid cursor") from None
                stmt = stmt.where(
                    or_(
                        Event.created_at < at,
                        and_(Event.created_at == at, Event.id < last_id),
                    )
                )
            order = (Event.created_at.desc(), Event.id.desc())
            rows = s.execute(stmt.order_by(*order).limit(limit + 1)).all()
            more = len(rows) > limit
            rows = rows[:limit]
            bare = [r.document_id for r in rows if r.change_id is None and r.seq is None]
            latest: dict[int, list[str]] = {}
            if bare:
                for doc_id, theme in s.execute(
                    select(document_themes.c.document_id, document_themes.c.theme).where(
                        document_themes.c.document_id.in_(bare)
                    )
                ):
                    latest.setdefault(doc_id, []).append(theme)
        items = []
        for r in rows:
            meta = catalog.get(r.source_id) or SourceMeta(r.source_id, r.source_id)
            if r.change_id is not None:
                themes = theme_ids_of(r.change_themes)
            elif r.seq is not None:
                themes = theme_ids_of(r.version_themes)
            else:
                themes = sorted(latest.get(r.document_id, []))
            summary = json.loads(r.summary) if r.summary else {}
            items.append(
                EventItem(
                    id=r.id,
                    kind=r.kind,
                    created_at=r.created_at,
                    document_id=r.document_id,
                    url=r.url,
                    title=r.version_title or r.doc_title,
                    source_id=r.source_id,
                    kind_of_source=meta.kind,
                    country=meta.country,
                    themes=themes,
                    significance=r.significance,
                    summary=summary.get("headline"),
                    version_seq=r.seq,
                    source_name=meta.name,
                    change_id=r.change_id,
                    change_summary=summary or None,
                )
            )
        next_cursor = None
        if more and rows:
            next_cursor = encode_cursor(["events", rows[-1].created_at.isoformat(), rows[-1].id])
        return Page(items=items, next_cursor=next_cursor)

    def _theme_rows(self, s: Session, start: datetime) -> list[tuple[datetime, str, str, str]]:
        """(time, event kind, source id, theme id) for every theme of every new document
        and change since `start`, themes extracted by the database, not in Python."""
        themes = "CASE WHEN e.kind = 'changed' THEN c.themes ELSE v.themes END"
        if s.get_bind().dialect.name == "sqlite":
            each = f"json_each({themes}) j"
            theme = "json_extract(j.value, '$.theme')"
        else:
            each = f"jsonb_array_elements(CAST({themes} AS jsonb)) j"
            theme = "j ->> 'theme'"
        sql = text(
            f"SELECT e.created_at AS at, e.kind AS kind, d.source_id AS source_id, "
            f"{theme} AS theme FROM events e "
            "JOIN documents d ON d.id = e.document_id "
            "LEFT JOIN versions v ON v.id = e.version_id "
            "LEFT JOIN changes c ON c.id = e.change_id "
            f"CROSS JOIN {each} "
            "WHERE e.kind IN ('new', 'changed') AND e.created_at >= :start "
            "AND d.status IN ('active', 'removed')"
        ).columns(at=UTCDateTime())
        start_param = bindparam("start", start, type_=UTCDateTime())
        rows = s.execute(sql.bindparams(start_param)).all()
        return [(r.at, r.kind, r.source_id, r.theme) for r in rows if r.theme]

    def theme_weeks(
        self, weeks: int = 12, *, sources: Any = None, now: datetime | None = None
    ) -> dict[str, Any]:
        """New documents and changes per theme per ISO week over the last `weeks` weeks
        (this one included), by what, source kind and source country:
        {"weeks": ["2026-W01", ...], "starts": [monday date, ...],
         "cells": {theme: {("documents"|"changes", kind, country): [per week]}}}."""
        if not 1 <= weeks <= 520:
            raise ValueError("weeks must be between 1 and 520")
        now = now or datetime.now(UTC)
        monday = (now.astimezone(UTC) - timedelta(days=now.astimezone(UTC).weekday())).date()
        first = monday - timedelta(weeks=weeks - 1)
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        labels = [_week(start + timedelta(weeks=i)) for i in range(weeks)]
        index = {label: i for i, label in enumerate(labels)}
        catalog = source_catalog(sources)
        with self.session() as s:
            rows = self._theme_rows(s, start)
        cells: dict[str, dict[tuple[str, str, str], list[int]]] = {}
        for at, kind, source_id, theme in rows:
            week = index.get(_week(at))
            if week is None:
                continue
            meta = catalog.get(source_id) or SourceMeta(source_id, source_id)
            what = "documents" if kind == "new" else "changes"
            key = (what, meta.kind, meta.country)
            cells.setdefault(theme, {}).setdefault(key, [0] * weeks)[week] += 1
        starts = [first + timedelta(weeks=i) for i in range(weeks)]
        return {"weeks": labels, "starts": starts, "cells": cells}

    def theme_trends(
        self,
        weeks: int = 12,
        by: str | None = None,
        *,
        sources: Any = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """New documents and changes per theme per ISO week, over the last `weeks`
        weeks (this one included), optionally split by source country or kind:
        {"weeks": ["2026-W01", ...], "by": by, "groups": [...],
         "series": {theme: {group: {"documents": [per week], "changes": [...]}}},
         "totals": {theme: {"documents": n, "changes": n}}}; group "all" when by is None."""
        if by not in (None, "country", "kind"):
            raise ValueError("by must be 'country', 'kind' or None")
        data = self.theme_weeks(weeks, sources=sources, now=now)
        series: dict[str, dict[str, dict[str, list[int]]]] = {}
        totals: dict[str, dict[str, int]] = {}
        groups: set[str] = set()
        for theme, cells in data["cells"].items():
            for (what, kind, country), counts in cells.items():
                group = "all" if by is None else kind if by == "kind" else country
                groups.add(group)
                cell = series.setdefault(theme, {}).setdefault(
                    group, {"documents": [0] * weeks, "changes": [0] * weeks}
                )
                cell[what] = [a + b for a, b in zip(cell[what], counts, strict=True)]
                totals.setdefault(theme, {"documents": 0, "changes": 0})[what] += sum(counts)
        return {
            "weeks": data["weeks"],
            "by": by,
            "groups": sorted(groups) or ["all"],
            "series": series,
            "totals": totals,
        }

    def theme_counts(
        self, days: int = 30, now: datetime | None = None
    ) -> dict[str, dict[str, int]]:
        """Per theme: tracked documents whose latest version has it, and new documents
        and changes with it in the last `days` days."""
        now = now or datetime.now(UTC)
        out: dict[str, dict[str, int]] = {}
        with self.session() as s:
            docs = s.execute(
                select(document_themes.c.theme, func.count())
                .join(Document, Document.id == document_themes.c.document_id)
                .where(Document.status.in_(("active", "removed")))
                .group_by(document_themes.c.theme)
            ).all()
            for theme, n in docs:
                out.setdefault(theme, {"documents": 0, "new": 0, "changes": 0})["documents"] = n
            for _at, kind, _source, theme in self._theme_rows(s, now - timedelta(days=days)):
                cell = out.setdefault(theme, {"documents": 0, "new": 0, "changes": 0})
                cell["new" if kind == "new" else "changes"] += 1
        return out

    def sources_overview(
        self, config_sources: Any = None, days: int = 14, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Per source (configured ones in configuration order, then any other with
        documents): metadata, health, documents tracked, and fetches and errors per
        day over the last `days` days (oldest first)."""
        now = now or datetime.now(UTC)
        catalog = source_catalog(config_sources)
        today = now.astimezone(UTC).date()
        day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
        start = datetime(day_list[0].year, day_list[0].month, day_list[0].day, tzinfo=UTC)
        health: Mapping[str, dict[str, Any]] = self.source_health()  # type: ignore[attr-defined]
        with self.session() as s:
            counts: dict[str, dict[str, int]] = {}
            for source_id, status, n in s.execute(
                select(Document.source_id, Document.status, func.count()).group_by(
                    Document.source_id, Document.status
                )
            ):
                counts.setdefault(source_id, {})[status] = n
            if s.get_bind().dialect.name == "sqlite":
                day = func.substr(FetchLog.started_at, 1, 10)
            else:
                day = func.to_char(func.timezone("UTC", FetchLog.started_at), "YYYY-MM-DD")
            errors = func.sum(case((FetchLog.outcome == "error", 1), else_=0))
            per_day: dict[str, dict[str, tuple[int, int]]] = {}
            for source_id, d, fetches, failed in s.execute(
                select(FetchLog.source_id, day.label("day"), func.count(), errors)
                .where(FetchLog.started_at >= start)
                .group_by(FetchLog.source_id, day)
            ):
                per_day.setdefault(source_id, {})[str(d)] = (int(fetches), int(failed or 0))
            names = {r.id: r.name for r in s.execute(select(SourceRow.id, SourceRow.name))}
        ordered = list(catalog) + sorted(set(counts) - set(catalog))
        out = []
        for source_id in ordered:
            meta = catalog.get(source_id) or SourceMeta(source_id, names.get(source_id, source_id))
            h = health.get(source_id, {})
            c = counts.get(source_id, {})
            days_of = per_day.get(source_id, {})
            out.append(
                {
                    "id": source_id,
                    "name": meta.name,
                    "kind": meta.kind,
                    "country": meta.country,
                    "languages": list(meta.languages),
                    "configured": source_id in catalog,
                    "documents": c.get("active", 0),
                    "removed": c.get("removed", 0),
                    "ignored": c.get("ignored", 0),
                    "last_ok_at": h.get("last_ok_at"),
                    "last_fetch_at": h.get("last_fetch_at"),
                    "failing_since": h.get("failing_since"),
                    "last_error": h.get("last_error"),
                    "days": [
                        {
                            "date": d.isoformat(),
                            "fetches": days_of.get(d.isoformat(), (0, 0))[0],
                            "errors": days_of.get(d.isoformat(), (0, 0))[1],
                        }
                        for d in day_list
                    ],
                }
            )
        return out

    def alerts_overview(self) -> dict[str, Any]:
        """Counts by status (every status present), the oldest undelivered alert, and
        the latest failed or uncertain ones, which need a person."""
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(self.alert_counts())  # type: ignore[attr-defined]
        problems = [
            a
            for status in ("failed", "uncertain")
            for a in self.alerts(status=status, limit=10)  # type: ignore[attr-defined]
        ]
        problems.sort(key=lambda a: a.id, reverse=True)
        return {
            "counts": counts,
            "total": sum(counts.values()),
            "oldest_undelivered": self.oldest_undelivered(),  # type: ignore[attr-defined]
            "problems": problems[:10],
        }
