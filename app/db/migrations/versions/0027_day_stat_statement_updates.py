"""day stat statement updates: on PostgreSQL, cases updated or codes deleted by one statement
are counted again by one grouped statement

Revision ID: 0027
Revises: 0026

0015 made the per-day counts of inserted rows statement-level; their updates and deletes stayed
row-level. A bundle that changes cases HQ already holds (every bundle after a mission's first)
updates each changed case with one statement and deletes and writes again its categories and
ILO indicators: the row-level triggers then ran six upserts per updated case and one per
deleted code, each a statement of its own. Now the update of ``case`` and the delete of a code
row take what they changed from transition tables and add it up grouped, with the same figures
(``tests/unit/test_day_stats.py`` compares them with a recount on both engines).

An update trigger with transition tables cannot name columns, so it fires for every update of
a case; it counts again only the rows whose counted columns changed (what 0008's column list
selected, less the rows given their own values again, whose counts moved by zero). A case's
delete trigger stays row-level (it runs before the delete, while the case's codes are still
there), as do the updates of code rows, which nothing writes in bulk. The row functions of
0008 stay for going back down. Nothing to do on SQLite.
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None
server_only = True

# 0008's columns whose change moves a case between counts.
_COUNTED = (
    "received_at",
    "resolved_at",
    "closed_at",
    "deleted_at",
    "host_country",
    "origin_mission",
    "assigned_to",
    "employer_id",
    "agency_id",
    "documents_returned",
    "repatriated",
    "wages_recovered_amount",
    "wages_recovered_currency",
)
_COLUMNS = "measure, day, mission, host_country, officer, key, n, cents"
_GROUP = "measure, day, mission, host_country, officer, key"
_UPSERT = (
    "ON CONFLICT (measure, day, mission, host_country, officer, key) DO UPDATE SET "
    "n = case_day_stat.n + excluded.n, cents = case_day_stat.cents + excluded.cents"
)
_LINKS = (("case_category", "opened_category"), ("case_ilo_indicator", "opened_ilo"))


def _case_parts() -> list[tuple[str, str, str, str, str]]:
    """0008's parts of a case row ``r`` in PostgreSQL's words, with 0014's 64-bit cents (as
    0015 has them): (measure, day, key, cents, condition) each."""
    resolved = "CAST((r.resolved_at AT TIME ZONE 'UTC') AS DATE)"
    closed = "CAST((r.closed_at AT TIME ZONE 'UTC') AS DATE)"
    days = f"greatest(0, {resolved} - r.received_at)"
    cents = "CAST(round(r.wages_recovered_amount * 100) AS BIGINT)"
    return [
        ("'opened'", "r.received_at", "''", "0", "true"),
        ("'opened_employer'", "r.received_at", "r.employer_id", "0", "r.employer_id IS NOT NULL"),
        ("'opened_agency'", "r.received_at", "r.agency_id", "0", "r.agency_id IS NOT NULL"),
        ("'resolved'", resolved, "''", "0", "true"),
        ("'resolution_days'", resolved, f"CAST({days} AS TEXT)", "0", "true"),
        ("'documents_returned'", resolved, "''", "0", "r.documents_returned"),
        ("'repatriated'", resolved, "''", "0", "r.repatriated"),
        (
            "'wages'",
            resolved,
            "r.wages_recovered_currency",
            cents,
            "r.wages_recovered_amount IS NOT NULL AND r.wages_recovered_currency IS NOT NULL",
        ),
        ("'closed'", closed, "''", "0", "true"),
    ]


def _scope(row: str) -> str:
    """The counts' mission, host country and officer of a case row."""
    return f"{row}.origin_mission, {row}.host_country, coalesce({row}.assigned_to, '')"


def _changed() -> str:
    """An old row ``o`` and its new row ``n`` whose counted columns differ."""
    old = ", ".join(f"o.{c}" for c in _COUNTED)
    new = ", ".join(f"n.{c}" for c in _COUNTED)
    return f"o.id = n.id AND ({old}) IS DISTINCT FROM ({new})"


def _moved() -> str:
    """The updated cases whose counted columns changed: each old row with sign -1 and each
    new one with sign 1."""
    return (
        f"WITH moved AS (SELECT o.*, -1 AS sign FROM old_rows o JOIN new_rows n ON {_changed()} "
        f"UNION ALL SELECT n.*, 1 AS sign FROM new_rows n JOIN old_rows o ON {_changed()}) "
    )


def _updated_cases() -> str:
    """What the updated cases counted for taken away, what they count for now added."""
    parts = " UNION ALL ".join(
        f"SELECT {measure} AS measure, {day} AS day, {_scope('r')}, {key} AS key, "
        f"r.sign * {cents} AS cents, r.sign FROM moved r WHERE r.deleted_at IS NULL "
        f"AND {condition}"
        for measure, day, key, cents, condition in _case_parts()
    )
    # Most updates (a save of a case's text, its version) move no count: one look, not three.
    statements = [
        f"IF NOT EXISTS (SELECT FROM old_rows o JOIN new_rows n ON {_changed()}) "
        "THEN RETURN NULL; END IF;",
        f"{_moved()}INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT {_GROUP}, sum(sign), CAST(sum(cents) AS BIGINT) "
        f"FROM ({parts}) AS part (measure, day, mission, host_country, officer, key, cents, sign) "
        f"WHERE day IS NOT NULL GROUP BY {_GROUP} {_UPSERT};",
    ]
    for table, measure in _LINKS:
        statements.append(
            f"{_moved()}INSERT INTO case_day_stat ({_COLUMNS}) "
            f"SELECT '{measure}', r.received_at, {_scope('r')}, t.code, sum(r.sign), 0 "
            f"FROM moved r JOIN {table} t ON t.case_id = r.id WHERE r.deleted_at IS NULL "
            f"GROUP BY 2, 3, 4, 5, 6 {_UPSERT};"
        )
    return " ".join(statements)


def _deleted_codes(measure: str) -> str:
    """The deleted code rows taken away, each from its case (if it exists, undeleted: a
    case's own delete took its codes away before them)."""
    return (
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT '{measure}', c.received_at, {_scope('c')}, t.code, -count(*), 0 "
        f'FROM old_rows t JOIN "case" c ON c.id = t.case_id WHERE c.deleted_at IS NULL '
        f"GROUP BY 2, 3, 4, 5, 6 {_UPSERT};"
    )


def _triggers() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(table, trigger name) -> (event, transition tables, what the statement-level trigger
    runs)."""
    triggers = {
        ('"case"', "case_day_stat_update"): (
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            _updated_cases(),
        )
    }
    for table, measure in _LINKS:
        triggers[(table, f"{table}_day_stat_delete")] = (
            "DELETE",
            "OLD TABLE AS old_rows",
            _deleted_codes(measure),
        )
    return triggers


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for (table, name), (event, tables, body) in _triggers().items():
        op.execute(
            f"CREATE FUNCTION {name}_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body} RETURN NULL; END $$"
        )
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_rows()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for (table, name), (event, _tables, _body) in _triggers().items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {name}_rows()")
        columns = f" OF {', '.join(_COUNTED)}" if event == "UPDATE" else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event}{columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
