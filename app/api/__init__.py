"""The JSON API's plumbing: blueprints, bearer-token auth, errors, validation, pagination, OpenAPI."""
from flask import Blueprint

from app.extensions import csrf

API_PREFIX = "/api/v1"


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1. The API authenticates by bearer token only, never by cookie,
    so it needs no CSRF token."""
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(blueprint)
    return blueprint
