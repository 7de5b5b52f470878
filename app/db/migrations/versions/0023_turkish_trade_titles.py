"""organisation name key: a Turkish trade title's boilerplate is not part of the name

Revision ID: 0023
Revises: 0022

"Yıldız İnşaat San. ve Tic. Ltd. Şti.", "Yildiz Insaat Sanayi ve Ticaret Limited Sirketi" and
"Yıldız İnşaat" are one employer: ``organisation_key`` now drops "Sanayi ve Ticaret", "San. ve
Tic." and "Anonim Şirketi" at a name's end as it drops the other legal forms, and writes out
the sector words such a title shortens with a dot ("İnş.", "Tur.", "Paz."). The keys on file
are written again where the function now gives another (only such names change). Both engines.
"""
from alembic import op

from app.db.name_keys import ORGANISATION_TABLES, key_names_again

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ORGANISATION_TABLES:
        key_names_again(op.get_bind(), table)


def downgrade() -> None:
    # The keys stay as this code gives them: no older function to give them back.
    pass
