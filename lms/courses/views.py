"""Course pages. The learner's pages are here; quizzes, certificates, authoring and assignments
register their routes on the same blueprint from their own modules (imported at the end)."""
from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.route("/")
def catalogue():
    return ""


from lms.courses import assignment_views, authoring_views, certificate_views, quiz_views  # noqa: E402,F401
