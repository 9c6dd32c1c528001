"""The shape of the code, enforced: layers and forbidden imports (import-linter
contracts in pyproject.toml), types (mypy, configured in pyproject.toml), and
no import tucked inside a function to dodge an import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "monitor"

# Imports inside functions that are there for start-up time, not to dodge a
# cycle: a CLI command imports what it needs when it runs (`monitor --help`
# must not load the web app or the extractors), the service builds the web app
# only with --web, and the simulated web is test infrastructure.
LAZY_ON_PURPOSE = ("cli/", "service.py", "simweb/")
# single imports made late for start-up cost, not to dodge a cycle: (file, module)
LATE_ON_PURPOSE = {
    # recording a new or changed text brings BeautifulSoup and the extractors, the
    # diff, assessment, alert rendering and NumPy (~0.3 s of imports): a check
    # where nothing changed never needs them; nor re-extraction, on new rules only
    ("cycle/process.py", "monitor.cycle.record"),
    ("cycle/process.py", "monitor.cycle.reextract"),
    ("cycle/confirm.py", "monitor.extract.bodies"),
    # discovery (feedparser, BeautifulSoup, relevance) only for sources that discover
    ("cycle/run.py", "monitor.cycle.intake"),
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_import_contracts_hold() -> None:
    run = _run(
        "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    run = _run("-m", "mypy")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def _function_level_imports(path: Path, root: Path = REPO) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("monitor"):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.module}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(root)}:{node.lineno} {a.name}"
                    for a in node.names
                    if a.name.startswith("monitor")
                ]
    return found


def test_no_import_inside_a_function_dodges_a_cycle() -> None:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("store/migrations/") or relative.startswith(LAZY_ON_PURPOSE):
            continue
        found += [
            hit
            for hit in _function_level_imports(path)
            if (relative, hit.split(" ")[-1]) not in LATE_ON_PURPOSE
        ]
    assert found == []


def test_the_scan_finds_a_function_level_import(tmp_path: Path) -> None:
    """The check above can fail: it sees an import inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from monitor.diff import diff_words\n", encoding="utf-8")
    assert _function_level_imports(sample, tmp_path) == ["sample.py:2 monitor.diff"]


def test_the_readme_map_matches_the_tree() -> None:
    """Every package and top-level module is on the README's map, and every file
    the map names exists."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("Pipeline, one package per stage")
    block = readme[readme.index("```", start) + 3 :]
    block = block[: block.index("```")]
    top = {
        p.name
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.name != "__init__.py")
    }
    missing = [name for name in sorted(top) if name not in block]
    assert missing == [], f"not on the README map: {missing}"
    current = "monitor"
    for line in block.splitlines():
        for word in line.replace(",", " ").split():
            if word.startswith("monitor/") and word.endswith("/"):
                current = word.rstrip("/")
                assert (REPO / current).is_dir(), word
            elif word.endswith(".py") and "/" not in word and line.startswith("    "):
                assert (REPO / current / word).exists(), f"{current}/{word}"


def test_the_web_and_the_views_read_through_the_reader() -> None:
    """Pages, API and views are typed against `Reader` (the read side, plain data
    only); the one write they make, retrying an alert, asks for the `Store`."""
    uses: list[str] = []
    for path in [*sorted((PACKAGE / "web").glob("*.py")), PACKAGE / "views.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "Store":
                uses.append(f"{path.relative_to(REPO)}:{node.lineno}")
    web_pages = "monitor/web/pages.py"
    assert [u for u in uses if not u.startswith((web_pages, "monitor/web/app.py"))] == []
    assert len([u for u in uses if u.startswith(web_pages)]) == 2  # _writer(): hint and value
