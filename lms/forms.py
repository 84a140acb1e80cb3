"""Form pieces every domain shares."""
import calendar
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput


class ActionForm(FlaskForm):
    """A one-button action (confirm, close, deactivate …): nothing but its CSRF token."""


class _VietnameseChoiceMessage:
    """A choice field that answers in Vietnamese when a value sent is not one of its choices."""

    invalid_choice = _l("Hãy chọn một mục trong danh sách.")

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(self.invalid_choice) from error


class ChoiceField(_VietnameseChoiceMessage, SelectField):
    """A drop-down list."""


class RadioChoiceField(_VietnameseChoiceMessage, RadioField):
    """A group of radio buttons."""


class MultiCheckboxField(_VietnameseChoiceMessage, SelectMultipleField):
    """A group of check boxes."""

    invalid_choice = _l("Hãy chọn các mục trong danh sách.")
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WholeNumberField(IntegerField):
    """A whole number typed in a text box (numeric keypad on phones; number boxes change value when a
    phone user scrolls over them), with a Vietnamese message. Left empty, it holds None."""

    widget = TextInput()
    invalid_number = _l("Hãy nhập một số nguyên, ví dụ 15.")

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValidationError(self.invalid_number) from error


def choices(pairs) -> list[SelectChoice]:
    """Drop-down options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


# A day written as the field reads it, whether or not the calendar has it: 30/02/2026, 2026-02-30.
_DAY_SHAPES = (re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})"),
               re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"))


class DayField(DateField):
    """A day picked in the browser (2026-03-25) or typed as 25/03/2026; an unreadable one gets
    `invalid_message`, and one the calendar does not have (30/02/2026) says why, in Vietnamese."""

    def __init__(self, label=None, validators=None,
                 invalid_message=_l("Ngày không đúng dạng ngày/tháng/năm, ví dụ 25/03/2026."), **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        valuelist = [value.strip() for value in valuelist]  # " 15/12/2026" is 15/12/2026
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            missing = _missing_day(" ".join(valuelist), self.label.text)
            raise ValidationError(missing or self.invalid_message) from error


def _missing_day(text: str, field: str) -> str | None:
    """Why a day well written is not on the calendar ("30/02/2026"), or None if `text` is no such day."""
    shape = next((match for pattern in _DAY_SHAPES if (match := pattern.fullmatch(text))), None)
    if shape is None or int(shape["year"]) < 1:
        return None
    day, month, year = int(shape["day"]), int(shape["month"]), int(shape["year"])
    if not 1 <= month <= 12:
        return _("%(field)s: không có tháng %(month)d, tháng là một số từ 1 đến 12.", field=field, month=month)
    return _("%(field)s: tháng %(month)d năm %(year)d có %(days)d ngày, không có ngày %(day)d.", field=field,
             month=month, year=year, days=calendar.monthrange(year, month)[1], day=day)
