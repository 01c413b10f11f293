"""Pages of publication: a published framework's OCDS release package, for anyone to download."""
from flask import Blueprint

from consort.publication import ocds
from frameworks import services as frameworks

bp = Blueprint("publication", __name__)


@bp.get("/opportunities/<int:framework_id>/ocds.json")
def ocds_download(framework_id: int):
    """The framework's OCDS release package, for anyone."""
    package = ocds.release_package(frameworks.get_published(framework_id).id)
    return package, 200, {"Content-Disposition": f'attachment; filename="{package["releases"][0]["ocid"]}.json"'}
