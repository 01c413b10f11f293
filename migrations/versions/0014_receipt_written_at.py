"""a bid's receipt keeps when the submission reached us and, apart, when it was written

Revision ID: 0014_receipt_written_at
Revises: 0013_ocds_releases
Create Date: 2026-12-01 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0014_receipt_written_at'
down_revision = '0013_ocds_releases'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_written_at', app.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_column('receipt_written_at')
