"""Deterministic (old, new) text pairs for the diff benchmark.

Why: diff speed depends on document size, on how far apart the edits are and on how
repetitive the text is, so the benchmark needs realistic, reproducible inputs rather
than random letters. Document A repeats the paragraphs of the project's Russian fixture
text (`monitor.simweb.corpus.commentary_text()`, shuffled per round, numbered "§ N." so
no two paragraphs are identical); B is A with a few typical editorial changes drawn
from `random.Random(seed)`.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.simweb.corpus import commentary_text  # noqa: E402

SOURCE = "monitor/simweb/data/commentary_ru.txt"  # what commentary_text() reads

KINDS = ("word", "number", "sentence", "delete", "move")
EDIT_SHARE = 0.015  # ~1.5% of paragraphs; never fewer than one edit of each kind

_WORD = re.compile(r"\w{5,}")
_NUMBER = re.compile(r"(?<!§ )(?<!\d)\d+")  # not the "§ N." paragraph number
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Sentences of the kind editors add to a published article (source, update note).
_INSERTS = (
    "По данным пресс-службы, документ вступит в силу после ратификации парламентами.",
    "Обновлено: текст дополнен комментарием министерства иностранных дел.",
    "Эксперты отмечают, что реализация положений займет не менее {n} лет.",
    "Как уточнили в правительстве, рабочая группа соберется в {n} раз до конца года.",
    "Ранее стороны обсуждали эти вопросы на {n}-м заседании межправкомиссии.",
)


@dataclass(frozen=True)
class Edit:
    kind: str
    paragraph: int  # 1-based paragraph number in A
    detail: str


@dataclass
class TextPair:
    name: str
    a: str
    b: str
    paragraphs: int
    edits: list[Edit] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "paragraphs": self.paragraphs,
            "chars_a": len(self.a),
            "bytes_a_utf8": len(self.a.encode("utf-8")),
            "chars_b": len(self.b),
            "bytes_b_utf8": len(self.b.encode("utf-8")),
            "edits": dict(Counter(e.kind for e in self.edits)),
            "edited_share": round(len(self.edits) / self.paragraphs, 4),
        }


def source_paragraphs(text: str | None = None) -> list[str]:
    """Body paragraphs of `text`, by default the fixture text (short lines such as the
    title are dropped)."""
    text = commentary_text() if text is None else text
    return [p.strip() for p in text.split("\n") if len(p.strip()) > 80]


def build_document(paras: list[str], target_chars: int, seed: int) -> list[str]:
    """Numbered paragraphs, source paragraphs reshuffled each round, until `target_chars`."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < target_chars:
        order = list(paras)
        rng.shuffle(order)
        for p in order:
            line = f"§ {len(out) + 1}. {p}"
            out.append(line)
            size += len(line) + 1
            if size >= target_chars:
                break
    return out


def _replace_word(p: str, rng: random.Random, vocab: list[str]) -> tuple[str, str]:
    m = rng.choice(list(_WORD.finditer(p)))
    new = rng.choice([w for w in vocab if w != m.group()])
    return p[: m.start()] + new + p[m.end() :], f"{m.group()} -> {new}"


def _change_number(p: str, rng: random.Random) -> tuple[str, str]:
    m = rng.choice(list(_NUMBER.finditer(p)))
    new = str(int(m.group()) + rng.choice((-2, -1, 1, 3)))
    return p[: m.start()] + new + p[m.end() :], f"{m.group()} -> {new}"


def _insert_sentence(p: str, rng: random.Random) -> tuple[str, str]:
    sentence = rng.choice(_INSERTS).format(n=rng.randint(2, 12))
    parts = _SENTENCE_END.split(p)
    at = rng.randint(1, len(parts))
    return " ".join([*parts[:at], sentence, *parts[at:]]), f"after sentence {at}"


def make_pair(name: str, target_chars: int, seed: int, text: str | None = None) -> TextPair:
    """A of about `target_chars` characters and B = A with ~1.5% of paragraphs edited.

    `text` is the source of the paragraphs (default: the fixture text)."""
    rng = random.Random(seed)
    paras = source_paragraphs(text)
    doc = build_document(paras, target_chars, seed)
    vocab = sorted({w for p in paras for w in _WORD.findall(p)})
    n = len(doc)
    count = max(len(KINDS), round(n * EDIT_SHARE))
    kinds = [KINDS[i % len(KINDS)] for i in range(count)]
    rng.shuffle(kinds)

    with_number = [i for i, p in enumerate(doc) if _NUMBER.search(p)]
    taken: set[int] = set()

    def pick(pool: list[int]) -> int:
        i = rng.choice([j for j in pool if j not in taken])
        taken.add(i)
        return i

    new = list(doc)
    edits: list[Edit] = []
    deleted: set[int] = set()
    moves: dict[int, list[int]] = {}  # destination index in A -> paragraphs placed after it
    for kind in kinds:
        i = pick(with_number if kind == "number" else list(range(n)))
        if kind == "word":
            new[i], detail = _replace_word(doc[i], rng, vocab)
        elif kind == "number":
            new[i], detail = _change_number(doc[i], rng)
        elif kind == "sentence":
            new[i], detail = _insert_sentence(doc[i], rng)
        elif kind == "delete":
            deleted.add(i)
            detail = f"{len(doc[i])} chars"
        else:
            dest = pick(list(range(n)))
            moves.setdefault(dest, []).append(i)
            detail = f"placed after § {dest + 1}"
        edits.append(Edit(kind, i + 1, detail))

    moved = {i for group in moves.values() for i in group}
    out: list[str] = []
    for i, p in enumerate(new):
        if i not in deleted and i not in moved:
            out.append(p)
        out.extend(new[j] for j in moves.get(i, []))
    edits.sort(key=lambda e: e.paragraph)
    return TextPair(name, "\n".join(doc) + "\n", "\n".join(out) + "\n", n, edits)


def default_pairs() -> list[TextPair]:
    """The two pairs the benchmark reports: ~40 K and ~1 M characters."""
    return [make_pair("40K", 40_000, seed=1), make_pair("1M", 1_000_000, seed=2)]
