"""Main-text extraction on real saved pages: ours vs trafilatura vs readability-lxml.

    .venv/bin/python bench/bench_realpages.py                  # quality table
    .venv/bin/python bench/bench_realpages.py --details 10     # + the 10 worst pages each
    .venv/bin/python bench/bench_realpages.py --stability      # + boilerplate-variant stability
    .venv/bin/python bench/bench_realpages.py --only ours,trafilatura --lang ru --json

Corpus: bench/realpages (README.md there): real pages saved in public repositories'
extraction benchmarks, each with a ground-truth main text.

Quality. Each extractor gets the decoded page (str). Its output is compared with the
truth by 4-gram word-shingle precision/recall/F1 (`corpus.shingle_prf`, the metric of
scrapinghub/article-extraction-benchmark). Reported per extractor: the mean of per-page
P, R and F1; "bench F1", the benchmark's own corpus figure (harmonic mean of mean P over
pages with output and mean R, comparable with its published table); the median F1; the
share of pages with F1 < 0.5; empty outputs (an exception counts as empty); "missed":
pages where this extractor is empty or below 0.5 while another one reaches F1 >= 0.5
("lost": the subset where this one is empty); mean F1 on ru+kk pages and on the others,
and per source repository; the median CPU time per page (time.process_time).

Stability (--stability). What gets hashed is `normalize_text(extracted text)`, so an
extractor is stable on a page when boilerplate-only edits leave that text byte-identical.
Every page is parsed with lxml and re-serialised (v0, no edit; extraction of v0 is the
reference, and how often v0 already differs from the raw page is reported too). Then
variants of v0 are made, deterministically (random.Random seeded with the page id):

  v1 digits: every digit in a <body> text node outside the article is shifted (+1 mod 10).
     A text node is "inside the article" when its whitespace-normalised text occurs in the
     whitespace-normalised truth or in the page's headline (<h1>, <title>, og:title: the
     truths leave the headline out, but a changed headline is an edit, not boilerplate);
     script/style/noscript/template text is left alone.
  v2 widget: `<div class="widget">Сейчас читают: N человек</div>` ("Reading now: N people"
     on non-Russian pages) as first child of header/footer/sidebar containers: <header>,
     <footer>, <aside>, or an element whose class/id contains header, footer or sidebar,
     outermost ones only and none holding article text (at most 8); without any, at the
     start and at the end of <body>.
  v3 menus: the <li> children of every <ul>/<ol>/<nav> list outside the article (no <li>
     text in the truth) whose link density is >= 0.5 are shuffled.
  v4 counter: right after the first <h1> (pages without one are skipped),
     `<div class="meta">Просмотров: N</div><div class="meta">Обновлено N минут назад</div>`
     ("Views: N" / "Updated N minutes ago" on non-Russian pages), made twice with two
     different N; the page counts as stable only if both copies match.

Reported: per variant and for all variants together, the share of pages whose text is
identical to the v0 extraction (pages a variant does not apply to are left out of that
variant's denominator and count as identical for "all").
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "realpages"))

import corpus  # noqa: E402
import lxml.html  # noqa: E402
import trafilatura  # noqa: E402
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning  # noqa: E402
from lxml import etree  # noqa: E402
from readability import Document  # noqa: E402

from monitor.extract.article import block_text, extract, normalize_text  # noqa: E402

warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# --- extractors -----------------------------------------------------------------------


def _ours(html: str) -> str:
    """What the service stores: the consensus of three extractors (monitor/extract/consensus.py)."""
    return extract(html).text


def _heuristic(html: str) -> str:
    """Our own heuristic alone (one of the consensus' three candidates)."""
    return extract(html, prefer="heuristic").text


def _pinned(html: str) -> tuple[Callable[[str], str], str]:
    """For stability: the consensus chooses on the unmodified page, and the variants
    are read by that same extractor, as the pipeline does for later fetches of a
    document (`documents.extractor`)."""
    first = extract(html)
    return (lambda variant: extract(variant, prefer=first.extractor).text), first.text


def _trafilatura(**options: Any) -> Callable[[str], str]:
    def run(html: str) -> str:
        return trafilatura.extract(html, **options) or ""

    return run


def _readability(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    return block_text(BeautifulSoup(summary, "lxml"))


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "ours": _ours,
    "heuristic": _heuristic,
    "trafilatura": _trafilatura(include_comments=False, include_tables=True, favor_precision=False),
    "readability": _readability,
    # trafilatura's own defaults: the same but include_comments=True.
    "trafilatura-default": _trafilatura(),
    "trafilatura-precision": _trafilatura(
        include_comments=False, include_tables=True, favor_precision=True
    ),
}
DEFAULT = ("ours", "trafilatura", "readability")


def run_extractor(fn: Callable[[str], str], html: str) -> tuple[str, float]:
    """Output text ("" on any exception) and CPU milliseconds."""
    start = time.process_time()
    try:
        text = fn(html) or ""
    except Exception:
        text = ""
    return text, (time.process_time() - start) * 1000


# --- quality ------------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    lang: str
    source: str
    p: float
    r: float
    f1: float
    counts: tuple[float, float, float]
    empty: bool
    ms: float
    text: str = field(repr=False)


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.fmean(items) if items else float("nan")


def quality(pages: list[corpus.Page], names: list[str]) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {name: [] for name in names}
    for page in pages:
        for name in names:
            text, ms = run_extractor(EXTRACTORS[name], page.html)
            p, r, f1 = corpus.shingle_prf(text, page.truth)
            rows[name].append(
                Row(
                    page=page.id,
                    lang=page.lang,
                    source=page.source,
                    p=p,
                    r=r,
                    f1=f1,
                    counts=corpus.shingle_counts(text, page.truth),
                    empty=not normalize_text(text),
                    ms=ms,
                    text=text,
                )
            )
    return rows


def summarise(rows: dict[str, list[Row]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    names = list(rows)
    for name in names:
        mine = rows[name]
        others = [rows[o] for o in names if o != name]
        found_elsewhere = [any(o[i].f1 >= 0.5 for o in others) for i in range(len(mine))]
        bench_p, bench_r, bench_f1 = corpus.benchmark_f1([row.counts for row in mine])
        sources = sorted({row.source for row in mine})
        out[name] = {
            "pages": len(mine),
            "P": _mean(r.p for r in mine),
            "R": _mean(r.r for r in mine),
            "F1": _mean(r.f1 for r in mine),
            "bench_P": bench_p,
            "bench_R": bench_r,
            "bench_F1": bench_f1,
            "median_F1": statistics.median(r.f1 for r in mine) if mine else float("nan"),
            "share_F1_lt_0.5": _mean(float(r.f1 < 0.5) for r in mine),
            "empty": sum(r.empty for r in mine),
            "lost": sum(r.empty and f for r, f in zip(mine, found_elsewhere, strict=True)),
            "missed": sum(r.f1 < 0.5 and f for r, f in zip(mine, found_elsewhere, strict=True)),
            "F1_ru_kk": _mean(r.f1 for r in mine if r.lang in corpus.RU_KK),
            "F1_other": _mean(r.f1 for r in mine if r.lang not in corpus.RU_KK),
            "n_ru_kk": sum(r.lang in corpus.RU_KK for r in mine),
            "F1_by_source": {s: _mean(r.f1 for r in mine if r.source == s) for s in sources},
            "median_cpu_ms": statistics.median(r.ms for r in mine) if mine else float("nan"),
        }
    return out


def print_quality(summary: dict[str, dict[str, Any]]) -> None:
    first = next(iter(summary.values()))
    n, n_ru = first["pages"], first["n_ru_kk"]
    print(f"Quality on {n} pages ({n_ru} ru+kk, {n - n_ru} other)")
    head = (
        f"{'extractor':<22}{'P':>6}{'R':>6}{'F1':>6}{'benchF1':>8}{'medF1':>7}{'<0.5':>6}"
        f"{'empty':>6}{'lost':>5}{'missed':>7}{'F1 ru+kk':>9}{'F1 other':>9}{'cpu ms':>8}"
    )
    print(head)
    for name, s in summary.items():
        print(
            f"{name:<22}{s['P']:>6.3f}{s['R']:>6.3f}{s['F1']:>6.3f}{s['bench_F1']:>8.3f}"
            f"{s['median_F1']:>7.3f}{s['share_F1_lt_0.5']:>6.1%}{s['empty']:>6}{s['lost']:>5}"
            f"{s['missed']:>7}{s['F1_ru_kk']:>9.3f}{s['F1_other']:>9.3f}"
            f"{s['median_cpu_ms']:>8.1f}"
        )
    print("mean F1 by source repository:")
    for name, s in summary.items():
        parts = ", ".join(f"{src} {f1:.3f}" for src, f1 in s["F1_by_source"].items())
        print(f"  {name:<20} {parts}")


def print_details(rows: dict[str, list[Row]], pages: list[corpus.Page], worst: int) -> None:
    by_id = {page.id: page for page in pages}
    for name, mine in rows.items():
        print(f"\nworst {worst} pages for {name}:")
        for row in sorted(mine, key=lambda r: (r.f1, r.page))[:worst]:
            page = by_id[row.page]
            url = page.meta.get("url") or page.meta.get("site") or ""
            print(f"  {row.page:<32} F1 {row.f1:.2f} P {row.p:.2f} R {row.r:.2f}  {url}")
            got = normalize_text(row.text).replace("\n", " ¶ ")
            want = normalize_text(page.truth).replace("\n", " ¶ ")
            print(f"      got   ({len(got):>6} chars): {got[:160]}")
            print(f"      truth ({len(want):>6} chars): {want[:160]}")


# --- stability ---------------------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WS = re.compile(r"\s+")
_NO_TEXT = {"script", "style", "noscript", "template"}
_CONTAINER = re.compile(r"header|footer|sidebar", re.IGNORECASE)
VARIANTS = ("v1_digits", "v2_widget", "v3_menus", "v4_counter")


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def parse(html: str) -> etree._Element:
    return lxml.html.document_fromstring(_XML_DECL.sub("", html) or "<html></html>")


def serialise(doc: etree._Element) -> str:
    return etree.tostring(doc.getroottree(), encoding="unicode", method="html")


def _text_slots(doc: etree._Element) -> Iterable[tuple[etree._Element, str]]:
    """(element, "text" | "tail") for every text node in <body> outside script/style."""
    body = doc.find("body")
    if body is None:
        return
    for el in body.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.tail:
                yield el, "tail"
            continue
        if el.text and el.tag not in _NO_TEXT:
            yield el, "text"
        if el.tail and el is not body:
            parent = el.getparent()
            if parent is None or parent.tag not in _NO_TEXT:
                yield el, "tail"


class Article:
    """Membership test of text against the truth (whitespace-normalised substring)."""

    def __init__(self, truth: str) -> None:
        self.truth = _squash(truth)

    def inside(self, text: str) -> bool:
        squashed = _squash(text)
        return bool(squashed) and squashed in self.truth

    def touches(self, el: etree._Element, min_words: int = 5) -> bool:
        """Does the element hold a text node of >= min_words words that is article text?"""
        for node in el.iter():
            if not isinstance(node.tag, str) or node.tag in _NO_TEXT:
                continue
            for piece in (node.text, node.tail if node is not el else None):
                if piece and len(piece.split()) >= min_words and self.inside(piece):
                    return True
        return False


def headlines(doc: etree._Element) -> list[str]:
    """The page's headline as the page states it: every <h1>, <title>, og:title.

    The truths leave the headline out (the benchmarks score body text), but it is part
    of the document: a headline whose number changes is the publisher's edit, not
    boilerplate, so the variants treat it as article text."""
    found = [h.text_content() for h in doc.iter("h1")]
    found += [t.text_content() for t in doc.iter("title")]
    found += [m.get("content") or "" for m in doc.iter("meta") if m.get("property") == "og:title"]
    return [_squash(text) for text in found if _squash(text)]


def _shift_digits(text: str, by: int = 1) -> str:
    return re.sub(r"\d", lambda m: str((int(m.group()) + by) % 10), text)


def variant_digits(doc: etree._Element, article: Article, by: int = 1) -> bool:
    changed = False
    for el, slot in list(_text_slots(doc)):
        value = getattr(el, slot)
        if value and re.search(r"\d", value) and not article.inside(value):
            setattr(el, slot, _shift_digits(value, by))
            changed = True
    return changed


def _classes(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _widget(russian: bool, n: int) -> etree._Element:
    text = f"Сейчас читают: {n} человек" if russian else f"Reading now: {n} people"
    return lxml.html.fragment_fromstring(f'<div class="widget">{text}</div>')


def variant_widget(doc: etree._Element, article: Article, rng: random.Random, ru: bool) -> bool:
    body = doc.find("body")
    if body is None:
        return False
    chosen: list[etree._Element] = []
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _NO_TEXT:
            continue
        is_container = el.tag in {"header", "footer", "aside"} or bool(
            _CONTAINER.search(_classes(el))
        )
        if not is_container or any(c in el.iterancestors() for c in chosen):
            continue
        if article.touches(el):
            continue
        chosen.append(el)
        if len(chosen) == 8:
            break
    if chosen:
        for el in chosen:
            el.insert(0, _widget(ru, rng.randint(100, 9999)))
    else:
        body.insert(0, _widget(ru, rng.randint(100, 9999)))
        body.append(_widget(ru, rng.randint(100, 9999)))
    return True


def _link_density(el: etree._Element) -> float:
    total = len(_squash(el.text_content()))
    if not total:
        return 0.0
    linked = sum(len(_squash(a.text_content())) for a in el.iter("a"))
    return linked / total


def variant_menus(doc: etree._Element, article: Article, rng: random.Random) -> bool:
    changed = False
    for lst in list(doc.iter("ul", "ol", "nav")):
        items = [child for child in lst if isinstance(child.tag, str) and child.tag == "li"]
        if len(items) < 2 or _link_density(lst) < 0.5:
            continue
        if any(article.inside(li.text_content()) for li in items):
            continue
        order = items[:]
        rng.shuffle(order)
        if order == items:
            order = items[1:] + items[:1]
        first_index = lst.index(items[0])
        tails = [li.tail for li in items]
        for li in items:
            lst.remove(li)
        for offset, (li, tail) in enumerate(zip(order, tails, strict=True)):
            li.tail = tail
            lst.insert(first_index + offset, li)
        changed = True
    return changed


def variant_counter(doc: etree._Element, n: int, ru: bool) -> bool:
    h1 = next(iter(doc.iter("h1")), None)
    if h1 is None:
        return False
    views, updated = (
        (f"Просмотров: {n}", f"Обновлено {n} минут назад")
        if ru
        else (f"Views: {n}", f"Updated {n} minutes ago")
    )
    html = f'<div class="meta">{views}</div><div class="meta">{updated}</div>'
    blocks = lxml.html.fragments_fromstring(html)
    parent = h1.getparent()
    if parent is None:
        return False
    at = parent.index(h1)
    tail, h1.tail = h1.tail, None
    for offset, block in enumerate(blocks, start=1):
        parent.insert(at + offset, block)
    blocks[-1].tail = tail
    return True


def article_of(page: corpus.Page, v0: str) -> Article:
    return Article(page.truth + "\n" + "\n".join(headlines(parse(v0))))


def variant_at(page: corpus.Page, v0: str, article: Article, name: str, k: int) -> str | None:
    """The k-th copy (k >= 1) of one variant, each different from the one before:
    what a page whose boilerplate moves on every request serves on its k-th fetch."""
    rng = random.Random(f"{page.id}:{k}")
    ru = page.lang in corpus.RU_KK
    doc = parse(v0)
    if name == "v1_digits":
        made = variant_digits(doc, article, by=1 + (k - 1) % 9)
    elif name == "v2_widget":
        made = variant_widget(doc, article, rng, ru)
    elif name == "v3_menus":
        made = variant_menus(doc, article, rng)
    else:
        made = variant_counter(doc, 2 + k * 37, ru)
    return serialise(doc) if made else None


def make_variants(page: corpus.Page) -> tuple[str, dict[str, list[str]]]:
    """The re-serialised page (v0) and, per variant, its edited copies (none if n/a)."""
    rng = random.Random(page.id)
    ru = page.lang in corpus.RU_KK
    v0 = serialise(parse(page.html))
    article = article_of(page, v0)
    out: dict[str, list[str]] = {}
    doc = parse(v0)
    out["v1_digits"] = [serialise(doc)] if variant_digits(doc, article) else []
    doc = parse(v0)
    out["v2_widget"] = [serialise(doc)] if variant_widget(doc, article, rng, ru) else []
    doc = parse(v0)
    out["v3_menus"] = [serialise(doc)] if variant_menus(doc, article, rng) else []
    counters: list[str] = []
    first, second = rng.randint(2, 499), rng.randint(500, 99999)
    for n in (first, second):
        doc = parse(v0)
        if variant_counter(doc, n, ru):
            counters.append(serialise(doc))
    out["v4_counter"] = counters
    return v0, out


def stability(pages: list[corpus.Page], names: list[str]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {
        name: {v: [0, 0] for v in (*VARIANTS, "all", "v0_vs_raw")} for name in names
    }
    unstable: dict[str, list[str]] = {name: [] for name in names}
    for page in pages:
        v0, variants = make_variants(page)
        for name in names:
            fn = EXTRACTORS[name]
            if name == "ours":
                try:
                    fn, _ = _pinned(v0)
                except Exception:
                    fn = EXTRACTORS[name]
            base = normalize_text(run_extractor(fn, v0)[0])
            raw = normalize_text(run_extractor(fn, page.html)[0])
            tally = results[name]
            tally["v0_vs_raw"][0] += base == raw
            tally["v0_vs_raw"][1] += 1
            all_same = True
            failed: list[str] = []
            for variant in VARIANTS:
                copies = variants[variant]
                if not copies:
                    continue
                same = all(normalize_text(run_extractor(fn, c)[0]) == base for c in copies)
                tally[variant][0] += same
                tally[variant][1] += 1
                if not same:
                    all_same = False
                    failed.append(variant)
            tally["all"][0] += all_same
            tally["all"][1] += 1
            if failed:
                unstable[name].append(f"{page.id}:{'+'.join(failed)}")
    summary: dict[str, dict[str, Any]] = {}
    for name, tally in results.items():
        summary[name] = {
            key: {"identical": same, "pages": total, "share": same / total if total else None}
            for key, (same, total) in tally.items()
        }
        summary[name]["unstable_pages"] = unstable[name]
    return summary


def print_stability(summary: dict[str, dict[str, Any]]) -> None:
    keys = (*VARIANTS, "all")
    print("\nStability: share of pages whose normalised text is identical to the v0 extraction")
    print(f"{'extractor':<22}" + "".join(f"{k:>13}" for k in keys) + f"{'v0 vs raw':>11}")
    for name, s in summary.items():
        cells = "".join(
            f"{s[k]['share']:>7.1%} {s[k]['pages']:>4} " if s[k]["pages"] else f"{'n/a':>13}"
            for k in keys
        )
        print(f"{name:<22}{cells}{s['v0_vs_raw']['share']:>10.1%}")
    print("(each cell: share identical, pages the variant applied to)")


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated extractor names: " + ",".join(EXTRACTORS))
    parser.add_argument("--lang", help="comma-separated languages to keep (e.g. ru,kk)")
    parser.add_argument("--limit", type=int, help="first N pages only (quick runs)")
    parser.add_argument("--details", type=int, nargs="?", const=10, default=0, metavar="N")
    parser.add_argument("--stability", action="store_true", help="also run the variant check")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.only.split(",")] if args.only else list(DEFAULT)
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        parser.error(f"unknown extractor(s) {unknown}; known: {sorted(EXTRACTORS)}")
    langs = args.lang.split(",") if args.lang else None
    try:
        pages = corpus.load(langs=langs)
    except corpus.CorpusMissing as exc:
        print(f"bench_realpages: {exc}", file=sys.stderr)
        return 2
    pages = pages[: args.limit] if args.limit else pages

    started = time.perf_counter()
    rows = quality(pages, names)
    report: dict[str, Any] = {"pages": len(pages), "quality": summarise(rows)}
    if args.stability:
        report["stability"] = stability(pages, names)
    report["wall_seconds"] = round(time.perf_counter() - started, 1)

    if args.json:
        report["rows"] = {
            name: [
                {"page": r.page, "lang": r.lang, "p": r.p, "r": r.r, "f1": r.f1, "ms": r.ms}
                for r in mine
            ]
            for name, mine in rows.items()
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print_quality(report["quality"])
    if args.details:
        print_details(rows, pages, args.details)
    if args.stability:
        print_stability(report["stability"])
        if args.details:
            for name, s in report["stability"].items():
                shown = ", ".join(s["unstable_pages"][: args.details])
                print(f"  unstable for {name}: {shown}")
    print(f"\n{len(pages)} pages, {report['wall_seconds']} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
