"""compact history: keyframes and position diffs instead of a full text per version

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:40:00.000000

Before: every version kept its full text and every change a diff that repeated
all unchanged text (100 one-word edits of a 40 KB text took 2.5 times the text
each). After: only a document's latest version keeps its text plain, every
16th keeps it zlib-compressed (`versions.text_z`), the others are rebuilt from
their predecessor and the change to them, and a change's diff is stored by
positions (monitor/store/history.py). Existing databases are converted here,
one document at a time; every text is checked to rebuild exactly before the
full copy is dropped.
"""

import json
import zlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYFRAME = 16  # the value in monitor/store/history.py when this migration was written


def _pack(ops: list[list[object]]) -> str:
    out: list[object] = []
    for o, text in ops:
        assert isinstance(text, str)
        out.append(len(text) if o == 0 else [-1, len(text)] if o == -1 else [1, text])
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    # `text` stays NOT NULL: an empty text means "rebuilt from the change". (Making
    # it nullable would rebuild the table on SQLite, which the foreign keys of
    # `changes` and `events` refuse.)
    bind = op.get_bind()
    with op.batch_alter_table("versions") as batch_op:
        batch_op.add_column(sa.Column("text_z", sa.LargeBinary(), nullable=True))
    versions = sa.table(
        "versions",
        sa.column("id", sa.BigInteger),
        sa.column("document_id", sa.BigInteger),
        sa.column("seq", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("text_z", sa.LargeBinary),
    )
    changes = sa.table(
        "changes",
        sa.column("id", sa.BigInteger),
        sa.column("to_version_id", sa.BigInteger),
        sa.column("diff", sa.Text),
    )
    documents = [row[0] for row in bind.execute(sa.select(versions.c.document_id).distinct())]
    for document_id in documents:
        rows = bind.execute(
            sa.select(versions.c.id, versions.c.seq, versions.c.text, changes.c.id, changes.c.diff)
            .select_from(versions.outerjoin(changes, changes.c.to_version_id == versions.c.id))
            .where(versions.c.document_id == document_id)
            .order_by(versions.c.seq)
        ).all()
        previous: str | None = None
        for i, (version_id, seq, text, change_id, diff) in enumerate(rows):
            latest = i == len(rows) - 1
            rebuilt: str | None = None
            if change_id is not None and diff is not None and previous is not None:
                ops = json.loads(diff)
                old = "".join(t for o, t in ops if o != 1)
                new = "".join(t for o, t in ops if o != -1)
                if old == previous and new == text:
                    bind.execute(
                        changes.update().where(changes.c.id == change_id).values(diff=_pack(ops))
                    )
                    rebuilt = new
            if not latest:
                values: dict[str, Any]
                if (seq - 1) % KEYFRAME == 0 or rebuilt is None:
                    values = {"text": "", "text_z": zlib.compress(text.encode("utf-8"), 6)}
                else:
                    values = {"text": ""}
                bind.execute(versions.update().where(versions.c.id == version_id).values(**values))
            previous = text


def downgrade() -> None:
    raise NotImplementedError("compact history cannot be expanded back in place; restore a backup")
