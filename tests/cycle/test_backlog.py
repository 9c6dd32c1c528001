"""A cycle checks a source's documents a few at a time, however many it has."""

from __future__ import annotations

import asyncio

import pytest

import monitor.cycle.run as running
from monitor.config import Source, parse_config
from monitor.cycle import run_cycle
from monitor.cycle.core import Cycle
from monitor.simweb import Response, SimServer
from monitor.store import DocumentState, Store

PAGES = 80


def _page(i: int) -> str:
    paras = "".join(
        f"<p>Пункт {n}. Россия и Казахстан развивают сотрудничество в отрасли номер {i}.</p>"
        for n in range(1, 30)
    )
    return f"<html><body><article><h1>Документ {i}</h1>{paras}</article></body></html>"


def test_a_source_keeps_few_checks_and_bodies_in_flight(
    web: SimServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetching a loopback page is much faster than extracting it: with every check
    started at once, every downloaded body of the cycle was held at the same time."""
    for i in range(PAGES):
        web.route(f"/d/{i}", Response.html(_page(i)))
    watch = "".join(f"      - {web.url(f'/d/{i}')}\n" for i in range(PAGES))
    config = parse_config(
        "fetch:\n  per_host_delay: 0\n  per_host_concurrency: 2\n"
        "sources:\n  - id: s\n    name: S\n    allow_private: true\n    watch:\n" + watch
    )
    in_flight, peak = [0], [0]
    check = running.check

    async def counted(cycle: Cycle, source: Source, state: DocumentState) -> None:
        in_flight[0] += 1
        peak[0] = max(peak[0], in_flight[0])
        try:
            await check(cycle, source, state)
        finally:
            in_flight[0] -= 1

    monkeypatch.setattr(running, "check", counted)
    summary = asyncio.run(run_cycle(config, store))
    assert summary.new == PAGES and summary.errors == 0
    assert peak[0] == running.CHECKS_IN_FLIGHT  # the source's width, never all 80
