"""The form of a campaign's settings. Choices (units, framework versions, levels) are filled by the view
from the viewer's scope; the rules themselves live in lms.assessments.campaigns.check_campaign."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.assessments.models import INSTRUMENT_LABELS
from lms.forms import ChoiceField, DayField, MultiCheckboxField, choices
from lms.people.models import VOLUNTEER_ROLE_LABELS

class CampaignForm(FlaskForm):
    title = StringField(_l("Tên đợt đánh giá"), validators=[
        DataRequired(_l("Hãy nhập tên đợt đánh giá, ví dụ “Đánh giá năng lực 2026”.")),
        Length(max=200, message=_l("Tên đợt đánh giá tối đa 200 ký tự."))])
    description = TextAreaField(_l("Giới thiệu"), render_kw={"rows": 4}, validators=[
        Length(max=5000, message=_l("Phần giới thiệu tối đa 5.000 ký tự."))])
    unit_id = ChoiceField(_l("Đơn vị phát động"), coerce=int)
    framework_id = ChoiceField(_l("Phiên bản khung năng lực"), coerce=int)
    target_levels = MultiCheckboxField(_l("Cấp đơn vị được đánh giá"))
    target_roles = MultiCheckboxField(_l("Vai trò tình nguyện được đánh giá"), choices=choices(
        (role, _l(label)) for role, label in VOLUNTEER_ROLE_LABELS.items()))
    instruments = MultiCheckboxField(_l("Công cụ đánh giá"), choices=choices(
        (name, _l(label)) for name, label in INSTRUMENT_LABELS.items()))
    assess_units = BooleanField(_l("Kèm đánh giá năng lực đơn vị"), default=True)
    opens_on = DayField(_l("Ngày bắt đầu"),
                         validators=[InputRequired(_l("Hãy chọn ngày bắt đầu."))])
    due_on = DayField(_l("Hạn hoàn thành"),
                       validators=[InputRequired(_l("Hãy chọn hạn hoàn thành."))])
