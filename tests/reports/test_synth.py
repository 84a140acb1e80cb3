"""`flask lms synth`: a small run (2,000 cadres) has the shape of the national dataset — every province with
grassroots units and branches named and coded the Vietnamese way, cadres spread over them, about ten
lesson-progress rows per cadre, trainers, cohorts and plans, a launched national campaign with results and
unit assessments at every step — and a second run is refused without changing anything."""
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.assessments.framework import import_frameworks
from lms.assessments.models import (UNIT_STATUSES, Campaign, CompetencyResult, Participant, UnitAssessment,
                                    UnitAssessmentEvent)
from lms.auth.permissions import Role
from lms.auth.services import sign_in
from lms.courses.content import import_directory
from lms.courses.models import Assignment, Certificate, Course, Enrolment, Lesson, LessonProgress, Module
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.orgs.loader import load_directory
from lms.orgs.models import Organisation, Unit, UnitLevel
from lms.people.models import COORDINATOR, SECRETARY, TEAM_LEADER, RoleAssignment, User
from lms.reports.synth import (CENTRAL_ADMIN_EMAIL, CORE_COURSE, SYNTH_DOMAIN, SYNTH_PASSWORD, SynthError, build,
                               province_admin_email)
from lms.trainers.models import (CERTIFIED, EXPIRED, LEAD, MASTER, PLANNED, PROVINCIAL, STATUSES, TIERS, Cohort,
                                 CohortParticipant, CohortTrainer, TrainerProfile, TrainingPlanItem)
from lms.vietnamese import fold, name_key
from tests.conftest import ROOT, empty_all_tables

CADRES = 2000
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def synth(app):
    """One dataset for the module, built on the shipped units and curriculum; emptied afterwards."""
    with app.app_context():
        load_directory(ROOT / "content/units")
        import_directory(ROOT / "content")
        import_frameworks(ROOT / "content")
        db.session.commit()
        lines: list[str] = []
        counts = build(CADRES, seed=7, echo=lines.append)
        try:
            yield counts, lines
        finally:
            db.session.remove()
            empty_all_tables()


def scalar(query):
    return db.session.scalar(query)


def level_of(unit_alias):
    return select(UnitLevel.code).where(UnitLevel.id == unit_alias.level_id).scalar_subquery()


def units(level: str, org: str | None = None) -> list[Unit]:
    query = select(Unit).join(UnitLevel).where(UnitLevel.code == level)
    if org:
        query = query.join(Organisation).where(Organisation.code == org)
    return list(db.session.scalars(query.order_by(Unit.id)))


def cadres():
    return select(User).where(User.email.like(f"c%@{SYNTH_DOMAIN}"))


def test_each_step_prints_its_time(synth):
    counts, lines = synth
    assert any(line.strip().startswith("đơn vị") and line.rstrip().endswith("dòng") for line in lines)
    assert lines[-1].strip().startswith("tổng cộng")
    assert all(value >= 0 for value in counts.values())


def test_every_province_has_grassroots_units_with_three_to_six_branches(synth):
    provinces = units("province", "DOAN")
    assert len(provinces) == 34
    grassroots = units("grassroots", "DOAN")
    by_parent = Counter(unit.parent_id for unit in grassroots)
    assert set(by_parent) == {province.id for province in provinces}
    assert all(number >= 2 for number in by_parent.values())
    branches = Counter(unit.parent_id for unit in units("branch", "DOAN"))
    assert set(branches) == {unit.id for unit in grassroots}
    assert set(branches.values()) <= {3, 4, 5, 6}
    for org in ("HLHTN", "HSV"):
        assert units("grassroots", org) and units("branch", org)


def test_units_are_named_and_coded_under_their_parent(synth):
    parent = aliased(Unit)
    rows = db.session.execute(select(Unit, parent).join(parent, Unit.parent_id == parent.id)
                              .where(Unit.id > 107)).all()
    assert len(rows) > 500
    prefixes = ("Đoàn xã ", "Đoàn phường ", "Đoàn trường THPT ", "Đoàn cơ sở ", "Đoàn trường Cao đẳng ",
                "Chi đoàn ", "Hội LHTN Việt Nam ", "Chi hội ", "Hội Sinh viên ")
    for unit, above in rows:
        assert unit.name.startswith(prefixes), unit.name
        assert unit.code.startswith(above.code + "-") and len(unit.code) <= 40
        assert unit.path == f"{above.path}{unit.id}/"
        assert unit.name_folded == fold(unit.name)
        assert unit.organisation_id == above.organisation_id
        if unit.is_mountainous or unit.is_ethnic_minority or unit.is_border or unit.is_island:
            # A flag is set only where the province has it.
            province = db.session.get(Unit, int(unit.path.strip("/").split("/")[1]))
            assert all(getattr(province, flag) for flag in unit.area_flags)
    names = [unit.name for unit, _above in rows]
    assert sum(bool(VIETNAMESE.search(name)) for name in names) > len(names) * 0.8
    kinds = Counter(name.split(" ")[1] for name in names if name.startswith("Đoàn "))
    assert kinds["xã"] > kinds["phường"] > 0 and kinds["trường"] > 0
    assert scalar(select(func.count(Unit.id)).where(Unit.is_mountainous.is_(True), Unit.id > 107)) > 0
    assert scalar(select(func.count(func.distinct(Unit.code)))) == scalar(select(func.count(Unit.id)))


def test_cadres_spread_over_every_province_with_vietnamese_names_and_roles(synth):
    people = list(db.session.scalars(cadres()))
    assert len(people) == CADRES
    assert all(person.name_key == name_key(person.full_name) for person in people)
    assert sum(bool(VIETNAMESE.search(person.full_name)) for person in people) > CADRES * 0.9
    assert {person.email for person in people} >= {"c000001@synth.example.org", "c002000@synth.example.org"}
    assert len({person.phone for person in people if person.phone}) == sum(1 for p in people if p.phone) > 1000
    ethnicities = Counter(person.ethnicity for person in people)
    assert ethnicities["Kinh"] > CADRES * 0.7 and len(ethnicities) > 3
    roles = Counter(person.volunteer_role for person in people)
    assert 0.03 < roles[COORDINATOR] / CADRES < 0.07
    assert 0.07 < roles[TEAM_LEADER] / CADRES < 0.13
    assert 0.03 < roles[SECRETARY] / CADRES < 0.07
    # Every Đoàn province has cadres in its subtree; most cadres sit in grassroots units and branches.
    for province in units("province", "DOAN"):
        assert scalar(select(func.count(User.id)).join(Unit, User.unit_id == Unit.id)
                      .where(Unit.path.startswith(province.path), User.email.like(f"c%@{SYNTH_DOMAIN}"))) > 0
    low = scalar(select(func.count(User.id)).join(Unit, User.unit_id == Unit.id).join(UnitLevel)
                 .where(UnitLevel.code.in_(["grassroots", "branch"]), User.email.like(f"c%@{SYNTH_DOMAIN}")))
    assert low > CADRES * 0.9
    learners = scalar(select(func.count(RoleAssignment.id)).where(RoleAssignment.role == Role.LEARNER.value,
                                                                  RoleAssignment.unit_id == User.unit_id,
                                                                  RoleAssignment.user_id == User.id,
                                                                  User.email.like(f"%@{SYNTH_DOMAIN}")))
    assert learners == scalar(select(func.count(User.id)).where(User.email.like(f"%@{SYNTH_DOMAIN}")))


def test_the_administrators_and_cadres_sign_in_with_the_synthetic_password(synth):
    central = db.session.scalar(select(User).where(User.email == CENTRAL_ADMIN_EMAIL))
    assert {(a.role, a.unit.code) for a in central.roles} >= {(Role.CENTRAL_ADMIN.value, "DOAN-TW"),
                                                             (Role.REVIEWER.value, "HSV-TW")}
    admin = db.session.scalar(select(User).where(User.email == province_admin_email("DOAN-LCI")))
    assert (Role.UNIT_ADMIN.value, "DOAN-LCI") in {(a.role, a.unit.code) for a in admin.roles}
    for email in (CENTRAL_ADMIN_EMAIL, province_admin_email("DOAN-AGG"), "c000010@synth.example.org"):
        user = db.session.scalar(select(User).where(User.email == email))
        if user.is_active:
            assert sign_in(email, SYNTH_PASSWORD).user is not None
    assert sign_in(CENTRAL_ADMIN_EMAIL, "not-the-password").user is None
    db.session.rollback()


def test_core_course_enrolments_completions_progress_and_overdue_assignments(synth):
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE))
    lessons = scalar(select(func.count(Lesson.id)).join(Module).where(Module.course_id == core.id))
    enrolled = scalar(select(func.count(Enrolment.id)).where(Enrolment.course_id == core.id))
    completed = scalar(select(func.count(Enrolment.id)).where(Enrolment.course_id == core.id,
                                                              Enrolment.completed_at.is_not(None)))
    assert 0.5 < enrolled / CADRES < 0.7
    assert 0.3 < completed / enrolled < 0.5
    progress = scalar(select(func.count(LessonProgress.id)))
    assert 8 * CADRES < progress < 13 * CADRES  # about ten a cadre
    # A completed enrolment has every lesson done; none has more lessons done than its course has.
    done = (select(Enrolment.id, Enrolment.completed_at, func.count(LessonProgress.id).label("n"))
            .join(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
            .where(Enrolment.course_id == core.id).group_by(Enrolment.id, Enrolment.completed_at).subquery())
    assert scalar(select(func.max(done.c.n))) == lessons
    assert scalar(select(func.min(done.c.n)).where(done.c.completed_at.is_not(None))) == lessons
    assert scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.completed_at.is_not(None), Enrolment.completed_at < Enrolment.enrolled_at)) == 0
    # Spread over the last two years, so that a yearly report has a year before it to compare with.
    a_year_ago = utcnow() - timedelta(days=365)
    older = scalar(select(func.count(Enrolment.id)).where(Enrolment.course_id == core.id,
                                                          Enrolment.completed_at < a_year_ago))
    assert 0.1 < older / completed < 0.9
    # Required by provinces, with due dates: some overdue, some still ahead.
    today = local_today()
    assigned = select(func.count(Enrolment.id)).where(Enrolment.assignment_id.is_not(None))
    assert scalar(assigned.where(Enrolment.due_on < today, Enrolment.completed_at.is_(None))) > 0
    assert scalar(assigned.where(Enrolment.due_on >= today)) > 0
    assert scalar(select(func.count(Assignment.id))) >= 2
    # Every completion of a course with certificates earned one.
    assert scalar(select(func.count(Certificate.id))) == scalar(
        select(func.count(Enrolment.id)).join(Course).where(Enrolment.completed_at.is_not(None),
                                                            Course.certificate_enabled.is_(True)))


def test_trainers_cohorts_and_plans(synth):
    profiles = list(db.session.scalars(select(TrainerProfile)))
    assert {p.tier for p in profiles} == set(TIERS)
    assert {p.status for p in profiles} == set(STATUSES)
    today = local_today()
    assert all(p.expires_on >= today for p in profiles if p.status == CERTIFIED)
    assert all(p.expires_on < today for p in profiles if p.status == EXPIRED)
    assert scalar(select(func.count(Cohort.id))) >= 40
    # Every cohort has one lead trainer, and its participants come from its unit's subtree, the ToT
    # cohorts at the centre aside (they gather the provinces' trainers).
    assert scalar(select(func.count(Cohort.id)).where(~Cohort.id.in_(
        select(CohortTrainer.cohort_id).where(CohortTrainer.role == LEAD)))) == 0
    cohort_unit, member_unit = aliased(Unit), aliased(Unit)
    outside = (select(func.count(CohortParticipant.id)).join(Cohort).join(cohort_unit, Cohort.unit_id == cohort_unit.id)
               .join(User, CohortParticipant.user_id == User.id).join(member_unit, User.unit_id == member_unit.id)
               .where(level_of(cohort_unit) != "central", ~member_unit.path.startswith(cohort_unit.path)))
    assert scalar(outside) == 0
    assert scalar(select(func.count(CohortParticipant.id))) > 10 * 40
    # The cascade: each provincial trainer was trained in a cohort at the centre led by a master trainer.
    lead = aliased(TrainerProfile)
    trained = (select(func.count(TrainerProfile.id)).join(Cohort, TrainerProfile.trained_in_cohort_id == Cohort.id)
               .join(CohortTrainer, (CohortTrainer.cohort_id == Cohort.id) & (CohortTrainer.role == LEAD))
               .join(lead, CohortTrainer.trainer_id == lead.id).join(Unit, Cohort.unit_id == Unit.id)
               .where(TrainerProfile.tier == PROVINCIAL, lead.tier == MASTER, Unit.code == "DOAN-TW"))
    assert scalar(trained) == scalar(select(func.count(TrainerProfile.id)).where(TrainerProfile.tier == PROVINCIAL))
    held = select(func.count(Cohort.id)).where(Cohort.status != PLANNED, Cohort.starts_on <= today)
    assert scalar(held) > 20
    years = set(db.session.scalars(select(TrainingPlanItem.year).distinct()))
    assert years == {today.year - 1, today.year}
    assert scalar(select(func.count(Cohort.id)).where(Cohort.plan_item_id.is_not(None))) > 0


def test_the_national_campaign_with_results_and_unit_assessments(synth):
    national = db.session.scalar(select(Campaign).join(Unit).where(Unit.code == "DOAN-TW"))
    assert national.status == "open" and national.launched_at is not None
    participants = scalar(select(func.count(Participant.id)).where(Participant.campaign_id == national.id))
    doan = db.session.scalar(select(Unit).where(Unit.code == "DOAN-TW"))
    expected = scalar(select(func.count(User.id)).join(Unit, User.unit_id == Unit.id).join(UnitLevel)
                      .where(Unit.path.startswith(doan.path), User.is_active.is_(True),
                             UnitLevel.code.in_(["province", "grassroots", "branch"])))
    assert participants == expected > CADRES * 0.7
    completed = scalar(select(func.count(Participant.id)).where(Participant.campaign_id == national.id,
                                                                Participant.completed_at.is_not(None)))
    assert 0.3 < completed / participants < 0.6
    rated = scalar(select(func.count(func.distinct(CompetencyResult.participant_id))).join(Participant)
                   .where(Participant.campaign_id == national.id))
    assert 0.4 < rated / participants < 0.6
    per = (select(CompetencyResult.participant_id, func.count().label("n")).group_by(CompetencyResult.participant_id)
           .subquery())
    assert set(db.session.scalars(select(per.c.n).distinct())) == {11}
    assert scalar(select(func.count(CompetencyResult.id)).where(
        CompetencyResult.gap != func.max(CompetencyResult.expected - CompetencyResult.achieved, 0)
        if db.engine.dialect.name == "sqlite" else
        CompetencyResult.gap != func.greatest(CompetencyResult.expected - CompetencyResult.achieved, 0))) == 0
    with_gap = scalar(select(func.count(CompetencyResult.id)).where(CompetencyResult.gap > 0))
    assert 0.1 < with_gap / scalar(select(func.count(CompetencyResult.id))) < 0.8
    statuses = Counter(db.session.scalars(select(UnitAssessment.status)
                                          .where(UnitAssessment.campaign_id == national.id)))
    assert set(statuses) == set(UNIT_STATUSES)
    assert scalar(select(func.count(UnitAssessmentEvent.id)).where(UnitAssessmentEvent.action == "approved")) == \
        statuses["approved"]
    assert scalar(select(func.count(Campaign.id))) == 2


def test_a_second_run_is_refused_and_changes_nothing(synth, app):
    before = {model.__name__: scalar(select(func.count()).select_from(model)) for model in (Unit, User, Enrolment)}
    with pytest.raises(SynthError, match="đã có trong cơ sở dữ liệu này"):
        build(CADRES, seed=7, echo=lambda line: None)
    result = app.test_cli_runner().invoke(args=["lms", "synth", "--cadres", "500"])
    assert result.exit_code == 1 and "Bộ dữ liệu tổng hợp đã có trong cơ sở dữ liệu này" in result.output
    assert before == {model.__name__: scalar(select(func.count()).select_from(model))
                      for model in (Unit, User, Enrolment)}
