"""Who may read what through the API: organisation scoping, the admin-only audit log, the list format and its
pagination, and JSON answers for unknown addresses and wrong methods. Real HTTP, real database."""
import itertools
from datetime import datetime

import pytest

from app.extensions import db
from tests.support import api_token, bearer

ERROR_KEYS = {"error", "message", "fields"}
NON_ADMIN_ROLES = ["officer", "evaluator", "board", "supplier"]

ORGANISATIONS = {
    "Consort": "consortium",
    "London Borough of Camden": "authority",
    "London Borough of Hackney": "authority",
    "Acme Ltd": "supplier",
    "Bolt Ltd": "supplier",
}
# who -> (e-mail, role, organisation); each of the five roles, and two people elsewhere
PEOPLE = {
    "admin": ("ada@consort.example", "admin", "Consort"),
    "board": ("bea@consort.example", "board", "Consort"),
    "officer": ("olu@camden.gov.uk", "officer", "London Borough of Camden"),
    "evaluator": ("eve@camden.gov.uk", "evaluator", "London Borough of Camden"),
    "supplier": ("sam@acme.example", "supplier", "Acme Ltd"),
    "other_supplier": ("tim@bolt.example", "supplier", "Bolt Ltd"),
    "other_officer": ("ali@hackney.gov.uk", "officer", "London Borough of Hackney"),
}


class World:
    """Five organisations of every kind; people (and their tokens) are made when a test first needs them,
    because hashing a password is deliberately slow."""

    def __init__(self, client, make_user):
        from app.domain.roles import OrganisationKind
        from app.organisations import services as organisations

        self.client = client
        self._make_user = make_user
        self.organisations = {name: organisations.add(name, OrganisationKind(kind))
                              for name, kind in ORGANISATIONS.items()}
        db.session.commit()
        self.users: dict = {}
        self._tokens: dict[str, str] = {}

    def user(self, who: str):
        if who not in self.users:
            email, role, organisation = PEOPLE[who]
            self.users[who] = self._make_user(email, role=role, org=organisation)
        return self.users[who]

    def headers(self, who: str) -> dict:
        if who not in self._tokens:
            self._tokens[who] = api_token(self.client, self.user(who).email)
        return bearer(self._tokens[who])

    def get(self, who: str, path: str, **kwargs):
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def organisation_id(self, name: str) -> int:
        return self.organisations[name].id


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) == ERROR_KEYS, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and len(body["message"]) > 15, body
    assert isinstance(body["fields"], dict), body
    return body


# Organisation scoping


@pytest.mark.parametrize(("role", "other"), [
    (role, other) for role in NON_ADMIN_ROLES for other in ORGANISATIONS if other != PEOPLE[role][2]
])
@pytest.mark.parametrize("path", ["/api/v1/organisations/{id}", "/api/v1/organisations/{id}/users"])
def test_a_non_admin_cannot_read_another_organisations_data(world, role, path, other):
    response = world.get(role, path.format(id=world.organisation_id(other)))
    body = assert_error(response, 403, "forbidden")
    assert "organisation" in body["message"]
    assert other not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_a_user_can_read_their_own_organisation(world, role):
    user = world.user(role)
    response = world.get(role, f"/api/v1/organisations/{user.organisation_id}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    name = PEOPLE[role][2]
    assert {k: body[k] for k in ("id", "name", "kind")} == {
        "id": user.organisation_id, "name": name, "kind": ORGANISATIONS[name]}
    assert set(body) >= {"id", "name", "kind", "sme", "companies_house_number", "gss_code", "domains"}


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_a_user_lists_only_the_users_of_their_own_organisation(world, role):
    for who in PEOPLE:
        world.user(who)
    user = world.user(role)
    response = world.get(role, f"/api/v1/organisations/{user.organisation_id}/users")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = sorted(u.email for u in world.users.values() if u.organisation_id == user.organisation_id)
    assert sorted(item["email"] for item in body["items"]) == expected
    assert body["total"] == len(expected)
    assert all(item["organisation"]["id"] == user.organisation_id for item in body["items"])
    assert all("password_hash" not in item for item in body["items"])


@pytest.mark.parametrize(("name", "who"), [
    ("Bolt Ltd", "other_supplier"), ("London Borough of Hackney", "other_officer"), ("Acme Ltd", "supplier"),
    ("London Borough of Camden", "evaluator"), ("Consort", "admin"),
])
def test_an_admin_can_read_any_organisation_and_its_users(world, name, who):
    member = world.user(who)
    organisation_id = world.organisation_id(name)
    response = world.get("admin", f"/api/v1/organisations/{organisation_id}")
    assert response.status_code == 200
    assert response.get_json()["name"] == name
    users = world.get("admin", f"/api/v1/organisations/{organisation_id}/users").get_json()
    assert [item["email"] for item in users["items"]] == [member.email]
    assert users["total"] == 1


@pytest.mark.parametrize("role", ["admin", "supplier"])
@pytest.mark.parametrize("path", ["/api/v1/organisations/{id}", "/api/v1/organisations/{id}/users"])
@pytest.mark.parametrize("missing_id", [987654, 2**31 - 1, 2**31, 10**20], ids=["absent", "int32-max",
                                                                                   "past-int32", "huge"])
def test_an_organisation_that_does_not_exist_gives_404(world, role, path, missing_id):
    assert_error(world.get(role, path.format(id=missing_id)), 404, "not_found")


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("kind", [None, "authority", "supplier", "consortium"])
def test_the_organisation_list_holds_only_ones_own_for_a_non_admin(world, role, kind):
    user = world.user(role)
    response = world.get(role, "/api/v1/organisations", query_string={"kind": kind} if kind else {})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    own_kind = ORGANISATIONS[PEOPLE[role][2]]
    expected = [user.organisation_id] if kind in (None, own_kind) else []
    assert [item["id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(("kind", "expected"), [
    (None, ["Acme Ltd", "Bolt Ltd", "Consort", "London Borough of Camden", "London Borough of Hackney"]),
    ("authority", ["London Borough of Camden", "London Borough of Hackney"]),
    ("supplier", ["Acme Ltd", "Bolt Ltd"]),
    ("consortium", ["Consort"]),
])
def test_the_organisation_list_holds_all_for_an_admin_filtered_by_kind(world, kind, expected):
    response = world.get("admin", "/api/v1/organisations", query_string={"kind": kind} if kind else {})
    assert response.status_code == 200
    body = response.get_json()
    assert [item["name"] for item in body["items"]] == expected
    assert body["total"] == len(expected)
    if kind:
        assert {item["kind"] for item in body["items"]} == {kind}


@pytest.mark.parametrize("role", ["admin", "supplier"])
@pytest.mark.parametrize("kind", ["council", "Authority", "suppliers", "1", "authority,supplier", "supplier\u0000"])
def test_an_unknown_kind_filter_gives_400(world, role, kind):
    body = assert_error(world.get(role, "/api/v1/organisations", query_string={"kind": kind}), 400, "bad_request")
    assert "kind" in body["fields"]
    assert ("authority" in body["message"]) or ("NUL" in body["message"])


# The audit log


def test_the_audit_log_is_readable_by_an_admin(world):
    response = world.get("admin", "/api/v1/audit")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] > 0 and body["items"]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("query", [{}, {"object_type": "User"}, {"page": "2"}])
def test_the_audit_log_is_refused_to_every_other_role(world, role, query):
    body = assert_error(world.get(role, "/api/v1/audit", query_string=query), 403, "forbidden")
    assert "admin" in body["message"]


def test_audit_events_carry_actor_action_time_before_after_and_their_hashes(world):
    world.headers("supplier")  # issuing a token is an event with its user as actor
    body = world.get("admin", "/api/v1/audit", query_string={"per_page": 100}).get_json()
    items = body["items"]
    assert len(items) == body["total"]
    for item in items:
        assert set(item) >= {"actor", "action", "at", "before", "after", "hash", "prev_hash"}
        assert datetime.fromisoformat(item["at"]).utcoffset() is not None
        assert len(item["hash"]) == 64 and len(item["prev_hash"]) == 64
    issued = [item for item in items if item["action"] == "api_token.issued"]
    supplier = world.user("supplier")
    assert {"id": supplier.id, "email": supplier.email} in [item["actor"] for item in issued]
    # Newest first, and each event names the one before it.
    assert [item["id"] for item in items] == sorted((item["id"] for item in items), reverse=True)
    for newer, older in itertools.pairwise(items):
        assert newer["prev_hash"] == older["hash"]


def test_the_audit_log_filters_by_object(world):
    supplier = world.user("supplier")
    world.user("other_supplier")
    body = world.get("admin", "/api/v1/audit",
                     query_string={"object_type": "User", "object_id": supplier.id}).get_json()
    assert [(i["action"], i["object_type"], i["object_id"]) for i in body["items"]] == [
        ("user.created", "User", str(supplier.id))]
    assert body["items"][0]["after"]["role"] == "supplier"
    assert supplier.email not in str(body["items"][0]["after"])  # the log names people by id only
    assert body["total"] == 1


def test_the_audit_log_filters_by_object_type(world):
    body = world.get("admin", "/api/v1/audit", query_string={"object_type": "Organisation", "per_page": 100})
    items = body.get_json()["items"]
    assert sorted(i["after"]["name"] for i in items) == sorted(ORGANISATIONS)
    assert {i["object_type"] for i in items} == {"Organisation"}


@pytest.mark.parametrize(("action", "count"), [
    ("user.created", 3),
    ("organisation.created", len(ORGANISATIONS)),
    ("api_token.issued", 1),
    ("no.such.action", 0),
])
def test_the_audit_log_filters_by_action(world, action, count):
    for who in ("supplier", "officer"):  # created, with the admin: three users; only the admin has a token
        world.user(who)
    body = world.get("admin", "/api/v1/audit", query_string={"action": action, "per_page": 100}).get_json()
    assert body["total"] == count
    assert [i["action"] for i in body["items"]] == [action] * count


@pytest.mark.parametrize("name", ["object_type", "object_id", "action"])
def test_an_audit_filter_holding_a_nul_character_gives_400(world, name):
    body = assert_error(world.get("admin", "/api/v1/audit", query_string={name: "User\u0000"}), 400, "bad_request")
    assert name in body["fields"]


# Lists and pagination

LISTS = ["/api/v1/organisations", "/api/v1/audit", "/api/v1/organisations/{own}/users"]


def list_path(world, path: str) -> str:
    world.user("board")  # so that the admin's own organisation has more than one user
    return path.format(own=world.user("admin").organisation_id)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_answers_items_and_total(world, path):
    body = world.get("admin", list_path(world, path)).get_json()
    assert set(body) >= {"items", "total"}
    assert isinstance(body["items"], list) and isinstance(body["total"], int)
    assert len(body["items"]) == body["total"] > 0


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("per_page", [1, 2, 3, 100])
def test_the_pages_of_a_list_together_hold_every_item_once(world, path, per_page):
    path = list_path(world, path)
    everything = world.get("admin", path, query_string={"per_page": 100}).get_json()
    seen, page = [], 1
    while True:
        body = world.get("admin", path, query_string={"page": page, "per_page": per_page}).get_json()
        assert body["total"] == everything["total"]
        assert len(body["items"]) <= per_page
        if not body["items"]:
            break
        seen += body["items"]
        page += 1
    assert seen == everything["items"]
    assert page - 1 == -(-everything["total"] // per_page)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", [50, 1_000_000])
def test_a_page_past_the_end_is_empty_with_the_right_total(world, path, page):
    path = list_path(world, path)
    total = world.get("admin", path).get_json()["total"]
    body = world.get("admin", path, query_string={"page": page, "per_page": 10}).get_json()
    assert body["items"] == []
    assert body["total"] == total > 0


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("name", "value"), [
    ("per_page", "101"), ("per_page", "1000"), ("per_page", "0"), ("per_page", "-1"), ("per_page", "abc"),
    ("per_page", "2.5"), ("page", "0"), ("page", "-1"), ("page", "abc"), ("page", "1.5"), ("page", "1e3"),
    ("page", "\u0000"), ("page", "9223372036854775807"), ("page", "99999999999999999999999"),
])
def test_a_bad_page_or_per_page_gives_400_naming_the_parameter(world, path, name, value):
    body = assert_error(world.get("admin", list_path(world, path), query_string={name: value}), 400, "bad_request")
    assert name in body["fields"]
    assert name in body["message"]


@pytest.mark.parametrize("path", LISTS)
def test_per_page_accepts_its_maximum_of_100(world, path):
    response = world.get("admin", list_path(world, path), query_string={"per_page": 100, "page": 1})
    assert response.status_code == 200


# Unknown addresses, wrong methods, health


@pytest.mark.parametrize("path", [
    "/api/v1/nothing-here",
    "/api/v1/",
    "/api/v1/organisations/abc",
    "/api/v1/organisations/-1",
    "/api/v1/organisations/1/nothing",
    "/api/v2/me",
])
@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_api_address_gives_404_in_the_error_format(world, path, signed_in):
    headers = world.headers("admin") if signed_in else {}
    assert_error(world.client.get(path, headers=headers), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/api/v1/me", "GET"),
    ("POST", "/api/v1/me", "GET"),
    ("GET", "/api/v1/tokens", "POST"),
    ("PUT", "/api/v1/tokens", "POST"),
    ("GET", "/api/v1/tokens/current", "DELETE"),
    ("POST", "/api/v1/audit", "GET"),
    ("DELETE", "/api/v1/organisations", "GET"),
    ("PATCH", "/api/v1/organisations/1", "GET"),
    ("POST", "/api/v1/openapi.json", "GET"),
])
def test_a_wrong_method_gives_405_in_the_error_format_naming_the_allowed_ones(world, method, path, allowed):
    response = world.client.open(path, method=method, headers=world.headers("admin"), json={})
    body = assert_error(response, 405, "method_not_allowed")
    assert method in body["message"]
    allow = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert allowed in allow and method not in allow


def test_the_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}
