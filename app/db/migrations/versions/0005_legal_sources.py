"""legal sources: a source and check date per provision; the host-country table in the database

Every legal fact keeps where it comes from; the host-country labour standards travel in HQ's
library bundle as a ``legal_table`` row, like the agreements (docs/legal-sources.md).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agreement_provision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('checked_on', sa.Date(), nullable=True))
    op.create_table('legal_table',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('edition', sa.Date(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin_mission', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_table')),
    sa.UniqueConstraint('name', name=op.f('uq_legal_table_name'))
    )
    with op.batch_alter_table('legal_table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_table_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_table_origin_mission'), ['origin_mission'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('legal_table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_table_origin_mission'))
        batch_op.drop_index(batch_op.f('ix_legal_table_change_seq'))
    op.drop_table('legal_table')
    with op.batch_alter_table('agreement_provision', schema=None) as batch_op:
        batch_op.drop_column('checked_on')
        batch_op.drop_column('source')
