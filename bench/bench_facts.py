"""Numbers, dates and names compared across languages (monitor/analysis/facts.py),
measured on real parallel sentences nobody here wrote: the Tatoeba Challenge
test sets kk–ru and en–kk (downloaded into bench/data/parallel/ when missing;
provenance and licence there: CC BY-NC-SA 4.0, so they are not committed).

Consecutive sentence pairs are grouped into documents of ten "points", as the
points of one agreement in two languages. Two figures:

* **false reports**: faithful translations (as far as Tatoeba's are) in which the
  comparison still finds a number, month or name on one side that the other
  side's point lacks — each would be a false divergence alert;
* **detection**: one side's point altered the way an edit would alter it — a
  number changed, a month changed, a name swapped for another name of the same
  document — and the share of those alterations that the comparison reports.

The documents are split by position: even ones are `dev` (failures may be
looked at), odd ones `test` (only counted). "numbers only" is the comparison
the families had before names and months (numbers as a multiset).

    .venv/bin/python bench/bench_facts.py [--split dev|test|both] [--show N]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from monitor.analysis.facts import Fact, Reading, facts, missing, read, same_name

DATA = Path(__file__).resolve().parent / "data" / "parallel"
DOC = 10  # sentence pairs per document

# A month as each language writes it in a date, to swap one in for another.
MONTH_FORMS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "kk": "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан",
    "en": "January February March April May June July August September October November December",
}


# The files as measured (commits of Helsinki-NLP/Tatoeba-Challenge): not
# committed here for their licence, downloaded when missing.
SOURCES = {
    "kaz-rus.tsv": "4398862079c140af913549e2b789994e1d70cca3/data/test/kaz-rus/test.txt",
    "eng-kaz.tsv": "8b14a10d2db37fae5da4308644bb43e8c4155024/data/test/eng-kaz/test.txt",
}
RAW = "https://raw.githubusercontent.com/Helsinki-NLP/Tatoeba-Challenge/"


def _file(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        import httpx

        print(f"downloading {name} from {RAW}{SOURCES[name]}")
        response = httpx.get(RAW + SOURCES[name], timeout=60, follow_redirects=True)
        response.raise_for_status()
        path.write_bytes(response.content)
    return path


def pairs(name: str) -> list[tuple[str, str, str, str]]:
    """(lang_a, lang_b, text_a, text_b) of one file."""
    codes = {"kaz_Cyrl": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}
    out = []
    for line in _file(name).read_text(encoding="utf-8").splitlines():
        a, b, x, y = line.split("\t")
        out.append((codes.get(a, a[:2]), codes.get(b, b[:2]), x, y))
    return out


def documents(split: str) -> Iterator[list[tuple[str, str, str, str]]]:
    for name in ("kaz-rus.tsv", "eng-kaz.tsv"):
        rows = pairs(name)
        docs = [rows[i : i + DOC] for i in range(0, len(rows), DOC)]
        for i, doc in enumerate(docs):
            if split == "both" or (i % 2 == 0) == (split == "dev"):
                yield doc


def reported(a: str, b: str, ctx_a: Reading, ctx_b: Reading) -> list[Fact]:
    fa, fb = read(a), read(b)
    return missing(fa, fb, ctx_b) + missing(fb, fa, ctx_a)


def numbers_only(a: str, b: str) -> bool:
    def nums(t: str) -> Counter[str]:
        return Counter(f.key for f in facts(t) if f.kind == "number")

    return nums(a) != nums(b)


def _swap(text: str, fact: Fact, new: str) -> str:
    return text[: fact.start] + new + text[fact.end :]


def alterations(
    doc: list[tuple[str, str, str, str]], i: int, rng: random.Random
) -> Iterator[tuple[str, str]]:
    """(kind, altered b) for point i of a document: its b side changed once per kind."""
    _, lang_b, a, b = doc[i]
    fa, fb = facts(a), facts(b)
    numbers = [f for f in fb if f.kind == "number"]
    if numbers:
        f = rng.choice(numbers)
        value = f.text.replace(",", ".")
        new = str(int(value) + 1) if value.isdigit() else value + "1"
        yield "number", _swap(b, f, new)
    dates = [f for f in fb if f.kind == "date"]
    if dates:
        f = rng.choice(dates)
        forms = MONTH_FORMS[lang_b].split()
        month = int(f.key.split(":")[1])
        yield "date", _swap(b, f, forms[month % 12])  # the next month
    # a name both sides carry, swapped for another name of the document that both
    # sides carry too (a real name, not a word Russian merely capitalises)
    shared = [f for f in fb if f.kind == "name" and any(same_name(f.key, g.key) for g in fa)]
    doc_a = [g for _, _, other, _ in doc for g in facts(other) if g.kind == "name"]
    others = [
        g
        for j, (_, _, _, other) in enumerate(doc)
        if j != i
        for g in facts(other)
        if g.kind == "name"
        and any(same_name(g.key, h.key) for h in doc_a)
        and not any(same_name(g.key, h.key) for h in fa + fb)
    ]
    if shared and others:
        yield "name", _swap(b, rng.choice(shared), rng.choice(others).text)


def run(split: str, show: int) -> None:
    rng = random.Random(17)
    sentences = 0
    false_kinds: Counter[str] = Counter()
    false_any = 0
    false_numbers_only = 0
    detected: Counter[str] = Counter()
    detected_numbers_only: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    shown = 0
    for doc in documents(split):
        ctx_a = read("\n".join(a for _, _, a, _ in doc))
        ctx_b = read("\n".join(b for _, _, _, b in doc))
        for i, (_, _, a, b) in enumerate(doc):
            sentences += 1
            found = reported(a, b, ctx_a, ctx_b)
            false_numbers_only += numbers_only(a, b)
            if found:
                false_any += 1
                false_kinds.update({f.kind for f in found})
                if shown < show:
                    shown += 1
                    print("FALSE", [(f.kind, f.text) for f in found], "\n  ", a, "\n  ", b)
            if found:
                continue  # alterations are scored on pairs that compare clean
            for kind, altered in alterations(doc, i, rng):
                tried[kind] += 1
                sides = [altered if j == i else other for j, (_, _, _, other) in enumerate(doc)]
                ctx_altered = read("\n".join(sides))
                if reported(a, altered, ctx_a, ctx_altered):
                    detected[kind] += 1
                elif shown < show:
                    shown += 1
                    print("MISSED", kind, "\n  ", a, "\n  ", altered)
                detected_numbers_only[kind] += numbers_only(a, altered)
    print(f"split {split}: {sentences} sentence pairs in documents of {DOC}")
    print(
        f"false reports: {false_any} pairs ({false_any / sentences:.1%}); by kind "
        + ", ".join(f"{k} {v}" for k, v in sorted(false_kinds.items()))
        + f"; numbers only: {false_numbers_only} ({false_numbers_only / sentences:.1%})"
    )
    for kind in ("number", "date", "name"):
        if tried[kind]:
            print(
                f"detection of a changed {kind}: {detected[kind]}/{tried[kind]} "
                f"({detected[kind] / tried[kind]:.1%}); numbers only "
                f"{detected_numbers_only[kind] / tried[kind]:.1%}"
            )


def timing() -> None:
    """What reading the facts of a whole text costs (done once per copy compared)."""
    import time

    from monitor.analysis import facts as module

    text = "\n".join(x for _, _, x, y in pairs("kaz-rus.tsv") for x in (x, y))
    for size in (5_000, 100_000):
        chunk = text[:size]
        module._entity.cache_clear()
        module._skeleton.cache_clear()
        module._month.cache_clear()
        started = time.perf_counter()
        read(chunk)
        print(f"read() of {size:,} characters: {1000 * (time.perf_counter() - started):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "both"], default="test")
    parser.add_argument("--show", type=int, default=0, help="print N failures (dev only)")
    args = parser.parse_args()
    if args.show and args.split != "dev":
        parser.error("--show looks at failures: only on --split dev")
    run(args.split, args.show)
    timing()


if __name__ == "__main__":
    main()
