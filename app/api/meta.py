"""The health check and the OpenAPI document."""
from flask import Blueprint, current_app
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text

from app.api import api_blueprint
from app.api.openapi import build, operation
from app.extensions import db

bp = api_blueprint("meta_api", __name__)
health_bp = Blueprint("health", __name__)


class Health(BaseModel):
    status: str


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict
    paths: dict
    components: dict


@health_bp.get("/healthz")
@operation("Whether the app and its database answer", responses={200: Health, 503: Health}, auth=False)
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy
        db.session.rollback()
        current_app.logger.exception("Health check: the database did not answer")
        return {"status": "unavailable"}, 503
    return {"status": "ok"}


@bp.get("/openapi.json")
@operation("This OpenAPI 3.1 document", auth=False, responses={200: OpenApiDocument})
def openapi_document():
    """The OpenAPI document of the whole API, built at its first request: an app serving requests can no longer
    change its routes (Flask refuses), so the document stays right."""
    if "openapi_document" not in current_app.extensions:
        current_app.extensions["openapi_document"] = build(current_app)
    return current_app.extensions["openapi_document"]
