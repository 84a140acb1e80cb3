"""Demo yearly reports sent up: last year's reports of the two demo provinces, each the real report the
application prints for that year, sent by the province's admin: Lào Cai's as a PDF before the due day,
An Giang's as a Word file after it. This year's are still to be sent, from the provinces' dashboards.

Sent through the same service as the page. Loading it again adds nothing. The caller commits."""
import io
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from lms.db import db, utcnow
from lms.i18n import end_of_local_day_utc, local_today
from lms.people.models import User
from lms.people.services import unit_by_code
from lms.reports import sending, yearly, yearly_docx, yearly_pdf
from lms.reports.models import SentReport

# (unit code, sender, printer, file extension, days from the due day, local hour, note)
DEMO_SENT = [
    ("DOAN-LCI", "admin.tinha@example.org", yearly_pdf.render, "pdf", -5, 16,
     "Bản đã ký và đóng dấu của Ban Thường vụ Tỉnh đoàn."),
    ("DOAN-AGG", "admin.tinhb@example.org", yearly_docx.render, "docx", 22, 9,
     "Gửi muộn do chờ số liệu của các đặc khu và xã đảo; bản Word để cấp trên tiện tổng hợp."),
]


def load_demo_reports() -> None:
    year = local_today().year - 1
    for code, email, render, extension, days, hour, note in DEMO_SENT:
        unit = unit_by_code(code)
        sender = db.session.scalar(select(User).where(User.email == email))
        if unit is None or sender is None or db.session.scalar(
                select(SentReport.id).where(SentReport.unit_id == unit.id, SentReport.year == year)):
            continue
        upload = FileStorage(io.BytesIO(render(yearly.build(unit, year))),
                             filename=yearly.filename(unit, year, extension))
        day = sending.due_date(unit.parent, year) + timedelta(days=days)
        sent = sending.send(unit, year, upload, note, sender, on=min(day, local_today()))
        sent.sent_at = min(end_of_local_day_utc(day) - timedelta(hours=24 - hour), utcnow())
