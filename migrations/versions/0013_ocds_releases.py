"""OCDS releases stored as published; organisations' PPON

Revision ID: 0013_ocds_releases
Revises: 0012_outgoing_mail
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0013_ocds_releases'
down_revision = '0012_outgoing_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ocds_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ocid', sa.String(length=120), nullable=False),
    sa.Column('release_id', sa.String(length=160), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('call_off_id', sa.Integer(), nullable=True),
    sa.Column('date', app.types.UTCDateTime(), nullable=False),
    sa.Column('tag', sa.String(length=120), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('recorded_at', app.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_off_id'], ['call_off.id'], name=op.f('fk_ocds_release_call_off_id_call_off'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_ocds_release_framework_id_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ocds_release')),
    sa.UniqueConstraint('ocid', 'release_id', name='uq_ocds_release_ocid_release_id')
    )
    with op.batch_alter_table('ocds_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ocds_release_call_off_id'), ['call_off_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocds_release_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocds_release_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocds_release_ocid'), ['ocid'], unique=False)

    # Added in place (no batch copy of the table, which SQLite would do for a constraint and which would empty the
    # tables that refer to organisations, foreign keys being on).
    op.add_column('organisation', sa.Column('ppon', sa.String(length=14), nullable=True))
    op.create_index(op.f('ix_organisation_ppon'), 'organisation', ['ppon'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_organisation_ppon'), table_name='organisation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('ppon')

    with op.batch_alter_table('ocds_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ocds_release_ocid'))
        batch_op.drop_index(batch_op.f('ix_ocds_release_framework_id'))
        batch_op.drop_index(batch_op.f('ix_ocds_release_date'))
        batch_op.drop_index(batch_op.f('ix_ocds_release_call_off_id'))
    op.drop_table('ocds_release')
