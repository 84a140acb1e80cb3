"""Competency framework versions, assessment campaigns, individual ratings and results, and the unit
capacity assessment with its review history.

A framework version is immutable once published: campaigns point at the version they used, so a
result always reads against the indicators and expectations it was rated on."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import db, utcnow
from lms.i18n import N_
from lms.orgs.models import Unit
from lms.people.models import User

# --- Framework ------------------------------------------------------------------------------------

DRAFT, PUBLISHED = "draft", "published"
FRAMEWORK_STATUS_LABELS = {DRAFT: N_("Bản nháp"), PUBLISHED: N_("Đã ban hành")}
PROFICIENCY_LEVELS = (1, 2, 3, 4)

# Where a cadre's expected proficiency comes from: their unit's level, and their volunteer role.
BY_LEVEL, BY_ROLE = "level", "role"

# Unit indicators: computed from the data, or declared by the unit with evidence.
COMPUTED, DECLARED = "computed", "declared"
ANSWER_TYPES = ("yes_no", "number", "text")


class Framework(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    level_labels: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": {"name", "description"}}
    from_file: Mapped[bool] = mapped_column(default=False)
    content_digest: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    domains: Mapped[list["Domain"]] = relationship(
        back_populates="framework", order_by="Domain.position", cascade="all, delete-orphan")
    competencies: Mapped[list["Competency"]] = relationship(
        back_populates="framework", order_by="Competency.position", cascade="all, delete-orphan",
        overlaps="domain,competencies")
    expectations: Mapped[list["Expectation"]] = relationship(cascade="all, delete-orphan")
    unit_indicators: Mapped[list["UnitIndicator"]] = relationship(
        order_by="UnitIndicator.position", cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class Domain(db.Model):
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))

    framework: Mapped[Framework] = relationship(back_populates="domains")
    competencies: Mapped[list["Competency"]] = relationship(
        back_populates="domain", order_by="Competency.position", overlaps="framework,competencies")


class Competency(db.Model):
    """One competency; `code` is the tag lessons and questions carry (see content/courses/README.md).
    `indicators` holds the behavioural indicators of each proficiency level: {"1": [text, …], …}."""

    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[dict] = mapped_column(JSON, default=dict)

    framework: Mapped[Framework] = relationship(back_populates="competencies", overlaps="competencies")
    domain: Mapped[Domain] = relationship(back_populates="competencies", overlaps="competencies,framework")


class Expectation(db.Model):
    """The proficiency expected in one competency of everyone at a unit level (kind "level", key a
    UnitLevel code) or in a volunteer role (kind "role", key a VOLUNTEER_ROLES value). A cadre is
    expected to reach the higher of the two."""

    __table_args__ = (UniqueConstraint("framework_id", "kind", "key", "competency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(30))
    competency_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]


class UnitIndicator(db.Model):
    """An indicator of a unit's capacity. A computed one names its `source` (see unit_assessments.py);
    a declared one is answered by the unit (`answer_type`). `targets` maps a unit level code to the
    value expected of units of that level; only those levels are assessed on the indicator."""

    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(40))
    answer_type: Mapped[str] = mapped_column(String(10), default="yes_no")
    unit: Mapped[str] = mapped_column(String(20), default="")  # "%", "người" … shown after the value
    targets: Mapped[dict] = mapped_column(JSON, default=dict)
    evidence_required: Mapped[bool] = mapped_column(default=False)


# --- Campaigns and individual assessment ----------------------------------------------------------

CAMPAIGN_DRAFT, CAMPAIGN_OPEN, CAMPAIGN_CLOSED = "draft", "open", "closed"
CAMPAIGN_STATUS_LABELS = {CAMPAIGN_DRAFT: N_("Chuẩn bị"), CAMPAIGN_OPEN: N_("Đang diễn ra"),
                          CAMPAIGN_CLOSED: N_("Đã kết thúc")}
SELF, SUPERVISOR, KNOWLEDGE, TRAINER = "self", "supervisor", "knowledge", "trainer"
INSTRUMENTS = (SELF, SUPERVISOR, KNOWLEDGE, TRAINER)
INSTRUMENT_LABELS = {SELF: N_("Tự đánh giá"), SUPERVISOR: N_("Đánh giá của cấp trên"),
                     KNOWLEDGE: N_("Bài kiểm tra kiến thức"), TRAINER: N_("Phiếu đánh giá thực hành tập huấn")}


class Campaign(db.Model):
    """An assessment round run by a unit over its subtree: who is assessed (unit levels, volunteer
    roles), with which instruments, against which framework version, by when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    target_levels: Mapped[list] = mapped_column(JSON, default=list)  # UnitLevel codes
    target_roles: Mapped[list] = mapped_column(JSON, default=list)  # VOLUNTEER_ROLES; empty = everyone
    instruments: Mapped[list] = mapped_column(JSON, default=list)
    assess_units: Mapped[bool] = mapped_column(default=True)
    opens_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=CAMPAIGN_DRAFT, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_reminder_at: Mapped[datetime | None]

    framework: Mapped[Framework] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship()

    def uses(self, instrument: str) -> bool:
        return instrument in self.instruments

    @property
    def is_open(self) -> bool:
        """Launched and not closed: participants may do their tasks (a campaign is launched on or after
        its opening day, so the status alone tells)."""
        return self.status == CAMPAIGN_OPEN


class Participant(db.Model):
    """A cadre assessed in a campaign. The unit, level and role are those at launch, and `expected`
    ({competency code: level}) is fixed then too, so the history reads as it was."""

    __tablename__ = "campaign_participant"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),
                      Index("ix_campaign_participant_campaign_unit", "campaign_id", "unit_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    level_code: Mapped[str] = mapped_column(String(30))
    volunteer_role: Mapped[str | None] = mapped_column(String(20))
    expected: Mapped[dict] = mapped_column(JSON, default=dict)
    self_done_at: Mapped[datetime | None]
    supervisor_done_at: Mapped[datetime | None]
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    knowledge_done_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]  # every instrument the campaign asks of them is done
    reminded_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])


class EvidenceFile(db.Model):
    """An uploaded file (a piece of evidence, or a signed yearly report sent up), kept in the database so
    every deployment backs it up alike."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # whose scope may read it
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(db.Model):
    """One instrument's proficiency for one competency of a participant, with optional evidence."""

    __table_args__ = (UniqueConstraint("participant_id", "source", "competency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("campaign_participant.id", ondelete="CASCADE"),
                                                index=True)
    source: Mapped[str] = mapped_column(String(20))
    competency_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id", ondelete="SET NULL"))
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)

    evidence_file: Mapped[EvidenceFile | None] = relationship()


class KnowledgeAttempt(db.Model):
    """The campaign's knowledge test for one participant: questions drawn from the course question
    bank by competency tag, shown and graded like a module quiz. `per_competency` holds
    {code: [correct, asked]} once submitted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("campaign_participant.id", ondelete="CASCADE"),
                                                unique=True)
    presented: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[dict | None] = mapped_column(JSON)
    per_competency: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]


class CompetencyResult(db.Model):
    """The combined proficiency of a participant in one competency (see scoring.py), against what is
    expected of them. Kept as rows so reports can count gaps with GROUP BY."""

    __table_args__ = (UniqueConstraint("participant_id", "competency_code"),
                      Index("ix_competency_result_domain", "domain_code", "competency_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("campaign_participant.id", ondelete="CASCADE"))
    competency_code: Mapped[str] = mapped_column(String(20))
    domain_code: Mapped[str] = mapped_column(String(20))
    expected: Mapped[int]
    achieved: Mapped[int | None]
    gap: Mapped[int] = mapped_column(default=0)  # max(expected - achieved, 0); 0 while not rated
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- Unit capacity assessment ---------------------------------------------------------------------

NOT_STARTED, UNIT_DRAFT, SUBMITTED, RETURNED, APPROVED = "not_started", "draft", "submitted", "returned", "approved"
UNIT_STATUSES = (NOT_STARTED, UNIT_DRAFT, SUBMITTED, RETURNED, APPROVED)
UNIT_STATUS_LABELS = {NOT_STARTED: N_("Chưa bắt đầu"), UNIT_DRAFT: N_("Đang soạn"), SUBMITTED: N_("Đã gửi"),
                      RETURNED: N_("Bị trả lại"), APPROVED: N_("Đã phê duyệt")}


class UnitAssessment(db.Model):
    """A unit's capacity self-assessment in a campaign, reviewed by the unit above or the central
    office. Editable while not started, a draft or returned; locked once submitted or approved."""

    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=NOT_STARTED, index=True)
    round: Mapped[int] = mapped_column(default=0)  # how many times it has been submitted
    computed: Mapped[dict | None] = mapped_column(JSON)  # computed indicators as submitted
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    answers: Mapped[list["UnitAnswer"]] = relationship(cascade="all, delete-orphan")
    events: Mapped[list["UnitAssessmentEvent"]] = relationship(
        order_by="UnitAssessmentEvent.at", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.status in (SUBMITTED, APPROVED)


class UnitAnswer(db.Model):
    """The unit's answer to one declared indicator, with evidence; `review_comment` is the reviewer's
    comment from the latest return, cleared on resubmission."""

    __table_args__ = (UniqueConstraint("assessment_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("unit_assessment.id", ondelete="CASCADE"))
    indicator_code: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(500), default="")
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="")

    evidence_file: Mapped[EvidenceFile | None] = relationship()


class UnitAssessmentEvent(db.Model):
    """The history: each submission, return and approval, with the per-indicator comments and a copy
    of what was submitted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("unit_assessment.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # submitted | returned | approved
    round: Mapped[int]
    by_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    comments: Mapped[dict] = mapped_column(JSON, default=dict)  # {indicator code: comment}
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by_user: Mapped[User] = relationship()
