"""The lxml selector path against the BeautifulSoup path on the real-page corpus.

monitor/extract/selected.py must give the same `Extracted` as the BeautifulSoup
path for every page and plain selector it accepts, or a stored document would
change version when it moves from one path to the other. This runs both over
every page of bench/realpages with a fixed list of selectors (from the narrow
"#content" to the absurd "*") and a random `remove:` each, and reports how many
results are identical, how many the lxml path declined, the differences, and
the CPU of each path.

    .venv/bin/python bench/check_selected.py [--limit N]

Exit status 1 if any result differs. Needs the corpus (bench/realpages/README.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "realpages"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus

from monitor.extract.article import extract_with_soup
from monitor.extract.page import ExtractionError
from monitor.extract.selected import extract_selected

SELECTORS = ["body", "article", "p", "div", "h1, p", "main p", "div > p", "#content", ".article",
             "div p", "li", "body > div", "a", "span", "article p, h2", "table td", "td", "ul li",
             "div.content", "section", "header", "footer", "nav a", "*", "div *", "html", "head",
             "title"]  # fmt: skip
REMOVES = [[], ["script"], ["div.share", ".ads"], ["nav", "footer", "header"], ["p"], ["a"]]


def _run(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return function(*args, **kwargs)
    except ExtractionError as exc:
        return ("error", str(exc))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    try:
        pages = corpus.load()[: args.limit]
    except corpus.CorpusMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    rng = random.Random(1)
    same = declined = 0
    differ: list[tuple[str, str, list[str]]] = []
    soup_s = lxml_s = 0.0
    for page in pages:
        for select in SELECTORS:
            remove = rng.choice(REMOVES)
            t0 = time.process_time()
            soup = _run(extract_with_soup, page.html, select=select, remove=remove)
            t1 = time.process_time()
            fast = _run(extract_selected, page.html, select, remove)
            if hasattr(fast, "region"):
                fast = replace(fast, region=None)  # only the lxml path finds it
            t2 = time.process_time()
            soup_s, lxml_s = soup_s + t1 - t0, lxml_s + t2 - t1
            if fast is None:
                declined += 1
            elif fast == soup:
                same += 1
            else:
                differ.append((page.id, select, remove))
    total = same + declined + len(differ)
    print(f"{len(pages)} pages x {len(SELECTORS)} selectors = {total} extractions")
    print(f"identical {same}, declined by the lxml path {declined}, different {len(differ)}")
    print(f"CPU per extraction: BeautifulSoup {1000 * soup_s / total:.1f} ms, "
          f"lxml {1000 * lxml_s / total:.1f} ms")  # fmt: skip
    for page_id, select, remove in differ[:20]:
        print(f"  differs: {page_id} select={select!r} remove={remove!r}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
