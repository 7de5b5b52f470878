"""start page: covering indexes for the at-risk and recent-activity lists

The start page is the first screen after login; without these its lists sort every case.

Revision ID: 0003
Revises: 0002
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_list_risk',
            ['life_or_liberty_at_risk', 'status', 'urgency', 'seq', 'id', 'deleted_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_case_list_updated', ['updated_at', 'seq', 'id', 'deleted_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_list_updated')
        batch_op.drop_index('ix_case_list_risk')
