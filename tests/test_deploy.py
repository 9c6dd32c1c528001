"""Static checks of deploy/: the Dockerfile, docker-compose.yml, the systemd unit
and the environment example. No container engine is needed: what needs a tool
(hadolint, the docker compose plugin, systemd-analyze) runs where the tool is
installed and is reported as skipped, with the reason, where it is not; the
checks that need no tool always run."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "monitor.service"


def instructions(path: Path = DEPLOY / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, args = pending.strip().partition(" ")
        out.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return out


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    return steps[last_from:]


def test_dockerfile_base_images_are_pinned_and_slim() -> None:
    images = [args.split()[0] for k, args in instructions() if k == "FROM"]
    assert images and all(i == "python:3.11-slim" for i in images)
    for image in images:
        assert ":" in image and not image.endswith(":latest")


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [args for k, args in final_stage() if k == "USER"]
    assert users, "the final stage must switch to an unprivileged USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    # the numeric uid is the one created (hadolint DL3066: names may not resolve)
    run = " ".join(args for k, args in final_stage() if k == "RUN")
    assert f"--uid {user}" in run


def test_dockerfile_command_volume_and_web_address() -> None:
    stage = dict(final_stage())  # last of each instruction
    assert json.loads(stage["CMD"]) == ["monitor", "run", "--config", "/app/sources.yaml"]
    assert json.loads(stage["VOLUME"]) == ["/app/storage"]
    env = " ".join(args for k, args in final_stage() if k == "ENV")
    assert "MONITOR_WEB_HOST=0.0.0.0" in env
    assert stage["WORKDIR"] == "/app"  # the default sqlite:///storage/... lands in the volume
    copies = [args.split()[:-1] for k, args in instructions() if k == "COPY"]
    sources = [src for srcs in copies if not srcs[0].startswith("--from") for src in srcs]
    assert {"pyproject.toml", "README.md", "monitor", "sources.yaml"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source


def _healthcheck_code() -> str:
    (check,) = [args for k, args in final_stage() if k == "HEALTHCHECK"]
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"], "slim images have no curl: probe with python"
    assert "curl" not in check and "wget" not in check
    return str(command[2])


@pytest.fixture
def healthz() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 200 if self.path == "/healthz" else 404
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_healthcheck_probe_passes_on_healthz_and_fails_when_nothing_answers(healthz: int) -> None:
    code = _healthcheck_code()
    assert "/healthz" in code and "127.0.0.1" in code

    def probe(port: int) -> int:
        env = {**os.environ, "MONITOR_WEB_PORT": str(port)}
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True).returncode

    assert probe(healthz) == 0
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert probe(closed) != 0


def test_hadolint() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed: the static Dockerfile checks above stand in")
    result = subprocess.run(
        [hadolint, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_structure() -> None:
    """Parsed with pyyaml (no engine or plugin needed): the database has a health
    check and a volume, the service waits for it, talks to it and is published on
    loopback only."""
    spec = compose()
    db, app = spec["services"]["db"], spec["services"]["monitor"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "${POSTGRES_PASSWORD" in db["environment"]["POSTGRES_PASSWORD"]
    assert app["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert app["environment"]["MONITOR_DATABASE_URL"] == (
        "postgresql+psycopg://monitor:${POSTGRES_PASSWORD}@db/monitor"
    )
    assert app["env_file"] == ["monitor.env"]
    assert app["ports"] == ["127.0.0.1:8080:8080"]
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert "storage:/app/storage" in app["volumes"]
    assert set(spec["volumes"]) == {"pgdata", "storage"}
    images = [s["image"] for s in spec["services"].values()]
    assert not any(i.endswith(":latest") or ":" not in i for i in images)


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    result = subprocess.run(["docker", "compose", "version"], capture_output=True)
    return result.returncode == 0


def test_compose_config_parses_with_the_docker_compose_plugin(tmp_path: Path) -> None:
    if not _compose_plugin():
        pytest.skip("no docker compose plugin: test_compose_structure checked the YAML instead")
    (tmp_path / "deploy").mkdir()
    shutil.copy(DEPLOY / "docker-compose.yml", tmp_path / "deploy")
    shutil.copy(DEPLOY / "monitor.env.example", tmp_path / "deploy" / "monitor.env")
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    env = {**os.environ, "POSTGRES_PASSWORD": "secret"}
    result = subprocess.run(
        ["docker", "compose", "-f", "deploy/docker-compose.yml", "config", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr  # config parsing needs no engine
    resolved = json.loads(result.stdout)
    url = resolved["services"]["monitor"]["environment"]["MONITOR_DATABASE_URL"]
    assert url == "postgresql+psycopg://monitor:secret@db/monitor"


def read_unit(path: Path = UNIT) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    unit.read(path)
    return unit


def test_unit_runs_the_service_hardened() -> None:
    service = read_unit()["Service"]
    expected = {
        "Type": "simple",
        "User": "monitor",
        "WorkingDirectory": "/var/lib/monitor",
        "EnvironmentFile": "/etc/monitor/monitor.env",
        "ExecStart": "/opt/monitor/.venv/bin/monitor run --config /etc/monitor/sources.yaml",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "Restart": "on-failure",
        "TimeoutStopSec": "60",
        "KillSignal": "SIGTERM",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/monitor",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectKernelLogs": "yes",
        "ProtectControlGroups": "yes",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "RestrictNamespaces": "yes",
        "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes",
        "SystemCallFilter": "@system-service",
        "CapabilityBoundingSet": "",
    }
    assert {k: service.get(k) for k in expected} == expected
    assert read_unit()["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip(
            "systemd-analyze is not installed: test_unit_runs_the_service_hardened stands in"
        )
    # The venv of a real install is not here: point ExecStart at a binary that exists.
    copy = tmp_path / "monitor.service"
    copy.write_text(re.sub(r"(?m)^ExecStart=\S+", "ExecStart=/bin/true", UNIT.read_text(), count=1))
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True)
    # unknown keys and bad values are only warnings (exit 0): any output is a finding
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    original = subprocess.run([analyze, "verify", str(UNIT)], capture_output=True, text=True)
    for line in original.stderr.splitlines():
        assert "/opt/monitor/.venv/bin/monitor" in line, line


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    for path in (ROOT / "monitor").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_env_example_names_every_variable_the_service_reads() -> None:
    example = (DEPLOY / "monitor.env.example").read_text()
    named = set(re.findall(r"(?m)^#?([A-Z][A-Z0-9_]+)=", example))
    read = variables_read_by_the_code()
    assert {"MONITOR_DATABASE_URL", "MONITOR_CONFIG"} <= read
    assert read - {"MONITOR_FAULT"} <= named, read - named
    # secrets named by *_env fields in the shipped sources.yaml and the README
    text = (ROOT / "sources.yaml").read_text() + (ROOT / "README.md").read_text()
    secrets = set(re.findall(r"_env:\s*([A-Z][A-Z0-9_]+)", text))
    assert secrets <= named, secrets - named
    # and what the image and compose set is something the code reads
    env = " ".join(args for k, args in final_stage() if k == "ENV")
    set_here = {n for n in re.findall(r"(MONITOR_[A-Z_]+)=", env)}
    set_here |= {n for n in compose()["services"]["monitor"]["environment"] if "MONITOR" in n}
    assert set_here <= read, set_here - read


WORKER_UNIT = DEPLOY / "monitor-worker@.service"


def test_worker_unit_runs_a_worker_as_hardened_as_the_service() -> None:
    worker, service = read_unit(WORKER_UNIT)["Service"], read_unit()["Service"]
    assert worker["ExecStart"] == (
        "/opt/monitor/.venv/bin/monitor worker --config /etc/monitor/sources.yaml --concurrency 8"
    )
    assert "ExecReload" not in worker  # a worker reads sources.yaml when it starts
    same = {k: v for k, v in service.items() if k not in ("ExecStart", "ExecReload")}
    assert {k: worker.get(k) for k in same} == same
    assert "%i" in read_unit(WORKER_UNIT)["Unit"]["Description"]


def test_compose_runs_the_web_service_and_scalable_workers_on_postgresql() -> None:
    spec = compose()
    app, worker = spec["services"]["monitor"], spec["services"]["worker"]
    assert app["command"][:2] == ["monitor", "run"] and "--workers" in app["command"]
    assert worker["command"][:2] == ["monitor", "worker"]
    assert worker["image"] == app["image"]
    assert "ports" not in worker and "container_name" not in worker  # --scale worker=N
    assert (
        worker["environment"]["MONITOR_DATABASE_URL"]
        == (app["environment"]["MONITOR_DATABASE_URL"])
    )
    assert worker["depends_on"]["db"] == {"condition": "service_healthy"}
    probe = " ".join(worker["healthcheck"]["test"])
    port = worker["command"][worker["command"].index("--metrics-port") + 1]
    assert f"127.0.0.1:{port}/metrics" in probe
