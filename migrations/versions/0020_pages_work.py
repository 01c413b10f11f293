"""the recommendation pack stored with its recommendation, rendered once

Revision ID: 0020_pages_work
Revises: 0019_data_protection
Create Date: 2026-12-01 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_pages_work'
down_revision = '0019_data_protection'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pack_pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pack_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_column('pack_sha256')
        batch_op.drop_column('pack_pdf')
