"""shared politeness: host pacing, host request slots and robots.txt for workers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00.000000

Several `monitor worker` processes on PostgreSQL must keep one host's pacing,
its in-flight limit and its robots.txt between them (monitor/store/coordination.py).
The tables exist on SQLite too and stay empty there: SQLite is single-process.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_pacing",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "host_slots",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "robots_cache",
        sa.Column("key", sa.String(600), primary_key=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("failure", sa.String(32), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("robots_cache")
    op.drop_table("host_slots")
    op.drop_table("host_pacing")
