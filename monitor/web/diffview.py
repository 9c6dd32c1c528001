"""Word diffs laid out for HTML: rows of old and new text aligned on unchanged
paragraph breaks, each fragment marked kept, inserted or deleted.

Why rows: a side-by-side view is only readable if the two columns stay level,
and the only places both texts certainly agree are line breaks inside unchanged
text. A row therefore runs from one such shared break to the next; an inserted
paragraph simply makes its right-hand cell taller. Long runs of unchanged rows
are folded so the edits are what the reader sees first.

Nothing here produces HTML: templates render the fragments with autoescaping,
so scraped text can never become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Fragment = tuple[int, str]  # (op, text): -1 deleted, 0 kept, 1 inserted


@dataclass
class Row:
    """One aligned stretch: `old` and `new` fragments, and the merged inline view."""

    old: list[Fragment] = field(default_factory=list)
    new: list[Fragment] = field(default_factory=list)
    inline: list[Fragment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(op != 0 for op, _ in self.inline)

    def add(self, op: int, text: str) -> None:
        if not text:
            return
        self.inline.append((op, text))
        if op <= 0:
            self.old.append((op, text))
        if op >= 0:
            self.new.append((op, text))


@dataclass
class Block:
    """Rows shown as they are (`folded` False) or a folded run of unchanged rows."""

    rows: list[Row]
    folded: bool = False


def rows(ops: Sequence[tuple[int, str]]) -> list[Row]:
    """Split a diff into rows at the line breaks of unchanged text."""
    out: list[Row] = []
    row = Row()
    for op, text in ops:
        if op != 0:
            row.add(op, text)
            continue
        lines = text.split("\n")
        for i, line in enumerate(lines):
            row.add(0, line)
            if i < len(lines) - 1:
                out.append(row)
                row = Row()
    if row.inline or not out:
        out.append(row)
    return out


def blocks(all_rows: list[Row], context: int = 1, fold_at: int = 4) -> list[Block]:
    """Keep `context` unchanged rows around each changed one; fold longer quiet runs.

    Runs shorter than `fold_at` stay open: folding two lines saves nothing.
    """
    keep = [r.changed for r in all_rows]
    for i, r in enumerate(all_rows):
        if r.changed:
            for j in range(max(0, i - context), min(len(all_rows), i + context + 1)):
                keep[j] = True
    out: list[Block] = []
    run: list[Row] = []

    def flush() -> None:
        if run:
            out.append(Block(list(run), folded=len(run) >= fold_at))
            run.clear()

    for r, shown in zip(all_rows, keep, strict=True):
        if shown:
            flush()
            if out and not out[-1].folded:
                out[-1].rows.append(r)
            else:
                out.append(Block([r]))
        else:
            run.append(r)
    flush()
    # blank rows (paragraph separators) carry nothing worth a line of their own
    for b in out:
        b.rows = [r for r in b.rows if r.changed or any(t.strip() for _, t in r.inline)]
    return [b for b in out if b.rows]


def changed_words(ops: Sequence[tuple[int, str]], op: int) -> list[str]:
    """The inserted (op=1) or deleted (op=-1) stretches, trimmed: what tests and
    readers compare against the highlighted elements."""
    return [t.strip() for o, t in ops if o == op and t.strip()]
