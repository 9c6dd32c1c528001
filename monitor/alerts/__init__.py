"""Alerts stage: decide who is told what (build), say it (render), deliver it
through registered channels with retries (channels, dispatch), and watch the
service's own health (health)."""

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.health import check_health, describe_source, source_problem

__all__ = ["Dispatcher", "check_health", "describe_source", "source_problem"]
