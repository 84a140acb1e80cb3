"""Course assignment pages for unit admins, on the courses blueprint: the assignments in scope with
their progress counts, one assignment's cadres, and a form to assign a course."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.permissions import can, scope_required
from lms.courses import assignments as service
from lms.courses.manage_forms import PEOPLE, UNIT, AssignmentForm
from lms.courses.models import Assignment
from lms.courses.views import bp
from lms.db import db
from lms.forms import choices
from lms.i18n import local_today


assigner_required = scope_required(service.ACTION)


@bp.route("/assignments")
@assigner_required
def assignments():
    page = service.assignment_page(current_user, request.args.get("page", 1, type=int))
    return render_template("courses/assign_list.html", page=page, today=local_today())


@bp.route("/assignments/<id:assignment_id>")
@assigner_required
def assignment_detail(assignment_id: int):
    assignment = service.visible_assignment(current_user, assignment_id)
    if assignment is None:
        abort(404 if db.session.get(Assignment, assignment_id) is None else 403)
    counts = service.assignment_counts(current_user, [assignment.id]).get(assignment.id, service.Counts())
    page = service.cadre_page(current_user, assignment, request.args.get("page", 1, type=int))
    return render_template("courses/assign_detail.html", assignment=assignment, counts=counts, page=page,
                           today=local_today())


@bp.route("/assignments/new", methods=["GET", "POST"])
@assigner_required
def assign_create():
    form = AssignmentForm()
    form.course_id.choices = choices([(0, _("— Chọn khóa học —"))] + service.assignable_courses())
    if request.method == "GET":
        form.course_id.data = request.args.get("course", 0, type=int)
        own = current_user.unit
        if own is not None and can(current_user, service.ACTION, own):
            form.unit_code.data = own.code
    if form.is_submitted():
        form_valid = form.validate()
        request_ = _request(form)
        if form_valid:
            try:
                result = service.create_assignment(current_user, request_)
            except service.AssignmentRefused as refused:
                db.session.rollback()
                _show(form, refused.errors)
            else:
                db.session.commit()
                _say_done(result)
                return redirect(url_for("courses.assignment_detail", assignment_id=result.assignment.id))
        else:
            # Every mistake at once: the rules' messages too, where the form had nothing to say.
            _show(form, service.check_request(current_user, request_)[1])
    return render_template("courses/assign_form.html", form=form, UNIT=UNIT, PEOPLE=PEOPLE)


def _request(form: AssignmentForm) -> service.AssignmentRequest:
    return service.AssignmentRequest(course_id=form.course_id.data or None, target=form.target.data,
                                     unit_code=form.unit_code.data or "", cadres=form.cadres.data or "",
                                     due_on=form.due_on.data, note=form.note.data or "")


def _show(form: AssignmentForm, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        if not form[name].errors:
            form[name].errors.extend(messages)


def _say_done(result: service.AssignmentResult) -> None:
    flash(ngettext("Đã giao khóa học cho %(num)d cán bộ.", "Đã giao khóa học cho %(num)d cán bộ.",
                   result.enrolled + result.rescheduled), "success")
    if result.kept:
        flash(ngettext("%(num)d cán bộ đã có hạn hoàn thành sớm hơn cho khóa học này nên giữ hạn cũ.",
                       "%(num)d cán bộ đã có hạn hoàn thành sớm hơn cho khóa học này nên giữ hạn cũ.",
                       result.kept), "warning")
