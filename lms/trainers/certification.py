"""Trainer profiles and the rules of certification: who may become a trainer of which tier, what a
candidate must have done before being certified, renewal, suspension and expiry.

Views call these functions inside one request and commit (or roll back) through `lms.actions.carry_out`;
nothing here commits. Every refusal is a `RuleError` whose message is meant for the person who asked.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased, contains_eager

from lms.actions import RuleError
from lms.assessments.scoring import refresh_practicum_ratings
from lms.auth.permissions import can, in_scope
from lms.courses.models import Course, Enrolment
from lms.db import db, get_by_id, utcnow
from lms.i18n import N_, level_name, local_today
from lms.orgs.models import Unit
from lms.paging import Page
from lms.people.contact import normalise_email, normalise_phone
from lms.people.models import User
from lms.trainers.models import (
    CANDIDATE, CERTIFIED, CLOSED, EXPIRED, GRASSROOTS, LEAD, CO_TRAINER, MASTER, PROVINCIAL, STATUSES, SUSPENDED,
    STATUS_LABELS, TIER_LABELS, TIER_RANK, TIERS, CertificationEvent, Cohort, CohortParticipant, CohortTrainer,
    Practicum, TrainerProfile,
)

# The online Training-of-Trainers course a candidate must complete (condition (a) of `certify`).
TOT_COURSE_SLUG = "ky-nang-tap-huan-vien"
DEFAULT_CERT_MONTHS = 24

# Shown through _() where rendered.
EVENT_LABELS = {"certified": N_("Công nhận"), "renewed": N_("Gia hạn"), "expired": N_("Hết hạn"),
                "suspended": N_("Tạm đình chỉ"), "reinstated": N_("Khôi phục")}

# Unit level code -> the one tier a cadre of that level may hold (see `tier_for_unit`).
TIER_FOR_LEVEL = {"central": MASTER, "province": PROVINCIAL, "grassroots": GRASSROOTS, "branch": GRASSROOTS}

# The practicum rubric: each criterion is scored 1 (weak) to 4 (very good); the practicum is passed
# when every criterion scores at least PASS_SCORE. The keys are stored in Practicum.rubric (JSON).
RUBRIC = (("preparation", N_("Chuẩn bị")), ("delivery", N_("Truyền đạt")), ("facilitation", N_("Điều phối")),
          ("learner_assessment", N_("Đánh giá học viên")))
MIN_SCORE, MAX_SCORE, PASS_SCORE = 1, 4, 3

PAGE_SIZE = 50
MAX_PAGE = 100_000


# --- Helpers ---------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def cert_months() -> int:
    return int(current_app.config.get("LMS_TRAINER_CERT_MONTHS", DEFAULT_CERT_MONTHS))


def tier_for_unit(unit: Unit) -> str | None:
    """The tier a cadre of `unit` may hold, which follows the level of the unit:

    - central office -> master trainer (tập huấn viên nguồn), who trains provincial trainers;
    - province / city -> provincial trainer, who trains grassroots trainers;
    - grassroots unit or branch -> grassroots trainer, who trains cadres and volunteers.

    Levels are data: a unit whose level is not in TIER_FOR_LEVEL (a future district tier, say) gets
    None, and cannot hold a trainer until a tier is chosen for its level there."""
    return TIER_FOR_LEVEL.get(unit.level.code)


def assessor_tiers(tier: str) -> list[str]:
    """Tiers whose certified trainers may assess a practicum of `tier`: every higher tier (a smaller
    rank). The top tier has none above it, so master candidates are assessed by certified masters."""
    return [t for t in TIERS if TIER_RANK[t] < TIER_RANK[tier]] or [tier]


def find_cadre(identifier: str) -> User | None:
    """The account with this phone number or e-mail address, however it was typed."""
    identifier = (identifier or "").strip()
    email = normalise_email(identifier) if "@" in identifier else None
    if email:
        return db.session.scalar(select(User).where(User.email == email))
    phone = normalise_phone(identifier)
    if phone:
        return db.session.scalar(select(User).where(User.phone == phone))
    return None


def profile_of_user(user_id: int) -> TrainerProfile | None:
    return db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == user_id))


def is_valid_certified(trainer: TrainerProfile | None, today: date | None = None) -> bool:
    """Certified now: the status says so and the expiry date has not passed (even if the nightly
    expiry run has not marked it yet)."""
    if trainer is None or trainer.status != CERTIFIED:
        return False
    return trainer.expires_on is None or trainer.expires_on >= (today or local_today())


def _event(trainer: TrainerProfile, action: str, by_user: User | None, cohort: Cohort | None = None,
           note: str = "") -> CertificationEvent:
    event = CertificationEvent(trainer_id=trainer.id, action=action, by_user_id=by_user.id if by_user else None,
                               cohort_id=cohort.id if cohort else None, note=note[:300])
    db.session.add(event)
    return event


# --- Listing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainerFilter:
    tier: str = ""
    status: str = ""
    query: str = ""


def trainer_page(viewer: User, filters: TrainerFilter, number: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """One page of the trainers whose unit is in the viewer's scope, in Vietnamese name order."""
    from lms.people.services import search_condition

    number = min(max(1, number), MAX_PAGE)
    conditions = [in_scope(viewer, "trainer.view", Unit.path)]
    if filters.tier in TIERS:
        conditions.append(TrainerProfile.tier == filters.tier)
    if filters.status in STATUSES:
        conditions.append(TrainerProfile.status == filters.status)
    if filters.query:
        conditions.append(search_condition(filters.query))
    base = (select(TrainerProfile).join(TrainerProfile.user).join(User.unit).where(*conditions))
    rows = db.session.execute(
        base.add_columns(func.count().over().label("total"))
        .options(contains_eager(TrainerProfile.user).contains_eager(User.unit))
        .order_by(User.sort_key, User.id).limit(per_page).offset((number - 1) * per_page)).all()
    if rows:
        return Page([row.TrainerProfile for row in rows], rows[0].total, number, per_page)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) if number > 1 else 0
    return Page([], total, number, per_page)


# --- Becoming a candidate ------------------------------------------------------------------------

class AppointError(RuleError):
    """An appointment the rules refuse, with the form field the message belongs to."""

    def __init__(self, message: str, field: str = "identifier"):
        super().__init__(message)
        self.field = field


def appoint(user: User | None, tier: str | None, by_user: User,
            trained_in_cohort_id: int | None = None) -> TrainerProfile:
    """Make a cadre a candidate trainer of `tier`. The tier must match the level of the cadre's unit
    (`tier_for_unit`); with no tier given, it is the one the level calls for. `trained_in_cohort_id`,
    when given, links them into the cascade: it must be a cohort the cadre took part in as a participant."""
    if user is None or not can(by_user, "trainer.manage", user.unit):
        # The same answer either way: an admin learns nothing of cadres outside their scope.
        raise AppointError(_("Không tìm thấy cán bộ có số điện thoại hoặc e-mail này trong phạm vi bạn quản lý."))
    if not user.is_active:
        raise AppointError(_("Tài khoản của %(name)s đã ngừng hoạt động.", name=user.full_name))
    if profile_of_user(user.id) is not None:
        raise AppointError(_("%(name)s đã có hồ sơ tập huấn viên.", name=user.full_name))
    expected = tier_for_unit(user.unit)
    if expected is None:
        raise AppointError(_("Chưa quy định hạng tập huấn viên cho cấp đơn vị của %(name)s.", name=user.full_name),
                           "tier")
    tier = tier or expected
    if tier not in TIERS:
        raise AppointError(_("Hãy chọn hạng tập huấn viên."), "tier")
    if tier != expected:
        raise AppointError(_("%(name)s thuộc đơn vị cấp %(level)s nên chỉ có thể là %(tier)s.",
                             name=user.full_name, level=level_name(user.unit.level), tier=_(TIER_LABELS[expected])),
                           "tier")
    cohort = None
    if trained_in_cohort_id is not None:
        cohort = get_by_id(Cohort, trained_in_cohort_id)
        if cohort is None:
            raise AppointError(_("Không có lớp tập huấn số %(id)d.", id=trained_in_cohort_id), "trained_in_cohort")
        took_part = db.session.scalar(select(exists().where(
            CohortParticipant.cohort_id == cohort.id, CohortParticipant.user_id == user.id)))
        if not took_part:
            raise AppointError(_("%(name)s không có trong danh sách học viên của lớp “%(title)s”.",
                                 name=user.full_name, title=cohort.title), "trained_in_cohort")
    trainer = TrainerProfile(user=user, tier=tier, status=CANDIDATE, trained_in_cohort=cohort)
    db.session.add(trainer)
    db.session.flush()
    return trainer


# --- Certification --------------------------------------------------------------------------

@dataclass(frozen=True)
class Readiness:
    """Where a candidate stands on the three conditions of certification."""

    course_completed: bool
    cofacilitated: bool
    practicum_passed: bool

    @property
    def ready(self) -> bool:
        return self.course_completed and self.cofacilitated and self.practicum_passed

    def missing(self) -> list[str]:
        messages = []
        if not self.course_completed:
            messages.append(_("chưa hoàn thành khóa học trực tuyến Kỹ năng tập huấn viên"))
        if not self.cofacilitated:
            messages.append(_("chưa cùng tập huấn (chính hoặc phụ) một lớp đã kết thúc"))
        if not self.practicum_passed:
            messages.append(_("chưa đạt buổi thực hành do tập huấn viên đã được công nhận, hạng cao hơn đánh giá"))
        return messages


def _course_completed(trainer: TrainerProfile):
    return exists().where(Enrolment.user_id == trainer.user_id, Enrolment.completed_at.is_not(None),
                          Enrolment.course_id == Course.id, Course.slug == TOT_COURSE_SLUG)


def _cofacilitated(trainer: TrainerProfile, today: date):
    """A cohort counts once it is closed or its last day has passed (ends_on < today), whichever
    comes first, with the trainer on it as lead or co-trainer."""
    return exists().where(CohortTrainer.trainer_id == trainer.id, CohortTrainer.role.in_((LEAD, CO_TRAINER)),
                          CohortTrainer.cohort_id == Cohort.id,
                          or_(Cohort.status == CLOSED, Cohort.ends_on < today))


def _practicum_passed(trainer: TrainerProfile):
    """A passed practicum whose assessor is of a higher tier and has been certified. That the assessor
    was certified on the day is checked when the practicum is recorded (`record_practicum`)."""
    assessor = aliased(TrainerProfile)
    return exists().where(Practicum.trainer_id == trainer.id, Practicum.passed.is_(True),
                          Practicum.assessor_id == assessor.id, assessor.tier.in_(assessor_tiers(trainer.tier)),
                          assessor.certified_at.is_not(None))


def readiness(trainer: TrainerProfile, today: date | None = None) -> Readiness:
    """The three conditions, in one query."""
    today = today or local_today()
    row = db.session.execute(select(_course_completed(trainer).label("course"),
                                    _cofacilitated(trainer, today).label("cohort"),
                                    _practicum_passed(trainer).label("practicum"))).one()
    return Readiness(bool(row.course), bool(row.cohort), bool(row.practicum))


def qualifying_cohorts(trainer: TrainerProfile, today: date | None = None) -> list[Cohort]:
    """Cohorts the trainer helped run that count towards certification, latest first."""
    today = today or local_today()
    return list(db.session.scalars(
        select(Cohort).join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.trainer_id == trainer.id, or_(Cohort.status == CLOSED, Cohort.ends_on < today))
        .order_by(Cohort.ends_on.desc(), Cohort.id.desc())))


def certify(trainer: TrainerProfile, by_user: User, cohort: Cohort | None = None) -> CertificationEvent:
    """Certify a candidate. Refused, naming everything missing, unless the candidate
    (a) completed the ToT online course (slug TOT_COURSE_SLUG, an enrolment with completed_at);
    (b) helped run, as lead or co-trainer, at least one cohort that is closed or whose end date has
        passed (ends_on before today);
    (c) passed a practicum assessed by a certified trainer of a higher tier (for a master candidate,
        another certified master; see `assessor_tiers`).
    The certificate runs LMS_TRAINER_CERT_MONTHS months (default 24) from today. `cohort`, if given,
    is the cohort the certification came through, and must be one the trainer helped run.
    The very first master trainers of an installation, with no certified master to assess them, are
    recorded with `flask lms trainers certify-founder`."""
    if trainer.status != CANDIDATE:
        raise RuleError(_("Chỉ công nhận được ứng viên tập huấn viên; %(name)s đang ở trạng thái “%(status)s”.",
                          name=trainer.user.full_name, status=_(STATUS_LABELS[trainer.status])))
    today = local_today()
    if cohort is not None:
        helped = db.session.scalar(select(exists().where(CohortTrainer.trainer_id == trainer.id,
                                                         CohortTrainer.cohort_id == cohort.id)))
        if not helped:
            raise RuleError(_("%(name)s không tham gia tập huấn lớp “%(title)s”.",
                              name=trainer.user.full_name, title=cohort.title))
    missing = readiness(trainer, today).missing()
    if missing:
        raise RuleError(_("Chưa thể công nhận %(name)s: %(missing)s.",
                          name=trainer.user.full_name, missing="; ".join(missing)))
    trainer.status = CERTIFIED
    trainer.certified_at = utcnow()
    trainer.expires_on = add_months(today, cert_months())
    return _event(trainer, "certified", by_user, cohort)


def certify_founder(user: User) -> TrainerProfile:
    """Record a first master trainer of an installation as certified. Only while no certified master
    exists: from then on, master candidates are assessed by certified masters like everyone else."""
    if db.session.scalar(select(exists().where(TrainerProfile.tier == MASTER, TrainerProfile.status == CERTIFIED))):
        raise RuleError(_("Đã có tập huấn viên nguồn được công nhận: ứng viên mới cần qua đủ các điều kiện công nhận."))
    trainer = profile_of_user(user.id) or TrainerProfile(user_id=user.id, tier=MASTER)
    trainer.tier, trainer.status, trainer.certified_at = MASTER, CERTIFIED, utcnow()
    trainer.expires_on = add_months(local_today(), cert_months())
    db.session.add(trainer)
    db.session.flush()
    _event(trainer, "certified", None, note=_("Tập huấn viên nguồn đầu tiên của hệ thống"))
    return trainer


def renew(trainer: TrainerProfile, by_user: User, note: str = "") -> CertificationEvent:
    """Extend a certified or expired trainer's certificate LMS_TRAINER_CERT_MONTHS months from today."""
    if trainer.status not in (CERTIFIED, EXPIRED):
        raise RuleError(_("Chỉ gia hạn được tập huấn viên đã được công nhận hoặc đã hết hạn."))
    trainer.status = CERTIFIED
    trainer.expires_on = add_months(local_today(), cert_months())
    return _event(trainer, "renewed", by_user, note=note)


def suspend(trainer: TrainerProfile, by_user: User, reason: str) -> CertificationEvent:
    """Suspend a trainer, whatever their standing, for a stated reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Hãy ghi lý do tạm đình chỉ."))
    if trainer.status == SUSPENDED:
        raise RuleError(_("%(name)s đang bị tạm đình chỉ.", name=trainer.user.full_name))
    trainer.status = SUSPENDED
    return _event(trainer, "suspended", by_user, note=reason)


def reinstate(trainer: TrainerProfile, by_user: User, note: str = "") -> CertificationEvent:
    """Lift a suspension. The trainer returns to where the record puts them: certified while the
    certificate runs, expired once it has run out, a candidate if never certified."""
    if trainer.status != SUSPENDED:
        raise RuleError(_("%(name)s không bị tạm đình chỉ.", name=trainer.user.full_name))
    if trainer.certified_at is None:
        trainer.status = CANDIDATE
    elif trainer.expires_on is not None and trainer.expires_on < local_today():
        trainer.status = EXPIRED
    else:
        trainer.status = CERTIFIED
    return _event(trainer, "reinstated", by_user, note=(note or "").strip())


def expire_due(today: date) -> int:
    """Mark every certified trainer whose certificate ended before `today` as expired, with an event
    each: one INSERT … SELECT and one UPDATE, whatever their number. Returns how many expired. Refuses
    (ValueError, nothing changed) a day after today in the application's time zone, which would expire
    certificates still running."""
    real_today = local_today()
    if today > real_today:
        raise ValueError(_("Ngày xét hết hạn %(day)s muộn hơn hôm nay (%(today)s theo múi giờ của ứng dụng): xét theo "
                           "ngày này sẽ làm hết hạn cả những chứng nhận chưa kết thúc. Không có gì bị thay đổi.",
                           day=today.isoformat(), today=real_today.isoformat()))
    due = and_(TrainerProfile.status == CERTIFIED, TrainerProfile.expires_on < today)
    db.session.flush()
    db.session.execute(insert(CertificationEvent).from_select(
        ["trainer_id", "action", "note", "at"],
        select(TrainerProfile.id, literal("expired"), literal(""), literal(utcnow())).where(due)))
    result = db.session.execute(update(TrainerProfile).where(due).values(status=EXPIRED)
                                .execution_options(synchronize_session=False))
    db.session.expire_all()
    return result.rowcount


# --- Practicums -----------------------------------------------------------------------------

def may_assess(user: User, candidate: TrainerProfile) -> bool:
    """May `user` open the practicum form for `candidate`: an admin over the candidate's unit, or a
    trainer certified now at a higher tier who may see trainers of the candidate's unit (and who may
    only record practicums they assessed themselves)."""
    if can(user, "trainer.manage", candidate.user.unit):
        return True
    if not can(user, "trainer.view", candidate.user.unit):
        return False
    own = profile_of_user(user.id)
    return own is not None and own.id != candidate.id and is_valid_certified(own) \
        and own.tier in assessor_tiers(candidate.tier)


def record_practicum(candidate: TrainerProfile, assessor: TrainerProfile | None, by_user: User,
                     scores: dict[str, int], comments: str = "", cohort: Cohort | None = None) -> Practicum:
    """Record a practicum. The assessor must be certified now and of a higher tier than the candidate;
    whoever records it must be the assessor or an admin over the candidate's unit. `scores` holds a
    score 1–4 for every RUBRIC criterion; the practicum is passed when each is PASS_SCORE (3) or more."""
    if assessor is None:
        raise RuleError(_("Người đánh giá chưa có hồ sơ tập huấn viên."))
    if by_user.id != assessor.user_id and not can(by_user, "trainer.manage", candidate.user.unit):
        raise RuleError(_("Chỉ người đánh giá hoặc quản trị đơn vị của học viên mới ghi được kết quả thực hành."))
    if assessor.id == candidate.id:
        raise RuleError(_("Tập huấn viên không thể tự đánh giá buổi thực hành của mình."))
    if not is_valid_certified(assessor):
        raise RuleError(_("%(name)s chưa được công nhận hoặc đã hết hạn công nhận, nên chưa thể đánh giá thực hành.",
                          name=assessor.user.full_name))
    if assessor.tier not in assessor_tiers(candidate.tier):
        if candidate.tier == MASTER:
            raise RuleError(_("Ứng viên tập huấn viên nguồn do một tập huấn viên nguồn đã được công nhận đánh giá."))
        raise RuleError(_("Người đánh giá phải là tập huấn viên hạng cao hơn %(tier)s.",
                          tier=_(TIER_LABELS[candidate.tier])))
    if candidate.status != CANDIDATE:
        raise RuleError(_("Chỉ ghi kết quả thực hành cho ứng viên tập huấn viên."))
    rubric = {}
    for key, label in RUBRIC:
        score = scores.get(key)
        if not isinstance(score, int) or isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
            raise RuleError(_("Hãy chấm tiêu chí “%(criterion)s” từ %(low)d đến %(high)d.",
                              criterion=_(label), low=MIN_SCORE, high=MAX_SCORE))
        rubric[key] = score
    practicum = Practicum(trainer_id=candidate.id, assessor_id=assessor.id, cohort_id=cohort.id if cohort else None,
                          passed=all(score >= PASS_SCORE for score in rubric.values()), rubric=rubric,
                          comments=(comments or "").strip())
    db.session.add(practicum)
    db.session.flush()
    refresh_practicum_ratings(candidate.user_id)
    return practicum


# --- The profile page -----------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryRow:
    event: CertificationEvent
    by_name: str | None
    cohort_title: str | None


@dataclass(frozen=True)
class PracticumRow:
    practicum: Practicum
    assessor_name: str
    assessor_tier: str
    cohort_title: str | None


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    role: str
    participants: int


@dataclass(frozen=True)
class TrainerRecord:
    """Everything the profile page shows besides the profile itself."""

    history: list[HistoryRow]
    practicums: list[PracticumRow]
    trained_by: list[tuple[TrainerProfile, str]]  # the trainers of the cohort that trained them, with role
    cohorts: list[CohortRow]


def trainer_record(trainer: TrainerProfile) -> TrainerRecord:
    """History, practicums, who trained them and the cohorts they ran: four queries."""
    by = aliased(User)
    history = [HistoryRow(row.CertificationEvent, row.by_name, row.title) for row in db.session.execute(
        select(CertificationEvent, by.full_name.label("by_name"), Cohort.title)
        .outerjoin(by, by.id == CertificationEvent.by_user_id)
        .outerjoin(Cohort, Cohort.id == CertificationEvent.cohort_id)
        .where(CertificationEvent.trainer_id == trainer.id)
        .order_by(CertificationEvent.at.desc(), CertificationEvent.id.desc()))]
    assessor, assessor_user = aliased(TrainerProfile), aliased(User)
    practicums = [PracticumRow(row.Practicum, row.full_name, row.tier, row.title) for row in db.session.execute(
        select(Practicum, assessor_user.full_name, assessor.tier, Cohort.title)
        .join(assessor, assessor.id == Practicum.assessor_id)
        .join(assessor_user, assessor_user.id == assessor.user_id)
        .outerjoin(Cohort, Cohort.id == Practicum.cohort_id)
        .where(Practicum.trainer_id == trainer.id)
        .order_by(Practicum.assessed_at.desc(), Practicum.id.desc()))]
    trained_by = []
    if trainer.trained_in_cohort_id is not None:
        trained_by = [(row.TrainerProfile, row.role) for row in db.session.execute(
            select(TrainerProfile, CohortTrainer.role).join(CohortTrainer, CohortTrainer.trainer_id == TrainerProfile.id)
            .join(TrainerProfile.user)
            .where(CohortTrainer.cohort_id == trainer.trained_in_cohort_id)
            .order_by((CohortTrainer.role == LEAD).desc(), User.sort_key))]
    own_cohorts = select(CohortTrainer.cohort_id).where(CohortTrainer.trainer_id == trainer.id)
    counts = (select(CohortParticipant.cohort_id, func.count().label("n"))
              .where(CohortParticipant.cohort_id.in_(own_cohorts))
              .group_by(CohortParticipant.cohort_id).subquery())
    cohorts = [CohortRow(row.Cohort, row.role, row.n or 0) for row in db.session.execute(
        select(Cohort, CohortTrainer.role, counts.c.n)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .where(CohortTrainer.trainer_id == trainer.id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc()))]
    return TrainerRecord(history, practicums, trained_by, cohorts)


def overdue(trainer: TrainerProfile, today: date | None = None) -> bool:
    """Certified on record but past the expiry date (the nightly run will mark it expired)."""
    return trainer.status == CERTIFIED and trainer.expires_on is not None \
        and trainer.expires_on < (today or local_today())

