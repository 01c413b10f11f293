"""The record of processing's rules: every purpose complete, retention periods and their overrides."""
from datetime import date

import pytest

from app.config import retention_years
from app.domain.processing import BY_KEY, PURPOSES, Retention, RetentionRule, as_rows, with_retention_years


def test_the_record_names_the_purposes_the_issue_requires_each_complete():
    assert {"accounts", "evaluation", "board", "contracts", "levies", "savings", "publication"} <= set(BY_KEY)
    for purpose in PURPOSES:
        assert purpose.people and purpose.data and purpose.lawful_basis and purpose.recipients


def test_procurement_records_are_kept_for_the_framework_term_plus_six_years():
    for key in ("evaluation", "board", "contracts"):
        assert BY_KEY[key].retention == Retention(RetentionRule.AFTER_FRAMEWORK, 6)
    assert Retention(RetentionRule.AFTER_FRAMEWORK, 6).until(date(2027, 3, 31)) == date(2033, 3, 31)
    assert Retention(RetentionRule.AFTER_EVENT, 1).until(date(2028, 2, 29)) == date(2029, 2, 28)


def test_configured_years_change_only_the_named_retained_purposes():
    purposes = {p.key: p for p in with_retention_years({"evaluation": 10, "accounts": 3})}
    assert purposes["evaluation"].retention.years == 10
    assert purposes["board"].retention.years == 6
    assert purposes["accounts"].retention.rule == RetentionRule.UNTIL_ERASED


def test_retention_years_are_read_as_purpose_equals_years():
    assert retention_years(" evaluation=7, contracts=10 ") == {"evaluation": 7, "contracts": 10}
    assert retention_years("") == {}
    with pytest.raises(ValueError):
        retention_years("evaluation=seven")
    with pytest.raises(ValueError):
        retention_years("evaluatoin=7")


def test_the_csv_rows_have_a_cell_for_every_heading():
    assert all(len(row) == 8 for row in as_rows(PURPOSES))
