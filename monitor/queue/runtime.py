"""What one worker process holds while it runs jobs: the configuration, the
store, one fetcher (its pacing, host slots and robots.txt shared with the other
workers through the database) and the alert dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.alerts import Dispatcher
from monitor.config import Config
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

    @classmethod
    def open(cls, config: Config, store: Store) -> Runtime:
        fetcher = Fetcher(
            config.fetch,
            politeness=SharedPoliteness(
                store, config.fetch.per_host_concurrency, lease=config.fetch.check_deadline * 2
            ),
            robots_shelf=SharedRobots(store),
        )
        return cls(config, store, fetcher, Dispatcher(config, store))

    async def close(self) -> None:
        await self.fetcher.aclose()
