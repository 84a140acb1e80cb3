"""Forms of the report pages. What they send is checked by the services (lms.reports.sending)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from lms.forms import DayField

from lms.reports.sending import MAX_NOTE, MAX_REPORT_BYTES, REPORT_TYPES


class SendReportForm(FlaskForm):
    file = FileField(_l("Tệp báo cáo đã ký và đóng dấu (PDF hoặc DOCX, tối đa %(size)d MB)",
                        size=MAX_REPORT_BYTES // (1024 * 1024)),
                     render_kw={"accept": ",".join(f".{extension}" for extension in REPORT_TYPES)})
    note = TextAreaField(_l("Ghi chú gửi cấp trên (không bắt buộc)"), render_kw={"rows": 2, "maxlength": MAX_NOTE})


class DueDateForm(FlaskForm):
    due_on = DayField(_l("Hạn các đơn vị trực thuộc gửi báo cáo"),
                      validators=[InputRequired(_l("Hãy chọn hạn gửi báo cáo."))])
