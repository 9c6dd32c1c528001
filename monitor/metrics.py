"""Prometheus metrics (prometheus_client): what `/metrics` exposes.

Counters and histograms are fed by the pipeline and the scheduler as things
happen; database-wide totals are read at scrape time by a custom collector, so
they are right even after a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

FETCHES = Counter(
    "monitor_fetches_total",
    "Documents checked, by source and outcome",
    ["source", "outcome"],
    registry=REGISTRY,
)
FETCH_SECONDS = Histogram(
    "monitor_fetch_seconds",
    "Download time per document",
    ["source"],
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
PROCESS_SECONDS = Histogram(
    "monitor_process_seconds",
    "Decode, extract, diff and store time per document",
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CHECKS = Counter(
    "monitor_checks_total",
    "Source checks run by the scheduler",
    ["source", "result"],
    registry=REGISTRY,
)
SCHEDULER_LAG = Gauge(
    "monitor_scheduler_lag_seconds",
    "How late the last check of a source started",
    ["source"],
    registry=REGISTRY,
)
WORKER_JOBS = Counter(
    "monitor_worker_jobs_total",
    "Jobs this worker finished, by task (its throughput; `monitor worker --metrics-port`)",
    ["task"],
    registry=REGISTRY,
)
ALERTS_DELIVERED = Counter(
    "monitor_alert_deliveries_total",
    "Alert delivery attempts by result",
    ["result"],
    registry=REGISTRY,
)


class StoreCollector(Collector):
    """Totals read from the database at scrape time."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self.store.counts()
        for name in ("documents", "versions", "changes", "snapshots", "events"):
            if name in counts:
                yield GaugeMetricFamily(f"monitor_{name}", f"Rows in {name}", value=counts[name])
        alerts = GaugeMetricFamily("monitor_alerts", "Alerts by status", labels=["status"])
        for status, n in sorted(self.store.alert_counts().items()):
            alerts.add_metric([status], n)
        yield alerts
        yield from self._health()
        yield from self._queue()

    def _queue(self) -> Iterator[GaugeMetricFamily]:
        """The job queue's state, where there is one (workers on PostgreSQL)."""
        figures = self.store.queue_figures()
        if figures is None:
            return
        jobs = GaugeMetricFamily(
            "monitor_queue_jobs", "Jobs by queue and status", labels=["queue", "status"]
        )
        for (queue, status), n in sorted(figures.counts.items()):
            jobs.add_metric([queue, status], n)
        yield jobs
        yield GaugeMetricFamily(
            "monitor_queue_oldest_waiting_seconds",
            "How long the oldest waiting job has waited",
            value=figures.oldest_todo_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "monitor_checks_overdue_seconds",
            "How overdue the most overdue document check is (0: none is)",
            value=figures.oldest_due_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "monitor_queue_stalled_jobs",
            "Jobs running on a worker whose heartbeat stopped (put back by the next dispatch)",
            value=figures.stalled,
        )
        yield GaugeMetricFamily(
            "monitor_queue_workers", "Workers with a recent heartbeat", value=figures.workers
        )

    def _health(self) -> Iterator[GaugeMetricFamily]:
        """Per source, from the same reading as /readyz, the CLI and the web UI, so
        an alert rule sees a feed-only source that fails as failing too."""
        failing = GaugeMetricFamily(
            "monitor_source_failing",
            "1 when the latest document fetch, or every feed, listing and sitemap at "
            "its latest poll, failed",
            labels=["source"],
        )
        never = GaugeMetricFamily(
            "monitor_source_never_succeeded",
            "1 when no fetch or poll of the source has ever worked",
            labels=["source"],
        )
        last_ok = GaugeMetricFamily(
            "monitor_source_last_success_timestamp_seconds",
            "When a fetch or poll of the source last worked (Unix time)",
            labels=["source"],
        )
        for source, h in sorted(self.store.source_health().items()):
            failing.add_metric([source], 1.0 if h.get("failing_since") else 0.0)
            never.add_metric([source], 1.0 if h.get("never_succeeded") else 0.0)
            if h.get("last_ok_at"):
                last_ok.add_metric([source], h["last_ok_at"].timestamp())
        yield failing
        yield never
        yield last_ok


def exposition(store: Any) -> bytes:
    """The process's counters, then the totals of `store` read now.

    Why a registry per scrape for the totals: the store is the caller's (the
    service's, or `monitor serve`'s), not a module-wide setting that the last
    scrape happened to leave behind.
    """
    totals = CollectorRegistry(auto_describe=False)
    totals.register(StoreCollector(store))
    return generate_latest(REGISTRY) + generate_latest(totals)
