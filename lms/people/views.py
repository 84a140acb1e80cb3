from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.route("/")
def directory():
    return ""


@bp.route("/import")
def import_upload():
    return ""
