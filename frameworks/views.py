"""Pages of frameworks; the routes arrive with the issues that build them."""
from flask import Blueprint

bp = Blueprint("frameworks", __name__, template_folder="templates")
