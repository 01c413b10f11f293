"""signed-in sessions kept on the server

Revision ID: 0010_signed_in_sessions
Revises: 0009_mini_competitions
Create Date: 2026-12-01 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0010_signed_in_sessions'
down_revision = '0009_mini_competitions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_in_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', app.types.UTCDateTime(), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signed_in_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_in_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_signed_in_session_key_hash'))
    )
    with op.batch_alter_table('signed_in_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_in_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('signed_in_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_in_session_user_id'))
    op.drop_table('signed_in_session')
