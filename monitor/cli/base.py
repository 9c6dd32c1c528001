"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.config import database_url
from monitor.store import Store

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def open_store(args: argparse.Namespace, config: Any = None) -> Store:
    return Store(database_url(args.db, config))
