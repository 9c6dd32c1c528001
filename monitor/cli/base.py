"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.config import Config, ConfigError, database_url, load_config

if TYPE_CHECKING:
    from monitor.store import Store

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def open_store(args: argparse.Namespace, config: Any = None, *, reading: bool = False) -> Store:
    """The configured database; `reading=True` for commands that only read it,
    which must refuse a database that does not exist rather than create one."""
    from monitor.store import Store

    return Store(database_url(args.db, config), must_exist=reading)


def later(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A command function imported only when its command runs: building the parser
    must not import what every other command needs (the store, the fetcher)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        command: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(module), name
        )
        return command(args)

    run.__qualname__ = run.__name__ = name
    return run


def config_or_default(args: argparse.Namespace) -> Config:
    """The configuration, or the defaults when no file is found: read-only
    commands only need it for the themes, and must work on a bare database."""
    try:
        return load_config(getattr(args, "config", None))
    except ConfigError:
        if getattr(args, "config", None):
            raise  # named explicitly: a problem there is the user's to hear about
        return Config()


def when(value: datetime | str | None, missing: str = "-") -> str:
    """A stored time for a person: in the local zone, with the zone named.

    Stored times are UTC (SQLite hands them back without a zone); a bare
    "2026-11-30 04:38" on a terminal says neither, so the zone is always shown.
    """
    if value is None:
        return missing
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def add_command(
    sub: Any, name: str, help: str, description: str, examples: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """A subcommand whose `--help` explains it and shows examples a user can paste."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="examples:\n"
        + "\n".join(f"  {line.strip()}" for line in examples.strip().splitlines()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )
    return parser
