"""Lazy re-exports for package `__init__` modules (PEP 562).

A package's `__init__` runs whenever any of its modules is imported, so an
`__init__` that re-exports its whole public API makes `import monitor.store.db`
cost as much as importing every store module, SQLAlchemy's ORM included.
`monitor check` paid ~1 s of CPU at start-up that way. With lazy re-exports the
public names stay where they are (`from monitor.store import Store`), but a name
is imported only when first used; type checkers read the `TYPE_CHECKING` imports
beside each table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(
    package: str, table: dict[str, str | tuple[str, str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return `__getattr__` and `__dir__` for `package`, whose public names live in
    the modules `table` gives (a module name, or a module and the name there)."""

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = (target, name) if isinstance(target, str) else target
        value = getattr(importlib.import_module(module), attribute)
        setattr(importlib.import_module(package), name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(table) | set(vars(importlib.import_module(package))))

    return __getattr__, __dir__
