"""Configuration: `sources.yaml` is parsed and validated here and nowhere else.

Every error names the file, the line, the source id and the field, because the
person fixing it is looking at the YAML file, not at a Python traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from monitor.config.alerts import (
    AlertSettings,
    AppriseChannel,
    EmailChannel,
    Filters,
    SmtpSettings,
    Subscription,
    ThemeSpec,
    WebhookChannel,
)
from monitor.config.models import (
    Discover,
    FeedSpec,
    FetchSettings,
    ListingSpec,
    RecheckPolicy,
    RecheckTier,
    RelevanceRules,
    SitemapSpec,
    Source,
)
from monitor.config.types import Duration, HttpUrl, parse_duration
from monitor.data import shipped_theme_ids

__all__ = [
    "AlertSettings",
    "AppriseChannel",
    "Config",
    "ConfigError",
    "Discover",
    "Duration",
    "EmailChannel",
    "FeedSpec",
    "FetchSettings",
    "Filters",
    "HttpUrl",
    "ListingSpec",
    "RecheckPolicy",
    "RecheckTier",
    "RelevanceRules",
    "SitemapSpec",
    "SmtpSettings",
    "Source",
    "Subscription",
    "ThemeSpec",
    "WebhookChannel",
    "database_url",
    "load_config",
    "misnamed",
    "parse_config",
    "parse_duration",
]

DEFAULT_CONFIG = Path("sources.yaml")
DEFAULT_DATABASE_URL = "sqlite:///storage/monitor.db"


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fetch: FetchSettings = Field(default_factory=FetchSettings)
    database_url: str | None = None
    # None: the rules shipped in monitor/data/relevance.yaml
    relevance: RelevanceRules | None = None
    recheck: RecheckPolicy = Field(default_factory=RecheckPolicy)
    sources: list[Source] = Field(default_factory=list)
    # None: the taxonomy shipped in monitor/data/themes.yaml
    themes: dict[str, ThemeSpec] | None = None
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    subscriptions: list[Subscription] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                raise _DuplicateId(index, source.id)
            seen.add(source.id)
        return self

    @model_validator(mode="after")
    def _subscriptions_name_known_things(self) -> Config:
        if not self.subscriptions:
            return self
        # The shipped taxonomy when none is configured.
        known_themes = set(self.themes) if self.themes is not None else set(shipped_theme_ids())
        known_sources = {s.id for s in self.sources}
        names: set[str] = set()
        for index, sub in enumerate(self.subscriptions):
            if sub.name in names:
                raise _Misnamed(index, "name", f"duplicate subscription name {sub.name!r}")
            names.add(sub.name)
            if wrong := misnamed(sub, known_themes, known_sources):
                raise _Misnamed(index, *wrong)
        return self

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r}")


def misnamed(
    sub: Subscription, known_themes: set[str], known_sources: set[str]
) -> tuple[str, str] | None:
    """(field, message) for the first theme or source a subscription names that
    does not exist; the file's subscriptions and the readers' own (monitor/config/
    stored.py) are held to this one check."""
    for theme in sub.filters.themes:
        if theme not in known_themes:
            known = ", ".join(sorted(known_themes))
            return "filters.themes", f"unknown theme {theme!r}; known: {known}"
    for source_id in sub.filters.sources:
        if source_id not in known_sources:
            return "filters.sources", f"unknown source {source_id!r}"
    return None


class _DuplicateId(ValueError):
    def __init__(self, index: int, source_id: str) -> None:
        super().__init__(f"duplicate source id {source_id!r}")
        self.index = index


class _Misnamed(ValueError):
    """A subscription names a theme, source or name that does not fit."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(message)
        self.index, self.field = index, field


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


# Nodes the YAML may expand to once its aliases are resolved. Why a bound: an
# alias names a whole subtree, so nine nested aliases of nine items ("billion
# laughs") expand a few hundred bytes into a billion nodes; a real sources.yaml
# has a few thousand. Counted on the composed graph, before anything is expanded.
MAX_YAML_NODES = 200_000
# A sources.yaml is a few hundred kilobytes at most; a larger file is a mistake.
MAX_CONFIG_BYTES = 5_000_000
_SAFE_TAG = "tag:yaml.org,2002:"
_SAFE_TAGS = {
    _SAFE_TAG + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "merge")
}


def _where(name: str, node: yaml.Node) -> str:
    return f"{name}:{node.start_mark.line + 1}"


def _check_graph(root: yaml.Node, name: str) -> None:
    """Refuse what `safe_load` would choke on or blow up with, before it runs:
    a tag naming a Python object, a recursive alias, or an alias expansion past
    MAX_YAML_NODES. Sizes are memoised per node, so the check is linear in the
    text, not in the expansion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(f"{_where(name, node)}: refused YAML: an alias refers to itself")
        if node.tag not in _SAFE_TAGS:  # !!python/object and friends: code, not data
            raise ConfigError(
                f"{_where(name, node)}: refused YAML tag {node.tag!r}: only plain "
                "mappings, lists, strings, numbers and dates are allowed"
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        open_nodes.discard(key)
        if total > MAX_YAML_NODES:
            raise ConfigError(
                f"{_where(name, node)}: refused YAML: its aliases expand to more than "
                f"{MAX_YAML_NODES} values (an alias bomb?)"
            )
        sizes[key] = total
        return total

    size(root)


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 text, or an error naming the line and column of the first bad byte."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{name}: {len(raw)} bytes; a configuration file is at most {MAX_CONFIG_BYTES}"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{name}:{line}: not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column} "
            f"({exc.reason}); save the file as UTF-8"
        ) from None


def _yaml_error(exc: yaml.YAMLError, name: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{name}:{mark.line + 1}" if mark else name
    problem = getattr(exc, "problem", None) or str(exc)
    return ConfigError(f"{where}: invalid YAML: {problem}")


def _load_yaml(text: str, name: str) -> _Located:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    except RecursionError:
        raise ConfigError(f"{name}: refused YAML: nested too deeply") from None
    if root is None:
        return _Located(data=None, lines={})
    _check_graph(root, name)
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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    return _Located(data=data, lines=lines)


# top-level lists whose items are named in messages: key -> (noun, identifying field)
_LISTS = {"sources": ("source", "id"), "subscriptions": ("subscription", "name")}


def _describe(error: dict[str, Any], located: _Located, name: str) -> str:
    loc = tuple(error["loc"])
    line = None
    for cut in range(len(loc), -1, -1):
        line = located.lines.get(loc[:cut])
        if line is not None:
            break
    prefix = f"{name}:{line}" if line else name
    parts = []
    if len(loc) >= 2 and loc[0] in _LISTS and isinstance(loc[1], int):
        what, key = _LISTS[loc[0]]
        items = located.data.get(loc[0]) if isinstance(located.data, dict) else None
        item_id = None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            item_id = items[loc[1]].get(key)
        parts.append(f"{what} {item_id!r}" if item_id else f"{what} #{loc[1] + 1}")
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
    if located.data is None:
        # Why an error: "valid, 0 sources" for an empty file hides a wrong path or
        # a file truncated by a failed copy behind a service that silently does nothing.
        raise ConfigError(
            f"{name}: the file is empty (no YAML content); it needs at least a 'sources:' "
            "list (write `sources: []` to run with none on purpose)"
        )
    data = located.data
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: the top level must be a mapping with a 'sources' list")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for detail in exc.errors():
            err: dict[str, Any] = dict(detail)
            ctx_error = (err.get("ctx") or {}).get("error")
            if isinstance(ctx_error, _DuplicateId):
                err = {**err, "loc": ("sources", ctx_error.index, "id"), "msg": str(ctx_error)}
            elif isinstance(ctx_error, _Misnamed):
                loc = ("subscriptions", ctx_error.index, *ctx_error.field.split("."))
                err = {**err, "loc": loc, "msg": str(ctx_error)}
            problems.append(_describe(err, located, name))
        raise ConfigError(f"{name} is invalid:", problems) from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    config_path = Path(path or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc.strerror or exc}") from None
    return parse_config(_decode(raw, str(config_path)), str(config_path))


def database_url(cli_value: str | None, config: Config | None = None) -> str:
    """`--db` beats `MONITOR_DATABASE_URL` beats the config file beats the SQLite default."""
    return (
        cli_value
        or os.environ.get("MONITOR_DATABASE_URL")
        or (config.database_url if config else None)
        or DEFAULT_DATABASE_URL
    )
