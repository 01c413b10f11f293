"""The pure rules of two-factor sign-in: the roles setting, the time step a code belongs to, replay, recovery codes."""
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from app.domain import two_factor as rules
from app.domain.roles import Role

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOON = datetime(2026, 12, 1, 12, 0, 15, tzinfo=UTC)
STEP = pyotp.TOTP(SECRET).timecode(NOON)


def code(step: int) -> str:
    return pyotp.TOTP(SECRET).generate_otp(step)


@pytest.mark.parametrize(("setting", "roles"), [
    ("admin,board,evaluator", {Role.ADMIN, Role.BOARD, Role.EVALUATOR}),
    (" Admin , ,board ", {Role.ADMIN, Role.BOARD}),
    ("", set()),
    (["supplier"], {Role.SUPPLIER}),
])
def test_the_setting_names_the_roles_that_must(setting, roles):
    assert rules.required_roles(setting) == roles


def test_an_unknown_role_in_the_setting_is_refused():
    with pytest.raises(ValueError, match="'boss'"):
        rules.required_roles("admin,boss")


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_code_of_the_step_before_now_or_after_is_accepted(offset):
    assert rules.matching_step(SECRET, code(STEP + offset), NOON, None) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_a_code_outside_the_window_is_refused(offset):
    assert code(STEP + offset) not in {code(STEP - 1), code(STEP), code(STEP + 1)}  # no collision in this example
    assert rules.matching_step(SECRET, code(STEP + offset), NOON, None) is None


def test_a_code_of_a_step_already_used_or_older_is_refused():
    assert rules.matching_step(SECRET, code(STEP), NOON, STEP) is None
    assert rules.matching_step(SECRET, code(STEP - 1), NOON, STEP) is None
    assert rules.matching_step(SECRET, code(STEP + 1), NOON, STEP) == STEP + 1


def test_a_code_still_counts_a_step_later_but_not_after_its_use():
    used = rules.matching_step(SECRET, code(STEP), NOON, None)
    assert rules.matching_step(SECRET, code(STEP), NOON + timedelta(seconds=30), used) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", None])
def test_what_is_not_six_ascii_digits_is_no_code(typed):
    assert rules.matching_step(SECRET, typed, NOON, None) is None


def test_spaces_in_a_typed_code_do_not_matter():
    typed = code(STEP)[:3] + " " + code(STEP)[3:]
    assert rules.matching_step(SECRET, typed, NOON, None) == STEP


def test_ten_recovery_codes_unlike_one_another_and_hashed_however_typed():
    codes = rules.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(rules.looks_like_recovery_code(c) for c in codes)
    first = codes[0]
    assert rules.recovery_code_hash(first) == rules.recovery_code_hash(first.lower().replace("-", " "))
    assert rules.recovery_code_hash(first) != rules.recovery_code_hash(codes[1])
    assert first not in rules.recovery_code_hash(first)


def test_a_provisioning_uri_names_consort_and_the_account():
    uri = rules.provisioning_uri(SECRET, "ada@ldpc.example")
    assert uri.startswith("otpauth://totp/Consort:ada%40ldpc.example?")
    assert f"secret={SECRET}" in uri and "issuer=Consort" in uri
    assert rules.grouped("ABCDEFGH") == "ABCD EFGH"
    assert rules.code_now(SECRET, NOON) == code(STEP)
