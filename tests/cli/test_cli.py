"""The `monitor` command as a user runs it: a real process, real server, real database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from monitor.simweb import Request, Response, SimServer
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor.cli"]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("MONITOR_DATABASE_URL", None)
    proc = subprocess.run([*MONITOR, *args], capture_output=True, text=True, env=env, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def write_config(tmp_path: Path, web: SimServer) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "fetch:\n  per_host_delay: 0\n"
        "sources:\n  - id: decl\n"
        "    allow_private: true\n    name: Декларация\n    interval: 2s\n    watch:\n"
        f"      - {web.url('/decl')}\n      - {web.url('/gone')}\n",
        encoding="utf-8",
    )
    return path


def test_check_history_and_diff(tmp_path: Path, web: SimServer, db_url: str) -> None:
    served = {"verb": "обязуются"}

    def page(_: Request) -> Response:
        return Response.html(
            f"<html><body><article><h1>Декларация</h1><p>Стороны {served['verb']} "
            "развивать сотрудничество.</p></article></body></html>"
        )

    web.route("/decl", page)
    config = write_config(tmp_path, web)
    first = json.loads(run("check", "--config", str(config), "--db", db_url, "--json").stdout)
    assert {k: first[k] for k in ("new", "changed", "unchanged", "errors")} == {
        "new": 1,
        "changed": 0,
        "unchanged": 0,
        "errors": 1,
    }
    assert {d["event"] for d in first["documents"]} == {"new", "error"}
    assert all({"id", "url", "event"} <= set(d) for d in first["documents"])

    served["verb"] = "стремятся"
    second = json.loads(run("check", "--config", str(config), "--db", db_url, "--json").stdout)
    assert second["changed"] == 1
    doc_url = web.url("/decl")

    history = json.loads(run("history", doc_url, "--db", db_url, "--json").stdout)
    assert [v["seq"] for v in history["versions"]] == [1, 2]
    assert all(len(v["hash"]) == 64 and v["characters"] > 0 for v in history["versions"])

    diff = json.loads(run("diff", str(history["id"]), "--db", db_url, "--json").stdout)
    assert [d for d in diff["diff"] if d[0] != 0] == [[-1, "обязуются"], [1, "стремятся"]]
    explicit = json.loads(
        run("diff", doc_url, "--from", "1", "--to", "2", "--db", db_url, "--json").stdout
    )
    assert explicit["diff"] == diff["diff"]

    text = run("diff", doc_url, "--db", db_url).stdout
    assert "[-обязуются-]{+стремятся+}" in text  # not a terminal: plain markers
    coloured = run("diff", doc_url, "--db", db_url, "--color", "always").stdout
    assert "\x1b[31;9mобязуются" in coloured
    assert "v2" in run("history", doc_url, "--db", db_url).stdout


def test_errors_are_clear_and_exit_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - id: x\n    name: X\n    interval: often\n",
        encoding="utf-8",
    )
    proc = run("sources", "validate", "--config", str(bad), check=False)
    assert proc.returncode == 2
    assert f"{bad}:4: source 'x', field 'interval'" in proc.stderr
    db = f"sqlite:///{tmp_path / 'm.db'}"
    Store(db).close()  # an existing, empty database: the document is what is missing
    missing = run("history", "http://nowhere.example/doc", "--db", db, check=False)
    assert missing.returncode == 1 and "no document" in missing.stderr
    unknown = run("check", "--config", str(bad), "--source", "zzz", check=False)
    assert unknown.returncode == 2


def test_run_checks_on_schedule_and_stops_on_sigterm(tmp_path: Path, web: SimServer) -> None:
    web.route("/decl", Response.html("<html><body><main><p>Текст.</p></main></body></html>"))
    config = write_config(tmp_path, web)
    db = f"sqlite:///{tmp_path / 'run.db'}"
    proc = subprocess.Popen(
        [*MONITOR, "run", "--config", str(config), "--db", db, "--no-web"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 20
        while time.time() < deadline and len(web.hits("/decl")) < 2:
            time.sleep(0.2)
        assert len(web.hits("/decl")) >= 2, "the source was not checked twice on its 2s interval"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    store = Store(db)
    assert store.counts()["versions"] == 1
    store.close()


def test_check_shows_progress_on_a_terminal_and_stays_quiet_when_piped(
    web: SimServer, tmp_path: Path
) -> None:
    import pty

    config = write_config(tmp_path, web)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [*MONITOR, "check", "--config", str(config), "--db", db],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    proc.wait(timeout=60)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert b"checked 2: new 0, changed 0, errors 2" in shown  # routes are not set up here
    piped = subprocess.run(
        [*MONITOR, "check", "--config", str(config), "--db", db],
        capture_output=True,
        timeout=60,
    )
    assert b"checked " not in piped.stderr
