"""Data of the overview, sources and themes pages, shaped for the templates.

Kept out of the route functions so they stay one screen each, and so the chart
geometry (monitor/web/charts.py) is computed in one place.
"""

from __future__ import annotations

from typing import Any

from monitor.config import Config
from monitor.store import Reader
from monitor.web.charts import bar_chart
from monitor.web.context import View

BY = (None, "country", "kind")


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


def themes_data(
    store: Reader, config: Config, view: View, *, weeks: int, by: str | None
) -> dict[str, Any]:
    """Per theme (busiest first) and per group (country or kind, or all): a chart of
    new documents and changes per ISO week."""
    trends = store.theme_trends(weeks, by, sources=config.sources)
    names = [view.t("themes.documents"), view.t("themes.changes")]
    totals = trends["totals"]
    order = sorted(
        trends["series"], key=lambda k: (-(totals[k]["documents"] + totals[k]["changes"]), k)
    )
    panels = []
    for theme in order:
        groups = []
        for group, values in sorted(trends["series"][theme].items()):
            chart = bar_chart(
                trends["weeks"],
                [values["documents"], values["changes"]],
                names=names,
                width=560,
                height=140,
                max_x_ticks=6,
            )
            groups.append({"group": group, "chart": chart})
        panels.append({"theme": theme, "totals": totals[theme], "groups": groups})
    return {"panels": panels, "weeks": weeks, "by": by, "week_labels": trends["weeks"]}
