"""day stat cents bigint: recovered wages summed per day fit in 64 bits on PostgreSQL too

Revision ID: 0014
Revises: 0013

``case_day_stat.cents`` sums the wages recovered on one day, in hundredths of the currency.
SQLite's INTEGER is 64 bits; PostgreSQL's is 32, and three cases recovering 6,000,000 KRW on one
day (measured by benchmarks/bench_hq.py importing a demo mission's bundle) passed 2^31, so the
import failed. On PostgreSQL the column becomes BIGINT and the trigger functions of 0008 cast
a case's cents to BIGINT. Nothing to do on SQLite.
"""
import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_FUNCTIONS = ("case_day_stat_insert", "case_day_stat_update", "case_day_stat_delete")


def _recast(old: str, new: str) -> None:
    bind = op.get_bind()
    for name in _FUNCTIONS:
        definition = bind.execute(
            sa.text("SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = :name"),
            {"name": name},
        ).scalar()
        if definition and old in definition:
            op.execute(definition.replace(old, new))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("case_day_stat", "cents", type_=sa.BigInteger(), existing_nullable=False)
    _recast("* 100) AS INTEGER)", "* 100) AS BIGINT)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _recast("* 100) AS BIGINT)", "* 100) AS INTEGER)")
    op.alter_column("case_day_stat", "cents", type_=sa.Integer(), existing_nullable=False)
