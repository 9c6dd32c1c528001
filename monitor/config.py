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
from typing import Annotated, Any

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


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)
    name: str = Field(min_length=1)
    watch: list[HttpUrl] = Field(default_factory=list)
    select: str | None = None
    remove: list[str] = Field(default_factory=list)
    interval: Duration = 3600.0

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
