"""fast lists and dashboard: a covering index that sorts the search box's matches without
reading case rows, an index for the duplicate-person check, and per-day counts of cases kept
current by triggers

Revision ID: 0008
Revises: 0007

``case_day_stat`` holds, per day, mission, host country and officer, how many cases were
opened, resolved, closed (and their categories, ILO indicators, employers, agencies, days to
resolution, outcomes and wages recovered). SQLite triggers on ``case``, ``case_category`` and
``case_ilo_indicator`` keep it current inside the very statement that changes a case, whoever
makes the change (a service, a bundle or CSV import, a purge), so it can never lag behind the
cases it counts. The dashboard then reads a few thousand rows instead of every case.
Deleted cases (``deleted_at`` set) count nowhere. Rows that fall to zero are left in place.
"""
from functools import partial

import sqlalchemy as sa
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
# The columns whose change moves a case between counts.
_COUNTED_COLUMNS = (
    "received_at, resolved_at, closed_at, deleted_at, host_country, origin_mission, "
    "assigned_to, employer_id, agency_id, documents_returned, repatriated, "
    "wages_recovered_amount, wages_recovered_currency"
)
_UPSERT = (
    "ON CONFLICT (measure, day, mission, host_country, officer, key) "
    "DO UPDATE SET n = n + excluded.n, cents = cents + excluded.cents"
)
_COLUMNS = "measure, day, mission, host_country, officer, key, n, cents"


def _case_parts(row: str, pg: bool = False) -> list[tuple[str, str, str, str, str]]:
    """What case ``row`` counts for: (measure, day, key, cents, condition) each.

    ``pg``: the same in PostgreSQL's words (a UTC day of a timestamp, a difference of dates)."""
    resolved_day = f"substr({row}.resolved_at, 1, 10)"
    closed_day = f"substr({row}.closed_at, 1, 10)"
    days = f"CAST(max(0, julianday({resolved_day}) - julianday({row}.received_at)) AS INTEGER)"
    cents = f"CAST(round({row}.wages_recovered_amount * 100) AS INTEGER)"
    always = "1"
    if pg:
        resolved_day = f"CAST(({row}.resolved_at AT TIME ZONE 'UTC') AS DATE)"
        closed_day = f"CAST(({row}.closed_at AT TIME ZONE 'UTC') AS DATE)"
        days = f"greatest(0, {resolved_day} - {row}.received_at)"
        always = "true"
    opened, resolved = f"{row}.received_at", resolved_day
    return [
        ("'opened'", opened, "''", "0", always),
        ("'opened_employer'", opened, f"{row}.employer_id", "0", f"{row}.employer_id IS NOT NULL"),
        ("'opened_agency'", opened, f"{row}.agency_id", "0", f"{row}.agency_id IS NOT NULL"),
        ("'resolved'", resolved, "''", "0", always),
        ("'resolution_days'", resolved, f"CAST({days} AS TEXT)", "0", always),
        ("'documents_returned'", resolved, "''", "0", f"{row}.documents_returned"),
        ("'repatriated'", resolved, "''", "0", f"{row}.repatriated"),
        (
            "'wages'",
            resolved,
            f"{row}.wages_recovered_currency",
            cents,
            f"{row}.wages_recovered_amount IS NOT NULL "
            f"AND {row}.wages_recovered_currency IS NOT NULL",
        ),
        ("'closed'", closed_day, "''", "0", always),
    ]


def _case_counts(row: str, sign: int, pg: bool = False) -> str:
    """One statement adding (sign 1) or taking away (sign -1) what case ``row`` counts for."""
    parts = " UNION ALL ".join(
        f"SELECT {measure} AS measure, {day} AS day, {key} AS key, {cents} AS cents "
        f"WHERE {condition}"
        for measure, day, key, cents, condition in _case_parts(row, pg)
    )
    return (
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT measure, day, {row}.origin_mission, {row}.host_country, "
        f"coalesce({row}.assigned_to, ''), key, {sign}, {sign} * cents "
        f"FROM ({parts}){' AS part' if pg else ''} "
        f"WHERE {row}.deleted_at IS NULL AND day IS NOT NULL {_UPSERT};"
    )


def _code_counts(row: str, sign: int, table: str, measure: str) -> str:
    """Adds or takes away the codes (categories, ILO indicators) of case ``row``."""
    return (
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT '{measure}', {row}.received_at, {row}.origin_mission, {row}.host_country, "
        f"coalesce({row}.assigned_to, ''), t.code, {sign}, 0 FROM {table} t "
        f"WHERE t.case_id = {row}.id AND {row}.deleted_at IS NULL {_UPSERT};"
    )


def _link_counts(link: str, sign: int, measure: str) -> str:
    """Adds or takes away one code row ``link`` of a case that still exists."""
    return (
        f"INSERT INTO case_day_stat ({_COLUMNS}) "
        f"SELECT '{measure}', c.received_at, c.origin_mission, c.host_country, "
        f"coalesce(c.assigned_to, ''), {link}.code, {sign}, 0 FROM \"case\" c "
        f"WHERE c.id = {link}.case_id AND c.deleted_at IS NULL {_UPSERT};"
    )


_LINKS = (("case_category", "opened_category"), ("case_ilo_indicator", "opened_ilo"))


def _whole_case(row: str, sign: int) -> str:
    return _case_counts(row, sign) + "".join(
        _code_counts(row, sign, table, measure) for table, measure in _LINKS
    )


def _triggers() -> list[str]:
    triggers = [
        f'CREATE TRIGGER case_day_stat_insert AFTER INSERT ON "case" BEGIN '
        f"{_whole_case('NEW', 1)} END",
        f'CREATE TRIGGER case_day_stat_update AFTER UPDATE OF {_COUNTED_COLUMNS} ON "case" '
        f"BEGIN {_whole_case('OLD', -1)} {_whole_case('NEW', 1)} END",
        # Before: the case's code rows still exist (a cascade deletes them after, when their
        # own trigger no longer finds the case and so takes nothing away twice).
        f'CREATE TRIGGER case_day_stat_delete BEFORE DELETE ON "case" BEGIN '
        f"{_whole_case('OLD', -1)} END",
    ]
    for table, measure in _LINKS:
        triggers += [
            f"CREATE TRIGGER {table}_day_stat_insert AFTER INSERT ON {table} BEGIN "
            f"{_link_counts('NEW', 1, measure)} END",
            f"CREATE TRIGGER {table}_day_stat_delete AFTER DELETE ON {table} BEGIN "
            f"{_link_counts('OLD', -1, measure)} END",
            f"CREATE TRIGGER {table}_day_stat_update AFTER UPDATE ON {table} BEGIN "
            f"{_link_counts('OLD', -1, measure)} {_link_counts('NEW', 1, measure)} END",
        ]
    return triggers


# PostgreSQL wants the existing row's columns named by table (``n`` alone is ambiguous).
_PG_UPSERT = _UPSERT.replace("n = n +", "n = case_day_stat.n +").replace(
    "cents = cents +", "cents = case_day_stat.cents +"
)


def _pg_function(name: str, body: str, returns: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{body.replace(_UPSERT, _PG_UPSERT)} RETURN {returns}; END $$"
    )


def _pg_triggers() -> list[str]:
    """The same triggers in PL/pgSQL: counts change in the statement that changes a case."""
    pg_case = partial(_case_counts, pg=True)

    def whole(row: str, sign: int) -> str:
        return pg_case(row, sign) + "".join(
            _code_counts(row, sign, table, measure) for table, measure in _LINKS
        )

    statements = [
        _pg_function("case_day_stat_insert", whole("NEW", 1), "NULL"),
        'CREATE TRIGGER case_day_stat_insert AFTER INSERT ON "case" FOR EACH ROW '
        "EXECUTE FUNCTION case_day_stat_insert()",
        _pg_function("case_day_stat_update", whole("OLD", -1) + whole("NEW", 1), "NULL"),
        f'CREATE TRIGGER case_day_stat_update AFTER UPDATE OF {_COUNTED_COLUMNS} ON "case" '
        "FOR EACH ROW EXECUTE FUNCTION case_day_stat_update()",
        # Before, as on SQLite; a BEFORE trigger returns the row, or the delete is skipped.
        _pg_function("case_day_stat_delete", whole("OLD", -1), "OLD"),
        'CREATE TRIGGER case_day_stat_delete BEFORE DELETE ON "case" FOR EACH ROW '
        "EXECUTE FUNCTION case_day_stat_delete()",
    ]
    for table, measure in _LINKS:
        bodies = {
            "insert": _link_counts("NEW", 1, measure),
            "delete": _link_counts("OLD", -1, measure),
            "update": _link_counts("OLD", -1, measure) + _link_counts("NEW", 1, measure),
        }
        for what, body in bodies.items():
            name = f"{table}_day_stat_{what}"
            statements += [
                _pg_function(name, body, "NULL"),
                f"CREATE TRIGGER {name} AFTER {what.upper()} ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {name}()",
            ]
    return statements


_TRIGGER_NAMES = [
    "case_day_stat_insert",
    "case_day_stat_update",
    "case_day_stat_delete",
    *(f"{table}_day_stat_{what}" for table, _m in _LINKS for what in ("insert", "delete", "update")),
]


def _backfill() -> list[str]:
    """Counts every case there is, with the same parts as the triggers, grouped."""
    rows = " UNION ALL ".join(
        f"SELECT {measure} AS measure, {day} AS day, c.origin_mission AS mission, "
        f"c.host_country AS host_country, coalesce(c.assigned_to, '') AS officer, "
        f"{key} AS key, {cents} AS cents FROM \"case\" c "
        f"WHERE c.deleted_at IS NULL AND {condition}"
        for measure, day, key, cents, condition in _case_parts("c")
    )
    group = "measure, day, mission, host_country, officer, key"
    return [
        f"INSERT INTO case_day_stat ({_COLUMNS}) SELECT {group}, count(*), sum(cents) "
        f"FROM ({rows}) WHERE day IS NOT NULL GROUP BY {group}",
        *(
            f"INSERT INTO case_day_stat ({_COLUMNS}) "
            f"SELECT '{measure}', c.received_at, c.origin_mission, c.host_country, "
            f"coalesce(c.assigned_to, ''), t.code, count(*), 0 FROM {table} t "
            f'JOIN "case" c ON c.id = t.case_id WHERE c.deleted_at IS NULL '
            f"GROUP BY 2, 3, 4, 5, 6"
            for table, measure in _LINKS
        ),
    ]


def upgrade() -> None:
    op.create_index("ix_case_by_id_list", "case", _LIST_COLUMNS)
    op.create_index("ix_person_birth_date", "person", ["birth_date"])
    op.create_table(
        "case_day_stat",
        sa.Column("measure", sa.String(24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mission", sa.String(16), nullable=False),
        sa.Column("host_country", sa.String(2), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "measure", "day", "mission", "host_country", "officer", "key",
            name=op.f("pk_case_day_stat"),
        ),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        # A PostgreSQL database is always new (an HQ created on the server): nothing to count.
        for statement in _pg_triggers():
            op.execute(statement)
        return
    for statement in _backfill():
        op.execute(statement)
    for trigger in _triggers():
        op.execute(trigger)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in _TRIGGER_NAMES:
        if pg:
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("case_day_stat")
    op.drop_index("ix_person_birth_date", table_name="person")
    op.drop_index("ix_case_by_id_list", table_name="case")
