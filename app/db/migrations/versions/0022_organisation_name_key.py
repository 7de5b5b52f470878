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

from app.db.name_keys import ORGANISATION_TABLES, key_names_again

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in ORGANISATION_TABLES:
        op.add_column(
            table, sa.Column("name_key", sa.String(length=300), nullable=False, server_default="")
        )
        key_names_again(bind, table)
        op.create_index(f"ix_{table}_country_key", table, ["country", "name_key"])


def downgrade() -> None:
    for table in reversed(ORGANISATION_TABLES):
        op.drop_index(f"ix_{table}_country_key", table_name=table)
        op.drop_column(table, "name_key")
