"""Signing up through the real pages: a supplier registers its company, an officer joins an authority."""
import html
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from tests.support import PASSWORD, csrf_token, sign_in


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str | None:
    """The error shown beside a field, as its <p id="...-error">."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page(response), re.S)
    if not match:
        return None
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "", 1).strip()


def rows() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, User, AuditEvent)}


def signed_in_email(client) -> str | None:
    response = client.get("/dashboard")
    if response.status_code != 200:
        return None
    match = re.search(r"Signed in as (\S+) \(", page(response))
    return match.group(1) if match else None


# --- suppliers --------------------------------------------------------------------------------------------------

SUPPLIER = {
    "company_name": "Bankside Cloud Ltd", "companies_house_number": "sc 123456", "sme": "y",
    "name": "  Sam   Patel ", "email": "Sam.Patel@Bankside.example", "password": PASSWORD, "confirm": PASSWORD,
}


def post_supplier(client, **changes):
    data = {k: v for k, v in (SUPPLIER | changes).items() if v is not None}
    data["csrf_token"] = csrf_token(client, "/sign-up/supplier")
    return client.post("/sign-up/supplier", data=data)


def test_a_supplier_registers_its_company_and_first_user_and_is_signed_in(client):
    response = post_supplier(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Bankside Cloud Ltd"
    assert organisation.kind == OrganisationKind.SUPPLIER
    assert organisation.sme is True
    assert organisation.companies_house_number == "SC123456"
    user = db.session.scalar(select(User))
    assert user.email == "sam.patel@bankside.example"
    assert user.name == "Sam Patel"
    assert user.role == Role.SUPPLIER
    assert user.organisation_id == organisation.id
    assert rows() == {"Organisation": 1, "User": 1, "AuditEvent": 2}

    events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    assert set(events) == {"organisation.created", "user.signed_up"}
    assert events["organisation.created"].object_id == str(organisation.id)
    assert events["organisation.created"].after["companies_house_number"] == "SC123456"
    assert events["user.signed_up"].object_id == str(user.id)
    assert events["user.signed_up"].after["organisation_id"] == organisation.id

    dashboard = page(client.get("/dashboard"))
    assert "Supplier dashboard" in dashboard
    assert "Signed in as sam.patel@bankside.example (supplier, Bankside Cloud Ltd)" in dashboard


def test_the_welcome_message_names_the_company(client):
    post_supplier(client)

    assert "Bankside Cloud Ltd is registered on Consort." in page(client.get("/dashboard"))


def test_a_supplier_that_is_not_an_sme_says_so_by_leaving_the_box_unticked(client):
    response = post_supplier(client, sme=None)

    assert response.status_code == 302
    assert db.session.scalar(select(Organisation)).sme is False


@pytest.fixture
def registered_supplier(app):
    organisations.add("Thames Digital Services Ltd", OrganisationKind.SUPPLIER, sme=True,
                      companies_house_number="09123451")
    db.session.commit()
    from app.accounts import services as accounts

    accounts.create_user("sam@thamesdigital.example", PASSWORD, Role.SUPPLIER, "Thames Digital Services Ltd")


BAD_SUPPLIER_INPUT = [
    pytest.param({"company_name": ""}, "company_name", "Enter your company's registered name.", id="no-company-name"),
    pytest.param({"company_name": "   "}, "company_name", "Enter your company's registered name.",
                 id="blank-company-name"),
    pytest.param({"companies_house_number": ""}, "companies_house_number", "Enter your Companies House number.",
                 id="no-companies-house-number"),
    pytest.param({"name": ""}, "name", "Enter your full name.", id="no-name"),
    pytest.param({"email": ""}, "email", "Enter your e-mail address.", id="no-email"),
    pytest.param({"password": "", "confirm": ""}, "password", "Choose a password.", id="no-password"),
    pytest.param({"confirm": ""}, "confirm", "Type your password again.", id="no-confirmation"),
    pytest.param({"email": "sam.bankside.example"}, "email", "Enter an e-mail address in the right format",
                 id="email-without-at"),
    pytest.param({"email": "sam@"}, "email", "Enter an e-mail address in the right format", id="email-without-domain"),
    pytest.param({"password": "short", "confirm": "short"}, "password", "Use a password of 12 to 256 characters.",
                 id="short-password"),
    pytest.param({"password": "sam.patel@bankside.example", "confirm": "sam.patel@bankside.example"},
                 "password", "Do not use your e-mail address as your password.", id="password-is-the-email"),
    pytest.param({"password": "SAM.PATEL@BANKSIDE.EXAMPLE", "confirm": "SAM.PATEL@BANKSIDE.EXAMPLE"},
                 "password", "Do not use your e-mail address as your password.",
                 id="password-is-the-email-in-capitals"),
    pytest.param({"password": "aaaaaaaaaaaaaaaa", "confirm": "aaaaaaaaaaaaaaaa"}, "password",
                 "Use a password with more than a few different characters.", id="password-of-one-character"),
    pytest.param({"confirm": PASSWORD + "!"}, "confirm", "The two passwords do not match.",
                 id="mismatched-confirmation"),
    pytest.param({"companies_house_number": "123"}, "companies_house_number",
                 "Enter a Companies House number of 8 digits, or 2 letters and 6 digits", id="companies-house-123"),
    pytest.param({"companies_house_number": "ABCDEFGH"}, "companies_house_number",
                 "Enter a Companies House number of 8 digits, or 2 letters and 6 digits",
                 id="companies-house-ABCDEFGH"),
    pytest.param({"companies_house_number": "1234567890123"}, "companies_house_number",
                 "Use at most 12 characters.", id="companies-house-too-long"),
    pytest.param({"company_name": "thames   DIGITAL services ltd"}, "company_name",
                 "An organisation called 'thames DIGITAL services ltd' is already registered.",
                 id="duplicate-company-name-in-other-case"),
    pytest.param({"companies_house_number": "09 123 451"}, "companies_house_number",
                 "A supplier with this Companies House number is already registered.",
                 id="duplicate-companies-house-number"),
    pytest.param({"email": "SAM@ThamesDigital.example"}, "email",
                 "An account with this e-mail address already exists. Sign in instead.",
                 id="existing-email-in-other-case"),
    pytest.param({"company_name": "C" * 300}, "company_name", "Use at most 200 characters.",
                 id="300-char-company-name"),
    pytest.param({"name": "N" * 300}, "name", "Use at most 200 characters.", id="300-char-name"),
    pytest.param({"email": "e" * 250 + "@bankside.example"}, "email",
                 "Enter an e-mail address in the right format", id="overlong-email"),
]


@pytest.mark.parametrize("changes, field, message", BAD_SUPPLIER_INPUT)
def test_bad_supplier_input_is_refused_beside_its_field_and_writes_nothing(
        client, registered_supplier, changes, field, message):
    before = rows()

    response = post_supplier(client, **changes)

    assert response.status_code == 422
    error = field_error(response, field)
    assert error is not None, f"no error shown beside {field}"
    assert error.startswith(message)
    assert f'<a href="#{field}">{error}</a>' in page(response), "the error summary links to the field"
    assert rows() == before
    assert signed_in_email(client) is None


def test_every_problem_is_reported_at_once_and_nothing_is_written(client, registered_supplier):
    before = rows()

    response = post_supplier(client, company_name="Thames Digital Services Ltd", companies_house_number="ABCDEFGH",
                             email="sam@thamesdigital.example")

    assert response.status_code == 422
    assert "already registered" in field_error(response, "company_name")
    assert "already exists" in field_error(response, "email")
    assert field_error(response, "name") is None
    assert rows() == before


def test_the_form_keeps_what_was_typed_except_the_passwords(client):
    response = post_supplier(client, companies_house_number="123")

    text = page(response)
    assert 'value="Bankside Cloud Ltd"' in text
    assert 'value="Sam.Patel@Bankside.example"' in text
    assert PASSWORD not in text


# --- officers ---------------------------------------------------------------------------------------------------

@pytest.fixture
def camden(app) -> int:
    authority = organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code="E09000007",
                                  domains=["camden.gov.uk"])
    organisations.add("London Borough of Hackney", OrganisationKind.AUTHORITY, gss_code="E09000012",
                      domains=["hackney.gov.uk"])
    db.session.commit()
    return authority.id


OFFICER = {"name": "Olivia Carter", "email": "olivia.carter@camden.gov.uk", "password": PASSWORD, "confirm": PASSWORD}


def post_officer(client, authority_id, **changes):
    data = (OFFICER | changes) | {"authority_id": authority_id}
    data["csrf_token"] = csrf_token(client, "/sign-up/officer")
    return client.post("/sign-up/officer", data=data)


def test_the_officer_form_lists_the_authorities(client, camden):
    text = page(client.get("/sign-up/officer"))

    assert f'<option value="{camden}">London Borough of Camden</option>' in text
    assert ">London Borough of Hackney</option>" in text


@pytest.mark.parametrize("email", ["olivia.carter@camden.gov.uk", "Olivia.Carter@CAMDEN.GOV.UK"])
def test_an_officer_signs_up_from_a_domain_the_authority_allows(client, camden, email):
    response = post_officer(client, camden, email=email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    user = db.session.scalar(select(User))
    assert user.email == "olivia.carter@camden.gov.uk"
    assert user.role == Role.OFFICER
    assert user.organisation_id == camden
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.signed_up"))
    assert event.object_id == str(user.id)
    dashboard = page(client.get("/dashboard"))
    assert "You are an officer of London Borough of Camden." in dashboard
    assert "Signed in as olivia.carter@camden.gov.uk (officer, London Borough of Camden)" in dashboard


@pytest.mark.parametrize("email", ["olivia@hackney.gov.uk", "olivia@gmail.com", "olivia@evil-camden.gov.uk",
                                   "olivia@camden.gov.uk.evil.example"])
def test_an_officer_from_another_domain_is_refused_with_the_allowed_domain_named(client, camden, email):
    before = rows()

    response = post_officer(client, camden, email=email)

    assert response.status_code == 422
    error = field_error(response, "email")
    assert "London Borough of Camden accepts sign-ups only from e-mail addresses at camden.gov.uk" in error
    assert rows() == before
    assert signed_in_email(client) is None


def test_an_authority_without_domains_sends_officers_to_an_administrator(client, app):
    authority = organisations.add("City of London Corporation", OrganisationKind.AUTHORITY)
    db.session.commit()
    before = rows()

    response = post_officer(client, authority.id, email="olivia@cityoflondon.gov.uk")

    assert response.status_code == 422
    assert "has no sign-up domains yet" in field_error(response, "email")
    assert rows() == before


def test_no_authority_chosen_is_refused(client, camden):
    before = rows()

    response = post_officer(client, 0)

    assert response.status_code == 422
    assert field_error(response, "authority_id") == "Choose your authority."
    assert '<a href="#authority_id">Choose your authority.</a>' in page(response)
    assert rows() == before


@pytest.mark.parametrize("which", ["unknown-id", "a-supplier"])
def test_an_organisation_that_is_not_an_authority_cannot_be_chosen(client, camden, which):
    if which == "a-supplier":
        supplier = organisations.add("Bankside Cloud Ltd", OrganisationKind.SUPPLIER)
        db.session.commit()
        authority_id = supplier.id
    else:
        authority_id = 99999
    before = rows()

    response = post_officer(client, authority_id, email="olivia@bankside.example")

    assert response.status_code == 422
    assert field_error(response, "authority_id") == "Choose your authority from the list."
    assert rows() == before


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter your full name."),
    ({"password": "short", "confirm": "short"}, "password", "Use a password of 12 to 256 characters."),
    ({"confirm": "something else entirely"}, "confirm", "The two passwords do not match."),
    ({"password": OFFICER["email"], "confirm": OFFICER["email"]}, "password",
     "Do not use your e-mail address as your password."),
    ({"email": "not-an-email"}, "email", "Enter an e-mail address in the right format"),
], ids=["no-name", "short-password", "mismatched-confirmation", "password-is-the-email", "bad-email"])
def test_bad_officer_input_is_refused_beside_its_field_and_writes_nothing(client, camden, changes, field, message):
    before = rows()

    response = post_officer(client, camden, **changes)

    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert rows() == before


def test_an_officer_cannot_sign_up_twice(client, app, camden):
    assert post_officer(client, camden).status_code == 302
    before = rows()

    response = post_officer(app.test_client(), camden, email="OLIVIA.CARTER@camden.gov.uk")

    assert response.status_code == 422
    assert field_error(response, "email").startswith("An account with this e-mail address already exists.")
    assert rows() == before


def test_domains_an_admin_saves_on_the_organisation_page_open_officer_sign_up(app, client, make_user):
    authority = organisations.add("London Borough of Hackney", OrganisationKind.AUTHORITY)
    db.session.commit()
    authority_id = authority.id
    make_user("ada@ldpc.example", "admin", "London Digital Purchasing Consortium", kind="consortium")
    admin = app.test_client()
    sign_in(admin, "ada@ldpc.example")
    assert post_officer(client, authority_id, email="kwame@hackney.gov.uk").status_code == 422

    saved = admin.post(f"/admin/organisations/{authority_id}", data={
        "csrf_token": csrf_token(admin, f"/admin/organisations/{authority_id}"),
        "domains": "Hackney.gov.uk\n@hackney.example\n"})

    assert saved.status_code == 302
    assert [d.domain for d in db.session.get(Organisation, authority_id).domains] == [
        "hackney.example", "hackney.gov.uk"]
    response = post_officer(app.test_client(), authority_id, email="kwame@hackney.gov.uk")
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "kwame@hackney.gov.uk")).organisation_id == authority_id
