"""Pure rules of frameworks: plain Python, no Flask, no SQLAlchemy."""
