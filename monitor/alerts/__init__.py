"""Alerts stage: decide who is told what (build), say it (render), deliver it
through registered channels with retries (channels, dispatch), and watch the
service's own health (health)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor._lazy import exports

if TYPE_CHECKING:
    from monitor.alerts.dispatch import (
        Dispatcher,
    )
    from monitor.alerts.health import (
        check_health,
        describe_source,
        source_problem,
    )

__all__ = [
    "Dispatcher",
    "check_health",
    "describe_source",
    "source_problem",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Dispatcher": "monitor.alerts.dispatch",
        "check_health": "monitor.alerts.health",
        "describe_source": "monitor.alerts.health",
        "source_problem": "monitor.alerts.health",
    },
)
