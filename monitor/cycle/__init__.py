"""The check cycle: check one document (core), find new ones (intake), when to
look again (schedule), confirm fetches and re-extraction over stored bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor._lazy import exports

if TYPE_CHECKING:
    from monitor.cycle.outcome import (
        CycleSummary,
        DocumentOutcome,
    )
    from monitor.cycle.preview import (
        Preview,
        preview_page,
    )
    from monitor.cycle.reextract import (
        ReextractReport,
        reextract,
    )
    from monitor.cycle.run import (
        check_documents,
        discover_source,
        run_cycle,
    )

__all__ = [
    "CycleSummary",
    "DocumentOutcome",
    "Preview",
    "ReextractReport",
    "check_documents",
    "discover_source",
    "preview_page",
    "reextract",
    "run_cycle",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "CycleSummary": "monitor.cycle.outcome",
        "DocumentOutcome": "monitor.cycle.outcome",
        "ReextractReport": "monitor.cycle.reextract",
        "reextract": "monitor.cycle.reextract",
        "run_cycle": "monitor.cycle.run",
        "Preview": "monitor.cycle.preview",
        "preview_page": "monitor.cycle.preview",
        "check_documents": "monitor.cycle.run",
        "discover_source": "monitor.cycle.run",
    },
)
