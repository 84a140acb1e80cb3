from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.route("/")
def directory():
    return ""


# Bulk onboarding routes live in their own module, on this blueprint.
from lms.people import import_views  # noqa: E402,F401
