"""Follow-up cases, rules, root causes and deal triggers

Revision ID: 0014_followups
Revises: 0013_pulse
Create Date: 2026-12-06 02:02:05.795411

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0014_followups'
down_revision = '0013_pulse'
branch_labels = None
depends_on = None

SEEDED_ROOT_CAUSES = ('product', 'price', 'delivery', 'service', 'marketing', 'training', 'sales_conversation', 'other')


def upgrade():
    op.create_table('followup_root_causes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_root_causes')),
    sa.UniqueConstraint('code', name=op.f('uq_followup_root_causes_code'))
    )
    op.create_table('followup_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('nps_max', sa.Integer(), nullable=True),
    sa.Column('csat_max', sa.Integer(), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('due_workdays', sa.Integer(), nullable=False),
    sa.Column('resurvey', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('csat_max IS NULL OR (csat_max >= 1 AND csat_max <= 4)', name=op.f('ck_followup_rules_csat_in_scale')),
    sa.CheckConstraint('due_workdays >= 1 AND due_workdays <= 30', name=op.f('ck_followup_rules_due_in_range')),
    sa.CheckConstraint('nps_max IS NULL OR (nps_max >= 0 AND nps_max <= 9)', name=op.f('ck_followup_rules_nps_in_scale')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_followup_rules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_followup_rules_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_rules'))
    )
    with op.batch_alter_table('followup_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_rules_team_id'), ['team_id'], unique=False)

    op.create_table('followup_deal_triggers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('delay_days', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('delay_days >= 0 AND delay_days <= 90', name=op.f('ck_followup_deal_triggers_delay_in_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_followup_deal_triggers_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_followup_deal_triggers_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_deal_triggers'))
    )
    with op.batch_alter_table('followup_deal_triggers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_deal_triggers_survey_id'), ['survey_id'], unique=False)

    op.create_table('followup_triggered_deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('invited', 'no_contact', 'excluded', name='trigger_outcome', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_followup_triggered_deals_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_followup_triggered_deals_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trigger_id'], ['followup_deal_triggers.id'], name=op.f('fk_followup_triggered_deals_trigger_id_followup_deal_triggers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_triggered_deals')),
    sa.UniqueConstraint('trigger_id', 'deal_id', name='uq_followup_triggered_deals_deal')
    )
    with op.batch_alter_table('followup_triggered_deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_triggered_deals_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index('ix_followup_triggered_deals_outcome', ['trigger_id', 'outcome'], unique=False)

    op.create_table('followup_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('nps', 'csat', 'keyword', name='case_reason', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'contacted', 'resolved', 'could_not_resolve', name='case_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('opened_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_contact_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('root_cause_id', sa.Integer(), nullable=True),
    sa.Column('overdue_notified_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resurvey_invitation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_followup_cases_account_id_customer_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_followup_cases_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_followup_cases_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_followup_cases_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_followup_cases_rep_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_followup_cases_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resurvey_invitation_id'], ['invitations.id'], name=op.f('fk_followup_cases_resurvey_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['root_cause_id'], ['followup_root_causes.id'], name=op.f('fk_followup_cases_root_cause_id_followup_root_causes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rule_id'], ['followup_rules.id'], name=op.f('fk_followup_cases_rule_id_followup_rules'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_followup_cases_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_cases')),
    sa.UniqueConstraint('response_id', name='uq_followup_cases_response')
    )
    with op.batch_alter_table('followup_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_cases_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_followup_cases_opened', ['opened_at'], unique=False)
        batch_op.create_index('ix_followup_cases_rep_opened', ['rep_id', 'opened_at'], unique=False)
        batch_op.create_index('ix_followup_cases_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_followup_cases_team_opened', ['team_id', 'opened_at'], unique=False)

    op.create_table('followup_evaluations',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_followup_evaluations_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_followup_evaluations'))
    )
    op.create_table('followup_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('note', 'call', 'email', 'meeting', 'state_change', 'reassignment', 'resurvey', name='case_event_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_followup_events_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['followup_cases.id'], name=op.f('fk_followup_events_case_id_followup_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_followup_events_to_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_events'))
    )
    with op.batch_alter_table('followup_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_events_case_id'), ['case_id'], unique=False)

    # The seeded root causes; their names are translated by code (followups/labels.py).
    root_causes = sa.table(
        'followup_root_causes',
        sa.column('code', sa.String), sa.column('name', sa.String), sa.column('position', sa.Integer),
        sa.column('active', sa.Boolean), sa.column('created_at', coachflow.platform.time.UTCDateTime),
    )
    now = coachflow.platform.time.utcnow()
    op.bulk_insert(root_causes, [
        {'code': code, 'name': '', 'position': position, 'active': True, 'created_at': now}
        for position, code in enumerate(SEEDED_ROOT_CAUSES)
    ])



def downgrade():
    with op.batch_alter_table('followup_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_events_case_id'))

    op.drop_table('followup_events')
    op.drop_table('followup_evaluations')
    with op.batch_alter_table('followup_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_cases_team_opened')
        batch_op.drop_index('ix_followup_cases_state_due')
        batch_op.drop_index('ix_followup_cases_rep_opened')
        batch_op.drop_index('ix_followup_cases_opened')
        batch_op.drop_index(batch_op.f('ix_followup_cases_account_id'))

    op.drop_table('followup_cases')
    with op.batch_alter_table('followup_triggered_deals', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_triggered_deals_outcome')
        batch_op.drop_index(batch_op.f('ix_followup_triggered_deals_deal_id'))

    op.drop_table('followup_triggered_deals')
    with op.batch_alter_table('followup_deal_triggers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_deal_triggers_survey_id'))

    op.drop_table('followup_deal_triggers')
    with op.batch_alter_table('followup_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_rules_team_id'))

    op.drop_table('followup_rules')
    op.drop_table('followup_root_causes')
