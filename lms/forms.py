"""Form pieces every domain shares."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


class ActionForm(FlaskForm):
    """A one-button action (confirm, close, deactivate …): nothing but its CSRF token."""


class ChoiceField(SelectField):
    """A drop-down list that answers in Vietnamese when the value sent is not one of its choices."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(_l("Hãy chọn một mục trong danh sách.")) from error


def choices(pairs) -> list[SelectChoice]:
    """Drop-down options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
