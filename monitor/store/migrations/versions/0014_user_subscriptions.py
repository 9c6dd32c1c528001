"""user subscriptions: alert subscriptions readers manage in the web UI

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "user_subscriptions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "label", name="uq_user_subscription_label"),
    )


def downgrade() -> None:
    op.drop_table("user_subscriptions")
