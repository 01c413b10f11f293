"""The dashboard each role lands on after signing in."""
