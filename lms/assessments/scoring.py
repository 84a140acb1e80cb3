"""How a participant's proficiency is worked out (content/competencies/README.md, "How a proficiency is
worked out"): each instrument of the campaign gives a level 1–4 per competency, and the proficiency is
their weighted mean — self-assessment 1, supervisor 2, knowledge test 1, practicum rubric 2 — rounded
half up. An instrument that gave no level is left out; with none, the competency is not yet assessed.

The arithmetic is done on whole numbers, so 2.5 becomes 3 (never banker's rounding to 2)."""
from sqlalchemy import select

from lms.assessments.models import (
    CAMPAIGN_OPEN, KNOWLEDGE, PROFICIENCY_LEVELS, SELF, SUPERVISOR, TRAINER, Campaign, CompetencyResult, Participant,
    Rating)
from lms.db import db, utcnow
from lms.i18n import end_of_local_day_utc
from lms.trainers.models import Practicum, TrainerProfile

WEIGHTS = {SELF: 1, SUPERVISOR: 2, KNOWLEDGE: 1, TRAINER: 2}
# The one competency the practicum rubric speaks to.
TRAINER_COMPETENCY = "TRAIN"
# The instruments a cadre (or their supervisor) has to carry out; the practicum rubric is recorded
# elsewhere, in the training of trainers, and never holds a participant back.
TASK_INSTRUMENTS = (SELF, SUPERVISOR, KNOWLEDGE)


def combine(levels: dict[str, int]) -> int | None:
    """The proficiency from the levels the instruments gave ({instrument: level}); None when none did.
    Weighted mean rounded half up: floor(total / weight + 1/2) = (2 * total + weight) // (2 * weight)."""
    given = {source: level for source, level in levels.items() if source in WEIGHTS and level is not None}
    if not given:
        return None
    total = sum(WEIGHTS[source] * level for source, level in given.items())
    weight = sum(WEIGHTS[source] for source in given)
    return (2 * total + weight) // (2 * weight)


def knowledge_level(correct: int, asked: int) -> int | None:
    """The knowledge test's level from the share answered correctly: under 50 % → 1, 50–74 % → 2,
    75 % and more → 3 (a test shows knowledge, not practice, so never 4). None when nothing was asked."""
    if not asked:
        return None
    if 4 * correct >= 3 * asked:
        return 3
    if 2 * correct >= asked:
        return 2
    return 1


def rubric_level(rubric: dict) -> int:
    """The practicum rubric's level: the mean of its criteria's scores (1–4), rounded down.
    Raises ValueError when the rubric holds no score."""
    scores = [score for score in (rubric or {}).values()
              if isinstance(score, int) and not isinstance(score, bool) and score in PROFICIENCY_LEVELS]
    if not scores:
        raise ValueError("the rubric holds no score from 1 to 4")
    return sum(scores) // len(scores)


# --- Recomputing a participant --------------------------------------------------------------------

def latest_practicum(participant: Participant) -> Practicum | None:
    """The participant's latest practicum with rubric scores, assessed by the end of the campaign's due
    date, or None when they have no trainer profile or no such practicum."""
    profile_id = db.session.scalar(select(TrainerProfile.id).where(TrainerProfile.user_id == participant.user_id))
    if profile_id is None:
        return None
    practicums = db.session.scalars(
        select(Practicum).where(Practicum.trainer_id == profile_id,
                                Practicum.assessed_at < end_of_local_day_utc(participant.campaign.due_on))
        .order_by(Practicum.assessed_at.desc(), Practicum.id.desc()))
    for practicum in practicums:
        try:
            rubric_level(practicum.rubric)
        except ValueError:
            continue
        return practicum
    return None


def _sync_trainer_rating(participant: Participant, codes: set[str]) -> None:
    """Keep the TRAINER rating of TRAIN in step with the latest practicum, so it shows as evidence."""
    existing = db.session.scalar(select(Rating).where(Rating.participant_id == participant.id,
                                                      Rating.source == TRAINER,
                                                      Rating.competency_code == TRAINER_COMPETENCY))
    practicum = latest_practicum(participant) if TRAINER_COMPETENCY in codes else None
    if practicum is None:
        if existing is not None:
            db.session.delete(existing)
        return
    assessor_user_id = db.session.scalar(select(TrainerProfile.user_id)
                                         .where(TrainerProfile.id == practicum.assessor_id))
    if existing is None:
        existing = Rating(participant_id=participant.id, source=TRAINER, competency_code=TRAINER_COMPETENCY)
    existing.level = rubric_level(practicum.rubric)
    existing.evidence_text = (practicum.comments or "")[:2000]
    existing.rated_by_id = assessor_user_id
    existing.rated_at = practicum.assessed_at
    db.session.add(existing)


def tasks_done(participant: Participant) -> bool:
    """Whether every instrument the campaign asks of the participant (self, supervisor, knowledge) is done."""
    campaign = participant.campaign
    done = {SELF: participant.self_done_at, SUPERVISOR: participant.supervisor_done_at,
            KNOWLEDGE: participant.knowledge_done_at}
    return all(done[instrument] is not None for instrument in TASK_INSTRUMENTS if campaign.uses(instrument))


def recompute(participant: Participant) -> list[CompetencyResult]:
    """Work out the participant's proficiency in every competency of the campaign's framework from their
    ratings, store it with the expected level and the gap, and mark them complete when every instrument
    the campaign asks of them is done. Adds the practicum rubric's rating first when the campaign uses
    it. Returns the results in framework order; the caller commits."""
    campaign = participant.campaign
    competencies = list(campaign.framework.competencies)
    codes = {competency.code for competency in competencies}
    if campaign.uses(TRAINER):
        _sync_trainer_rating(participant, codes)
        db.session.flush()

    levels: dict[str, dict[str, int]] = {}
    for source, code, level in db.session.execute(
            select(Rating.source, Rating.competency_code, Rating.level).where(Rating.participant_id == participant.id)):
        if campaign.uses(source):
            levels.setdefault(code, {})[source] = level

    existing = {row.competency_code: row for row in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}
    expected_levels = participant.expected or {}
    results = []
    for competency in competencies:
        achieved = combine(levels.get(competency.code, {}))
        expected = int(expected_levels.get(competency.code) or 0)
        gap = max(expected - achieved, 0) if achieved is not None else 0
        domain_code = competency.domain.code
        row = existing.get(competency.code)
        if row is None:
            row = CompetencyResult(participant_id=participant.id, competency_code=competency.code)
            db.session.add(row)
        row.domain_code, row.expected, row.achieved, row.gap = domain_code, expected, achieved, gap
        results.append(row)

    if tasks_done(participant):
        participant.completed_at = participant.completed_at or utcnow()
    else:
        participant.completed_at = None
    db.session.flush()
    return results


def refresh_practicum_ratings(user_id: int) -> None:
    """A practicum just recorded counts at once in the user's open campaigns that use the rubric."""
    participants = db.session.scalars(
        select(Participant).join(Campaign, Campaign.id == Participant.campaign_id)
        .where(Participant.user_id == user_id, Campaign.status == CAMPAIGN_OPEN))
    for participant in participants:
        if participant.campaign.uses(TRAINER):
            recompute(participant)
