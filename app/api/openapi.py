"""Each API operation declared once: `@operation(...)` validates the request body, serialises the answer through
the response model declared for its status, and describes both in the OpenAPI 3.1 document.

The document walks the URL map, so a route without an `@operation` is noticed (a test fails) rather than silently
missing.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask
from pydantic import BaseModel
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from app.api import API_PREFIX
from app.api.pagination import Page
from app.api.schemas import Serialised
from app.api.validation import json_body

ERROR_DESCRIPTIONS = {
    400: "Bad input: the body is not JSON, or a parameter is malformed (a NUL character in any query parameter).",
    401: "No bearer token, or an unknown, expired or revoked one.",
    403: "Signed in, but not allowed: wrong role or not your organisation's.",
    404: "No such thing, or not visible to you.",
    409: "An illegal state transition, or a deadline has passed.",
    413: "The body is too large.",
    422: "Valid JSON, but invalid values; see `fields`.",
    429: "Too many attempts (`rate_limited`): from this client address, or for this account; `Retry-After` says in "
         "how many seconds to try again.",
    503: "A service it depends on (Stripe) is not set up or did not answer; or a bid write that reached us before "
         "the deadline could not be processed within DEADLINE_GRACE_SECONDS of it (nothing was changed).",
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
    download: tuple[str, ...] = ()  # the 200 answer is the bytes of a file, of one of these media types


def operation(summary: str, **kwargs):
    """An API view's one declaration: what it takes and answers, for the document and for the request itself.

    With `body=Model`, the JSON body is validated (400 if it is not a JSON object, 422 with `fields` if its
    values are invalid) and given to the view as the keyword argument `body`. The view's answer (a dict, an ORM
    object or a dataclass, read by attribute; or a `Page` when `paginated`) is serialised through the model of
    `responses` for its status; `(answer, status)` picks the status; a Response (a file) passes through untouched.
    Put it below `@token_required`, so that the token is checked before the body.
    """
    op = Operation(summary, **kwargs)

    def decorator(view):
        if hasattr(view, "openapi_roles"):
            raise TypeError(f"{view.__name__}: put @operation below @token_required, which must run first")

        @wraps(view)
        def wrapper(*args, **view_kwargs):
            if op.body is not None:
                view_kwargs["body"] = json_body(op.body)
            return _answer(op, view.__name__, view(*args, **view_kwargs))

        wrapper.openapi = op
        return wrapper

    return decorator


def _answer(op: Operation, name: str, result):
    if isinstance(result, Response):
        return result
    value, status = result if isinstance(result, tuple) else (result, 200)
    if status not in op.responses:
        raise TypeError(f"{name} answered {status}, which its @operation does not declare")
    model = op.responses[status]
    if model is None:
        return value, status
    if op.paginated:
        page = value if isinstance(value, Page) else Page(**value)
        return {"items": [_serialise(model, item) for item in page.items], "total": page.total,
                "page": page.page, "per_page": page.per_page}, status
    return _serialise(model, value), status


def _serialise(model: type[BaseModel], value) -> dict:
    if isinstance(value, Serialised):
        return value
    if not isinstance(value, model):
        value = model.model_validate(value, from_attributes=True)
    return value.model_dump(mode="json")


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

    def ref(self, model: type[BaseModel], mode: str = "validation") -> dict:
        """A reference to `model`'s schema: as a body is validated (`validation`) or as an answer is serialised
        (`serialization`). Two different schemas of one name are a mistake to fix, not to paper over."""
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in [*schema.pop("$defs", {}).items(), (model.__name__, schema)]:
            if self.components.setdefault(name, definition) != definition:
                raise ValueError(f"Two different schemas are named {name}; rename one of the models.")
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
         "schema": {"type": "integer" if isinstance(rule._converters[name], IntegerConverter) else "string"}}
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
                                      "content": {media_type: {"schema": {
                                          "type": "string", "contentMediaType": media_type}}
                                          for media_type in op.download}}
    for status, model in op.responses.items():
        response: dict = {"description": "Success" if status < 300 else "See the body"}
        if model is not None:
            schema = schemas.ref(model, "serialization")
            response["content"] = {"application/json": {"schema": _list_schema(schema) if op.paginated else schema}}
        result["responses"][str(status)] = response
    errors = set(op.errors) | {400}  # the shell refuses a NUL character in any query or form before the view runs
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
    if "429" in result["responses"]:
        result["responses"]["429"]["headers"] = {"Retry-After": {
            "description": "Seconds to wait before trying again.", "required": True,
            "schema": {"type": "integer", "minimum": 1}}}
    return result
