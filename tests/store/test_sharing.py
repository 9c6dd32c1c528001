"""Politeness shared through PostgreSQL (monitor/store/sharing.py): two instances
stand for two workers; what one reserves, holds or claims, the other respects."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from monitor.fetch.politeness import RobotsAnswer
from monitor.store import Store
from monitor.store.sharing import SharedPoliteness, SharedRobots

pytestmark = pytest.mark.slow


@pytest.fixture
def pg(pg_url: str) -> Iterator[Store]:
    store = Store(pg_url)
    yield store
    store.close()


def test_pacing_spaces_starts_whichever_worker_asks(pg: Store) -> None:
    a, b = SharedPoliteness(pg, 2), SharedPoliteness(pg, 2)

    async def go() -> list[float]:
        starts: list[float] = []

        async def one(p: SharedPoliteness) -> None:
            await p.wait("example.org", 0.2)
            starts.append(time.monotonic())

        await asyncio.gather(*(one(p) for p in (a, b, a, b, a, b)))
        return sorted(starts)

    starts = asyncio.run(go())
    gaps = [y - x for x, y in itertools.pairwise(starts)]
    assert min(gaps) >= 0.17, gaps  # 0.2 s apart, give or take the sleep's precision
    assert starts[-1] - starts[0] >= 0.95, starts


def test_a_start_woken_late_still_keeps_the_delay_from_the_last_actual_start(pg: Store) -> None:
    """A worker that reserved its turn long ago but woke late (a busy process)
    must not start right beside the start that came after its reservation."""
    a, b = SharedPoliteness(pg, 2), SharedPoliteness(pg, 2)

    async def go() -> float:
        await a.wait("late.example", 0.5)
        first = time.monotonic()
        # b's reservation is long due, as if it had been made 0.5 s before a's
        # start and b's process had only now woken up from its sleep.
        with pg.engine.begin() as conn:
            conn.execute(
                text("UPDATE host_pacing SET next_at = clock_timestamp() - interval '1 second'")
            )
        await b.wait("late.example", 0.5)
        return time.monotonic() - first

    assert asyncio.run(go()) >= 0.45


def test_a_hold_from_one_worker_delays_the_others(pg: Store) -> None:
    a, b = SharedPoliteness(pg, 2), SharedPoliteness(pg, 2)

    async def go() -> float:
        await a.hold("busy.example", 0.6)  # a 429 with Retry-After: 0.6
        started = time.monotonic()
        await b.wait("busy.example", 0.0)
        return time.monotonic() - started

    assert asyncio.run(go()) >= 0.5


def test_slots_bound_requests_in_flight_and_a_dead_holders_lease_expires(pg: Store) -> None:
    a, b = SharedPoliteness(pg, 1, lease=0.5), SharedPoliteness(pg, 1, lease=0.5)

    async def go() -> tuple[float, float]:
        async with a.slot("one.example"):
            started = time.monotonic()
            waiter = asyncio.create_task(_hold(b, "one.example"))
            await asyncio.sleep(0.3)
            assert not waiter.done()  # the only slot is a's
        await waiter
        waited = time.monotonic() - started
        # a worker that died holding a slot: its lease runs out, then b gets it
        assert a._take("two.example") is not None
        started = time.monotonic()
        await _hold(b, "two.example")
        return waited, time.monotonic() - started

    waited, after_death = asyncio.run(go())
    assert waited >= 0.3
    assert 0.3 <= after_death < 3.0


async def _hold(p: SharedPoliteness, host: str) -> None:
    async with p.slot(host):
        pass


def test_robots_is_claimed_by_one_worker_and_a_fresh_answer_is_not_fetched_again(
    pg: Store,
) -> None:
    a, b = SharedRobots(pg), SharedRobots(pg)

    async def go() -> None:
        assert await a.claim("public http://h", 30, 3600)
        assert not await b.claim("public http://h", 30, 3600)  # a fetches it
        await a.put("public http://h", RobotsAnswer(200, "User-agent: *\nDisallow: /x"))
        # the claim is free now, but the answer is fresh: nobody fetches again
        assert not await b.claim("public http://h", 30, 3600)
        stored = await b.get("public http://h")
        assert stored is not None and stored[0].text == "User-agent: *\nDisallow: /x"
        # a failed answer is believed for ROBOTS_RETRY only, then claimable again
        await a.put("public http://down", RobotsAnswer(None, None, "connect refused", "connect"))
        assert not await b.claim("public http://down", 30, 3600)

    asyncio.run(go())
    with pg.engine.begin() as conn:
        conn.execute(
            text("UPDATE robots_cache SET fetched_at = fetched_at - interval '10 minutes'")
        )
    assert asyncio.run(b.claim("public http://down", 30, 3600))
    assert not asyncio.run(b.claim("public http://h", 30, 3600))  # 2xx: TTL is an hour


def test_a_claim_seen_late_is_claimed_again_after_the_delay(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claimed start that the event loop resumes 0.2 s late (a starved process)
    would fall beside the next worker's punctual one: it is claimed again."""
    host = "late.example.org"
    p = SharedPoliteness(pg, 2)
    real = p._claim_start
    calls: list[float] = []

    def claim(h: str, delay: float) -> tuple[float, float]:
        left, when = real(h, delay)
        calls.append(left)
        if left == 0 and len(calls) == 1:
            return left, when - 0.2  # as if the loop saw this claim 0.2 s later
        return left, when

    monkeypatch.setattr(p, "_claim_start", claim)
    started = time.monotonic()
    asyncio.run(p.wait(host, 0.3))
    waited = time.monotonic() - started
    assert calls[0] == 0 and calls[-1] == 0 and len(calls) >= 3, calls  # claimed, waited, again
    assert waited >= 0.27, waited  # the second claim waited for the first one's delay
