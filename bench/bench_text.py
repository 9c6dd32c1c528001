"""Text understanding benchmark: themes, change themes and relevance, scored on
labelled sets, reported per set, per language and per theme, with the time per
document.

    .venv/bin/python bench/bench_text.py            # tables on stdout
    .venv/bin/python bench/bench_text.py --json     # one JSON object on stdout

Sets (tests/data/):
  dev    themes_corpus.yaml, relevance_corpus.yaml   written with the rules (smoke test)
  dev2   dev2/*.yaml     written by a helper from the theme definitions only; the
                         rules may be tuned on it
  dev3   dev3/*.yaml     relevance and change edits by a third helper, from the
                         definitions only; tuning allowed
  dev4   dev4/*.yaml     160 relevance texts (hard negatives, regions) and 70 edits
                         by a fourth helper, from the definitions only; tuning allowed
  dev5   dev5/*.yaml     120 relevance texts of many genres and 80 edits in varied
                         wording, by a fifth helper; tuning allowed
  dev6   dev6/changes.yaml   90 edits of the kinds governments make, by a sixth
                         helper; tuning allowed
  blind  blind/*.yaml    written by another helper from the definitions only; used
                         ONLY to measure, never to choose terms (its header says so)

A document's themes are the themes at the `primary` level (what alerts and filters
use); `secondary` mentions are reported apart and do not count as predictions.
Change themes are scored on the edits labelled with at least one theme (the
significant ones); editorial edits are counted as right when the summary calls
them cosmetic or no theme is found.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.analysis.assess import change_themes  # noqa: E402
from monitor.analysis.relevance import default_rules, judge  # noqa: E402
from monitor.analysis.summary import summarize  # noqa: E402
from monitor.analysis.themes import taxonomy  # noqa: E402
from monitor.diff import diff_words  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = {
    "dev": (DATA / "themes_corpus.yaml", DATA / "relevance_corpus.yaml", None),
    "dev2": (DATA / "dev2" / "themes.yaml", DATA / "dev2" / "relevance.yaml", None),
    "dev3": (None, DATA / "dev3" / "relevance.yaml", DATA / "dev3" / "changes.yaml"),
    "dev4": (None, DATA / "dev4" / "relevance.yaml", DATA / "dev4" / "changes.yaml"),
    "dev5": (None, DATA / "dev5" / "relevance.yaml", DATA / "dev5" / "changes.yaml"),
    "dev6": (None, None, DATA / "dev6" / "changes.yaml"),
    "blind": (
        DATA / "blind" / "themes.yaml",
        DATA / "blind" / "relevance.yaml",
        DATA / "blind" / "changes.yaml",
    ),
}


def _items(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def primary_themes(text: str) -> set[str]:
    return {h.theme for h in taxonomy().tag(text) if getattr(h, "level", "primary") == "primary"}


def score_themes(items: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    per_theme: dict[str, Counter[str]] = {}
    exact = 0
    times: list[float] = []
    errors: list[str] = []
    for item in items:
        gold = set(item["themes"])
        start = time.perf_counter()
        got = primary_themes(item["text"])
        times.append(time.perf_counter() - start)
        exact += got == gold
        for lang in ("all", item["lang"]):
            c = counts.setdefault(lang, Counter())
            c["tp"] += len(got & gold)
            c["fp"] += len(got - gold)
            c["fn"] += len(gold - got)
        for theme in got | gold:
            t = per_theme.setdefault(theme, Counter())
            t["tp"] += theme in got and theme in gold
            t["fp"] += theme in got and theme not in gold
            t["fn"] += theme in gold and theme not in got
        if got != gold:
            errors.append(f"{item['id']}: +{sorted(got - gold)} -{sorted(gold - got)}")
    return {
        "n": len(items),
        "micro": {k: _prf(v["tp"], v["fp"], v["fn"]) for k, v in counts.items()},
        "per_theme": {k: _prf(v["tp"], v["fp"], v["fn"]) for k, v in sorted(per_theme.items())},
        "exact": round(exact / len(items), 3) if items else None,
        "ms_per_doc": round(statistics.median(times) * 1000, 3) if times else None,
        "errors": errors,
    }


def score_relevance(items: list[dict[str, Any]]) -> dict[str, Any]:
    rules = default_rules()
    c: Counter[str] = Counter()
    times: list[float] = []
    errors: list[str] = []
    for item in items:
        start = time.perf_counter()
        got = judge(item["text"], rules).relevant
        times.append(time.perf_counter() - start)
        gold = bool(item["relevant"])
        c["tp"] += got and gold
        c["fp"] += got and not gold
        c["fn"] += gold and not got
        if got != gold:
            errors.append(f"{item['id']}: {'kept' if got else 'missed'}")
    out = _prf(c["tp"], c["fp"], c["fn"])
    out.update(
        n=len(items), ms_per_doc=round(statistics.median(times) * 1000, 3) if times else None
    )
    return {**out, "errors": errors}


def score_changes(items: list[dict[str, Any]]) -> dict[str, Any]:
    c: Counter[str] = Counter()
    editorial_right = editorial = 0
    errors: list[str] = []
    for item in items:
        before, after = item["before"], item["after"]
        ops = diff_words(before, after)
        summary = summarize(before, after, ops)
        got = {h.theme for h in change_themes(taxonomy(), before, after, ops, summary)}
        gold = set(item["themes"])
        if not gold:
            editorial += 1
            quiet = summary.cosmetic or not got
            editorial_right += quiet
            if not quiet:
                errors.append(f"{item['id']}: editorial edit tagged {sorted(got)}")
            continue
        c["tp"] += len(got & gold)
        c["fp"] += len(got - gold)
        c["fn"] += len(gold - got)
        if got != gold:
            errors.append(f"{item['id']}: +{sorted(got - gold)} -{sorted(gold - got)}")
    out = _prf(c["tp"], c["fp"], c["fn"])
    out.update(n=len(items) - editorial, editorial=editorial, editorial_quiet=editorial_right)
    return {**out, "errors": errors}


def run() -> dict[str, Any]:
    taxonomy().tag("warm up")  # compile once, outside the timings
    results: dict[str, Any] = {}
    for name, (themes, relevance, changes) in SETS.items():
        results[name] = {
            "themes": score_themes(_items(themes)),
            "relevance": score_relevance(_items(relevance)),
        }
        if changes is not None:
            results[name]["changes"] = score_changes(_items(changes))
    return results


def _print(results: dict[str, Any], verbose: bool) -> None:
    for name, r in results.items():
        t, rel = r["themes"], r["relevance"]
        langs = "  ".join(f"{k} F1 {v['f1']:.3f}" for k, v in t["micro"].items() if k != "all")
        m = t["micro"].get("all", {"p": 0, "r": 0, "f1": 0})
        if t["n"]:
            print(
                f"{name:6} themes (n={t['n']}): P {m['p']:.3f} R {m['r']:.3f} "
                f"F1 {m['f1']:.3f}  exact {t['exact']}  [{langs}]  {t['ms_per_doc']} ms/doc"
            )
        if rel["n"]:
            print(
                f"{name:6} relevance (n={rel['n']}): P {rel['p']:.3f} R {rel['r']:.3f}  "
                f"{rel['ms_per_doc']} ms/doc"
            )
        if "changes" in r:
            ch = r["changes"]
            print(
                f"{name:6} change themes (n={ch['n']} significant): P {ch['p']:.3f} "
                f"R {ch['r']:.3f} F1 {ch['f1']:.3f}; editorial quiet "
                f"{ch['editorial_quiet']}/{ch['editorial']}"
            )
        if t["n"]:
            print(
                "        per theme: "
                + "; ".join(f"{k} {v['p']:.2f}/{v['r']:.2f}" for k, v in t["per_theme"].items())
            )
        if verbose:
            for line in t["errors"] + rel["errors"] + r.get("changes", {}).get("errors", []):
                print("          " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list every wrong item (not blind)")
    parser.add_argument("--set", action="append", choices=list(SETS), help="only these sets")
    args = parser.parse_args()
    if args.set:
        for name in list(SETS):
            if name not in args.set:
                del SETS[name]
    results = run()
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print(results, args.errors)


if __name__ == "__main__":
    main()
