"""Let a user follow the browser's language until they choose one (a NULL language)

Revision ID: 0012_import_cleanup
Revises: 0007_suppressed_addresses
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_import_cleanup'
down_revision = '0011_organisation_branding'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=5), nullable=True)


def downgrade():
    op.execute("UPDATE users SET language = 'en' WHERE language IS NULL")
    with op.batch_alter_table('users') as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=5), nullable=False)
