"""Pages of procurement; the routes arrive with the issues that build them."""
from flask import Blueprint

bp = Blueprint("procurement", __name__, template_folder="templates")
