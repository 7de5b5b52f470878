"""organisation name key: employers and agencies matched by their name written any way

Revision ID: 0022
Revises: 0021

"HANIL CO LTD" and "Hanil Co., Ltd.", «ТОО "Алем"» and "Алем ТОО" are one organisation. The name
as organisations are matched on (``app.domain.matching.organisation_key``) is kept beside it,
indexed with the country, so a new case's employer, an import's rows and HQ's repeats find it
in the index instead of keying every name of a country in Python. Filled here for the rows on
file. Each installation keeps its own (bundles do not carry it). Both engines.
"""
import sqlalchemy as sa
from alembic import op

from app.domain.matching import organisation_key

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = ("employer", "recruitment_agency")
BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        op.add_column(
            table, sa.Column("name_key", sa.String(length=300), nullable=False, server_default="")
        )
        rows = sa.table(table, sa.column("id"), sa.column("name"), sa.column("name_key"))
        keyed = [
            {"row_id": row_id, "key": organisation_key(name)}
            for row_id, name in bind.execute(sa.select(rows.c.id, rows.c.name))
        ]
        fill = (
            sa.update(rows)
            .where(rows.c.id == sa.bindparam("row_id"))
            .values(name_key=sa.bindparam("key"))
        )
        for start in range(0, len(keyed), BATCH):
            bind.execute(fill, keyed[start : start + BATCH])
        op.create_index(f"ix_{table}_country_key", table, ["country", "name_key"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_country_key", table_name=table)
        op.drop_column(table, "name_key")
