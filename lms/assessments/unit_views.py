"""Unit capacity assessment pages on the assessments blueprint: the units' assessments to fill in and to
review, one assessment with its answers, review and history, and a submission as it was sent. The rules
live in lms.assessments.unit_assessments; these views route, check access and render."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.actions import RuleError
from lms.assessments import unit_assessments as service
from lms.assessments.models import (CAMPAIGN_STATUS_LABELS, SUBMITTED, UNIT_STATUS_LABELS, UNIT_STATUSES,
                                    UnitAssessment)
from lms.assessments.unit_forms import answer_form, review_form
from lms.assessments.views import bp
from lms.auth.permissions import has_any_scope
from lms.db import as_id, db, get_by_id
from lms.text import render_markdown


def _labels() -> dict:
    return {"status_labels": UNIT_STATUS_LABELS, "event_labels": service.EVENT_LABELS,
            "campaign_status_labels": CAMPAIGN_STATUS_LABELS, "markdown": render_markdown}


def _assessment(assessment_id: int) -> UnitAssessment:
    """The assessment, if the current user may see it: 404 if missing, else 403."""
    assessment = get_by_id(UnitAssessment, assessment_id)
    if assessment is None:
        abort(404)
    if not service.may_view(current_user, assessment):
        abort(403)
    return assessment


def _to_assessment(assessment: UnitAssessment):
    return redirect(url_for("assessments.unit_assessment", assessment_id=assessment.id))


# --- The listing ----------------------------------------------------------------------------------

@bp.route("/units")
@login_required
def unit_list():
    may_submit = has_any_scope(current_user, service.SUBMIT)
    may_review = has_any_scope(current_user, service.REVIEW)
    if not (may_submit or may_review):
        abort(403)
    campaign_id = as_id(request.args.get("campaign", ""))
    status = service.valid_status(request.args.get("status", ""))
    mine = (service.submit_page(current_user, request.args.get("page", 1, type=int), campaign_id, status)
            if may_submit else None)
    to_review = (service.review_page(current_user, request.args.get("review_page", 1, type=int), campaign_id,
                                     status or SUBMITTED) if may_review else None)
    return render_template("assessments/unit_list.html", mine=mine, to_review=to_review, campaign_id=campaign_id,
                           status=status, statuses=UNIT_STATUSES, campaigns=service.campaign_choices(current_user),
                           **_labels())


# --- One assessment -------------------------------------------------------------------------------

def _page(assessment: UnitAssessment, form=None, rev_form=None, missing: dict | None = None, status: int = 200):
    may_submit = service.may_submit(current_user, assessment)
    may_review = service.may_review(current_user, assessment)
    indicators = service.assessed_indicators(assessment)
    editable = may_submit and service.is_editable(assessment)
    if editable and form is None:
        form = answer_form(indicators, service.answers_by_code(assessment))
    reviewing = may_review and assessment.status == SUBMITTED
    if reviewing and rev_form is None:
        rev_form = review_form(indicators)
    return render_template(
        "assessments/unit_assessment.html", assessment=assessment, rows=service.indicator_rows(assessment),
        form=form if editable else None, review=rev_form if reviewing else None, missing=missing or {},
        events=service.history(assessment), may_submit=may_submit, **_labels()), status


@bp.route("/units/<id:assessment_id>", methods=["GET", "POST"])
@login_required
def unit_assessment(assessment_id: int):
    assessment = _assessment(assessment_id)
    if request.method == "GET":
        return _page(assessment)
    if not service.may_submit(current_user, assessment):
        abort(403)
    try:
        service.check_editable(assessment)
    except RuleError as error:
        flash(str(error), "error")
        return _to_assessment(assessment)
    form = answer_form(service.assessed_indicators(assessment))
    if not form.validate_on_submit():
        return _page(assessment, form=form)
    sending = bool(form.send.data)
    try:
        if sending:
            service.submit(assessment, current_user, form.inputs())
        else:
            service.save_draft(assessment, current_user, form.inputs())
    except service.AnswersRefused as refused:
        db.session.rollback()
        for indicator in form.indicators:
            for message in refused.errors.get(indicator.code, []):
                form.fields_for(indicator).value.errors = list(form.fields_for(indicator).value.errors) + [message]
        return _page(db.session.get(UnitAssessment, assessment_id), form=form)
    except service.IncompleteAssessment as incomplete:
        db.session.rollback()
        return _page(db.session.get(UnitAssessment, assessment_id), form=form, missing=incomplete.missing)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_assessment(assessment)
    db.session.commit()
    if sending:
        service.notify(assessment, service.EVENT_SUBMITTED, current_user)
        flash(_("Đã gửi bản đánh giá (lần %(round)d) lên cấp trên thẩm định. Bản đánh giá được khóa trong khi "
                "chờ thẩm định.", round=assessment.round), "success")
    else:
        flash(_("Đã lưu nháp bản đánh giá."), "success")
    return _to_assessment(assessment)


@bp.route("/units/<id:assessment_id>/review", methods=["POST"])
@login_required
def unit_review(assessment_id: int):
    assessment = _assessment(assessment_id)
    if not service.may_review(current_user, assessment):
        abort(403)
    if assessment.status != SUBMITTED:
        flash(_("Chỉ thẩm định được bản đánh giá đang chờ thẩm định."), "error")
        return _to_assessment(assessment)
    form = review_form(service.assessed_indicators(assessment))
    if not form.validate_on_submit():
        return _page(assessment, rev_form=form)
    approving = bool(form.approve.data)
    note, comments = form.note.data or "", form.comments()
    try:
        if approving:
            service.approve(assessment, current_user, note, comments)
        else:
            service.return_for_changes(assessment, current_user, note, comments)
    except service.ReviewRefused as refused:
        db.session.rollback()
        assessment = db.session.get(UnitAssessment, assessment_id)
        if refused.field == "note":
            form.note.errors = list(form.note.errors) + [str(refused)]
        else:
            form.form_errors.append(str(refused))
        return _page(assessment, rev_form=form)
    db.session.commit()
    if approving:
        service.notify(assessment, service.EVENT_APPROVED, current_user, note)
        flash(_("Đã phê duyệt bản đánh giá của %(unit)s.", unit=assessment.unit.name), "success")
    else:
        service.notify(assessment, service.EVENT_RETURNED, current_user, note)
        flash(_("Đã trả lại bản đánh giá để %(unit)s bổ sung.", unit=assessment.unit.name), "success")
    return _to_assessment(assessment)


@bp.route("/units/<id:assessment_id>/rounds/<int:round_number>")
@login_required
def unit_round(assessment_id: int, round_number: int):
    assessment = _assessment(assessment_id)
    submitted = service.submitted_round(assessment, round_number)
    if submitted is None:
        abort(404)
    return render_template("assessments/unit_round.html", assessment=assessment, round=submitted,
                           round_number=round_number, **_labels())
