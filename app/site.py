"""The pages about the service itself, linked from every page's footer: the accessibility statement and cookies.
(The privacy notice is at /privacy.)"""
from flask import Blueprint, render_template

bp = Blueprint("site", __name__)


@bp.get("/accessibility")
def accessibility():
    """How accessible Consort is, how it is tested, and whom to tell when something does not work."""
    return render_template("site/accessibility.html")


@bp.get("/cookies")
def cookies():
    """The cookies Consort sets: only those it needs to work, none for analytics or advertising."""
    return render_template("site/cookies.html")
