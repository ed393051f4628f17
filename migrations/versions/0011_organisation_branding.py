"""Who is asking: the organisation's name, sender, accent colour and logo

Revision ID: 0011_organisation_branding
Revises: 0007_suppressed_addresses
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_organisation_branding'
down_revision = '0010_scheduler_lease'
branch_labels = None
depends_on = None

LOGO_COMPLETE = (
    "(logo IS NULL AND logo_type IS NULL AND logo_size IS NULL AND logo_hash IS NULL)"
    " OR (logo IS NOT NULL AND logo_type IN ('image/png', 'image/svg+xml')"
    " AND logo_size > 0 AND logo_hash IS NOT NULL)"
)


def upgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sender_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sender_address', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('accent_colour', sa.String(length=7), server_default='', nullable=False))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('logo_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('logo_hash', sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_organisation_settings_accent_colour_hex'),
            'length(accent_colour) IN (0, 7)',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_organisation_settings_logo_complete'), LOGO_COMPLETE
        )


def downgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_organisation_settings_logo_complete'), type_='check'
        )
        batch_op.drop_constraint(
            batch_op.f('ck_organisation_settings_accent_colour_hex'), type_='check'
        )
        batch_op.drop_column('logo_hash')
        batch_op.drop_column('logo_size')
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
        batch_op.drop_column('accent_colour')
        batch_op.drop_column('sender_address')
        batch_op.drop_column('sender_name')
        batch_op.drop_column('name')
