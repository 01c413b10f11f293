"""Pages of frameworks: the admin's workbench, lots, and the public tender notices."""
from flask import Blueprint

bp = Blueprint("frameworks", __name__, template_folder="templates")


@bp.get("/opportunities/<int:framework_id>")
def notice(framework_id: int):
    """The public tender notice of a published framework."""
    return ""


@bp.get("/opportunities/<int:framework_id>/ocds.json")
def ocds_download(framework_id: int):
    """The framework's OCDS release package, for anyone."""
    return ""
