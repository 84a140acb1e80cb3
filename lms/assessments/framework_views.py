"""Competency framework pages on the assessments blueprint: the versions, one version read whole, and,
for those who keep the framework, starting a new version as a draft, editing it, publishing and
deleting it. The rules live in lms.assessments.framework_editing; these views route, check access
and render."""
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from lms.actions import carry_out
from lms.assessments import framework_editing as service
from lms.assessments.framework_forms import (
    CompetencyForm, FrameworkDetailsForm, assessed_field_name, chosen_level, expectations_form, level_field_name,
    role_field_name, target_field_name, unit_indicator_form)
from lms.assessments.models import (
    BY_LEVEL, BY_ROLE, FRAMEWORK_STATUS_LABELS, PROFICIENCY_LEVELS, Competency, Framework, UnitIndicator)
from lms.assessments.views import bp
from lms.auth.permissions import scope_required
from lms.db import db, get_by_id
from lms.forms import ActionForm
from lms.text import render_markdown


def editor_required(view):
    """Signed in and keeping the framework ("framework.edit" over a central unit); anyone else: 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not service.may_edit(current_user):
            abort(403)
        return view(*args, **kwargs)

    return scope_required(service.ACTION)(wrapper)


def _readable(framework_id: int) -> Framework:
    """The version, if the current user may read it; a draft is not found for anyone else."""
    framework = get_by_id(Framework, framework_id)
    if framework is None or not service.may_read(current_user, framework):
        abort(404)
    return framework


def _editable(framework_id: int) -> tuple[Framework | None, object]:
    """The draft to edit, or (None, a redirect saying why not) when the version is published."""
    framework = get_by_id(Framework, framework_id)
    if framework is None:
        abort(404)
    if framework.is_published:
        flash(service.published_refusal(framework), "error")
        return None, _to_framework(framework)
    return framework, None


def _to_framework(framework: Framework):
    return redirect(url_for("assessments.framework_detail", framework_id=framework.id))


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _show(field, messages) -> None:
    field.errors = list(field.errors) + [m for m in messages if m not in field.errors]


def _attempt(action, field_for) -> bool:
    """Run an edit; on refused input show each message on its field (`field_for` maps an error key
    to a field) and roll back; on any other refusal flash it. True once done (the caller commits)."""
    try:
        action()
    except service.FrameworkInputRefused as refused:
        db.session.rollback()
        for key, messages in refused.errors.items():
            _show(field_for(key), messages)
        return False
    except service.FrameworkRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    return True


def _labels() -> dict:
    return {"status_labels": FRAMEWORK_STATUS_LABELS, "kind_labels": service.KIND_LABELS,
            "answer_type_labels": service.ANSWER_TYPE_LABELS, "source_labels": service.SOURCE_LABELS,
            "levels": PROFICIENCY_LEVELS}


# --- Reading --------------------------------------------------------------------------------------

@bp.route("/framework")
@login_required
def framework_list():
    editor = service.may_edit(current_user)
    return render_template("assessments/framework_list.html", rows=service.framework_rows(current_user),
                           editor=editor, draft=service.current_draft() if editor else None,
                           action_form=ActionForm(), **_labels())


@bp.route("/framework/<id:framework_id>")
@login_required
def framework_detail(framework_id: int):
    framework = _readable(framework_id)
    editor = not framework.is_published and service.may_edit(current_user)
    indicator_levels = service.level_columns(framework)
    return render_template("assessments/framework_detail.html", framework=framework, editor=editor,
                           summary=render_markdown(framework.summary), grid=service.expectation_grid(framework),
                           indicator_levels=indicator_levels, target_text=service.target_text,
                           campaigns=service.campaign_count(framework), action_form=ActionForm(), **_labels())


# --- Starting, publishing and deleting a draft ----------------------------------------------------

@bp.route("/framework/new", methods=["POST"])
@editor_required
def framework_new():
    _require_action_form()
    try:
        draft = service.start_draft(current_user)
        db.session.commit()
    except service.FrameworkRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("assessments.framework_list"))
    except IntegrityError:  # another draft was started at the same moment
        db.session.rollback()
        flash(_("Một bản nháp vừa được người khác tạo. Hãy mở bản nháp đó để sửa."), "error")
        return redirect(url_for("assessments.framework_list"))
    flash(_("Đã tạo bản nháp phiên bản %(version)d, sao chép từ phiên bản mới nhất. Sửa xong, hãy ban hành.",
            version=draft.version), "success")
    return _to_framework(draft)


@bp.route("/framework/<id:framework_id>/publish", methods=["GET", "POST"])
@editor_required
def framework_publish(framework_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    if request.method == "POST":
        _require_action_form()
        if carry_out(lambda: service.publish(framework),
                     _("Đã ban hành phiên bản %(version)d. Từ nay phiên bản này không thể sửa.",
                       version=framework.version)):
            return _to_framework(framework)
        return redirect(url_for("assessments.framework_publish", framework_id=framework.id))
    return render_template("assessments/framework_publish.html", framework=framework,
                           problems=service.publish_problems(framework), action_form=ActionForm())


@bp.route("/framework/<id:framework_id>/delete", methods=["POST"])
@editor_required
def framework_delete(framework_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    _require_action_form()
    version = framework.version
    if carry_out(lambda: service.delete_draft(framework), _("Đã xóa bản nháp phiên bản %(version)d.", version=version)):
        return redirect(url_for("assessments.framework_list"))
    return _to_framework(framework)


# --- Editing a draft ------------------------------------------------------------------------------

@bp.route("/framework/<id:framework_id>/edit", methods=["GET", "POST"])
@editor_required
def framework_edit(framework_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    form = FrameworkDetailsForm(obj=framework)
    if form.validate_on_submit() and _attempt(
            lambda: service.update_details(framework, form.title.data, form.summary.data),
            lambda key: form[key]):
        db.session.commit()
        flash(_("Đã lưu tên và phần giới thiệu."), "success")
        return _to_framework(framework)
    return render_template("assessments/framework_form.html", framework=framework, form=form)


def _competency(framework: Framework, competency_id: int) -> Competency:
    competency = get_by_id(Competency, competency_id)
    if competency is None or competency.framework_id != framework.id:
        abort(404)
    return competency


@bp.route("/framework/<id:framework_id>/competencies/<id:competency_id>/edit", methods=["GET", "POST"])
@editor_required
def framework_competency_edit(framework_id: int, competency_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    competency = _competency(framework, competency_id)
    form = CompetencyForm(obj=competency)
    if request.method == "GET":
        for level, text in service.indicators_text(competency).items():
            form[f"level_{level}"].data = text
    if form.validate_on_submit() and _attempt(
            lambda: service.update_competency(
                framework, competency, form.title.data, form.description.data,
                {str(level): field.data for level, field in form.level_fields()}),
            lambda key: form[key]):
        db.session.commit()
        flash(_("Đã lưu năng lực %(code)s.", code=competency.code), "success")
        return redirect(url_for("assessments.framework_detail", framework_id=framework.id,
                                _anchor=f"competency-{competency.code}"))
    return render_template("assessments/framework_competency_form.html", framework=framework,
                           competency=competency, form=form, levels=PROFICIENCY_LEVELS)


@bp.route("/framework/<id:framework_id>/expectations", methods=["GET", "POST"])
@editor_required
def framework_expectations_edit(framework_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    grid = service.expectation_grid(framework, every_known=True)
    form = expectations_form(grid)
    if form.validate_on_submit():
        by_level = {column.code: {row.competency.code: chosen_level(form[level_field_name(i, j)])
                                  for j, row in enumerate(grid.rows)} for i, column in enumerate(grid.levels)}
        by_role = {role: {row.competency.code: chosen_level(form[role_field_name(i, j)])
                          for j, row in enumerate(grid.rows)} for i, (role, _label) in enumerate(grid.roles)}
        level_index = {column.code: i for i, column in enumerate(grid.levels)}
        role_index = {role: i for i, (role, _label) in enumerate(grid.roles)}

        def field_for(key):
            kind, code = key
            if kind == BY_LEVEL:
                return form[level_field_name(level_index[code], 0)]
            return form[role_field_name(role_index[code], 0)]

        if _attempt(lambda: service.update_expectations(framework, by_level, by_role), field_for):
            db.session.commit()
            flash(_("Đã lưu mức năng lực yêu cầu."), "success")
            return redirect(url_for("assessments.framework_detail", framework_id=framework.id, _anchor="expectations"))
    return render_template("assessments/framework_expectations_form.html", framework=framework, grid=grid,
                           form=form, level_field_name=level_field_name, role_field_name=role_field_name,
                           by_level=BY_LEVEL, by_role=BY_ROLE)


def _unit_indicator(framework: Framework, indicator_id: int) -> UnitIndicator:
    indicator = get_by_id(UnitIndicator, indicator_id)
    if indicator is None or indicator.framework_id != framework.id:
        abort(404)
    return indicator


@bp.route("/framework/<id:framework_id>/indicators/<id:indicator_id>/edit", methods=["GET", "POST"])
@editor_required
def framework_indicator_edit(framework_id: int, indicator_id: int):
    framework, refused = _editable(framework_id)
    if refused:
        return refused
    indicator = _unit_indicator(framework, indicator_id)
    columns = service.level_columns(framework, every_known=True)
    form = unit_indicator_form(indicator, columns)
    if form.validate_on_submit():
        targets = {column.code: service.TargetInput(bool(form[assessed_field_name(i)].data),
                                                    form[target_field_name(i)].data or "")
                   for i, column in enumerate(columns)}
        index = {column.code: i for i, column in enumerate(columns)}

        def field_for(key: str):
            if key.startswith("target:"):
                return form[target_field_name(index[key.removeprefix("target:")])]
            if key == "targets":
                return form[assessed_field_name(0)]
            return form[key]

        if _attempt(lambda: service.update_unit_indicator(
                framework, indicator, form.title.data, form.description.data, targets,
                form.evidence_required.data), field_for):
            db.session.commit()
            flash(_("Đã lưu chỉ số “%(title)s”.", title=indicator.title), "success")
            return redirect(url_for("assessments.framework_detail", framework_id=framework.id,
                                    _anchor=f"indicator-{indicator.code}"))
    return render_template("assessments/framework_indicator_form.html", framework=framework, indicator=indicator,
                           form=form, columns=columns, assessed_field_name=assessed_field_name,
                           target_field_name=target_field_name, **_labels())
