"""Pages of the rating instruments on the assessments blueprint: a cadre's self-assessment and knowledge
test, and the supervisor's queue and rating sheet. The rules live in lms.assessments.instruments and
lms.assessments.knowledge; these views route, check access and render."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.actions import RuleError
from lms.assessments import instruments, knowledge, scoring
from lms.assessments.instrument_forms import rating_form
from lms.assessments.instruments import QUEUE_STATUS_LABELS, QueueFilter, RatingsRefused
from lms.assessments.models import KNOWLEDGE, SELF, SUPERVISOR, Participant
from lms.assessments.views import bp
from lms.auth.permissions import scope_required
from lms.courses import quizzes
from lms.db import as_id, db, get_by_id
from lms.forms import ActionForm
from lms.text import render_markdown

PROFILE_ENDPOINT = "assessments.my_profile"


def _participant(participant_id: int) -> Participant:
    participant = get_by_id(Participant, participant_id)
    if participant is None:
        abort(404)
    return participant


def _own(participant_id: int, instrument: str) -> Participant:
    """The current user's own participation in a campaign using `instrument`: 404 if none, else 403."""
    participant = _participant(participant_id)
    if not instruments.may_self_assess(current_user, participant):
        abort(403)
    if not participant.campaign.uses(instrument):
        abort(404)
    return participant


def _profile_url() -> str | None:
    """The cadre's profile page, where their results are shown, once it exists."""
    return url_for(PROFILE_ENDPOINT) if PROFILE_ENDPOINT in current_app.view_functions else None


def _common(participant: Participant) -> dict:
    campaign = participant.campaign
    return {"participant": participant, "campaign": campaign, "is_open": campaign.is_open,
            "not_open_message": instruments.not_open_message(campaign), "profile_url": _profile_url(),
            "sheet": instruments.rating_sheet(campaign.framework),
            "level_names": instruments.level_names(campaign.framework)}


def _save(form, save, success: str) -> bool:
    """Save the sheet with `save(answers)`: commit and say so, or roll back and show why on the form."""
    try:
        save(form.answers())
    except RatingsRefused as refused:
        db.session.rollback()
        form.show(refused.errors)
        return False
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


# --- Self-assessment ------------------------------------------------------------------------------

@bp.route("/participations/<id:participant_id>/self", methods=["GET", "POST"])
@login_required
def self_assessment(participant_id: int):
    participant = _own(participant_id, SELF)
    here = url_for("assessments.self_assessment", participant_id=participant.id)
    if request.method == "POST" and not participant.campaign.is_open:
        flash(instruments.not_open_message(participant.campaign), "error")
        return redirect(here)
    previous = instruments.ratings_of(participant, SELF)
    form = rating_form(participant.campaign.framework, evidence=True,
                       ratings=previous if request.method == "GET" else None)
    if form.validate_on_submit():
        if _save(form, lambda answers: instruments.save_self_assessment(participant, current_user, answers),
                 _("Đã lưu phần tự đánh giá của bạn.")):
            return redirect(_profile_url() or here)
        previous = instruments.ratings_of(participant, SELF)
    knowledge_url = (url_for("assessments.knowledge_test", participant_id=participant.id)
                     if participant.campaign.uses(KNOWLEDGE) else None)
    return render_template("assessments/self_assessment.html", form=form, previous=previous,
                           knowledge_url=knowledge_url, **_common(participant))


# --- Supervisor assessment ------------------------------------------------------------------------

@bp.route("/supervision")
@scope_required("assessment.supervise")
def supervision_queue():
    campaigns = instruments.supervision_campaigns(current_user)
    campaign_id = as_id(request.args.get("campaign", ""))
    if campaign_id not in {campaign.id for campaign in campaigns}:
        campaign_id = None
    status = request.args.get("status", "")
    if status not in QUEUE_STATUS_LABELS:
        status = ""
    filters = QueueFilter(campaign_id, status, request.args.get("q", "").strip()[:100])
    page = instruments.supervision_page(current_user, filters, request.args.get("page", 1, type=int))
    return render_template("assessments/supervise_queue.html", page=page, filters=filters, campaigns=campaigns,
                           status_labels=QUEUE_STATUS_LABELS)


@bp.route("/participations/<id:participant_id>/supervisor", methods=["GET", "POST"])
@login_required
def supervisor_assessment(participant_id: int):
    participant = _participant(participant_id)
    if not instruments.may_supervise(current_user, participant):
        abort(403)
    if not participant.campaign.uses(SUPERVISOR):
        abort(404)
    here = url_for("assessments.supervisor_assessment", participant_id=participant.id)
    if request.method == "POST" and not participant.campaign.is_open:
        flash(instruments.not_open_message(participant.campaign), "error")
        return redirect(here)
    previous = instruments.ratings_of(participant, SUPERVISOR)
    form = rating_form(participant.campaign.framework, evidence=False,
                       ratings=previous if request.method == "GET" else None)
    if form.validate_on_submit():
        if _save(form, lambda answers: instruments.save_supervisor_assessment(participant, current_user, answers),
                 _("Đã lưu đánh giá của bạn về %(name)s.", name=participant.user.full_name)):
            return redirect(url_for("assessments.supervision_queue", campaign=participant.campaign_id))
        previous = instruments.ratings_of(participant, SUPERVISOR)
    return render_template("assessments/supervise_form.html", form=form, previous=previous,
                           self_ratings=instruments.ratings_of(participant, SELF), **_common(participant))


# --- Knowledge test -------------------------------------------------------------------------------

def _to_test(participant: Participant):
    return redirect(url_for("assessments.knowledge_test", participant_id=participant.id))


@bp.route("/participations/<id:participant_id>/knowledge")
@login_required
def knowledge_test(participant_id: int):
    participant = _own(participant_id, KNOWLEDGE)
    attempt = knowledge.attempt_of(participant)
    common = _common(participant)
    names = {item.competency.code: item.competency.title for group in common["sheet"] for item in group.items}
    if attempt is not None and attempt.submitted_at is not None:
        levels = {code: scoring.knowledge_level(*counts) for code, counts in (attempt.per_competency or {}).items()}
        return render_template("assessments/knowledge_result.html", attempt=attempt, review=quizzes.review(attempt),
                               competency_titles=names, levels=levels, render_markdown=render_markdown, **common)
    shown = quizzes.questions_to_answer(attempt) if attempt is not None else []
    plan = knowledge.plan_for(participant) if attempt is None else None
    missing = [names[code] for code in plan.without_questions] if plan else []
    response = render_template("assessments/knowledge_test.html", attempt=attempt, shown=shown, plan=plan,
                               missing_titles=missing, form=ActionForm(), render_markdown=render_markdown,
                               per_competency=knowledge.QUESTIONS_PER_COMPETENCY, **common)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/participations/<id:participant_id>/knowledge/start", methods=["POST"])
@login_required
def knowledge_start(participant_id: int):
    participant = _own(participant_id, KNOWLEDGE)
    if ActionForm().validate_on_submit():
        try:
            knowledge.start_test(participant, current_user)
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
    return _to_test(participant)


@bp.route("/participations/<id:participant_id>/knowledge/submit", methods=["POST"])
@login_required
def knowledge_submit(participant_id: int):
    # The global CSRF protection has checked the token before this runs.
    participant = _own(participant_id, KNOWLEDGE)
    attempt = knowledge.attempt_of(participant)
    if attempt is None:
        return _to_test(participant)
    try:
        result = knowledge.submit_test(attempt, current_user, request.form)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã nộp bài: đúng %(correct)d/%(asked)d câu (%(score)d%%).", correct=result.correct,
                asked=result.asked, score=result.score), "success")
    return _to_test(participant)
