"""Routes registered on the courses blueprint."""
from lms.courses.views import bp  # noqa: F401


@bp.route("/assignments")
def assignments():
    return ""
