"""Pure rules of suppliers: plain Python, no Flask, no SQLAlchemy."""
