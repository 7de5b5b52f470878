"""a covering index that sorts the search box's matches without reading case rows

Revision ID: 0008
Revises: 0007
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_LIST_COLUMNS = [
    "id",
    "deleted_at",
    "received_at",
    "seq",
    "status",
    "host_country",
    "urgency",
    "due_date",
    "updated_at",
    "assigned_to",
    "year",
]


def upgrade() -> None:
    op.create_index("ix_case_by_id_list", "case", _LIST_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_case_by_id_list", table_name="case")
