"""The discoverer contract: what every kind (feed, listing, sitemap) gets and
returns, and the registry of kinds by their `type` name in `sources.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from monitor.config import Discover
from monitor.fetch.client import Fetcher


@dataclass
class Candidate:
    """A document URL found by discovery, with what the endpoint said about it."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    summary: str | None = None


@dataclass
class PollResult:
    candidates: list[Candidate] = field(default_factory=list)
    pages: int = 0
    error: str | None = None
    # Where the next poll resumes (opaque to everyone but the discoverer; stored
    # with the endpoint). Only an input too large for one poll needs one.
    cursor: str | None = None


class Discoverer:
    """Base class: fetch the endpoint (and its follow-up pages), yield candidates.

    `cursor` is what the previous poll of this endpoint returned as
    `PollResult.cursor` (None the first time); a discoverer that reads
    everything each poll ignores it.
    """

    type: ClassVar[str]

    def __init__(self, spec: Discover, fetcher: Fetcher, cursor: str | None = None) -> None:
        self.spec, self.fetcher, self.cursor = spec, fetcher, cursor

    async def poll(self) -> PollResult:
        raise NotImplementedError


DISCOVERERS: dict[str, type[Discoverer]] = {}


def register(cls: type[Discoverer]) -> type[Discoverer]:
    DISCOVERERS[cls.type] = cls
    return cls
