"""Sources managed in the web UI joined to sources.yaml: the one place that
decides which sources run.

A UI-made source is validated exactly as if it were written in sources.yaml
(through `parse_config` on a one-source document), so an editor sees the same
messages a YAML author does. sources.yaml wins an id clash; a paused source is
kept out of checking wherever it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

import yaml
from pydantic import ValidationError

from monitor.config import (
    Config,
    ConfigError,
    Source,
    Subscription,
    misnamed,
    parse_config,
)
from monitor.data import shipped_theme_ids


class Stored(Protocol):
    """A stored source as the store gives it (monitor/store/stored_sources.py)."""

    @property
    def id(self) -> str: ...
    @property
    def spec(self) -> dict[str, Any] | None: ...
    @property
    def paused(self) -> bool: ...


def validate_source(spec: dict[str, Any], where: str = "the web UI") -> Source:
    """The source `spec` describes, or ConfigError with the file's own messages."""
    text = yaml.safe_dump({"sources": [spec]}, allow_unicode=True, sort_keys=False)
    config = parse_config(text, name=f"source from {where}")
    return config.sources[0]


class Personal(Protocol):
    """A reader's own subscription as the store gives it."""

    @property
    def user(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def spec(self) -> dict[str, Any]: ...


def subscription_name(user: str, label: str) -> str:
    """`u.<user>.<label>`, in the characters a subscription name allows."""
    safe = re.sub(r"[^\w.-]", "_", user)[:20]
    return f"u.{safe}.{label}"


def validate_subscription(
    config: Config, user: str, label: str, spec: dict[str, Any]
) -> Subscription:
    """A reader's subscription, checked by the rules of the file's subscriptions:
    the model's, and the themes and sources it names must exist."""
    if not re.fullmatch(r"[\w-]{1,40}", label):
        raise ConfigError("a subscription's label: letters, digits, '_' or '-', at most 40")
    try:
        sub = Subscription.model_validate({**spec, "name": subscription_name(user, label)})
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ConfigError("; ".join(problems)) from None
    themes = set(config.themes) if config.themes is not None else set(shipped_theme_ids())
    if wrong := misnamed(sub, themes, {s.id for s in config.sources}):
        raise ConfigError(": ".join(wrong))
    return sub


def merge_sources(
    config: Config, stored: Iterable[Stored], personal: Iterable[Personal] = ()
) -> tuple[Config, list[str]]:
    """`config` with the UI's sources added and paused ones left out, and readers'
    own subscriptions added; with the problems found (a stored source or
    subscription that no longer validates is skipped, not fatal)."""
    stored = list(stored)
    from_file = {s.id for s in config.sources}
    paused = {s.id for s in stored if s.paused}
    sources = [s for s in config.sources if s.id not in paused]
    problems: list[str] = []
    for item in stored:
        if item.spec is None or item.paused:
            continue
        if item.id in from_file:
            problems.append(f"source {item.id!r} from the web UI is ignored: sources.yaml has it")
            continue
        try:
            sources.append(validate_source(item.spec))
        except ConfigError as exc:
            problems.append(f"source {item.id!r} from the web UI is skipped: {exc}")
    merged = config.model_copy(update={"sources": sources})
    subscriptions = list(config.subscriptions)
    for own in personal:
        try:
            subscriptions.append(validate_subscription(merged, own.user, own.label, own.spec))
        except ConfigError as exc:
            problems.append(f"subscription {own.label!r} of {own.user!r} is skipped: {exc}")
    return merged.model_copy(update={"subscriptions": subscriptions}), problems


def paused_ids(stored: Iterable[Stored]) -> set[str]:
    return {s.id for s in stored if s.paused}


def export_yaml(stored: Iterable[Stored]) -> str:
    """The UI's sources as a sources.yaml fragment (`monitor sources export`);
    pauses are listed as comments, since sources.yaml has no pause."""
    stored = list(stored)
    specs = [s.spec for s in stored if s.spec is not None]
    lines = ["# Sources managed in the web UI; paste under `sources:` in sources.yaml"]
    lines += [f"# paused in the UI: {s.id}" for s in stored if s.paused]
    body = yaml.safe_dump({"sources": specs}, allow_unicode=True, sort_keys=False) if specs else ""
    return "\n".join(lines) + "\n" + body
