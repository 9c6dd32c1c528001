"""Word-granular diffs, identical across the C++ and pure-Python implementations."""

from __future__ import annotations

import random

from monitor.diff import diff_words, render, side, stats

OLD = "Стороны обязуются развивать сотрудничество в сфере мирного атома и энергетики."
NEW = "Стороны стремятся развивать сотрудничество в сфере мирного атома, энергетики и космоса."


def test_one_word_replaced_is_exactly_that_word() -> None:
    ops = diff_words(OLD, OLD.replace("обязуются", "стремятся"))
    assert ops == [
        (0, "Стороны "),
        (-1, "обязуются"),
        (1, "стремятся"),
        (0, " развивать сотрудничество в сфере мирного атома и энергетики."),
    ]


def test_diff_rebuilds_both_sides_and_counts() -> None:
    ops = diff_words(OLD, NEW)
    assert side(ops, "old") == OLD and side(ops, "new") == NEW
    counted = stats(ops)
    assert counted.inserted_chars == sum(len(t) for op, t in ops if op == 1) > 0
    assert all(op in (-1, 0, 1) for op, _ in ops)


def test_edge_cases() -> None:
    assert diff_words("", "") == []
    assert diff_words("а", "а") == [(0, "а")]
    assert diff_words("", "новый текст") == [(1, "новый текст")]
    assert diff_words("старый", "") == [(-1, "старый")]


def test_fast_and_python_backends_agree_on_random_edits() -> None:
    rng = random.Random(7)
    words = OLD.split() + NEW.split() + ["Казахстан", "Россия", "42", "пункта", "«союз»"]
    for _ in range(30):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        b_words = a.split()
        for _ in range(rng.randint(1, 5)):
            if b_words and rng.random() < 0.5:
                b_words.pop(rng.randrange(len(b_words)))
            else:
                b_words.insert(rng.randint(0, len(b_words)), rng.choice(words))
        b = " ".join(b_words)
        fast, slow = diff_words(a, b), diff_words(a, b, backend="python")
        assert side(fast, "old") == a and side(fast, "new") == b
        assert stats(fast) == stats(slow)


def test_render_marks_and_context() -> None:
    ops = diff_words(OLD, NEW)
    plain = render(ops, color=False)
    assert "[-обязуются-]{+стремятся+}" in plain
    assert "\x1b[" in render(ops, color=True)
    long = diff_words("а " * 500 + "б", "а " * 500 + "в")
    assert len(render(long, color=False, context=20)) < 100


def test_trimmed_context_keeps_spaces_and_whole_words() -> None:
    """«развивают» + « и углубляют» must not glue into «развиваюти», and a cut
    never splits a word or a number («… 013 года»)."""
    from monitor.diff import render, trim_context

    middle = (
        " и углубляют сотрудничество в области энергетики, транспорта и образования, "
        "а также в иных сферах, представляющих взаимный интерес, до 2013 года и далее "
    )
    ops = [(0, "Стороны "), (-1, "развивают"), (1, "активно развивают"), (0, middle), (1, "всегда")]
    trimmed = trim_context(ops, 30)
    context = trimmed[3][1]
    assert context.startswith(" и углубляют") and context.endswith("и далее ")
    assert " … " in context and "013 года" not in context.replace("2013 года", "")
    for word in context.replace(" … ", " ").split():
        assert word.strip(",") in middle.split() or word.strip(",") + "," in middle.split()
    shown = render(ops, color=False, context=30)
    assert "развивают+} и углубляют" in shown and "далее {+всегда+}" in shown
