"""Mark invitations to pasted addresses, hold such sends for HR, and the organisation's settings

Revision ID: 0006_adhoc_recipients
Revises: 0004_sales_indexes
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0006_adhoc_recipients'
down_revision = '0005_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('company_domains', sa.JSON(), nullable=False),
    sa.Column('adhoc_needs_approval', sa.Boolean(), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_organisation_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_settings'))
    )
    op.create_table('adhoc_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('addresses', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='adhoc_send_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', coachflow.platform.time.UTCDateTime(), nullable=True),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_adhoc_sends_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_adhoc_sends_rep_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_adhoc_sends_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_adhoc_sends_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adhoc_sends'))
    )
    with op.batch_alter_table('adhoc_sends', schema=None) as batch_op:
        batch_op.create_index('ix_adhoc_sends_status_created', ['status', 'created_at'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adhoc', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('adhoc')

    with op.batch_alter_table('adhoc_sends', schema=None) as batch_op:
        batch_op.drop_index('ix_adhoc_sends_status_created')

    op.drop_table('adhoc_sends')
    op.drop_table('organisation_settings')
