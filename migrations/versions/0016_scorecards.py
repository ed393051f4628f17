"""Quality-of-revenue scorecards: settings, closed periods and snapshots, bulk exports, downloads

Revision ID: 0016_scorecards
Revises: 0015_coaching
Create Date: 2026-12-06 02:03:37.960020

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0016_scorecards'
down_revision = '0015_coaching'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scorecard_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('weight_attainment', sa.Float(), nullable=False),
    sa.Column('weight_margin', sa.Float(), nullable=False),
    sa.Column('weight_repeat', sa.Float(), nullable=False),
    sa.Column('weight_nps', sa.Float(), nullable=False),
    sa.Column('weight_csat', sa.Float(), nullable=False),
    sa.Column('weight_followups', sa.Float(), nullable=False),
    sa.Column('attainment_cap', sa.Float(), nullable=False),
    sa.Column('margin_cap', sa.Float(), nullable=False),
    sa.Column('few_answers', sa.Integer(), nullable=False),
    sa.Column('estimates_multiple', sa.Integer(), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attainment_cap > 0 AND margin_cap > 0', name=op.f('ck_scorecard_settings_caps_positive')),
    sa.CheckConstraint('estimates_multiple >= 0', name=op.f('ck_scorecard_settings_estimates_multiple_not_negative')),
    sa.CheckConstraint('few_answers >= 1', name=op.f('ck_scorecard_settings_few_answers_positive')),
    sa.CheckConstraint('weight_attainment >= 0 AND weight_margin >= 0 AND weight_repeat >= 0 AND weight_nps >= 0 AND weight_csat >= 0 AND weight_followups >= 0', name=op.f('ck_scorecard_settings_weights_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_settings'))
    )
    op.create_table('scorecard_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('period_kind', sa.Enum('month', 'quarter', 'year', name='scorecard_export_period_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('team_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('running', 'ready', 'failed', name='scorecard_export_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_scorecard_exports_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_exports'))
    )
    with op.batch_alter_table('scorecard_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_exports_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('scorecard_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.Enum('month', 'quarter', 'year', name='scorecard_period_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('closed', 'reopened', name='scorecard_period_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('closed_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_scorecard_periods_closed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_periods')),
    sa.UniqueConstraint('period_kind', 'period_start', name='uq_scorecard_periods_period')
    )
    op.create_table('scorecard_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('single', 'bulk', name='scorecard_download_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('period_label', sa.String(length=16), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['export_id'], ['scorecard_exports.id'], name=op.f('fk_scorecard_downloads_export_id_scorecard_exports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_scorecard_downloads_rep_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scorecard_downloads_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_downloads'))
    )
    with op.batch_alter_table('scorecard_downloads', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_downloads_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scorecard_downloads_user_id'), ['user_id'], unique=False)

    op.create_table('scorecard_export_items',
    sa.Column('export_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['export_id'], ['scorecard_exports.id'], name=op.f('fk_scorecard_export_items_export_id_scorecard_exports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_scorecard_export_items_rep_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('export_id', 'rep_id', name=op.f('pk_scorecard_export_items'))
    )
    op.create_table('scorecard_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['scorecard_periods.id'], name=op.f('fk_scorecard_snapshots_period_id_scorecard_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_scorecard_snapshots_rep_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_snapshots')),
    sa.UniqueConstraint('period_id', 'rep_id', name='uq_scorecard_snapshots_period_rep')
    )
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_snapshots_rep_id'), ['rep_id'], unique=False)



def downgrade():
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_snapshots_rep_id'))

    op.drop_table('scorecard_snapshots')
    op.drop_table('scorecard_export_items')
    with op.batch_alter_table('scorecard_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_downloads_user_id'))
        batch_op.drop_index('ix_scorecard_downloads_created')

    op.drop_table('scorecard_downloads')
    op.drop_table('scorecard_periods')
    with op.batch_alter_table('scorecard_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_exports_requested_by_id'))

    op.drop_table('scorecard_exports')
    op.drop_table('scorecard_settings')
