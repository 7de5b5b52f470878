"""exchange log made_at: when a received bundle was made, beside when it arrived

Revision ID: 0030
Revises: 0029

HQ's Missions list said how long ago each mission's last bundle came from the time it was
imported, so an old bundle imported today made a silent mission look current. The bundle's
own creation time (its signed manifest's ``created_at``) is kept from now on; entries written
before have none and are read by their import time.
"""
import sqlalchemy as sa
from alembic import op

from app.db.models import UtcDateTime

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('exchange_log', sa.Column('made_at', UtcDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column('exchange_log', 'made_at')
