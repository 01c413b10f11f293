"""Accessibility basics on every page, for every role: a skip link, landmarks, labelled fields, and forms with
errors that keep their fields labelled and described."""
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from app.accounts.models import Invitation
from app.accounts.tokens import digest
from app.domain.roles import Role
from app.extensions import db
from app.organisations import services as organisations
from app.types import utcnow
from tests.functional.pages_support import EN_DASH, make_world, signed_in
from tests.support import csrf_token

INVITATION_TOKEN = "an-invitation-token-for-the-page-tests-0123456789"


@pytest.fixture
def world(app, make_user) -> dict[str, int]:
    return make_world(make_user)


class PageStructure(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self):
        super().__init__()
        self.first_link: str | None = None
        self.mains: list[dict] = []
        self.navs: list[dict] = []
        self.labels_for: set[str] = set()
        self.controls: list[dict] = []
        self.ids: list[str] = []
        self.lang: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and self.first_link is None:
            self.first_link = attributes.get("href")
        elif tag == "main":
            self.mains.append(attributes)
        elif tag == "nav":
            self.navs.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.labels_for.add(attributes["for"])
        elif tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit", "button"}:
            self.controls.append(dict(attributes, tag=tag))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_accessibility_basics(response) -> PageStructure:
    structure = PageStructure()
    structure.feed(response.get_data(as_text=True))
    assert structure.lang == "en-GB"
    assert structure.title.strip().endswith(f"{EN_DASH} Consort")
    assert structure.first_link == "#main", "the first link on the page skips to the main content"
    assert [m.get("id") for m in structure.mains] == ["main"], "one <main id=main>"
    assert structure.navs, "a <nav>"
    assert all(n.get("aria-label") for n in structure.navs), "every <nav> has an aria-label"
    for control in structure.controls:
        assert control.get("id"), f"a {control['tag']} named {control.get('name')} has no id to label"
        assert control["id"] in structure.labels_for, f"no <label for={control['id']}>"
    duplicates = {i for i in structure.ids if structure.ids.count(i) > 1}
    assert not duplicates, f"ids used twice: {duplicates}"
    for described in re.findall(r'aria-describedby="([^"]+)"', response.get_data(as_text=True)):
        for ref in described.split():
            assert ref in structure.ids, f"aria-describedby names a missing element {ref}"
    return structure


@pytest.fixture
def invitation(world):
    db.session.add(Invitation(
        email="new@camden.gov.uk", role=Role.OFFICER, organisation_id=organisations.find_by_name(
            "London Borough of Camden").id, invited_by_id=world["admin"], token_hash=digest(INVITATION_TOKEN),
        created_at=utcnow(), expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()


ANONYMOUS_PAGES = ["/", "/sign-in", "/sign-up", "/sign-up/supplier", "/sign-up/officer",
                   f"/invitations/{INVITATION_TOKEN}", "/no/such/page"]
ADMIN_PAGES = ["/dashboard", "/account", "/admin/users", "/admin/invitations", "/admin/organisations",
               "/admin/organisations/{camden}", "/admin/audit", "/no/such/page"]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_have_a_skip_link_landmarks_and_labelled_fields(client, invitation, path):
    response = client.get(path)

    assert response.status_code in {200, 404}
    structure = check_accessibility_basics(response)
    assert {n["aria-label"] for n in structure.navs} == {"Account"}


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_have_a_skip_link_landmarks_and_labelled_fields(app, world, path):
    camden = organisations.find_by_name("London Borough of Camden").id
    response = signed_in(app, "admin").get(path.format(camden=camden))

    assert response.status_code in {200, 404}
    structure = check_accessibility_basics(response)
    assert "Main" in {n["aria-label"] for n in structure.navs}


@pytest.mark.parametrize("role", ["board", "officer", "evaluator", "supplier"])
@pytest.mark.parametrize("path", ["/dashboard", "/account", "/admin/users"])
def test_every_role_s_pages_have_a_skip_link_landmarks_and_labelled_fields(app, world, role, path):
    response = signed_in(app, role).get(path)

    assert response.status_code in {200, 403}
    check_accessibility_basics(response)


@pytest.mark.parametrize("path, data", [
    ("/sign-in", {"email": "", "password": ""}),
    ("/sign-up/supplier", {"company_name": "", "companies_house_number": "123", "email": "bad"}),
    ("/sign-up/officer", {"authority_id": "0", "email": "bad"}),
    (f"/invitations/{INVITATION_TOKEN}", {"name": "", "password": "short"}),
])
def test_forms_with_errors_keep_their_fields_labelled_and_described(client, invitation, path, data):
    response = client.post(path, data=dict(data, csrf_token=csrf_token(client, path)))

    assert response.status_code == 422
    check_accessibility_basics(response)
    text = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in text
    assert 'role="alert"' in text
