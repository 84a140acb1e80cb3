"""Training-of-Trainers pages. Cohorts and yearly plans register their routes on this blueprint from
their own modules (imported at the end)."""
from flask import Blueprint

bp = Blueprint("trainers", __name__, url_prefix="/trainers")


@bp.route("/")
def home():
    return ""


from lms.trainers import cohort_views, plan_views  # noqa: E402,F401
