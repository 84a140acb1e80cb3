"""Individual competency profiles on the assessments blueprint: the signed-in cadre's own, and a
cadre's as seen by whoever may see assessment results in their unit. The rules live in
lms.assessments.profiles; these views pick the person and the campaign, check access and render."""
from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from lms.assessments import profiles
from lms.assessments.models import (
    CAMPAIGN_STATUS_LABELS, INSTRUMENT_LABELS, KNOWLEDGE, SELF, SUPERVISOR, TRAINER)
from lms.assessments.views import bp
from lms.db import as_id, get_by_id
from lms.i18n import N_
from lms.people.models import User

# Pages of other parts of the assessments area, linked when they are there.
TASK_ENDPOINTS = {SELF: "assessments.self_assessment", KNOWLEDGE: "assessments.knowledge_test"}
FRAMEWORK_ENDPOINT = "assessments.framework_list"
HUB_ENDPOINT = "assessments.hub"

# Short column names for the instruments in the results table.
INSTRUMENT_COLUMNS = {SELF: N_("Tự đánh giá"), SUPERVISOR: N_("Cấp trên"), KNOWLEDGE: N_("Kiểm tra kiến thức"),
                      TRAINER: N_("Thực hành tập huấn")}


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


@bp.route("/me")
@login_required
def my_profile():
    return _render(current_user)


@bp.route("/people/<id:user_id>")
@login_required
def person_profile(user_id: int):
    person = get_by_id(User, user_id)
    if person is None:
        abort(404)
    if not profiles.may_view(current_user, person):
        abort(403)
    return _render(person)


def _render(person: User):
    rows = profiles.participations(person)
    chosen = None
    if "campaign" in request.args:
        campaign_id = as_id(request.args.get("campaign", ""))
        chosen = next((p for p in rows if p.campaign_id == campaign_id), None)
        if chosen is None:
            abort(404)
    profile = profiles.build_profile(person, chosen, rows)
    own = person.id == current_user.id
    task_links = {}
    if own and profile.current is not None and profile.current.campaign.is_open:
        task_links = {instrument: endpoint for instrument, endpoint in TASK_ENDPOINTS.items()
                      if _has_endpoint(endpoint)}
    return render_template(
        "assessments/profile.html", profile=profile, person=person, own=own, task_links=task_links,
        framework_url_endpoint=FRAMEWORK_ENDPOINT if _has_endpoint(FRAMEWORK_ENDPOINT) else None,
        hub_endpoint=HUB_ENDPOINT if _has_endpoint(HUB_ENDPOINT) else None,
        instrument_labels=INSTRUMENT_LABELS, instrument_columns=INSTRUMENT_COLUMNS,
        campaign_status_labels=CAMPAIGN_STATUS_LABELS, trend_up=profiles.UP, trend_down=profiles.DOWN)
