"""The public pages of tender notices, over HTTP with CSRF as a browser sends them: the opportunities and their
search, a notice, suppliers' clarification questions and their answers, and the notice as OCDS.

Data a page is not about is built through the real services; the page under test is always driven through
its form."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.types import LONDON
from consort.publication import ocds
from frameworks import questions
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Question
from tests.functional.framework_pages_support import (
    Tables,
    count,
    fresh,
    make_framework,
    make_lot,
    make_requirement,
    move_deadlines,
    submit,
    text_of,
)
from tests.support import csrf_token

# --- the public opportunities ------------------------------------------------------------------------------------

@pytest.fixture
def market(people):
    """Two open frameworks (devices; cloud hosting), a draft one, and a cancelled one."""
    admin = people("admin")

    def framework(title, description, category, unit, status):
        requirement = make_requirement(people("camden"), title=f"{title} need", category=category, unit=unit)
        framework = make_framework(admin, title=title, description=description)
        make_lot(admin, framework.id, [requirement.id], title=title)
        if status != FrameworkStatus.DRAFT:
            frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
        if status == FrameworkStatus.CANCELLED:
            frameworks.transition(admin, framework.id, FrameworkStatus.CANCELLED)
        return framework

    return {
        "devices": framework("Laptops for London", "Light laptops.", "devices", "laptop", FrameworkStatus.OPEN),
        "cloud": framework("Cloud hosting", "Virtual servers and backup.", "cloud_hosting", "vCPU-month",
                           FrameworkStatus.OPEN),
        "draft": framework("Secret draft telephony", "Not yet public.", "telephony", "handset",
                           FrameworkStatus.DRAFT),
        "cancelled": framework("Cancelled print", "Printers.", "managed_print", "device", FrameworkStatus.CANCELLED),
    }


def listed(response) -> list[str]:
    return re.findall(r'<h2><a href="/opportunities/\d+">([^<]+)</a></h2>', text_of(response))


def test_anyone_can_list_every_published_notice_without_signing_in(client, market):
    response = client.get("/opportunities")

    assert response.status_code == 200
    assert sorted(listed(response)) == ["Cancelled print", "Cloud hosting", "Laptops for London"]
    assert '<option value="" selected>Any</option>' in text_of(response)
    assert "Secret draft telephony" not in text_of(response)


@pytest.mark.parametrize("query, expected", [
    ({"status": "all"}, ["Cancelled print", "Cloud hosting", "Laptops for London"]),
    ({"status": "open"}, ["Cloud hosting", "Laptops for London"]),
    ({"status": "cancelled"}, ["Cancelled print"]),
    ({"status": "draft"}, []),
    ({"q": "LAPTOPS"}, ["Laptops for London"]),
    ({"q": "backup"}, ["Cloud hosting"]),
    ({"q": "telephony", "status": "all"}, []),
    ({"category": "cloud_hosting", "status": "open"}, ["Cloud hosting"]),
    ({"category": "devices", "q": "cloud"}, []),
    ({"category": "telephony", "status": "all"}, []),
    ({"category": "managed_print", "status": "all"}, ["Cancelled print"]),
], ids=["all", "open", "cancelled", "draft-never", "search-title", "search-description", "search-never-drafts",
        "category", "category-and-search", "category-never-drafts", "category-any-status"])
def test_the_opportunities_can_be_searched_and_filtered_and_never_show_drafts(client, market, query, expected):
    response = client.get("/opportunities", query_string=query)

    assert response.status_code == 200
    assert sorted(listed(response)) == expected
    assert "Secret draft telephony" not in text_of(response)


def test_a_supplier_does_not_see_drafts_even_when_signed_in(as_, market):
    assert "Secret draft telephony" not in text_of(as_("supplier").get("/opportunities?status=all"))
    assert "Secret draft telephony" not in text_of(as_("supplier").get("/frameworks"))
    assert as_("supplier").get(f"/frameworks/{market['draft'].id}").status_code == 404


@pytest.mark.parametrize("path", ["/opportunities/{id}", "/opportunities/{id}/ocds.json"])
def test_a_draft_has_no_public_notice(client, market, path):
    assert client.get(path.format(id=market["draft"].id)).status_code == 404
    assert client.get(path.format(id=999_999)).status_code == 404


def test_the_notice_shows_the_lots_criteria_weights_formula_and_dates(client, published):
    framework, _ = published
    framework = fresh(Framework, framework.id)

    response = client.get(f"/opportunities/{framework.id}")

    assert response.status_code == 200
    text = text_of(response)
    assert f"Tender notice {framework.reference}" in text
    assert '<strong class="tag tag-green">Open</strong>' in text
    assert "Lot 1: Laptops" in text
    assert "laptop, CPV 30200000-1" in text
    for label, moment in [("Questions until", framework.question_deadline), ("Bids until", framework.bid_deadline),
                          ("Published", framework.published_at)]:
        local = moment.astimezone(LONDON)
        assert f"<dt>{label}</dt><dd>{local:%-d %b %Y, %H:%M %Z}</dd>" in text
    assert "<dt>Maximum value</dt><dd>£5,000,000.00</dd>" in text
    tables = Tables(text)
    assert tables.rows("How lot 1 is scored") == [
        ["Price (relative formula)", "40", "—", "Lowest price ÷ your price × weight."],
        ["Quality of the devices", "35", "5", "—"],
        ["Social value", "25", "10", "Apprenticeships in London."],
    ]
    assert [row[0] for row in tables.rows("Pooled demand for lot 1")] == [
        "London Borough of Camden", "London Borough of Hackney"]
    assert f'href="/opportunities/{framework.id}/ocds.json"' in text
    assert f'<a href="/sign-in?next=/opportunities/{framework.id}">Sign in as a supplier</a> to ask a question.' in text
    assert 'name="text"' not in text


# --- clarification questions -------------------------------------------------------------------------------------

def test_a_supplier_asks_a_question_through_the_notice(as_, people, published):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    assert re.search(r'<textarea[^>]* id="text"[^>]* name="text"', text_of(as_("supplier").get(page)))

    response = submit(as_("supplier"), page, {"text": "Is a docking station part of lot 1?"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{page}#questions"
    question = db.session.scalar(select(Question))
    assert (question.text, question.asked_by_id, question.asker_organisation_id) == (
        "Is a docking station part of lot 1?", people("supplier").id, people("supplier").organisation_id)
    after = text_of(as_("supplier").get(page))
    assert "Your question has been sent." in after
    assert "Is a docking station part of lot 1? — awaiting an answer" in after


def test_an_empty_question_is_refused(as_, published):
    framework, _ = published

    response = submit(as_("supplier"), f"/opportunities/{framework.id}", {"text": "   "})

    assert response.status_code == 422
    assert '<a href="#text">Write your question.</a>' in text_of(response)
    assert count(Question) == 0


@pytest.mark.parametrize("who", ["camden", "admin", "evaluator", "board", None])
def test_only_a_signed_in_supplier_can_ask(app, as_, published, who):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    client = as_(who) if who else app.test_client()

    assert 'name="text"' not in text_of(client.get(page))
    token = csrf_token(client, "/opportunities" if who else "/sign-in")
    response = client.post(page, data={"csrf_token": token, "text": "May we ask?"})

    assert response.status_code == 403
    assert "Only a signed-in supplier can ask a question." in text_of(response)
    assert count(Question) == 0


def test_after_the_question_deadline_the_form_is_gone_and_a_question_is_refused(as_, published):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    token = csrf_token(as_("supplier"), page)
    move_deadlines(framework.id, question_hours=-1, bid_hours=24)

    text = text_of(as_("supplier").get(page))
    assert 'name="text"' not in text
    assert "The deadline for questions has passed." in text
    response = as_("supplier").post(page, data={"csrf_token": token, "text": "One more thing?"})

    assert response.status_code == 422
    assert "The deadline for clarification questions has passed." in text_of(response)
    assert count(Question) == 0


def test_the_admin_s_answer_is_published_on_the_notice_without_the_asker(app, as_, people, published):
    framework, _ = published
    question = questions.ask(people("supplier"), framework.id, "Must laptops have a UK keyboard?")
    detail = f"/frameworks/{framework.id}"
    assert "Must laptops have a UK keyboard?" in text_of(as_("admin").get(detail))

    response = submit(as_("admin"), detail, {"answer": "Yes, UK layout."}, action=f"/questions/{question.id}/answer")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{detail}#questions"
    assert fresh(Question, question.id).answer == "Yes, UK layout."
    public = text_of(app.test_client().get(f"/opportunities/{framework.id}"))
    assert "Q1. Must laptops have a UK keyboard?" in public
    assert "Yes, UK layout." in public
    for identity in ("Thames Digital", "sam@thamesdigital.example"):
        assert identity not in public
    again = submit(as_("admin"), detail, {"answer": "No, any layout."}, action=f"/questions/{question.id}/answer")
    assert again.status_code == 302
    assert fresh(Question, question.id).answer == "Yes, UK layout.", "an answer is given once"


# --- OCDS -------------------------------------------------------------------------------------------------------

def test_anyone_can_download_the_notice_as_valid_ocds(client, published):
    framework, _ = published

    response = client.get(f"/opportunities/{framework.id}/ocds.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    package = response.get_json()
    ocid = package["releases"][0]["ocid"]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ocid}.json"'
    assert ocds.validation_errors(package) == []
    release = package["releases"][0]
    assert [lot_["title"] for lot_ in release["tender"]["lots"]] == ["Laptops"]
    assert fresh(Framework, framework.id).reference in str(release)
