"""Change summaries in the reader's language.

The analysis stores a change's summary once, in English (`reasons`, `headline`:
the webhook payload and the API carry them as they are). The pages say the same
in Russian or Kazakh: the headline is composed again from the summary's fields,
and each reason, which the analysis writes from a closed set of phrases
(monitor/analysis/summary*.py), is read back into its phrase and values and the
phrase translated through the catalogues. A reason this module does not know is
shown as stored, in English, rather than guessed at. In English the result is
the stored text itself (tests/web/test_i18n.py checks it on real summaries).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Gettext = Callable[[str], str]

# Reasons of the form "<head>: <detail>", the detail being quoted text or values.
HEADS = (
    "no change",
    "typo fixed",
    "capitalisation changed",
    "cosmetic only",
    "also cosmetic",
    "points renumbered",
    "word form changed",
    "wording changed",
    "words added",
    "words removed",
    "clause deleted",
    "clause inserted",
    "negation added",
    "negation removed",
    *(
        f"{kind} {verb}"
        for kind in ("modal verb", "date", "percentage", "amount", "number", "name")
        for verb in ("changed", "added", "removed")
    ),
)
COSMETIC = (
    "whitespace",
    "NBSP/odd spaces",
    "quote style",
    "dashes",
    "ё/е",
    "punctuation",
    "layout",
)
TEMPLATES = (
    "no changes",
    "{what} changed",
    "{what} added",
    "{what} removed",
    "{what} renumbered",
    "paragraph {n}",
    "paragraphs {list}",
    "+{n} more",
    "+{ins}/−{dels} words",
    "{paragraphs} added ({n} words)",
    "{paragraphs} removed ({n} words)",
    "sentence reworded in {place}: {n} words changed",
)
PHRASES = (*HEADS, *COSMETIC, *TEMPLATES)  # every msgid of this module, for the catalogues

_HEAD_SET = frozenset(HEADS)
_MORE = re.compile(r" \+(\d+) more$")
_PARAS = re.compile(r"(?P<word>paragraphs?) (?P<list>[\d, ]+(?: \+\d+ more)?)")
_PARAS_WHOLE = re.compile(
    rf"(?P<paras>{_PARAS.pattern}) (?P<verb>added|removed) \((?P<n>\d+) words\)"
)
_REWORDED = re.compile(r"sentence reworded in (?P<place>.+): (?P<n>\d+) words changed")
_POINT = re.compile(r"(?P<what>.+) (?P<verb>added|removed)")
_VERBS = ("changed", "added", "removed", "renumbered")


def reason(text: str, _: Gettext) -> str:
    """One stored reason in the catalogue's language."""
    head, sep, detail = text.partition(": ")
    if head in _HEAD_SET:
        if head in ("cosmetic only", "also cosmetic"):
            detail = ", ".join(_(k) if k in COSMETIC else k for k in detail.split(", "))
        return _(head) + sep + detail
    if m := _PARAS_WHOLE.fullmatch(text):
        return _("{paragraphs} " + m["verb"] + " ({n} words)").format(
            paragraphs=_paragraph_label(m["paras"], _), n=m["n"]
        )
    if m := _REWORDED.fullmatch(text):
        return _("sentence reworded in {place}: {n} words changed").format(
            place=_paragraph_label(m["place"], _), n=m["n"]
        )
    if m := _POINT.fullmatch(text):
        return _("{what} " + m["verb"]).format(what=m["what"])
    return text


def headline(summary: Mapping[str, Any], _: Gettext, significance: Callable[[str], str]) -> str:
    """The one-line headline of `ChangeSummary.headline`, in the catalogue's language;
    `significance` names a level ("major") as the interface does."""
    reasons = [str(r) for r in summary.get("reasons") or []]
    if not reasons or reasons == ["no change"]:
        return _("no changes")
    head, _sep, detail = reasons[0].partition(": ")  # the detail is the text's own words
    if head in _HEAD_SET:
        head = _(head)
    elif (whole := reason(reasons[0], _)) != reasons[0]:  # a translated template, whole
        head, detail = whole, ""
    level = significance(str(summary.get("significance") or ""))
    why = f"{level}: {head}" + (f" ({detail})" if detail else "")
    words = _("+{ins}/−{dels} words").format(
        ins=summary.get("words_inserted", 0), dels=summary.get("words_deleted", 0)
    )
    return "; ".join(p for p in (_where(summary, _), words, why) if p)


def _where(summary: Mapping[str, Any], _: Gettext) -> str:
    points = [
        (summary.get(f"points_{verb}") or [], verb)
        for verb in _VERBS
        if summary.get(f"points_{verb}")
    ]
    if points:
        return ", ".join(_("{what} " + verb).format(what=_few(xs, _)) for xs, verb in points)
    paras = [
        (summary.get(f"paragraphs_{verb}") or [], verb)
        for verb in _VERBS[:3]
        if summary.get(f"paragraphs_{verb}")
    ]
    return ", ".join(_("{what} " + verb).format(what=_paras(xs, _)) for xs, verb in paras)


def _few(items: list[Any], _: Gettext, limit: int = 3) -> str:
    shown = ", ".join(str(x) for x in items[:limit])
    return shown + (" " + _("+{n} more").format(n=len(items) - limit) if len(items) > limit else "")


def _paras(numbers: list[Any], _: Gettext) -> str:
    if len(numbers) == 1:
        return _("paragraph {n}").format(n=numbers[0])
    return _("paragraphs {list}").format(list=_few(numbers, _))


def _paragraph_label(label: str, _: Gettext) -> str:
    """«paragraph 4», «paragraphs 3, 4 +2 more» in the catalogue's language; a point
    label («п. 17», "Article 3") is the text's own and stays."""
    m = _PARAS.fullmatch(label)
    if m is None:
        return label
    numbers, more = m["list"], ""
    if tail := _MORE.search(numbers):
        numbers, more = numbers[: tail.start()], " " + _("+{n} more").format(n=tail[1])
    key = "paragraph {n}" if m["word"] == "paragraph" else "paragraphs {list}"
    return _(key).format(n=numbers, list=numbers) + more
