"""Pages of publication: a published framework's OCDS release package for anyone to download, and the consortium's
default publication policy, which every package names."""
from flask import Blueprint, render_template

from app import caching
from consort.publication import ocds, releases
from frameworks import services as frameworks

bp = Blueprint("publication", __name__, template_folder="templates")


@bp.get("/opportunities/<int:framework_id>/ocds.json")
@caching.public(releases.stamp)
def ocds_download(framework_id: int):
    """The framework's OCDS release package, for anyone."""
    framework = frameworks.get_published(framework_id)
    package = ocds.release_package(framework.id)
    ocid = f"{ocds.OCID_PREFIX}-{framework.reference}"
    return package, 200, {"Content-Disposition": f'attachment; filename="{ocid}.json"'}


@bp.get("/open-data/publication-policy")
def policy():
    """What is published in OCDS, when, and under which licence (unless OCDS_PUBLICATION_POLICY_URL names another)."""
    return render_template("publication/policy.html")
