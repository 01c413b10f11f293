"""rate limits in place of the lock-out: the user's failed sign-in count and lock time are dropped

Revision ID: 0018_rate_limits
Revises: 0017_two_factor
Create Date: 2026-12-01 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0018_rate_limits'
down_revision = '0017_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite (3.35 and later) and PostgreSQL both drop a column in place, so the user table is not copied.
    op.drop_column('user', 'locked_until')
    op.drop_column('user', 'failed_sign_ins')


def downgrade():
    op.add_column('user', sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('user', sa.Column('locked_until', app.types.UTCDateTime(), nullable=True))
