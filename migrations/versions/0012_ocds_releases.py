"""organisations' PPON

Revision ID: 0012_ocds_releases
Revises: 0010_signed_in_sessions
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0012_ocds_releases'
down_revision = '0010_signed_in_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch copy of the table, which SQLite would do for a constraint and which would empty the
    # tables that refer to organisations, foreign keys being on).
    op.add_column('organisation', sa.Column('ppon', sa.String(length=14), nullable=True))
    op.create_index(op.f('ix_organisation_ppon'), 'organisation', ['ppon'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_organisation_ppon'), table_name='organisation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('ppon')

