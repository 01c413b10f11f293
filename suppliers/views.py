"""Pages of suppliers; the routes arrive with the issues that build them."""
from flask import Blueprint

bp = Blueprint("suppliers", __name__, template_folder="templates")
