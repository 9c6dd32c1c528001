"""The discoverer contract: what every kind (feed, listing, sitemap) gets and
returns, and the registry of kinds by their `type` name in `sources.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from monitor.config import FeedSpec, ListingSpec, SitemapSpec
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


S = TypeVar("S", FeedSpec, ListingSpec, SitemapSpec)


class Discoverer(Generic[S]):
    """Base class: fetch the endpoint (and its follow-up pages), yield candidates.

    Each kind pairs with its own spec in the configuration (`FeedSpec`,
    `ListingSpec`, `SitemapSpec`), so its fields are there and typed.

    `cursor` is what the previous poll of this endpoint returned as
    `PollResult.cursor` (None the first time); a discoverer that reads
    everything each poll ignores it.
    """

    type: ClassVar[str]

    def __init__(self, spec: S, fetcher: Fetcher, cursor: str | None = None) -> None:
        self.spec: S = spec
        self.fetcher, self.cursor = fetcher, cursor

    async def poll(self) -> PollResult:
        raise NotImplementedError


DISCOVERERS: dict[str, type[Discoverer[Any]]] = {}

D = TypeVar("D", bound=type[Discoverer[Any]])


def register(cls: D) -> D:
    DISCOVERERS[cls.type] = cls
    return cls
