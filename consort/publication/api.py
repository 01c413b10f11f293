"""API: a framework's OCDS release package."""
from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from consort.publication import ocds
from frameworks import services as frameworks

bp = api_blueprint("publication_api", __name__)


class OcdsPackage(BaseModel):
    uri: str
    version: str
    publishedDate: str  # noqa: N815 - OCDS's own field name
    releases: list[dict]


@bp.get("/frameworks/<int:framework_id>/ocds")
@operation("The framework's OCDS 1.1.5 release package (after publication)", responses={200: OcdsPackage},
           errors=(404,))
@token_required()
def get_ocds(framework_id: int):
    """The OCDS release package: planning and tender, with lots and techniques."""
    frameworks.get_visible(api_user(), framework_id)
    return ocds.release_package(framework_id)
