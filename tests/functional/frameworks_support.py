"""Shared by the functional tests of requirements, frameworks, lots, questions and the OCDS feed: people of every
role, valid bodies to vary, builders that go through the API (never round it), and the few direct database
changes a test needs to move time (deadlines) without waiting for it."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.types import london_today

ERROR_KEYS = {"error", "message", "fields"}

# who -> (e-mail, role, organisation)
PEOPLE = {
    "admin": ("ada@consort.example", "admin", "Consort"),
    "board": ("bea@consort.example", "board", "Consort"),
    "officer": ("olu@camden.gov.uk", "officer", "London Borough of Camden"),
    "camden_colleague": ("cat@camden.gov.uk", "officer", "London Borough of Camden"),
    "other_officer": ("ali@hackney.gov.uk", "officer", "London Borough of Hackney"),
    "evaluator": ("eve@camden.gov.uk", "evaluator", "London Borough of Camden"),
    "supplier": ("sam@acme.example", "supplier", "Acme Ltd"),
    "other_supplier": ("tim@bolt.example", "supplier", "Bolt Ltd"),
}
NON_ADMIN_ROLES = ["officer", "evaluator", "board", "supplier"]


def in_days(days: int) -> date:
    return london_today() + timedelta(days=days)


def at(hours_from_now: float) -> str:
    """An ISO 8601 time with an offset, `hours_from_now` away."""
    return (datetime.now(UTC) + timedelta(hours=hours_from_now)).replace(microsecond=0).isoformat()


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, f"{text} has no offset"
    return value


def requirement_body(**changes) -> dict:
    body = {
        "title": "Laptops for social workers",
        "description": "Light laptops with a three-year warranty.",
        "category": "devices",
        "quantity": "200",
        "unit": "laptop",
        "estimated_unit_price": "800.00",
        "needed_by": in_days(120).isoformat(),
    }
    return body | changes


def framework_body(**changes) -> dict:
    body = {
        "title": "London end-user devices 2026",
        "description": "Laptops and tablets for London's boroughs.",
        "maximum_value": "5000000.00",
        "bid_deadline": at(24 * 30),
        "question_deadline": at(24 * 20),
        "duration_months": 36,
        "max_lots_per_supplier": 2,
        "min_sme_share": "0.25",
        "standstill_working_days": 8,
        "levy_percent": "1.50",
    }
    return body | changes


def lot_body(requirement_ids: list[int], **changes) -> dict:
    body = {
        "title": "Laptops",
        "description": "Standard and light laptops.",
        "requirement_ids": requirement_ids,
        "max_awards": 2,
        "budget": "250000.00",
        "price_weight": 40,
        "price_formula": "relative",
        "criteria": [
            {"name": "Quality of the devices", "weight": 35, "max_score": 5},
            {"name": "Social value", "weight": 25, "max_score": 10, "guidance": "Apprenticeships in London."},
        ],
    }
    return body | changes


def assert_error(response, status: int, code: str) -> dict:
    """The response is the API's error format with this status and code; returns its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) == ERROR_KEYS, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and len(body["message"]) > 15, body
    assert isinstance(body["fields"], dict), body
    return body


def assert_created(response, status: int = 201) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return response.get_json()


class World:
    """People of every role (made when first needed: hashing a password is deliberately slow), and builders
    for requirements, frameworks and lots through the API."""

    def __init__(self, client, make_user):
        self.client = client
        self._make_user = make_user
        self.users: dict = {}
        self._tokens: dict[str, str] = {}

    def user(self, who: str):
        if who not in self.users:
            email, role, organisation = PEOPLE[who]
            self.users[who] = self._make_user(email, role=role, org=organisation)
        return self.users[who]

    def organisation_id(self, who: str) -> int:
        return self.user(who).organisation_id

    def headers(self, who: str) -> dict:
        from tests.support import api_token, bearer

        if who not in self._tokens:
            self._tokens[who] = api_token(self.client, self.user(who).email)
        return bearer(self._tokens[who])

    def get(self, who: str, path: str, **kwargs):
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def post(self, who: str, path: str, json=None, **kwargs):
        return self.client.post(path, headers=self.headers(who), json=json, **kwargs)

    def put(self, who: str, path: str, json=None, **kwargs):
        return self.client.put(path, headers=self.headers(who), json=json, **kwargs)

    # Builders, through the API

    def requirement(self, who: str = "officer", **changes) -> dict:
        return assert_created(self.post(who, "/api/v1/requirements", requirement_body(**changes)))

    def framework(self, **changes) -> dict:
        return assert_created(self.post("admin", "/api/v1/frameworks", framework_body(**changes)))

    def lot(self, framework_id: int, requirement_ids: list[int], **changes) -> dict:
        return assert_created(self.post("admin", f"/api/v1/frameworks/{framework_id}/lots",
                                        lot_body(requirement_ids, **changes)))

    def transition(self, framework_id: int, to: str, who: str = "admin"):
        return self.post(who, f"/api/v1/frameworks/{framework_id}/transition", {"to": to})

    def draft_with_lot(self, **framework_changes) -> tuple[dict, dict]:
        """A draft framework with one lot pooling a Camden and a Hackney requirement."""
        camden = self.requirement("officer", quantity="200", estimated_unit_price="800.00")
        hackney = self.requirement("other_officer", quantity="100", estimated_unit_price="750.50")
        framework = self.framework(**framework_changes)
        lot = self.lot(framework["id"], [camden["id"], hackney["id"]])
        return framework, lot

    def published(self, **framework_changes) -> tuple[dict, dict]:
        """An open framework (published through the API) and its lot."""
        framework, lot = self.draft_with_lot(**framework_changes)
        response = self.transition(framework["id"], "open")
        assert response.status_code == 200, response.get_json()
        return response.get_json(), lot

    def audit(self, **query) -> list[dict]:
        body = self.get("admin", "/api/v1/audit", query_string={"per_page": 100, **query}).get_json()
        assert body["total"] == len(body["items"]), "more audit events than one page"
        return body["items"]


def move_deadlines(framework_id: int, *, question_hours: float, bid_hours: float) -> None:
    """Move a framework's deadlines relative to now, straight in the database (question before bid, as the
    schema insists), as if time had passed."""
    from frameworks.models import Framework

    assert question_hours < bid_hours
    now = datetime.now(UTC)
    db.session.execute(update(Framework).where(Framework.id == framework_id).values(
        question_deadline=now + timedelta(hours=question_hours), bid_deadline=now + timedelta(hours=bid_hours)))
    db.session.commit()


def stored_framework(framework_id: int):
    """The framework as the database holds it now, not as this session last saw it."""
    from frameworks.models import Framework

    db.session.expire_all()
    return db.session.get(Framework, framework_id)


def assert_answer_satisfies_openapi(world, call, path: str, method: str, status: int, required: str) -> None:
    """The answer of `call` has the status and matches the document's schema, which is not vacuous:
    it refuses the same body without the `required` key."""
    from jsonschema.exceptions import ValidationError

    from tests.functional.test_openapi import fetch_document, response_validator

    response = call(world)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    validator = response_validator(fetch_document(world.client), path, method, status)
    validator.validate(body)
    with pytest.raises(ValidationError):
        validator.validate({key: value for key, value in body.items() if key != required})
