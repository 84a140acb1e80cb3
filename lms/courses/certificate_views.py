"""Certificate routes on the courses blueprint, and the public verification page."""
from flask import Blueprint

from lms.courses.views import bp  # noqa: F401

verify_bp = Blueprint("verify", __name__)


@verify_bp.route("/verify/<code>")
def verify(code: str):
    return ""
