"""The learner's side of courses: which courses are meant for a cadre, where the cadre stands in each,
and the changes a learner makes (enrolling, opening and finishing lessons).

Progress is the share of a course's active required lessons the learner has finished, counted by SQL
(on one learner's course and lesson pages, from the reading order and finished lessons they load anyway);
archived lessons and modules neither show nor count, though the progress recorded on them stays."""
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import (Date, DateTime, Integer, String, and_, case, cast, distinct, exists, false, func, insert,
                        literal, or_, select)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql import ColumnElement

from lms.actions import RuleError
from lms.courses.completion import check_completion
from lms.courses.models import (ACTIVE, ARCHIVED, DRAFT, PUBLISHED, Assignment, Certificate, Course, Enrolment,
                                LearningRecord, Lesson, LessonProgress, Module, QuizAttempt)
from lms.courses.records import record
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.orgs.models import AREA_FLAGS
from lms.people.models import User
from lms.vietnamese import fold

CATALOGUE_LIMIT = 500
SUGGESTIONS_ON_HOME = 5
ACTIVITY_PRECISION = timedelta(minutes=10)  # a learner reading on is recorded at most this often


# --- Figures --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """Required lessons finished out of those the course (or module) has now."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


def _counted_lesson() -> ColumnElement[bool]:
    """A lesson that counts toward progress: required, and in the current version of its module."""
    return and_(Module.status == ACTIVE, Lesson.status == ACTIVE, Lesson.required.is_(True))


def course_figures(course_ids) -> dict[int, tuple[int, int]]:
    """(active modules, minutes of active lessons) of each course, in one grouped query."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Module.course_id, func.count(distinct(Module.id)), func.coalesce(func.sum(Lesson.minutes), 0))
        .outerjoin(Lesson, and_(Lesson.module_id == Module.id, Lesson.status == ACTIVE))
        .where(Module.course_id.in_(course_ids), Module.status == ACTIVE)
        .group_by(Module.course_id))
    return {course_id: (modules, int(minutes)) for course_id, modules, minutes in rows}


def progress_of(enrolments) -> dict[int, Progress]:
    """Course progress of each enrolment, by enrolment id: two grouped queries whatever their number."""
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    course_ids = {e.course_id for e in enrolments}
    totals = dict(db.session.execute(
        select(Module.course_id, func.count(Lesson.id)).join(Lesson, Lesson.module_id == Module.id)
        .where(Module.course_id.in_(course_ids), _counted_lesson()).group_by(Module.course_id)).all())
    done = dict(db.session.execute(
        select(LessonProgress.enrolment_id, func.count(LessonProgress.id))
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Module, and_(Module.id == Lesson.module_id, Module.course_id == Enrolment.course_id))
        .where(LessonProgress.enrolment_id.in_([e.id for e in enrolments]), _counted_lesson())
        .group_by(LessonProgress.enrolment_id)).all())
    return {e.id: Progress(done.get(e.id, 0), totals.get(e.course_id, 0)) for e in enrolments}


def module_progress(sequence: list["LessonRef"], done: set[int]) -> dict[int, Progress]:
    """Progress in each module of the course's reading order (`lesson_sequence`) that has required
    lessons, from the lessons the learner has finished (`done_lesson_ids`)."""
    totals: Counter = Counter(ref.module_id for ref in sequence if ref.required)
    finished: Counter = Counter(ref.module_id for ref in sequence if ref.required and ref.id in done)
    return {module_id: Progress(finished[module_id], total) for module_id, total in totals.items()}


def total_progress(by_module: dict[int, Progress]) -> Progress:
    """The course's progress from its modules' (every counted lesson lies in exactly one module)."""
    return Progress(sum(p.done for p in by_module.values()), sum(p.total for p in by_module.values()))


def done_lesson_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(db.session.scalars(select(LessonProgress.lesson_id)
                                  .where(LessonProgress.enrolment_id == enrolment.id)))


def passed_quiz_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(db.session.scalars(select(QuizAttempt.quiz_id).where(
        QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.passed.is_(True)).distinct()))


def certificate_of(enrolment: Enrolment | None) -> Certificate | None:
    """The enrolment's certificate while it stands (a revoked one is not offered)."""
    if enrolment is None or enrolment.completed_at is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id,
                                                      Certificate.revoked_at.is_(None)))


# --- Targeting and the catalogue ------------------------------------------------------------------

def _json_list_empty(column) -> ColumnElement[bool]:
    text = cast(column, String)
    return or_(column.is_(None), text.in_(["[]", "null"]))


def _json_list_has_any(column, values) -> ColumnElement[bool]:
    """The JSON list of codes holds one of `values` (codes are plain words, matched with their quotes,
    which reads the same on every database)."""
    text = cast(column, String)
    conditions = [text.contains(f'"{value}"', autoescape=True) for value in values]
    return or_(*conditions) if conditions else false()


def user_targets(user: User) -> tuple[str, str, list[str]]:
    """The organisation code, level code and area names (without "is_") of the user's unit."""
    unit = user.unit
    areas = [flag.removeprefix("is_") for flag in AREA_FLAGS if getattr(unit, flag)]
    return unit.organisation.code, unit.level.code, areas


def targeted(user: User) -> ColumnElement[bool]:
    """SQL condition: the course is meant for the user's unit (an empty target list means everyone)."""
    organisation, level, areas = user_targets(user)
    return and_(*(or_(_json_list_empty(column), _json_list_has_any(column, values)) for column, values in (
        (Course.target_organisations, [organisation]),
        (Course.target_levels, [level]),
        (Course.target_areas, areas),
    )))


@dataclass
class CourseCard:
    course: Course
    for_you: bool
    modules: int
    minutes: int
    enrolment: Enrolment | None = None
    progress: Progress | None = None


def catalogue(user: User, search: str = "") -> list[CourseCard]:
    """Published courses, those meant for the user first; `search` matches titles with or without
    diacritics."""
    for_you = case((targeted(user), 1), else_=0).label("for_you")
    query = select(Course, for_you).where(Course.status == PUBLISHED)
    needle = fold(search)
    if needle:
        query = query.where(Course.title_folded.contains(needle, autoescape=True))
    rows = db.session.execute(query.order_by(for_you.desc(), Course.title_folded, Course.id)
                              .limit(CATALOGUE_LIMIT)).all()
    ids = [course.id for course, _mark in rows]
    figures = course_figures(ids)
    enrolments = {e.course_id: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id.in_(ids)))} if ids else {}
    progress = progress_of(enrolments.values())
    cards = []
    for course, mark in rows:
        modules, minutes = figures.get(course.id, (0, 0))
        enrolment = enrolments.get(course.id)
        cards.append(CourseCard(course, bool(mark), modules, minutes, enrolment,
                                progress.get(enrolment.id) if enrolment else None))
    return cards


# --- One course -----------------------------------------------------------------------------------

def enrolment_of(user: User, course_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course_id))


def visible_course(slug: str, user: User, outline: bool = False) -> Course | None:
    """The course, if the user may see it: published, or archived but already taken by the user. Drafts
    stay with their authors. With `outline`, its modules, lessons and quizzes are loaded too, in a fixed
    number of queries."""
    statement = select(Course).where(Course.slug == slug)
    if outline:
        statement = statement.options(selectinload(Course.modules).selectinload(Module.lessons),
                                      selectinload(Course.modules).selectinload(Module.quiz))
    course = db.session.scalar(statement)
    if course is None or course.status == PUBLISHED:
        return course
    if course.status == ARCHIVED and enrolment_of(user, course.id) is not None:
        return course
    return None


@dataclass(frozen=True)
class LessonRef:
    id: int
    title: str
    module_id: int
    required: bool
    minutes: int


def lesson_sequence(course_id: int) -> list[LessonRef]:
    """The course's active lessons in reading order, across module boundaries."""
    rows = db.session.execute(
        select(Lesson.id, Lesson.title, Lesson.module_id, Lesson.required, Lesson.minutes)
        .join(Module, Module.id == Lesson.module_id)
        .where(Module.course_id == course_id, Module.status == ACTIVE, Lesson.status == ACTIVE)
        .order_by(Module.position, Module.id, Lesson.position, Lesson.id))
    return [LessonRef(*row) for row in rows]


def neighbours(sequence: list[LessonRef], lesson_id: int) -> tuple[LessonRef | None, LessonRef | None]:
    ids = [ref.id for ref in sequence]
    index = ids.index(lesson_id)
    return (sequence[index - 1] if index > 0 else None,
            sequence[index + 1] if index + 1 < len(sequence) else None)


def resume_lesson_id(enrolment: Enrolment, sequence: list[LessonRef], done: set[int]) -> int | None:
    """Where the learner picks up: the lesson last opened, else the first one not finished."""
    ids = [ref.id for ref in sequence]
    if enrolment.last_lesson_id in ids:
        return enrolment.last_lesson_id
    return next((i for i in ids if i not in done), ids[0] if ids else None)


def active_lesson(course: Course, lesson_id: int) -> Lesson | None:
    """The lesson, if it is in the current version of this course."""
    lesson = db.session.get(Lesson, lesson_id, options=[joinedload(Lesson.module).joinedload(Module.quiz)])
    if (lesson is None or lesson.status != ACTIVE or lesson.module.status != ACTIVE
            or lesson.module.course_id != course.id):
        return None
    return lesson


def active_module(course: Course, module_id: int) -> Module | None:
    module = db.session.get(Module, module_id)
    if module is None or module.status != ACTIVE or module.course_id != course.id:
        return None
    return module


# --- Changes a learner makes ----------------------------------------------------------------------

def applicable_assignment(user: User, course_id: int) -> Assignment | None:
    """The assignment of this course to the user's unit or a unit above it that falls due first."""
    unit_ids = [*user.unit.ancestor_ids, user.unit_id]
    return db.session.scalar(select(Assignment).where(Assignment.course_id == course_id,
                                                      Assignment.unit_id.in_(unit_ids))
                             .order_by(Assignment.due_on, Assignment.id).limit(1))


def enrol(user: User, course: Course) -> tuple[Enrolment, bool]:
    """Enrol the user (once). A course assigned to the user's unit keeps its due date on the enrolment.
    Returns the enrolment and whether it is new."""
    existing = enrolment_of(user, course.id)
    if existing is not None:
        return existing, False
    if course.status != PUBLISHED:
        raise RuleError(_("Khóa học này không nhận đăng ký."))
    assignment = applicable_assignment(user, course.id)
    enrolment = Enrolment(user_id=user.id, course_id=course.id,
                          assignment_id=assignment.id if assignment else None,
                          due_on=assignment.due_on if assignment else None)
    db.session.add(enrolment)
    db.session.flush()
    record(user, "registered", "course", course.id, course.title, course_id=course.id)
    return enrolment, True


def enrol_many(course: Course, user_ids, assignment: Assignment | None = None) -> list[int]:
    """Enrol in bulk the users of `user_ids` (a list or a SELECT of ids) not yet enrolled in the course,
    under `assignment` and its due date if given, and record each registration. Returns the new ids."""
    now = utcnow()
    not_enrolled = ~exists(select(Enrolment.id).where(Enrolment.user_id == User.id, Enrolment.course_id == course.id))
    newcomers = select(User.id, literal(course.id, Integer), literal(assignment.id if assignment else None, Integer),
                       literal(assignment.due_on if assignment else None, Date), literal(now, DateTime)
                       ).where(User.id.in_(user_ids), not_enrolled)
    table = Enrolment.__table__
    inserted = db.session.execute(
        insert(table).from_select(["user_id", "course_id", "assignment_id", "due_on", "enrolled_at"], newcomers)
        .returning(table.c.user_id))
    new_ids = [user_id for (user_id,) in inserted]
    if new_ids:
        db.session.execute(insert(LearningRecord.__table__), [
            {"statement_id": str(uuid.uuid4()), "actor_id": user_id, "verb": "registered", "object_type": "course",
             "object_id": course.id, "object_name": course.title[:200], "course_id": course.id, "result": None,
             "timestamp": now}
            for user_id in new_ids])
    return new_ids


def open_lesson(enrolment: Enrolment, lesson: Lesson) -> bool:
    """Remember where the learner is, so that "continue" brings them back here. Reading on in the same
    lesson is not written again within ACTIVITY_PRECISION: activity is followed in days. Returns whether
    anything changed (for the caller to commit)."""
    now = utcnow()
    if (enrolment.last_lesson_id == lesson.id and enrolment.last_activity_at is not None
            and now - enrolment.last_activity_at < ACTIVITY_PRECISION):
        return False
    enrolment.last_lesson_id = lesson.id
    enrolment.last_activity_at = now
    return True


def complete_lesson(enrolment: Enrolment, lesson: Lesson) -> tuple[bool, bool]:
    """Mark the lesson finished (once: a second call changes nothing) and complete the course when
    nothing is left. Returns (newly finished, course complete). The caller commits."""
    already = db.session.scalar(select(LessonProgress.id).where(LessonProgress.enrolment_id == enrolment.id,
                                                                LessonProgress.lesson_id == lesson.id))
    if already is None:
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
        db.session.flush()
        record(enrolment.user, "completed", "lesson", lesson.id, lesson.title, course_id=enrolment.course_id)
    open_lesson(enrolment, lesson)
    return already is None, check_completion(enrolment)


# --- The learner's home ---------------------------------------------------------------------------

@dataclass
class HomeItem:
    course: Course
    enrolment: Enrolment | None = None
    progress: Progress | None = None
    due_on: date | None = None
    overdue: bool = False
    days_left: int | None = None
    certificate_code: str | None = None


@dataclass
class LearnerHome:
    required: list[HomeItem] = field(default_factory=list)
    in_progress: list[HomeItem] = field(default_factory=list)
    completed: list[HomeItem] = field(default_factory=list)
    suggestions: list[Course] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.required or self.in_progress or self.completed)


def _due(item: HomeItem, today: date) -> HomeItem:
    """Days left before the due date of a course not yet completed; past it, the course is overdue."""
    if item.due_on is not None:
        item.days_left = (item.due_on - today).days
        item.overdue = item.days_left < 0
    return item


def learner_home(user: User) -> LearnerHome:
    """Required courses by due date (overdue flagged), courses in progress, courses completed, and a few
    courses meant for the user not yet taken. A fixed number of queries, whatever the user's history."""
    today = local_today()
    home = LearnerHome()
    rows = db.session.execute(
        select(Enrolment, Course).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == user.id, Course.status != DRAFT)
        .order_by(func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at).desc(), Enrolment.id.desc())).all()
    enrolments = [e for e, _c in rows]
    progress = progress_of(enrolments)
    completed_ids = [e.id for e in enrolments if e.completed_at is not None]
    codes = dict(db.session.execute(
        select(Certificate.enrolment_id, Certificate.code)
        .where(Certificate.enrolment_id.in_(completed_ids), Certificate.revoked_at.is_(None))).all())
    for enrolment, course in rows:
        item = HomeItem(course, enrolment, progress.get(enrolment.id), enrolment.due_on,
                        certificate_code=codes.get(enrolment.id))
        if enrolment.completed_at is not None:
            home.completed.append(item)
        elif enrolment.due_on is not None:
            home.required.append(_due(item, today))
        else:
            home.in_progress.append(item)
    home.completed.sort(key=lambda i: i.enrolment.completed_at, reverse=True)

    # Courses assigned to the user's unit (or a unit above) that the user has not started yet.
    taken = [e.course_id for e in enrolments]
    unit_ids = [*user.unit.ancestor_ids, user.unit_id]
    assigned = db.session.execute(
        select(Course, func.min(Assignment.due_on)).join(Assignment, Assignment.course_id == Course.id)
        .where(Assignment.unit_id.in_(unit_ids), Course.status == PUBLISHED, Course.id.not_in(taken))
        .group_by(Course.id)).all()
    home.required.extend(_due(HomeItem(course, due_on=due_on), today) for course, due_on in assigned)
    home.required.sort(key=lambda i: (i.due_on, i.course.title_folded))

    excluded = taken + [course.id for course, _due_on in assigned]
    home.suggestions = list(db.session.scalars(
        select(Course).where(Course.status == PUBLISHED, targeted(user), Course.id.not_in(excluded))
        .order_by(Course.title_folded).limit(SUGGESTIONS_ON_HOME)))
    return home
