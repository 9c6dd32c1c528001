"""Diff benchmark: pure-Python `diff-match-patch` against the C++ `fast-diff-match-patch`.

Why: monitor/diff.py uses the C++ package; this measures how much that buys on realistic
documents and checks that the two compute the same diffs, so the choice rests on numbers.

    .venv/bin/python bench/bench_diff.py            # tables on stdout
    .venv/bin/python bench/bench_diff.py --json     # one JSON object on stdout

Inputs come from bench/textpairs.py: a ~40 K and a ~1 M character Russian document, each
with ~1.5% of its paragraphs edited (word replaced, number changed, sentence inserted,
paragraph deleted, paragraph moved). Modes: "char" diffs the raw strings, "word" is the
project's `diff_words` (tokens mapped to private-use characters, then diffed). Both
backends run exact diffs (Diff_Timeout / timelimit 0, no line mode) with semantic cleanup.
Times are wall-clock medians of several runs; slow cases get fewer runs. Every first
pure-Python run happens in a forked child, so one that passes --timeout (120 s) is
stopped and reported as ">120 s". Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import fast_diff_match_patch
from diff_match_patch import diff_match_patch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from textpairs import SOURCE, TextPair, default_pairs  # noqa: E402

from monitor.diff import _encode, diff_words, side  # noqa: E402

DiffOps = list[tuple[int, str]]
DiffFn = Callable[[str, str], DiffOps]

_OPS = {"=": 0, "-": -1, "+": 1}
BACKENDS = ("fast", "python")
MODES = ("char", "word")
# (max runs, time budget in seconds after which no further run starts)
RUNS = {"fast": (9, 5.0), "python": (5, 15.0)}


def char_fast(a: str, b: str) -> DiffOps:
    ops = fast_diff_match_patch.diff(
        a, b, timelimit=0, checklines=False, cleanup="Semantic", counts_only=False
    )
    return [(_OPS[op], text) for op, text in ops]


def char_python(a: str, b: str) -> DiffOps:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact diff, no deadline (the C++ side gets timelimit=0)
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, text) for op, text in diffs]


def word_fast(a: str, b: str) -> DiffOps:
    return diff_words(a, b, backend="fast")


def word_python(a: str, b: str) -> DiffOps:
    return diff_words(a, b, backend="python")


FUNCS: dict[tuple[str, str], DiffFn] = {
    ("char", "fast"): char_fast,
    ("char", "python"): char_python,
    ("word", "fast"): word_fast,
    ("word", "python"): word_python,
}


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)
    timed_out: bool = False
    error: str | None = None
    ops: DiffOps | None = None  # result of the first run, for the equivalence check

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _timed(fn: DiffFn, a: str, b: str) -> tuple[float, DiffOps]:
    start = time.perf_counter()
    ops = fn(a, b)
    return time.perf_counter() - start, ops


def _child(fn: DiffFn, a: str, b: str, conn: Connection) -> None:
    try:
        conn.send(("ok", *_timed(fn, a, b)))
    except Exception as exc:  # reported, not raised: the parent must not hang
        conn.send(("error", repr(exc), None))
    finally:
        conn.close()


def _first_run_in_child(fn: DiffFn, a: str, b: str, timeout: float, label: str) -> Timing:
    """One run in a forked child: a run past `timeout` is killed instead of stalling us."""
    ctx = mp.get_context("fork")  # the child inherits the texts; nothing big is pickled in
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, a, b, send), daemon=True)
    start = time.perf_counter()
    proc.start()
    send.close()
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                _log(f"  {label}: no result after {timeout:.0f} s, stopping it")
                return Timing(timed_out=True)
            if recv.poll(min(15.0, left)):
                status, value, ops = recv.recv()
                if status == "error":
                    return Timing(error=value)
                return Timing(runs=[value], ops=ops)
            if left > 15.0:
                _log(f"  {label}: still running, {time.perf_counter() - start:.0f} s")
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        recv.close()


def measure(fn: DiffFn, a: str, b: str, backend: str, timeout: float, label: str) -> Timing:
    """Median-ready timings; stops repeating once the backend's time budget is spent."""
    max_runs, budget = RUNS[backend]
    if backend == "python":
        timing = _first_run_in_child(fn, a, b, timeout, label)
        if not timing.runs:
            return timing
    else:
        elapsed, ops = _timed(fn, a, b)
        timing = Timing(runs=[elapsed], ops=ops)
    while len(timing.runs) < max_runs and sum(timing.runs) + timing.runs[-1] <= budget:
        timing.runs.append(_timed(fn, a, b)[0])
    return timing


def encode_time(a: str, b: str) -> float:
    """Word mode's tokenize-and-encode step alone: paid by both backends alike."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        _encode(a, b)  # private, but it is exactly the step to isolate
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def describe(ops: DiffOps, a: str, b: str) -> dict[str, Any]:
    return {
        "ops": len(ops),
        "edit_ops": sum(1 for op, _ in ops if op != 0),
        "inserted_chars": sum(len(t) for op, t in ops if op == 1),
        "deleted_chars": sum(len(t) for op, t in ops if op == -1),
        "rebuilds_a": side(ops, "old") == a,
        "rebuilds_b": side(ops, "new") == b,
    }


def _merged(ops: DiffOps) -> DiffOps:
    out: DiffOps = []
    for op, text in ops:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


def compare(fast: DiffOps | None, slow: DiffOps | None, a: str, b: str) -> dict[str, Any]:
    """Both diffs must rebuild A and B; then identical, or only the same char counts?"""
    result: dict[str, Any] = {
        "fast": describe(fast, a, b) if fast is not None else None,
        "python": describe(slow, a, b) if slow is not None else None,
    }
    if fast is None or slow is None:
        result["verdict"] = "n/a (a run did not finish)"
        return result
    identical = _merged(fast) == _merged(slow)
    counts = ("inserted_chars", "deleted_chars")
    same_counts = all(result["fast"][k] == result["python"][k] for k in counts)
    valid = all(result[s][k] for s in BACKENDS for k in ("rebuilds_a", "rebuilds_b"))
    result["identical"] = identical
    result["same_counts"] = same_counts
    if not valid:
        result["verdict"] = "INVALID: a diff does not rebuild its inputs"
    elif identical:
        result["verdict"] = "identical"
    elif same_counts:
        result["verdict"] = "equivalent (same counts, different ops)"
    else:
        result["verdict"] = "DIFFERENT counts"
    return result


def run(timeout: float) -> dict[str, Any]:
    _log("building text pairs ...")
    pairs: list[TextPair] = default_pairs()
    timings: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    encode: dict[str, float] = {}
    for pair in pairs:
        encode[pair.name] = encode_time(pair.a, pair.b)
        for mode in MODES:
            got: dict[str, Timing] = {}
            for backend in BACKENDS:
                label = f"{pair.name} {mode} {backend}"
                _log(f"{label} ...")
                t = measure(FUNCS[mode, backend], pair.a, pair.b, backend, timeout, label)
                got[backend] = t
                med = t.median
                _log(f"  {label}: {_fmt(med, t, timeout)} over {len(t.runs)} run(s)")
                timings.append(
                    {
                        "pair": pair.name,
                        "mode": mode,
                        "backend": backend,
                        "runs": len(t.runs),
                        "median_s": med,
                        "min_s": min(t.runs) if t.runs else None,
                        "all_s": t.runs,
                        "timed_out": t.timed_out,
                        "error": t.error,
                    }
                )
            check = compare(got["fast"].ops, got["python"].ops, pair.a, pair.b)
            checks.append({"pair": pair.name, "mode": mode, **check})
    return {
        "command": "bench/bench_diff.py",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {
            "diff-match-patch": version("diff-match-patch"),
            "fast-diff-match-patch": version("fast-diff-match-patch"),
        },
        "source": SOURCE,
        "timeout_s": timeout,
        "pairs": [p.summary() for p in pairs],
        "word_encode_s": encode,
        "timings": timings,
        "equivalence": checks,
    }


def _fmt(seconds: float | None, t: Timing | None = None, timeout: float = 0.0) -> str:
    if t is not None and t.timed_out:
        return f">{timeout:.0f} s"
    if t is not None and t.error:
        return "error"
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    return f"{seconds:.3g} s"


def print_tables(result: dict[str, Any]) -> None:
    v = result["versions"]
    print(
        f"diff-match-patch {v['diff-match-patch']} (pure Python) vs "
        f"fast-diff-match-patch {v['fast-diff-match-patch']} (C++), "
        f"Python {result['python']} {result['machine']}"
    )
    print("exact diffs (timeout 0, no line mode), semantic cleanup; wall-clock medians\n")

    print(f"{'pair':<5}{'A chars':>11}{'A UTF-8 B':>11}{'B chars':>11}{'paras':>7}  edits")
    for p in result["pairs"]:
        edits = ", ".join(f"{k} {n}" for k, n in sorted(p["edits"].items()))
        share = f"{sum(p['edits'].values())}/{p['paragraphs']} = {p['edited_share']:.1%}"
        print(
            f"{p['name']:<5}{p['chars_a']:>11,}{p['bytes_a_utf8']:>11,}{p['chars_b']:>11,}"
            f"{p['paragraphs']:>7}  {share} ({edits})"
        )

    rows = {(t["pair"], t["mode"], t["backend"]): t for t in result["timings"]}
    print(f"\n{'pair':<5}{'mode':<6}{'fast (runs)':>16}{'python (runs)':>18}{'speedup':>10}")
    for p in result["pairs"]:
        for mode in MODES:
            f, s = rows[p["name"], mode, "fast"], rows[p["name"], mode, "python"]
            if f["median_s"] and s["median_s"]:
                speedup = f"{s['median_s'] / f['median_s']:.0f}x"
            elif s["timed_out"] and f["median_s"]:
                speedup = f">{result['timeout_s'] / f['median_s']:.0f}x"
            else:
                speedup = "-"
            fast = f"{_fmt(f['median_s'])} ({f['runs']})"
            if s["timed_out"]:
                slow = f">{result['timeout_s']:.0f} s (0)"
            else:
                slow = f"{_fmt(s['median_s'])} ({s['runs']})"
            print(f"{p['name']:<5}{mode:<6}{fast:>16}{slow:>18}{speedup:>10}")
    enc = ", ".join(f"{k} {_fmt(s)}" for k, s in result["word_encode_s"].items())
    print(f"word mode includes tokenize+encode, same for both backends: {enc}")

    print(
        f"\n{'pair':<5}{'mode':<6}{'ops f/py':>10}{'edit ops f/py':>15}"
        f"{'ins chars f/py':>17}{'del chars f/py':>17}{'rebuild':>9}  verdict"
    )
    for c in result["equivalence"]:
        f, s = c["fast"], c["python"]

        def pair_of(key: str, f: Any = f, s: Any = s) -> str:
            return f"{f[key] if f else '-'}/{s[key] if s else '-'}"

        ok = [d["rebuilds_a"] and d["rebuilds_b"] for d in (f, s) if d]
        rebuild = "ok" if ok and all(ok) else ("FAIL" if ok else "-")
        print(
            f"{c['pair']:<5}{c['mode']:<6}{pair_of('ops'):>10}{pair_of('edit_ops'):>15}"
            f"{pair_of('inserted_chars'):>17}{pair_of('deleted_chars'):>17}{rebuild:>9}"
            f"  {c['verdict']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds before a pure-Python run is cut"
    )
    args = parser.parse_args()
    result = run(args.timeout)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_tables(result)


if __name__ == "__main__":
    main()
