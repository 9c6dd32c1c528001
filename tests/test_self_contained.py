"""The tests and benchmarks need nothing outside the repository.

A user's clone has only the repository, no sibling directories (such as the directory
of seed texts that once sat next to a development checkout). Three checks keep it that
way: the sources name no path out of the repository (static), the audit hook in
conftest.py fails any test that opens a file next to the repository (runtime), and a
fresh copy of the repository in an empty directory runs a fast subset of the suite
(end to end).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GUARD, OpenGuard

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tests", "bench", "monitor")
SUFFIXES = {".py", ".toml", ".yaml", ".yml", ".ini", ".cfg", ".sh", ".txt"}
# Built from pieces, so that this file does not match its own patterns.
SIBLING = "sha" + "red"
_NAMES = [
    re.compile(re.escape(SIBLING) + r"""\s*['"]?\s*[/\\]\s*['"]?\s*seed\b"""),  # <it>/seed
    re.compile(r"\.\.[/\\]+" + re.escape(SIBLING) + r"\b"),  # ../<it>
    re.compile(r"""['"]""" + re.escape(SIBLING) + r"""['"]"""),  # a path part "<it>"
]
# Walking up from __file__: .parents[i] is i + 1 levels, .parent one level.
_FILE_CHAIN = re.compile(
    r"Path\(\s*__file__\s*\)(?:\.resolve\(\)|\.absolute\(\))?"
    r"((?:\.parents\[\d+\]|\.parent\b)+)"
)
_DIRNAME_CHAIN = re.compile(
    r"((?:os\.path\.dirname\(\s*)+)(?:os\.path\.(?:abspath|realpath)\(\s*)?__file__"
)
_ROOT_UP = re.compile(r"\b(?:ROOT|REPO|REPO_ROOT|PROJECT_ROOT)\.parents?\b")
FAST = (
    "analysis/test_summary.py",
    "test_simsite.py",
    "extract/test_attachments.py",
    "test_self_contained.py",
)


def escapes(rel: Path, text: str) -> list[str]:
    """Why `text`, the file at `rel` inside a repository, reaches outside it."""
    found = [f"names {m.group(0)!r}" for rx in _NAMES for m in rx.finditer(text)]
    levels = len(rel.parts)  # climbing this many levels from the file reaches the root
    for m in _FILE_CHAIN.finditer(text):
        up = sum(int(n) + 1 for n in re.findall(r"\[(\d+)\]", m.group(1)))
        up += len(re.findall(r"\.parent\b", m.group(1)))
        if up > levels:
            found.append(f"{m.group(0)!r} climbs {up} levels from a file {levels - 1} deep")
    for m in _DIRNAME_CHAIN.finditer(text):
        up = m.group(1).count("dirname")
        if up > levels:
            found.append(f"{m.group(0)!r} climbs {up} levels from a file {levels - 1} deep")
    found += [f"{m.group(0)!r} leaves the repository root" for m in _ROOT_UP.finditer(text)]
    return found


def scan(root: Path) -> dict[str, list[str]]:
    """Every file under tests/, bench/ and monitor/ that refers to a path outside `root`."""
    out: dict[str, list[str]] = {}
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in SUFFIXES or "__pycache__" in path.parts or not path.is_file():
                continue
            rel = path.relative_to(root)
            if reasons := escapes(rel, path.read_text(encoding="utf-8", errors="replace")):
                out[rel.as_posix()] = reasons
    return out


def test_sources_name_no_path_outside_the_repository() -> None:
    assert scan(ROOT) == {}


def test_scan_finds_escapes_in_a_planted_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    # "@" keeps this file from matching its own patterns; it is removed when planting.
    bad = {
        "tests/test_a.py": f'SEED = ROOT.@parent / "{SIBLING}" / "seed" / "x.txt"\n',
        "tests/test_b.py": f"P = ROOT / '..' / '{SIBLING}'\n",
        "tests/test_c.py": "P = Path(__file__).resolve().@parents[2] / 'data'\n",
        "tests/test_d.py": "P = Path(__file__).resolve().@parents[1].parent / 'data'\n",
        "bench/b.py": "P = Path(__file__).@parent.parent.parent / 'x'\n",
        "bench/c.py": "P = os.path.dirname(@os.path.dirname(@os.path.dirname(__file__)))\n",
        "monitor/m.py": f"open('../{SIBLING}/notes.txt')\n",
    }
    good = {
        "tests/test_ok.py": "ROOT = Path(__file__).resolve().@parents[1]\n",
        "monitor/sub/deep/ok.py": "ROOT = Path(__file__).resolve().@parents[2]\n",
        "bench/ok.py": f"# {SIBLING} values\nP = os.path.dirname(os.path.dirname(__file__))\n",
    }
    for rel, text in {**bad, **good}.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text.replace("@", ""), encoding="utf-8")
    assert sorted(scan(repo)) == sorted(bad)


def test_guard_records_only_paths_next_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = tmp_path / "work"
    repo, sibling, venv = parent / "repo", parent / SIBLING, parent / "venv"
    for d in (repo / "tests", sibling, venv):
        d.mkdir(parents=True)
    guard = OpenGuard(repo, exempt=[venv, tmp_path])  # tmp_path holds the parent: ignored
    assert guard.parent == os.path.realpath(parent)
    assert guard.exempt == [os.path.realpath(venv)]
    monkeypatch.chdir(repo / "tests")
    guard.where = "tests/test_x.py::test_y"
    for path in (repo / "tests" / "a.txt", "b.txt", venv / "lib.py", tmp_path / "elsewhere", 3):
        guard("open", (path, "r", 0))
    guard("os.listdir", (str(sibling),))  # other events are ignored
    assert guard.found == []
    guard("open", (str(sibling / "seed.txt"), "r", 0))
    guard("open", (os.fsencode(f"../../{SIBLING}/seed.txt"), "rb", 0))  # relative, as bytes
    guard("open", (repo / os.pardir / SIBLING, "r", 0))
    expected = os.path.realpath(sibling / "seed.txt")
    assert guard.take("tests/test_x.py::test_y") == [os.path.realpath(sibling), expected]
    assert guard.found == []


def test_guard_hears_real_opens(tmp_path: Path) -> None:
    """The session's hook is installed; a hook like it sees open() and Path.read_text()."""
    before = GUARD.seen
    (tmp_path / "here.txt").write_text("x", encoding="utf-8")
    assert GUARD.seen > before
    assert GUARD.where.endswith("::test_guard_hears_real_opens")
    repo, sibling = tmp_path / "p" / "repo", tmp_path / "p" / SIBLING
    repo.mkdir(parents=True)
    sibling.mkdir()
    (sibling / "seed.txt").write_text("x", encoding="utf-8")
    probe = OpenGuard(repo)
    sys.addaudithook(probe)  # stays for the process, but only watches this tmp_path
    with open(sibling / "seed.txt", encoding="utf-8") as handle:
        handle.read()
    (repo / os.pardir / SIBLING / "seed.txt").read_text(encoding="utf-8")
    assert [path for _, path in probe.found] == [os.path.realpath(sibling / "seed.txt")] * 2


def _plant_sibling_reader(tmp_path: Path) -> Path:
    repo = tmp_path / "p" / "repo"
    (repo / "tests").mkdir(parents=True)
    (tmp_path / "p" / SIBLING).mkdir()
    (tmp_path / "p" / SIBLING / "seed.txt").write_text("x", encoding="utf-8")
    (repo / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "conftest.py", repo / "tests" / "conftest.py")
    (repo / "tests" / "test_reader.py").write_text(
        "from pathlib import Path\n\n"
        "HERE = Path(__file__).resolve().parents[1]\n\n\n"
        "def test_inside() -> None:\n"
        "    assert (HERE / 'pyproject.toml').read_text()\n\n\n"
        "def test_reads_a_sibling() -> None:\n"
        f"    assert (HERE.parent / '{SIBLING}' / 'seed.txt').read_text() == 'x'\n",
        encoding="utf-8",
    )
    return repo


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_run_fails_naming_the_test_and_the_file(tmp_path: Path, workers: list[str]) -> None:
    repo = _plant_sibling_reader(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers, "tests"],
        cwd=repo,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "1 failed, 1 passed" in out, out
    assert "tests/test_reader.py::test_reads_a_sibling (call): opened outside" in out, out
    assert os.path.realpath(tmp_path / "p" / SIBLING / "seed.txt") in out, out


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the running pytest's (or xdist worker's) own variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _fresh_copy(git: str, dest: Path) -> str:
    """The repository in `dest`, as a user's clone has it; returns how it was made."""
    status = subprocess.run(
        [git, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    if not status.strip():
        subprocess.run(
            [git, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True
        )
        return "clone"
    # Uncommitted work (a developer's tree): a clone would test the last commit, not this
    # tree, so copy what committing it would hold: tracked files and the untracked ones
    # that are not ignored. CI checks out a clean tree and takes the clone branch above.
    listed = subprocess.run(
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in sorted({os.fsdecode(n) for n in listed.split(b"\0") if n}):
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the tree is not there to copy
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return "copy"


def test_fresh_clone_runs_a_fast_subset(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    dest = tmp_path / "clone" / "repo"
    how = _fresh_copy(git, dest)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["repo"]  # no siblings at all
    paths = [str(dest), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = _clean_env(PYTHONPATH=os.pathsep.join(paths))
    where = subprocess.run(
        [sys.executable, "-c", "import monitor; print(monitor.__file__)"],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(dest.resolve()), where  # the clone's package
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            *(str(dest / "tests" / name) for name in FAST),
            "-k",
            "not fresh_clone and not xdist",  # the serial run of the hook test suffices
        ],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = f"({how}) {run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, tail
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) > 0, tail
    assert "error" not in run.stdout.splitlines()[-1], tail
