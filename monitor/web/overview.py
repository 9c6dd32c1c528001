"""Data of the overview, sources and themes pages, shaped for the templates.

Kept out of the route functions so they stay one screen each, and so the chart
geometry (monitor/web/charts.py) is computed in one place.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from monitor.config import Config
from monitor.store import Reader
from monitor.web.charts import bar_chart, sparkline, stacked_chart
from monitor.web.context import View


def _state(source: dict[str, Any]) -> str:
    """ok, failing or unknown: the one-word health shown next to a source."""
    if source.get("failing_since"):
        return "failing"
    return "ok" if source.get("last_ok_at") else "unknown"


def overview_data(store: Reader, config: Config) -> dict[str, Any]:
    """Latest events, alert delivery at a glance, source health, busy themes."""
    sources = store.sources_overview(config.sources, days=7)
    for s in sources:
        s["state"] = _state(s)
        s["errors_week"] = sum(d["errors"] for d in s["days"])
    counts = store.theme_counts(days=30)
    busy = sorted(counts.items(), key=lambda kv: (-(kv[1]["new"] + kv[1]["changes"]), kv[0]))
    return {
        "events": store.events_since(limit=20, sources=config.sources).items,
        "alerts": store.alerts_overview(),
        "sources": sources,
        "theme_counts": [(k, v) for k, v in busy if v["documents"] or v["new"] or v["changes"]],
    }


def sources_data(store: Reader, config: Config, view: View, days: int = 30) -> dict[str, Any]:
    """Each source's health with a chart of fetch errors per day."""
    sources = store.sources_overview(config.sources, days=days)
    for s in sources:
        s["state"] = _state(s)
        labels = [d["date"][5:] for d in s["days"]]  # MM-DD: the year is obvious
        s["chart"] = bar_chart(
            labels,
            [[d["errors"] for d in s["days"]]],
            names=[view.t("sources.errors_per_day")],
            width=420,
            height=90,
            max_x_ticks=6,
            first_series=2,
        )
        s["fetches"] = sum(d["fetches"] for d in s["days"])
        s["errors"] = sum(d["errors"] for d in s["days"])
    return {"sources": sources, "days": days}


SPLITS: dict[str, tuple[int, tuple[str, ...]]] = {  # split -> (cell field, groups)
    "kind": (1, ("official", "media")),
    "country": (2, ("RU", "KZ", "other")),
    "event": (0, ("documents", "changes")),
}
_RECENT = 4  # weeks compared with the four before them


def themes_data(
    store: Reader, config: Config, view: View, *, weeks: int, split: str
) -> dict[str, Any]:
    """A table of every theme (totals, a sparkline, the last four weeks against the
    four before, official and RU/KZ shares), then one stacked weekly chart per active
    theme, its columns split by source kind, country or event (`split`)."""
    data = store.theme_weeks(weeks, sources=config.sources)
    field, groups = SPLITS[split]
    ticks = _ticks(data["starts"], view.lang)
    names = [_group_name(view, split, g) for g in groups]
    rows, panels = [], []
    for theme in dict.fromkeys([*view.themes, *sorted(data["cells"])]):
        cells = data["cells"].get(theme, {})
        weekly = [sum(c[i] for c in cells.values()) for i in range(weeks)]
        total = sum(weekly)
        by = {g: 0 for g in ("official", "media", "RU", "KZ", "other", "documents", "changes")}
        for (what, kind, country), counts in cells.items():
            n = sum(counts)
            for g in (what, kind, country):
                by[g] = by.get(g, 0) + n
        recent, before = sum(weekly[-_RECENT:]), sum(weekly[-2 * _RECENT : -_RECENT])
        rows.append(
            {
                "theme": theme,
                "total": total,
                "counts": by,
                "spark": sparkline(weekly),
                "recent": recent,
                "before": before,
                "trend": _trend(recent, before, view),
                "official_share": round(100 * by["official"] / total) if total else None,
            }
        )
        if total:
            series = [
                [sum(c[i] for key, c in cells.items() if key[field] == g) for i in range(weeks)]
                for g in groups
            ]
            chart = stacked_chart(data["weeks"], series, names=names, ticks=ticks)
            panels.append({"theme": theme, "chart": chart, "total": total})
    rows.sort(key=lambda r: (-r["total"], r["theme"]))
    panels.sort(key=lambda p: (-p["total"], p["theme"]))
    return {
        "rows": [r for r in rows if r["total"]],
        "quiet": [r["theme"] for r in rows if not r["total"]],
        "panels": panels,
        "weeks": weeks,
        "split": split,
        "legend": list(enumerate(names)),
    }


def _group_name(view: View, split: str, group: str) -> str:
    if split == "event":
        return view.t(f"themes.{group}")
    return view.t(f"{split}.{group}")


def _trend(recent: int, before: int, view: View) -> str:
    """The last four weeks against the four before: «+50 %», «−20 %», «new», «—»."""
    if not before:
        return view.t("themes.trend_new") if recent else "—"
    change = round(100 * (recent - before) / before)
    return f"{change:+d} %".replace("-", "−")


def _ticks(starts: list[date], lang: str) -> dict[int, str]:
    """x labels: a month's short name at its first week (with the year in January and
    at the start); every week's day and month when the span is short."""
    locale = {"kk": "kk_KZ", "ru": "ru_RU"}.get(lang, "en_GB")
    if len(starts) <= 8:
        return {i: format_date(d, "d MMM", locale=locale) for i, d in enumerate(starts)}
    ticks: dict[int, str] = {}
    for i, d in enumerate(starts):
        if i == 0 or d.month != starts[i - 1].month:
            pattern = "LLL yyyy" if i == 0 or d.month == 1 else "LLL"
            ticks[i] = format_date(d, pattern, locale=locale)
    return ticks
