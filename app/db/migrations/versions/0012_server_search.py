"""server search: the search index of an HQ on PostgreSQL (a tsvector with a GIN index)

Revision ID: 0012
Revises: 0010

SQLite has had its FTS5 index since 0001; this creates PostgreSQL's counterpart under the same
two names, so that app/services/search.py writes both alike: ``search_index_map`` gives each
record a stable document number and ``search_index`` holds, per document, the lexemes of its
text and of its cross-script keys (``app.domain.translit``), written by the application as they
are (``array_to_tsvector``, no text-search parser or locale in between), searched by prefix
(``'nurlan':*``) through a GIN index. Nothing to do on SQLite.
"""
from alembic import op


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE search_index_map ("
        "doc BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ref_id TEXT NOT NULL UNIQUE)"
    )
    op.execute(
        "CREATE TABLE search_index ("
        "doc BIGINT PRIMARY KEY REFERENCES search_index_map (doc) ON DELETE CASCADE, "
        "ref_kind TEXT NOT NULL, ref_id TEXT NOT NULL, case_id TEXT, "
        "lexemes TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_search_index_lexemes ON search_index USING gin (lexemes)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute("DROP TABLE IF EXISTS search_index_map")
