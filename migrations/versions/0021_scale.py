"""full-text search of the opportunities on PostgreSQL: a GIN index over the frameworks' English text-search vector

Revision ID: 0021_scale
Revises: 0020_pages_work
Create Date: 2026-12-01 19:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_scale'
down_revision = '0020_pages_work'
branch_labels = None
depends_on = None

# The expression of frameworks.models.search_vector, as the queries write it (SQLite has no text search: nothing there).
SEARCH_VECTOR = "to_tsvector('english'::regconfig, (title || ' ') || description)"


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_framework_search ON framework USING gin ({SEARCH_VECTOR})")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_framework_search")
