"""Coaching cycles: plans, goals, sessions, debriefs, action items, assessments; the
organisation's time zone

Revision ID: 0015_coaching
Revises: 0014_followups
Create Date: 2026-12-06 02:05:22.102610

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0015_coaching'
down_revision = '0014_followups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coaching_competency_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_coaching_competency_lists_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_competency_lists')),
    sa.UniqueConstraint('version', name=op.f('uq_coaching_competency_lists_version'))
    )
    op.create_table('coaching_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('planned', 'active', 'closed', name='cycle_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('closed_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_coaching_cycles_period_ordered')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_coaching_cycles_manager_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_coaching_cycles_rep_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_cycles'))
    )
    with op.batch_alter_table('coaching_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_cycles_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index('ix_coaching_cycles_rep_period', ['rep_id', 'period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_cycles_state'), ['state'], unique=False)

    op.create_table('coaching_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('self', 'manager', name='assessment_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_coaching_assessments_version_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coaching_assessments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['coaching_cycles.id'], name=op.f('fk_coaching_assessments_cycle_id_coaching_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['coaching_competency_lists.id'], name=op.f('fk_coaching_assessments_list_id_coaching_competency_lists'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_assessments')),
    sa.UniqueConstraint('cycle_id', 'kind', 'version', name='uq_coaching_assessments_version')
    )
    with op.batch_alter_table('coaching_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_assessments_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_assessments_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('coaching_competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['coaching_competency_lists.id'], name=op.f('fk_coaching_competencies_list_id_coaching_competency_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_competencies')),
    sa.UniqueConstraint('list_id', 'position', name='uq_coaching_competencies_position')
    )
    op.create_table('coaching_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.Enum('revenue', 'margin_rate', 'bookings', 'estimates', 'nps', 'csat', 'resolution_rate', 'manual', name='goal_metric', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('target', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('manual_value', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['coaching_cycles.id'], name=op.f('fk_coaching_goals_cycle_id_coaching_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_goals'))
    )
    with op.batch_alter_table('coaching_goals', schema=None) as batch_op:
        batch_op.create_index('ix_coaching_goals_cycle_due', ['cycle_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_goals_due_on'), ['due_on'], unique=False)

    op.create_table('coaching_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('new_business_percent', sa.Integer(), nullable=False),
    sa.Column('channel_partners', sa.Text(), nullable=False),
    sa.Column('targets', sa.Text(), nullable=False),
    sa.Column('manager_comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('new_business_percent BETWEEN 0 AND 100', name=op.f('ck_coaching_plans_split_percent')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_coaching_plans_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['coaching_cycles.id'], name=op.f('fk_coaching_plans_cycle_id_coaching_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_plans')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_coaching_plans_cycle_id'))
    )
    op.create_table('coaching_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('one_on_one', 'field_visit', 'call_preparation', 'call_debrief', 'sales_meeting', 'training', name='session_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('state', sa.Enum('scheduled', 'cancelled', name='session_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('starts_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('customer_needs', sa.Text(), nullable=False),
    sa.Column('objections', sa.Text(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_coaching_sessions_duration_positive')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_coaching_sessions_sequence_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_coaching_sessions_account_id_customer_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['coaching_cycles.id'], name=op.f('fk_coaching_sessions_cycle_id_coaching_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_sessions')),
    sa.UniqueConstraint('uid', name=op.f('uq_coaching_sessions_uid'))
    )
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_sessions_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('coaching_action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['coaching_cycles.id'], name=op.f('fk_coaching_action_items_cycle_id_coaching_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_coaching_action_items_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['coaching_sessions.id'], name=op.f('fk_coaching_action_items_session_id_coaching_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_action_items'))
    )
    with op.batch_alter_table('coaching_action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_action_items_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index('ix_coaching_action_items_owner_due', ['owner_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_action_items_session_id'), ['session_id'], unique=False)

    op.create_table('coaching_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_coaching_agenda_items_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['coaching_sessions.id'], name=op.f('fk_coaching_agenda_items_session_id_coaching_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_agenda_items'))
    )
    with op.batch_alter_table('coaching_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_agenda_items_session_id'), ['session_id'], unique=False)

    op.create_table('coaching_debriefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('do_differently', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coaching_debriefs_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['coaching_sessions.id'], name=op.f('fk_coaching_debriefs_session_id_coaching_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_debriefs')),
    sa.UniqueConstraint('session_id', name=op.f('uq_coaching_debriefs_session_id'))
    )
    op.create_table('coaching_goal_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_coaching_goal_updates_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['coaching_goals.id'], name=op.f('fk_coaching_goal_updates_goal_id_coaching_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_goal_updates'))
    )
    with op.batch_alter_table('coaching_goal_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_goal_updates_goal_id'), ['goal_id'], unique=False)

    op.create_table('coaching_key_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_coaching_key_accounts_account_id_customer_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['coaching_plans.id'], name=op.f('fk_coaching_key_accounts_plan_id_coaching_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_key_accounts')),
    sa.UniqueConstraint('plan_id', 'account_id', name='uq_coaching_key_accounts_account')
    )
    with op.batch_alter_table('coaching_key_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_key_accounts_account_id'), ['account_id'], unique=False)

    op.create_table('coaching_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_coaching_ratings_rating_scale')),
    sa.ForeignKeyConstraint(['assessment_id'], ['coaching_assessments.id'], name=op.f('fk_coaching_ratings_assessment_id_coaching_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competency_id'], ['coaching_competencies.id'], name=op.f('fk_coaching_ratings_competency_id_coaching_competencies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_ratings')),
    sa.UniqueConstraint('assessment_id', 'competency_id', name='uq_coaching_ratings_competency')
    )
    with op.batch_alter_table('coaching_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_ratings_competency_id'), ['competency_id'], unique=False)

    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/Berlin', nullable=False))



def downgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('coaching_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_ratings_competency_id'))

    op.drop_table('coaching_ratings')
    with op.batch_alter_table('coaching_key_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_key_accounts_account_id'))

    op.drop_table('coaching_key_accounts')
    with op.batch_alter_table('coaching_goal_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_goal_updates_goal_id'))

    op.drop_table('coaching_goal_updates')
    op.drop_table('coaching_debriefs')
    with op.batch_alter_table('coaching_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_agenda_items_session_id'))

    op.drop_table('coaching_agenda_items')
    with op.batch_alter_table('coaching_action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_action_items_session_id'))
        batch_op.drop_index('ix_coaching_action_items_owner_due')
        batch_op.drop_index(batch_op.f('ix_coaching_action_items_cycle_id'))

    op.drop_table('coaching_action_items')
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_coaching_sessions_cycle_id'))

    op.drop_table('coaching_sessions')
    op.drop_table('coaching_plans')
    with op.batch_alter_table('coaching_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_goals_due_on'))
        batch_op.drop_index('ix_coaching_goals_cycle_due')

    op.drop_table('coaching_goals')
    op.drop_table('coaching_competencies')
    with op.batch_alter_table('coaching_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_assessments_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_coaching_assessments_cycle_id'))

    op.drop_table('coaching_assessments')
    with op.batch_alter_table('coaching_cycles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_cycles_state'))
        batch_op.drop_index('ix_coaching_cycles_rep_period')
        batch_op.drop_index(batch_op.f('ix_coaching_cycles_manager_id'))

    op.drop_table('coaching_cycles')
    op.drop_table('coaching_competency_lists')
