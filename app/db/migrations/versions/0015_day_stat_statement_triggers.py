"""day stat statement triggers: on PostgreSQL, rows inserted by one statement are counted by
one grouped statement

Revision ID: 0015
Revises: 0014

The per-day counts of 0008 are kept by a trigger per inserted row. An import at HQ inserts ten
thousand cases and their categories and ILO indicators in three statements, and their
PL/pgSQL triggers ran once per row: 5 of the 7 s the import's write transaction took for a
10,000-case bundle (``benchmarks/bench_hq.py``). PostgreSQL can hand a statement-level
trigger every row the statement inserted (a transition table), so the counts of a whole
insert are grouped and added in one statement each, with the same figures as before
(``tests/unit/test_day_stats.py`` compares them with a recount on both engines).

Only the insert triggers change: an update trigger with a column list (0008's on ``case``)
cannot have transition tables, and a case's delete trigger runs before the delete. The row
functions of 0008 stay for going back down. Nothing to do on SQLite, which has no
statement-level triggers: ``server_only`` spares a mission the backup copy of its file that
a migration is otherwise preceded by (``app/db/migrate.py``).
"""

from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
server_only = True

_COLUMNS = "measure, day, mission, host_country, officer, key, n, cents"
_GROUP = "measure, day, mission, host_country, officer, key"
_UPSERT = (
    "ON CONFLICT (measure, day, mission, host_country, officer, key) DO UPDATE SET "
    "n = case_day_stat.n + excluded.n, cents = case_day_stat.cents + excluded.cents"
)
_LINKS = (("case_category", "opened_category"), ("case_ilo_indicator", "opened_ilo"))


def _case_parts() -> list[tuple[str, str, str, str, str]]:
    """0008's parts of a case row ``r`` in PostgreSQL's words, with 0014's 64-bit cents:
    (measure, day, key, cents, condition) each."""
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


def _new_cases() -> str:
    """What the inserted cases count for, and their codes (none yet, unless inserted first)."""
    parts = " UNION ALL ".join(
        f"SELECT {measure} AS measure, {day} AS day, {_scope('r')}, {key} AS key, "
        f"{cents} AS cents FROM new_rows r WHERE r.deleted_at IS NULL AND {condition}"
        for measure, day, key, cents, condition in _case_parts()
    )
    statements = [
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT {_GROUP}, count(*), CAST(sum(cents) AS BIGINT) "
        f"FROM ({parts}) AS part (measure, day, mission, host_country, officer, key, cents) "
        f"WHERE day IS NOT NULL GROUP BY {_GROUP} {_UPSERT};"
    ]
    for table, measure in _LINKS:
        statements.append(
            f"INSERT INTO case_day_stat ({_COLUMNS}) "
            f"SELECT '{measure}', r.received_at, {_scope('r')}, t.code, count(*), 0 "
            f"FROM {table} t JOIN new_rows r ON r.id = t.case_id WHERE r.deleted_at IS NULL "
            f"GROUP BY 2, 3, 4, 5, 6 {_UPSERT};"
        )
    return " ".join(statements)


def _new_codes(measure: str) -> str:
    """What the inserted code rows count for, each under its case (if it exists, undeleted)."""
    return (
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT '{measure}', c.received_at, {_scope('c')}, t.code, count(*), 0 "
        f'FROM new_rows t JOIN "case" c ON c.id = t.case_id WHERE c.deleted_at IS NULL '
        f"GROUP BY 2, 3, 4, 5, 6 {_UPSERT};"
    )


def _bodies() -> dict[tuple[str, str], str]:
    """(table, trigger name) -> what the statement-level trigger runs."""
    bodies = {('"case"', "case_day_stat_insert"): _new_cases()}
    for table, measure in _LINKS:
        bodies[(table, f"{table}_day_stat_insert")] = _new_codes(measure)
    return bodies


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for (table, name), body in _bodies().items():
        op.execute(
            f"CREATE FUNCTION {name}_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body} RETURN NULL; END $$"
        )
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(
            f"CREATE TRIGGER {name} AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_rows()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, name in _bodies():
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {name}_rows()")
        op.execute(
            f"CREATE TRIGGER {name} AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
