"""What one worker process holds while it runs jobs: the configuration, the
store, one fetcher (its pacing, host slots and robots.txt shared with the other
workers through the database) and the alert dispatcher."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from monitor.alerts import Dispatcher
from monitor.config import Config
from monitor.config.stored import merge_sources
from monitor.fetch.client import Fetcher
from monitor.store import Store
from monitor.store.sharing import SharedPoliteness, SharedRobots


@dataclass
class Runtime:
    config: Config
    store: Store
    fetcher: Fetcher
    dispatcher: Dispatcher
    # jobs done by this worker, by task name: per-worker throughput on /metrics
    done: dict[str, int] = field(default_factory=dict)
    base: Config | None = None  # sources.yaml as read at start
    refreshed_at: float = 0.0

    def refresh(self, every: float = 5.0) -> None:
        """Join the sources managed in the web UI again (at most every few seconds):
        a source added, edited or paused there reaches every worker without a restart."""
        if self.base is None or time.monotonic() - self.refreshed_at < every:
            return
        self.refreshed_at = time.monotonic()
        config, problems = merge_sources(
            self.base, self.store.stored_sources(), self.store.user_subscriptions()
        )
        for problem in problems:
            logging.getLogger(__name__).warning("%s", problem)
        self.config = config
        self.dispatcher.config = config

    @classmethod
    def open(cls, config: Config, store: Store) -> Runtime:
        fetcher = Fetcher(
            config.fetch,
            # A slot is held for one request (bounded by `deadline`) and its pacing
            # wait: a slot whose worker died frees itself after this lease.
            politeness=SharedPoliteness(
                store, config.fetch.per_host_concurrency, lease=config.fetch.deadline * 1.5 + 5
            ),
            robots_shelf=SharedRobots(store),
        )
        merged, _ = merge_sources(config, store.stored_sources(), store.user_subscriptions())
        runtime = cls(merged, store, fetcher, Dispatcher(merged, store), base=config)
        runtime.refreshed_at = time.monotonic()
        return runtime

    async def close(self) -> None:
        await self.fetcher.aclose()
