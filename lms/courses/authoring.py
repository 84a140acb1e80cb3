"""Course authoring for the central office: courses, modules and lessons written in the web UI.

Nothing is deleted here: modules and lessons are archived and can be restored, so what learners did
in them (lesson progress, quiz attempts) is kept. Every saved change to the content of a published
course raises its version by one."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from lms.actions import RuleError
from lms.courses.content import AREAS, COMPETENCY_CODES, RESERVED_SLUGS, SLUG
from lms.courses.models import ACTIVE, ARCHIVED, COURSE_STATUSES, DRAFT, PUBLISHED, Course, Lesson, Module
from lms.db import db
from lms.orgs.models import Organisation, UnitLevel
from lms.vietnamese import fold

KEY_LIMIT = 60


class AuthoringError(RuleError):
    """A change the authoring rules refuse; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class CourseValues:
    title: str
    slug: str | None  # None: keep the course's slug; "": make one from the title
    summary: str
    description_md: str
    organisations: list[str]
    levels: list[str]
    areas: list[str]
    certificate_enabled: bool


@dataclass
class ModuleValues:
    title: str
    summary: str
    intro_md: str


@dataclass
class LessonValues:
    title: str
    minutes: int
    competencies: list[str]
    required: bool
    body_md: str


@dataclass
class CourseRow:
    course: Course
    modules: int
    lessons: int


# --- Reading --------------------------------------------------------------------------------------

def course_table() -> list[CourseRow]:
    """Every course, whatever its status, with its active modules and lessons counted in SQL."""
    modules = (select(Module.course_id, func.count(Module.id).label("n"))
               .where(Module.status == ACTIVE).group_by(Module.course_id).subquery())
    lessons = (select(Module.course_id, func.count(Lesson.id).label("n"))
               .join(Lesson, Lesson.module_id == Module.id)
               .where(Module.status == ACTIVE, Lesson.status == ACTIVE)
               .group_by(Module.course_id).subquery())
    query = (select(Course, func.coalesce(modules.c.n, 0), func.coalesce(lessons.c.n, 0))
             .outerjoin(modules, modules.c.course_id == Course.id)
             .outerjoin(lessons, lessons.c.course_id == Course.id)
             .order_by(Course.title_folded, Course.id))
    return [CourseRow(course, module_count, lesson_count)
            for course, module_count, lesson_count in db.session.execute(query)]


def course_outline(course_id: int) -> Course | None:
    """The course with its modules, lessons and quizzes loaded in a fixed number of queries."""
    return db.session.scalar(
        select(Course).where(Course.id == course_id)
        .options(selectinload(Course.modules).selectinload(Module.lessons),
                 selectinload(Course.modules).selectinload(Module.quiz)))


def organisation_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Organisation.code, Organisation.short_name)
                              .order_by(Organisation.sort_order, Organisation.code))
    return [(code, name) for code, name in rows]


def level_choices() -> list[tuple[str, UnitLevel]]:
    return [(level.code, level) for level in db.session.scalars(select(UnitLevel).order_by(UnitLevel.rank))]


def has_content(course: Course) -> bool:
    """Whether learners would find something in the course: an active module with an active lesson."""
    query = (select(Module.id).join(Lesson, Lesson.module_id == Module.id)
             .where(Module.course_id == course.id, Module.status == ACTIVE, Lesson.status == ACTIVE))
    return bool(db.session.scalar(select(exists(query))))


# --- Keys -----------------------------------------------------------------------------------------

def slugify(text: str, limit: int = KEY_LIMIT) -> str:
    """Lower-case ASCII words joined by hyphens: "Lập kế hoạch" -> "lap-ke-hoach"."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def unique_key(base: str, taken: set[str], fallback: str) -> str:
    base = base or fallback
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _slug_taken(slug: str, course_id: int | None) -> bool:
    query = select(Course.id).where(Course.slug == slug)
    if course_id is not None:
        query = query.where(Course.id != course_id)
    return db.session.scalar(query.limit(1)) is not None


def _course_slug(values: CourseValues, course: Course | None) -> str:
    slug = (values.slug or "").strip()
    if slug:
        if not SLUG.match(slug):
            raise AuthoringError(_("Địa chỉ rút gọn chỉ gồm chữ thường không dấu và chữ số, các từ nối bằng "
                                   "một dấu gạch ngang, ví dụ dieu-phoi-co-ban."), "slug")
        if slug in RESERVED_SLUGS or _slug_taken(slug, course.id if course else None):
            raise AuthoringError(_("Địa chỉ rút gọn “%(slug)s” đã được một khóa học khác dùng.", slug=slug), "slug")
        return slug
    base = slugify(values.title) or "khoa-hoc"
    taken = set(db.session.scalars(select(Course.slug).where(Course.slug.startswith(base, autoescape=True))))
    taken |= RESERVED_SLUGS
    if course is not None:
        taken.discard(course.slug)
    return unique_key(base, taken, "khoa-hoc")


# --- Courses --------------------------------------------------------------------------------------

def _content_changed(course: Course) -> None:
    """A published course's content changed: one more version (counted in SQL, so two saves at once
    both count)."""
    if course.status == PUBLISHED:
        course.version = Course.version + 1


def _check_targets(values: CourseValues) -> None:
    unknown_areas = [a for a in values.areas if a not in AREAS]
    if unknown_areas:
        raise AuthoringError(_("Hãy chọn các mục trong danh sách."), "areas")


def create_course(values: CourseValues) -> Course:
    """A new course, as a draft: learners do not see it until it is published."""
    _check_targets(values)
    course = Course(slug=_course_slug(values, None), status=DRAFT, version=1, from_file=False)
    _write_course(course, values)
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course: Course, values: CourseValues) -> None:
    _check_targets(values)
    if values.slug is not None and values.slug.strip() != course.slug:
        if course.status != DRAFT or course.from_file:
            raise AuthoringError(_("Chỉ đổi được địa chỉ rút gọn của bản nháp soạn trên web."), "slug")
        course.slug = _course_slug(values, course)
    _write_course(course, values)
    _content_changed(course)


def slug_editable(course: Course | None) -> bool:
    """A slug is fixed once learners may have a link to it, or once the curriculum files own it."""
    return course is None or (course.status == DRAFT and not course.from_file)


def _write_course(course: Course, values: CourseValues) -> None:
    course.title, course.summary = values.title.strip(), values.summary.strip()
    course.description_md = values.description_md
    course.target_organisations, course.target_levels = list(values.organisations), list(values.levels)
    course.target_areas, course.certificate_enabled = list(values.areas), values.certificate_enabled


def set_status(course: Course, status: str) -> None:
    """Draft, published or archived; a course is published only when it has something to learn."""
    if status not in COURSE_STATUSES:
        raise AuthoringError(_("Trạng thái không hợp lệ."), "status")
    if status == PUBLISHED and not has_content(course):
        raise AuthoringError(_("Chưa phát hành được: khóa học cần ít nhất một mô-đun đang dùng có bài học."),
                             "status")
    course.status = status


# --- Modules and lessons --------------------------------------------------------------------------

def add_module(course: Course, values: ModuleValues) -> Module:
    keys = set(db.session.scalars(select(Module.key).where(Module.course_id == course.id)))
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, key=unique_key(slugify(values.title), keys, "mo-dun"),
                    position=(last or 0) + 1, status=ACTIVE)
    _write_module(module, values)
    db.session.add(module)
    db.session.flush()
    _content_changed(course)
    return module


def update_module(module: Module, values: ModuleValues) -> None:
    _write_module(module, values)
    _content_changed(module.course)


def _write_module(module: Module, values: ModuleValues) -> None:
    module.title, module.summary, module.intro_md = values.title.strip(), values.summary.strip(), values.intro_md


def add_lesson(module: Module, values: LessonValues) -> Lesson:
    _check_lesson(values)
    keys = set(db.session.scalars(select(Lesson.key).where(Lesson.module_id == module.id)))
    last = db.session.scalar(select(func.max(Lesson.position)).where(Lesson.module_id == module.id))
    lesson = Lesson(module_id=module.id, key=unique_key(slugify(values.title), keys, "bai-hoc"),
                    position=(last or 0) + 1, status=ACTIVE)
    _write_lesson(lesson, values)
    db.session.add(lesson)
    db.session.flush()
    _content_changed(module.course)
    return lesson


def update_lesson(lesson: Lesson, values: LessonValues) -> None:
    _check_lesson(values)
    _write_lesson(lesson, values)
    _content_changed(lesson.module.course)


def _check_lesson(values: LessonValues) -> None:
    if not 1 <= values.minutes <= 600:
        raise AuthoringError(_("Thời lượng từ 1 đến 600 phút."), "minutes")
    if any(code not in COMPETENCY_CODES for code in values.competencies):
        raise AuthoringError(_("Hãy chọn các mục trong danh sách."), "competencies")
    if not values.body_md.strip():
        raise AuthoringError(_("Hãy nhập nội dung bài học."), "body_md")


def _write_lesson(lesson: Lesson, values: LessonValues) -> None:
    lesson.title, lesson.minutes, lesson.body_md = values.title.strip(), values.minutes, values.body_md
    lesson.competencies = [code for code in COMPETENCY_CODES if code in values.competencies]
    lesson.required = values.required


def _siblings(item: Module | Lesson) -> list:
    if isinstance(item, Module):
        query = select(Module).where(Module.course_id == item.course_id).order_by(Module.position, Module.id)
    else:
        query = select(Lesson).where(Lesson.module_id == item.module_id).order_by(Lesson.position, Lesson.id)
    return list(db.session.scalars(query))


def _course_of(item: Module | Lesson) -> Course:
    return item.course if isinstance(item, Module) else item.module.course


def move(item: Module | Lesson, direction: str) -> bool:
    """Swap a module (within its course) or a lesson (within its module) with the active one before or
    after it, then number the siblings 1, 2, 3 … Returns False when it is already first or last."""
    if direction not in ("up", "down"):
        raise AuthoringError(_("Hướng di chuyển không hợp lệ."))
    if item.status != ACTIVE:
        raise AuthoringError(_("Hãy khôi phục mục này trước khi đổi thứ tự."))
    ordered = _siblings(item)
    active = [row for row in ordered if row.status == ACTIVE]
    index = active.index(item)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(active):
        return False
    other = active[target]
    a, b = ordered.index(item), ordered.index(other)
    ordered[a], ordered[b] = ordered[b], ordered[a]
    for position, row in enumerate(ordered, start=1):
        row.position = position
    _content_changed(_course_of(item))
    return True


def archive(item: Module | Lesson) -> None:
    """Hide a module or lesson from learners; their progress in it is kept. A published course keeps at
    least one active module with a lesson."""
    if item.status == ARCHIVED:
        return
    item.status = ARCHIVED
    db.session.flush()
    course = _course_of(item)
    if course.status == PUBLISHED and not has_content(course):
        raise AuthoringError(_("Không lưu trữ được: khóa học đang phát hành phải còn ít nhất một mô-đun có "
                               "bài học. Hãy chuyển khóa học về bản nháp trước."))
    _content_changed(course)


def restore(item: Module | Lesson) -> None:
    if item.status == ACTIVE:
        return
    item.status = ACTIVE
    _content_changed(_course_of(item))
