"""attachment list covering: a case's files are listed from the index, not their rows

Revision ID: 0020
Revises: 0019

An attachment's content (a scan: megabytes) is stored before its id, its deletion mark and the
columns added since; to read those, SQLite follows the content's whole chain of overflow pages,
each decrypted. Opening a case with 20 MB of scans read them all: 84 ms on a cold cache against
9 ms for a case without files, at every opening, on the GUI thread. The case-id index now holds
every column the case's detail lists (``ATTACHMENT_LIST_COLUMNS``), so no row is read. Unlike
the letters' PDF (0019) the content is not moved: that would copy every file and grow the file
by as much; building the index reads each row once. Both engines (the index is the models').
"""
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_COVERING = [
    "case_id",
    "deleted_at",
    "updated_at",
    "id",
    "filename",
    "mime_type",
    "size",
    "sha256",
    "is_identity_document",
    "identity_reason",
    "description",
    "added_by",
    "origin_mission",
    "version",
    "change_seq",
]


def _replace(columns: list[str]) -> None:
    op.drop_index("ix_attachment_case_id", table_name="attachment")
    op.create_index("ix_attachment_case_id", "attachment", columns)


def upgrade() -> None:
    _replace(_COVERING)


def downgrade() -> None:
    _replace(["case_id"])
