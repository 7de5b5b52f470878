"""search in list order: each case's row in the full-text index is renumbered so that its rowid
sorts as the case list does by default (date received, then number); list indexes for the sort
by number and the urgency filter; one-letter prefixes indexed

Revision ID: 0013
Revises: 0012

``app/services/search.py`` (``doc_base``) packs a case's day number, its seq and a slot into
the rowid; the index then yields a search's matches newest first, and the first page of the
search box is read, not sorted out of every match. The index rows keep their text: they are
copied into a new FTS5 table in the new order (rowids ascending, the index's quickest way to be
written), which takes its place (SQLite only; going back down leaves the rows as they are).

The new table indexes one-letter prefixes too ('1 2 3'; 0001 had '2 3'): the first letter
typed in the search box was a merge of every term beginning with it, 0.1–0.8 s at 100k cases
that no interrupt could stop (it happens inside one step of the statement), so the query for
the next keystroke waited for it; read from its own prefix index it is a millisecond.
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# As app/services/search.py: doc = ((day << SEQ_BITS) | seq) << SLOT_BITS, plus a slot.
SEQ_BITS = 22
SLOT_BITS = 21
_DAY = "CAST(julianday(c.received_at) - 1721424.5 AS INTEGER)"  # date.toordinal()
_SEQ = f"min(max(c.seq, 0), {(1 << SEQ_BITS) - 1})"
_DOC = (
    f"((({_DAY} << {SEQ_BITS}) | {_SEQ}) << {SLOT_BITS}) "
    "+ row_number() OVER (PARTITION BY c.received_at, c.seq ORDER BY c.id) - 1"
)
_HASH_BYTES = 1024 * 1024  # FTS5's default
_LOAD_HASH_BYTES = 64 * 1024 * 1024
_COLUMNS = (
    "ref_kind UNINDEXED, ref_id UNINDEXED, case_id UNINDEXED, body, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'"
)


_INDEXES = {
    "ix_case_list_number": ["year", "seq", "id", "deleted_at"],
    "ix_case_list_urgency": ["urgency", "received_at", "seq", "id", "deleted_at"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, "case", columns)
    if op.get_bind().dialect.name == "sqlite":
        _renumber_search_index()


def _renumber_search_index() -> None:
    op.execute(
        "CREATE TEMP TABLE search_renumbered "
        "(old INTEGER PRIMARY KEY, doc INTEGER NOT NULL UNIQUE, ref_id TEXT NOT NULL)"
    )
    op.execute(
        f"INSERT INTO search_renumbered (old, doc, ref_id) SELECT m.doc, {_DOC}, m.ref_id "
        'FROM search_index_map m JOIN "case" c ON c.id = m.ref_id '
        "WHERE m.doc IN (SELECT rowid FROM search_index)"
    )
    op.execute(f"CREATE VIRTUAL TABLE search_index_renumbered USING fts5({_COLUMNS})")
    # Terms gather in memory up to 'hashsize' before a segment is written: large while the
    # rows are copied (fewer segments, fewer merges), back to the default after.
    op.execute(
        "INSERT INTO search_index_renumbered (search_index_renumbered, rank) "
        f"VALUES ('hashsize', {_LOAD_HASH_BYTES})"
    )
    op.execute(
        "INSERT INTO search_index_renumbered (rowid, ref_kind, ref_id, case_id, body) "
        "SELECT r.doc, s.ref_kind, s.ref_id, s.case_id, s.body "
        "FROM search_renumbered r JOIN search_index s ON s.rowid = r.old ORDER BY r.doc"
    )
    op.execute(
        "INSERT INTO search_index_renumbered (search_index_renumbered, rank) "
        f"VALUES ('hashsize', {_HASH_BYTES})"
    )
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_renumbered RENAME TO search_index")
    op.execute("DELETE FROM search_index_map")
    op.execute(
        "INSERT INTO search_index_map (doc, ref_id) "
        "SELECT doc, ref_id FROM search_renumbered ORDER BY doc"
    )
    op.execute("DROP TABLE search_renumbered")


def downgrade() -> None:
    # The renumbered rowids are as good as any to older versions: only the indexes go.
    for name in _INDEXES:
        op.drop_index(name, table_name="case")
