"""Recognition, team leaderboard settings and weekly digest settings for the home pages

Revision ID: 0017_dashboards
Revises: 0016_scorecards
Create Date: 2026-12-06 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from coachflow.platform.time import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0017_dashboards'
down_revision = '0016_scorecards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'recognitions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('giver_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=280), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('giver_id <> recipient_id', name=op.f('ck_recognitions_not_to_oneself')),
        sa.CheckConstraint('length(reason) > 0', name=op.f('ck_recognitions_reason_given')),
        sa.ForeignKeyConstraint(['giver_id'], ['users.id'], name=op.f('fk_recognitions_giver_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_recognitions_recipient_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_recognitions_team_id_teams'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recognitions')),
    )
    op.create_index(op.f('ix_recognitions_giver_id'), 'recognitions', ['giver_id'], unique=False)
    op.create_index('ix_recognitions_recipient_created', 'recognitions', ['recipient_id', 'created_at'], unique=False)
    op.create_index('ix_recognitions_team_created', 'recognitions', ['team_id', 'created_at'], unique=False)
    op.create_table(
        'team_boards',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('leaderboard', sa.Boolean(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_boards_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_boards')),
    )
    op.create_table(
        'digest_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('last_sent_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_settings_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_settings')),
    )
    op.create_index(op.f('ix_digest_settings_last_sent_on'), 'digest_settings', ['last_sent_on'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_digest_settings_last_sent_on'), table_name='digest_settings')
    op.drop_table('digest_settings')
    op.drop_table('team_boards')
    op.drop_index('ix_recognitions_team_created', table_name='recognitions')
    op.drop_index('ix_recognitions_recipient_created', table_name='recognitions')
    op.drop_index(op.f('ix_recognitions_giver_id'), table_name='recognitions')
    op.drop_table('recognitions')
