"""Fixtures of the OCDS tests (test_ocds.py, test_ocds_releases.py): the people, a framework in each published state,
and a valid package to break."""
import pytest

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from consort.publication.ocds import validation_errors
from tests.integration.ocds_world import CAMDEN_GSS, HACKNEY_GSS, PUBLISHED_STATES, S, build, package_of


@pytest.fixture
def people(app, make_user):
    """An admin of the consortium, and officers of three authorities: two boroughs with GSS codes, one trust without."""
    organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code=CAMDEN_GSS)
    organisations.add("London Borough of Hackney", OrganisationKind.AUTHORITY, gss_code=HACKNEY_GSS)
    db.session.commit()
    return {
        "admin": make_user("admin@consort.example", "admin", org="Consort"),
        "camden": make_user("officer@camden.gov.uk", "officer", org="London Borough of Camden"),
        "hackney": make_user("officer@hackney.gov.uk", "officer", org="London Borough of Hackney"),
        "trust": make_user("officer@nhs.example", "officer", org="Royal Free London NHS Foundation Trust"),
    }


@pytest.fixture(params=PUBLISHED_STATES, ids=[s.value for s in PUBLISHED_STATES])
def published(request, app, people):
    state = request.param
    framework = build(people, state)
    return state, framework, package_of(app, framework.id)


@pytest.fixture
def valid_package(app, people):
    package = package_of(app, build(people, S.OPEN).id)
    assert validation_errors(package) == []
    return package
