"""Diff stage: word-granular diffs between two versions' texts.

Texts are split into words, spaces and punctuation; each distinct token becomes
one character, the diff-match-patch algorithm runs over those characters with
semantic cleanup, and the result is mapped back. A one-word edit thus shows as
exactly that word, never as a few letters inside it. The C++ implementation
(`fast-diff-match-patch`) is used; `bench/bench_diff.py` shows why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import fast_diff_match_patch

Op = Literal[-1, 0, 1]
DiffOps = list[tuple[int, str]]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_OPS = {"=": 0, "-": -1, "+": 1}
# Private-use planes 15 and 16 hold 131,068 tokens; more distinct tokens than that
# spill into the BMP private-use area, and beyond it into plain CJK code points.
_PLANES = [
    range(0xF0000, 0xFFFFE),
    range(0x100000, 0x10FFFE),
    range(0xE000, 0xF900),
    range(0x4E00, 0xA000),
]


def _code_points() -> Iterator[str]:
    for plane in _PLANES:
        for cp in plane:
            yield chr(cp)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _encode(a: str, b: str) -> tuple[str, str, list[str]]:
    table: dict[str, str] = {}
    tokens: list[str] = []
    codes = _code_points()

    def enc(text: str) -> str:
        out = []
        for token in tokenize(text):
            code = table.get(token)
            if code is None:
                try:
                    code = next(codes)
                except StopIteration:
                    raise ValueError("too many distinct words to diff") from None
                table[token] = code
                tokens.append(token)
            out.append(code)
        return "".join(out)

    return enc(a), enc(b), tokens


def _decode_map(tokens: Sequence[str]) -> dict[str, str]:
    codes = _code_points()
    return {next(codes): token for token in tokens}


def _merge(ops: DiffOps) -> DiffOps:
    merged: DiffOps = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


# Seconds a diff may take. Two unrelated long texts make the exact algorithm
# quadratic (40 s for 320 KB was measured); past the limit diff-match-patch
# returns a valid, coarser diff instead of a minimal one.
TIME_LIMIT = 2.0


def _raw_diff(a: str, b: str, backend: str) -> list[tuple[int, str]]:
    if backend == "fast":
        return [
            (_OPS[op], text)
            for op, text in fast_diff_match_patch.diff(
                a, b, timelimit=TIME_LIMIT, checklines=False, cleanup="Semantic", counts_only=False
            )
        ]
    if backend == "python":  # kept for the equivalence test and the benchmark
        from diff_match_patch import diff_match_patch

        dmp = diff_match_patch()
        dmp.Diff_Timeout = TIME_LIMIT
        diffs = dmp.diff_main(a, b, False)
        dmp.diff_cleanupSemantic(diffs)
        return [(op, text) for op, text in diffs]
    raise ValueError(f"unknown diff backend {backend!r}")


def diff_words(a: str, b: str, *, backend: str = "fast") -> DiffOps:
    """A list of (op, text) where op is -1 (deleted), 0 (kept) or 1 (inserted)."""
    if a == b:
        return [(0, a)] if a else []
    ea, eb, tokens = _encode(a, b)
    back = _decode_map(tokens)
    ops = [(op, "".join(back[c] for c in text)) for op, text in _raw_diff(ea, eb, backend)]
    return _merge(ops)


@dataclass(frozen=True)
class DiffStats:
    inserted_chars: int
    deleted_chars: int


def stats(ops: DiffOps) -> DiffStats:
    return DiffStats(
        inserted_chars=sum(len(t) for op, t in ops if op == 1),
        deleted_chars=sum(len(t) for op, t in ops if op == -1),
    )


def side(ops: DiffOps, which: Literal["old", "new"]) -> str:
    """Rebuild one side of the diff; used to verify diffs and render side-by-side views."""
    skip = 1 if which == "old" else -1
    return "".join(t for op, t in ops if op != skip)


# ANSI colours for terminals; markers for pipes and files (git --word-diff style).
_ANSI = {-1: ("\x1b[31;9m", "\x1b[0m"), 1: ("\x1b[32;1m", "\x1b[0m")}
_PLAIN = {-1: ("[-", "-]"), 1: ("{+", "+}")}


def _shorten(text: str, context: int, keep_head: bool, keep_tail: bool) -> str:
    """Unchanged `text` cut to about `context` characters at each kept end, on word
    boundaries: a cut never splits a word or a number («… 013 года»), and the
    spaces next to the changes stay, so «развивают» + « и углубляют» do not glue."""
    head = tail = ""
    if keep_head:
        head = text[:context]
        cut = head.rfind(" ")
        if cut > 0 and len(text) > context and not text[context].isspace():
            head = head[:cut]
    if keep_tail:
        tail = text[-context:]
        cut = tail.find(" ")
        if 0 <= cut < len(tail) - 1 and not text[-context - 1].isspace():
            tail = tail[cut + 1 :]
    if not head and not tail:
        return ""
    return f"{head} … {tail}" if head and tail else f"{head} …" if head else f"… {tail}"


def trim_context(ops: Sequence[Sequence[Any]], context: int) -> list[list[Any]]:
    """Changed text whole, unchanged text cut to `context` characters around it."""
    out: list[list[Any]] = []
    last = len(ops) - 1
    for i, (op, text) in enumerate(ops):
        if op == 0 and len(text) > 2 * context:
            text = _shorten(text, context, keep_head=i > 0, keep_tail=i < last)
            if not text:
                continue
        out.append([op, text])
    return out


def render(ops: DiffOps, *, color: bool, context: int | None = None) -> str:
    """Inline rendering; with `context`, long unchanged runs are cut to that many characters."""
    marks = _ANSI if color else _PLAIN
    out = []
    for i, (op, text) in enumerate(ops):
        if op == 0:
            if context is not None and len(text) > 2 * context + 5:
                text = _shorten(text, context, keep_head=i > 0, keep_tail=i < len(ops) - 1)
            out.append(text)
        else:
            start, end = marks[op]
            out.append(f"{start}{text}{end}")
    return "".join(out)
