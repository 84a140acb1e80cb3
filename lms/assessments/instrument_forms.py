"""Forms of the rating instruments. The fields depend on the campaign's framework (one group of fields
a competency), so the form class is built for it. The fields only carry what was typed; the rules — a
level for every competency, lengths, links, files — are checked in lms.assessments.instruments, which
names the competency in each message."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField

from lms.assessments.evidence import ALLOWED_TYPES
from lms.assessments.instruments import MAX_TEXT, MAX_URL, RatingInput
from lms.assessments.models import PROFICIENCY_LEVELS, Framework, Rating
from lms.forms import choices

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_TYPES)
_LEVEL_VALUES = {str(level): level for level in PROFICIENCY_LEVELS}


class LevelField(RadioField):
    """A proficiency level 1–4 picked with radio buttons. Anything else reads as not chosen, so the
    check of the whole sheet can say which competency still needs a level."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=choices((level, str(level)) for level in PROFICIENCY_LEVELS), coerce=int,
                         validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        self.data = _LEVEL_VALUES.get(valuelist[0]) if valuelist else None


class _RatingForm(FlaskForm):
    """The base of a rating sheet; `codes` are the competencies it has fields for."""

    codes: tuple[str, ...] = ()
    with_evidence = False

    def answers(self) -> dict[str, RatingInput]:
        answers = {}
        for code in self.codes:
            level = self[f"level_{code}"].data
            if self.with_evidence:
                answers[code] = RatingInput(level, self[f"evidence_text_{code}"].data or "",
                                            self[f"evidence_url_{code}"].data or "",
                                            self[f"evidence_file_{code}"].data)
            else:
                answers[code] = RatingInput(level, self[f"comment_{code}"].data or "")
        return answers

    def show(self, errors: dict[str, list[str]]) -> None:
        """Put the rules' messages on the fields they are about."""
        for name, messages in errors.items():
            if name in self:
                self[name].errors = list(self[name].errors) + [m for m in messages if m not in self[name].errors]


def rating_form(framework: Framework, evidence: bool, ratings: dict[str, Rating] | None = None) -> _RatingForm:
    """The rating sheet for `framework`: a level per competency and either evidence (text, a link, a file:
    the self-assessment) or a comment (the supervisor). `ratings` fill it in on a first showing."""
    codes = tuple(competency.code for competency in framework.competencies)
    fields = {}
    for competency in framework.competencies:
        code = competency.code
        fields[f"level_{code}"] = LevelField(competency.title)
        if evidence:
            fields[f"evidence_text_{code}"] = TextAreaField(
                _l("Minh chứng (mô tả việc đã làm)"), render_kw={"rows": 3, "maxlength": MAX_TEXT})
            fields[f"evidence_url_{code}"] = StringField(
                _l("Đường dẫn minh chứng"), render_kw={"inputmode": "url", "maxlength": MAX_URL,
                                                        "placeholder": "https://", "autocomplete": "off"})
            fields[f"evidence_file_{code}"] = FileField(_l("Tệp minh chứng"), render_kw={"accept": ACCEPT})
        else:
            fields[f"comment_{code}"] = TextAreaField(_l("Nhận xét"), render_kw={"rows": 3, "maxlength": MAX_TEXT})
    form_class = type("RatingForm", (_RatingForm,), {"codes": codes, "with_evidence": evidence, **fields})
    data = {}
    for code, rating in (ratings or {}).items():
        data[f"level_{code}"] = rating.level
        if evidence:
            data[f"evidence_text_{code}"], data[f"evidence_url_{code}"] = rating.evidence_text, rating.evidence_url
        else:
            data[f"comment_{code}"] = rating.evidence_text
    return form_class(data=data)
