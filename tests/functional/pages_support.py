"""Shared by the tests of the site's own pages (error pages, accessibility, dashboards, the account page and admin
lists): the organisations and people of every role, signing them in, and reading a page."""
import html

from sqlalchemy import func, select

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from tests.support import sign_in

CONSORTIUM = "London Digital Purchasing Consortium"
EN_DASH = "\N{EN DASH}"  # page titles end with an en dash and "Consort"
USERS = {  # role: (e-mail, organisation)
    "admin": ("ada@ldpc.example", CONSORTIUM),
    "board": ("bernard@ldpc.example", CONSORTIUM),
    "officer": ("olivia@camden.gov.uk", "London Borough of Camden"),
    "evaluator": ("eve@islington.gov.uk", "London Borough of Islington"),
    "supplier": ("sam@thamesdigital.example", "Thames Digital Services Ltd"),
}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def make_world(make_user) -> dict[str, int]:
    """A consortium, three authorities, four suppliers (two SMEs) and a user of each role; their users' ids."""
    organisations.add(CONSORTIUM, OrganisationKind.CONSORTIUM)
    for name, gss in [("London Borough of Camden", "E09000007"), ("London Borough of Hackney", "E09000012"),
                      ("London Borough of Islington", "E09000019")]:
        organisations.add(name, OrganisationKind.AUTHORITY, gss_code=gss)
    for name, number, sme in [("Thames Digital Services Ltd", "09123451", True),
                              ("Bankside Cloud Ltd", "10234562", True),
                              ("Albion Technology Group plc", "02567895", False),
                              ("Union Jack Telecom plc", "01890128", False)]:
        organisations.add(name, OrganisationKind.SUPPLIER, sme=sme, companies_house_number=number)
    db.session.commit()
    ids = {}
    for role, (email, organisation) in USERS.items():
        ids[role] = make_user(email, role, organisation).id
    return ids


def signed_in(app, role: str):
    client = app.test_client()
    assert sign_in(client, USERS[role][0]).status_code == 302
    return client
