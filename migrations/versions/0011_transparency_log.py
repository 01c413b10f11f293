"""the audit log as a transparency log: leaf positions, the Merkle tree's nodes, signed checkpoints, the receipt's
leaf, and triggers that refuse to change or remove any of it

Revision ID: 0011_transparency_log
Revises: 0010_signed_in_sessions
Create Date: 2026-12-01 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.domain import merkle


# revision identifiers, used by Alembic.
revision = '0011_transparency_log'
down_revision = '0010_signed_in_sessions'
branch_labels = None
depends_on = None

APPEND_ONLY = ('audit_event', 'audit_tree_node', 'audit_checkpoint')

POSTGRESQL_REFUSE = """
CREATE FUNCTION consort_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _install_triggers(dialect: str) -> None:
    if dialect == 'postgresql':
        op.execute(POSTGRESQL_REFUSE)
        for table in APPEND_ONLY:
            op.execute(f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} '
                       'FOR EACH ROW EXECUTE FUNCTION consort_audit_refuse()')
            op.execute(f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} '
                       'FOR EACH STATEMENT EXECUTE FUNCTION consort_audit_refuse()')
    else:
        for table in APPEND_ONLY:
            for verb in ('UPDATE', 'DELETE'):
                op.execute(f'CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN '
                           f"SELECT RAISE(ABORT, 'the audit log is append-only: {verb} on {table} refused'); END")


def _drop_triggers(dialect: str) -> None:
    if dialect == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}')
        op.execute('DROP FUNCTION IF EXISTS consort_audit_refuse()')
    else:
        for table in APPEND_ONLY:
            for verb in ('update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_no_{verb}')


def _backfill(connection) -> None:
    """Existing events take their leaves in id order, and the tree is built over them."""
    rows = connection.execute(sa.text('SELECT id, hash FROM audit_event ORDER BY id')).all()
    nodes: dict = {}
    for position, (event_id, digest) in enumerate(rows):
        connection.execute(sa.text('UPDATE audit_event SET log_index = :i WHERE id = :id'),
                           {'i': position, 'id': event_id})
        siblings = {key: nodes[key] for key in merkle.left_siblings(position)}
        nodes.update(merkle.append(position, bytes.fromhex(digest), siblings))
    if nodes:
        connection.execute(sa.text('INSERT INTO audit_tree_node (level, position, hash) VALUES (:l, :p, :h)'),
                           [{'l': level, 'p': position, 'h': value.hex()}
                            for (level, position), value in nodes.items()])


def upgrade():
    op.create_table('audit_tree_node',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('position', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('level', 'position', name=op.f('pk_audit_tree_node'))
    )
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('signature', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoint_tree_size'), ['tree_size'], unique=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_index', sa.BigInteger(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('log_index', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_log_index'), ['log_index'])
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_log_index', sa.BigInteger(), nullable=True))
    _install_triggers(op.get_bind().dialect.name)


def downgrade():
    _drop_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_column('receipt_log_index')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_log_index'), type_='unique')
        batch_op.drop_column('log_index')
    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoint_tree_size'))
    op.drop_table('audit_checkpoint')
    op.drop_table('audit_tree_node')
