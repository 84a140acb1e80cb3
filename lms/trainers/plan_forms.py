"""The form of a yearly training plan item."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from lms.forms import ChoiceField, RadioChoiceField, WholeNumberField, choices
from lms.trainers import plans

QUARTER_LABELS = {1: _l("Quý I"), 2: _l("Quý II"), 3: _l("Quý III"), 4: _l("Quý IV")}


class _QuarterField(RadioChoiceField):
    invalid_choice = _l("Quý phải là 1, 2, 3 hoặc 4.")


class _TargetGroupField(ChoiceField):
    invalid_choice = _l("Hãy chọn đối tượng tập huấn.")


class PlanItemForm(FlaskForm):
    year = WholeNumberField(_l("Năm"), render_kw={"inputmode": "numeric", "autocomplete": "off"},
                             validators=[InputRequired(_l("Hãy nhập năm kế hoạch."))])
    quarter = _QuarterField(_l("Quý"), choices=choices((str(q), label) for q, label in QUARTER_LABELS.items()))
    target_group = _TargetGroupField(_l("Đối tượng tập huấn"),
                                     validators=[DataRequired(_l("Hãy chọn đối tượng tập huấn."))])
    course_id = ChoiceField(_l("Khóa học (không bắt buộc)"))
    planned_cohorts = WholeNumberField(
        _l("Số lớp dự kiến"), default=1, render_kw={"inputmode": "numeric", "autocomplete": "off"},
        validators=[InputRequired(_l("Hãy nhập số lớp dự kiến.")),
                    NumberRange(min=1, max=plans.MAX_COHORTS,
                                message=_l("Số lớp dự kiến phải từ 1 đến %(max)d.", max=plans.MAX_COHORTS))])
    planned_participants = WholeNumberField(
        _l("Số học viên dự kiến"), default=30, render_kw={"inputmode": "numeric", "autocomplete": "off"},
        validators=[InputRequired(_l("Hãy nhập số học viên dự kiến.")),
                    NumberRange(min=1, max=plans.MAX_PARTICIPANTS,
                                message=_l("Số học viên dự kiến phải từ 1 đến %(max)d.",
                                           max=plans.MAX_PARTICIPANTS))])

    def validate_year(self, field):
        first, last = plans.year_bounds()
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(_l("Năm kế hoạch phải từ %(first)d đến %(last)d.", first=first, last=last))

    def values(self) -> plans.ItemValues:
        return plans.ItemValues(
            year=self.year.data, quarter=int(self.quarter.data) if (self.quarter.data or "").isdigit() else None,
            target_group=self.target_group.data or "",
            course_id=int(self.course_id.data) if (self.course_id.data or "").isdigit() else None,
            planned_cohorts=self.planned_cohorts.data, planned_participants=self.planned_participants.data)
