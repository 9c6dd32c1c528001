"""kazakh search on postgresql: the Kazakh stems of Kazakh texts in their index rows

PostgreSQL has no Kazakh stemmer; the project's stems are computed in Python
(monitor/store/search.py), so the rows indexed before are brought up to date
here. SQLite stems the query instead and needs nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 14:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

from monitor.store.search import add_kazakh_lexemes

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        add_kazakh_lexemes(bind)


def downgrade() -> None:
    """The extra lexemes are harmless to older code; they go with the next rebuild."""
