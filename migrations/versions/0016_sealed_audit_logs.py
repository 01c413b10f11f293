"""sealed audit logs: the events about bids (and mini-competition answers) under seal, in a hash chain per seal until
it opens, append-only like the rest of the log

Revision ID: 0016_sealed_audit_logs
Revises: 0015_password_resets
Create Date: 2026-12-01 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.types  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0016_sealed_audit_logs'
down_revision = '0015_password_resets'
branch_labels = None
depends_on = None

TABLE = 'audit_sealed_event'


def upgrade():
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', app.types.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_sealed_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_sealed_event')),
    sa.UniqueConstraint('seal', 'position', name='uq_audit_sealed_event_seal_position'),
    sa.UniqueConstraint('seal', 'prev_hash', name='uq_audit_sealed_event_seal_prev_hash')
    )
    with op.batch_alter_table('mini_competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_opened_at', app.types.UTCDateTime(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':  # the refusing function is migration 0011's
        op.execute(f'CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} '
                   'FOR EACH ROW EXECUTE FUNCTION consort_audit_refuse()')
        op.execute(f'CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} '
                   'FOR EACH STATEMENT EXECUTE FUNCTION consort_audit_refuse()')
    else:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(f'CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} BEGIN '
                       f"SELECT RAISE(ABORT, 'the audit log is append-only: {verb} on {TABLE} refused'); END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}')
        op.execute(f'DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}')
    else:
        for verb in ('update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {TABLE}_no_{verb}')
    op.drop_table(TABLE)
    with op.batch_alter_table('mini_competition', schema=None) as batch_op:
        batch_op.drop_column('answers_opened_at')
