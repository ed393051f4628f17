"""Index deals by close date and records by update time

Revision ID: 0004_sales_indexes
Revises: 0003_surveys
Create Date: 2026-11-25 14:55:09.071435

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0004_sales_indexes'
down_revision = '0003_surveys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('customer_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_accounts_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index('ix_deals_closed_stage', ['closed_on', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotas_updated_at'), ['updated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotas_updated_at'))

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_updated_at'))
        batch_op.drop_index('ix_deals_closed_stage')

    with op.batch_alter_table('customer_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_accounts_updated_at'))

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_updated_at'))

