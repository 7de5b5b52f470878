"""overdue list order: HQ's overdue list read from an index in its default order

Revision ID: 0029
Revises: 0028

HQ's overdue list shows open cases past their due date, the most urgent first, then the
longest overdue, then by number. No index held that order (the urgency rank is a CASE over the
code), so PostgreSQL read and sorted every overdue case for each page, and a page deep in the
list paid its OFFSET too: the first page's cost grew with the number overdue. This index holds
the open, live cases in that order (urgency as a rising number, critical first), so the first
page is the index's first overdue entries and the next page starts after the last row's key
(``app/services/consolidation.py``). The holder mission, last, filters one mission's list
inside the index. Both engines; the expression and the WHERE are written
exactly as the query writes them, or neither engine would use it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_PRIORITY = (
    "CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 "
    "WHEN 'low' THEN 3 ELSE 4 END"
)
_OPEN = "deleted_at IS NULL AND status IN ('awaiting_response', 'in_progress', 'new', 'referred')"


def upgrade() -> None:
    op.create_index(
        "ix_case_overdue_order",
        "case",
        [sa.text(f"({_PRIORITY})"), "due_date", "number", "holder_mission"],
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_case_overdue_order", table_name="case")
