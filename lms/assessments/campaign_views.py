"""Campaign pages on the assessments blueprint: the campaigns a person may see, a draft's settings, launching,
closing, progress with drill-down through the unit tree, and reminders. The rules live in
lms.assessments.campaigns; these views route, check access and render."""
from datetime import timedelta
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.actions import RuleError, carry_out
from lms.assessments import campaigns as service
from lms.assessments.campaign_forms import CampaignForm
from lms.assessments.framework import latest_published
from lms.assessments.models import (CAMPAIGN_CLOSED, CAMPAIGN_DRAFT, CAMPAIGN_STATUS_LABELS,
                                    INSTRUMENT_LABELS, KNOWLEDGE, SELF, SUPERVISOR, UNIT_STATUS_LABELS,
                                    UNIT_STATUSES, Campaign)
from lms.assessments.views import bp
from lms.auth.permissions import can, has_any_scope, require
from lms.db import as_id, db, get_by_id
from lms.forms import ActionForm, choices
from lms.i18n import level_name, local_today, people_names
from lms.orgs.models import Unit
from lms.people.models import VOLUNTEER_ROLE_LABELS
from lms.reports.exports import download
from lms.text import render_markdown

DEFAULT_INSTRUMENTS = [SELF, SUPERVISOR, KNOWLEDGE]
DEFAULT_DAYS = 30


def follower_required(view):
    """Signed-in users who manage campaigns or follow assessments somewhere; anyone else gets 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not service.view_paths(current_user):
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def _campaign(campaign_id: int, manage: bool = False) -> Campaign:
    """The campaign, if the current user may see it (or manage it): 404 if missing, else 403."""
    campaign = get_by_id(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if manage:
        require(service.ACTION, campaign.unit)
    elif not service.may_view(current_user, campaign):
        abort(403)
    return campaign


def _to_campaign(campaign: Campaign, unit_id: int | None = None):
    return redirect(url_for("assessments.campaign_detail", campaign_id=campaign.id, unit=unit_id))


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# --- Listing --------------------------------------------------------------------------------------

@bp.route("/campaigns")
@follower_required
def campaign_list():
    status = request.args.get("status", "")
    status = status if status in CAMPAIGN_STATUS_LABELS else ""
    year = request.args.get("year", type=int)
    year = year if year and 1900 <= year <= 9999 else None
    page = service.campaign_page(current_user, request.args.get("page", 1, type=int), status, year)
    return render_template("assessments/campaign_list.html", page=page, status=status, year=year,
                           years=service.campaign_years(current_user), status_labels=CAMPAIGN_STATUS_LABELS,
                           may_create=has_any_scope(current_user, service.ACTION))


# --- Creating and editing a draft -----------------------------------------------------------------

def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    form = CampaignForm()
    units = service.launching_units(current_user, campaign)
    form.unit_id.choices = choices((unit.id, f"{unit.name} ({unit.code})") for unit in units)
    frameworks = service.published_frameworks()
    form.framework_id.choices = choices(
        (framework.id, _("Phiên bản %(version)d: %(title)s", version=framework.version, title=framework.title))
        for framework in frameworks)
    highest = min((unit.level.rank for unit in units), default=0)
    form.target_levels.choices = choices((level.code, level_name(level)) for level in service.unit_levels()
                                         if level.rank >= highest)
    return form


def _fill_defaults(form: CampaignForm, campaign: Campaign | None) -> None:
    if campaign is not None:
        for name, value in service.form_values(campaign).items():
            form[name].data = value
        return
    units = service.launching_units(current_user)
    own = current_user.unit
    ids = [unit.id for unit in units]
    form.unit_id.data = own.id if own is not None and own.id in ids else (ids[0] if ids else None)
    latest = latest_published()
    form.framework_id.data = latest.id if latest else None
    form.target_levels.data = [choice.value for choice in form.target_levels.choices]
    form.target_roles.data = []
    form.instruments.data = list(DEFAULT_INSTRUMENTS)
    form.assess_units.data = True
    form.opens_on.data = local_today()
    form.due_on.data = local_today() + timedelta(days=DEFAULT_DAYS)


def _input(form: CampaignForm) -> service.CampaignInput:
    return service.CampaignInput(
        title=form.title.data or "", description=form.description.data or "",
        unit_id=as_id(form.unit_id.data), framework_id=as_id(form.framework_id.data),
        target_levels=list(form.target_levels.data or []), target_roles=list(form.target_roles.data or []),
        instruments=list(form.instruments.data or []), assess_units=bool(form.assess_units.data),
        opens_on=form.opens_on.data, due_on=form.due_on.data)


def _show(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        form[name].errors = list(form[name].errors) + [m for m in messages if m not in form[name].errors]


def _checked(form: CampaignForm, campaign: Campaign | None) -> dict | None:
    """Values to store once the form and the rules both pass; every mistake is shown at once."""
    if not form.is_submitted():
        return None
    form_valid = form.validate()
    try:
        values = service.check_campaign(current_user, _input(form), campaign)
    except service.CampaignRefused as refused:
        _show(form, refused.errors)
        return None
    return values if form_valid else None


def _form_page(form: CampaignForm, campaign: Campaign | None):
    return render_template("assessments/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def campaign_new():
    if not has_any_scope(current_user, service.ACTION):
        abort(403)
    form = _campaign_form(None)
    if request.method == "GET":
        _fill_defaults(form, None)
    values = _checked(form, None)
    if values is not None:
        campaign = service.create_campaign(current_user, values)
        db.session.commit()
        flash(_("Đã tạo đợt đánh giá “%(title)s” ở dạng bản nháp. Hãy kiểm tra lại rồi bấm Phát động.",
                title=campaign.title), "success")
        return _to_campaign(campaign)
    return _form_page(form, None)


@bp.route("/campaigns/<id:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def campaign_edit(campaign_id: int):
    campaign = _campaign(campaign_id, manage=True)
    if campaign.status != CAMPAIGN_DRAFT:
        flash(_("Đợt đánh giá đã phát động nên các thiết lập được giữ cố định, không sửa được nữa."), "error")
        return _to_campaign(campaign)
    form = _campaign_form(campaign)
    if request.method == "GET":
        _fill_defaults(form, campaign)
    values = _checked(form, campaign)
    if values is not None:
        try:
            service.update_campaign(campaign, values)
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _to_campaign(campaign)
        db.session.commit()
        flash(_("Đã lưu thay đổi."), "success")
        return _to_campaign(campaign)
    return _form_page(form, campaign)


# --- Launching and closing ------------------------------------------------------------------------

@bp.route("/campaigns/<id:campaign_id>/launch", methods=["POST"])
@login_required
def campaign_launch(campaign_id: int):
    campaign = _campaign(campaign_id, manage=True)
    _require_action_form()
    try:
        counts = service.launch_campaign(campaign)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_campaign(campaign)
    db.session.commit()
    message = ngettext("Đã phát động đợt đánh giá: %(num)d cán bộ được đánh giá",
                       "Đã phát động đợt đánh giá: %(num)d cán bộ được đánh giá", counts.participants)
    if counts.units:
        message += ", " + ngettext("%(num)d đơn vị tự đánh giá năng lực", "%(num)d đơn vị tự đánh giá năng lực",
                                   counts.units)
    flash(message + ".", "success")
    return _to_campaign(campaign)


@bp.route("/campaigns/<id:campaign_id>/close", methods=["POST"])
@login_required
def campaign_close(campaign_id: int):
    campaign = _campaign(campaign_id, manage=True)
    _require_action_form()
    carry_out(lambda: service.close_campaign(campaign),
              _("Đợt đánh giá đã kết thúc. Kết quả được giữ nguyên để xem lại."))
    return _to_campaign(campaign)


# --- One campaign with its progress ---------------------------------------------------------------

def _node(campaign: Campaign, raw_unit) -> tuple[Unit | None, list[Unit]]:
    """The unit whose progress is shown (None: the viewer's several scope units side by side) and the
    viewer's starting units. A unit outside the campaign answers 404; outside the viewer's scope, 403."""
    roots = service.progress_roots(current_user, campaign)
    if raw_unit is None or raw_unit == "":
        return (roots[0] if len(roots) == 1 else None), roots
    unit = get_by_id(Unit, raw_unit)
    if unit is None or not unit.path.startswith(campaign.unit.path):
        abort(404)
    if not service.may_follow(current_user, unit):
        abort(403)
    return unit, roots


@bp.route("/campaigns/<id:campaign_id>")
@login_required
def campaign_detail(campaign_id: int):
    campaign = _campaign(campaign_id)
    may_manage = service.may_manage(current_user, campaign)
    context = {"campaign": campaign, "may_manage": may_manage, "action_form": ActionForm(),
               "status_labels": CAMPAIGN_STATUS_LABELS, "instrument_labels": INSTRUMENT_LABELS,
               "role_labels_volunteer": VOLUNTEER_ROLE_LABELS, "unit_status_labels": UNIT_STATUS_LABELS,
               "unit_statuses": UNIT_STATUSES, "levels": {level.code: level for level in service.unit_levels()},
               "description": render_markdown(campaign.description), "is_open": campaign.is_open}
    if campaign.status == CAMPAIGN_DRAFT:
        return render_template("assessments/campaign_detail.html", preview=service.launch_preview(campaign),
                               not_yet=campaign.opens_on > local_today(), **context)
    node, roots = _node(campaign, request.args.get("unit"))
    rows = service.progress_rows(campaign, node, roots)
    trail = service.node_trail(current_user, campaign, node) if node is not None else []
    may_remind = node is not None and context["is_open"] and can(current_user, service.ACTION, node)
    return render_template("assessments/campaign_detail.html", node=node, roots=roots, rows=rows,
                           total=service.progress_total(rows), trail=trail, many_roots=len(roots) > 1,
                           may_remind=may_remind, **context)


@bp.route("/campaigns/<id:campaign_id>/progress.<any(xlsx, csv):extension>")
@login_required
def campaign_progress_export(campaign_id: int, extension: str):
    """The progress table as shown (same unit, same scope) as .xlsx or .csv."""
    campaign = _campaign(campaign_id)
    if campaign.status == CAMPAIGN_DRAFT:
        abort(404)
    node, roots = _node(campaign, request.args.get("unit"))
    table = service.progress_table(campaign, node, service.progress_rows(campaign, node, roots))
    where = node.code if node is not None else "cac-don-vi"
    return download([table], extension, f"tien-do-danh-gia-{campaign.id}-{where}.{extension}")


def _flash_reminders_sent(sent: int, unreached: list, refused: list) -> None:
    """Say how many were reminded, whom the mail server could not be reached for, and whose address it
    refused."""
    message = [ngettext("Đã gửi e-mail nhắc nhở tới %(num)d cán bộ.", "Đã gửi e-mail nhắc nhở tới %(num)d cán bộ.",
                        sent)] if sent else []
    if unreached:
        message.append(ngettext("Máy chủ thư chưa gửi được e-mail nhắc tới %(num)d cán bộ: %(names)s; "
                                "hãy nhắc lại sau.",
                                "Máy chủ thư chưa gửi được e-mail nhắc tới %(num)d cán bộ: %(names)s; "
                                "hãy nhắc lại sau.", len(unreached), names=people_names(unreached)))
    if refused:
        message.append(ngettext("Máy chủ thư từ chối địa chỉ e-mail của %(num)d cán bộ: %(names)s; hãy kiểm tra lại "
                                "địa chỉ của họ.",
                                "Máy chủ thư từ chối địa chỉ e-mail của %(num)d cán bộ: %(names)s; hãy kiểm tra lại "
                                "địa chỉ của họ.", len(refused), names=people_names(refused)))
    flash(" ".join(message), "success" if sent else "error")


@bp.route("/campaigns/<id:campaign_id>/remind", methods=["POST"])
@login_required
def campaign_remind(campaign_id: int):
    campaign = _campaign(campaign_id)
    _require_action_form()
    node, _roots = _node(campaign, request.form.get("unit"))
    require(service.ACTION, node)
    if campaign.status == CAMPAIGN_CLOSED:
        flash(_("Đợt đánh giá đã kết thúc."), "error")
        return _to_campaign(campaign, node.id)
    try:
        reminders = service.record_reminders(campaign, node)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_campaign(campaign, node.id)
    db.session.commit()
    if reminders.people:
        _flash_reminders_sent(*service.deliver_reminders(reminders))
    else:
        flash(_("Không có ai cần nhắc: mọi người đã làm xong phần việc của mình, chưa có e-mail, hoặc vừa được "
                "nhắc trong 3 ngày qua."), "info")
    return _to_campaign(campaign, node.id)
