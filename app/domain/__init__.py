"""Pure rules of the shell: no Flask, no SQLAlchemy."""
