"""day stat update linear: on PostgreSQL, a bulk update of cases costs time in proportion to
its rows in the per-day counts' trigger

Revision ID: 0031
Revises: 0030

0027's statement-level trigger on ``case`` first asked whether any updated row changed a
counted column: ``IF NOT EXISTS (old_rows JOIN new_rows ...)``. An EXISTS is planned for its
first row, so the join of the two transition tables (no index, no statistics) became a nested
loop, and when no row had changed (``UPDATE "case" SET due_date = ...`` over every open case)
it compared every old row with every new one: 9,000,000 comparisons for 3,000 rows, over ten
minutes for 200,000. Then the changed rows were joined again, twice in each of three
statements.

Now one statement does it all: the old and new rows are joined once by id (a whole join, which
the planner hashes or merges), on the counted columns only, each changed pair giving its old
row with sign -1 and its new row with sign 1; the case's own parts and its codes' parts are
added up grouped in one upsert. Nothing changed: the join is empty and nothing is written.
The function runs without JIT: the rows the planner guesses for a join of transition tables
made it compile the statement on every run, for seconds. The parts and their figures are
0027's own (read from its file), as is the function it restores on the way down. Nothing to do
on SQLite.
"""

from types import ModuleType

from alembic import op

from app.db.migrate import revision_module

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None
server_only = True

_FUNCTION = "case_day_stat_update_rows"


def _revision_0027() -> ModuleType:
    """0027's migration, whose parts of a case and function body this one builds on."""
    return revision_module("0027")


def _updated_cases(m: ModuleType) -> str:
    """What the updated cases counted for taken away, what they count for now added: one
    statement over one join of the transition tables."""
    counted: tuple[str, ...] = m._COUNTED
    columns = ", ".join(("id", *counted))
    old = ", ".join(f"o.{c}" for c in counted)
    new = ", ".join(f"n.{c}" for c in counted)
    # Each changed pair gives two rows: lateral VALUES, so the join runs once, not twice.
    moved = (
        f"WITH moved AS (SELECT m.* FROM old_rows o JOIN new_rows n ON o.id = n.id "
        f"AND ({old}) IS DISTINCT FROM ({new}) "
        f"CROSS JOIN LATERAL (VALUES (o.id, {old}, -1), (n.id, {new}, 1)) "
        f"AS m ({columns}, sign)) "
    )
    parts = [
        f"SELECT {measure}, {day}, {m._scope('r')}, {key}, r.sign * {cents}, r.sign "
        f"FROM moved r WHERE r.deleted_at IS NULL AND {condition}"
        for measure, day, key, cents, condition in m._case_parts()
    ]
    parts += [
        f"SELECT '{measure}', r.received_at, {m._scope('r')}, t.code, 0, r.sign "
        f"FROM moved r JOIN {table} t ON t.case_id = r.id WHERE r.deleted_at IS NULL"
        for table, measure in m._LINKS
    ]
    return (
        f"{moved}INSERT INTO case_day_stat ({m._COLUMNS}) "
        f"SELECT {m._GROUP}, sum(sign), CAST(sum(cents) AS BIGINT) "
        f"FROM ({' UNION ALL '.join(parts)}) "
        f"AS part (measure, day, mission, host_country, officer, key, cents, sign) "
        f"WHERE day IS NOT NULL GROUP BY {m._GROUP} {m._UPSERT};"
    )


def _replace_function(body: str, settings: str = "") -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql {settings}"
        f"AS $$ BEGIN {body} RETURN NULL; END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Without statistics the join's rows are guessed at n²/200, which passes the JIT's cost
    # limits: compiling the statement took 2-4 s of each run at 13,000 rows, more than it ran.
    _replace_function(_updated_cases(_revision_0027()), "SET jit = off ")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace_function(_revision_0027()._updated_cases())
