from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Course
from lms.db import db, utcnow
from lms.i18n import N_
from lms.orgs.models import Unit
from lms.people.models import User

# Tiers, highest first: a practicum is assessed by a certified trainer of a higher tier.
MASTER, PROVINCIAL, GRASSROOTS = "master", "provincial", "grassroots"
TIERS = (MASTER, PROVINCIAL, GRASSROOTS)
TIER_RANK = {MASTER: 1, PROVINCIAL: 2, GRASSROOTS: 3}
CANDIDATE, CERTIFIED, EXPIRED, SUSPENDED = "candidate", "certified", "expired", "suspended"
STATUSES = (CANDIDATE, CERTIFIED, EXPIRED, SUSPENDED)
MODES = ("online", "in_person", "blended")
PLANNED, OPEN, CLOSED = "planned", "open", "closed"
PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
LEAD, CO_TRAINER = "lead", "co"

TIER_LABELS = {MASTER: N_("Tập huấn viên nguồn"), PROVINCIAL: N_("Tập huấn viên cấp tỉnh"),
               GRASSROOTS: N_("Tập huấn viên cơ sở")}
STATUS_LABELS = {CANDIDATE: N_("Ứng viên"), CERTIFIED: N_("Đã được công nhận"), EXPIRED: N_("Hết hạn"),
                 SUSPENDED: N_("Tạm đình chỉ")}
COHORT_STATUS_LABELS = {PLANNED: N_("Dự kiến"), OPEN: N_("Đang mở"), CLOSED: N_("Đã kết thúc")}


class TrainerProfile(db.Model):
    """A cadre as a trainer. `trained_in_cohort_id` links them into the cascade: the cohort (and so
    the trainer) that trained them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    tier: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=CANDIDATE, index=True)
    trained_in_cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", use_alter=True), index=True)
    certified_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    trained_in_cohort: Mapped["Cohort | None"] = relationship(foreign_keys=[trained_in_cohort_id])


class CertificationEvent(db.Model):
    """The trainer's certification history: who certified (or renewed, suspended …) whom, when, through
    which cohort."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profile.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # certified | renewed | expired | suspended | reinstated
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Practicum(db.Model):
    """A candidate's practical session, assessed by a certified trainer of a higher tier."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profile.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("trainer_profile.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    passed: Mapped[bool]
    rubric: Mapped[dict | None] = mapped_column(db.JSON)
    comments: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cohort(db.Model):
    """A training class (lớp tập huấn) run by a unit."""

    __table_args__ = (Index("ix_cohort_unit_starts", "unit_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20), default="in_person")
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int] = mapped_column(default=40)
    attendance_threshold: Mapped[int] = mapped_column(default=80)  # percent of sessions attended
    requires_course: Mapped[bool] = mapped_column(default=True)  # online course complete to finish
    target_group: Mapped[str] = mapped_column(String(40), default="")
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("training_plan_item.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course | None] = relationship()
    unit: Mapped[Unit] = relationship()


class CohortTrainer(db.Model):
    __table_args__ = (UniqueConstraint("cohort_id", "trainer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profile.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=CO_TRAINER)  # lead | co

    trainer: Mapped[TrainerProfile] = relationship()


class CohortParticipant(db.Model):
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed: Mapped[bool | None]  # decided when the cohort closes
    certificate_code: Mapped[str | None] = mapped_column(String(40), unique=True)

    user: Mapped[User] = relationship()


class TrainingSession(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(200))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("trainer_profile.id"))

    trainer: Mapped[TrainerProfile | None] = relationship()


class Attendance(db.Model):
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # present | absent | excused
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingPlanItem(db.Model):
    """A cohort a unit plans to hold in a quarter of a year, for a target group."""

    # The year's items, and the one a cohort of a group and a quarter is matched to (plans.toward_items).
    __table_args__ = (Index("ix_training_plan_item_year_group_quarter", "year", "target_group", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    # coordinators | team_leaders | club_heads | trainers | cadres
    target_group: Mapped[str] = mapped_column(String(40))
    planned_cohorts: Mapped[int] = mapped_column(default=1)
    planned_participants: Mapped[int] = mapped_column(default=30)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()
    course: Mapped[Course | None] = relationship()
