"""stats: indexes for counting cases resolved, closed and referred in a period

Without them the dashboard scans the whole case and event tables (decrypting every page);
with them a 100,000-case mission refreshes in under a second (benchmarks/bench_dashboard.py).

Revision ID: 0002
Revises: 0001
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_resolved_at', ['resolved_at'], unique=False)
        batch_op.create_index('ix_case_closed_at', ['closed_at'], unique=False)
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_event_status_to', ['status_to', 'occurred_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_status_to')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_closed_at')
        batch_op.drop_index('ix_case_resolved_at')
