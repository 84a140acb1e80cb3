"""Forms of the cohort pages: a cohort's details, a session, and a participants list file."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.forms import ChoiceField, DayField, RadioChoiceField, WholeNumberField, choices
from lms.trainers.cohorts import MODE_LABELS, TARGET_GROUPS

class CohortForm(FlaskForm):
    title = StringField(_l("Tên lớp"), validators=[
        DataRequired(_l("Hãy nhập tên lớp.")), Length(max=200, message=_l("Tên lớp tối đa 200 ký tự."))])
    course_id = ChoiceField(_l("Khóa học trực tuyến đi kèm"), coerce=int)
    unit_code = StringField(_l("Mã đơn vị tổ chức"), validators=[
        DataRequired(_l("Hãy nhập mã đơn vị tổ chức lớp.")), Length(max=40, message=_l("Mã đơn vị tối đa 40 ký tự."))])
    mode = RadioChoiceField(_l("Hình thức"), default="in_person",
                            choices=choices((mode, _l(label)) for mode, label in MODE_LABELS.items()))
    place = StringField(_l("Địa điểm"), validators=[Length(max=200, message=_l("Địa điểm tối đa 200 ký tự."))])
    starts_on = DayField(_l("Ngày khai giảng"),
                          validators=[InputRequired(_l("Hãy chọn ngày khai giảng."))])
    ends_on = DayField(_l("Ngày bế giảng"),
                        validators=[InputRequired(_l("Hãy chọn ngày bế giảng."))])
    lead_trainer = StringField(_l("Giảng viên chính"), validators=[
        DataRequired(_l("Hãy nhập e-mail hoặc số điện thoại của giảng viên chính.")), Length(max=254)])
    co_trainers = TextAreaField(_l("Tập huấn viên cùng dạy"), render_kw={"rows": 3},
                                validators=[Length(max=3000, message=_l("Danh sách quá dài."))])
    capacity = WholeNumberField(_l("Sĩ số tối đa"), default=40, render_kw={"inputmode": "numeric"},
                                 validators=[InputRequired(_l("Hãy nhập sĩ số tối đa."))])
    attendance_threshold = WholeNumberField(_l("Tỷ lệ chuyên cần tối thiểu (%)"), default=80,
                                             render_kw={"inputmode": "numeric"},
                                             validators=[InputRequired(_l("Hãy nhập tỷ lệ chuyên cần."))])
    requires_course = BooleanField(_l("Phải hoàn thành khóa học trực tuyến mới được công nhận hoàn thành lớp"),
                                   default=True)
    target_group = ChoiceField(_l("Đối tượng"), choices=choices(
        [("", _l("— Chưa chọn —"))] + [(code, _l(label)) for code, label in TARGET_GROUPS.items()]))


class SessionForm(FlaskForm):
    held_on = DayField(_l("Ngày học"), validators=[InputRequired(_l("Hãy chọn ngày học."))])
    topic = StringField(_l("Chủ đề"), validators=[
        DataRequired(_l("Hãy nhập chủ đề buổi học.")), Length(max=200, message=_l("Chủ đề tối đa 200 ký tự."))])
    trainer_id = ChoiceField(lazy_pgettext("the trainer of a session", "Tập huấn viên"), coerce=int)


class ParticipantListForm(FlaskForm):
    file = FileField(
        _l("Tệp danh sách học viên (.xlsx hoặc .csv)"),
        validators=[FileRequired(_l("Hãy chọn tệp danh sách.")),
                    FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))],
    )
