"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document that describes every API route, and whose schemas the
API's real answers satisfy."""
import copy
import re

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.support import PASSWORD, api_token, bearer

DOCUMENT_URI = "urn:consort:openapi"
OUTSIDE_PREFIX = {"/healthz", "/stripe/webhook"}


def fetch_document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


@pytest.fixture
def document(client) -> dict:
    return fetch_document(client)


def openapi_path(rule: str) -> str:
    """/api/v1/organisations/<int:organisation_id> -> /api/v1/organisations/{organisation_id}"""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def documented_operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item
            if method in {"get", "put", "post", "delete", "patch", "options", "head", "trace"}}


def routed_operations(app) -> set[tuple[str, str]]:
    """Every method of every rule under /api/v1 (and the few API rules outside it), as the app routes them."""
    return {(method, openapi_path(rule.rule)) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") or rule.rule in OUTSIDE_PREFIX
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_validator(document: dict, path: str, method: str, status: int) -> Draft202012Validator:
    """A validator for the JSON body the document promises for this path, method and status; its
    "#/components/schemas/..." references resolve against the document itself."""
    operation = document["paths"][path][method.lower()]
    assert str(status) in operation["responses"], f"{method} {path} does not document {status}"
    content = operation["responses"][str(status)].get("content", {})
    assert "application/json" in content, f"{method} {path} {status} documents no JSON body"
    registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    location = pointer("paths", path, method.lower(), "responses", str(status), "content", "application/json",
                       "schema")
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{location}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


# The document itself


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_used_would_notice_an_invalid_document(document):
    broken = copy.deepcopy(document)
    del broken["info"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_the_document_is_served_without_a_token(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_every_api_route_and_method_is_documented(app, document):
    undocumented = routed_operations(app) - documented_operations(document)
    assert not undocumented, f"routes missing from the OpenAPI document: {sorted(undocumented)}"


def test_every_documented_operation_is_routed(app, document):
    stale = documented_operations(document) - routed_operations(app)
    assert not stale, f"the OpenAPI document describes routes that do not exist: {sorted(stale)}"


@pytest.mark.own_app
def test_a_newly_added_route_without_a_description_is_noticed(app, client):
    app.add_url_rule("/api/v1/widgets/<int:widget_id>", "undocumented_widget", lambda widget_id: {},
                     methods=["GET", "PUT"])
    missing = routed_operations(app) - documented_operations(fetch_document(client))
    assert {("GET", "/api/v1/widgets/{widget_id}"), ("PUT", "/api/v1/widgets/{widget_id}")} <= missing


def test_every_path_parameter_is_declared_with_its_type(app, document):
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if path not in document["paths"]:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            parameters = {p["name"]: p for p in document["paths"][path][method.lower()]["parameters"]
                          if p["in"] == "path"}
            assert set(parameters) == set(rule.arguments), (method, path)
            for name in rule.arguments:
                integer = "<int:" + name + ">" in rule.rule
                assert parameters[name]["schema"]["type"] == ("integer" if integer else "string"), (method, path)


def test_every_operation_that_needs_a_token_refuses_a_request_without_one(client, document):
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not operation.get("security"):
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = client.open(url, method=method.upper(), json={})
            assert response.status_code == 401, (method, path, response.status_code)
            assert "401" in operation["responses"], (method, path)
            response_validator(document, path, method, 401).validate(response.get_json())
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/healthz"), ("GET", "/api/v1/openapi.json"), ("POST", "/api/v1/tokens"),
])
def test_the_operations_open_to_anyone_declare_no_security(document, method, path):
    assert not document["paths"][path][method.lower()].get("security")


# Real answers against the document's schemas


@pytest.fixture
def admin(make_user):
    return make_user("ada@consort.example", role="admin", org="Consort")


@pytest.fixture
def supplier(make_user):
    return make_user("sam@acme.example", role="supplier", org="Acme Ltd", sme=True)


def _me(client, admin, supplier):
    return client.get("/api/v1/me", headers=bearer(api_token(client, supplier.email)))


def _token(client, admin, supplier):
    return client.post("/api/v1/tokens", json={"email": supplier.email, "password": PASSWORD})


def _organisations(client, admin, supplier):
    return client.get("/api/v1/organisations", headers=bearer(api_token(client, admin.email)))


def _organisation(client, admin, supplier):
    return client.get(f"/api/v1/organisations/{supplier.organisation_id}",
                      headers=bearer(api_token(client, supplier.email)))


def _organisation_users(client, admin, supplier):
    return client.get(f"/api/v1/organisations/{supplier.organisation_id}/users",
                      headers=bearer(api_token(client, admin.email)))


def _audit(client, admin, supplier):
    return client.get("/api/v1/audit", headers=bearer(api_token(client, admin.email)))


def _healthz(client, admin, supplier):
    return client.get("/healthz")


def _no_token(client, admin, supplier):
    return client.get("/api/v1/me")


def _wrong_password(client, admin, supplier):
    return client.post("/api/v1/tokens", json={"email": supplier.email, "password": "not the password"})


def _invalid_values(client, admin, supplier):
    return client.post("/api/v1/tokens", json={"email": 5})


def _not_json(client, admin, supplier):
    return client.post("/api/v1/tokens", data="email=x", content_type="text/plain")


def _bad_page(client, admin, supplier):
    return client.get("/api/v1/audit?page=0", headers=bearer(api_token(client, admin.email)))


def _not_an_admin(client, admin, supplier):
    return client.get("/api/v1/audit", headers=bearer(api_token(client, supplier.email)))


def _another_organisation(client, admin, supplier):
    return client.get(f"/api/v1/organisations/{admin.organisation_id}",
                      headers=bearer(api_token(client, supplier.email)))


def _no_such_organisation(client, admin, supplier):
    return client.get("/api/v1/organisations/987654", headers=bearer(api_token(client, admin.email)))


# (call, documented path, method, expected status, a key the schema requires at the top level)
ANSWERS = [
    (_me, "/api/v1/me", "GET", 200, "email"),
    (_token, "/api/v1/tokens", "POST", 201, "token"),
    (_organisations, "/api/v1/organisations", "GET", 200, "items"),
    (_organisation, "/api/v1/organisations/{organisation_id}", "GET", 200, "kind"),
    (_organisation_users, "/api/v1/organisations/{organisation_id}/users", "GET", 200, "total"),
    (_audit, "/api/v1/audit", "GET", 200, "items"),
    (_healthz, "/healthz", "GET", 200, "status"),
    (_no_token, "/api/v1/me", "GET", 401, "message"),
    (_wrong_password, "/api/v1/tokens", "POST", 401, "error"),
    (_invalid_values, "/api/v1/tokens", "POST", 422, "message"),
    (_not_json, "/api/v1/tokens", "POST", 400, "error"),
    (_bad_page, "/api/v1/audit", "GET", 400, "message"),
    (_not_an_admin, "/api/v1/audit", "GET", 403, "error"),
    (_another_organisation, "/api/v1/organisations/{organisation_id}", "GET", 403, "message"),
    (_no_such_organisation, "/api/v1/organisations/{organisation_id}", "GET", 404, "error"),
]


@pytest.mark.parametrize(("call", "path", "method", "status", "required"), ANSWERS,
                         ids=[f"{method} {path} {status}" for _, path, method, status, _ in ANSWERS])
def test_a_real_answer_satisfies_the_documented_schema(client, document, admin, supplier, call, path, method,
                                                       status, required):
    response = call(client, admin, supplier)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    validator = response_validator(document, path, method, status)
    validator.validate(body)
    # The schema is not vacuous: without a key it requires, the same body is refused.
    assert required in body
    with pytest.raises(ValidationError):
        validator.validate({key: value for key, value in body.items() if key != required})


@pytest.mark.parametrize(("path", "field", "wrong"), [
    ("/api/v1/audit", "hash", 12345),
    ("/api/v1/audit", "at", "yesterday"),
    ("/api/v1/organisations", "sme", "yes"),
])
def test_the_list_item_schemas_check_the_items_themselves(client, document, admin, supplier, path, field, wrong):
    body = client.get(path, headers=bearer(api_token(client, admin.email))).get_json()
    validator = response_validator(document, path, "GET", 200)
    validator.validate(body)
    assert body["items"]
    broken = copy.deepcopy(body)
    broken["items"][0][field] = wrong
    with pytest.raises(ValidationError):
        validator.validate(broken)
