"""dashboard open now: the open cases by status, mission and due date in one index

Revision ID: 0016
Revises: 0015

The dashboard's "now" figures (open cases by status, per mission, and how many are overdue)
grouped every open case by its mission: SQLite read them through the mission index and each
case row, 0.65 s of a 1.5 s refresh at 300,000 cases. A partial index of the cases not deleted,
on status, mission and due date (and ``deleted_at``, which SQLite needs in the index itself to
read nothing else), answers the same grouping from the index alone
(``app/services/stats.py``, ``_open_now``). Both engines.
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_case_open_now",
        "case",
        ["status", "origin_mission", "due_date", "deleted_at"],
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_case_open_now", table_name="case")
