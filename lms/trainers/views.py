"""Training-of-Trainers pages. Cohorts and yearly plans register their routes on this blueprint from
their own modules (imported at the end)."""
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from lms.auth.permissions import has_any_scope
from lms.trainers import home as home_service
from lms.trainers.models import COHORT_STATUS_LABELS, STATUS_LABELS, TIER_LABELS

bp = Blueprint("trainers", __name__, url_prefix="/trainers")


@bp.route("/")
@login_required
def home():
    if not has_any_scope(current_user, "trainer.view"):
        abort(403)
    return render_template("trainers/home.html", page=home_service.trainer_home(current_user),
                           tier_labels=TIER_LABELS, status_labels=STATUS_LABELS,
                           cohort_status_labels=COHORT_STATUS_LABELS,
                           behind_days=home_service.FALLING_BEHIND_DAYS,
                           recent_sessions=home_service.RECENT_SESSIONS)


from lms.trainers import cohort_views, plan_views, trainer_views  # noqa: E402,F401
