"""Full-text search over the latest version of each document, and the theme ids
of that version: read models written with every version (`index_latest`).

Why two engines: SQLite has FTS5 but no Russian stemmer, PostgreSQL has the
'russian' Snowball configuration but no FTS5. Both must let «соглашение» find a
text that only says «соглашения»:

* SQLite indexes the surface words (unicode61: case-folded) and the query is
  stemmed here (`monitor.morph`: Snowball for Russian and English, the project's
  Kazakh stemmer) and run as FTS5 prefix queries: «соглашение» → `"соглашен"*`.
  unicode61 does not fold ё, so a stem with е also tries ё in its place.
* PostgreSQL stores `to_tsvector('russian', …)` (its stemmer folds ё) with a GIN
  index; the query is parsed and stemmed by `websearch_to_tsquery('russian', …)`
  and its lexemes made prefixes too (`pg_tsquery`), since Snowball stems some
  forms shorter than others. Snippets are `ts_headline` over the stored text of
  the page's rows only. PostgreSQL has no Kazakh stemmer, so a Kazakh text also
  stores the project's Kazakh stems of its words as 'simple' lexemes
  (`kazakh_lexemes`), and the query is OR-ed with the same stems of its words
  (`_kazakh_tsquery`): «Ресеймен» finds «Ресейдің», as on SQLite.

Relevance (sort="relevance") is the same on both: documents whose title matches
first, then the most recently changed. It must be a function of the document and
the query alone, or a keyset cursor would skip or repeat results whenever
anything is indexed between two pages: SQLite's bm25 is not (its IDF moves with
every new version). PostgreSQL's `ts_rank` would be, but it reads and
decompresses the tsvector of every hit: 50-100 ms for a common word over 10,000
documents, where the GIN index alone answers in 3 ms.

The query syntax is the web-search one on both: words (all required), "quoted
phrases", `or` between alternatives, `-word` to exclude.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Double,
    ForeignKey,
    Integer,
    String,
    Table,
    bindparam,
    case,
    cast,
    column,
    func,
    table,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery, TableValuedAlias

from monitor.morph import _EN, _KAZAKH_LETTERS, _RU, _script, kazakh_stem, normalize
from monitor.store.models import Base, Document, Id

# One row per (document, theme id of its latest version); filters by theme are
# an indexed semi-join instead of parsing every latest version's themes JSON.
document_themes = Table(
    "document_themes",
    Base.metadata,
    Column("document_id", Id, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("theme", String(64), primary_key=True),
)

search_fts = table("search_fts", column("rowid", Integer), column("title"), column("body"))
search_tsv = table("search_tsv", column("document_id", Integer), column("version_id"))

# PostgreSQL: a tsvector must stay under 1 MB; the first 300,000 characters are indexed.
PG_TSV = (
    "setweight(to_tsvector('russian', coalesce(:title, '')), 'A') || "
    "setweight(to_tsvector('russian', left(:text, 300000)), 'B') || "
    "setweight(to_tsvector('simple', :kk), 'B')"
)
# the same over a version row `v`, for bulk rebuilds; `add_kazakh_lexemes` follows
PG_TSV_OF_VERSION = (
    PG_TSV.replace(":title", "v.title").replace(":text", "v.text").replace(":kk", "''")
)
_PG_CHARS = 300_000
_KAZAKH_SHARE = 0.02  # Kazakh-only letters among Cyrillic ones: ~8 % in Kazakh prose
_HEADLINE = (
    'StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")
_MAX_TERMS = 16  # a pasted paragraph should not become a query of 200 prefix scans


def theme_ids_of(themes: Iterable[dict[str, Any]] | str | None) -> list[str]:
    """Primary theme ids of a stored themes JSON (or its parsed list), best first,
    once each; secondary ones (passing mentions) are not what a document is about."""
    hits: Iterable[dict[str, Any]] = json.loads(themes) if isinstance(themes, str) else themes or ()
    return list(
        dict.fromkeys(h["theme"] for h in hits if h.get("theme") and h.get("level") != "secondary")
    )


def index_latest(
    s: Session,
    document_id: int,
    version_id: int,
    title: str | None,
    body: str,
    themes: Iterable[dict[str, Any]] | None,
) -> None:
    """Make `version_id` the searchable latest version of its document; called in the
    transaction that records the version, so search never lags behind the store."""
    s.execute(document_themes.delete().where(document_themes.c.document_id == document_id))
    ids = theme_ids_of(list(themes or ()))
    if ids:
        s.execute(document_themes.insert(), [{"document_id": document_id, "theme": t} for t in ids])
    if s.get_bind().dialect.name == "sqlite":
        s.execute(text("DELETE FROM search_fts WHERE rowid = :d"), {"d": document_id})
        s.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:d, :title, :text)"),
            {"d": document_id, "title": title or "", "text": body},
        )
    else:
        s.execute(
            text(
                # title_tsv: set by the trigger of migration 0004
                f"INSERT INTO search_tsv (document_id, version_id, tsv) VALUES (:d, :v, {PG_TSV}) "
                "ON CONFLICT (document_id) DO UPDATE SET version_id = excluded.version_id, "
                "tsv = excluded.tsv"
            ),
            {
                "d": document_id,
                "v": version_id,
                "title": title,
                "text": body,
                "kk": kazakh_lexemes(title, body),
            },
        )


def kazakh_lexemes(title: str | None, body: str) -> str:
    """The Kazakh stems of a Kazakh text's words, space-separated, for PostgreSQL's
    'simple' configuration ('' for a text that is not Kazakh: a Russian story that
    names «Қасым-Жомарт Тоқаев» pays one regex scan, not a stemmer per word)."""
    head = body[:20_000]
    cyrillic = sum(1 for ch in head if "\u0400" <= ch <= "\u04ff")
    kazakh = sum(1 for ch in head if ch in _KAZAKH_LETTERS)
    if not cyrillic or kazakh < _KAZAKH_SHARE * cyrillic:
        return ""
    words = {normalize(w) for w in _WORD.findall(f"{title or ''} {body[:_PG_CHARS]}")}
    return " ".join(sorted({kazakh_stem(w) if _script(w) != "en" else w for w in words}))


# --- SQLite: the query language, stemmed -------------------------------------------


def _stem(word: str) -> tuple[str, bool]:
    """The stem to look up and whether it is a prefix (short stems must match whole:
    "рф" as a prefix would find every word starting with those letters)."""
    norm = normalize(word)
    if norm.isdigit():
        return norm, False
    script = _script(norm)
    if script == "kk":
        stem = kazakh_stem(norm)
    elif script == "cyr":
        stem = _RU.stemWord(norm)
    else:
        stem = _EN.stemWord(norm)
    return stem, len(stem) >= 3


def _fts_term(stem: str, prefix: bool, variants: bool) -> str:
    star = "*" if prefix else ""
    forms = [stem]
    if variants and 0 < stem.count("е") <= 3:  # unicode61 keeps ё apart from е
        spots = [i for i, ch in enumerate(stem) if ch == "е"]
        forms = []
        for pick in itertools.product("её", repeat=len(spots)):
            chars = list(stem)
            for i, ch in zip(spots, pick, strict=True):
                chars[i] = ch
            forms.append("".join(chars))
    parts = [f'"{f}"{star}' for f in forms]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _stems(word: str) -> list[tuple[str, bool]]:
    """Every reading of a word to look up. A Cyrillic word without Kazakh letters
    may be Russian or Kazakh («Ресей», «Ресеймен»): it is looked up both ways, and
    a Russian stem shorter than four letters must match whole, so «Ресей» (ru
    «рес») does not find «Республикой» but (kk «ресей») finds «Ресейдің»."""
    stem, prefix = _stem(word)
    norm = normalize(word)
    if norm.isdigit() or _script(norm) != "cyr":
        return [(stem, prefix)]
    kazakh = kazakh_stem(norm)
    if kazakh == stem:
        return [(stem, prefix)]
    return [(stem, len(stem) >= 4), (kazakh, len(kazakh) >= 3)]


def _fts_unit(chunk: str) -> str | None:
    """A word or a phrase as an FTS5 expression: its words, stemmed, in order."""
    words = _WORD.findall(chunk)[:_MAX_TERMS]
    stems = [_stem(w) for w in words]
    if not stems:
        return None
    if len(stems) == 1:
        terms = [_fts_term(stem, prefix, variants=True) for stem, prefix in _stems(words[0])]
        return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"
    return " + ".join(_fts_term(stem, prefix, variants=False) for stem, prefix in stems)


def _parse(query: str, unit: Callable[[str], str | None]) -> tuple[list[list[str]], list[str]]:
    """The web-search syntax: groups that must all match, each an OR of units, and
    the excluded units; `unit` turns a word or a "phrase" into the engine's term."""
    groups: list[list[str]] = []  # AND of ORs
    excluded: list[str] = []
    join_next = False
    for m in _TOKEN.finditer(query):
        negative, phrase, word = m.group(1) == "-", m.group(2), m.group(3)
        if word is not None and word.lower() == "or" and groups:
            join_next = True
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negative, word = True, word[1:]
        term = unit(phrase if phrase is not None else word)
        if term is None:
            continue
        if negative:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return groups[:_MAX_TERMS], excluded


def fts_query(query: str, *, title_only: bool = False) -> str | None:
    """An FTS5 MATCH expression for a web-search style query; None when nothing in it
    can match (no words, or only exclusions). `title_only`: the words in the title
    (exclusions left to the main query)."""
    groups, excluded = _parse(query, _fts_unit)
    if not groups:
        return None
    positive = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if title_only:
        return f"title : ({positive})"
    if excluded:
        return f"({positive}) NOT ({' OR '.join(excluded)})"
    return positive


# --- both: hits and snippets ----------------------------------------------------------


_LEXEME = re.compile(r"'((?:[^']|'')+)'")


def pg_tsquery(s: Session, query: str) -> str | None:
    """The query as tsquery text with every lexeme of 3+ letters a prefix: PostgreSQL
    parses and stems it (websearch syntax, stop words dropped), then `:*` is added,
    because Snowball gives some forms of a word a shorter stem than others
    (query «Росатом» → 'росат', text «Росатома» → 'росатом'). None: nothing to match."""
    if fts_query(query) is None:
        return None
    parsed = s.scalar(
        text("SELECT CAST(websearch_to_tsquery('russian', :q) AS text)"), {"q": query}
    )
    kazakh = _kazakh_tsquery(query)
    if not parsed:
        return kazakh

    def prefix(m: re.Match[str]) -> str:
        # as on SQLite, a Cyrillic word may be Kazakh: its Russian stem must have four
        # letters to be a prefix («Ресей» → 'рес' would find «Республикой»)
        lexeme = m.group(1)
        shortest = 4 if kazakh and _script(lexeme) != "en" else 3
        return m.group(0) if len(lexeme) < shortest or lexeme.isdigit() else f"{m.group(0)}:*"

    russian = _LEXEME.sub(prefix, parsed)
    return f"({russian}) | ({kazakh})" if kazakh else russian


def _kazakh_unit(chunk: str) -> str | None:
    """A word or phrase as the AND of its words' Kazakh stems (the 'simple' lexemes
    carry no positions worth a phrase operator), each a prefix from three letters."""
    terms = []
    for word in _WORD.findall(chunk)[:_MAX_TERMS]:
        norm = normalize(word)
        stem = kazakh_stem(norm) if _script(norm) != "en" else norm
        star = ":*" if len(stem) >= 3 and not stem.isdigit() else ""
        terms.append("'" + stem.replace("'", "''") + "'" + star)
    return " & ".join(terms) or None


def _kazakh_tsquery(query: str) -> str | None:
    """The query read as Kazakh, for the 'simple' lexemes of Kazakh texts; None when
    it has no Cyrillic word (then it is not Kazakh)."""
    if not any(_script(normalize(w)) != "en" for w in _WORD.findall(query)):
        return None
    groups, excluded = _parse(query, _kazakh_unit)
    if not groups:
        return None
    positive = " & ".join("(" + " | ".join(g) + ")" for g in groups)
    return positive + "".join(f" & !({x})" for x in excluded)


def search_hits(s: Session, query: str) -> Subquery | TableValuedAlias | None:
    """(document_id, title_hit) of the documents matching; None when the query
    cannot match anything."""
    if s.get_bind().dialect.name == "sqlite":
        match = fts_query(query)
        if match is None:
            return None
        return (
            text(
                "SELECT rowid AS document_id, rowid IN "
                "(SELECT rowid FROM search_fts WHERE search_fts MATCH :fts_t) AS title_hit "
                "FROM search_fts WHERE search_fts MATCH :fts_q"
            )
            .bindparams(fts_q=match, fts_t=fts_query(query, title_only=True))
            .columns(document_id=Integer, title_hit=Boolean)
            .subquery("hits")
        )
    tsq = pg_tsquery(s, query)
    if tsq is None:
        return None
    # The GIN index answers a prefix query without reading a single tsvector, but
    # for a common word the planner prefers a sequential scan that decompresses
    # every one (30x slower): keep it off for this statement only.
    was = s.scalar(text("SELECT current_setting('enable_seqscan')"))
    s.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    rows = s.execute(
        text(
            "SELECT document_id, title_tsv @@ CAST(:q AS tsquery) FROM search_tsv "
            "WHERE tsv @@ CAST(:q AS tsquery)"
        ),
        {"q": tsq},
    ).all()
    s.execute(text("SELECT set_config('enable_seqscan', :was, true)"), {"was": was})
    # the hits go back as arrays joined as a table (a hash join; `id = ANY(array)`
    # would be tested row by row)
    return (
        func.unnest(
            bindparam("hit_ids", [int(doc_id) for doc_id, _ in rows], type_=ARRAY(BigInteger)),
            bindparam("hit_titles", [bool(title) for _, title in rows], type_=ARRAY(Boolean)),
        )
        .table_valued("document_id", "title_hit")
        .render_derived(name="hits")
    )


def relevance(s: Session, hits: Any) -> ColumnElement[float]:
    """The relevance sort key, lower first: title matches first, then by the time of
    the last change (as a Julian day, the same number on both databases)."""
    when = func.coalesce(Document.last_changed_at, Document.first_seen_at)
    julian: ColumnElement[Any]
    if s.get_bind().dialect.name == "sqlite":
        julian = func.julianday(when)
    else:
        julian = cast(func.extract("epoch", when), Double) / 86400.0 + 2440587.5
    return case((hits.c.title_hit, 0.0), else_=10_000_000.0) - julian


def highlight(raw: str) -> str:
    """Escape a snippet for HTML and turn the engine's match markers into <mark>."""
    return html.escape(raw.replace("\x00", "")).replace("\x02", "<mark>").replace("\x03", "</mark>")


def snippets(s: Session, query: str, ids: Sequence[int]) -> dict[int, str]:
    """HTML-safe snippets with the matches in <mark>, for one page of results."""
    if not ids:
        return {}
    if s.get_bind().dialect.name == "sqlite":
        match = fts_query(query)
        if match is None:
            return {}
        rows = s.execute(
            text(
                "SELECT rowid, snippet(search_fts, -1, char(2), char(3), ' … ', 32) "
                "FROM search_fts WHERE search_fts MATCH :q AND rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"q": match, "ids": list(ids)},
        )
    else:
        tsq = pg_tsquery(s, query)
        if tsq is None:
            return {}
        rows = s.execute(
            text(
                "SELECT s.document_id, ts_headline('russian', v.text, CAST(:tsq AS tsquery), "
                ":opts) FROM search_tsv s JOIN versions v ON v.id = s.version_id "
                "WHERE s.document_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"tsq": tsq, "opts": _HEADLINE, "ids": list(ids)},
        )
    return {int(doc_id): highlight(raw or "") for doc_id, raw in rows}


def rebuild(s: Session | Connection) -> int:
    """Index every document's latest version from scratch (themes and full text), in
    the caller's transaction: after a bulk load or a copy that bypassed
    `Store.record_version`, or to repair the index. Returns the documents indexed."""
    latest = "FROM documents d JOIN versions v ON v.document_id = d.id AND v.seq = d.latest_seq"
    s.execute(document_themes.delete())
    rows = [
        {"document_id": doc_id, "theme": theme}
        for doc_id, themes in s.execute(text(f"SELECT d.id, v.themes {latest}"))
        for theme in theme_ids_of(themes)
    ]
    if rows:
        s.execute(document_themes.insert(), rows)
    dialect = s.dialect if isinstance(s, Connection) else s.get_bind().dialect
    if dialect.name == "sqlite":
        s.execute(text("DELETE FROM search_fts"))
        done = s.execute(
            text(
                "INSERT INTO search_fts (rowid, title, body) "
                f"SELECT d.id, coalesce(v.title, ''), v.text {latest}"
            )
        )
    else:
        s.execute(text("DELETE FROM search_tsv"))
        done = s.execute(
            text(
                "INSERT INTO search_tsv (document_id, version_id, tsv) "
                f"SELECT d.id, v.id, {PG_TSV_OF_VERSION} {latest}"
            )
        )
        add_kazakh_lexemes(s)
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def add_kazakh_lexemes(s: Session | Connection) -> int:
    """PostgreSQL: add the Kazakh stems to the index rows of Kazakh texts, which SQL
    alone cannot compute (after `rebuild`, and once for databases indexed before
    Kazakh stems were). Returns the rows updated."""
    rows = s.execute(
        text(
            "SELECT s.document_id, v.title, v.text FROM search_tsv s "
            "JOIN versions v ON v.id = s.version_id WHERE v.text ~ '[әғқңөұүһі]'"
        )
    ).all()
    done = 0
    for doc_id, title, body in rows:
        if kk := kazakh_lexemes(title, body or ""):
            s.execute(
                text(
                    "UPDATE search_tsv SET tsv = tsv || setweight(to_tsvector('simple', :kk), 'B') "
                    "WHERE document_id = :d"
                ),
                {"kk": kk, "d": doc_id},
            )
            done += 1
    return done
