"""Frameworks: lots, criteria, lifecycle, clarification questions, publication and OCDS."""
