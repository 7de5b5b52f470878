"""letter pdf last: the register reads no stored PDF to reach the columns after it

Revision ID: 0019
Revises: 0018

SQLite keeps a row's columns in order, a large value in a chain of overflow pages: to read a
column after it, SQLite follows the whole chain (each page decrypted by SQLCipher). The letter
table had its issued PDF (30-100 KB) before its id, status dates, deletion mark and the columns
added since, so the register's count and its page of 1,000 letters read every listed letter's
PDF: at a mission with 6,000 issued letters, 1.8 s and 2.1 s, on the GUI thread, at each change
of a filter. The table is rebuilt with the PDF as its last column (the register reads none of
it then). SQLite only: PostgreSQL keeps large values out of line (TOAST).
``tests/integration/test_migration_letter_pdf_last.py`` checks that the PDF stays the last
column: a migration that adds a column to the letter table must rebuild it again.
"""
import logging

from alembic import op
from sqlalchemy import Connection

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_TABLE_CLAUSES = ("CONSTRAINT", "PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK")


def _top_level_items(body: str) -> list[str]:
    """The comma-separated items of a CREATE TABLE's parentheses, nested ones kept whole."""
    items, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`[":
            quote = "]" if char == "[" else char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return items


def _name_of(item: str) -> str:
    return item.split(None, 1)[0].strip('"`[]')


def move_column_last(bind: Connection, table: str, column: str) -> None:
    """Rebuild ``table`` with ``column`` as its last column: the same definition, rows and
    indexes (SQLite's documented way to change a table's shape, in the caller's transaction)."""
    columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    if column not in columns or columns[-1] == column:
        return
    ddl = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    body = ddl.split("(", 1)[1]
    items = _top_level_items(body.rsplit(")", 1)[0])
    definitions = [i for i in items if not i.upper().startswith(_TABLE_CLAUSES)]
    clauses = [i for i in items if i.upper().startswith(_TABLE_CLAUSES)]
    moved = [d for d in definitions if _name_of(d) == column]
    kept = [d for d in definitions if _name_of(d) != column]
    order = [_name_of(d) for d in kept] + [column]
    if len(moved) != 1 or sorted(order) != sorted(columns):
        # A shape this code does not know: the table stays as it is (slower, still correct)
        # rather than a sign-in failing on a layout change that only saves time.
        logging.getLogger(__name__).warning("%s.%s left in place: unknown definition", table, column)
        return
    rebuilt = f"{table}_rebuilt"
    indexes = [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
    ]
    listed = ", ".join(f'"{name}"' for name in order)
    bind.exec_driver_sql(f'CREATE TABLE "{rebuilt}" ({", ".join([*kept, *moved, *clauses])})')
    bind.exec_driver_sql(f'INSERT INTO "{rebuilt}" ({listed}) SELECT {listed} FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for sql in indexes:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        move_column_last(bind, "letter", "pdf")


def downgrade() -> None:
    pass  # the column order changes no meaning: nothing to undo
