"""stored sources: sources added, edited or paused in the web UI

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:40:00.000000

Editors manage sources in the UI; sources.yaml stays the declarative base. A row
holds a UI-made source's mapping (validated by the same rules as the file) or
only a pause of a file-made one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("spec", sa.Text(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stored_sources")
