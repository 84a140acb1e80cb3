"""Course assignments: a unit admin requires a published course of a unit's whole subtree, or of listed
cadres, by a due date.

Enrolments are written in bulk (one UPDATE and one INSERT … SELECT), never one object per cadre.
A cadre already enrolled keeps the earlier of their due dates. Listings and counts read only what
lies in the viewer's scope: an assignment is visible when its unit is in scope; a listed-cadres
assignment (no unit) when all of its cadres are, or when the viewer made it."""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from lms.auth.permissions import can, in_scope
from lms.courses.models import ACTIVE, PUBLISHED, Assignment, Course, Enrolment, Lesson, LessonProgress, Module
from lms.courses.services import enrol_many
from lms.db import db
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.paging import Page
from lms.people.contact import normalise_email, normalise_phone
from lms.people.models import User
from lms.people.services import unit_by_code

ACTION = "course.assign"
MAX_LINES = 5000
PAGE_SIZE = 50

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not_started", "in_progress", "completed", "overdue"


class AssignmentRefused(ValueError):
    """What the rules refuse in an assignment request: messages per form field; nothing is saved."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass
class AssignmentRequest:
    course_id: int | None
    target: str  # "unit" or "people"
    unit_code: str
    cadres: str
    due_on: date | None
    note: str


@dataclass
class AssignmentResult:
    assignment: Assignment
    enrolled: int  # newly enrolled
    rescheduled: int  # already enrolled, now under this assignment's due date
    kept: int  # already enrolled with an earlier due date, left as they were


# --- Creating ------------------------------------------------------------------------------------

def assignable_courses() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Course.id, Course.title).where(Course.status == PUBLISHED)
                              .order_by(Course.title_folded, Course.id))
    return [(course_id, title) for course_id, title in rows]


@dataclass
class CheckedRequest:
    course: Course | None
    unit: Unit | None
    user_ids: list[int]


def check_request(assigner: User, request: AssignmentRequest) -> tuple[CheckedRequest, dict[str, list[str]]]:
    """What the request names, and every problem with it (messages per form field); writes nothing."""
    errors: dict[str, list[str]] = {}
    course = _check_course(request.course_id, errors)
    _check_due_date(request.due_on, errors)
    unit, user_ids = None, []
    if request.target == "people":
        user_ids = resolve_cadres(assigner, request.cadres, errors)
    else:
        unit = _check_unit(assigner, request.unit_code, errors)
    return CheckedRequest(course, unit, user_ids), errors


def create_assignment(assigner: User, request: AssignmentRequest) -> AssignmentResult:
    """Check everything, then write the assignment and its enrolments. AssignmentRefused names every
    problem at once; the caller rolls back, so nothing is written."""
    checked, errors = check_request(assigner, request)
    if errors:
        raise AssignmentRefused(errors)
    course, unit = checked.course, checked.unit
    targets = _subtree_cadres(unit) if unit is not None else select(User.id).where(User.id.in_(checked.user_ids))
    if not db.session.scalar(select(func.count()).select_from(targets.subquery())):
        raise AssignmentRefused({"unit_code": [
            _("Đơn vị “%(name)s” chưa có cán bộ nào đang hoạt động.", name=unit.name if unit else "")]})
    assignment = Assignment(course_id=course.id, unit_id=unit.id if unit else None, due_on=request.due_on,
                            note=request.note.strip(), assigned_by_id=assigner.id)
    db.session.add(assignment)
    db.session.flush()
    result = _enrol(assignment, course, targets)
    if not result.enrolled and not result.rescheduled:
        raise AssignmentRefused({"due_on": [
            _("Mọi cán bộ được giao đều đã có hạn hoàn thành khóa học này sớm hơn hoặc bằng hạn bạn chọn; "
              "không có gì thay đổi.")]})
    return result


def _check_course(course_id: int | None, errors: dict) -> Course | None:
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or course.status != PUBLISHED:
        errors.setdefault("course_id", []).append(_("Chỉ giao được khóa học đang phát hành."))
        return None
    return course


def _check_due_date(due_on: date | None, errors: dict) -> None:
    if due_on is None:
        errors.setdefault("due_on", []).append(_("Hãy chọn hạn hoàn thành."))
    elif due_on < local_today():
        errors.setdefault("due_on", []).append(
            _("Hạn hoàn thành không được ở trong quá khứ (hôm nay là %(today)s).",
              today=local_today().strftime("%d/%m/%Y")))


def _check_unit(assigner: User, code: str, errors: dict) -> Unit | None:
    code = (code or "").strip()
    if not code:
        errors.setdefault("unit_code", []).append(_("Hãy nhập mã đơn vị."))
        return None
    unit = unit_by_code(code)
    if unit is None or not can(assigner, ACTION, unit):
        errors.setdefault("unit_code", []).append(
            _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.", code=code))
        return None
    if not unit.is_open:
        errors.setdefault("unit_code", []).append(
            _("Đơn vị “%(name)s” đã giải thể, không thể giao khóa học.", name=unit.name))
        return None
    return unit


def resolve_cadres(assigner: User, text: str, errors: dict) -> list[int]:
    """Account ids of the cadres listed one phone number or e-mail address a line; every line that is
    not an active cadre in the assigner's scope gets its own message under "cadres"."""
    problems: list[tuple[int, str]] = []  # (line number, message)
    wanted: list[tuple[int, str, str]] = []  # (line number, as typed, normalised)
    lines = (text or "").splitlines()
    if len(lines) > MAX_LINES:
        errors.setdefault("cadres", []).append(
            _("Danh sách quá dài: tối đa %(max)d dòng mỗi lần.", max=MAX_LINES))
        return []
    for number, raw in enumerate(lines, start=1):
        value = raw.strip().strip(",;")
        if not value:
            continue
        contact = normalise_email(value) if "@" in value else normalise_phone(value)
        if contact is None:
            problems.append((number, _("Dòng %(line)d: “%(value)s” không phải số điện thoại hay e-mail hợp lệ.",
                                       line=number, value=value)))
        else:
            wanted.append((number, value, contact))
    if not wanted and not problems:
        errors.setdefault("cadres", []).append(_("Hãy nhập ít nhất một số điện thoại hoặc e-mail, mỗi dòng một người."))
        return []
    found = _accounts_in_scope(assigner, [contact for _n, _v, contact in wanted])
    ids: list[int] = []
    for number, value, contact in wanted:
        account = found.get(contact)
        if account is None:
            problems.append((number, _("Dòng %(line)d: không có cán bộ nào có “%(value)s” trong phạm vi bạn "
                                       "quản lý.", line=number, value=value)))
        elif not account.is_active:
            problems.append((number, _("Dòng %(line)d: tài khoản của %(name)s đã ngừng hoạt động.",
                                       line=number, name=account.full_name)))
        elif account.id not in ids:
            ids.append(account.id)
    if problems:
        errors.setdefault("cadres", []).extend(message for _line, message in sorted(problems))
    return ids


def _accounts_in_scope(assigner: User, contacts: list[str]) -> dict:
    """The accounts with these e-mails or phones whose unit is in the assigner's scope, by contact."""
    if not contacts:
        return {}
    emails = [c for c in contacts if "@" in c]
    phones = [c for c in contacts if "@" not in c]
    rows = db.session.execute(
        select(User.id, User.full_name, User.email, User.phone, User.is_active)
        .join(Unit, User.unit_id == Unit.id)
        .where(or_(User.email.in_(emails), User.phone.in_(phones)), in_scope(assigner, ACTION, Unit.path)))
    found = {}
    for row in rows:
        for contact in (row.email, row.phone):
            if contact:
                found[contact] = row
    return found


def _subtree_cadres(unit: Unit):
    """SELECT of the ids of every active cadre in the unit's subtree: one indexed prefix query."""
    return (select(User.id).join(Unit, User.unit_id == Unit.id)
            .where(Unit.path.startswith(unit.path, autoescape=True), User.is_active.is_(True)))


def _enrol(assignment: Assignment, course: Course, targets) -> AssignmentResult:
    """Put the target cadres under the assignment, in bulk: those enrolled without an earlier due date
    are rescheduled, those not enrolled are enrolled and their registration recorded."""
    total = db.session.scalar(select(func.count()).select_from(targets.subquery()))
    rescheduled = db.session.execute(
        update(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.user_id.in_(targets),
               or_(Enrolment.due_on.is_(None), Enrolment.due_on > assignment.due_on))
        .values(assignment_id=assignment.id, due_on=assignment.due_on)
        .execution_options(synchronize_session=False)).rowcount
    new_ids = enrol_many(course, targets, assignment)
    return AssignmentResult(assignment, len(new_ids), rescheduled, total - len(new_ids) - rescheduled)


# --- Reading --------------------------------------------------------------------------------------

@dataclass
class Counts:
    assigned: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def percent_completed(self) -> int:
        return self.completed * 100 // self.assigned if self.assigned else 0


@dataclass
class AssignmentRow:
    assignment: Assignment
    course_title: str
    unit_name: str | None
    counts: Counts


def _visible(viewer: User):
    """SQL condition: the assignments `viewer` may see."""
    outside = (select(Enrolment.id).join(User, Enrolment.user_id == User.id).join(Unit, User.unit_id == Unit.id)
               .where(Enrolment.assignment_id == Assignment.id, ~in_scope(viewer, ACTION, Unit.path)))
    any_cadre = select(Enrolment.id).where(Enrolment.assignment_id == Assignment.id)
    by_unit = and_(Assignment.unit_id.is_not(None),
                   exists(select(Unit.id).where(Unit.id == Assignment.unit_id, in_scope(viewer, ACTION, Unit.path))))
    by_list = and_(Assignment.unit_id.is_(None), ~exists(outside),
                   or_(Assignment.assigned_by_id == viewer.id, exists(any_cadre)))
    return or_(by_unit, by_list)


def visible_assignment(viewer: User, assignment_id: int) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(Assignment.id == assignment_id, _visible(viewer)))


def assignment_page(viewer: User, number: int = 1) -> Page:
    """One page of the assignments `viewer` may see, newest first, with their counts."""
    number = max(1, min(number, 100_000))
    assigned_unit = aliased(Unit)
    query = (select(Assignment, Course.title, assigned_unit.name, func.count().over().label("total"))
             .join(Course, Assignment.course_id == Course.id)
             .outerjoin(assigned_unit, Assignment.unit_id == assigned_unit.id)
             .where(_visible(viewer))
             .order_by(Assignment.created_at.desc(), Assignment.id.desc())
             .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    rows = db.session.execute(query).all()
    counts = assignment_counts(viewer, [row[0].id for row in rows])
    items = [AssignmentRow(assignment, title, unit_name, counts.get(assignment.id, Counts()))
             for assignment, title, unit_name, _total in rows]
    return Page(items, rows[0].total if rows else 0, number)


def assignment_counts(viewer: User, assignment_ids: list[int]) -> dict[int, Counts]:
    """Assigned, completed and overdue cadres per assignment, counted in SQL over the viewer's scope."""
    if not assignment_ids:
        return {}
    overdue = case((and_(Enrolment.completed_at.is_(None), Enrolment.due_on < local_today()), 1), else_=0)
    rows = db.session.execute(
        select(Enrolment.assignment_id, func.count(Enrolment.id), func.count(Enrolment.completed_at),
               func.coalesce(func.sum(overdue), 0))
        .join(User, Enrolment.user_id == User.id).join(Unit, User.unit_id == Unit.id)
        .where(Enrolment.assignment_id.in_(assignment_ids), in_scope(viewer, ACTION, Unit.path))
        .group_by(Enrolment.assignment_id))
    return {assignment_id: Counts(int(assigned), int(completed), int(late))
            for assignment_id, assigned, completed, late in rows}


@dataclass
class CadreStatus:
    user_id: int
    full_name: str
    unit_name: str
    due_on: date | None
    completed_at: datetime | None
    percent: int
    status: str


def cadre_page(viewer: User, assignment: Assignment, number: int = 1) -> Page:
    """One page of the assignment's cadres in the viewer's scope, in Vietnamese name order, each with
    their status and progress: required lessons done out of those the course has now, as learners see it."""
    number = max(1, min(number, 100_000))
    rows = db.session.execute(
        select(Enrolment.id, User.id, User.full_name, Unit.name, Enrolment.due_on, Enrolment.completed_at,
               Enrolment.last_activity_at, func.count().over().label("total"))
        .join(User, Enrolment.user_id == User.id).join(Unit, User.unit_id == Unit.id)
        .where(Enrolment.assignment_id == assignment.id, in_scope(viewer, ACTION, Unit.path))
        .order_by(User.sort_key, User.id)
        .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    lessons = db.session.scalar(
        select(func.count(Lesson.id)).join(Module, Lesson.module_id == Module.id)
        .where(Module.course_id == assignment.course_id, _counted_lesson()))
    done = _lessons_done([row[0] for row in rows], assignment.course_id)
    current = local_today()
    items = []
    for enrolment_id, user_id, name, unit_name, due_on, completed_at, last_activity, _total in rows:
        count = done.get(enrolment_id, 0)
        percent = 100 if completed_at else (min(100, count * 100 // lessons) if lessons else 0)
        if completed_at is not None:
            status = COMPLETED
        elif due_on is not None and due_on < current:
            status = OVERDUE
        elif count == 0 and last_activity is None:
            status = NOT_STARTED
        else:
            status = IN_PROGRESS
        items.append(CadreStatus(user_id, name, unit_name, due_on, completed_at, percent, status))
    return Page(items, rows[0].total if rows else 0, number)


def _counted_lesson():
    """A lesson that counts toward progress: required, in an active module (the learner pages' rule)."""
    return and_(Module.status == ACTIVE, Lesson.status == ACTIVE, Lesson.required.is_(True))


def _lessons_done(enrolment_ids: list[int], course_id: int) -> dict[int, int]:
    if not enrolment_ids:
        return {}
    rows = db.session.execute(
        select(LessonProgress.enrolment_id, func.count(LessonProgress.id))
        .join(Lesson, LessonProgress.lesson_id == Lesson.id).join(Module, Lesson.module_id == Module.id)
        .where(LessonProgress.enrolment_id.in_(enrolment_ids), Module.course_id == course_id, _counted_lesson())
        .group_by(LessonProgress.enrolment_id))
    return dict(rows.all())
