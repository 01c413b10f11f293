"""two-factor sign-in: each user's TOTP secret (encrypted) and their single-use recovery codes (hashed)

Revision ID: 0017_two_factor
Revises: 0016_sealed_audit_logs
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0017_two_factor'
down_revision = '0016_sealed_audit_logs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('two_factor_credential',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_encrypted', sa.String(length=255), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', app.types.UTCDateTime(), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_two_factor_credential_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor_credential'))
    )
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', app.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    op.drop_table('two_factor_credential')
