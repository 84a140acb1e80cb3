"""The yearly training plan of a unit, on the trainers blueprint: plan items against the cohorts held,
the year's figure to report up, and adding, changing and removing plan items."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.actions import RuleError, carry_out
from lms.auth.permissions import can, require, scope_paths
from lms.db import db, get_by_id
from lms.forms import ActionForm, choices
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.reports.exports import download
from lms.trainers import plans
from lms.trainers.plan_forms import QUARTER_LABELS, PlanItemForm
from lms.trainers.models import TrainingPlanItem
from lms.trainers.views import bp
from lms.years import year_from_arg

VIEW, MANAGE = "trainer.view", "plan.manage"


def _unit_arg(action: str) -> Unit:
    """The unit of ?unit=<id> (404 if there is none, 403 outside the user's scope); without it, the
    first unit of the user's scope."""
    raw = request.args.get("unit", "")
    if raw:
        unit = get_by_id(Unit, raw)
        require(action, unit)
        return unit
    paths = scope_paths(current_user, action)
    if not paths:
        abort(403)
    return db.session.get(Unit, int(paths[0].strip("/").split("/")[-1]))


def _year_arg(years: tuple[int, int]) -> int:
    """?year=, read as the report pages read it: this year when absent, a 400 naming `years` when outside them."""
    return year_from_arg(request.args.get("year"), years)


@bp.route("/plans", endpoint="plans")
@login_required
def plan_page():
    unit = _unit_arg(VIEW)
    years = plans.viewable_years()
    plan = plans.year_plan(unit, _year_arg(years))
    parent = unit.parent if unit.parent is not None and can(current_user, VIEW, unit.parent) else None
    children = plans.child_units(unit)
    return render_template(
        "trainers/plan_year.html", plan=plan, summary=plans.summary_sentence(plan), parent=parent,
        carried_out=plans.carried_out_sentence(plan, with_units_below=bool(children)),
        children=children, may_manage=plan.editable and can(current_user, MANAGE, unit),
        action_form=ActionForm(), group_labels=plans.TARGET_GROUP_LABELS, target_groups=plans.TARGET_GROUPS,
        quarter_labels=QUARTER_LABELS, years=years)


@bp.route("/plans.<any(xlsx, csv):extension>", endpoint="plans_export")
@login_required
def plan_export(extension: str):
    plan = plans.year_plan(_unit_arg(VIEW), _year_arg(plans.viewable_years()))
    return download([plans.plan_table(plan, QUARTER_LABELS)], extension,
                    f"ke-hoach-tap-huan-{plan.year}-{plan.unit.code}.{extension}")


def _form(item: TrainingPlanItem | None) -> PlanItemForm:
    form = PlanItemForm(obj=item)
    form.target_group.choices = choices(
        [("", _("— Chọn đối tượng —"))] + [(group, _(label)) for group, label in plans.TARGET_GROUP_LABELS.items()])
    form.course_id.choices = choices(
        [("", _("— Không gắn khóa học —"))]
        + [(str(course_id), title) for course_id, title in plans.plannable_courses(item.course if item else None)])
    if request.method == "GET" and item is not None:
        form.quarter.data = str(item.quarter)
        form.course_id.data = str(item.course_id) if item.course_id else ""
    return form


def _show(form: PlanItemForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if not form[name].errors:
            form[name].errors = [*form[name].errors, message]


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def plan_new():
    unit = _unit_arg(MANAGE)
    year = _year_arg(plans.year_bounds())
    form = _form(None)
    if request.method == "GET":
        today = local_today()
        form.year.data = year
        form.quarter.data = str((today.month + 2) // 3 if year == today.year else 1)
    if form.validate_on_submit():
        try:
            item = plans.add_item(unit, form.values(), current_user)
        except plans.PlanRefused as refused:
            db.session.rollback()
            _show(form, refused.errors)
        else:
            db.session.commit()
            flash(_("Đã thêm mục kế hoạch năm %(year)d.", year=item.year), "success")
            return redirect(url_for("trainers.plans", unit=unit.id, year=item.year))
    return render_template("trainers/plan_form.html", form=form, unit=unit, item=None, year=year)


def _managed_item(item_id: int) -> TrainingPlanItem:
    item = get_by_id(TrainingPlanItem, item_id)
    require(MANAGE, item.unit if item else None)
    return item


@bp.route("/plans/<id:item_id>/edit", methods=["GET", "POST"])
@login_required
def plan_edit(item_id: int):
    item = _managed_item(item_id)
    back = url_for("trainers.plans", unit=item.unit_id, year=item.year)
    if not plans.is_open_year(item.year):
        flash(_("Kế hoạch năm %(year)d đã khép lại, không sửa được nữa.", year=item.year), "error")
        return redirect(back)
    form = _form(item)
    if form.validate_on_submit():
        try:
            plans.update_item(item, form.values())
        except plans.PlanRefused as refused:
            db.session.rollback()
            _show(form, refused.errors)
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã lưu mục kế hoạch."), "success")
            return redirect(url_for("trainers.plans", unit=item.unit_id, year=item.year))
    return render_template("trainers/plan_form.html", form=form, unit=item.unit, item=item, year=item.year)


@bp.route("/plans/<id:item_id>/delete", methods=["POST"])
@login_required
def plan_delete(item_id: int):
    item = _managed_item(item_id)
    unit_id, year = item.unit_id, item.year
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(lambda: plans.delete_item(item), _("Đã xóa mục kế hoạch."))
    return redirect(url_for("trainers.plans", unit=unit_id, year=year))
