"""document families: fingerprints, LSH keys, families, members and divergences

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def _document(**kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "document_id", ID, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, **kw
    )


def upgrade() -> None:
    op.create_table(
        "family_prints",
        _document(primary_key=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("anchors", sa.Integer(), nullable=False),
        sa.Column("text_sig", sa.LargeBinary(), nullable=False),
        sa.Column("anchor_sig", sa.LargeBinary(), nullable=False),
        sa.Column("opening", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "family_keys",
        sa.Column("hash", sa.BigInteger(), primary_key=True),
        sa.Column("band", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(1), primary_key=True),
        _document(primary_key=True, index=True),
    )
    op.create_table(
        "families",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "original_id", ID, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "family_members",
        _document(primary_key=True),
        sa.Column(
            "family_id",
            ID,
            sa.ForeignKey("families.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("linked_to", ID, nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("joined_at", WHEN, nullable=False),
    )
    op.create_table(
        "divergences",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "family_id",
            ID,
            sa.ForeignKey("families.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _document(),
        sa.Column("event_id", ID, sa.ForeignKey("events.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_divergences_created_at", "divergences", ["created_at"])


def downgrade() -> None:
    for table in ("divergences", "family_members", "families", "family_keys", "family_prints"):
        op.drop_table(table)
