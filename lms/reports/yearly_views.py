"""The yearly report of a unit as a PDF or a Word document, on the reports blueprint, scoped like the dashboard."""
from flask import make_response, request
from flask_login import current_user

from lms.auth.permissions import scope_required
from lms.reports import dashboard, yearly, yearly_docx, yearly_pdf
from lms.reports.views import bp
from lms.years import year_from_arg

FORMATS = {"pdf": (yearly_pdf.render, "application/pdf"),
           "docx": (yearly_docx.render, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}


@bp.route("/yearly.<any(pdf, docx):extension>", endpoint="yearly_report")
@scope_required(dashboard.ACTION)
def yearly_report(extension: str):
    unit = dashboard.one_unit_from_arg(current_user, request.args.get("unit"))  # 404 unknown, 403 outside scope
    year = year_from_arg(request.args.get("year"), dashboard.report_years())
    render, mimetype = FORMATS[extension]
    response = make_response(render(yearly.build(unit, year)))
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{yearly.filename(unit, year, extension)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
