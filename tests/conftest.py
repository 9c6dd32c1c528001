"""Shared fixtures: a real loopback web server and a real database (SQLite and PostgreSQL).

The suite must run from a bare clone, so an audit hook (`OpenGuard`) watches every
file the tests open for the whole session: a file next to the repository (in a sibling
directory, which a user's clone does not have) fails the test that opened it.
"""

from __future__ import annotations

import getpass
import os
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from monitor.simweb import SimServer
from monitor.simweb.corpus import commentary_text
from monitor.simweb.receiver import Receiver
from monitor.store import Store

PG_DSN = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class OpenGuard:
    """An audit hook (event "open") that records files opened next to the repository.

    A path counts if it resolves inside `parent` (by default the repository's parent
    directory) but outside `root`, i.e. in a sibling of the repository. Directories in
    `exempt` that lie inside `parent` are allowed (the interpreter's prefix when the
    virtualenv sits next to the checkout, pytest's temporary directories); an exempt
    directory that contains `parent` would allow everything, so it is ignored.
    `where` names the test or collector running now; `found` holds (where, path).
    """

    def __init__(
        self,
        root: Path | str,
        parent: Path | str | None = None,
        exempt: Iterable[Path | str] = (),
    ) -> None:
        self.root = os.path.realpath(root)
        self.parent = os.path.realpath(parent if parent is not None else os.path.dirname(self.root))
        self.exempt = [
            e
            for e in (os.path.realpath(x) for x in exempt)
            if _inside(e, self.parent) and e != self.parent and not _inside(self.root, e)
        ]
        self.where = "session"
        self.found: list[tuple[str, str]] = []
        self.seen = 0  # "open" events audited, to show the hook is live

    def forbidden(self, path: Any) -> str | None:
        """The resolved path if opening `path` reaches outside the repository, else None."""
        if isinstance(path, int):
            return None  # an already open descriptor
        try:
            real = os.path.realpath(os.fsdecode(os.fspath(path)))
        except (TypeError, ValueError):
            return None
        if not _inside(real, self.parent) or _inside(real, self.root):
            return None
        if any(_inside(real, e) for e in self.exempt):
            return None
        return real

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not args:
            return
        try:  # an exception here would break the open() being audited
            self.seen += 1
            if (path := self.forbidden(args[0])) is not None:
                self.found.append((self.where, path))
        except Exception:
            pass

    def take(self, where: str) -> list[str]:
        """The paths recorded for `where`, removed from `found`."""
        mine = [path for w, path in self.found if w == where]
        self.found = [(w, path) for w, path in self.found if w != where]
        return sorted(set(mine))


def _exempt() -> list[str]:
    """The interpreter and the temporary directories: allowed even next to the checkout."""
    dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir()]
    try:
        dirs.append(os.path.join(tempfile.gettempdir(), f"pytest-of-{getpass.getuser()}"))
    except (KeyError, OSError):  # no user name: pytest then uses "pytest-of-unknown"
        dirs.append(os.path.join(tempfile.gettempdir(), "pytest-of-unknown"))
    return dirs


GUARD = OpenGuard(REPO, exempt=_exempt())
_installed: list[OpenGuard] = []


def _outside_message(paths: list[str]) -> str:
    return "opened outside the repository (a fresh clone has no such file): " + ", ".join(paths)


# Modules whose tests start processes (`monitor run`, the CLI, a browser, a fresh
# clone), feed bombs and huge inputs, or fuzz the API: `slow`, and so are the
# PostgreSQL runs of storage tests. The rest is the fast inner loop,
# `pytest -m "not slow" -n 2`, well under a minute on 2 cores.
SLOW_MODULES = frozenset(
    {
        "test_alerts_cli",
        "test_api_fuzz",
        "test_cli",
        "test_cli_usage",
        "test_demo",
        "test_hostile_fetch",
        "test_hostile_input",
        "test_hostile_limits",
        "test_hostile_storage",
        "test_maintenance",
        "test_offline",
        "test_self_contained",
        "test_service",
        "test_sitemap_resume",
        "test_web_browser",
        "test_web_flows_browser",
        "test_families_web",
    }
)


# Single tests of otherwise fast modules that run the CLI in a process, crash one
# on purpose, or score a whole corpus.
SLOW_TESTS = frozenset(
    {
        "test_reextract_command",
        "test_mean_f1_at_least_095",
        "test_monitor_extract_shows_what_would_be_stored",
        "test_crash_between_sending_and_recording",
        "test_a_crash_mid_transaction_leaves_no_version_without_its_change",
        "test_monitor_serve_runs_the_ui_with_the_token_from_the_environment",
        "test_rate_limit_answers_429_with_retry_after_and_logs_arrivals",
        "test_owned_server_and_concurrent_mutation",
        "test_every_page_answers_with_its_content",
        "test_security_headers_on_every_kind_of_response",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        # The inner loop runs storage tests on SQLite; the full suite on both.
        on_postgresql = "[postgresql" in item.name
        if item.path.stem in SLOW_MODULES or name in SLOW_TESTS or on_postgresql:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    if not _installed:  # audit hooks cannot be removed: install once per process
        sys.addaudithook(GUARD)
        _installed.append(GUARD)


def pytest_collectstart(collector: pytest.Collector) -> None:
    GUARD.where = f"collecting {collector.nodeid}"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    report = yield
    if paths := GUARD.take(f"collecting {collector.nodeid}"):
        report.outcome = "failed"
        report.longrepr = _outside_message(paths)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    GUARD.where = item.nodeid
    try:
        return (yield)
    finally:
        GUARD.where = "session"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if paths := GUARD.take(item.nodeid):
        earlier = f"\n\n{report.longrepr}" if report.failed and report.longrepr else ""
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} ({call.when}): {_outside_message(paths)}{earlier}"
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if GUARD.found:  # opened outside any test or collector (hooks, plugins)
        lines = [f"{where}: {_outside_message([path])}" for where, path in GUARD.found]
        sys.stderr.write("\n".join(lines) + "\n")
        if session.exitstatus == 0:
            session.exitstatus = 1


@pytest.fixture
def web() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


def _pg_schema_url() -> Iterator[str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # fail, never skip: CI must test PostgreSQL
        pytest.fail(f"PostgreSQL is required for storage tests at {PG_DSN}: {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of its own (a throw-away schema), for what only runs there."""
    yield from _pg_schema_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _pg_schema_url()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver for webhook and Apprise deliveries."""
    with Receiver() as r:
        yield r


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def fixture_text() -> str:
    """The project's own Russian Declaration-like text: a title line, then paragraphs."""
    return commentary_text()
