"""The README's test command is exactly what CI runs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    command = [line for line in ci_lines if line.startswith("python3 -m venv")]
    assert len(command) == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command[0] in readme.splitlines()
