"""Public pages from cache: the opportunities, a notice, its OCDS file and the public feed of releases carry an
ETag, Last-Modified and `Cache-Control: public`; a conditional GET still current is a 304 from one query; publishing,
a deadline passing or an answer changes the ETag; signed-in pages stay no-store."""
from datetime import timedelta

import pytest

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.types import utcnow
from frameworks import questions
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from tests.integration.ocds_world import CAMDEN_GSS, HACKNEY_GSS, build, build_draft
from tests.support import counting_queries, sign_in


@pytest.fixture
def people(app, make_user):
    organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code=CAMDEN_GSS)
    organisations.add("London Borough of Hackney", OrganisationKind.AUTHORITY, gss_code=HACKNEY_GSS)
    db.session.commit()
    return {
        "admin": make_user("admin@consort.example", "admin", org="Consort"),
        "camden": make_user("officer@camden.gov.uk", "officer", org="London Borough of Camden"),
        "hackney": make_user("officer@hackney.gov.uk", "officer", org="London Borough of Hackney"),
        "trust": make_user("officer@nhs.example", "officer", org="Royal Free London NHS Foundation Trust"),
        "supplier": make_user("bids@supplier.example", "supplier", org="Thames Digital Services Ltd"),
    }


@pytest.fixture
def open_framework(people):
    return build(people, FrameworkStatus.OPEN)


PAGES = ["/opportunities", "/opportunities/{id}", "/opportunities/{id}/ocds.json", "/api/v1/ocds/releases",
         "/api/v1/ocds/releases?updated_from=2020-01-01&per_page=1"]


def again(client, path: str, response):
    """The same GET, conditional on the copy `response` gave."""
    return client.get(path, headers={"If-None-Match": response.headers["ETag"]})


@pytest.mark.parametrize("page", PAGES)
def test_a_public_page_may_be_kept_and_is_revalidated_with_one_query(client, open_framework, page):
    path = page.format(id=open_framework.id)
    first = client.get(path)

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "Cookie" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers  # a page that starts a session is the visitor's own: no cache keeps it
    with counting_queries() as count:
        second = again(client, path, first)
    assert second.status_code == 304 and second.data == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Cache-Control"] == "public, max-age=60"
    assert count["n"] == 1
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_publishing_a_framework_changes_the_list_s_etag(client, people, open_framework):
    first = client.get("/opportunities")
    draft = build_draft(people)
    assert again(client, "/opportunities", first).status_code == 304  # a draft is not public

    frameworks.transition(people["admin"], draft.id, FrameworkStatus.OPEN)

    changed = again(client, "/opportunities", first)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert b"London laptops and licences" in changed.data


def test_a_deadline_passing_changes_the_etag_before_any_job_closes_the_framework(client, open_framework):
    path = f"/opportunities/{open_framework.id}"
    first = client.get(path)
    framework = db.session.get(Framework, open_framework.id)
    framework.question_deadline = utcnow() - timedelta(hours=2)
    framework.bid_deadline = utcnow() - timedelta(hours=1)  # as if the clock had moved past it
    db.session.commit()

    assert again(client, path, first).status_code == 200
    assert again(client, "/opportunities?status=all", client.get("/opportunities?status=all")).status_code == 304


def test_an_answer_published_changes_the_notice_s_etag(client, people, open_framework):
    path = f"/opportunities/{open_framework.id}"
    question = questions.ask(people["supplier"], open_framework.id, "Is refurbished stock acceptable?")
    first = client.get(path)

    questions.answer(people["admin"], question.id, "Yes, if it carries the same warranty.")

    changed = again(client, path, first)
    assert changed.status_code == 200 and b"the same warranty" in changed.data


def test_a_new_release_changes_the_ocds_file_s_etag(client, people, open_framework):
    path = f"/opportunities/{open_framework.id}/ocds.json"
    first = client.get(path)

    frameworks.transition(people["admin"], open_framework.id, FrameworkStatus.CANCELLED)

    changed = again(client, path, first)
    assert changed.status_code == 200 and len(changed.get_json()["releases"]) == 2


def test_a_new_release_changes_the_feed_s_etag(client, people, open_framework):
    path = "/api/v1/ocds/releases"
    first = client.get(path)

    frameworks.transition(people["admin"], open_framework.id, FrameworkStatus.CANCELLED)

    changed = again(client, path, first)
    assert changed.status_code == 200
    assert len(changed.get_json()["releases"]) == len(first.get_json()["releases"]) + 1


def test_a_bad_feed_query_is_a_422_and_never_kept(client, open_framework):
    response = client.get("/api/v1/ocds/releases?page=0")

    assert response.status_code == 422
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_different_searches_have_different_etags(client, open_framework):
    assert client.get("/opportunities?q=laptops").headers["ETag"] != client.get("/opportunities").headers["ETag"]


def test_signed_in_pages_stay_no_store_and_are_never_answered_304(app, people, open_framework):
    public = app.test_client().get("/opportunities")
    client = app.test_client()
    assert sign_in(client, "bids@supplier.example").status_code == 302

    response = again(client, "/opportunities", public)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
