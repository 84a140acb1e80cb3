"""Forms of the framework pages: a draft's title and summary, a competency, the expectations grid and a
unit indicator. The grid and the indicator's targets have one field per unit level (and per role and
competency), so their form classes are built for the version being edited."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.assessments.framework_editing import (
    DESCRIPTION_MAX, INDICATOR_LINE_MAX, INDICATOR_LINES_MAX, INDICATOR_TITLE_MAX, SUMMARY_MAX, TITLE_MAX,
    ExpectationGrid, LevelColumn, format_number)
from lms.assessments.models import PROFICIENCY_LEVELS, UnitIndicator
from lms.forms import ChoiceField, choices

# A level box may hold INDICATOR_LINES_MAX lines of INDICATOR_LINE_MAX characters; anything longer is
# refused before it is read line by line.
_LEVEL_BOX_MAX = INDICATOR_LINES_MAX * (INDICATOR_LINE_MAX + 2)


class FrameworkDetailsForm(FlaskForm):
    title = StringField(_l("Tên khung năng lực"), validators=[
        DataRequired(_l("Hãy nhập tên khung năng lực.")),
        Length(max=TITLE_MAX, message=_l("Tên khung năng lực tối đa %(max)d ký tự.", max=TITLE_MAX))])
    summary = TextAreaField(_l("Giới thiệu"), render_kw={"rows": 8}, validators=[
        Length(max=SUMMARY_MAX, message=_l("Phần giới thiệu tối đa %(max)d ký tự.", max=SUMMARY_MAX))])


def _level_box(level: int) -> TextAreaField:
    return TextAreaField(_l("Mức %(level)d", level=level), render_kw={"rows": 4}, validators=[
        Length(max=_LEVEL_BOX_MAX, message=_l("Nội dung mức %(level)d quá dài.", level=level))])


class CompetencyForm(FlaskForm):
    title = StringField(_l("Tên năng lực"), validators=[
        DataRequired(_l("Hãy nhập tên năng lực.")),
        Length(max=TITLE_MAX, message=_l("Tên năng lực tối đa %(max)d ký tự.", max=TITLE_MAX))])
    description = TextAreaField(_l("Mô tả"), render_kw={"rows": 3}, validators=[
        Length(max=DESCRIPTION_MAX, message=_l("Phần mô tả tối đa %(max)d ký tự.", max=DESCRIPTION_MAX))])
    level_1 = _level_box(1)
    level_2 = _level_box(2)
    level_3 = _level_box(3)
    level_4 = _level_box(4)

    def level_fields(self):
        return [(level, self[f"level_{level}"]) for level in PROFICIENCY_LEVELS]


NO_LEVEL = ""
_LEVEL_CHOICES = [(NO_LEVEL, "—")] + [(str(level), str(level)) for level in PROFICIENCY_LEVELS]


def level_field_name(column: int, row: int) -> str:
    return f"lv_{column}_{row}"


def role_field_name(column: int, row: int) -> str:
    return f"role_{column}_{row}"


def expectations_form(grid: ExpectationGrid) -> FlaskForm:
    """One drop-down (—, 1–4) per unit level × competency and per role × competency, holding the
    grid's current values until the form is sent."""

    class ExpectationsForm(FlaskForm):
        pass

    for j, row in enumerate(grid.rows):
        code = row.competency.code
        for i, column in enumerate(grid.levels):
            value = row.by_level.get(column.code)
            setattr(ExpectationsForm, level_field_name(i, j), ChoiceField(
                f"{code} · {column.name}", choices=choices(_LEVEL_CHOICES),
                default=str(value) if value else NO_LEVEL))
        for i, (role, label) in enumerate(grid.roles):
            value = row.by_role.get(role)
            setattr(ExpectationsForm, role_field_name(i, j), ChoiceField(
                f"{code} · {_(label)}", choices=choices(_LEVEL_CHOICES), default=str(value) if value else NO_LEVEL))
    return ExpectationsForm()


def chosen_level(field) -> int | None:
    return int(field.data) if field.data and field.data != NO_LEVEL else None


def assessed_field_name(column: int) -> str:
    return f"assessed_{column}"


def target_field_name(column: int) -> str:
    return f"target_{column}"


def _target_default(indicator: UnitIndicator, code: str) -> str:
    value = indicator.targets.get(code)
    if indicator.answer_type != "number" or value is None or isinstance(value, bool):
        return ""
    return format_number(value)


def unit_indicator_form(indicator: UnitIndicator, columns: list[LevelColumn]) -> FlaskForm:
    """Title, description, evidence rule, and for each unit level a check box "assessed" with the
    target beside it (a number box for number indicators)."""

    class UnitIndicatorForm(FlaskForm):
        title = StringField(_l("Tên chỉ số"), default=indicator.title, validators=[
            DataRequired(_l("Hãy nhập tên chỉ số.")),
            Length(max=INDICATOR_TITLE_MAX, message=_l("Tên chỉ số tối đa %(max)d ký tự.", max=INDICATOR_TITLE_MAX))])
        description = TextAreaField(_l("Mô tả, cách tính hoặc minh chứng cần có"), default=indicator.description,
                                    render_kw={"rows": 4}, validators=[
            Length(max=DESCRIPTION_MAX, message=_l("Phần mô tả tối đa %(max)d ký tự.", max=DESCRIPTION_MAX))])
        evidence_required = BooleanField(_l("Đơn vị phải nộp minh chứng"), default=indicator.evidence_required)

    for i, column in enumerate(columns):
        setattr(UnitIndicatorForm, assessed_field_name(i), BooleanField(
            _l("Đánh giá cấp %(level)s", level=column.name), default=column.code in indicator.targets))
        setattr(UnitIndicatorForm, target_field_name(i), StringField(
            _l("Mức cần đạt của cấp %(level)s", level=column.name), default=_target_default(indicator, column.code),
            render_kw={"inputmode": "decimal", "autocomplete": "off"},
            validators=[Length(max=20, message=_l("Mức cần đạt quá dài."))]))
    return UnitIndicatorForm()
