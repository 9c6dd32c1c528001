"""snapshot retention: snapshots.pruned_at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:00:00.000000

`monitor db prune` drops the raw bodies of old snapshots (body set to NULL) but
keeps the rows, because versions reference them and a snapshot row still says
what was fetched (sha256, size, content type). `pruned_at` records when the body
was dropped, so "no body" is told apart from a row that never had one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.store.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch_op:
        batch_op.add_column(
            sa.Column("pruned_at", monitor.store.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch_op:
        batch_op.drop_column("pruned_at")
