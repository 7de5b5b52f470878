"""case holder: the mission that holds a case and alone may change it through bundles

A case belongs to the mission that opened it until HQ transfers it; the transfer was recorded
only as ``transferred_from`` and an event, so the new holder is taken from the latest transfer
event of each case (present at HQ and at the receiving mission alike).

Revision ID: 0006
Revises: 0005
"""
import json

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default: recreating the table (batch mode) would fail on a
    # database with cases, whose events and attachments refer to them (foreign keys are on).
    op.add_column(
        'case',
        sa.Column('holder_mission', sa.String(length=16), nullable=False, server_default=''),
    )
    bind = op.get_bind()
    bind.execute(sa.text('UPDATE "case" SET holder_mission = mission_code'))
    events = bind.execute(
        sa.text(
            'SELECT case_id, data FROM case_event WHERE case_id IN '
            '(SELECT id FROM "case" WHERE transferred_from IS NOT NULL) '
            'ORDER BY occurred_at'
        )
    ).all()
    holders: dict[str, str] = {}
    for case_id, data in events:
        value = json.loads(data) if isinstance(data, str) else data
        transfer = value.get('transfer') if isinstance(value, dict) else None
        if isinstance(transfer, dict) and isinstance(transfer.get('to'), str):
            holders[case_id] = transfer['to']
    for case_id, holder in holders.items():
        bind.execute(
            sa.text('UPDATE "case" SET holder_mission = :holder WHERE id = :id'),
            {'holder': holder, 'id': case_id},
        )


def downgrade() -> None:
    op.drop_column('case', 'holder_mission')
