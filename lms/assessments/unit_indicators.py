"""The computed indicators of the unit capacity assessment (content/competencies/README.md), each one
aggregate query over the unit's subtree (Unit.path prefix), and whether a value meets its target.

A percentage is kept to one decimal place; a figure that cannot be worked out (no cadres, no plan, no
participants) is None, shown as "không có dữ liệu"."""
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import and_, distinct, func, select

from lms.assessments.framework import indicators_for_level
from lms.assessments.models import COMPUTED, Campaign, Participant, UnitAssessment, UnitIndicator
from lms.courses.models import CORE_COURSE_SLUG, Course, Enrolment
from lms.db import db
from lms.orgs.models import Unit
from lms.people.models import User
from lms.trainers.models import CERTIFIED, TrainerProfile
from lms.trainers.plans import plans_carried_out

YES, NO = "yes", "no"


def _in_subtree(unit: Unit):
    return Unit.path.startswith(unit.path, autoescape=True)


def _percent(part, whole) -> float | None:
    if not whole:
        return None
    return round(100.0 * int(part or 0) / int(whole), 1)


def core_course_completion(unit: Unit) -> float | None:
    """% of the active cadres of the unit and its subtree with a completed enrolment in the core course."""
    course_id = select(Course.id).where(Course.slug == CORE_COURSE_SLUG).scalar_subquery()
    cadres, completed = db.session.execute(
        select(func.count(distinct(User.id)), func.count(distinct(Enrolment.user_id)))
        .select_from(User)
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.course_id == course_id,
                                   Enrolment.completed_at.is_not(None)))
        .where(_in_subtree(unit), User.is_active.is_(True))).one()
    return _percent(completed, cadres)


def certified_trainers(unit: Unit) -> int:
    """Certified trainers whose active account belongs to the unit or a unit under it."""
    return db.session.scalar(
        select(func.count(TrainerProfile.id))
        .join(User, User.id == TrainerProfile.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .where(TrainerProfile.status == CERTIFIED, User.is_active.is_(True), _in_subtree(unit))) or 0


def cohorts_vs_plan(unit: Unit, year: int) -> float | None:
    """% of the cohorts planned for `year` by the unit and the units under it that were held, as the
    training plans count them (lms.trainers.plans.plans_carried_out). None when nothing was planned."""
    done, planned = plans_carried_out(unit, year)
    return _percent(done, planned)


def campaign_participation(unit: Unit, campaign: Campaign) -> float | None:
    """% of the campaign's participants in the unit and its subtree who finished all their tasks."""
    everyone, finished = db.session.execute(
        select(func.count(Participant.id), func.count(Participant.completed_at))
        .join(Unit, Unit.id == Participant.unit_id)
        .where(Participant.campaign_id == campaign.id, _in_subtree(unit))).one()
    return _percent(finished, everyone)


def source_value(source: str, unit: Unit, campaign: Campaign):
    if source == "core_course_completion":
        return core_course_completion(unit)
    if source == "certified_trainers":
        return certified_trainers(unit)
    if source == "cohorts_vs_plan":
        return cohorts_vs_plan(unit, campaign.opens_on.year)
    if source == "campaign_participation":
        return campaign_participation(unit, campaign)
    return None


def computed_indicators(assessment: UnitAssessment) -> list[UnitIndicator]:
    return [i for i in indicators_for_level(assessment.campaign.framework, assessment.unit.level.code)
            if i.kind == COMPUTED]


def computed_values(assessment: UnitAssessment) -> dict[str, float | int | None]:
    """The live value of each computed indicator the unit is assessed on, by indicator code."""
    by_source: dict[str, float | int | None] = {}
    values = {}
    for indicator in computed_indicators(assessment):
        if indicator.source not in by_source:
            by_source[indicator.source] = source_value(indicator.source, assessment.unit, assessment.campaign)
        values[indicator.code] = by_source[indicator.source]
    return values


# --- Targets --------------------------------------------------------------------------------------

def as_number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def is_met(indicator: UnitIndicator, value, level_code: str) -> bool | None:
    """Whether `value` reaches what is expected of a unit of `level_code`: at least the target for a
    number, "yes" for a yes/no indicator. None when there is nothing to weigh: a text indicator, no
    target, or no value."""
    target = indicator.targets.get(level_code)
    if target is None or indicator.answer_type == "text" or value is None or value == "":
        return None
    if indicator.answer_type == "yes_no":
        return value in (YES, True)
    number = as_number(value)
    return None if number is None else number >= target


def _number_text(number, unit: str) -> str:
    text = format_decimal(number, format="#,##0.#")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def display_value(indicator: UnitIndicator, value) -> str:
    """A value as the page shows it: "66,7%", "3 người", "Có" …"""
    if value is None or value == "":
        return _("không có dữ liệu") if indicator.kind == COMPUTED else _("chưa trả lời")
    if indicator.answer_type == "yes_no":
        return _("Có") if value in (YES, True) else _("Không")
    if indicator.answer_type == "number":
        number = as_number(value)
        return _number_text(number, indicator.unit) if number is not None else str(value)
    return str(value)


def display_target(indicator: UnitIndicator, level_code: str) -> str | None:
    target = indicator.targets.get(level_code)
    if target is None:
        return None
    if indicator.answer_type == "yes_no":
        return _("Có")
    return _("tối thiểu %(value)s", value=_number_text(target, indicator.unit))
