"""returnees' skills register: one row per returnee who consented to it (issue 24)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'returnee',
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=True),
        sa.Column('occupation', sa.String(length=4), nullable=False),
        sa.Column('years_abroad', sa.Integer(), nullable=False),
        sa.Column('certificates', sa.JSON(), nullable=False),
        sa.Column('languages', sa.JSON(), nullable=False),
        sa.Column('work_country', sa.String(length=2), nullable=False),
        sa.Column('region', sa.String(length=8), nullable=False),
        sa.Column('wants_referral', sa.Boolean(), nullable=False),
        sa.Column('consent_reference', sa.String(length=200), nullable=False),
        sa.Column('consent_date', sa.Date(), nullable=False),
        sa.Column('returned_on', sa.Date(), nullable=True),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('skills_text', sa.Text(), nullable=False),
        sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('origin_mission', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('change_seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_returnee_case_id_case')),
        sa.ForeignKeyConstraint(
            ['person_id'], ['person.id'], name=op.f('fk_returnee_person_id_person')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_returnee')),
    )
    with op.batch_alter_table('returnee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returnee_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_returnee_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_returnee_origin_mission'), ['origin_mission'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_returnee_person_id'), ['person_id'], unique=False)
        batch_op.create_index(
            'ix_returnee_list',
            ['occupation', 'region', 'returned_on', 'deleted_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_returnee_region', ['region', 'returned_on', 'deleted_at'], unique=False
        )


def downgrade() -> None:
    op.drop_table('returnee')
