"""Sources managed in the web UI joined to sources.yaml: the one place that
decides which sources run.

A UI-made source is validated exactly as if it were written in sources.yaml
(through `parse_config` on a one-source document), so an editor sees the same
messages a YAML author does. sources.yaml wins an id clash; a paused source is
kept out of checking wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import yaml

from monitor.config import Config, ConfigError, Source, parse_config


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


def merge_sources(config: Config, stored: Iterable[Stored]) -> tuple[Config, list[str]]:
    """`config` with the UI's sources added and paused ones left out, and the
    problems found (a stored source that no longer validates is skipped, not fatal)."""
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
    return config.model_copy(update={"sources": sources}), problems


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
