"""The OpenAPI 3.1 document, built from the routes themselves.

Every API view carries an `@operation(...)` describing it; the document walks the URL map,
so a route without a description is noticed (a test fails) rather than silently missing.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask
from pydantic import BaseModel

from app.api import API_PREFIX

ERROR_DESCRIPTIONS = {
    400: "Bad input: the body is not JSON, or a parameter is malformed.",
    401: "No bearer token, or an unknown, expired or revoked one.",
    403: "Signed in, but not allowed: wrong role or not your organisation's.",
    404: "No such thing, or not visible to you.",
    409: "An illegal state transition, or a deadline has passed.",
    413: "The body is too large.",
    422: "Valid JSON, but invalid values; see `fields`.",
    503: "A service it depends on (Stripe) is not set up or did not answer.",
}
DOCUMENTED_OUTSIDE_PREFIX = ("/healthz", "/stripe/webhook")


@dataclass
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    auth: bool = True
    paginated: bool = False
    query: dict[str, str] = field(default_factory=dict)
    description: str = ""
    upload: bool = False  # the body is multipart/form-data with one `file`
    download: bool = False  # the 200 answer is the bytes of a file


def operation(summary: str, **kwargs):
    """Describe an API view for the OpenAPI document."""

    def decorator(view):
        view.openapi = Operation(summary, **kwargs)
        return view

    return decorator


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_rules(app: Flask) -> Iterable:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/") or rule.rule in DOCUMENTED_OUTSIDE_PREFIX:
            yield rule


class _Schemas:
    """Collects the pydantic models' JSON Schemas into components."""

    def __init__(self):
        self.components: dict[str, dict] = {}

    def ref(self, model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            self.components[name] = definition
        self.components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}


def _list_schema(item_ref: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": item_ref},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    }


def build(app: Flask) -> dict:
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "openapi", None)
        if op is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(rule, view, op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consort API",
            "version": "1",
            "description": "The JSON API of Consort, the joint procurement marketplace. "
                           "Money is a decimal string in GBP; times are ISO 8601 with an offset.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": _ERROR_SCHEMA, **dict(sorted(schemas.components.items()))},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {
        "error": {"type": "string", "description": "A stable machine-readable code."},
        "message": {"type": "string", "description": "A sentence a person can act on."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _operation(rule, view, op: Operation, schemas: _Schemas) -> dict:
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer" if type(rule._converters[name]).__name__ == "IntegerConverter" else "string"}}
        for name in rule.arguments
    ]
    query = dict(op.query)
    if op.paginated:
        query |= {"page": "integer", "per_page": "integer"}
    parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": kind}}
                   for name, kind in query.items()]
    result: dict = {"summary": op.summary, "operationId": rule.endpoint, "parameters": parameters, "responses": {}}
    if op.description:
        result["description"] = op.description
    roles = getattr(view, "openapi_roles", ())
    if roles:
        roles_text = f" Roles: {', '.join(r.value for r in roles)}."
        result["description"] = (result.get("description", "") + roles_text).strip()
    if op.auth:
        result["security"] = [{"bearer": []}]
    if op.body is not None:
        result["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": schemas.ref(op.body)}}}
    if op.upload:
        result["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}}
    if op.download:
        result["responses"]["200"] = {"description": "The file's bytes, as its recorded media type",
                                      "content": {"application/octet-stream": {"schema": {
                                          "type": "string", "contentMediaType": "application/octet-stream"}}}}
    for status, model in op.responses.items():
        response: dict = {"description": "Success" if status < 300 else "See the body"}
        if model is not None:
            schema = schemas.ref(model)
            response["content"] = {"application/json": {"schema": _list_schema(schema) if op.paginated else schema}}
        result["responses"][str(status)] = response
    errors = set(op.errors)
    if op.auth:
        errors.add(401)
    if op.body:
        errors |= {400, 422}
    if op.upload:
        errors |= {400, 413, 422}
    if op.paginated:
        errors.add(400)
    for status in sorted(errors):
        result["responses"][str(status)] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return result
