"""Configuration: `sources.yaml` is parsed and validated here and nowhere else.

Every error names the file, the line, the source id and the field, because the
person fixing it is looking at the YAML file, not at a Python traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from soupsieve import SelectorSyntaxError
from soupsieve import compile as compile_css

DEFAULT_CONFIG = Path("sources.yaml")
DEFAULT_DATABASE_URL = "sqlite:///storage/monitor.db"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: Any) -> float:
    """Accept `90`, `90s`, `15m`, `1h`, `1d`: humans write intervals, not seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m, 1h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; use e.g. 30s, 15m, 1h or 1d")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _check_css(selector: str) -> str:
    try:
        compile_css(selector)
    except SelectorSyntaxError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc.args[0]}") from None
    return selector


def _check_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/]+[^\s]*$", url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


HttpUrl = Annotated[str, AfterValidator(_check_url)]


class FetchSettings(BaseModel):
    """How politely and how defensively pages are downloaded."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = "monitor/0.1 (+https://example.org/monitor; contact: monitor@example.org)"
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 30.0
    max_body_bytes: int = Field(default=15_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=30)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    total_concurrency: int = Field(default=16, ge=1, le=512)
    # Some servers answer 304 (or repeat an ETag) although the page changed, so a
    # conditional request is replaced by a full one when the last full fetch is older.
    full_fetch_after: Duration = 24 * 3600.0
    # Politeness: at most one request per host every `per_host_delay`; robots.txt;
    # 429/503 answers are retried after Retry-After (capped) or an exponential backoff.
    per_host_delay: Duration = 1.0
    respect_robots: bool = True
    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_base: Duration = 2.0
    max_retry_after: Duration = 600.0


def _check_regex(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern


class Discover(BaseModel):
    """One way of finding a source's new documents, registered by `type`."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["feed", "listing", "sitemap"]
    url: HttpUrl
    # listing: CSS selector of the links to documents, and of the next-page link
    links: str | None = None
    next: str | None = None
    # listing: pages followed; sitemap: nested sitemap-index levels followed
    depth: int = Field(default=1, ge=1, le=20)
    # discovered URLs must match `include` and must not match `exclude` (regexes)
    include: str | None = None
    exclude: str | None = None

    @field_validator("links", "next")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return None if value is None else _check_css(value)

    @field_validator("include", "exclude")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @model_validator(mode="after")
    def _listing_needs_links(self) -> Discover:
        if self.type == "listing" and not self.links:
            raise ValueError("a listing needs `links`: the CSS selector of document links")
        return self


class RelevanceRules(BaseModel):
    """When a document from a broad source concerns Russia–Kazakhstan relations.

    Relevant if one `any` term matches, or every group of `require_all` matches
    at least one term; never if an `exclude` term matches. Terms are matched
    with morphology (monitor/relevance.py), in Russian, Kazakh and English.
    """

    model_config = ConfigDict(extra="forbid")

    require_all: dict[str, list[str]] = Field(default_factory=dict)
    any: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


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
    languages: list[Literal["ru", "kk", "en"]] = Field(default_factory=lambda: ["ru"])
    discover: list[Discover] = Field(default_factory=list)
    # "terms": discovered documents are kept only if relevant; "all": keep everything
    relevance: Literal["terms", "all"] = "terms"
    max_new_per_cycle: int = Field(default=20, ge=1)
    # unknown discovered URLs fetched per cycle to judge their relevance
    max_examine_per_cycle: int = Field(default=100, ge=1)
    # linked PDF and DOCX files of a relevant document are tracked as documents too
    follow_attachments: bool = True

    @field_validator("select")
    @classmethod
    def _select(cls, value: str | None) -> str | None:
        return None if value is None else _check_css(value)

    @field_validator("remove")
    @classmethod
    def _remove(cls, values: list[str]) -> list[str]:
        return [_check_css(v) for v in values]

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: float) -> float:
        if value < 1:
            raise ValueError("interval must be at least 1s")
        return value


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fetch: FetchSettings = Field(default_factory=FetchSettings)
    database_url: str | None = None
    # None: the rules shipped in monitor/data/relevance.yaml
    relevance: RelevanceRules | None = None
    recheck: RecheckPolicy = Field(default_factory=RecheckPolicy)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                raise _DuplicateId(index, source.id)
            seen.add(source.id)
        return self

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r}")


class _DuplicateId(ValueError):
    def __init__(self, index: int, source_id: str) -> None:
        super().__init__(f"duplicate source id {source_id!r}")
        self.index = index


class ConfigError(Exception):
    """Raised with a message meant for the person editing the file."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


@dataclass
class _Located:
    """YAML data plus the line of every mapping key and sequence item."""

    data: Any
    lines: dict[tuple[Any, ...], int]


def _load_yaml(text: str, name: str) -> _Located:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node | None, path: tuple[Any, ...]) -> None:
        if node is None:
            return
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value)
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    walk(root, ())
    data = yaml.safe_load(text) if root is not None else None
    return _Located(data=data, lines=lines)


def _describe(error: dict[str, Any], located: _Located, name: str) -> str:
    loc = tuple(error["loc"])
    line = None
    for cut in range(len(loc), -1, -1):
        line = located.lines.get(loc[:cut])
        if line is not None:
            break
    prefix = f"{name}:{line}" if line else name
    parts = []
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        sources = located.data.get("sources") if isinstance(located.data, dict) else None
        source_id = None
        if (
            isinstance(sources, list)
            and loc[1] < len(sources)
            and isinstance(sources[loc[1]], dict)
        ):
            source_id = sources[loc[1]].get("id")
        parts.append(f"source {source_id!r}" if source_id else f"source #{loc[1] + 1}")
        field = ".".join(str(x) for x in loc[2:])
    else:
        field = ".".join(str(x) for x in loc)
    if field:
        parts.append(f"field {field!r}")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    return f"{prefix}: {', '.join(parts)}: {message}" if parts else f"{prefix}: {message}"


def parse_config(text: str, name: str = "sources.yaml") -> Config:
    located = _load_yaml(text, name)
    data = located.data if located.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: the top level must be a mapping with a 'sources' list")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            ctx_error = (err.get("ctx") or {}).get("error")
            if isinstance(ctx_error, _DuplicateId):
                err = {**err, "loc": ("sources", ctx_error.index, "id"), "msg": str(ctx_error)}
            problems.append(_describe(err, located, name))
        raise ConfigError(f"{name} is invalid:", problems) from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    config_path = Path(path or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: configuration file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not UTF-8 text ({exc.reason})") from None
    return parse_config(text, str(config_path))


def database_url(cli_value: str | None, config: Config | None = None) -> str:
    """`--db` beats `MONITOR_DATABASE_URL` beats the config file beats the SQLite default."""
    return (
        cli_value
        or os.environ.get("MONITOR_DATABASE_URL")
        or (config.database_url if config else None)
        or DEFAULT_DATABASE_URL
    )
