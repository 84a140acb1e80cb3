"""Cohort pages on the trainers blueprint: the cohorts in scope, a cohort with its participants' attendance
and online progress, participants picked or listed in a file, sessions, the phone attendance sheet, closing,
and the certificates closing issues. The rules live in lms.trainers.cohorts; these views route, check
access and render."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.actions import RuleError, carry_out
from lms.auth.permissions import can, require, scope_required
from lms.db import as_id, db
from lms.forms import ActionForm, choices
from lms.i18n import local_today
from lms.people import downloads, onboarding
from lms.people.models import COHORT_ROSTER
from lms.reports.exports import download
from lms.trainers import cohorts as service
from lms.trainers.forms import CohortForm, ParticipantListForm, SessionForm
from lms.trainers.models import CLOSED, Cohort
from lms.trainers.views import bp




manager_required = scope_required(service.ACTION)


def _cohort(cohort_id: int) -> Cohort:
    """The cohort, if the current user manages its unit: 404 if missing, else 403."""
    cohort = db.session.get(Cohort, cohort_id)
    require(service.ACTION, cohort.unit if cohort else None)
    return cohort


def _to_cohort(cohort: Cohort):
    return redirect(url_for("trainers.cohort", cohort_id=cohort.id))


def _refuse_if_closed(cohort: Cohort):
    """For the pages that change a cohort: once closed, say so and go back to it."""
    if cohort.status == CLOSED:
        flash(_("Lớp đã kết thúc nên không thể thay đổi."), "error")
        return _to_cohort(cohort)
    return None


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


_REFUSED = object()


def _attempt(action):
    """Run a change the rules may refuse: its result, or _REFUSED after rolling back and saying why.
    The caller commits and says what was done."""
    try:
        return action()
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _REFUSED


def _show(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        form[name].errors = list(form[name].errors) + [m for m in messages if m not in form[name].errors]


# --- Listing, creating, editing -------------------------------------------------------------------

@bp.route("/cohorts")
@manager_required
def cohorts():
    status = request.args.get("status", "")
    page = service.cohort_page(current_user, request.args.get("page", 1, type=int), status)
    return render_template("trainers/cohort_list.html", page=page, status=status,
                           mode_labels=service.MODE_LABELS)


def _cohort_form(cohort: Cohort | None) -> CohortForm:
    form = CohortForm(obj=cohort)
    form.course_id.choices = choices([(0, _("— Không gắn khóa học —"))]
                                     + service.course_choices(cohort.course_id if cohort else None))
    return form


def _input(form: CohortForm) -> service.CohortInput:
    return service.CohortInput(
        title=form.title.data or "", course_id=form.course_id.data or None, unit_code=form.unit_code.data or "",
        mode=form.mode.data or "", place=form.place.data or "", starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, lead_trainer=form.lead_trainer.data or "", co_trainers=form.co_trainers.data or "",
        capacity=form.capacity.data, attendance_threshold=form.attendance_threshold.data,
        requires_course=bool(form.requires_course.data), target_group=form.target_group.data or "")


def _checked(form: CohortForm, cohort: Cohort | None) -> dict | None:
    """Values to store once the form and the rules both pass; every mistake is shown at once."""
    if not form.is_submitted():
        return None
    form_valid = form.validate()
    try:
        values = service.check_cohort(current_user, _input(form), cohort)
    except service.CohortRefused as refused:
        _show(form, refused.errors)
        return None
    return values if form_valid else None


@bp.route("/cohorts/new", methods=["GET", "POST"])
@manager_required
def cohort_new():
    form = _cohort_form(None)
    if request.method == "GET":
        own = current_user.unit
        if own is not None and can(current_user, service.ACTION, own):
            form.unit_code.data = own.code
        if service.own_profile(current_user) is not None:
            form.lead_trainer.data = service.contact_of(current_user)
    values = _checked(form, None)
    if values is not None:
        cohort = service.create_cohort(current_user, values)
        db.session.commit()
        flash(_("Đã tạo lớp “%(title)s”. Hãy thêm học viên và lịch học.", title=cohort.title), "success")
        return _to_cohort(cohort)
    return render_template("trainers/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<id:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def cohort_edit(cohort_id: int):
    cohort = _cohort(cohort_id)
    if refused := _refuse_if_closed(cohort):
        return refused
    form = _cohort_form(cohort)
    if request.method == "GET":
        for name, value in service.form_values(cohort).items():
            form[name].data = value
        form.course_id.data = cohort.course_id or 0
    values = _checked(form, cohort)
    if values is not None:
        if _attempt(lambda: service.update_cohort(cohort, values)) is not _REFUSED:
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
        return _to_cohort(cohort)
    return render_template("trainers/cohort_form.html", form=form, cohort=cohort)


# --- One cohort -----------------------------------------------------------------------------------

@bp.route("/cohorts/<id:cohort_id>")
@login_required
def cohort(cohort_id: int):
    cohort = _cohort(cohort_id)
    return render_template("trainers/cohort_detail.html", cohort=cohort, trainers=service.cohort_trainers(cohort),
                           sessions=service.session_rows(cohort), participants=service.participant_rows(cohort),
                           action_form=ActionForm(), **_labels())


@bp.route("/cohorts/<id:cohort_id>/participants.<any(xlsx, csv):extension>")
@login_required
def cohort_roster(cohort_id: int, extension: str):
    """The participants with their attendance, online progress and result, as a file."""
    cohort = _cohort(cohort_id)
    about = [(_("Lớp"), cohort.title), (_("Đơn vị tổ chức"), cohort.unit.name), (_("Từ ngày"), cohort.starts_on),
             (_("Đến ngày"), cohort.ends_on), (_("Ngày xuất"), local_today())]
    table = service.roster_table(cohort)
    downloads.record(current_user, COHORT_ROSTER, [(cohort.unit_id, len(table.rows))], extension, title=cohort.title)
    return download([table], extension, f"hoc-vien-lop-{cohort.id}.{extension}", about=about)


def _labels() -> dict:
    return {"mode_labels": service.MODE_LABELS, "target_groups": service.TARGET_GROUPS,
            "needs_course": service.needs_course}


# --- Participants ---------------------------------------------------------------------------------

def _participants_page(cohort: Cohort, list_form: ParticipantListForm, status: int = 200):
    query = request.args.get("q", "").strip()[:100]
    found = service.search_candidates(current_user, cohort, query)
    return render_template("trainers/cohort_participants.html", cohort=cohort, query=query, found=found,
                           enrolled=service.participant_count(cohort), list_form=list_form,
                           action_form=ActionForm(), columns=onboarding.COLUMNS), status


@bp.route("/cohorts/<id:cohort_id>/participants")
@login_required
def cohort_participants(cohort_id: int):
    cohort = _cohort(cohort_id)
    if refused := _refuse_if_closed(cohort):
        return refused
    return _participants_page(cohort, ParticipantListForm())


@bp.route("/cohorts/<id:cohort_id>/participants/add", methods=["POST"])
@login_required
def cohort_add_participants(cohort_id: int):
    cohort = _cohort(cohort_id)
    _require_action_form()
    ids = [user_id for user_id in map(as_id, request.form.getlist("user_id")) if user_id is not None]
    added = _attempt(lambda: service.add_participants(current_user, cohort, ids))
    if added is not _REFUSED:
        db.session.commit()
        flash(ngettext("Đã thêm %(num)d học viên vào lớp.", "Đã thêm %(num)d học viên vào lớp.", added), "success")
        return _to_cohort(cohort)
    return redirect(url_for("trainers.cohort_participants", cohort_id=cohort.id, q=request.form.get("q") or None))


@bp.route("/cohorts/<id:cohort_id>/participants/import", methods=["POST"])
@login_required
def cohort_import_participants(cohort_id: int):
    cohort = _cohort(cohort_id)
    if refused := _refuse_if_closed(cohort):
        return refused
    form = ParticipantListForm()
    if not form.validate_on_submit():
        return _participants_page(cohort, form)
    upload = form.file.data
    try:
        result = service.add_participants_from_file(current_user, cohort, upload.filename or "", upload.read())
    except onboarding.ImportFileError as error:
        db.session.rollback()
        form.file.errors.append(str(error))
        return _participants_page(cohort, form)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_cohort(cohort)
    if result.error_count or result.problem:
        db.session.rollback()
        return render_template("trainers/cohort_list_errors.html", cohort=cohort, result=result,
                               filename=upload.filename, columns=onboarding.COLUMNS, describe=service.describe)
    db.session.commit()
    message = ngettext("Đã thêm %(num)d học viên từ tệp.", "Đã thêm %(num)d học viên từ tệp.", result.added)
    if result.already:
        message += " " + ngettext("%(num)d người đã có trong lớp từ trước.", "%(num)d người đã có trong lớp từ trước.",
                                  result.already)
    flash(message, "success")
    return _to_cohort(cohort)


@bp.route("/cohorts/<id:cohort_id>/participants/<id:participant_id>/remove", methods=["POST"])
@login_required
def cohort_remove_participant(cohort_id: int, participant_id: int):
    cohort = _cohort(cohort_id)
    _require_action_form()
    removed = _attempt(lambda: service.remove_participant(cohort, participant_id))
    if removed is not _REFUSED:
        db.session.commit()
        flash(_("Đã bỏ %(name)s khỏi lớp.", name=removed.full_name), "success")
    return _to_cohort(cohort)


# --- Sessions and attendance ----------------------------------------------------------------------

@bp.route("/cohorts/<id:cohort_id>/sessions/new", methods=["GET", "POST"])
@login_required
def cohort_session_new(cohort_id: int):
    cohort = _cohort(cohort_id)
    if refused := _refuse_if_closed(cohort):
        return refused
    form = SessionForm()
    trainers = service.cohort_trainers(cohort)
    form.trainer_id.choices = choices((t.trainer_id, t.trainer.user.full_name) for t in trainers)
    if request.method == "GET":
        form.trainer_id.data = trainers[0].trainer_id if trainers else None
        form.held_on.data = min(max(local_today(), cohort.starts_on), cohort.ends_on)
    if form.is_submitted():
        form_valid = form.validate()
        errors = service.check_session(cohort, form.held_on.data, form.topic.data or "", form.trainer_id.data)
        if form_valid and not errors:
            added = _attempt(lambda: service.add_session(cohort, form.held_on.data, form.topic.data,
                                                         form.trainer_id.data))
            if added is not _REFUSED:
                db.session.commit()
                flash(_("Đã thêm buổi học “%(topic)s”.", topic=added.topic), "success")
            return _to_cohort(cohort)
        _show(form, errors)
    return render_template("trainers/cohort_session_form.html", cohort=cohort, form=form)


def _session(cohort: Cohort, session_id: int):
    session = service.session_of(cohort, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/cohorts/<id:cohort_id>/sessions/<id:session_id>/delete", methods=["POST"])
@login_required
def cohort_session_delete(cohort_id: int, session_id: int):
    cohort = _cohort(cohort_id)
    session = _session(cohort, session_id)
    _require_action_form()
    carry_out(lambda: service.delete_session(cohort, session), _("Đã xóa buổi học cùng bảng điểm danh của buổi."))
    return _to_cohort(cohort)


@bp.route("/cohorts/<id:cohort_id>/sessions/<id:session_id>/attendance", methods=["GET", "POST"])
@login_required
def cohort_attendance(cohort_id: int, session_id: int):
    cohort = _cohort(cohort_id)
    session = _session(cohort, session_id)
    if request.method == "POST":
        _require_action_form()
        marks = {as_id(name[1:]): value for name, value in request.form.items()
                 if name.startswith("s") and as_id(name[1:]) is not None}
        left = _attempt(lambda: service.record_attendance(cohort, session, marks))
        if left is not _REFUSED:
            db.session.commit()
            flash(_("Đã lưu điểm danh buổi “%(topic)s”.", topic=session.topic), "success")
            if left:
                flash(ngettext("Còn %(num)d học viên chưa được điểm danh.",
                               "Còn %(num)d học viên chưa được điểm danh.", left), "warning")
            return _to_cohort(cohort)
        return redirect(url_for("trainers.cohort_attendance", cohort_id=cohort.id, session_id=session.id))
    return render_template("trainers/cohort_attendance.html", cohort=cohort, session=session,
                           lines=service.attendance_sheet(cohort, session), action_form=ActionForm(),
                           labels=service.ATTENDANCE_LABELS, statuses=service.ATTENDANCE_STATUSES,
                           not_yet=session.held_on > local_today())


@bp.route("/cohorts/<id:cohort_id>/sessions/<id:session_id>/attendance/all-present", methods=["POST"])
@login_required
def cohort_all_present(cohort_id: int, session_id: int):
    cohort = _cohort(cohort_id)
    session = _session(cohort, session_id)
    _require_action_form()
    carry_out(lambda: service.mark_all_present(cohort, session),
              _("Đã ghi tất cả học viên có mặt. Đổi từng người nếu cần rồi bấm Lưu điểm danh."))
    return redirect(url_for("trainers.cohort_attendance", cohort_id=cohort.id, session_id=session.id))


# --- Closing and certificates ---------------------------------------------------------------------

@bp.route("/cohorts/<id:cohort_id>/close", methods=["GET", "POST"])
@login_required
def cohort_close(cohort_id: int):
    cohort = _cohort(cohort_id)
    if refused := _refuse_if_closed(cohort):
        return refused
    if request.method == "POST":
        _require_action_form()
        outcome = _attempt(lambda: service.close_cohort(cohort))
        if outcome is _REFUSED:
            return redirect(url_for("trainers.cohort_close", cohort_id=cohort.id))
        db.session.commit()
        flash(ngettext("Lớp đã kết thúc: %(num)d trên %(total)d học viên hoàn thành và được cấp giấy chứng nhận.",
                       "Lớp đã kết thúc: %(num)d trên %(total)d học viên hoàn thành và được cấp giấy chứng nhận.",
                       outcome.completed, total=outcome.total), "success")
        return _to_cohort(cohort)
    participants = service.participant_rows(cohort)
    held = service.held_sessions(cohort)
    sessions = service.session_rows(cohort)
    return render_template("trainers/cohort_close.html", cohort=cohort, participants=participants, held=held,
                           unheld=[row for row in sessions if not row.held],
                           refusal=service.closing_refusal(cohort, held), action_form=ActionForm(),
                           needs_course=service.needs_course(cohort))


@bp.route("/cohorts/certificates")
@login_required
def cohort_my_certificates():
    return render_template("trainers/cohort_my_certificates.html",
                           certificates=service.certificates_of(current_user))


@bp.route("/cohorts/certificates/<code>")
@login_required
def cohort_certificate(code: str):
    certificate = service.certificate(code[:40])
    if certificate is None:
        abort(404)
    if not service.may_view_certificate(current_user, certificate):
        abort(403)
    return render_template("trainers/cohort_certificate.html", certificate=certificate,
                           mode_labels=service.MODE_LABELS)
