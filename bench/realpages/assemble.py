"""Assemble pages/ and truth/ from clones of the two source repositories.

    git clone https://github.com/scrapinghub/article-extraction-benchmark /tmp/aeb
    git clone https://github.com/rundimeco/waddle /tmp/waddle
    python bench/realpages/assemble.py --scrapinghub /tmp/aeb --waddle /tmp/waddle

Why a script: the pages are not committed (README.md beside this file), so every
machine that runs the real-page benches assembles them from the public repositories,
at the commits `manifest.json` names, the same way. Files are read with `git show
COMMIT:PATH`, so a clone at any later commit (or a bare mirror) works.

Truths: scrapinghub's `articleBody` with blank lines collapsed; DAnIEL's `reference/`
paragraphs minus the headline, standalone date/time lines, "Читайте также:"/"Теги:"
lines and photo credits (README.md, "Truth convention"). The hand removals of the
original assembly (`truth_lines_removed` beyond these rules) are not replayed: on 12
of the 101 DAnIEL pages the assembled truth keeps one or more lines the original
dropped by hand, which can only lower the scores of every extractor alike.
Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SCRAPINGHUB = "scrapinghub/article-extraction-benchmark"
WADDLE = "rundimeco/waddle"

_DATE_LINE = re.compile(
    r"^[\s\d.:/,\-–—()]*(?:\d{1,2}\s+[а-яё]+\s+\d{4}|\d{1,2}[.:]\d{2})[\s\d.:/,\-–—()гГ]*$"
    r"|^[\s\d.:/\-–—]+$"
)
_DROPPED = re.compile(r"^(?:Читайте также|Теги:|Фото:|Фото |Источник фото)", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _show(repo: Path, commit: str, path: str) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"assemble: {repo} has no {path} at {commit[:8]}: {done.stderr.decode()}")
    return done.stdout


def daniel_truth(reference: str) -> str:
    paragraphs = [" ".join(_TAG.sub("", p).split()) for p in _PARAGRAPH.findall(reference)]
    paragraphs = [p for p in paragraphs if p]
    kept = [p for p in paragraphs[1:] if not _DATE_LINE.match(p) and not _DROPPED.match(p)]
    return "\n".join(html.unescape(p) for p in kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapinghub", type=Path, required=True, help=f"a clone of {SCRAPINGHUB}")
    parser.add_argument("--waddle", type=Path, required=True, help=f"a clone of {WADDLE}")
    parser.add_argument("--out", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    repos = {SCRAPINGHUB: args.scrapinghub, WADDLE: args.waddle}
    (args.out / "pages").mkdir(parents=True, exist_ok=True)
    (args.out / "truth").mkdir(parents=True, exist_ok=True)
    ground: dict[str, dict[str, str]] | None = None
    entries = json.loads((ROOT / "manifest.json").read_text("utf-8"))
    for entry in entries:
        repo, commit = repos[entry["repo"]], entry["commit"]
        raw = _show(repo, commit, entry["path"])
        if entry["repo"] == SCRAPINGHUB:
            if ground is None:
                ground = json.loads(_show(repo, commit, "ground-truth.json"))
            body = ground[entry["truth_path"].split("#", 1)[1]]["articleBody"]
            truth = "\n".join(line for line in body.splitlines() if line.strip())
            page = raw  # stored gzipped in the benchmark already
        else:
            reference = _show(repo, commit, entry["truth_path"]).decode("utf-8", "replace")
            truth = daniel_truth(reference)
            page = gzip.compress(raw, mtime=0)
        (args.out / "pages" / f"{entry['id']}.html.gz").write_bytes(page)
        (args.out / "truth" / f"{entry['id']}.txt").write_text(truth + "\n", "utf-8")
    print(f"assembled {len(entries)} pages in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
