"""Keep erased addresses as keyed hashes so that nothing stores them again

Revision ID: 0007_suppressed_addresses
Revises: 0004_sales_indexes
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import coachflow.platform.time


# revision identifiers, used by Alembic.
revision = '0007_suppressed_addresses'
down_revision = '0006_adhoc_recipients'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suppressed_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Enum('erasure', name='suppression_reason', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coachflow.platform.time.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_suppressed_addresses_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressed_addresses')),
    sa.UniqueConstraint('address_hash', name=op.f('uq_suppressed_addresses_address_hash'))
    )


def downgrade():
    op.drop_table('suppressed_addresses')
