"""Helpers for the hostile-input tests: a child process that reports its peak memory,
and builders for bombs, sitemaps and configurations.

Memory is measured in a child (VmHWM from /proc) so that one case's peak cannot
hide another's; the bound stated in the README is 300 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from monitor.simweb import SimServer

REPO = Path(__file__).resolve().parents[1]
MEMORY_BOUND_MB = 300
SM = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

# The child: runs `monitor` (or a snippet) and reports its peak RSS on exit. With
# MONITOR_TEST_SQLITE_MAX_PAGES set, every SQLite connection gets that page limit,
# which is how a full disk is simulated without mounting a tiny file system.
RUNNER = """
import atexit, os, sys
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                sys.stderr.write("\\nPEAK_KB " + line.split()[1] + "\\n")
atexit.register(_peak)
limit = os.environ.get("MONITOR_TEST_SQLITE_MAX_PAGES")
if limit:
    import monitor.store.db as db
    plain = db._sqlite_pragmas
    def limited(conn, record):
        plain(conn, record)
        conn.execute(f"PRAGMA max_page_count={int(limit)}")
    db._sqlite_pragmas = limited
if sys.argv[1] == "-c":
    exec(sys.argv[2])
else:
    from monitor.cli import main
    sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float
    seconds: float

    @property
    def message(self) -> str:
        return self.err.split("PEAK_KB")[0].strip()


def child(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    assert peak, done.stderr
    return Run(done.returncode, done.stdout, done.stderr, int(peak[-1].split()[1]) / 1024, seconds)


def refused_in_child(tmp_path: Path, data: bytes, call: str) -> Run:
    """Run `call` on `data` in a child; it prints the error it is refused with."""
    (tmp_path / "input.bin").write_bytes(data)
    code = (
        "import monitor.extract.attachments as a, monitor.discover.sitemap as s\n"
        "import monitor.extract.article as e\n"
        f"data = open({str(tmp_path / 'input.bin')!r}, 'rb').read()\n"
        f"try:\n    {call}\nexcept (e.ExtractionError, s.SitemapError) as exc:\n    print(exc)\n"
    )
    return child("-c", code, cwd=tmp_path)


def bounded(run: Run, seconds: float = 60) -> None:
    """No traceback, peak memory under the bound, done in time. With
    $HOSTILE_FIGURES set, each case's figures are appended to that file."""
    if figures := os.environ.get("HOSTILE_FIGURES"):
        with open(figures, "a", encoding="utf-8") as out:
            test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
            out.write(f"{test}\tpeak {run.peak_mb:.0f} MB\t{run.seconds:.1f} s\n")
    assert "Traceback" not in run.err, run.err
    assert run.peak_mb < MEMORY_BOUND_MB, f"peak {run.peak_mb:.0f} MB"
    assert run.seconds < seconds, f"took {run.seconds:.1f} s"


def gzip_of(prefix: bytes, filler: bytes, megabytes: int, suffix: bytes = b"") -> bytes:
    """A gzip stream of `prefix`, `megabytes` MB of `filler`, `suffix`; built in pieces."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = filler * ((1 << 20) // len(filler))
    parts = [deflate.compress(prefix)]
    parts += [deflate.compress(block) for _ in range(megabytes)]
    parts += [deflate.compress(suffix), deflate.flush()]
    return b"".join(parts)


def urlset(urls: Iterator[str] | list[str]) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset {SM}>{entries}</urlset>'.encode()


def sources_yaml(web: SimServer, discover: str, **extra: object) -> str:
    more = "".join(f"    {k}: {v}\n" for k, v in extra.items())
    return (
        "fetch:\n  per_host_delay: 0\n  backoff_base: 0.05\n  max_retries: 0\n"
        "sources:\n  - id: hostile\n    name: Hostile\n    allow_private: true\n"
        f"    relevance: all\n{more}    discover:\n{discover}"
    )


def check_json(tmp_path: Path, config: str, db: str | None = None, **env: str) -> Run:
    (tmp_path / "sources.yaml").write_text(config, encoding="utf-8")
    url = db or f"sqlite:///{tmp_path / 'monitor.db'}"
    return child("check", "--json", "--db", url, cwd=tmp_path, env=env)
