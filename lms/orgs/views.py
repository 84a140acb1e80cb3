from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from lms.actions import carry_out
from lms.auth.permissions import can, in_scope, require
from lms.db import db
from lms.i18n import level_name
from lms.orgs import services
from lms.forms import ActionForm, choices
from lms.orgs.forms import CloseUnitForm, MoveUnitForm, NewUnitForm, UnitForm
from lms.orgs.models import AREA_FLAGS, Unit
from lms.people.models import User
from lms.vietnamese import fold

bp = Blueprint("orgs", __name__, url_prefix="/units")


def may_restructure(user, unit: Unit) -> bool:
    """Moving or closing a unit is decided one level up: an admin cannot move or close the unit
    their own role stands on, which would carry their reach with it or end it."""
    return unit.parent is not None and can(user, "unit.manage", unit.parent)


def _require_restructure(unit: Unit | None) -> None:
    require("unit.view", unit)
    if not may_restructure(current_user, unit):
        abort(403)


def _flags(form) -> dict[str, bool]:
    return {flag: getattr(form, flag).data for flag in AREA_FLAGS}


@bp.route("/")
@login_required
def tree():
    """The top units the user may see; a search over every unit in scope."""
    query_text = request.args.get("q", "").strip()
    scope = in_scope(current_user, "unit.view")
    if query_text:
        needle = fold(query_text)
        matches = list(db.session.scalars(
            select(Unit).where(scope, Unit.name_folded.contains(needle, autoescape=True)
                               | func.lower(Unit.code).contains(needle, autoescape=True))
            .order_by(Unit.path).limit(100)))
        return render_template("orgs/tree.html", units=matches, query=query_text)
    top = _top_units_in_scope()
    return render_template("orgs/tree.html", units=top, query="")


def _top_units_in_scope() -> list[Unit]:
    """Units in scope whose parent is not in scope: the roots of what the user may see."""
    visible = select(Unit.id).where(in_scope(current_user, "unit.view"))
    query = (select(Unit).where(Unit.id.in_(visible))
             .where((Unit.parent_id.is_(None)) | Unit.parent_id.not_in(visible))
             .order_by(Unit.organisation_id, Unit.name))
    return list(db.session.scalars(query))


@bp.route("/<id:unit_id>")
@login_required
def detail(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    require("unit.view", unit)
    children = services.children(unit, include_closed=request.args.get("closed") == "1")
    counts = dict(db.session.execute(
        select(Unit.parent_id, func.count()).where(Unit.parent_id.in_([c.id for c in children]),
                                                   Unit.closed_at.is_(None))
        .group_by(Unit.parent_id)).all()) if children else {}
    cadres = db.session.scalar(
        select(func.count(User.id)).join(Unit, User.unit_id == Unit.id)
        .where(Unit.path.startswith(unit.path, autoescape=True), User.is_active.is_(True)))
    breadcrumb = [u for u in services.ancestors(unit) if can(current_user, "unit.view", u)]
    return render_template("orgs/detail.html", unit=unit, children=children, child_counts=counts,
                           cadres=cadres, breadcrumb=breadcrumb,
                           may_manage=can(current_user, "unit.manage", unit),
                           may_restructure=may_restructure(current_user, unit), close_form=CloseUnitForm(),
                           empty_form=ActionForm())


@bp.route("/<id:parent_id>/new", methods=["GET", "POST"])
@login_required
def create(parent_id: int):
    parent = db.session.get(Unit, parent_id)
    require("unit.manage", parent)
    form = NewUnitForm()
    form.level_id.choices = choices((lv.id, level_name(lv)) for lv in services.levels() if lv.rank > parent.level.rank)
    if request.method == "GET":
        for flag in AREA_FLAGS:
            getattr(form, flag).data = getattr(parent, flag)
    if form.validate_on_submit():
        level = next(lv for lv in services.levels() if lv.id == form.level_id.data)
        try:
            unit = services.create_unit(parent=parent, level=level, code=form.code.data, name=form.name.data,
                                        **_flags(form))
        except services.UnitError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã thêm đơn vị “%(name)s”.", name=unit.name), "success")
            return redirect(url_for("orgs.detail", unit_id=unit.id))
    return render_template("orgs/form.html", form=form, parent=parent, unit=None)


@bp.route("/<id:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    require("unit.manage", unit)
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            services.update_unit(unit, code=form.code.data, name=form.name.data, **_flags(form))
        except services.UnitError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("orgs.detail", unit_id=unit.id))
    return render_template("orgs/form.html", form=form, parent=unit.parent, unit=unit)


@bp.route("/<id:unit_id>/move", methods=["GET", "POST"])
@login_required
def move(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    _require_restructure(unit)
    form = MoveUnitForm()
    if form.validate_on_submit():
        new_parent = db.session.scalar(select(Unit).where(Unit.code == form.new_parent_code.data.strip()))
        if new_parent is None or not can(current_user, "unit.manage", new_parent):
            form.new_parent_code.errors.append(
                _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.", code=form.new_parent_code.data))
        else:
            try:
                services.move_unit(unit, new_parent)
            except services.UnitError as error:
                form.new_parent_code.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Đã chuyển “%(name)s” về “%(parent)s”.", name=unit.name, parent=new_parent.name),
                      "success")
                return redirect(url_for("orgs.detail", unit_id=unit.id))
    return render_template("orgs/move.html", form=form, unit=unit)


@bp.route("/<id:unit_id>/close", methods=["POST"])
@login_required
def close(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    _require_restructure(unit)
    form = CloseUnitForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do giải thể đơn vị."), "error")
    else:
        carry_out(lambda: services.close_unit(unit, form.reason.data),
                  _("Đã giải thể “%(name)s”. Lịch sử của đơn vị vẫn được lưu.", name=unit.name))
    return redirect(url_for("orgs.detail", unit_id=unit.id))


@bp.route("/<id:unit_id>/reopen", methods=["POST"])
@login_required
def reopen(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    _require_restructure(unit)
    if ActionForm().validate_on_submit():
        carry_out(lambda: services.reopen_unit(unit), _("Đã khôi phục hoạt động của “%(name)s”.", name=unit.name))
    return redirect(url_for("orgs.detail", unit_id=unit.id))
