"""API: a framework's OCDS release package."""
from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from consort.publication import ocds
from frameworks import services as frameworks

bp = api_blueprint("publication_api", __name__)


class Publisher(BaseModel):
    name: str


class OcdsPackage(BaseModel):
    """The package's own fields; the releases are checked against the OCDS schema itself (tests/integration)."""

    uri: str
    version: str
    extensions: list[str]
    publishedDate: str  # noqa: N815 - OCDS's own field names
    publisher: Publisher
    license: str
    publicationPolicy: str  # noqa: N815
    releases: list[dict]


@bp.get("/frameworks/<int:framework_id>/ocds")
@token_required()
@operation("The framework's OCDS 1.1.5 release package (after publication)", responses={200: OcdsPackage},
           errors=(404,))
def get_ocds(framework_id: int):
    """The OCDS release package: planning and tender, with lots and techniques."""
    frameworks.get_visible(api_user(), framework_id)
    return ocds.release_package(framework_id)
