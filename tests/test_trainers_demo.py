"""The demo cascade: a master trainer at the centre, provincial trainers in both demo provinces, grassroots
cohorts and trainers below them, yearly plans; consistent with the certification rules, and loaded once."""
from datetime import timedelta

import pytest
from sqlalchemy import Integer, func, literal_column, select
from sqlalchemy.orm import aliased

from lms.auth.permissions import Role
from lms.courses.content import import_directory
from lms.courses.models import Certificate, Course, Enrolment, LearningRecord, LessonProgress
from lms.db import db
from lms.demo import load_demo
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people.models import RoleAssignment, User
from lms.trainers import plans
from lms.trainers.demo import (DEMO_TRAINER_ACCOUNTS, MASTER_EMAIL, PROVINCIAL_A_EMAIL, PROVINCIAL_B_EMAIL,
                               TOT_COURSE, load_demo_trainers)
from lms.trainers.models import (CANDIDATE, CERTIFIED, CLOSED, GRASSROOTS, LEAD, MASTER, OPEN, PROVINCIAL, TIER_RANK,
                                 Attendance, CertificationEvent, Cohort, CohortParticipant, CohortTrainer, Practicum,
                                 TrainerProfile, TrainingPlanItem, TrainingSession)
from tests.conftest import ROOT, login

TABLES = (User, RoleAssignment, Enrolment, LessonProgress, LearningRecord, Certificate, TrainerProfile,
          CertificationEvent, Practicum, Cohort, CohortTrainer, CohortParticipant, TrainingSession, Attendance,
          TrainingPlanItem)


@pytest.fixture()
def demo(app_ctx):
    import_directory(ROOT / "content")
    db.session.commit()
    return load_demo(ROOT / "content", synthetic_cadres=60)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email.lower()))


def _profile(email: str) -> TrainerProfile:
    return db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == _user(email).id))


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _reach(root_id: int):
    """(trainer id, depth) of every trainer in the cascade below `root_id`, by recursive SQL."""
    anchor = select(TrainerProfile.id.label("trainer_id"), literal_column("0", Integer).label("depth")) \
        .where(TrainerProfile.id == root_id)
    walk = anchor.cte("walk", recursive=True)
    child = aliased(TrainerProfile)
    walk = walk.union(select(child.id, walk.c.depth + literal_column("1", Integer)).select_from(walk)
                      .join(CohortTrainer, CohortTrainer.trainer_id == walk.c.trainer_id)
                      .join(child, child.trained_in_cohort_id == CohortTrainer.cohort_id)
                      .where(walk.c.depth < 10))
    return walk


def test_loading_the_demo_twice_adds_nothing(demo):
    before = _counts()
    assert before["Cohort"] >= 6 and before["CohortParticipant"] > 0 and before["Attendance"] > 0
    assert load_demo(ROOT / "content", synthetic_cadres=60) == {"accounts": 0, "cadres": 0}
    assert _counts() == before
    assert load_demo_trainers() == {"accounts": 0, "cohorts": 0, "plan_items": 0}
    assert _counts() == before


def test_the_cascade_reaches_two_tiers_down_and_both_provinces(demo):
    master = _profile(MASTER_EMAIL)
    walk = _reach(master.id)
    depths = dict(db.session.execute(select(walk.c.trainer_id, func.min(walk.c.depth))
                                     .group_by(walk.c.trainer_id)).all())
    assert max(depths.values()) >= 2
    assert depths[_profile(PROVINCIAL_A_EMAIL).id] == 1 and depths[_profile(PROVINCIAL_B_EMAIL).id] == 1
    tiers = dict(db.session.execute(select(TrainerProfile.id, TrainerProfile.tier)
                                    .where(TrainerProfile.id.in_(list(depths)))).all())
    assert {tiers[t] for t, d in depths.items() if d == 2} == {GRASSROOTS}
    reached = (select(CohortParticipant.user_id)
               .join(CohortTrainer, CohortTrainer.cohort_id == CohortParticipant.cohort_id)
               .where(CohortTrainer.trainer_id.in_(select(walk.c.trainer_id))).distinct().subquery())
    for code in ("DOAN-LCI", "DOAN-AGG"):
        province = _unit(code)
        count = db.session.scalar(select(func.count()).select_from(reached).join(User, User.id == reached.c.user_id)
                                  .join(Unit, Unit.id == User.unit_id)
                                  .where(Unit.path.startswith(province.path)))
        assert count >= 10, code
    # Participants of grassroots trainers' own cohorts: the third tier of teaching.
    deep = [t for t, d in depths.items() if d == 2]
    assert db.session.scalar(select(func.count(CohortParticipant.id))
                             .join(CohortTrainer, CohortTrainer.cohort_id == CohortParticipant.cohort_id)
                             .where(CohortTrainer.trainer_id.in_(deep))) > 0


def test_demo_trainer_accounts_and_the_tot_cohort(client, demo):
    master_user, khoa = _user(MASTER_EMAIL), _user(PROVINCIAL_B_EMAIL)
    assert [name for _e, name, *_r in DEMO_TRAINER_ACCOUNTS] == ["Đỗ Thị Thu Hà", "Trần Minh Khoa"]
    assert master_user.full_name == "Đỗ Thị Thu Hà" and master_user.unit.code == "DOAN-TW"
    assert khoa.full_name == "Trần Minh Khoa" and khoa.unit.code == "DOAN-AGG"
    assert (Role.TRAINER, "DOAN-AGG") in {(a.role, a.unit.code) for a in khoa.roles}
    assert login(client, "master.trainer@example.org", "demo1234").status_code == 302
    master = _profile(MASTER_EMAIL)
    assert (master.tier, master.status) == (MASTER, CERTIFIED)
    minh = _profile(PROVINCIAL_A_EMAIL)
    assert minh.user.full_name == "Lò Văn Minh"
    tot = minh.trained_in_cohort
    assert tot is not None and tot.status == CLOSED and tot.unit.code == "DOAN-TW"
    assert _profile(PROVINCIAL_B_EMAIL).trained_in_cohort_id == tot.id
    assert db.session.scalar(select(CohortTrainer.trainer_id).where(CohortTrainer.cohort_id == tot.id,
                                                                    CohortTrainer.role == LEAD)) == master.id
    completed = set(db.session.scalars(select(CohortParticipant.user_id).where(
        CohortParticipant.cohort_id == tot.id, CohortParticipant.completed.is_(True))))
    assert completed == {minh.user_id, khoa.id}
    for email in (PROVINCIAL_A_EMAIL, PROVINCIAL_B_EMAIL):
        assert (_profile(email).tier, _profile(email).status) == (PROVINCIAL, CERTIFIED)
        # The ToT cohort required its online course: finished before the cohort's last day.
        finished = db.session.scalar(select(Enrolment.completed_at).where(Enrolment.user_id == _user(email).id,
                                                                          Enrolment.course_id == tot.course_id))
        assert tot.course_id is not None and finished is not None and finished.date() < tot.ends_on


def test_certified_trainers_meet_the_certification_rules(demo):
    tot_course = db.session.scalar(select(Course).where(Course.slug == TOT_COURSE))
    assert tot_course is not None
    certified = db.session.scalars(select(TrainerProfile).where(TrainerProfile.status == CERTIFIED)).all()
    assert {p.tier for p in certified} == {MASTER, PROVINCIAL, GRASSROOTS}
    for profile in certified:
        name = profile.user.full_name
        assert profile.expires_on is not None and profile.expires_on > local_today(), name
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == profile.user_id,
                                                              Enrolment.course_id == tot_course.id))
        assert enrolment is not None and enrolment.completed_at is not None, name
        assert enrolment.completed_at < profile.certified_at, name
        event = db.session.scalar(select(CertificationEvent).where(CertificationEvent.trainer_id == profile.id,
                                                                   CertificationEvent.action == "certified"))
        assert event is not None and event.by_user_id is not None, name
        if profile.tier == MASTER:
            assert _user("trunguong@example.org").id == event.by_user_id
            continue
        assessor = aliased(TrainerProfile)
        passed = db.session.execute(
            select(Practicum, assessor).join(assessor, assessor.id == Practicum.assessor_id)
            .where(Practicum.trainer_id == profile.id, Practicum.passed.is_(True))).all()
        assert passed, name
        for practicum, by in passed:
            assert TIER_RANK[by.tier] < TIER_RANK[profile.tier], name
            assert by.certified_at is not None and by.certified_at <= practicum.assessed_at <= profile.certified_at
        ran = db.session.scalar(select(func.count(Cohort.id)).join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
                                .where(CohortTrainer.trainer_id == profile.id, Cohort.status == CLOSED,
                                       Cohort.ends_on <= profile.certified_at.date()))
        assert ran >= 1, name
    candidates = db.session.scalars(select(TrainerProfile).where(TrainerProfile.status == CANDIDATE)).all()
    assert len(candidates) >= 2
    assert all(c.certified_at is None and c.tier == GRASSROOTS and c.trained_in_cohort_id for c in candidates)


def test_certified_trainers_are_ready_by_the_certification_module(demo):
    from lms.trainers.certification import readiness

    for profile in db.session.scalars(select(TrainerProfile).where(TrainerProfile.status == CERTIFIED,
                                                                   TrainerProfile.tier != MASTER)):
        ready = readiness(profile)
        assert not ready.missing(), (profile.user.full_name, ready)


def test_grassroots_cohorts_closed_and_open_in_each_province(demo):
    today = local_today()
    for email, province in ((PROVINCIAL_A_EMAIL, "DOAN-LCI"), (PROVINCIAL_B_EMAIL, "DOAN-AGG")):
        trainer = _profile(email)
        cohorts = db.session.scalars(select(Cohort).join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
                                     .where(CohortTrainer.trainer_id == trainer.id, CohortTrainer.role == LEAD)).all()
        assert {c.status for c in cohorts} == {OPEN, CLOSED}
        assert all(c.unit.path.startswith(_unit(province).path) and c.unit.level.code == "grassroots"
                   for c in cohorts)
        closed = next(c for c in cohorts if c.status == CLOSED)
        results = [r for (r,) in db.session.execute(select(CohortParticipant.completed)
                                                    .where(CohortParticipant.cohort_id == closed.id))]
        assert True in results and False in results and None not in results
        assert db.session.scalar(select(func.count(Attendance.id)).join(TrainingSession)
                                 .where(TrainingSession.cohort_id == closed.id)) == 3 * len(results)
        running = next(c for c in cohorts if c.status == OPEN)
        assert db.session.scalar(select(func.count(TrainingSession.id)).where(
            TrainingSession.cohort_id == running.id, TrainingSession.held_on > today)) >= 1
        assert not db.session.scalar(select(func.count(Attendance.id)).join(TrainingSession).where(
            TrainingSession.cohort_id == running.id, TrainingSession.held_on > today))
    # Participants from units whose area flags count in the coverage figures.
    flagged = db.session.execute(
        select(func.sum(Unit.is_mountainous.cast(Integer)), func.sum(Unit.is_ethnic_minority.cast(Integer)),
               func.sum(Unit.is_border.cast(Integer)), func.sum(Unit.is_island.cast(Integer)))
        .select_from(CohortParticipant).join(User, User.id == CohortParticipant.user_id)
        .join(Unit, Unit.id == User.unit_id)).one()
    assert all(value and value > 0 for value in flagged)


def test_demo_plans_are_partly_met(demo):
    year = local_today().year
    for code in ("DOAN-LCI", "DOAN-AGG"):
        plan = plans.year_plan(_unit(code), year)
        assert len(plan.rows) >= 3, code
        assert any(row.subtree.cohorts for row in plan.rows), code
        assert any(not row.subtree.cohorts for row in plan.rows), code
        assert any(not row.met_in_subtree for row in plan.rows), code


def test_demo_pages_for_the_provincial_trainer_the_master_and_the_admin(client, demo):
    login(client, PROVINCIAL_A_EMAIL, "demo1234")
    page = client.get("/trainers/").get_data(as_text=True)
    assert "Lớp tập huấn đội trưởng đội hình tình nguyện Mường Khương" in page
    assert "Lớp tập huấn điều phối viên tình nguyện xã Bát Xát" in page
    assert "trong 2 buổi gần nhất" in page and "Chưa học trực tuyến lần nào" in page
    client.post("/logout")
    login(client, MASTER_EMAIL, "demo1234")
    master = _profile(MASTER_EMAIL)
    page = client.get("/trainers/").get_data(as_text=True)
    assert master.expires_on - local_today() <= timedelta(days=60)
    assert "hết hạn sau" in page
    client.post("/logout")
    login(client, "admin.tinhA@example.org", "demo1234")
    page = client.get("/trainers/plans").get_data(as_text=True)
    assert "Tỉnh đoàn Lào Cai" in page and "Số liệu báo cáo lên cấp trên" in page


def test_every_demo_cohort_page_opens_for_the_central_admin(client, demo):
    from lms.trainers.models import Cohort, CohortParticipant

    login(client, "trunguong@example.org", "demo1234")
    for cohort_id in db.session.scalars(select(Cohort.id)):
        assert client.get(f"/trainers/cohorts/{cohort_id}").status_code == 200, cohort_id
    completed_without_code = db.session.scalar(select(func.count()).select_from(CohortParticipant).where(
        CohortParticipant.completed.is_(True), CohortParticipant.certificate_code.is_(None)))
    assert completed_without_code == 0
