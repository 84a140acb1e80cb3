"""The dashboard of a unit (headline figures, each report table with its chart, drill-down into the
units below) and the exports of its tables to .xlsx and .csv, on the reports blueprint."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import scope_required
from lms.forms import ActionForm
from lms.reports import dashboard as services
from lms.reports import metrics, queries, sending
from lms.reports.charts import number_text
from lms.reports.exports import download
from lms.reports.forms import DueDateForm, SendReportForm
from lms.reports.views import bp
from lms.years import year_from_arg

SENT_TABLES = ["sent", "sent_levels"]  # the section on yearly reports sent up, after the dashboard's sections

ACTION = services.ACTION


def _node_and_year(*, for_download: bool):
    year = year_from_arg(request.args.get("year"), services.report_years())
    if for_download:
        return services.one_unit_from_arg(current_user, request.args.get("unit")), year
    return services.node_from_arg(current_user, request.args.get("unit")), year


@bp.route("/")
@scope_required(ACTION)
def dashboard():
    node, year = _node_and_year(for_download=False)
    if node is None:
        return render_template("reports/pick.html", roots=services.scope_roots(current_user), year=year,
                               describe=services.describe)
    tables = services.build_tables(node, year)
    cards = services.headline(node, year)
    roots = services.scope_roots(current_user)
    sent = sending.panel(current_user, node, year)
    return render_template(
        "reports/dashboard.html", node=node, year=year, years=services.year_choices(year),
        crumbs=services.breadcrumb(current_user, node), several_roots=len(roots) > 1,
        cards=cards, sections=services.sections(tables), fmt=number_text,
        description=services.describe(node), as_of=queries.figures_as_of(), refresh_form=ActionForm(),
        sent=sent, sent_levels=metrics.sent_levels(node, year) if sent.children else None,
        send_form=SendReportForm(), remind_form=ActionForm(), remind_days=sending.REMIND_EVERY.days,
        due_form=_due_form(sent))


def _due_form(sent: sending.Panel) -> DueDateForm:
    """The form setting the units' due day, its date picker limited to the days the service accepts."""
    form = DueDateForm(formdata=None, due_on=sent.children_due)
    if sent.due_bounds:
        first, last = sent.due_bounds
        form.due_on.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
    return form


@bp.route("/refresh", methods=["POST"])
@scope_required(ACTION)
def refresh():
    """Compute the figures of the unit's dashboard afresh, for whoever reads them next."""
    if not ActionForm().validate_on_submit():
        abort(400)
    node, year = _node_and_year(for_download=True)
    services.refresh(node, [year])
    flash(_("Đã tính lại số liệu của %(unit)s.", unit=node.name), "success")
    return redirect(url_for("reports.dashboard", unit=node.id, year=year))


@bp.route("/<key>.<any(xlsx, csv):extension>", endpoint="export_table")
@scope_required(ACTION)
def export_table(key: str, extension: str):
    if not services.is_table(key):
        abort(404)
    node, year = _node_and_year(for_download=True)
    table = services.build_tables(node, year, [key])[0]
    filename = services.export_filename(key, node, year, extension)
    return download([table], extension, filename, about=services.about_rows(node, year))


@bp.route("/all.xlsx", endpoint="export_all")
@scope_required(ACTION)
def export_all():
    node, year = _node_and_year(for_download=True)
    tables = services.build_tables(node, year) + services.build_tables(node, year, SENT_TABLES)
    return download(tables, "xlsx", services.export_filename("tat-ca", node, year, "xlsx"),
                    about=services.about_rows(node, year))
