"""employers and agencies: postcode and contact person, for the address block of letters;
attachments: why a scan of an identity document had to be kept

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("employer", "recruitment_agency"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("postcode", sa.String(length=20), nullable=False, server_default="")
            )
            batch.add_column(
                sa.Column(
                    "contact_person", sa.String(length=200), nullable=False, server_default=""
                )
            )
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(
            sa.Column("identity_reason", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the tables, which foreign
    # keys from cases and attachments' cases forbid once rows exist.
    op.drop_column("attachment", "identity_reason")
    for table in ("recruitment_agency", "employer"):
        op.drop_column(table, "contact_person")
        op.drop_column(table, "postcode")
