"""Rules for e-mail addresses, passwords, Companies House numbers and roles. (Repeated sign-ins are rate limited,
not locked out: see tests/functional/test_sign_in.py and test_rate_limits.py.)"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.identity import (
    email_domain,
    is_valid_companies_house_number,
    is_valid_domain,
    is_valid_ppon,
    normalise_companies_house_number,
    normalise_email,
    normalise_ppon,
    password_problem,
)
from app.domain.roles import OrganisationKind, Role, role_fits_organisation, role_mismatch_message


@given(st.emails())
def test_emails_compare_without_regard_to_case(email):
    assert normalise_email(email.upper()) == normalise_email(email.lower()) == normalise_email(f"  {email} ")


def test_email_domain_is_the_part_after_the_at_sign():
    assert email_domain("Olivia.Carter@Camden.GOV.uk") == "camden.gov.uk"


@pytest.mark.parametrize("number", ["01234567", "SC123456", "oc123456", " 0123 4567 "])
def test_companies_house_numbers_accepted(number):
    assert is_valid_companies_house_number(number)


@pytest.mark.parametrize("number", ["", "123", "1234567", "123456789", "ABCDEFGH", "S1234567", "SC12345X"])
def test_companies_house_numbers_refused(number):
    assert not is_valid_companies_house_number(number)


def test_companies_house_numbers_are_normalised():
    assert normalise_companies_house_number(" sc 123456 ") == "SC123456"


@pytest.mark.parametrize("domain,valid", [
    ("camden.gov.uk", True), ("@Hackney.gov.uk", True), ("localhost", False), ("bad domain.uk", False),
    ("-camden.gov.uk", False), ("camden..gov.uk", False),
])
def test_domains(domain, valid):
    assert is_valid_domain(domain) is valid


@pytest.mark.parametrize("password,email,problem", [
    ("short", "", "at least 12"),
    ("x" * 257, "", "at most 256"),
    ("ada@ldpc.example", "ADA@ldpc.example", "e-mail address"),
    ("aaaaaaaaaaaaaaaa", "", "different characters"),
    ("correct horse battery staple", "ada@ldpc.example", None),
])
def test_password_rules(password, email, problem):
    found = password_problem(password, email)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_fits_at_least_one_kind_and_says_why_not_otherwise(role):
    fits = [kind for kind in OrganisationKind if role_fits_organisation(role, kind)]
    assert fits
    for kind in OrganisationKind:
        message = role_mismatch_message(role, kind)
        assert (message is None) == (kind in fits)
        if message:
            assert role.value in message and kind.value in message


def test_officers_belong_to_authorities_and_suppliers_to_suppliers():
    assert role_fits_organisation(Role.OFFICER, OrganisationKind.AUTHORITY)
    assert not role_fits_organisation(Role.OFFICER, OrganisationKind.SUPPLIER)
    assert role_fits_organisation(Role.SUPPLIER, OrganisationKind.SUPPLIER)
    assert not role_fits_organisation(Role.ADMIN, OrganisationKind.AUTHORITY)


@pytest.mark.parametrize(("typed", "normal"), [
    ("PLLH-1887-BMRL", "PLLH-1887-BMRL"), ("pllh 1887 bmrl", "PLLH-1887-BMRL"), ("PLLH1887BMRL", "PLLH-1887-BMRL"),
])
def test_a_ppon_is_read_however_it_was_spaced(typed, normal):
    assert normalise_ppon(typed) == normal
    assert is_valid_ppon(typed)


@pytest.mark.parametrize("ppon", ["", "PLLH-1887", "ALLH-1887-BMRL", "P1LH-1887-BMRL", "PLLH-18A7-BMRL",
                                  "PLLH-1887-BMR1", "PLLH-1887-BMRLX"])
def test_a_malformed_ppon_is_refused(ppon):
    assert not is_valid_ppon(ppon)
