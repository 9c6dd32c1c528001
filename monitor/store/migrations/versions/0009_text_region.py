"""text region: where the latest text sits in the page, and its fingerprint

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00.000000

A page without validators whose boilerplate moves on every request was
extracted in full on every check. With the element that held the main text
and a fingerprint of its text, a fetch whose element is unchanged is known
unchanged without extraction (monitor/extract/region.py). Empty until a
document's next full extraction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("region_path", sa.String(1024), nullable=True))
        batch_op.add_column(sa.Column("region_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("region_digest")
        batch_op.drop_column("region_path")
