"""audit actor index: the audit log read by user, the latest entries first

Revision ID: 0024
Revises: 0023

Settings → Audit log and ``qorgau audit list --user`` list one user's entries, the latest first.
Without an index on the actor, a user with few entries among many made the read walk the
whole log back from its end: 870 ms at a million entries, on the window's thread. The index
(actor, then seq) finds them at once; a new entry lands at the end of its actor's range.
Both engines.
"""
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_actor_seq", "audit_entry", ["actor", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_actor_seq", table_name="audit_entry")
