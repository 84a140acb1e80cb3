"""Sending a unit's signed yearly report up, and reading the reports sent, on the reports blueprint. The
dashboard shows what was sent (lms.reports.dashboard_views); these routes take and give the files."""
import io

from flask import abort, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.actions import carry_out
from lms.auth.permissions import require, scope_required
from lms.db import get_by_id
from lms.orgs.models import Unit
from lms.reports import dashboard, sending
from lms.reports.forms import SendReportForm
from lms.reports.models import SentReport
from lms.reports.views import bp
from lms.reports.yearly_views import year_from_arg

PANEL = "bao-cao-gui-len"  # the dashboard's section about reports sent up


@bp.route("/yearly/send", methods=["POST"])
@scope_required(sending.ACTION)
def send_yearly_report():
    unit = get_by_id(Unit, request.args.get("unit"))
    require(sending.ACTION, unit)
    year = year_from_arg(request.args.get("year"))
    form = SendReportForm()
    carry_out(lambda: sending.send(unit, year, form.file.data, form.note.data or "", current_user),
              _("Đã gửi báo cáo năm %(year)s của %(unit)s lên %(parent)s.", year=year, unit=unit.name,
                parent=unit.parent.name if unit.parent else ""))
    return redirect(url_for("reports.dashboard", unit=unit.id, year=year, _anchor=PANEL))


@bp.route("/yearly/sent/<id:sent_id>")
@scope_required(dashboard.ACTION)
def sent_report_file(sent_id: int):
    sent = get_by_id(SentReport, sent_id)
    require(dashboard.ACTION, sent.unit if sent else None)
    response = send_file(io.BytesIO(sent.file.data), mimetype=sent.file.content_type, as_attachment=True,
                         download_name=sent.file.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
