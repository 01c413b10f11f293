"""The error pages: a page for people and JSON for the API, a way back from each, and a 500 that undoes what the
request wrote."""
import pytest
from flask import jsonify, request_finished
from sqlalchemy import insert

from app.audit.models import AuditEvent
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from tests.functional.pages_support import EN_DASH, count, make_world, page, signed_in


@pytest.fixture
def world(app, make_user) -> dict[str, int]:
    return make_world(make_user)


def test_an_unknown_address_gives_a_404_page_with_a_way_back(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = page(response)
    assert f"<title>Page not found {EN_DASH} Consort</title>" in text
    assert "<h1>Page not found</h1>" in text
    assert "There is nothing at this address." in text
    assert '<a href="/">go to the home page</a>' in text
    assert '<a href="/sign-in">Sign in</a>' in text


def test_a_signed_in_user_is_offered_their_dashboard_from_the_404_page(app, world):
    response = signed_in(app, "officer").get("/no/such/page")

    assert response.status_code == 404
    assert '<a href="/dashboard">Go to your dashboard</a>' in page(response)


def test_an_unknown_api_address_answers_json_not_a_page(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_an_officer_gets_a_403_page_on_the_admin_users_page(app, world):
    response = signed_in(app, "officer").get("/admin/users")

    assert response.status_code == 403
    assert response.mimetype == "text/html"
    text = page(response)
    assert "<h1>You do not have access to this page</h1>" in text
    assert "This page is for admin users." in text
    assert '<a href="/dashboard">Go to your dashboard</a>' in text


EXPLODED_NAME = "Half-made Organisation Ltd"


@pytest.mark.own_app
@pytest.mark.parametrize("failure", ["python-error", "database-error"])
@pytest.mark.parametrize("prefix", ["", "/api/v1"], ids=["page", "api"])
def test_an_unexpected_error_gives_a_500_and_rolls_back_what_the_request_wrote(app, world, failure, prefix):
    def explode():
        organisations.add(EXPLODED_NAME, OrganisationKind.SUPPLIER)  # added and flushed, not committed
        if failure == "database-error":
            db.session.execute(insert(Organisation).values(name=EXPLODED_NAME, kind="supplier"))  # unique name
        raise RuntimeError("the view fell over")

    app.add_url_rule(f"{prefix}/test-explodes", "test_explodes", explode)
    app.add_url_rule(f"{prefix}/test-fine", "test_fine", lambda: jsonify(ok=True))
    seen_by_the_request = []

    def after_the_error_handler(sender, response, **extra):
        # Still inside the request, on its own session: were its writes undone?
        seen_by_the_request.append(count(Organisation, Organisation.name == EXPLODED_NAME))

    client = signed_in(app, "officer")  # the error page then reads the signed-in user again
    request_finished.connect(after_the_error_handler, app)
    try:
        response = client.get(f"{prefix}/test-explodes")
    finally:
        request_finished.disconnect(after_the_error_handler, app)

    assert response.status_code == 500
    if prefix:
        assert response.get_json()["error"] == "server_error"
    else:
        text = page(response)
        assert "<h1>Sorry, there is a problem with the service</h1>" in text
        assert "Something went wrong on our side and nothing was saved." in text
        assert "RuntimeError" not in text and "fell over" not in text
        assert "Signed in as olivia@camden.gov.uk" in text
    assert seen_by_the_request == [0]
    assert count(Organisation, Organisation.name == EXPLODED_NAME) == 0
    assert count(AuditEvent, AuditEvent.object_type == "Organisation") == 8  # the world's, no more
    assert client.get(f"{prefix}/test-fine").status_code == 200, "the next request works"
