"""The record of processing as this deployment configures it (retention periods from `RETENTION_YEARS`)."""
from flask import current_app

from app.domain.processing import BY_KEY, Purpose, with_retention_years


def purposes() -> tuple[Purpose, ...]:
    """Every purpose, with the retention periods the configuration sets."""
    overrides = current_app.config.get("RETENTION_YEARS") or {}
    unknown = sorted(set(overrides) - set(BY_KEY))
    if unknown:
        raise ValueError(f"RETENTION_YEARS names no purpose of the record: {', '.join(unknown)}")
    return with_retention_years(overrides)


def purpose(key: str) -> Purpose:
    return next(p for p in purposes() if p.key == key)
