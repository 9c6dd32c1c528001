"""The data files shipped with the package: the theme taxonomy and the relevance
rules. A leaf: configuration validation and the analysis both read them, and
neither should import the other to do so."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent
THEMES_PATH = DATA / "themes.yaml"
RELEVANCE_PATH = DATA / "relevance.yaml"


@lru_cache(maxsize=4)
def _load(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return json.dumps(data, ensure_ascii=False)


def shipped(path: Path) -> dict[str, Any]:
    """A shipped file's content, parsed once; a fresh copy each call (callers edit it)."""
    data: dict[str, Any] = json.loads(_load(path))
    return data


def shipped_theme_ids() -> list[str]:
    """Ids of the shipped themes, e.g. to validate subscription filters."""
    return list(shipped(THEMES_PATH))
