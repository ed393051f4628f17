"""Employee pulse: pulses, rounds, invitations, the answer pool and the anonymous results

Revision ID: 0013_pulse
Revises: 0012_import_cleanup
Create Date: 2026-12-06 02:02:29.659547

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0013_pulse'
down_revision = '0012_import_cleanup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pulse_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('comment_minimum', sa.Integer(), nullable=False),
    sa.CheckConstraint('comment_minimum >= minimum', name=op.f('ck_pulse_settings_comments_not_below_scores')),
    sa.CheckConstraint('id = 1', name=op.f('ck_pulse_settings_single_row')),
    sa.CheckConstraint('minimum >= 3', name=op.f('ck_pulse_settings_minimum_at_least_three')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_settings'))
    )
    op.create_table('pulses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('schedule', sa.Enum('once', 'weekly', 'fortnightly', 'monthly', 'quarterly', name='pulse_schedule', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('everyone', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('days_open', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('days_open BETWEEN 1 AND 60', name=op.f('ck_pulses_days_open_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pulses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_pulses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulses'))
    )
    with op.batch_alter_table('pulses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulses_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulses_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulses_survey_id'), ['survey_id'], unique=False)

    op.create_table('pulse_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pulse_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='pulse_round_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('reminded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_pulse_rounds_closes_after_opening')),
    sa.ForeignKeyConstraint(['pulse_id'], ['pulses.id'], name=op.f('fk_pulse_rounds_pulse_id_pulses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['survey_versions.id'], name=op.f('fk_pulse_rounds_version_id_survey_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_rounds')),
    sa.UniqueConstraint('pulse_id', 'number', name='uq_pulse_rounds_number')
    )
    with op.batch_alter_table('pulse_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_rounds_closes_on'), ['closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_rounds_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_rounds_version_id'), ['version_id'], unique=False)

    op.create_table('pulse_teams',
    sa.Column('pulse_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pulse_id'], ['pulses.id'], name=op.f('fk_pulse_teams_pulse_id_pulses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pulse_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pulse_id', 'team_id', name=op.f('pk_pulse_teams'))
    )
    op.create_table('pulse_answer_pool',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('sort_key', sa.BigInteger(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_rounds.id'], name=op.f('fk_pulse_answer_pool_round_id_pulse_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pulse_answer_pool_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_answer_pool'))
    )
    with op.batch_alter_table('pulse_answer_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_answer_pool_round_id'), ['round_id'], unique=False)

    op.create_table('pulse_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('sent_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_rounds.id'], name=op.f('fk_pulse_invitations_round_id_pulse_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pulse_invitations_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pulse_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_invitations')),
    sa.UniqueConstraint('round_id', 'user_id', name='uq_pulse_invitations_person'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pulse_invitations_token_hash'))
    )
    with op.batch_alter_table('pulse_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_invitations_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('pulse_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_rounds.id'], name=op.f('fk_pulse_responses_round_id_pulse_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_pulse_responses_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_responses'))
    )
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_responses_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_responses_team_id'), ['team_id'], unique=False)

    op.create_table('pulse_answers',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 0 AND 10', name=op.f('ck_pulse_answers_score_range')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_pulse_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['pulse_responses.id'], name=op.f('fk_pulse_answers_response_id_pulse_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_pulse_answers'))
    )
    with op.batch_alter_table('pulse_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_answers_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pulse_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_answers_question_id'))

    op.drop_table('pulse_answers')
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_responses_team_id'))
        batch_op.drop_index(batch_op.f('ix_pulse_responses_round_id'))

    op.drop_table('pulse_responses')
    with op.batch_alter_table('pulse_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_pulse_invitations_team_id'))

    op.drop_table('pulse_invitations')
    with op.batch_alter_table('pulse_answer_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_answer_pool_round_id'))

    op.drop_table('pulse_answer_pool')
    op.drop_table('pulse_teams')
    with op.batch_alter_table('pulse_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_rounds_version_id'))
        batch_op.drop_index(batch_op.f('ix_pulse_rounds_status'))
        batch_op.drop_index(batch_op.f('ix_pulse_rounds_closes_on'))

    op.drop_table('pulse_rounds')
    with op.batch_alter_table('pulses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulses_survey_id'))
        batch_op.drop_index(batch_op.f('ix_pulses_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_pulses_active'))

    op.drop_table('pulses')
    op.drop_table('pulse_settings')
