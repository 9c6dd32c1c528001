"""endpoint cursor: where the next poll resumes a sitemap too large for one poll

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:50:00.000000

An index naming more sitemaps than a poll reads, or a file with more URLs than
a poll keeps, was read from the top on every poll, so what lay beyond the bound
was never discovered. The endpoint now keeps the discoverer's resume point.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("endpoints") as batch_op:
        batch_op.add_column(sa.Column("cursor", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("endpoints") as batch_op:
        batch_op.drop_column("cursor")
