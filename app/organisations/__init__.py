"""Organisations: authorities, suppliers and the consortium."""
