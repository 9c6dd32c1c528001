"""What a new version means: its themes, and for a change the summary, the
significance and the themes of what changed.

Computed once when a version is recorded (stored with the change, frozen into
alerts) and, the same way, for any other pair of versions a reader compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.analysis.summary import ChangeSummary, summarize
from monitor.analysis.themes import Taxonomy, ThemeHit, taxonomy
from monitor.config import Config


@dataclass
class Assessment:
    """What a new version means, computed once for storage and for every alert."""

    themes: list[dict[str, Any]]  # of the whole new text
    change_themes: list[dict[str, Any]] | None = None  # of inserted/deleted text
    summary: dict[str, Any] | None = None
    significance: str | None = None
    cosmetic: bool = False


def assess(
    config: Config, old: str | None, new: str, ops: Sequence[tuple[int, str]] | None
) -> Assessment:
    """Themes of `new`; with an `old` text and its word diff `ops`, also the
    summary, significance and themes of the change. Same answer wherever asked."""
    tax = taxonomy(config.themes)
    themes = [h.as_dict() for h in tax.tag(new)]
    if old is None or ops is None:
        return Assessment(themes=themes)
    summary = summarize(old, new, ops)
    return Assessment(
        themes=themes,
        change_themes=[h.as_dict() for h in change_themes(tax, old, new, ops, summary)],
        summary={**summary.as_dict(), "headline": summary.headline()},
        significance=summary.significance,
        cosmetic=summary.cosmetic,
    )


def change_themes(
    tax: Taxonomy,
    old: str,
    new: str,
    ops: Sequence[tuple[int, str]],
    summary: ChangeSummary,
) -> list[ThemeHit]:
    """Themes of what changed; none for a trivial change (layout, quotes, ё/е, a
    typo or a capital letter fixed), which says nothing new on any theme: tagging
    «сотрудничиство» → «сотрудничество» as a humanitarian change would route a
    spelling fix to the humanitarian desk."""
    if summary.significance == "trivial":
        return []
    return tax.tag_change(old, new, ops)
