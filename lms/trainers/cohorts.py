"""Cohorts (lớp tập huấn): creating and editing them, their participants, sessions and attendance, the
completion rule and closing.

Who may do anything here is one question: "cohort.manage" over the cohort's organising unit (admins, and
trainers over their unit's subtree). Every listing filters with `in_scope`; figures come from grouped SQL.

The completion rule, applied when a cohort closes:
  * a session counts as held once its attendance has been taken (at least one mark saved);
  * a participant attended enough when present * 100 >= threshold * held (integers, so exactly at the
    threshold passes); "excused" (có phép) counts as absent, and so does a held session with no mark for
    the participant (someone added after it);
  * when the cohort requires its online course, the participant's enrolment in that course must have
    `completed_at`; a cohort without a course never requires one;
  * a cohort cannot close when no session was held and no course is required: there is nothing to judge.
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, delete, distinct, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.actions import RuleError
from lms.auth.permissions import can, in_scope, scope_paths
from lms.courses.models import PUBLISHED, Course, Enrolment
from lms.courses.services import Progress, enrol_many, progress_of
from lms.db import db, utcnow
from lms.i18n import N_, local_today
from lms.orgs.models import Unit
from lms.paging import Page
from lms.people import onboarding
from lms.people.contact import display_phone, normalise_email, normalise_phone
from lms.people.models import User
from lms.people.services import search_condition, unit_by_code
from lms.reports.tables import INT, PERCENT, Column, Table
from lms.trainers.models import (ABSENT, CLOSED, CO_TRAINER, EXCUSED, LEAD, MODES, OPEN, PRESENT,
                                 SUSPENDED, Attendance, Cohort, CohortParticipant, CohortTrainer, TrainerProfile,
                                 TrainingSession)
from lms.trainers.plans import TARGET_GROUP_LABELS
from lms.vietnamese import name_key

ACTION = "cohort.manage"
PAGE_SIZE = 30
SEARCH_LIMIT = 50
MAX_CAPACITY = 500
MAX_CO_TRAINERS = 10
MAX_PICK = MAX_CAPACITY

# Shown through _() where rendered; N_ only puts them in the catalog.
MODE_LABELS = {"online": N_("Trực tuyến"), "in_person": N_("Trực tiếp"), "blended": N_("Kết hợp")}
# The yearly plans' target groups, so that plans can count the cohorts held for each.
TARGET_GROUPS = TARGET_GROUP_LABELS
ATTENDANCE_LABELS = {PRESENT: N_("Có mặt"), ABSENT: N_("Vắng"), EXCUSED: N_("Có phép")}
ATTENDANCE_STATUSES = (PRESENT, ABSENT, EXCUSED)


class CohortRefused(RuleError):
    """What the rules refuse in a cohort's details: messages per form field; nothing is saved."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _closed_refusal() -> RuleError:
    return RuleError(_("Lớp đã kết thúc nên không thể thay đổi."))


def _lock(cohort: Cohort) -> Cohort:
    """Re-read the cohort locking its row (PostgreSQL), so two changes to its participants or its status
    cannot interleave; refuse any change once it is closed."""
    locked = db.session.scalar(select(Cohort).where(Cohort.id == cohort.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked.status == CLOSED:
        raise _closed_refusal()
    return locked


# --- Listing --------------------------------------------------------------------------------------

@dataclass
class CohortRow:
    cohort: Cohort
    unit_name: str
    course_title: str | None
    participants: int
    sessions: int


def cohort_page(viewer: User, number: int = 1, status: str = "") -> Page:
    """One page of the cohorts whose unit is in the viewer's scope, newest first, with their numbers of
    participants and sessions (correlated counts over indexed foreign keys, one statement)."""
    number = max(1, min(number, 100_000))
    participants = (select(func.count(CohortParticipant.id)).where(CohortParticipant.cohort_id == Cohort.id)
                    .correlate(Cohort).scalar_subquery())
    sessions = (select(func.count(TrainingSession.id)).where(TrainingSession.cohort_id == Cohort.id)
                .correlate(Cohort).scalar_subquery())
    query = (select(Cohort, Unit.name, Course.title, participants, sessions, func.count().over())
             .join(Unit, Cohort.unit_id == Unit.id).outerjoin(Course, Cohort.course_id == Course.id)
             .where(in_scope(viewer, ACTION, Unit.path)))
    if status == CLOSED:
        query = query.where(Cohort.status == CLOSED)
    elif status == OPEN:
        query = query.where(Cohort.status != CLOSED)
    rows = db.session.execute(query.order_by(Cohort.starts_on.desc(), Cohort.id.desc())
                              .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    items = [CohortRow(cohort, unit_name, title, int(people), int(held))
             for cohort, unit_name, title, people, held, _total in rows]
    return Page(items, rows[0][-1] if rows else 0, number)


# --- Creating and editing -------------------------------------------------------------------------

@dataclass
class CohortInput:
    """A cohort's details as typed into the form."""

    title: str
    course_id: int | None
    unit_code: str
    mode: str
    place: str
    starts_on: date | None
    ends_on: date | None
    lead_trainer: str
    co_trainers: str
    capacity: int | None
    attendance_threshold: int | None
    requires_course: bool
    target_group: str


def course_choices(current_course_id: int | None = None) -> list[tuple[int, str]]:
    """Published courses by title; a cohort's own course stays offered even if it is no longer published."""
    condition = Course.status == PUBLISHED
    if current_course_id:
        condition = or_(condition, Course.id == current_course_id)
    return [(course_id, title) for course_id, title in db.session.execute(
        select(Course.id, Course.title).where(condition).order_by(Course.title_folded, Course.id))]


def contact_of(user: User) -> str:
    """How a person is named in the trainer boxes: their e-mail, else their phone as typed nationally."""
    return user.email or display_phone(user.phone)


def own_profile(user: User) -> TrainerProfile | None:
    return db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == user.id))


def _normalise_contact(text: str) -> str | None:
    return normalise_email(text) if "@" in text else normalise_phone(text)


def _profiles_by_contact(contacts: list[str]) -> dict[str, TrainerProfile]:
    """Trainer profiles whose account has one of these (normalised) e-mails or phones, by contact."""
    if not contacts:
        return {}
    found = {}
    for profile in db.session.scalars(
            select(TrainerProfile).join(User, TrainerProfile.user_id == User.id)
            .where(or_(User.email.in_(contacts), User.phone.in_(contacts)))):
        for contact in (profile.user.email, profile.user.phone):
            if contact:
                found[contact] = profile
    return found


def _check_trainers(data: CohortInput, errors: dict) -> tuple[TrainerProfile | None, list[TrainerProfile]]:
    lead_text = (data.lead_trainer or "").strip()
    co_lines = [line.strip().strip(",;") for line in (data.co_trainers or "").splitlines()]
    co_lines = [line for line in co_lines if line]
    if len(co_lines) > MAX_CO_TRAINERS:
        errors.setdefault("co_trainers", []).append(
            _("Tối đa %(max)d tập huấn viên cùng dạy.", max=MAX_CO_TRAINERS))
        co_lines = []
    wanted = [(text, _normalise_contact(text)) for text in ([lead_text] if lead_text else []) + co_lines]
    profiles = _profiles_by_contact([contact for _text, contact in wanted if contact])

    def resolve(text: str, field: str) -> TrainerProfile | None:
        contact = _normalise_contact(text)
        if contact is None:
            errors.setdefault(field, []).append(
                _("“%(value)s” không phải số điện thoại hay e-mail hợp lệ.", value=text))
            return None
        profile = profiles.get(contact)
        if profile is None:
            errors.setdefault(field, []).append(
                _("Không có tập huấn viên nào có “%(value)s”. Chỉ chọn được người đã có hồ sơ tập huấn viên.",
                  value=text))
        elif profile.status == SUSPENDED or not profile.user.is_active:
            errors.setdefault(field, []).append(
                _("%(name)s đang bị tạm dừng tư cách tập huấn viên hoặc tài khoản đã ngừng hoạt động.",
                  name=profile.user.full_name))
            return None
        return profile

    lead = None
    if not lead_text:
        errors.setdefault("lead_trainer", []).append(_("Hãy nhập e-mail hoặc số điện thoại của giảng viên chính."))
    else:
        lead = resolve(lead_text, "lead_trainer")
    co: list[TrainerProfile] = []
    for text in co_lines:
        profile = resolve(text, "co_trainers")
        if profile is None:
            continue
        if lead is not None and profile.id == lead.id:
            errors.setdefault("co_trainers", []).append(
                _("%(name)s đã là giảng viên chính.", name=profile.user.full_name))
        elif profile.id not in {p.id for p in co}:
            co.append(profile)
    return lead, co


def check_cohort(viewer: User, data: CohortInput, cohort: Cohort | None = None) -> dict:
    """The values to store, or CohortRefused naming every problem at once. `cohort` is None when creating."""
    errors: dict[str, list[str]] = {}
    title = " ".join((data.title or "").split())
    if not title:
        errors.setdefault("title", []).append(_("Hãy nhập tên lớp."))
    course = None
    if data.course_id:
        course = db.session.get(Course, data.course_id)
        keeps_own = cohort is not None and cohort.course_id == data.course_id
        if course is None or (course.status != PUBLISHED and not keeps_own):
            errors.setdefault("course_id", []).append(_("Chỉ chọn được khóa học đang phát hành."))
            course = None
    unit = _check_unit(viewer, data.unit_code, cohort, errors)
    if data.mode not in MODES:
        errors.setdefault("mode", []).append(_("Hãy chọn hình thức tổ chức."))
    if data.starts_on is None:
        errors.setdefault("starts_on", []).append(_("Hãy chọn ngày khai giảng."))
    if data.ends_on is None:
        errors.setdefault("ends_on", []).append(_("Hãy chọn ngày bế giảng."))
    if data.starts_on and data.ends_on:
        if data.ends_on < data.starts_on:
            errors.setdefault("ends_on", []).append(_("Ngày bế giảng phải từ ngày khai giảng trở đi."))
        elif cohort is not None:
            _check_sessions_within(cohort, data.starts_on, data.ends_on, errors)
    _check_capacity(data.capacity, cohort, errors)
    threshold = data.attendance_threshold
    if threshold is None or not 1 <= threshold <= 100:
        errors.setdefault("attendance_threshold", []).append(_("Tỷ lệ chuyên cần là một số từ 1 đến 100."))
    if data.target_group and data.target_group not in TARGET_GROUPS:
        errors.setdefault("target_group", []).append(_("Hãy chọn một mục trong danh sách."))
    lead, co = _check_trainers(data, errors)
    if errors:
        raise CohortRefused(errors)
    return {"title": title, "course": course, "unit": unit, "mode": data.mode, "place": " ".join(data.place.split()),
            "starts_on": data.starts_on, "ends_on": data.ends_on, "capacity": data.capacity,
            "attendance_threshold": threshold, "requires_course": bool(data.requires_course and course),
            "target_group": data.target_group or "", "lead": lead, "co": co}


def _check_unit(viewer: User, code: str, cohort: Cohort | None, errors: dict) -> Unit | None:
    code = (code or "").strip()
    if not code:
        errors.setdefault("unit_code", []).append(_("Hãy nhập mã đơn vị tổ chức lớp."))
        return None
    unit = unit_by_code(code)
    if unit is None or not can(viewer, ACTION, unit):
        errors.setdefault("unit_code", []).append(
            _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.", code=code))
        return None
    if not unit.is_open and (cohort is None or cohort.unit_id != unit.id):
        errors.setdefault("unit_code", []).append(_("Đơn vị “%(name)s” đã giải thể.", name=unit.name))
        return None
    if cohort is not None and unit.id != cohort.unit_id:
        outside = db.session.scalar(
            select(func.count(CohortParticipant.id)).join(User, CohortParticipant.user_id == User.id)
            .join(Unit, User.unit_id == Unit.id)
            .where(CohortParticipant.cohort_id == cohort.id, ~Unit.path.startswith(unit.path, autoescape=True)))
        if outside:
            errors.setdefault("unit_code", []).append(ngettext(
                "%(num)d học viên của lớp không thuộc đơn vị “%(name)s”; hãy bỏ họ khỏi lớp trước khi đổi đơn vị.",
                "%(num)d học viên của lớp không thuộc đơn vị “%(name)s”; hãy bỏ họ khỏi lớp trước khi đổi đơn vị.",
                outside, name=unit.name))
    return unit


def _check_sessions_within(cohort: Cohort, starts_on: date, ends_on: date, errors: dict) -> None:
    outside = db.session.scalar(select(func.count(TrainingSession.id)).where(
        TrainingSession.cohort_id == cohort.id,
        or_(TrainingSession.held_on < starts_on, TrainingSession.held_on > ends_on)))
    if outside:
        errors.setdefault("ends_on", []).append(ngettext(
            "%(num)d buổi học của lớp nằm ngoài khoảng ngày mới; hãy giữ khoảng ngày bao trùm mọi buổi học.",
            "%(num)d buổi học của lớp nằm ngoài khoảng ngày mới; hãy giữ khoảng ngày bao trùm mọi buổi học.",
            outside))


def _check_capacity(capacity: int | None, cohort: Cohort | None, errors: dict) -> None:
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors.setdefault("capacity", []).append(
            _("Sĩ số tối đa là một số từ 1 đến %(max)d.", max=MAX_CAPACITY))
    elif cohort is not None:
        enrolled = participant_count(cohort)
        if capacity < enrolled:
            errors.setdefault("capacity", []).append(
                _("Lớp đã có %(num)d học viên; sĩ số tối đa không thể nhỏ hơn.", num=enrolled))


def create_cohort(viewer: User, values: dict) -> Cohort:
    cohort = Cohort(created_by_id=viewer.id, status=OPEN)
    _apply(cohort, values)
    db.session.add(cohort)
    db.session.flush()
    _set_trainers(cohort, values["lead"], values["co"])
    return cohort


def update_cohort(cohort: Cohort, values: dict) -> None:
    cohort = _lock(cohort)
    _apply(cohort, values)
    _set_trainers(cohort, values["lead"], values["co"])


def _apply(cohort: Cohort, values: dict) -> None:
    cohort.title, cohort.course, cohort.unit = values["title"], values["course"], values["unit"]
    for name in ("mode", "place", "starts_on", "ends_on", "capacity", "attendance_threshold", "requires_course",
                 "target_group"):
        setattr(cohort, name, values[name])


def _set_trainers(cohort: Cohort, lead: TrainerProfile, co: list[TrainerProfile]) -> None:
    db.session.execute(delete(CohortTrainer).where(CohortTrainer.cohort_id == cohort.id))
    db.session.execute(insert(CohortTrainer), [
        {"cohort_id": cohort.id, "trainer_id": profile.id, "role": LEAD if profile is lead else CO_TRAINER}
        for profile in [lead, *co]])


def cohort_trainers(cohort: Cohort) -> list[CohortTrainer]:
    """The cohort's trainers, the lead first, then by name."""
    return list(db.session.scalars(
        select(CohortTrainer).join(TrainerProfile, CohortTrainer.trainer_id == TrainerProfile.id)
        .join(User, TrainerProfile.user_id == User.id)
        .where(CohortTrainer.cohort_id == cohort.id)
        .order_by(case((CohortTrainer.role == LEAD, 0), else_=1), User.sort_key, User.id)))


def form_values(cohort: Cohort) -> dict:
    """A cohort's details as the edit form shows them."""
    trainers = cohort_trainers(cohort)
    lead = next((t for t in trainers if t.role == LEAD), None)
    return {"lead_trainer": contact_of(lead.trainer.user) if lead else "",
            "co_trainers": "\n".join(contact_of(t.trainer.user) for t in trainers if t.role != LEAD),
            "unit_code": cohort.unit.code}


# --- Participants ---------------------------------------------------------------------------------

def participant_count(cohort: Cohort) -> int:
    return db.session.scalar(select(func.count(CohortParticipant.id))
                             .where(CohortParticipant.cohort_id == cohort.id))


def _candidates(viewer: User, cohort: Cohort):
    """SQL conditions: active cadres under the cohort's unit, in the viewer's scope, not yet in the cohort."""
    already = select(CohortParticipant.user_id).where(CohortParticipant.cohort_id == cohort.id)
    return [Unit.path.startswith(cohort.unit.path, autoescape=True), in_scope(viewer, ACTION, Unit.path),
            User.is_active.is_(True), User.id.not_in(already)]


@dataclass
class SearchResult:
    people: list
    more: bool


def search_candidates(viewer: User, cohort: Cohort, text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Cadres who may join the cohort and match the search (name with or without diacritics, e-mail, phone)."""
    if not (text or "").strip():
        return SearchResult([], False)
    rows = db.session.execute(
        select(User.id, User.full_name, User.position, User.phone, User.email, Unit.name.label("unit_name"))
        .join(Unit, User.unit_id == Unit.id)
        .where(search_condition(text), *_candidates(viewer, cohort))
        .order_by(User.sort_key, User.id).limit(limit + 1)).all()
    return SearchResult(rows[:limit], len(rows) > limit)


def _capacity_refusal(cohort: Cohort, adding: int, enrolled: int) -> RuleError:
    left = max(0, cohort.capacity - enrolled)
    if not left:
        return RuleError(_("Lớp đã đủ %(capacity)d học viên, không thể thêm người. Hãy tăng sĩ số tối đa nếu "
                           "lớp có thể nhận thêm.", capacity=cohort.capacity))
    return RuleError(ngettext("Lớp chỉ còn %(num)d chỗ (sĩ số tối đa %(capacity)d) nhưng bạn thêm %(adding)d "
                              "người. Chưa thêm ai.",
                              "Lớp chỉ còn %(num)d chỗ (sĩ số tối đa %(capacity)d) nhưng bạn thêm %(adding)d "
                              "người. Chưa thêm ai.", left, capacity=cohort.capacity, adding=adding))


def _insert_participants(cohort: Cohort, user_ids: list[int]) -> int:
    enrolled = participant_count(cohort)
    if enrolled + len(user_ids) > cohort.capacity:
        raise _capacity_refusal(cohort, len(user_ids), enrolled)
    now = utcnow()
    db.session.execute(insert(CohortParticipant),
                       [{"cohort_id": cohort.id, "user_id": user_id, "added_at": now} for user_id in user_ids])
    if cohort.course is not None and cohort.course.status == PUBLISHED:
        # The cohort's online part: participants find the course on their home page straight away.
        enrol_many(cohort.course, user_ids)
    return len(user_ids)


def add_participants(viewer: User, cohort: Cohort, user_ids: list[int]) -> int:
    """Add the picked cadres; each must be one the search could offer. All or none. Returns how many."""
    cohort = _lock(cohort)
    wanted = sorted(set(user_ids))
    if not wanted:
        raise RuleError(_("Hãy chọn ít nhất một cán bộ."))
    if len(wanted) > MAX_PICK:
        raise RuleError(_("Chọn tối đa %(max)d cán bộ mỗi lần.", max=MAX_PICK))
    allowed = set(db.session.scalars(select(User.id).join(Unit, User.unit_id == Unit.id)
                                     .where(User.id.in_(wanted), *_candidates(viewer, cohort))))
    if allowed != set(wanted):
        raise RuleError(_("Có người được chọn không thể tham gia lớp này (đã ở trong lớp, ngoài đơn vị tổ chức "
                          "lớp hoặc đã ngừng hoạt động). Hãy tìm và chọn lại."))
    return _insert_participants(cohort, wanted)


def remove_participant(cohort: Cohort, participant_id: int) -> User:
    """Take a participant out of an open cohort, with their attendance marks in it."""
    cohort = _lock(cohort)
    participant = db.session.scalar(select(CohortParticipant).where(
        CohortParticipant.id == participant_id, CohortParticipant.cohort_id == cohort.id))
    if participant is None:
        raise RuleError(_("Người này không còn trong lớp."))
    sessions = select(TrainingSession.id).where(TrainingSession.cohort_id == cohort.id)
    db.session.execute(delete(Attendance).where(Attendance.session_id.in_(sessions),
                                                Attendance.user_id == participant.user_id))
    user = participant.user
    db.session.delete(participant)
    return user


# --- Participants from a list file ----------------------------------------------------------------

_LIST_MESSAGES = {
    "no_account": N_("Chưa có tài khoản: hãy nhập danh sách cán bộ trước."),
    "two_accounts": N_("E-mail và số điện thoại thuộc hai tài khoản khác nhau (%(first)s và %(second)s)."),
    "name_differs": N_("Họ tên trong tệp khác họ tên của tài khoản có e-mail hoặc số điện thoại này "
                       "(“%(name)s”)."),
    "inactive": N_("Tài khoản của %(name)s đã ngừng hoạt động."),
    "outside_unit": N_("%(name)s thuộc “%(unit)s”, không thuộc đơn vị tổ chức lớp hoặc ngoài phạm vi bạn quản "
                       "lý."),
    "same_account": N_("Cùng một người với dòng %(line)d."),
}
# A list row names a person by e-mail or phone; which unit the file says is not needed (the account's is used).
_IGNORED_ROW_ERRORS = {"missing_unit"}


def describe(error: dict) -> str:
    """The user's wording of one row problem, from this module's messages or the onboarding ones."""
    if error["code"] not in _LIST_MESSAGES:
        return onboarding.describe(error)
    params = {key: value for key, value in error.items() if key != "code"}
    text = _(_LIST_MESSAGES[error["code"]])
    return text % params if params else text


@dataclass
class ListResult:
    rows: list[dict]
    added: int = 0
    already: int = 0
    problem: str | None = None  # about the whole list (capacity), when its rows are fine

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row["errors"])


def _accounts_by_contact(rows: list[dict]) -> dict[str, tuple]:
    """(id, name, name key, active, unit path, unit name) of accounts with the rows' e-mails or phones,
    by contact, in chunked IN queries."""
    emails = {row["data"]["email"] for row in rows if row["data"]["email"]}
    phones = {row["data"]["phone"] for row in rows if row["data"]["phone"]}
    found: dict[str, tuple] = {}
    for column, values in ((User.email, emails), (User.phone, phones)):
        values = sorted(values)
        for start in range(0, len(values), onboarding.CHUNK):
            chunk = values[start:start + onboarding.CHUNK]
            for contact, *account in db.session.execute(
                    select(column, User.id, User.full_name, User.name_key, User.is_active, Unit.path, Unit.name)
                    .join(Unit, User.unit_id == Unit.id).where(column.in_(chunk))):
                found[contact] = tuple(account)
    return found


def _match_rows(viewer: User, cohort: Cohort, rows: list[dict]) -> None:
    """Find each row's account and add the problems that stop it joining the cohort."""
    accounts = _accounts_by_contact(rows)
    scope_ok = set()
    first_line: dict[int, int] = {}
    for row in rows:
        data, errors = row["data"], row["errors"]
        by_email = accounts.get(data["email"]) if data["email"] else None
        by_phone = accounts.get(data["phone"]) if data["phone"] else None
        if by_email and by_phone and by_email[0] != by_phone[0]:
            errors.append({"code": "two_accounts", "first": by_email[1], "second": by_phone[1]})
            continue
        account = by_email or by_phone
        if account is None:
            if data["email"] or data["phone"]:
                errors.append({"code": "no_account"})
            continue
        user_id, full_name, key, active, path, unit_name = account
        row["user_id"], row["account_name"] = user_id, full_name
        if data["full_name"] and name_key(data["full_name"]) != key:
            errors.append({"code": "name_differs", "name": full_name})
        if not active:
            errors.append({"code": "inactive", "name": full_name})
        if path not in scope_ok:
            if path.startswith(cohort.unit.path) and _path_in_scope(viewer, path):
                scope_ok.add(path)
            else:
                errors.append({"code": "outside_unit", "name": full_name, "unit": unit_name})
        if user_id in first_line:
            errors.append({"code": "same_account", "line": first_line[user_id]})
        else:
            first_line[user_id] = row["line"]


def _path_in_scope(viewer: User, path: str) -> bool:
    return any(path.startswith(scope) for scope in scope_paths(viewer, ACTION))


def add_participants_from_file(viewer: User, cohort: Cohort, filename: str, data: bytes) -> ListResult:
    """Read a list in the onboarding format and add every person in it, or nobody if any row has a problem
    or the cohort has not room for all. Raises onboarding.ImportFileError for a file that cannot be read."""
    cohort = _lock(cohort)
    lines = onboarding.read_file(filename, data)
    if len(lines) > MAX_CAPACITY:
        raise onboarding.ImportFileError(_("Tệp có %(num)d dòng, nhiều hơn sĩ số tối đa của một lớp (%(max)d).",
                                           num=len(lines), max=MAX_CAPACITY))
    rows = [onboarding.check_row(line, values) for line, values in lines]
    for row in rows:
        row["errors"] = [error for error in row["errors"] if error["code"] not in _IGNORED_ROW_ERRORS]
    onboarding.mark_duplicates_in_file(rows)
    _match_rows(viewer, cohort, rows)
    result = ListResult(rows)
    if result.error_count:
        return result
    already = set(db.session.scalars(select(CohortParticipant.user_id).where(
        CohortParticipant.cohort_id == cohort.id, CohortParticipant.user_id.in_([r["user_id"] for r in rows]))))
    new_ids = [row["user_id"] for row in rows if row["user_id"] not in already]
    result.already = len(rows) - len(new_ids)
    if new_ids:
        try:
            result.added = _insert_participants(cohort, new_ids)
        except RuleError as error:
            result.problem = str(error)
    return result


# --- Sessions and attendance ----------------------------------------------------------------------

@dataclass
class SessionRow:
    session: TrainingSession
    trainer_name: str | None
    present: int
    excused: int
    absent: int

    @property
    def marked(self) -> int:
        return self.present + self.excused + self.absent

    @property
    def held(self) -> bool:
        return self.marked > 0


def session_rows(cohort: Cohort) -> list[SessionRow]:
    """The cohort's sessions by date, each with its attendance counted by status (one grouped query)."""
    counts = (select(Attendance.session_id,
                     func.sum(case((Attendance.status == PRESENT, 1), else_=0)).label("present"),
                     func.sum(case((Attendance.status == EXCUSED, 1), else_=0)).label("excused"),
                     func.sum(case((Attendance.status == ABSENT, 1), else_=0)).label("absent"))
              .join(TrainingSession, TrainingSession.id == Attendance.session_id)
              .where(TrainingSession.cohort_id == cohort.id).group_by(Attendance.session_id).subquery())
    rows = db.session.execute(
        select(TrainingSession, User.full_name, func.coalesce(counts.c.present, 0),
               func.coalesce(counts.c.excused, 0), func.coalesce(counts.c.absent, 0))
        .outerjoin(counts, counts.c.session_id == TrainingSession.id)
        .outerjoin(TrainerProfile, TrainingSession.trainer_id == TrainerProfile.id)
        .outerjoin(User, TrainerProfile.user_id == User.id)
        .where(TrainingSession.cohort_id == cohort.id)
        .order_by(TrainingSession.held_on, TrainingSession.id))
    return [SessionRow(session, name, int(present), int(excused), int(absent))
            for session, name, present, excused, absent in rows]


def session_of(cohort: Cohort, session_id: int) -> TrainingSession | None:
    return db.session.scalar(select(TrainingSession).where(TrainingSession.id == session_id,
                                                           TrainingSession.cohort_id == cohort.id))


def check_session(cohort: Cohort, held_on: date | None, topic: str, trainer_id: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors.setdefault("held_on", []).append(_("Hãy chọn ngày học."))
    elif not cohort.starts_on <= held_on <= cohort.ends_on:
        errors.setdefault("held_on", []).append(
            _("Ngày học phải trong thời gian của lớp, từ %(start)s đến %(end)s.",
              start=cohort.starts_on.strftime("%d/%m/%Y"), end=cohort.ends_on.strftime("%d/%m/%Y")))
    if not " ".join((topic or "").split()):
        errors.setdefault("topic", []).append(_("Hãy nhập chủ đề buổi học."))
    if trainer_id not in {t.trainer_id for t in cohort_trainers(cohort)}:
        errors.setdefault("trainer_id", []).append(_("Hãy chọn một tập huấn viên của lớp."))
    return errors


def add_session(cohort: Cohort, held_on: date, topic: str, trainer_id: int) -> TrainingSession:
    cohort = _lock(cohort)
    if errors := check_session(cohort, held_on, topic, trainer_id):
        raise CohortRefused(errors)
    session = TrainingSession(cohort_id=cohort.id, held_on=held_on, topic=" ".join(topic.split()),
                              trainer_id=trainer_id)
    db.session.add(session)
    db.session.flush()
    return session


def delete_session(cohort: Cohort, session: TrainingSession) -> None:
    """Remove a session entered by mistake, with its attendance."""
    _lock(cohort)
    db.session.execute(delete(Attendance).where(Attendance.session_id == session.id))
    db.session.delete(session)


@dataclass
class AttendanceLine:
    user_id: int
    full_name: str
    unit_name: str
    status: str | None


def attendance_sheet(cohort: Cohort, session: TrainingSession) -> list[AttendanceLine]:
    """Every participant with their mark for the session (None if not taken yet), in name order."""
    rows = db.session.execute(
        select(User.id, User.full_name, Unit.name, Attendance.status)
        .select_from(CohortParticipant).join(User, CohortParticipant.user_id == User.id)
        .join(Unit, User.unit_id == Unit.id)
        .outerjoin(Attendance, and_(Attendance.user_id == User.id, Attendance.session_id == session.id))
        .where(CohortParticipant.cohort_id == cohort.id).order_by(User.sort_key, User.id))
    return [AttendanceLine(*row) for row in rows]


def _check_session_day(session: TrainingSession) -> None:
    if session.held_on > local_today():
        raise RuleError(_("Buổi học ngày %(date)s chưa diễn ra nên chưa thể điểm danh.",
                          date=session.held_on.strftime("%d/%m/%Y")))


def _upsert_attendance(session: TrainingSession, marks: dict[int, str]) -> None:
    """Write the marks, replacing earlier ones: INSERT … ON CONFLICT DO UPDATE on PostgreSQL and SQLite,
    delete-then-insert elsewhere; either way inside the caller's transaction."""
    if not marks:
        return
    now = utcnow()
    rows = [{"session_id": session.id, "user_id": user_id, "status": status, "recorded_at": now}
            for user_id, status in marks.items()]
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Attendance).values(rows)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[Attendance.session_id, Attendance.user_id],
            set_={"status": statement.excluded.status, "recorded_at": statement.excluded.recorded_at}))
    else:
        db.session.execute(delete(Attendance).where(Attendance.session_id == session.id,
                                                    Attendance.user_id.in_(list(marks))))
        db.session.execute(insert(Attendance), rows)


def _participant_ids(cohort: Cohort) -> list[int]:
    return list(db.session.scalars(select(CohortParticipant.user_id)
                                   .where(CohortParticipant.cohort_id == cohort.id)))


def record_attendance(cohort: Cohort, session: TrainingSession, marks: dict[int, str]) -> int:
    """Save the marks sent for the session; participants left without a choice keep what they had.
    Returns how many participants still have no mark."""
    cohort = _lock(cohort)
    _check_session_day(session)
    participants = set(_participant_ids(cohort))
    if any(user_id not in participants or status not in ATTENDANCE_STATUSES for user_id, status in marks.items()):
        raise RuleError(_("Bảng điểm danh đã cũ (danh sách học viên vừa thay đổi). Hãy mở lại và điểm danh."))
    if not marks:
        raise RuleError(_("Hãy chọn Có mặt, Vắng hoặc Có phép cho ít nhất một học viên."))
    _upsert_attendance(session, marks)
    return _unmarked(session, participants)


def mark_all_present(cohort: Cohort, session: TrainingSession) -> int:
    """Every participant present, in one statement. Returns how many."""
    cohort = _lock(cohort)
    _check_session_day(session)
    participants = _participant_ids(cohort)
    if not participants:
        raise RuleError(_("Lớp chưa có học viên nào."))
    _upsert_attendance(session, dict.fromkeys(participants, PRESENT))
    return len(participants)


def _unmarked(session: TrainingSession, participants: set[int]) -> int:
    marked = db.session.scalar(select(func.count(Attendance.id)).where(
        Attendance.session_id == session.id, Attendance.user_id.in_(participants)))
    return len(participants) - marked


# --- Progress and the completion rule -------------------------------------------------------------

def held_sessions(cohort: Cohort) -> int:
    """Sessions whose attendance has been taken."""
    return db.session.scalar(
        select(func.count(distinct(Attendance.session_id)))
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.cohort_id == cohort.id))


def needs_course(cohort: Cohort) -> bool:
    return bool(cohort.requires_course and cohort.course_id is not None)


def meets_rule(cohort: Cohort, present: int, held: int, course_completed: bool) -> bool:
    """Attendance at or above the threshold of the sessions held (excused counts as absent), and the online
    course complete when the cohort requires it."""
    attended_enough = present * 100 >= cohort.attendance_threshold * held
    return attended_enough and (course_completed or not needs_course(cohort))


@dataclass
class ParticipantRow:
    participant_id: int
    user_id: int
    full_name: str
    unit_name: str
    present: int
    excused: int
    held: int
    enrolled: bool
    progress: Progress | None
    course_completed: bool
    meets_rule: bool
    completed: bool | None  # as decided at closing
    certificate_code: str | None

    @property
    def attendance_percent(self) -> int:
        return self.present * 100 // self.held if self.held else 0


@dataclass(frozen=True)
class _EnrolmentRef:
    id: int
    course_id: int


def participant_rows(cohort: Cohort) -> list[ParticipantRow]:
    """Each participant with sessions attended out of those held and their online course progress: one
    query for the participants with their attendance and enrolment, and the two grouped queries of the
    courses' progress, whatever the number of participants."""
    held = held_sessions(cohort)
    marks = (select(Attendance.user_id,
                    func.sum(case((Attendance.status == PRESENT, 1), else_=0)).label("present"),
                    func.sum(case((Attendance.status == EXCUSED, 1), else_=0)).label("excused"))
             .join(TrainingSession, TrainingSession.id == Attendance.session_id)
             .where(TrainingSession.cohort_id == cohort.id).group_by(Attendance.user_id).subquery())
    query = (select(CohortParticipant.id, User.id, User.full_name, Unit.name,
                    func.coalesce(marks.c.present, 0), func.coalesce(marks.c.excused, 0),
                    Enrolment.id, Enrolment.completed_at, CohortParticipant.completed,
                    CohortParticipant.certificate_code)
             .select_from(CohortParticipant).join(User, CohortParticipant.user_id == User.id)
             .join(Unit, User.unit_id == Unit.id)
             .outerjoin(marks, marks.c.user_id == User.id)
             .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.course_id == cohort.course_id))
             .where(CohortParticipant.cohort_id == cohort.id).order_by(User.sort_key, User.id))
    rows = db.session.execute(query).all()
    progress = progress_of(_EnrolmentRef(row[6], cohort.course_id) for row in rows if row[6] is not None)
    items = []
    for (participant_id, user_id, name, unit_name, present, excused, enrolment_id, course_done, completed,
         code) in rows:
        course_completed = course_done is not None
        items.append(ParticipantRow(
            participant_id, user_id, name, unit_name, int(present), int(excused), held, enrolment_id is not None,
            progress.get(enrolment_id), course_completed,
            meets_rule(cohort, int(present), held, course_completed), completed, code))
    return items


def roster_table(cohort: Cohort) -> Table:
    """The participants of `participant_rows` as a report table, to download: attendance in numbers,
    online course progress as a percentage, and the result (or where each stands while the cohort runs)."""
    columns = [Column("full_name", _("Họ và tên")), Column("unit", _("Đơn vị")),
               Column("present", _("Buổi có mặt"), INT), Column("excused", _("Buổi vắng có phép"), INT),
               Column("held", _("Buổi đã học"), INT), Column("attendance", _("Chuyên cần (%)"), PERCENT)]
    if cohort.course_id is not None:
        columns.append(Column("course_progress", _("Khóa học trực tuyến (%)"), PERCENT))
    columns += [Column("result", _("Kết quả")), Column("certificate", _("Mã giấy chứng nhận"))]
    return Table("hoc-vien", _("Học viên lớp “%(title)s”", title=cohort.title), columns,
                 [_roster_row(cohort, row) for row in participant_rows(cohort)])


def _roster_row(cohort: Cohort, row: ParticipantRow) -> tuple:
    values = [row.full_name, row.unit_name, row.present, row.excused, row.held,
              round(100.0 * row.present / row.held, 1) if row.held else None]
    if cohort.course_id is not None:
        values.append(_course_percent(row))
    if cohort.status == CLOSED:
        result = _("Hoàn thành") if row.completed else _("Không hoàn thành")
    else:
        result = _("Đang đạt điều kiện") if row.meets_rule else _("Chưa đạt điều kiện")
    return (*values, result, row.certificate_code or "")


def _course_percent(row: ParticipantRow) -> float | None:
    """Share of the online course done: 100 once completed, none when not enrolled."""
    if row.course_completed:
        return 100.0
    if not row.enrolled:
        return None
    return float(row.progress.percent) if row.progress else 0.0


@dataclass
class Outcome:
    completed: int
    total: int


def closing_refusal(cohort: Cohort, held: int) -> str | None:
    if cohort.status == CLOSED:
        return _("Lớp đã kết thúc.")
    if held == 0 and not needs_course(cohort):
        return _("Chưa có buổi học nào được điểm danh và lớp không yêu cầu hoàn thành khóa học trực tuyến, nên "
                 "chưa có căn cứ xét hoàn thành. Hãy điểm danh các buổi học trước khi kết thúc lớp.")
    return None


def close_cohort(cohort: Cohort) -> Outcome:
    """Decide every participant's completion by the rule, give each who completed a certificate code, and
    close the cohort for good."""
    cohort = _lock(cohort)
    rows = participant_rows(cohort)
    if refusal := closing_refusal(cohort, held_sessions(cohort)):
        raise RuleError(refusal)
    if rows:
        db.session.execute(update(CohortParticipant), [
            {"id": row.participant_id, "completed": row.meets_rule,
             "certificate_code": secrets.token_urlsafe(12) if row.meets_rule else None}
            for row in rows])
    cohort.status, cohort.closed_at = CLOSED, utcnow()
    return Outcome(sum(1 for row in rows if row.meets_rule), len(rows))


# --- Certificates ---------------------------------------------------------------------------------

@dataclass
class CohortCertificate:
    code: str
    holder_name: str
    user_id: int
    cohort: Cohort
    lead_trainer: str | None
    closed_at: datetime | None


def certificate(code: str) -> CohortCertificate | None:
    row = db.session.execute(
        select(CohortParticipant.certificate_code, User.full_name, User.id, Cohort)
        .join(User, CohortParticipant.user_id == User.id).join(Cohort, CohortParticipant.cohort_id == Cohort.id)
        .where(CohortParticipant.certificate_code == code, CohortParticipant.completed.is_(True))).first()
    if row is None:
        return None
    code, name, user_id, cohort = row
    lead = next((t.trainer.user.full_name for t in cohort_trainers(cohort) if t.role == LEAD), None)
    return CohortCertificate(code, name, user_id, cohort, lead, cohort.closed_at)


def may_view_certificate(viewer: User, cert: CohortCertificate) -> bool:
    return viewer.id == cert.user_id or can(viewer, ACTION, cert.cohort.unit)


def certificates_of(user: User) -> list:
    """The user's cohort certificates, newest first."""
    return db.session.execute(
        select(CohortParticipant.certificate_code, Cohort.title, Cohort.starts_on, Cohort.ends_on, Unit.name)
        .join(Cohort, CohortParticipant.cohort_id == Cohort.id).join(Unit, Cohort.unit_id == Unit.id)
        .where(CohortParticipant.user_id == user.id, CohortParticipant.completed.is_(True),
               CohortParticipant.certificate_code.is_not(None))
        .order_by(Cohort.closed_at.desc(), Cohort.id.desc())).all()
