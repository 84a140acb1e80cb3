"""What the assessment hub shows a person: their own open tasks, and the counts behind each part of
the work their roles give them (cadres to rate, unit assessments to submit or review)."""
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select

from lms.assessments.campaigns import open_participations, pending_instruments
from lms.assessments.models import (
    CAMPAIGN_OPEN, NOT_STARTED, RETURNED, SUBMITTED, SUPERVISOR, UNIT_DRAFT, Campaign, Participant,
    UnitAssessment)
from lms.auth.permissions import ACTIONS, has_any_scope, scope_paths
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User


@dataclass
class Task:
    participant: Participant
    campaign: Campaign
    pending: list[str]  # SELF / KNOWLEDGE still to do by the cadre
    awaiting_supervisor: bool


@dataclass
class Hub:
    tasks: list[Task] = field(default_factory=list)
    to_supervise: int | None = None  # None: the user does not rate other cadres
    units_to_submit: int | None = None
    units_to_review: int | None = None
    manages_campaigns: bool = False
    views_results: bool = False


def hub_for(user: User) -> Hub:
    hub = Hub(tasks=open_tasks(user))
    if has_any_scope(user, "assessment.supervise"):
        hub.to_supervise = _count_to_supervise(user)
    if has_any_scope(user, "unit_assessment.submit"):
        hub.units_to_submit = _count_units_to_submit(user)
    if has_any_scope(user, "unit_assessment.review"):
        hub.units_to_review = _count_units_to_review(user)
    hub.manages_campaigns = has_any_scope(user, "campaign.manage")
    hub.views_results = has_any_scope(user, "assessment.view")
    return hub


def open_tasks(user: User) -> list[Task]:
    """The user's participations in open campaigns, newest campaign first."""
    return [Task(participant, participant.campaign, pending_instruments(participant),
                 participant.campaign.uses(SUPERVISOR) and participant.supervisor_done_at is None)
            for participant in open_participations(user)]


def _below_scope(user: User, action: str, path_column=Unit.path):
    """Units strictly below one of the user's scope units for `action`: the unit above them is in scope."""
    paths = scope_paths(user, action)
    return or_(*(and_(path_column.startswith(path, autoescape=True), path_column != path) for path in paths))


def _count_to_supervise(user: User) -> int:
    return db.session.scalar(
        select(func.count(Participant.id)).join(Campaign, Campaign.id == Participant.campaign_id)
        .join(Unit, Unit.id == Participant.unit_id)
        .where(Campaign.id.in_(_campaigns_using(SUPERVISOR)), Participant.supervisor_done_at.is_(None),
               Participant.user_id != user.id, _below_scope(user, "assessment.supervise"))) or 0


def _campaigns_using(instrument: str) -> list[int]:
    """Open campaigns asking for `instrument` (the list is a JSON column, so it is read here)."""
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == CAMPAIGN_OPEN))
    return [campaign.id for campaign in campaigns if campaign.uses(instrument)]


def _count_units_to_submit(user: User) -> int:
    """Open assessments of the units the user administers themself (not of every unit below)."""
    allowed = ACTIONS["unit_assessment.submit"]
    own_units = {role.unit_id for role in user.roles if role.role in allowed and role.unit.is_open}
    return db.session.scalar(
        select(func.count(UnitAssessment.id)).join(Campaign, Campaign.id == UnitAssessment.campaign_id)
        .where(Campaign.status == CAMPAIGN_OPEN, UnitAssessment.unit_id.in_(own_units),
               UnitAssessment.status.in_((NOT_STARTED, UNIT_DRAFT, RETURNED)))) or 0


def _count_units_to_review(user: User) -> int:
    return db.session.scalar(
        select(func.count(UnitAssessment.id)).join(Unit, Unit.id == UnitAssessment.unit_id)
        .where(UnitAssessment.status == SUBMITTED, _below_scope(user, "unit_assessment.review"))) or 0
