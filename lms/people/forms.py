from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.forms import ChoiceField, DayField, choices
from lms.people.models import VOLUNTEER_ROLE_LABELS


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("Tệp danh sách cán bộ (.xlsx hoặc .csv)"),
        validators=[FileRequired(_l("Hãy chọn tệp danh sách.")),
                    FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))],
    )


def _plausible_birth_date(_form, field) -> None:
    if field.data and not date(1900, 1, 1) <= field.data <= date.today():
        raise ValidationError(_l("Ngày sinh phải từ năm 1900 đến hôm nay."))


VOLUNTEER_ROLE_CHOICES = choices([("", _l("— Cán bộ, đoàn viên, hội viên —")),
                                  *((role, _l(label)) for role, label in VOLUNTEER_ROLE_LABELS.items())])
GENDER_CHOICES = choices([("", _l("— Chưa ghi —")), ("nam", _l("Nam")), ("nu", _l("Nữ")), ("khac", _l("Khác"))])


class PersonForm(FlaskForm):
    """A cadre's profile, for editing an account or creating one by hand."""

    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Hãy nhập họ và tên.")), Length(max=120, message=_l("Họ và tên tối đa 120 ký tự."))])
    date_of_birth = DayField(_l("Ngày sinh"), invalid_message=_l(
        "Ngày sinh không đúng dạng ngày/tháng/năm, ví dụ 25/03/1998."),
                                      validators=[Optional(), _plausible_birth_date])
    gender = ChoiceField(_l("Giới tính"), choices=GENDER_CHOICES)
    ethnicity = StringField(_l("Dân tộc"), render_kw={"list": "ethnicity-list"},
                            validators=[Length(max=40, message=_l("Tên dân tộc tối đa 40 ký tự."))])
    phone = StringField(_l("Số điện thoại"), validators=[Length(max=30, message=_l("Số điện thoại quá dài."))])
    email = StringField(_l("E-mail"), validators=[Length(max=254, message=_l("E-mail quá dài."))])
    position = StringField(_l("Chức vụ"), validators=[Length(max=120, message=_l("Chức vụ tối đa 120 ký tự."))])
    volunteer_role = ChoiceField(_l("Vai trò trong công tác tình nguyện"), choices=VOLUNTEER_ROLE_CHOICES, default="")
    unit_code = StringField(_l("Mã đơn vị"), validators=[DataRequired(_l("Hãy nhập mã đơn vị."))])

    PROFILE_FIELDS = ("full_name", "unit_code", "date_of_birth", "gender", "ethnicity", "phone", "email",
                      "position", "volunteer_role")

    def profile_data(self) -> dict:
        return {name: self[name].data for name in self.PROFILE_FIELDS}


class GrantRoleForm(FlaskForm):
    role = ChoiceField(_l("Vai trò"), validators=[DataRequired(_l("Hãy chọn vai trò."))])
    unit_code = StringField(_l("Mã đơn vị"), validators=[DataRequired(_l("Hãy nhập mã đơn vị."))])

