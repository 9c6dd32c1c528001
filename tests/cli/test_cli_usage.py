"""The CLI as a new user meets it: one cycle means every feed now, read-only
commands never create databases, help with examples, times with their zone."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import build_parser
from monitor.simweb.site import SimSite

MONITOR = [sys.executable, "-m", "monitor.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("MONITOR_DATABASE_URL", None)
    return subprocess.run(
        [*MONITOR, *args], capture_output=True, text=True, env=full_env, timeout=90
    )


def feed_config(tmp_path: Path, *feeds: str, interval: str = "30m") -> Path:
    path = tmp_path / "sources.yaml"
    lines = [
        "fetch:\n  per_host_delay: 0\n  connect_timeout: 3s\n  read_timeout: 5s\n",
        "sources:\n  - id: tass\n"
        f"    allow_private: true\n    name: ТАСС\n    interval: {interval}\n    discover:\n",
    ]
    lines += [f"      - type: feed\n        url: {url}\n" for url in feeds]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_check_polls_every_feed_each_time_it_is_run(tmp_path: Path, db_url: str) -> None:
    with SimSite() as site:
        config = feed_config(tmp_path, site.url("/rss.xml"), site.url("/atom.xml"))
        for _ in range(2):  # the feeds are not due again for 30 minutes after the first
            out = json.loads(run("check", "--config", str(config), "--db", db_url, "--json").stdout)
            assert out["polled"] == 2 and out["discovery_errors"] == []
        assert len(site.hits("/rss.xml")) == 2 and len(site.hits("/atom.xml")) == 2


def test_check_counts_unreachable_feeds_and_fails(tmp_path: Path, db_url: str) -> None:
    with SimSite() as site:
        dead = site.base  # a port that answers now and not after the site stops
    config = feed_config(tmp_path, f"{dead}/rss.xml", f"{dead}/news.xml")
    for _ in range(2):
        proc = run("check", "--config", str(config), "--db", db_url, "--json")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        out = json.loads(proc.stdout)
        assert len(out["discovery_errors"]) == 2 and out["polled"] == 0
    plain = run("check", "--config", str(config), "--db", db_url)
    assert plain.returncode == 1
    assert "discovery errors 2" in plain.stdout


READ_ONLY = [
    ["history", "1"],
    ["diff", "1"],
    ["db", "stats"],
    ["db", "prune", "--older-than", "90d"],
    ["sources", "status"],
    ["alerts", "list"],
    ["alerts", "retry", "1"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c[:2]))
def test_read_only_commands_refuse_a_missing_sqlite_database(
    tmp_path: Path, command: list[str]
) -> None:
    config = feed_config(tmp_path, "http://127.0.0.1:9/rss.xml")
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    proc = run(*command, "--config", str(config), "--db", f"sqlite:///{target}")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"no database at {target}" in proc.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_read_only_commands_refuse_a_database_without_tables(tmp_path: Path, db_url: str) -> None:
    """SQLite: the file is not there yet; PostgreSQL: a schema no monitor ever used."""
    refused = "no database at" if db_url.startswith("sqlite") else "holds no monitor data"
    for command in (["history", "1"], ["db", "stats"], ["db", "copy", "--to", "sqlite://"]):
        if command[1] == "copy":
            command = ["db", "copy", "--from", db_url, "--to", f"sqlite:///{tmp_path / 'c.db'}"]
        proc = run(*command, "--db", db_url)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert refused in proc.stderr
    assert not (tmp_path / "c.db").exists() or (tmp_path / "c.db").stat().st_size == 0


def test_writing_commands_still_create_the_database(tmp_path: Path) -> None:
    config = feed_config(tmp_path, "http://127.0.0.1:9/rss.xml")
    target = tmp_path / "new" / "m.db"
    run("check", "--config", str(config), "--db", f"sqlite:///{target}")
    assert target.is_file()
    listed = run("alerts", "--config", str(config), "--db", f"sqlite:///{target}")
    assert listed.returncode == 0 and listed.stdout.strip() == "no alerts yet"
    failed = run(
        "alerts", "--status", "failed", "--config", str(config), "--db", f"sqlite:///{target}"
    )
    assert failed.stdout.strip() == "no alerts with status failed"


def test_status_shows_intervals_as_written_and_times_with_their_zone(
    tmp_path: Path, db_url: str
) -> None:
    with SimSite() as site:
        config = feed_config(tmp_path, site.url("/rss.xml"), interval="30m")
        run("check", "--config", str(config), "--db", db_url)
        status = run(
            "sources", "status", "--config", str(config), "--db", db_url, env={"TZ": "UTC"}
        )
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    head = lines[0]
    feed_line = next(line for line in lines if "rss.xml" in line and "every" in line)
    assert "every 30m" in head and "1800" not in head
    assert "next " in feed_line and " UTC " in feed_line


def test_history_times_carry_the_zone(tmp_path: Path, db_url: str) -> None:
    with SimSite() as site:
        site.add_article("a1", "Заголовок", ["Россия и Казахстан подписали соглашение."])
        config = tmp_path / "w.yaml"
        config.write_text(
            "fetch:\n  per_host_delay: 0\nsources:\n  - id: w\n"
            "    allow_private: true\n    name: W\n    watch:\n"
            f"      - {site.article_url('a1')}\n",
            encoding="utf-8",
        )
        run("check", "--config", str(config), "--db", db_url)
    shown = run("history", site.article_url("a1"), "--db", db_url, env={"TZ": "Asia/Almaty"})
    assert shown.returncode == 0, shown.stderr
    version_line = next(line for line in shown.stdout.splitlines() if line.strip().startswith("v1"))
    assert "+05" in version_line or "ALMT" in version_line


def test_version_and_every_subcommand_help_has_a_description_and_examples() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("monitor ")
    commands: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        children = [
            (name, child)
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
            for name, child in action.choices.items()
        ]
        if not children and path:
            commands.append(path)
        for name, child in children:
            walk(child, (*path, name))

    walk(build_parser(), ())
    assert ("check",) in commands and ("db", "stats") in commands
    for path in commands:
        text = run(*path, "--help").stdout
        assert "examples:" in text, f"`monitor {' '.join(path)} --help` shows no examples"
        assert f"monitor {' '.join(path)}" in text.split("examples:")[1]
