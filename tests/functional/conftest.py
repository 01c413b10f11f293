"""Fixtures shared by the functional tests of the pages of requirements, frameworks, lots and tender notices: people
of every role, test clients signed in as them, and a draft or published framework.

(The tests of the API and of the site's other pages each declare their own `world` fixture: the word means a
different thing to each.)"""
from decimal import Decimal

import pytest

from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement
from tests.support import sign_in

# who -> (e-mail, role, organisation)
PEOPLE = {
    "admin": ("ada@ldpc.example", "admin", "London Digital Purchasing Consortium"),
    "board": ("bernard@ldpc.example", "board", "London Digital Purchasing Consortium"),
    "camden": ("olivia@camden.gov.uk", "officer", "London Borough of Camden"),
    "hackney": ("kwame@hackney.gov.uk", "officer", "London Borough of Hackney"),
    "islington": ("ines@islington.gov.uk", "officer", "London Borough of Islington"),
    "evaluator": ("eve@islington.gov.uk", "evaluator", "London Borough of Islington"),
    "supplier": ("sam@thamesdigital.example", "supplier", "Thames Digital Services Ltd"),
}


@pytest.fixture
def people(app, make_user):
    """Make people when first asked for (hashing passwords is deliberately slow)."""
    made = {}

    def person(who: str):
        if who not in made:
            email, role, organisation = PEOPLE[who]
            made[who] = make_user(email, role=role, org=organisation)
        return made[who]

    return person


@pytest.fixture
def as_(app, people):
    """A test client signed in as someone, through the sign-in form."""
    clients = {}

    def client_for(who: str):
        if who not in clients:
            client = app.test_client()
            assert sign_in(client, people(who).email).status_code == 302
            clients[who] = client
        return clients[who]

    return client_for


@pytest.fixture
def draft(people):
    """A draft framework with one lot of laptops from Camden (200 at £800) and Hackney (100 at £750.50)."""
    camden = make_requirement(people("camden"))
    hackney = make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))
    framework = make_framework(people("admin"))
    lot = make_lot(people("admin"), framework.id, [camden.id, hackney.id])
    return framework, lot


@pytest.fixture
def published(people, draft):
    framework, lot = draft
    frameworks.transition(people("admin"), framework.id, FrameworkStatus.OPEN)
    return framework, lot
