"""search index over the latest versions, theme ids of the latest versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000

The web UI, the JSON API and the feeds filter documents by theme and search
the latest version of each document. Both are read models kept up to date by
`monitor.store.search.index_latest`, called where a version is recorded:

* `document_themes`: one row per (document, theme id) of its latest version;
* SQLite: `search_fts`, an FTS5 table (rowid = document id) holding the title
  and text of the latest version (unicode61 folds case and Latin diacritics;
  Russian inflection is handled at query time by stemming and prefix queries);
* PostgreSQL: `search_tsv`, a `tsvector` ('russian' configuration, title
  weighted A, text B) with a GIN index, and the title's alone (small, kept in
  the row, set by a trigger) to rank title matches first; snippets are cut
  from `versions.text`.

Existing data is indexed here, so an upgraded database is searchable at once.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "document_themes",
        sa.Column(
            "document_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "theme"),
    )
    op.create_index("ix_document_themes_theme", "document_themes", ["theme", "document_id"])
    # the last event of every document, found by one index seek per document
    op.create_index("ix_events_document_id_id", "events", ["document_id", "id"])

    latest = sa.text(
        "SELECT d.id, v.themes FROM documents d "
        "JOIN versions v ON v.document_id = d.id AND v.seq = d.latest_seq"
    )
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO search_fts (rowid, title, body) "
            "SELECT d.id, coalesce(v.title, ''), v.text FROM documents d "
            "JOIN versions v ON v.document_id = d.id AND v.seq = d.latest_seq"
        )
    else:
        op.execute(
            "CREATE TABLE search_tsv ("
            "document_id BIGINT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE, "
            "version_id BIGINT NOT NULL, tsv TSVECTOR NOT NULL, title_tsv TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_tsv ON search_tsv USING gin (tsv)")
        # title_tsv is filled from the version's title by a trigger, so every writer
        # of search_tsv (index_latest, rebuilds, `monitor db copy`) keeps it right
        op.execute(
            "CREATE FUNCTION search_tsv_title() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN NEW.title_tsv := to_tsvector('russian', coalesce("
            "(SELECT title FROM versions WHERE id = NEW.version_id), '')); RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER search_tsv_title BEFORE INSERT OR UPDATE OF version_id "
            "ON search_tsv FOR EACH ROW EXECUTE FUNCTION search_tsv_title()"
        )
        # same expression as monitor/store/search.py (PG_TSV)
        op.execute(
            "INSERT INTO search_tsv (document_id, version_id, tsv) "
            "SELECT d.id, v.id, "
            "setweight(to_tsvector('russian', coalesce(v.title, '')), 'A') || "
            "setweight(to_tsvector('russian', left(v.text, 300000)), 'B') "
            "FROM documents d JOIN versions v ON v.document_id = d.id AND v.seq = d.latest_seq"
        )
    rows = []
    for doc_id, themes in bind.execute(latest):
        for theme in dict.fromkeys(h.get("theme") for h in json.loads(themes or "[]")):
            if theme:
                rows.append({"document_id": doc_id, "theme": theme})
    if rows:
        table = sa.table("document_themes", sa.column("document_id"), sa.column("theme"))
        op.bulk_insert(table, rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP TABLE search_tsv")
        op.execute("DROP FUNCTION search_tsv_title()")
    op.drop_index("ix_events_document_id_id", table_name="events")
    op.drop_index("ix_document_themes_theme", table_name="document_themes")
    op.drop_table("document_themes")
