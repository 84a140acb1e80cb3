"""The trainer's home: their profile, their cohorts, their next sessions and the participants falling
behind; for admins without a trainer profile, a summary of the cohorts in their scope.

A participant of one of the trainer's open cohorts falls behind when
- the cohort has an online course the participant has not completed, and the participant's last activity
  in it (Enrolment.last_activity_at) is more than FALLING_BEHIND_DAYS days old, or there has been none
  although the cohort started more than FALLING_BEHIND_DAYS days ago; or
- the participant was marked absent at one of the last RECENT_SESSIONS sessions held.
Both are worked out by one query, whatever the number of participants."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from lms.auth.permissions import in_scope, scope_paths
from lms.courses.models import Enrolment
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people.models import User
from lms.trainers.models import (ABSENT, CLOSED, OPEN, PLANNED, Attendance, Cohort, CohortParticipant,
                                 CohortTrainer, TrainerProfile, TrainingSession)

FALLING_BEHIND_DAYS = 14
RECENT_SESSIONS = 2
NEXT_SESSIONS = 10
EXPIRY_WARNING_DAYS = 60
MY_COHORTS_LIMIT = 50
BEHIND_LIMIT = 50

# Shown through _() where rendered.
COHORT_STATUSES = (OPEN, PLANNED, CLOSED)


@dataclass
class CohortLine:
    cohort: Cohort
    role: str
    participants: int
    sessions: int


@dataclass
class SessionLine:
    session: TrainingSession
    cohort: Cohort


@dataclass
class BehindLine:
    user_id: int
    full_name: str
    unit_name: str
    cohort_id: int
    cohort_title: str
    last_activity_at: datetime | None
    inactive: bool
    missed: int

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.inactive and self.last_activity_at is None:
            reasons.append(_("Chưa học trực tuyến lần nào"))
        elif self.inactive:
            reasons.append(_("Không học trực tuyến từ %(date)s", date=self.last_activity_at.strftime("%d/%m/%Y")))
        if self.missed:
            reasons.append(ngettext("Vắng %(num)d trong %(recent)d buổi gần nhất",
                                    "Vắng %(num)d trong %(recent)d buổi gần nhất", self.missed,
                                    recent=RECENT_SESSIONS))
        return reasons


@dataclass
class ScopeSummary:
    counts: dict[str, int]
    plan_unit: Unit | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class TrainerHome:
    today: date
    profile: TrainerProfile | None = None
    cohorts: list[CohortLine] = field(default_factory=list)
    next_sessions: list[SessionLine] = field(default_factory=list)
    behind: list[BehindLine] = field(default_factory=list)
    more_behind: bool = False
    summary: ScopeSummary | None = None

    @property
    def days_to_expiry(self) -> int | None:
        if self.profile is None or self.profile.expires_on is None:
            return None
        return (self.profile.expires_on - self.today).days

    @property
    def expires_soon(self) -> bool:
        days = self.days_to_expiry
        return days is not None and 0 <= days <= EXPIRY_WARNING_DAYS

    @property
    def has_expired(self) -> bool:
        days = self.days_to_expiry
        return days is not None and days < 0


def profile_of(user: User) -> TrainerProfile | None:
    return db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == user.id))


def my_cohorts(profile: TrainerProfile) -> list[CohortLine]:
    """The cohorts the trainer leads or co-trains, open first, then planned, then closed; newest first."""
    participants = (select(CohortParticipant.cohort_id, func.count(CohortParticipant.id).label("n"))
                    .group_by(CohortParticipant.cohort_id).subquery())
    sessions = (select(TrainingSession.cohort_id, func.count(TrainingSession.id).label("n"))
                .group_by(TrainingSession.cohort_id).subquery())
    order = case({OPEN: 0, PLANNED: 1}, value=Cohort.status, else_=2)
    rows = db.session.execute(
        select(Cohort, CohortTrainer.role, func.coalesce(participants.c.n, 0), func.coalesce(sessions.c.n, 0))
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .outerjoin(participants, participants.c.cohort_id == Cohort.id)
        .outerjoin(sessions, sessions.c.cohort_id == Cohort.id)
        .where(CohortTrainer.trainer_id == profile.id)
        .options(selectinload(Cohort.unit))
        .order_by(order, Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(MY_COHORTS_LIMIT)).all()
    return [CohortLine(cohort, role, n_participants, n_sessions)
            for cohort, role, n_participants, n_sessions in rows]


def _my_cohort_ids(profile: TrainerProfile):
    return select(CohortTrainer.cohort_id).where(CohortTrainer.trainer_id == profile.id)


def next_sessions(profile: TrainerProfile, today: date) -> list[SessionLine]:
    rows = db.session.execute(
        select(TrainingSession, Cohort).join(Cohort, Cohort.id == TrainingSession.cohort_id)
        .where(TrainingSession.cohort_id.in_(_my_cohort_ids(profile)), TrainingSession.held_on >= today,
               Cohort.status != CLOSED)
        .order_by(TrainingSession.held_on, TrainingSession.id).limit(NEXT_SESSIONS)).all()
    return [SessionLine(session, cohort) for session, cohort in rows]


def falling_behind(profile: TrainerProfile, today: date, now: datetime | None = None,
                   limit: int = BEHIND_LIMIT) -> tuple[list[BehindLine], bool]:
    """Participants of the trainer's open cohorts falling behind (see the module's docstring), and
    whether more than `limit` are."""
    now = now or utcnow()
    cutoff = now - timedelta(days=FALLING_BEHIND_DAYS)
    open_cohorts = select(Cohort.id).where(Cohort.id.in_(_my_cohort_ids(profile)), Cohort.status == OPEN)
    recent = (select(TrainingSession.id.label("session_id"), TrainingSession.cohort_id,
                     func.row_number().over(partition_by=TrainingSession.cohort_id,
                                            order_by=(TrainingSession.held_on.desc(), TrainingSession.id.desc()))
                     .label("rank"))
              .where(TrainingSession.cohort_id.in_(open_cohorts), TrainingSession.held_on <= today)
              .subquery())
    missed = (select(Attendance.user_id, recent.c.cohort_id, func.count(Attendance.id).label("n"))
              .join(recent, recent.c.session_id == Attendance.session_id)
              .where(recent.c.rank <= RECENT_SESSIONS, Attendance.status == ABSENT)
              .group_by(Attendance.user_id, recent.c.cohort_id).subquery())
    inactive = and_(
        Cohort.course_id.is_not(None), Enrolment.completed_at.is_(None),
        or_(Enrolment.last_activity_at < cutoff,
            and_(Enrolment.last_activity_at.is_(None),
                 Cohort.starts_on <= today - timedelta(days=FALLING_BEHIND_DAYS))))
    n_missed = func.coalesce(missed.c.n, 0)
    is_inactive = case((inactive, 1), else_=0)
    rows = db.session.execute(
        select(User.id, User.full_name, Unit.name, Cohort.id, Cohort.title, Enrolment.last_activity_at,
               is_inactive, n_missed)
        .select_from(CohortParticipant)
        .join(Cohort, Cohort.id == CohortParticipant.cohort_id)
        .join(User, User.id == CohortParticipant.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == CohortParticipant.user_id,
                                   Enrolment.course_id == Cohort.course_id))
        .outerjoin(missed, and_(missed.c.user_id == CohortParticipant.user_id,
                                missed.c.cohort_id == CohortParticipant.cohort_id))
        .where(CohortParticipant.cohort_id.in_(open_cohorts), or_(inactive, n_missed > 0))
        .order_by(n_missed.desc(), Cohort.starts_on, Cohort.id, User.sort_key, User.id)
        .limit(limit + 1)).all()
    lines = [BehindLine(user_id, name, unit_name, cohort_id, title, last, bool(flag), int(n))
             for user_id, name, unit_name, cohort_id, title, last, flag, n in rows]
    return lines[:limit], len(lines) > limit


def scope_summary(user: User) -> ScopeSummary:
    """Cohorts in the user's scope by status, and the unit whose plan to open first."""
    counts = dict(db.session.execute(
        select(Cohort.status, func.count(Cohort.id)).join(Unit, Unit.id == Cohort.unit_id)
        .where(in_scope(user, "trainer.view")).group_by(Cohort.status)).all())
    paths = scope_paths(user, "trainer.view")
    plan_unit = db.session.get(Unit, int(paths[0].strip("/").split("/")[-1])) if paths else None
    return ScopeSummary({status: counts.get(status, 0) for status in COHORT_STATUSES}, plan_unit)


def trainer_home(user: User) -> TrainerHome:
    today = local_today()
    home = TrainerHome(today, profile_of(user))
    if home.profile is not None:
        home.cohorts = my_cohorts(home.profile)
        home.next_sessions = next_sessions(home.profile, today)
        home.behind, home.more_behind = falling_behind(home.profile, today)
    if home.profile is None or scope_paths(user, "plan.manage"):
        home.summary = scope_summary(user)
    return home
