"""Forms of the trainer profile pages: appointing a candidate, a practicum, certification actions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from lms.db import MAX_ID
from lms.forms import ChoiceField, RadioChoiceField, choices
from lms.trainers.certification import RUBRIC, TIER_LABELS
from lms.trainers.models import TIERS

SCORE_CHOICES = choices([(1, _l("1 – Yếu")), (2, _l("2 – Trung bình")), (3, _l("3 – Khá")), (4, _l("4 – Tốt"))])


class _IdField(IntegerField):
    """A row id typed by hand, with a Vietnamese message when it is not a whole number. A text box
    with a numeric keyboard: number boxes change value when a phone user scrolls over them."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValidationError(_l("Hãy nhập số hiệu lớp là một số nguyên, ví dụ 12.")) from error


def _cohort_id_field(label):
    return _IdField(label, render_kw={"inputmode": "numeric"},
                    validators=[Optional(), NumberRange(min=1, max=MAX_ID,
                                                        message=_l("Không có lớp tập huấn với số hiệu này."))])


class AppointForm(FlaskForm):
    identifier = StringField(_l("Số điện thoại hoặc e-mail của cán bộ"), validators=[
        DataRequired(_l("Hãy nhập số điện thoại hoặc e-mail của cán bộ.")),
        Length(max=254, message=_l("Số điện thoại hoặc e-mail quá dài."))])
    tier = ChoiceField(_l("Hạng tập huấn viên"),
                       choices=choices([("", _l("Theo cấp đơn vị của cán bộ"))]
                                       + [(tier, _l(TIER_LABELS[tier])) for tier in TIERS]))
    trained_in_cohort = _cohort_id_field(_l("Được đào tạo tại lớp (số hiệu lớp, nếu có)"))


class PracticumForm(FlaskForm):
    assessor = StringField(_l("Số điện thoại hoặc e-mail của người đánh giá"), validators=[
        Length(max=254, message=_l("Số điện thoại hoặc e-mail quá dài."))])
    cohort = _cohort_id_field(_l("Buổi thực hành trong lớp (số hiệu lớp, nếu có)"))
    comments = TextAreaField(_l("Nhận xét"), validators=[Length(max=2000, message=_l("Nhận xét tối đa 2000 ký tự."))])


for _key, _label in RUBRIC:
    setattr(PracticumForm, f"score_{_key}", RadioChoiceField(
        _l(_label), choices=SCORE_CHOICES, coerce=int,
        validators=[DataRequired(_l("Hãy chấm tiêu chí này từ 1 đến 4."))]))


class CertifyForm(FlaskForm):
    cohort = ChoiceField(_l("Công nhận qua lớp"), choices=[], validate_choice=True)


class SuspendForm(FlaskForm):
    reason = StringField(_l("Lý do tạm đình chỉ"), validators=[
        DataRequired(_l("Hãy ghi lý do tạm đình chỉ.")), Length(max=300, message=_l("Lý do tối đa 300 ký tự."))])
