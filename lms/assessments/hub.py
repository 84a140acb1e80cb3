"""What the assessment hub shows a person: their own open tasks, and the counts behind each part of
the work their roles give them (cadres to rate, unit assessments to submit or review)."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.assessments.campaigns import open_participations, pending_instruments
from lms.assessments.models import (
    CAMPAIGN_OPEN, NOT_STARTED, RETURNED, SUBMITTED, SUPERVISOR, UNIT_DRAFT, Campaign, Participant,
    UnitAssessment)
from lms.assessments.instruments import TODO, QueueFilter, supervision_page
from lms.auth.permissions import ACTIONS, below_scope, has_any_scope
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
        hub.to_supervise = supervision_page(user, QueueFilter(status=TODO), per_page=1).total
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
        .where(UnitAssessment.status == SUBMITTED, below_scope(user, "unit_assessment.review"))) or 0
