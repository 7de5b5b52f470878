"""search automerge: FTS5 merges its segments eight at a time instead of four

Revision ID: 0017
Revises: 0016

Every write to the search index adds a segment, and FTS5 merges segments of one level into the
next once ``automerge`` of them have gathered (default 4): a merge rewrites the pages of the
segments it takes. A CSV import into a 100,000-case mission spent 38 % of its time on the
index; with 8, its batches wrote 28 % fewer pages and the import ran 13-18 % faster, while the
case list's search (first page of 20 typed prefixes, p50 and p95) stayed within a millisecond
of the index merged four at a time (docs/performance.md). The setting is stored in the index
itself, so a later migration that rebuilds the index must set it again. SQLite only: on
PostgreSQL the index is a ``tsvector`` column.
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

AUTOMERGE = 8
FTS5_DEFAULT = 4


def _set_automerge(value: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO search_index(search_index, rank) VALUES ('automerge', {value})")


def upgrade() -> None:
    _set_automerge(AUTOMERGE)


def downgrade() -> None:
    _set_automerge(FTS5_DEFAULT)
