"""Main-text extraction benchmark: our heuristic vs trafilatura vs readability-lxml.

Why: a source without a CSS selector relies on automatic extraction, and the
extracted text is what gets hashed and diffed, so it must be both accurate and
identical from fetch to fetch when only the boilerplate changes.

    .venv/bin/python bench/bench_extract.py               # table, 60 pages x 5 fetches
    .venv/bin/python bench/bench_extract.py --json        # machine-readable, with per-page rows
    .venv/bin/python bench/bench_extract.py --details     # worst and unstable pages per extractor
    .venv/bin/python bench/bench_extract.py --pages 20 --fetches 3

Corpus: bench/extract_pages.py (labelled, deterministic). Accuracy: token-level
precision/recall/F1 (lower-cased words, multiset) of fetch 0 against the ground
truth, a line equal to the headline ignored. Stability: share of pages whose
`normalize_text`-ed output is identical over all fetches. Speed: median ms per
extraction over every page and fetch (single process, wall clock).
Failures (exception or empty output) count as empty text.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import extract_pages as corpus  # noqa: E402
import trafilatura  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from readability import Document  # noqa: E402

from monitor.extract.article import block_text, extract, normalize_text  # noqa: E402


def _ours(html: str) -> str:
    return extract(html).text


def _trafilatura(precision: bool) -> Callable[[str], str]:
    def run(html: str) -> str:
        out = trafilatura.extract(
            html, include_comments=False, include_tables=True, favor_precision=precision
        )
        return out or ""

    return run


def _readability(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    return block_text(BeautifulSoup(summary, "lxml"))


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "monitor (heuristic)": _ours,
    "trafilatura": _trafilatura(False),
    "trafilatura precision": _trafilatura(True),
    "readability-lxml": _readability,
}


def _run_one(fn: Callable[[str], str], html: str) -> tuple[str, float, str | None]:
    t0 = time.perf_counter()
    try:
        text, error = fn(html), None
    except Exception as exc:  # every failure is scored as an empty text
        text, error = "", f"{type(exc).__name__}: {exc}"
    return normalize_text(text), (time.perf_counter() - t0) * 1000, error


def bench(n_pages: int, fetches: int, names: list[str]) -> dict[str, Any]:
    """Run the chosen extractors over the corpus; return summary and per-page rows."""
    pages = [[corpus.page(i, f) for f in range(fetches)] for i in range(n_pages)]
    results: dict[str, Any] = {"pages": n_pages, "fetches": fetches, "extractors": {}}
    for name in names:
        fn = EXTRACTORS[name]
        rows, times = [], []
        for i, versions in enumerate(pages):
            texts, errors = [], []
            for html, _ in versions:
                text, ms, error = _run_one(fn, html)
                texts.append(text)
                times.append(ms)
                if error or not text:
                    errors.append(error or "empty output")
            p, r, f1 = corpus.score(texts[0], versions[0][1], corpus.headline(i))
            rows.append(
                {
                    "page": i,
                    "layout": corpus.layout_name(i),
                    "lang": corpus.content(i).lang,
                    "paragraphs": len(versions[0][1]),
                    "precision": round(p, 4),
                    "recall": round(r, 4),
                    "f1": round(f1, 4),
                    "stable": len(set(texts)) == 1,
                    "variants": len(set(texts)),
                    "errors": errors[:1],
                }
            )
        worst = min(rows, key=lambda row: row["f1"])
        results["extractors"][name] = {
            "precision_mean": round(statistics.fmean(r["precision"] for r in rows), 4),
            "recall_mean": round(statistics.fmean(r["recall"] for r in rows), 4),
            "f1_mean": round(statistics.fmean(r["f1"] for r in rows), 4),
            "f1_worst": worst["f1"],
            "f1_worst_page": worst["page"],
            "precision_worst": min(r["precision"] for r in rows),
            "recall_worst": min(r["recall"] for r in rows),
            "stable_share": round(sum(r["stable"] for r in rows) / len(rows), 4),
            "ms_median": round(statistics.median(times), 2),
            "failed_pages": sum(bool(r["errors"]) for r in rows),
            "rows": rows,
        }
    return results


def _print_table(res: dict[str, Any], details: bool) -> None:
    print(f"corpus: {res['pages']} pages x {res['fetches']} fetches")
    head = (
        f"{'extractor':<23}{'P mean':>7}{'R mean':>7}{'F1 mean':>8}{'F1 worst':>9}"
        f"{' (page)':>8}{'P min':>7}{'R min':>7}{'stable':>8}{'ms/page':>8}{'fail':>5}"
    )
    print(head)
    print("-" * len(head))
    for name, s in res["extractors"].items():
        print(
            f"{name:<23}{s['precision_mean']:>7.3f}{s['recall_mean']:>7.3f}{s['f1_mean']:>8.3f}"
            f"{s['f1_worst']:>9.3f}{'(' + str(s['f1_worst_page']) + ')':>8}"
            f"{s['precision_worst']:>7.3f}{s['recall_worst']:>7.3f}"
            f"{s['stable_share']:>7.0%} {s['ms_median']:>8.1f}{s['failed_pages']:>5}"
        )
    if not details:
        return
    for name, s in res["extractors"].items():
        print(f"\n{name}: lowest F1 and unstable pages")
        rows = sorted(s["rows"], key=lambda r: r["f1"])
        shown = [r for r in rows[:5]] + [r for r in rows[5:] if not r["stable"] or r["errors"]]
        for r in shown:
            print(
                f"  page {r['page']:>2} {r['layout']:<14}{r['lang']} P={r['precision']:.3f} "
                f"R={r['recall']:.3f} F1={r['f1']:.3f} variants={r['variants']}"
                + (f" error={r['errors'][0]}" if r["errors"] else "")
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pages", type=int, default=corpus.N_PAGES)
    parser.add_argument("--fetches", type=int, default=5)
    parser.add_argument(
        "--only", action="append", choices=list(EXTRACTORS), help="run only these (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--details", action="store_true", help="list worst and unstable pages")
    args = parser.parse_args()
    res = bench(args.pages, args.fetches, args.only or list(EXTRACTORS))
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
    else:
        _print_table(res, args.details)


if __name__ == "__main__":
    main()
