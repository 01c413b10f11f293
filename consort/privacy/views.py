"""Data-protection pages that read across the features: who sees an authority's data."""
from flask import Blueprint, render_template
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.roles import Role
from consort.privacy import exposure
from frameworks.sharing import services as sharing

bp = Blueprint("privacy_pages", __name__, template_folder="templates")


@bp.get("/data-sharing/who-sees")
@role_required(Role.OFFICER)
def who_sees():
    """Which organisations see which of your authority's data, framework by framework, under which agreement."""
    agreement = sharing.current()
    in_force = sharing.acceptance_in_force(current_user.organisation_id, agreement.id) if agreement else None
    return render_template("privacy_pages/who_sees.html", frameworks=exposure.who_sees(current_user.organisation_id),
                           agreement=agreement, in_force=in_force)
