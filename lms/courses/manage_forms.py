"""Forms of course authoring (central office) and course assignment (unit admins)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.courses.content import AREAS, COMPETENCY_CODES, SLUG
from lms.courses.models import ARCHIVED, DRAFT, PUBLISHED
from lms.forms import ChoiceField, DayField, MultiCheckboxField, RadioChoiceField, WholeNumberField, choices
from lms.orgs.models import AREA_NAMES

STATUS_LABELS = {
    DRAFT: _l("Bản nháp"),
    PUBLISHED: _l("Đang phát hành"),
    ARCHIVED: _l("Đã lưu trữ"),
}

# A course targets an area by its flag's name without "is_" (lms.courses.content.AREAS).
AREA_LABELS = {flag.removeprefix("is_"): _l(name) for flag, name in AREA_NAMES.items()}

COMPETENCY_LABELS = {
    "LAW": _l("Chính sách, pháp luật về tình nguyện"),
    "PLAN": _l("Khảo sát nhu cầu và lập kế hoạch"),
    "RES": _l("Vận động nguồn lực và đối tác"),
    "TEAM": _l("Tuyển chọn, điều phối đội, nhóm, mạng lưới"),
    "SAFE": _l("An toàn và quản lý rủi ro"),
    "COMM": _l("Truyền thông, ghi nhận và tôn vinh"),
    "EVAL": _l("Theo dõi, đánh giá và báo cáo"),
    "DIGI": _l("Công cụ số"),
    "INTL": _l("Hợp tác quốc tế"),
    "MOB": _l("Vận động thanh niên"),
    "TRAIN": _l("Tập huấn và điều hành lớp học"),
}


# --- Authoring ------------------------------------------------------------------------------------

class CourseForm(FlaskForm):
    title = StringField(_l("Tên khóa học"), validators=[
        DataRequired(_l("Hãy nhập tên khóa học.")), Length(max=200, message=_l("Tên khóa học tối đa 200 ký tự."))])
    slug = StringField(_l("Địa chỉ rút gọn (slug)"), validators=[
        Optional(), Length(max=80, message=_l("Địa chỉ rút gọn tối đa 80 ký tự.")),
        Regexp(SLUG.pattern, message=_l("Địa chỉ rút gọn chỉ gồm chữ thường không dấu và chữ số, "
                                        "các từ nối bằng một dấu gạch ngang, ví dụ dieu-phoi-co-ban."))])
    summary = TextAreaField(_l("Tóm tắt"), render_kw={"rows": 2}, validators=[
        Length(max=500, message=_l("Tóm tắt tối đa 500 ký tự."))])
    description_md = TextAreaField(_l("Giới thiệu khóa học (Markdown)"), render_kw={"rows": 10})
    organisations = MultiCheckboxField(_l("Dành cho tổ chức"))
    levels = MultiCheckboxField(_l("Dành cho cấp"))
    areas = MultiCheckboxField(_l("Dành cho địa bàn"), choices=choices((area, AREA_LABELS[area]) for area in AREAS))
    certificate_enabled = BooleanField(_l("Cấp chứng nhận khi hoàn thành"), default=True)


class ModuleForm(FlaskForm):
    title = StringField(_l("Tên mô-đun"), validators=[
        DataRequired(_l("Hãy nhập tên mô-đun.")), Length(max=200, message=_l("Tên mô-đun tối đa 200 ký tự."))])
    summary = TextAreaField(_l("Tóm tắt"), render_kw={"rows": 2}, validators=[
        Length(max=500, message=_l("Tóm tắt tối đa 500 ký tự."))])
    intro_md = TextAreaField(_l("Lời giới thiệu mô-đun (Markdown)"), render_kw={"rows": 8})


class LessonForm(FlaskForm):
    title = StringField(_l("Tên bài học"), validators=[
        DataRequired(_l("Hãy nhập tên bài học.")), Length(max=200, message=_l("Tên bài học tối đa 200 ký tự."))])
    minutes = WholeNumberField(_l("Thời lượng (phút)"), default=10, render_kw={"inputmode": "numeric"}, validators=[
        InputRequired(_l("Hãy nhập thời lượng bài học.")),
        NumberRange(min=1, max=600, message=_l("Thời lượng từ 1 đến 600 phút."))])
    competencies = MultiCheckboxField(_l("Năng lực bồi dưỡng"),
                                      choices=choices((code, f"{code} – {label}")
                                                      for code, label in COMPETENCY_LABELS.items()
                                                      if code in COMPETENCY_CODES))
    required = BooleanField(_l("Bài bắt buộc (bỏ chọn nếu là tài liệu đọc thêm)"), default=True)
    body_md = TextAreaField(_l("Nội dung bài học (Markdown)"), render_kw={"rows": 16}, validators=[
        DataRequired(_l("Hãy nhập nội dung bài học."))])


class StatusForm(FlaskForm):
    status = ChoiceField(_l("Trạng thái"), choices=choices(STATUS_LABELS.items()))


# --- Assignments ----------------------------------------------------------------------------------

UNIT, PEOPLE = "unit", "people"


class AssignmentForm(FlaskForm):
    course_id = ChoiceField(lazy_pgettext("one course", "Khóa học"), coerce=int, validate_choice=True,
                            validators=[DataRequired(_l("Hãy chọn khóa học."))])
    target = RadioChoiceField(_l("Giao cho"), default=UNIT, choices=choices([
        (UNIT, _l("Toàn bộ cán bộ của một đơn vị và các đơn vị trực thuộc")),
        (PEOPLE, _l("Danh sách cán bộ"))]))
    unit_code = StringField(_l("Mã đơn vị"), validators=[Length(max=40, message=_l("Mã đơn vị tối đa 40 ký tự."))])
    cadres = TextAreaField(_l("Danh sách cán bộ"), render_kw={"rows": 8})
    due_on = DayField(_l("Hạn hoàn thành"), invalid_message=_l(
        "Hạn hoàn thành không đúng dạng ngày/tháng/năm, ví dụ 30/06/2025."),
                           validators=[InputRequired(_l("Hãy chọn hạn hoàn thành."))])
    note = StringField(_l("Ghi chú (không bắt buộc)"), validators=[
        Length(max=300, message=_l("Ghi chú tối đa 300 ký tự."))])
