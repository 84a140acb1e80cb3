"""Computed indicators of the unit capacity assessment: each equals a direct count of the fixture data
over the unit's subtree, "no data" where nothing can be counted, and targets weighed per unit level."""
from datetime import date, timedelta

import pytest

from lms.assessments import unit_indicators as indicators
from lms.assessments.models import Campaign, Participant, UnitAssessment
from lms.courses.models import Course, Enrolment
from lms.db import db, utcnow
from lms.trainers.models import Cohort, TrainerProfile, TrainingPlanItem

YEAR = 2026


@pytest.fixture()
def campaign(framework, tree, central_admin):
    campaign = Campaign(title="Đánh giá năng lực năm 2026", framework_id=framework.id, unit_id=tree.central.id,
                        target_levels=["province", "grassroots"], instruments=["self"], assess_units=True,
                        opens_on=date(YEAR, 3, 1), due_on=date(YEAR, 5, 31), status="open",
                        created_by_id=central_admin.id)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def assessment(campaign, unit) -> UnitAssessment:
    row = UnitAssessment(campaign_id=campaign.id, unit_id=unit.id)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture()
def people(tree, make_user, admin_a, admin_b):
    """Province A subtree: admin_a, four cadres in the grassroots unit, one in the branch, one inactive.
    Province B: admin_b and one cadre."""
    a = [make_user(tree.grassroots_a, f"Cán bộ xã {n}") for n in range(4)]
    branch = make_user(tree.branch_a, "Cán bộ chi đoàn")
    inactive = make_user(tree.grassroots_a, "Cán bộ đã nghỉ", is_active=False)
    b = make_user(tree.grassroots_b, "Cán bộ Phú Quốc")
    return {"a": a, "branch": branch, "inactive": inactive, "b": b, "admin_a": admin_a, "admin_b": admin_b}


def enrol(user, course, done: bool):
    db.session.add(Enrolment(user_id=user.id, course_id=course.id, completed_at=utcnow() if done else None))


def test_core_course_completion_counts_active_cadres_of_the_subtree_who_completed(people, tree, course):
    core = Course(slug=indicators.CORE_COURSE_SLUG, title="Quản lý, điều phối hoạt động tình nguyện",
                  status="published")
    db.session.add(core)
    db.session.flush()
    enrol(people["a"][0], core, True)
    enrol(people["branch"], core, True)
    enrol(people["a"][1], core, False)  # still learning
    enrol(people["inactive"], core, True)  # not an active cadre: counted nowhere
    enrol(people["b"], core, True)  # another province
    enrol(people["a"][2], course, True)  # another course
    db.session.commit()
    # Province A: admin_a, 4 cadres, the branch cadre = 6 active; 2 completed.
    assert indicators.core_course_completion(tree.province_a) == round(100 * 2 / 6, 1) == 33.3
    # Grassroots A and its branch: 5 active, 2 completed.
    assert indicators.core_course_completion(tree.grassroots_a) == 40.0
    assert indicators.core_course_completion(tree.branch_a) == 100.0
    # Province B: admin_b and one cadre, one completed.
    assert indicators.core_course_completion(tree.province_b) == 50.0
    # No cadre at all: no data rather than 0 %.
    assert indicators.core_course_completion(tree.branch_b) is None


def test_core_course_completion_is_zero_without_the_course(people, tree):
    assert indicators.core_course_completion(tree.province_a) == 0.0


def test_certified_trainers_counts_certified_profiles_of_people_in_the_subtree(people, tree):
    for user, status in ((people["a"][0], "certified"), (people["branch"], "certified"),
                         (people["a"][1], "candidate"), (people["a"][2], "expired"), (people["b"], "certified")):
        db.session.add(TrainerProfile(user_id=user.id, tier="grassroots", status=status))
    db.session.commit()
    assert indicators.certified_trainers(tree.province_a) == 2
    assert indicators.certified_trainers(tree.branch_a) == 1
    assert indicators.certified_trainers(tree.province_b) == 1
    assert indicators.certified_trainers(tree.branch_b) == 0
    people["b"].is_active = False  # a deactivated account trains no one
    db.session.commit()
    assert indicators.certified_trainers(tree.province_b) == 0


def cohort(unit, creator, starts: date, status: str = "open", group: str = "coordinators", item=None) -> Cohort:
    row = Cohort(title=f"Lớp {unit.name} {starts}", unit_id=unit.id, status=status, starts_on=starts,
                 ends_on=starts + timedelta(days=2), target_group=group, created_by_id=creator.id,
                 plan_item_id=item.id if item else None)
    db.session.add(row)
    return row


def test_cohorts_vs_plan_uses_the_training_plan_rule_over_the_subtree(people, tree):
    admin = people["admin_a"]
    q1 = TrainingPlanItem(unit_id=tree.province_a.id, year=YEAR, quarter=1, target_group="coordinators",
                          planned_cohorts=2, planned_participants=60, created_by_id=admin.id)
    q2 = TrainingPlanItem(unit_id=tree.province_a.id, year=YEAR, quarter=2, target_group="team_leaders",
                          planned_cohorts=2, planned_participants=60, created_by_id=admin.id)
    other_year = TrainingPlanItem(unit_id=tree.province_a.id, year=YEAR - 1, quarter=1, target_group="coordinators",
                                  planned_cohorts=5, planned_participants=60, created_by_id=admin.id)
    db.session.add_all([q1, q2, other_year])
    db.session.flush()
    cohort(tree.grassroots_a, admin, date(YEAR, 2, 10))  # matches q1 by group and quarter: held
    cohort(tree.grassroots_a, admin, date(YEAR, 3, 1), status="planned")  # not held yet
    cohort(tree.province_b, admin, date(YEAR, 2, 10))  # another province
    for day in (1, 8, 15):  # three held cohorts linked to q2: two count, the third makes up for nothing
        cohort(tree.branch_a, admin, date(YEAR, 5, day), status="closed", group="team_leaders", item=q2)
    db.session.commit()
    # Planned 2 + 2 = 4; held 1 (q1) + min(3, 2) (q2) = 3.
    assert indicators.cohorts_vs_plan(tree.province_a, YEAR) == 75.0
    assert indicators.cohorts_vs_plan(tree.province_a, YEAR - 1) == 0.0
    # A unit that planned nothing has no figure.
    assert indicators.cohorts_vs_plan(tree.grassroots_a, YEAR) is None
    assert indicators.cohorts_vs_plan(tree.province_a, YEAR + 1) is None


def participant(campaign, user, unit, done: bool):
    db.session.add(Participant(campaign_id=campaign.id, user_id=user.id, unit_id=unit.id, level_code="grassroots",
                               completed_at=utcnow() if done else None))


def test_campaign_participation_counts_this_campaigns_participants_who_finished(people, tree, campaign,
                                                                               central_admin):
    other = Campaign(title="Đợt khác", framework_id=campaign.framework_id, unit_id=tree.central.id,
                     opens_on=date(YEAR, 1, 1), due_on=date(YEAR, 2, 1), status="open",
                     created_by_id=central_admin.id)
    db.session.add(other)
    db.session.flush()
    participant(campaign, people["a"][0], tree.grassroots_a, True)
    participant(campaign, people["a"][1], tree.grassroots_a, False)
    participant(campaign, people["a"][2], tree.grassroots_a, False)
    participant(campaign, people["branch"], tree.branch_a, True)
    participant(campaign, people["b"], tree.grassroots_b, True)
    participant(other, people["a"][1], tree.grassroots_a, True)  # another campaign
    db.session.commit()
    assert indicators.campaign_participation(tree.province_a, campaign) == 50.0
    assert indicators.campaign_participation(tree.branch_a, campaign) == 100.0
    assert indicators.campaign_participation(tree.province_b, campaign) == 100.0
    assert indicators.campaign_participation(tree.branch_b, campaign) is None


def test_computed_values_gives_each_computed_indicator_of_the_units_level(people, tree, campaign):
    for user in (people["a"][0], people["branch"]):
        db.session.add(TrainerProfile(user_id=user.id, tier="grassroots", status="certified"))
    participant(campaign, people["a"][0], tree.grassroots_a, True)
    db.session.commit()
    province = indicators.computed_values(assessment(campaign, tree.province_a))
    assert province == {"core-course": 0.0, "trainers": 2, "cohorts": None, "participation": 100.0}
    # A grassroots unit is not assessed on trainers (the framework sets no target for its level).
    grassroots = indicators.computed_values(assessment(campaign, tree.grassroots_a))
    assert grassroots == {"core-course": 0.0, "cohorts": None, "participation": 100.0}


def test_is_met_weighs_each_kind_against_the_target_of_the_level(framework):
    by_code = {i.code: i for i in framework.unit_indicators}
    core, coordinator, clubs, highlights = (by_code[c] for c in ("core-course", "coordinator", "clubs", "highlights"))
    assert indicators.is_met(core, 70.0, "province") is True
    assert indicators.is_met(core, 69.9, "province") is False
    assert indicators.is_met(core, 55, "grassroots") is True
    assert indicators.is_met(core, None, "province") is None
    assert indicators.is_met(coordinator, "yes", "province") is True
    assert indicators.is_met(coordinator, "no", "province") is False
    assert indicators.is_met(coordinator, "", "province") is None
    assert indicators.is_met(clubs, "10", "province") is True
    assert indicators.is_met(clubs, "9", "province") is False
    assert indicators.is_met(clubs, "2", "grassroots") is True
    assert indicators.is_met(highlights, "Nhiều việc làm hay", "province") is None  # a text, with a null target
    assert indicators.is_met(clubs, "12", "branch") is None  # the level is not assessed on it
