"""Pure rules of procurement: plain Python, no Flask, no SQLAlchemy."""
