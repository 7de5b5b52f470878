"""audit anchor: signed chain heads and the peers' entry hashes

An installation keeps the head it signed into its last bundle, and the heads and entry hashes
other installations sent it, so a rewritten audit history is detected at the receiver.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_head',
        sa.Column('mission_code', sa.String(length=16), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('signed_at', sa.String(length=40), nullable=False),
        sa.Column('signature', sa.String(length=120), nullable=False),
        sa.Column('bundle_id', sa.String(length=36), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('mission_code', name=op.f('pk_audit_head')),
    )
    op.create_table(
        'audit_anchor',
        sa.Column('mission_code', sa.String(length=16), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('mission_code', 'seq', name=op.f('pk_audit_anchor')),
    )


def downgrade() -> None:
    op.drop_table('audit_anchor')
    op.drop_table('audit_head')
