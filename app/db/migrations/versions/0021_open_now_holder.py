"""open now holder: the dashboard's "now" figures leave out copies held elsewhere, from the index

Revision ID: 0021
Revises: 0020

A mission keeps a copy of a case HQ transferred away; it stays at the status it had then (open,
as a rule). The dashboard's open and overdue figures now leave those copies out, as the case
list's open and overdue filters do, by the case's holder. ``ix_case_open_now`` (0016) answered
them from the index alone; without the holder in it, every open case's row would be read again
(a third of the dashboard at 300,000 cases). The holder joins it, last, so the grouping is
unchanged. Both engines.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def _replace(columns: list[str]) -> None:
    op.drop_index("ix_case_open_now", table_name="case")
    op.create_index(
        "ix_case_open_now",
        "case",
        columns,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def upgrade() -> None:
    _replace(["status", "origin_mission", "due_date", "deleted_at", "holder_mission"])


def downgrade() -> None:
    _replace(["status", "origin_mission", "due_date", "deleted_at"])
