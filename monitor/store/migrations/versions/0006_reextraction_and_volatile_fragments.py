"""re-extraction, volatile fragments, pinned extractor: versions.origin, volatile_fragments,
documents.extractor

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00.000000

`versions.origin` tells a publisher's edit ("fetch") from a version made by
running a newer extractor or changed rules over a stored body ("reextract"):
the second kind is history, never news, so it raises no alert.

`volatile_fragments` holds, per source, the lines of text that were seen to flip
between two fetches made seconds apart (counters, "updated N minutes ago",
rotating teasers). They are dropped from that source's texts before comparing,
so boilerplate that moves on every request does not become a version.

`documents.extractor` remembers which automatic extractor the latest text came
from, so the next fetch uses the same one and the text cannot jump between them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.store.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("extractor", sa.String(32), nullable=True))
    with op.batch_alter_table("versions") as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(16), nullable=False, server_default="fetch")
        )
    op.create_table(
        "volatile_fragments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("pattern", sa.String(64), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("first_seen_at", monitor.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", monitor.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "pattern", name="uq_volatile_source_pattern"),
    )


def downgrade() -> None:
    op.drop_table("volatile_fragments")
    with op.batch_alter_table("versions") as batch_op:
        batch_op.drop_column("origin")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("extractor")
