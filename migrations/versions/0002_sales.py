"""Sales: accounts, contacts, deals, quotas, imports, API tokens

Revision ID: 0002_sales
Revises: 0001_accounts
Create Date: 2026-11-25 13:39:34.910381

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0002_sales'
down_revision = '0001_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=32), nullable=False),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("scopes IN ('read', 'read,write')", name=op.f('ck_api_tokens_scopes_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('customer_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('territory', sa.String(length=120), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_customer_accounts_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_accounts')),
    sa.UniqueConstraint('external_id', name=op.f('uq_customer_accounts_external_id'))
    )
    with op.batch_alter_table('customer_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_accounts_owner_id'), ['owner_id'], unique=False)

    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', 'deals', 'quotas', name='import_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('kind', 'name', name='uq_import_mappings_kind_name')
    )
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', 'deals', 'quotas', name='import_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('uploaded', 'mapped', 'checking', 'checked', 'importing', 'done', 'rejected', 'failed', name='import_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=False),
    sa.Column('delimiter', sa.String(length=4), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('mapping_name', sa.String(length=120), nullable=False),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_created', sa.Integer(), nullable=False),
    sa.Column('rows_updated', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_runs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_runs_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.Enum('month', 'quarter', 'year', name='period_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('revenue_target_minor', sa.BigInteger(), nullable=False),
    sa.Column('margin_target_minor', sa.BigInteger(), nullable=False),
    sa.Column('bookings_target', sa.Integer(), nullable=False),
    sa.Column('estimates_target', sa.Integer(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bookings_target >= 0', name=op.f('ck_quotas_bookings_not_negative')),
    sa.CheckConstraint('estimates_target >= 0', name=op.f('ck_quotas_estimates_not_negative')),
    sa.CheckConstraint('margin_target_minor >= 0', name=op.f('ck_quotas_margin_not_negative')),
    sa.CheckConstraint('revenue_target_minor >= 0', name=op.f('ck_quotas_revenue_not_negative')),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_quotas_product_line_id_product_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_quotas_rep_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotas')),
    sa.UniqueConstraint('rep_id', 'period_kind', 'period_start', 'product_line_id', name='uq_quotas_target')
    )
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.create_index('ix_quotas_period', ['period_kind', 'period_start'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('opted_out_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('en', 'de', 'fr')", name=op.f('ck_contacts_language_supported')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_contacts_email_lowercase')),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_contacts_account_id_customer_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('email', name=op.f('uq_contacts_email')),
    sa.UniqueConstraint('external_id', name=op.f('uq_contacts_external_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_account_id'), ['account_id'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('margin_minor', sa.BigInteger(), nullable=True),
    sa.Column('stage', sa.Enum('open', 'won', 'lost', name='deal_stage', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage = 'open' OR closed_on IS NOT NULL", name=op.f('ck_deals_closed_deal_has_date')),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_deals_amount_not_negative')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_deals_currency_iso')),
    sa.CheckConstraint('margin_minor IS NULL OR margin_minor <= amount_minor', name=op.f('ck_deals_margin_within_amount')),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_deals_account_id_customer_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_deals_product_line_id_product_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_deals_rep_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('external_id', name=op.f('uq_deals_external_id'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index('ix_deals_account_closed', ['account_id', 'closed_on'], unique=False)
        batch_op.create_index('ix_deals_line_closed', ['product_line_id', 'closed_on'], unique=False)
        batch_op.create_index('ix_deals_rep_closed', ['rep_id', 'closed_on'], unique=False)

    op.create_table('import_file_chunks',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], name=op.f('fk_import_file_chunks_run_id_import_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'seq', name=op.f('pk_import_file_chunks'))
    )


def downgrade():
    op.drop_table('import_file_chunks')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_rep_closed')
        batch_op.drop_index('ix_deals_line_closed')
        batch_op.drop_index('ix_deals_account_closed')

    op.drop_table('deals')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_account_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.drop_index('ix_quotas_period')

    op.drop_table('quotas')
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_runs_created_by_id'))

    op.drop_table('import_runs')
    op.drop_table('import_mappings')
    with op.batch_alter_table('customer_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_accounts_owner_id'))

    op.drop_table('customer_accounts')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
