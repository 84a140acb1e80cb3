"""Forms of the unit capacity assessment: the unit's answers to its declared indicators (fields made for
the indicators of the unit's level), and the reviewer's comments per indicator."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from lms.assessments.models import DECLARED, UnitAnswer, UnitIndicator
from lms.assessments.unit_assessments import (
    MAX_COMMENT, MAX_EVIDENCE_TEXT, MAX_TEXT, MAX_URL, MAX_VALUE_NUMBER, AnswerInput, valid_url)
from lms.assessments.unit_indicators import NO, YES
from lms.forms import RadioChoiceField, WholeNumberField, choices


def _key(code: str) -> str:
    """A form field prefix from an indicator code (codes hold a–z, 0–9 and '-', never '_')."""
    return code.replace("-", "_")


def _http_link(_form, field) -> None:
    if field.data and field.data.strip() and not valid_url(field.data.strip()):
        raise ValidationError(_l("Đường dẫn phải bắt đầu bằng http:// hoặc https:// và tối đa %(max)d ký tự.",
                                 max=MAX_URL))


@dataclass
class AnswerFields:
    value: Field
    evidence_text: Field
    evidence_url: Field
    evidence_file: Field


class AnswerForm(FlaskForm):
    """Fields are added per declared indicator by `answer_form`."""

    save = SubmitField(_l("Lưu nháp"))
    send = SubmitField(_l("Gửi thẩm định"))

    indicators: list[UnitIndicator] = []

    def fields_for(self, indicator: UnitIndicator) -> AnswerFields:
        key = _key(indicator.code)
        return AnswerFields(self[f"value_{key}"], self[f"evidence_text_{key}"], self[f"evidence_url_{key}"],
                            self[f"evidence_file_{key}"])

    def inputs(self) -> dict[str, AnswerInput]:
        """What was typed, by indicator code, for the service."""
        given = {}
        for indicator in self.indicators:
            fields = self.fields_for(indicator)
            value = fields.value.data
            given[indicator.code] = AnswerInput(
                value="" if value is None else str(value), evidence_text=fields.evidence_text.data or "",
                evidence_url=fields.evidence_url.data or "", upload=fields.evidence_file.data or None)
        return given


def _value_field(indicator: UnitIndicator):
    label = _l("Câu trả lời")
    if indicator.answer_type == "yes_no":
        return RadioChoiceField(label, choices=choices([(YES, _l("Có")), (NO, _l("Không"))]),
                                validators=[Optional()])
    if indicator.answer_type == "number":
        message = _l("Hãy nhập một số nguyên từ 0 đến %(max)d.", max=MAX_VALUE_NUMBER)
        return WholeNumberField(label, render_kw={"inputmode": "numeric"},
                                validators=[Optional(), NumberRange(min=0, max=MAX_VALUE_NUMBER, message=message)])
    return TextAreaField(label, render_kw={"rows": 4, "maxlength": MAX_TEXT},
                         validators=[Length(max=MAX_TEXT, message=_l("Tối đa %(max)d ký tự.", max=MAX_TEXT))])


def answer_form(indicators: list[UnitIndicator], answers: dict[str, UnitAnswer] | None = None,
                **kwargs) -> AnswerForm:
    """The answer form for these indicators (the declared ones), filled from `answers` when shown
    afresh, from the request when posted."""
    declared = [i for i in indicators if i.kind == DECLARED]

    class Form(AnswerForm):
        pass

    for indicator in declared:
        key = _key(indicator.code)
        setattr(Form, f"value_{key}", _value_field(indicator))
        setattr(Form, f"evidence_text_{key}", TextAreaField(
            _l("Mô tả minh chứng"), render_kw={"rows": 3},
            validators=[Length(max=MAX_EVIDENCE_TEXT, message=_l("Tối đa %(max)d ký tự.", max=MAX_EVIDENCE_TEXT))]))
        setattr(Form, f"evidence_url_{key}", StringField(
            _l("Đường dẫn minh chứng"), render_kw={"inputmode": "url", "placeholder": "https://"},
            validators=[_http_link]))
        setattr(Form, f"evidence_file_{key}", FileField(_l("Tệp minh chứng")))
    Form.indicators = declared
    data = {}
    for indicator in declared:
        answer = (answers or {}).get(indicator.code)
        if answer is None:
            continue
        key = _key(indicator.code)
        value = answer.value or None
        if indicator.answer_type == "number" and value is not None:
            value = int(value) if value.isdigit() else None
        data.update({f"value_{key}": value, f"evidence_text_{key}": answer.evidence_text,
                     f"evidence_url_{key}": answer.evidence_url})
    return Form(data=data, **kwargs)


class ReviewForm(FlaskForm):
    """A comment box per indicator (added by `review_form`) and a general note."""

    note = TextAreaField(_l("Nhận xét chung"), render_kw={"rows": 3},
                         validators=[Length(max=MAX_COMMENT, message=_l("Tối đa %(max)d ký tự.", max=MAX_COMMENT))])
    approve = SubmitField(_l("Phê duyệt"))
    give_back = SubmitField(_l("Trả lại để bổ sung"))

    indicators: list[UnitIndicator] = []

    def comment_field(self, indicator: UnitIndicator) -> Field:
        return self[f"comment_{_key(indicator.code)}"]

    def comments(self) -> dict[str, str]:
        return {i.code: self.comment_field(i).data or "" for i in self.indicators}


def review_form(indicators: list[UnitIndicator], **kwargs) -> ReviewForm:
    class Form(ReviewForm):
        pass

    for indicator in indicators:
        setattr(Form, f"comment_{_key(indicator.code)}", TextAreaField(
            _l("Nhận xét về chỉ số này"), render_kw={"rows": 2},
            validators=[Length(max=MAX_COMMENT, message=_l("Tối đa %(max)d ký tự.", max=MAX_COMMENT))]))
    Form.indicators = list(indicators)
    return Form(**kwargs)
