"""Sending a unit's signed yearly report up, reminding the units below to send theirs, and reading the
reports sent, on the reports blueprint. The dashboard shows what was sent (lms.reports.dashboard_views);
these routes take and give the files."""
import io
from datetime import date

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.actions import RuleError
from lms.auth.permissions import require, scope_required
from lms.db import db, get_by_id
from lms.forms import ActionForm
from lms.i18n import people_names
from lms.mail import Mailing
from lms.orgs.models import Unit
from lms.reports import dashboard, queries, sending
from lms.reports.forms import DueDateForm, SendReportForm
from lms.reports.models import SentReport
from lms.reports.views import bp
from lms.uploads import allows_upload
from lms.years import year_from_arg


def _unit_and_year() -> tuple[Unit, int]:
    unit = get_by_id(Unit, request.args.get("unit"))
    require(sending.ACTION, unit)
    return unit, year_from_arg(request.args.get("year"), dashboard.report_years())


# Messages of the actions of the section on reports sent up, which the page they return to shows in that
# section (where it opens), not at its top.
PANEL_SUCCESS, PANEL_ERROR = "panel-success", "panel-error"


def _back_to_panel(unit: Unit, year: int):
    return redirect(url_for("reports.dashboard", unit=unit.id, year=year, _anchor=sending.PANEL))


@bp.route("/yearly/send", methods=["POST"])
@allows_upload(sending.MAX_REPORT_BYTES)
@scope_required(sending.ACTION)
def send_yearly_report():
    unit, year = _unit_and_year()
    form = SendReportForm()
    try:
        sent = sending.send(unit, year, form.file.data, form.note.data or "", current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), PANEL_ERROR)
        return _back_to_panel(unit, year)
    db.session.commit()
    queries.forget_sent_up(unit, year)
    mailing = sending.notify_parent(sent, current_user)
    flash(" ".join([_("Đã gửi báo cáo năm %(year)s của %(unit)s lên %(parent)s.", year=year, unit=unit.name,
                      parent=unit.parent.name), *_untold_of_arrival(mailing, unit.parent)]), PANEL_SUCCESS)
    return _back_to_panel(unit, year)


def _untold_of_arrival(mailing: Mailing, parent: Unit) -> list[str]:
    """Whom at the level above the e-mail saying a report arrived did not reach: the report is sent all the same,
    so the sender can tell them another way."""
    untold = []
    if mailing.unreached:
        untold.append(_("Máy chủ thư chưa gửi được e-mail báo tin tới %(names)s (%(parent)s); hãy báo trực tiếp "
                        "cho họ.", names=people_names(mailing.unreached), parent=parent.name))
    if mailing.refused:
        untold.append(_("Máy chủ thư từ chối địa chỉ e-mail của %(names)s (%(parent)s) nên họ chưa nhận được tin "
                        "báo.", names=people_names(mailing.refused), parent=parent.name))
    return untold


@bp.route("/yearly/remind", methods=["POST"])
@scope_required(sending.ACTION)
def remind_yearly_report():
    unit, year = _unit_and_year()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outcome = sending.remind(unit, year, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), PANEL_ERROR)
        return _back_to_panel(unit, year)
    db.session.commit()
    delivery = sending.deliver([outcome], year, current_user)
    reminded = delivery.reminded([outcome])
    message = [_("Đã nhắc %(units)d đơn vị chưa gửi báo cáo năm %(year)d (%(people)d người nhận e-mail).",
                 units=reminded, year=year, people=delivery.sent), *sending.left_out(outcome)]
    if delivery.unreached:
        message.append(_("Máy chủ thư chưa gửi được e-mail nhắc tới %(units)s; hãy nhắc lại sau.",
                         units=sending.unit_names(delivery.unreached)))
    if delivery.refused:
        message.append(_("Máy chủ thư từ chối địa chỉ e-mail của quản trị viên %(units)s; hãy kiểm tra lại địa "
                         "chỉ của họ.", units=sending.unit_names(delivery.refused)))
    flash(" ".join(message), PANEL_SUCCESS if reminded else PANEL_ERROR)
    return _back_to_panel(unit, year)


@bp.route("/yearly/due", methods=["POST"])
@scope_required(sending.ACTION)
def set_yearly_report_due():
    unit, year = _unit_and_year()
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.due_on.errors)) or _("Hãy chọn hạn gửi báo cáo."), PANEL_ERROR)
        return _back_to_panel(unit, year)
    previous = sending.due_date(unit, year)
    try:
        deadline = sending.set_due_date(unit, year, form.due_on.data, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), PANEL_ERROR)
        return _back_to_panel(unit, year)
    db.session.commit()
    announced = sending.announce_due(unit, year, current_user) if deadline.due_on != previous else (0, [], [])
    flash(_due_set_message(unit, year, deadline.due_on, *announced), PANEL_SUCCESS)
    return _back_to_panel(unit, year)


def _due_set_message(unit: Unit, year: int, due_on: date, told: int, untold: list[Unit],
                     unreached: list[Unit]) -> str:
    """What setting the day did: the day, the later days set below that it moved, who was told, which units
    have nobody to tell, and which the mail server could not tell."""
    day = due_on.strftime("%d/%m/%Y")
    message = [_("Các đơn vị trực thuộc %(unit)s gửi báo cáo năm %(year)d chậm nhất ngày %(date)s.", unit=unit.name,
                 year=year, date=day)]
    later = sending.days_set_later_below(unit, year, due_on)
    if later:
        message.append(ngettext(
            "%(num)d đơn vị cấp dưới đã đặt hạn muộn hơn cho các đơn vị của mình; hạn đó nay tính là ngày %(date)s.",
            "%(num)d đơn vị cấp dưới đã đặt hạn muộn hơn cho các đơn vị của mình; các hạn đó nay tính là ngày "
            "%(date)s.", later, date=day))
    if told:
        message.append(ngettext("Đã báo hạn qua e-mail tới %(num)d quản trị viên của các đơn vị trực thuộc.",
                                "Đã báo hạn qua e-mail tới %(num)d quản trị viên của các đơn vị trực thuộc.", told))
    if untold:
        message.append(_("Chưa có quản trị viên có e-mail để báo hạn: %(units)s.", units=sending.unit_names(untold)))
    if unreached:
        message.append(_("Máy chủ thư chưa gửi được e-mail báo hạn tới %(units)s; hãy báo trực tiếp cho các đơn vị "
                         "này.", units=sending.unit_names(unreached)))
    return " ".join(message)


@bp.route("/yearly/sent/<id:sent_id>")
@scope_required(dashboard.ACTION)
def sent_report_file(sent_id: int):
    sent = get_by_id(SentReport, sent_id)
    require(dashboard.ACTION, sent.unit if sent else None)
    response = send_file(io.BytesIO(sent.file.data), mimetype=sent.file.content_type, as_attachment=True,
                         download_name=sent.file.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
