"""Models of sources: what to fetch, how politely, how to discover and recheck."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.types import Duration, HttpUrl, check_css, check_regex


class FetchSettings(BaseModel):
    """How politely and how defensively pages are downloaded."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = "monitor/0.1 (+https://example.org/monitor; contact: monitor@example.org)"
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 30.0
    # read_timeout is per read, so a server sending a byte every few seconds never
    # trips it: `deadline` bounds one whole request (connect, headers, body, its
    # redirects), `check_deadline` one document check (robots.txt, every attempt
    # and the Retry-After waits between them).
    deadline: Duration = Field(default=60.0, gt=0)
    check_deadline: Duration = Field(default=300.0, gt=0)
    max_body_bytes: int = Field(default=15_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=30)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    total_concurrency: int = Field(default=16, ge=1, le=512)
    # Some servers answer 304 (or repeat an ETag) although the page changed, so a
    # conditional request is replaced by a full one when the last full fetch is older.
    full_fetch_after: Duration = 24 * 3600.0
    # When a text seems changed, fetch it again after this delay and learn the
    # lines that differ between the two fetches as volatile (0 turns it off).
    confirm_delay: Duration = 1.0
    # Politeness: at most one request per host every `per_host_delay`; robots.txt;
    # 429/503 answers are retried after Retry-After (capped) or an exponential backoff.
    per_host_delay: Duration = 1.0
    respect_robots: bool = True
    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_base: Duration = 2.0
    max_retry_after: Duration = 600.0


class _DiscoverSpec(BaseModel):
    """What every way of finding documents has: where, and which URLs to keep."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    # discovered URLs must match `include` and must not match `exclude` (regexes)
    include: str | None = None
    exclude: str | None = None

    @field_validator("include", "exclude")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return check_regex(value)


class FeedSpec(_DiscoverSpec):
    """An RSS or Atom feed (monitor/discover/feed.py)."""

    type: Literal["feed"]


class ListingSpec(_DiscoverSpec):
    """An HTML listing page (monitor/discover/listing.py): document links by a CSS
    selector, following the next-page link up to `depth` pages."""

    type: Literal["listing"]
    links: str
    next: str | None = None
    depth: int = Field(default=1, ge=1, le=20)

    @field_validator("links", "next")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return None if value is None else check_css(value)


class SitemapSpec(_DiscoverSpec):
    """A sitemap, sitemap index or news sitemap (monitor/discover/sitemap.py),
    following nested indexes `depth` levels."""

    type: Literal["sitemap"]
    depth: int = Field(default=1, ge=1, le=20)


# One spec per kind, chosen by `type`: a listing without `links` is an error in
# the file, not an assertion at run time.
Discover = Annotated[FeedSpec | ListingSpec | SitemapSpec, Field(discriminator="type")]


class RelevanceRules(BaseModel):
    """When a document from a broad source concerns Russia–Kazakhstan relations.

    Relevant if one `any` term matches, or every group of `require_all` matches
    at least one term; never if an `exclude` term matches. Terms are matched
    with morphology (monitor/analysis/relevance.py), in Russian, Kazakh and English.
    """

    model_config = ConfigDict(extra="forbid")

    require_all: dict[str, list[str]] = Field(default_factory=dict)
    any: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    # Where the `require_all` groups must meet: "sentence" (one sentence, clause
    # or list item: a digest is judged item by item) or anywhere in the "document".
    within: Literal["sentence", "document"] = "sentence"
    # Other countries: a sentence naming both sides among `multilateral_after` or
    # more of these is a multilateral list ("leaders of Russia, China, India and
    # Kazakhstan"), not a bilateral statement.
    others: list[str] = Field(default_factory=list)
    multilateral_after: int = Field(default=3, ge=1)
    # ... or names one of these (OPEC, SCO, a ranking) in that sentence.
    multilateral: list[str] = Field(default_factory=list)
    # A text with one of these ("both countries", "bilateral", «межправительственный»)
    # is judged as a whole: both sides may be named in different sentences.
    cues: list[str] = Field(default_factory=list)
    # A side named just after one of these ("like Russia", «в отличие от России»)
    # or just before one of `comparisons_after` (Kazakh postpositions: «Ресей
    # сияқты») is compared with, not a party to what the sentence says. Plain
    # words, matched case-insensitively, up to two words away from the side.
    comparisons: list[str] = Field(default_factory=list)
    comparisons_after: list[str] = Field(default_factory=list)


class RecheckTier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # a document last changed (or first seen) less than `within` ago ...
    within: Duration | None = None  # None: any age
    # ... is rechecked this often
    every: Duration


def _default_tiers() -> list[RecheckTier]:
    hour, day = 3600.0, 86400.0
    return [
        RecheckTier(within=3 * hour, every=900.0),
        RecheckTier(within=day, every=hour),
        RecheckTier(within=7 * day, every=4 * hour),
        RecheckTier(within=30 * day, every=day),
        RecheckTier(within=None, every=7 * day),
    ]


class RecheckPolicy(BaseModel):
    """How often discovered documents and feeds are polled."""

    model_config = ConfigDict(extra="forbid")

    tiers: list[RecheckTier] = Field(default_factory=_default_tiers, min_length=1)
    # feed/listing/sitemap polling adapts between these bounds to how often it yields news
    discover_min: Duration = 300.0
    discover_max: Duration = 6 * 3600.0
    # a document answering 404/410 this many times in a row is marked removed
    removed_after: int = Field(default=2, ge=1)

    @model_validator(mode="after")
    def _last_tier_open(self) -> RecheckPolicy:
        if self.tiers[-1].within is not None:
            raise ValueError("the last recheck tier must have no `within` (it covers any age)")
        return self


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)
    name: str = Field(min_length=1)
    watch: list[HttpUrl] = Field(default_factory=list)
    select: str | None = None
    remove: list[str] = Field(default_factory=list)
    interval: Duration = 3600.0
    kind: Literal["official", "media"] = "media"
    country: Literal["RU", "KZ", "other"] = "other"
    languages: list[Literal["ru", "kk", "en"]] = Field(default_factory=lambda: ["ru"])  # type: ignore[arg-type]  # pydantic validates the default
    discover: list[Discover] = Field(default_factory=list)
    # "terms": discovered documents are kept only if relevant; "all": keep everything
    relevance: Literal["terms", "all"] = "terms"
    max_new_per_cycle: int = Field(default=20, ge=1)
    # unknown discovered URLs fetched per cycle to judge their relevance
    max_examine_per_cycle: int = Field(default=100, ge=1)
    # linked PDF and DOCX files of a relevant document are tracked as documents too
    follow_attachments: bool = True
    # Requests for this source (watched URLs, its feeds' links, redirects, robots.txt,
    # attachments) may reach loopback and private (RFC 1918, ULA, CGNAT) addresses.
    # Off by default (SSRF guard, monitor/fetch/guard.py); link-local and cloud metadata
    # addresses stay refused even when on.
    allow_private: bool = False

    @field_validator("select")
    @classmethod
    def _select(cls, value: str | None) -> str | None:
        return None if value is None else check_css(value)

    @field_validator("remove")
    @classmethod
    def _remove(cls, values: list[str]) -> list[str]:
        return [check_css(v) for v in values]

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: float) -> float:
        if value < 1:
            raise ValueError("interval must be at least 1s")
        return value
