"""The cadre directory and account administration for unit admins."""
from flask import (
    Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.actions import RuleError, carry_out
from lms.auth.permissions import ROLE_LABELS, Role, can, has_any_scope, require, scope_required
from lms.db import db, get_by_id
from lms.forms import ActionForm, choices
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people import downloads, services
from lms.people.contact import display_phone
from lms.people.ethnicities import ETHNICITIES
from lms.people.export import directory_table
from lms.people.forms import GrantRoleForm, PersonForm
from lms.people.models import DIRECTORY_LIST, VOLUNTEER_ROLE_LABELS, User
from lms.reports.exports import download, name_part

bp = Blueprint("people", __name__, url_prefix="/people")

_ISSUED_CODE = "people_issued_code"


@bp.route("/")
@login_required
def directory():
    filters = _directory_filters()
    page = services.directory_page(current_user, filters, request.args.get("page", 1, type=int))
    return render_template("people/directory.html", page=page, filters=filters,
                           may_create=has_any_scope(current_user, "user.manage"),
                           may_read_downloads=has_any_scope(current_user, downloads.ACTION))


@bp.route("/export.<any(xlsx, csv):extension>")
@login_required
def directory_export(extension: str):
    """The directory under the same filters, every page of it, as a file."""
    filters = _directory_filters()
    try:
        table = directory_table(current_user, filters)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("people.directory", **filters.as_args()))
    downloads.record(current_user, DIRECTORY_LIST, downloads.directory_units(current_user, filters, len(table.rows)),
                     extension, filters={"q": filters.query, "status": filters.status})
    code = name_part(filters.unit.code, str(filters.unit.id)) if filters.unit else "tat-ca"
    return download([table], extension, f"can-bo-{code}-{local_today():%Y%m%d}.{extension}")


@bp.route("/downloads")
@scope_required(downloads.ACTION)
def download_log():
    """Who downloaded lists of the people of the units the viewer administers."""
    page = downloads.log_page(current_user, request.args.get("page", 1, type=int))
    return render_template("people/download_log.html", page=page, describe=downloads.describe,
                           keep_days=current_app.config["LMS_DOWNLOAD_LOG_DAYS"])


def _directory_filters() -> services.DirectoryFilter:
    if not has_any_scope(current_user, "user.view"):
        abort(403)
    return services.DirectoryFilter(unit=_filter_unit(), query=request.args.get("q", "").strip(),
                                    status=request.args.get("status", ""))


def _filter_unit() -> Unit | None:
    raw = request.args.get("unit", "")
    if not raw:
        return None
    unit = get_by_id(Unit, raw)
    require("user.view", unit)
    return unit


@bp.route("/<id:user_id>")
@login_required
def person(user_id: int):
    person = get_by_id(User, user_id)
    require("user.view", person.unit if person else None)
    code = _pop_issued_code(person)
    response = make_response(render_template(
        "people/person.html", person=person, issued_code=code, locked_until=services.locked_until(person),
        may_manage=services.may_manage(current_user, person), action_form=ActionForm(),
        may_view_unit=can(current_user, "unit.view", person.unit),
        may_view_assessment=can(current_user, "assessment.view", person.unit),
        volunteer_role_labels=VOLUNTEER_ROLE_LABELS))
    if code:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not has_any_scope(current_user, "user.manage"):
        abort(403)
    form = PersonForm()
    if request.method == "GET":
        form.unit_code.data = _default_unit_code()
    values = _checked_profile(form, None)
    if values is not None:
        person, code = services.create_person(values)
        db.session.commit()
        _remember_issued_code(person, code)
        flash(_("Đã tạo tài khoản cho %(name)s.", name=person.full_name), "success")
        return redirect(url_for("people.person", user_id=person.id))
    return render_template("people/person_form.html", form=form, person=None, ethnicities=ETHNICITIES)


def _default_unit_code() -> str:
    """The unit asked for in ?unit=, else the admin's own unit, when the admin manages it."""
    unit_id = request.args.get("unit", type=int)
    unit = get_by_id(Unit, unit_id) if unit_id else current_user.unit
    return unit.code if unit and can(current_user, "user.manage", unit) else ""


@bp.route("/<id:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    person = _managed_person(user_id)
    form = PersonForm(obj=person)
    if request.method == "GET":
        form.unit_code.data = person.unit.code
        form.phone.data = display_phone(person.phone)
    values = _checked_profile(form, person)
    if values is not None:
        services.update_person(person, values)
        db.session.commit()
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("people.person", user_id=person.id))
    return render_template("people/person_form.html", form=form, person=person, ethnicities=ETHNICITIES)


@bp.route("/<id:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate(user_id: int):
    person = _managed_person(user_id)
    _act(lambda: services.deactivate(person, current_user),
         _("Đã ngừng hoạt động tài khoản của %(name)s. Người này không thể đăng nhập.", name=person.full_name))
    return redirect(url_for("people.person", user_id=person.id))


@bp.route("/<id:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id: int):
    person = _managed_person(user_id)
    _act(lambda: services.reactivate(person),
         _("Tài khoản của %(name)s đã hoạt động trở lại.", name=person.full_name))
    return redirect(url_for("people.person", user_id=person.id))


@bp.route("/<id:user_id>/reissue", methods=["POST"])
@login_required
def reissue(user_id: int):
    person = _managed_person(user_id)
    _act(lambda: _remember_issued_code(person, services.reissue_activation(person, current_user)),
         _("Đã cấp mã kích hoạt mới cho %(name)s. Mật khẩu cũ không còn dùng được.", name=person.full_name))
    return redirect(url_for("people.person", user_id=person.id))


@bp.route("/<id:user_id>/roles", methods=["GET", "POST"])
@login_required
def roles(user_id: int):
    person = _managed_person(user_id)
    form = GrantRoleForm()
    form.role.choices = choices((role.value, _(ROLE_LABELS[role])) for role in services.grantable_roles(current_user))
    if request.method == "GET":
        form.unit_code.data = person.unit.code
    if form.validate_on_submit():
        try:
            services.grant(person, Role(form.role.data), form.unit_code.data, current_user)
        except services.PersonError as error:
            form.unit_code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã trao vai trò cho %(name)s.", name=person.full_name), "success")
            return redirect(url_for("people.roles", user_id=person.id))
    revocable = {a.id for a in person.roles if services.may_grant(current_user, a.role, a.unit)}
    return render_template("people/roles.html", person=person, form=form, revocable=revocable,
                           action_form=ActionForm())


@bp.route("/<id:user_id>/roles/<id:assignment_id>/revoke", methods=["POST"])
@login_required
def revoke_role(user_id: int, assignment_id: int):
    person = _managed_person(user_id)
    assignment = next((a for a in person.roles if a.id == assignment_id), None)
    if assignment is None:
        abort(404)
    if not services.may_grant(current_user, assignment.role, assignment.unit):
        abort(403)
    _act(lambda: services.revoke(person, assignment, current_user), _("Đã thu hồi vai trò."))
    return redirect(url_for("people.roles", user_id=person.id))


def _managed_person(user_id: int) -> User:
    """The person, if the current user may administer their account: 404 if missing, else 403."""
    person = get_by_id(User, user_id)
    require("user.manage", person.unit if person else None)
    if not services.may_manage(current_user, person):
        abort(403)
    return person


def _act(action, success_message: str) -> None:
    """Run a one-button action sent by POST; commit and say so, or tell why it was refused."""
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(action, success_message)


def _checked_profile(form: PersonForm, person: User | None) -> dict | None:
    """Values to store once the form and the account rules both pass; every mistake is shown at once."""
    if not form.is_submitted():
        return None
    form_valid = form.validate()
    try:
        values = services.check_profile(current_user, services.Profile(**form.profile_data()), person)
    except services.ProfileError as error:
        for name, message in error.errors.items():
            form[name].errors.append(message)
        return None
    return values if form_valid else None


def _remember_issued_code(person: User, code: str) -> None:
    """Keep a fresh activation code for the next page only, where the admin sees it once."""
    session[_ISSUED_CODE] = {"user_id": person.id, "code": code}


def _pop_issued_code(person: User) -> str | None:
    issued = session.get(_ISSUED_CODE)
    if not issued or issued.get("user_id") != person.id:
        return None
    session.pop(_ISSUED_CODE)
    return issued["code"]


# Bulk onboarding routes live in their own module, on this blueprint.
from lms.people import import_views  # noqa: E402,F401
