"""How a proficiency is worked out (content/competencies/README.md): the weights, rounding half up,
the knowledge test's bands, the practicum rubric, and what recompute stores for a participant."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.assessments.models import (
    KNOWLEDGE, SELF, SUPERVISOR, TRAINER, CompetencyResult, Rating)
from lms.assessments.scoring import combine, knowledge_level, recompute, rubric_level
from lms.db import db, utcnow
from lms.trainers.models import CANDIDATE, CERTIFIED, MASTER, PROVINCIAL, Practicum, TrainerProfile
from tests.assessments.test_instruments import make_campaign, make_participant


# --- combine: the README's table ------------------------------------------------------------------

@pytest.mark.parametrize("levels, expected", [
    ({SELF: 4, SUPERVISOR: 2}, 3),              # (4 + 4) / 3 = 2.67 → 3
    ({SELF: 3, SUPERVISOR: 2}, 2),              # (3 + 4) / 3 = 2.33 → 2
    ({SELF: 2, SUPERVISOR: 3}, 3),              # 8 / 3 = 2.67 → 3
    ({SELF: 3, KNOWLEDGE: 2}, 3),               # 2.5 rounds half up → 3 (not to the even 2)
    ({SELF: 1, KNOWLEDGE: 2}, 2),               # 1.5 → 2
    ({SUPERVISOR: 1, TRAINER: 2}, 2),           # (2 + 4) / 4 = 1.5 → 2
    ({SELF: 4, SUPERVISOR: 3, KNOWLEDGE: 3, TRAINER: 2}, 3),  # (4 + 6 + 3 + 4) / 6 = 2.83 → 3
    ({SELF: 1, SUPERVISOR: 1, KNOWLEDGE: 3, TRAINER: 4}, 2),  # (1 + 2 + 3 + 8) / 6 = 2.33 → 2
    ({SELF: 3}, 3),
    ({SUPERVISOR: 4}, 4),
])
def test_weighted_mean_rounded_half_up(levels, expected):
    assert combine(levels) == expected


def test_an_instrument_without_a_level_is_left_out_and_none_means_not_assessed():
    assert combine({SELF: 2, SUPERVISOR: None}) == 2
    assert combine({}) is None
    assert combine({SELF: None}) is None


@pytest.mark.parametrize("correct, asked, level", [
    (0, 3, 1), (1, 3, 1),      # 0 %, 33 %
    (1, 2, 2), (2, 3, 2),      # 50 %, 67 %
    (74, 100, 2),              # 74 %
    (3, 4, 3), (3, 3, 3),      # 75 %, 100 %: never 4
    (0, 1, 1),
])
def test_knowledge_bands(correct, asked, level):
    assert knowledge_level(correct, asked) == level


def test_no_question_asked_gives_no_knowledge_level():
    assert knowledge_level(0, 0) is None


def test_rubric_is_the_mean_rounded_down():
    assert rubric_level({"preparation": 4, "delivery": 3, "facilitation": 3, "learner_assessment": 3}) == 3  # 3.25
    assert rubric_level({"preparation": 4, "delivery": 4, "facilitation": 4, "learner_assessment": 3}) == 3  # 3.75
    assert rubric_level({"preparation": 2, "delivery": 1, "facilitation": 2, "learner_assessment": 2}) == 1  # 1.75
    assert rubric_level({"preparation": 4, "delivery": 4, "facilitation": 4, "learner_assessment": 4}) == 4
    with pytest.raises(ValueError):
        rubric_level({})


# --- recompute ------------------------------------------------------------------------------------

def _rate(participant, source, levels: dict[str, int]):
    for code, level in levels.items():
        db.session.add(Rating(participant_id=participant.id, source=source, competency_code=code, level=level))
    db.session.flush()


def _results(participant) -> dict[str, tuple]:
    return {r.competency_code: (r.domain_code, r.expected, r.achieved, r.gap) for r in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}


def test_recompute_stores_every_competency_with_expected_and_gap(framework, cadre_a, central_admin, tree):
    campaign = make_campaign(framework, tree.central, central_admin, instruments=(SELF, SUPERVISOR))
    participant = make_participant(campaign, cadre_a)  # grassroots: PLAN 2, TEAM 3, SAFE 2, TRAIN 2
    _rate(participant, SELF, {"PLAN": 4, "TEAM": 3})
    _rate(participant, SUPERVISOR, {"PLAN": 2, "TEAM": 2})
    recompute(participant)
    db.session.commit()
    assert _results(participant) == {
        "PLAN": ("D1", 2, 3, 0),        # (4 + 4) / 3 → 3
        "TEAM": ("D1", 3, 2, 1),        # (3 + 4) / 3 → 2
        "SAFE": ("D2", 2, None, 0),     # not yet assessed: no gap counted
        "TRAIN": ("D2", 2, None, 0),
    }
    assert participant.completed_at is None  # nothing marked done yet

    participant.self_done_at = participant.supervisor_done_at = utcnow()
    _rate(participant, SELF, {"SAFE": 1})
    recompute(participant)
    db.session.commit()
    assert _results(participant)["SAFE"] == ("D2", 2, 1, 1)
    assert participant.completed_at is not None
    assert len(_results(participant)) == 4
    assert db.session.scalar(select(func.count(CompetencyResult.id))) == 4  # updated, not added again


def test_missing_expectation_counts_as_zero_and_ratings_of_unused_instruments_are_ignored(
        framework, cadre_a, central_admin, tree):
    campaign = make_campaign(framework, tree.central, central_admin, instruments=(SELF,))
    participant = make_participant(campaign, cadre_a)
    participant.expected = {"PLAN": 2}
    _rate(participant, SELF, {"TEAM": 1})
    _rate(participant, SUPERVISOR, {"TEAM": 4})  # the campaign does not use it
    recompute(participant)
    assert _results(participant)["TEAM"] == ("D1", 0, 1, 0)


def test_completion_follows_the_instruments_the_campaign_uses(framework, cadre_a, central_admin, tree):
    campaign = make_campaign(framework, tree.central, central_admin, instruments=(SELF, KNOWLEDGE, TRAINER))
    participant = make_participant(campaign, cadre_a)
    participant.self_done_at = utcnow()
    recompute(participant)
    assert participant.completed_at is None  # the knowledge test is still to do
    participant.knowledge_done_at = utcnow()
    recompute(participant)
    assert participant.completed_at is not None  # the practicum never holds a cadre back
    participant.knowledge_done_at = None
    recompute(participant)
    assert participant.completed_at is None


# --- The practicum rubric -------------------------------------------------------------------------

def _trainer(user, tier, status):
    profile = TrainerProfile(user_id=user.id, tier=tier, status=status)
    db.session.add(profile)
    db.session.flush()
    return profile


def _practicum(candidate, assessor, rubric, at: datetime, comments=""):
    practicum = Practicum(trainer_id=candidate.id, assessor_id=assessor.id, passed=True, rubric=rubric,
                          comments=comments, assessed_at=at)
    db.session.add(practicum)
    db.session.flush()
    return practicum


def test_trainer_rubric_rates_train_from_the_latest_practicum_by_the_due_date(
        framework, cadre_a, admin_a, central_admin, tree):
    campaign = make_campaign(framework, tree.central, central_admin, instruments=(SELF, TRAINER))
    participant = make_participant(campaign, cadre_a)
    candidate = _trainer(cadre_a, PROVINCIAL, CANDIDATE)
    assessor = _trainer(admin_a, MASTER, CERTIFIED)
    _practicum(candidate, assessor, {"preparation": 4, "delivery": 3, "facilitation": 3, "learner_assessment": 3},
               utcnow() - timedelta(days=20), comments="Chuẩn bị tốt.")  # 3.25 → 3
    _rate(participant, SELF, {"TRAIN": 1})
    recompute(participant)
    db.session.commit()

    rating = db.session.scalar(select(Rating).where(Rating.participant_id == participant.id,
                                                    Rating.source == TRAINER))
    assert (rating.competency_code, rating.level, rating.rated_by_id) == ("TRAIN", 3, admin_a.id)
    assert rating.evidence_text == "Chuẩn bị tốt."
    assert _results(participant)["TRAIN"] == ("D2", 2, 2, 0)  # (1 + 6) / 3 = 2.33 → 2

    # A newer practicum before the due date replaces it; one after the due date does not count.
    _practicum(candidate, assessor, {"preparation": 4, "delivery": 4, "facilitation": 4, "learner_assessment": 4},
               utcnow() - timedelta(days=1))
    _practicum(candidate, assessor, {"preparation": 1, "delivery": 1, "facilitation": 1, "learner_assessment": 1},
               datetime.combine(campaign.due_on + timedelta(days=2), datetime.min.time()))
    recompute(participant)
    db.session.commit()
    ratings = list(db.session.scalars(select(Rating).where(Rating.participant_id == participant.id,
                                                           Rating.source == TRAINER)))
    assert [r.level for r in ratings] == [4]
    assert _results(participant)["TRAIN"] == ("D2", 2, 3, 0)  # (1 + 8) / 3 = 3


def test_no_practicum_or_no_trainer_instrument_gives_no_trainer_rating(framework, cadre_a, admin_a, central_admin,
                                                                       tree):
    uses_trainer = make_campaign(framework, tree.central, central_admin, instruments=(SELF, TRAINER))
    participant = make_participant(uses_trainer, cadre_a)
    recompute(participant)  # no trainer profile at all
    candidate = _trainer(cadre_a, PROVINCIAL, CANDIDATE)
    assessor = _trainer(admin_a, MASTER, CERTIFIED)
    _practicum(candidate, assessor, {"preparation": 4, "delivery": 4, "facilitation": 4, "learner_assessment": 4},
               utcnow())
    self_only = make_campaign(framework, tree.central, central_admin, instruments=(SELF,), title="Đợt khác")
    other = make_participant(self_only, cadre_a)
    recompute(other)
    db.session.commit()
    assert db.session.scalar(select(Rating.id).where(Rating.source == TRAINER)) is None
    assert _results(other)["TRAIN"][2] is None


def test_a_practicum_recorded_during_the_campaign_counts_at_once(framework, cadre_a, admin_a, central_admin, tree):
    from lms.trainers.certification import record_practicum

    campaign = make_campaign(framework, tree.central, central_admin, instruments=(SELF, TRAINER))
    participant = make_participant(campaign, cadre_a)
    _rate(participant, SELF, {"TRAIN": 2})
    recompute(participant)
    db.session.commit()
    assert _results(participant)["TRAIN"][2] == 2

    record_practicum(_trainer(cadre_a, PROVINCIAL, CANDIDATE), _trainer(admin_a, MASTER, CERTIFIED), admin_a,
                     {"preparation": 4, "delivery": 4, "facilitation": 4, "learner_assessment": 4})
    db.session.commit()
    assert _results(participant)["TRAIN"][2] == 3  # (2 + 8) / 3 = 3.33 → 3
