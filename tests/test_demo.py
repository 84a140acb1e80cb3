"""The demo dataset: five accounts to click through, each with the role the guide describes, and synthetic
cadres with a history in the core course."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.assessments.framework import import_frameworks
from lms.assessments.models import Campaign, CompetencyResult, KnowledgeAttempt, Participant
from lms.auth.permissions import Role, can
from lms.courses.completion import quizzes_left, required_lessons_left
from lms.courses.content import import_directory
from lms.courses.models import (CORE_COURSE_SLUG, Certificate, Course, Enrolment, LearningRecord, LessonProgress,
                                QuizAttempt)
from lms.courses.services import lesson_sequence
from lms.db import db, utcnow
from lms.demo import DEMO_PASSWORD, load_demo
from lms.i18n import local_date, local_today
from lms.orgs.models import Unit
from lms.people.models import RoleAssignment, User
from lms.reports import sending
from lms.reports.models import SentReport
from lms.trainers.demo import DEMO_TRAINER_ACCOUNTS
from tests.conftest import ROOT, empty_all_tables, login

DEMO_ACCOUNTS = {
    # e-mail as typed in the guide: roles beyond "learner in one's own unit"
    "hocvien@example.org": set(),
    "taphuanvien@example.org": {(Role.TRAINER, "DOAN-LCI")},
    "admin.tinhA@example.org": {(Role.UNIT_ADMIN, "DOAN-LCI")},
    "admin.tinhB@example.org": {(Role.UNIT_ADMIN, "DOAN-AGG")},
    "trunguong@example.org": {(role, unit) for unit in ("DOAN-TW", "HLHTN-TW", "HSV-TW")
                              for role in (Role.CENTRAL_ADMIN, Role.REVIEWER)},
}

TRAINER_EMAILS = [email for email, *_rest in DEMO_TRAINER_ACCOUNTS]  # the master trainer sits at the centre


@pytest.fixture()
def demo(app_ctx):
    return load_demo(ROOT / "content", synthetic_cadres=50)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email.lower()))


def _roles(user: User) -> set[tuple[str, str]]:
    return {(assignment.role, assignment.unit.code) for assignment in user.roles}


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, User, RoleAssignment, SentReport)}


def test_demo_creates_the_seven_accounts_and_the_synthetic_cadres(demo):
    # The five accounts and the two trainers of the demo cascade, and the synthetic cadres.
    assert demo == {"accounts": 7, "cadres": 50}
    for email in [*DEMO_ACCOUNTS, *TRAINER_EMAILS]:
        assert _user(email) is not None, email
    assert db.session.scalar(select(func.count()).select_from(User)) == 57


def test_demo_emails_are_stored_in_lower_case(demo):
    assert db.session.scalar(select(User.id).where(User.email == "admin.tinha@example.org")) is not None
    assert list(db.session.scalars(select(User.email).where(User.email != func.lower(User.email)))) == []


@pytest.mark.parametrize("email", list(DEMO_ACCOUNTS))
def test_each_demo_account_signs_in_with_the_demo_password(client, demo, email):
    assert DEMO_PASSWORD == "demo1234"
    response = login(client, email, "demo1234")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("email, extra_roles", list(DEMO_ACCOUNTS.items()))
def test_each_demo_account_holds_the_documented_roles(demo, email, extra_roles):
    user = _user(email)
    assert _roles(user) == {(Role.LEARNER, user.unit.code)} | extra_roles


def test_demo_learner_is_a_cadre_of_bat_xat(demo):
    user = _user("hocvien@example.org")
    assert user.full_name == "Nguyễn Thị Hoa"
    assert user.unit.name == "Đoàn xã Bát Xát"


def test_demo_admins_manage_their_own_province_only(demo):
    lao_cai, an_giang = (db.session.scalar(select(Unit).where(Unit.code == code)) for code in ("DOAN-LCI", "DOAN-AGG"))
    admin_a, admin_b = _user("admin.tinhA@example.org"), _user("admin.tinhB@example.org")
    assert can(admin_a, "unit.manage", lao_cai) and not can(admin_a, "unit.manage", an_giang)
    assert can(admin_b, "unit.manage", an_giang) and not can(admin_b, "unit.manage", lao_cai)


def test_synthetic_cadres_sit_in_the_two_demo_provinces(demo):
    provinces = [db.session.scalar(select(Unit.path).where(Unit.code == code)) for code in ("DOAN-LCI", "DOAN-AGG")]
    paths = db.session.scalars(select(Unit.path).join(User, User.unit_id == Unit.id)
                               .where(User.email.is_(None) | User.email.not_in(
                                   [email.lower() for email in [*DEMO_ACCOUNTS, *TRAINER_EMAILS]])))
    for path in paths:
        assert any(path.startswith(province) for province in provinces), path


def test_loading_the_demo_twice_creates_nothing_new(demo):
    before = _counts()
    assert load_demo(ROOT / "content", synthetic_cadres=50) == {"accounts": 0, "cadres": 0}
    assert _counts() == before


def test_the_provinces_sent_last_years_reports_one_in_time_one_late(demo):
    year = local_today().year - 1
    centre = db.session.scalar(select(Unit).where(Unit.code == "DOAN-TW"))
    children = {child.unit.code: child for child in sending.children_reports(centre, year)}
    lao_cai, an_giang = children["DOAN-LCI"], children["DOAN-AGG"]
    assert (lao_cai.status, lao_cai.latest.file.content_type, lao_cai.latest.sent_by.email) == \
        (sending.SENT, "application/pdf", "admin.tinha@example.org")
    assert lao_cai.latest.file.filename == f"bao-cao-nam-{year}-DOAN-LCI.pdf"
    assert lao_cai.latest.file.data.startswith(b"%PDF")
    assert (an_giang.status, an_giang.latest.file.filename) == (sending.LATE, f"bao-cao-nam-{year}-DOAN-AGG.docx")
    # This year's reports are still to be sent.
    assert db.session.scalar(select(func.count()).select_from(SentReport).where(SentReport.year == year + 1)) == 0


# --- The synthetic cadres in the core course ------------------------------------------------------

def _load_demo_with_curriculum() -> dict[str, int]:
    """What `make demo` loads: the courses and the competency framework, then the demo."""
    import_directory(ROOT / "content")
    import_frameworks(ROOT / "content")
    db.session.commit()
    return load_demo(ROOT / "content", synthetic_cadres=60)


@pytest.fixture()
def demo_with_courses(app_ctx):
    return _load_demo_with_curriculum()


def _synthetic_core_enrolments() -> list[Enrolment]:
    named = [email.lower() for email in [*DEMO_ACCOUNTS, *TRAINER_EMAILS]]
    return list(db.session.scalars(
        select(Enrolment).join(Course).join(User, User.id == Enrolment.user_id)
        .where(Course.slug == CORE_COURSE_SLUG, User.email.is_(None) | User.email.not_in(named))))


def test_most_synthetic_cadres_enrolled_in_the_core_course_and_many_completed_it(demo_with_courses):
    enrolments = _synthetic_core_enrolments()
    completed = [e for e in enrolments if e.completed_at is not None]
    assert 30 <= len(enrolments) < 60  # some never enrolled
    assert 10 <= len(completed) < len(enrolments)
    # Over the last twenty months, up to yesterday: some completed within the last half-year, some over a
    # year ago, so that a year has a year before it to compare with.
    now = utcnow()
    assert all(now - timedelta(days=601) < e.enrolled_at < now for e in enrolments)
    assert all(e.enrolled_at < e.completed_at for e in completed)
    assert all(local_date(e.completed_at) < local_today() for e in completed)  # yesterday at the latest, in Vietnam
    ages = [now - e.completed_at for e in completed]
    assert min(ages) < timedelta(days=180) and max(ages) > timedelta(days=365)


def test_a_synthetic_completion_is_what_a_learner_completing_the_course_leaves(demo_with_courses):
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE_SLUG))
    lessons = lesson_sequence(core.id)
    for enrolment in _synthetic_core_enrolments():
        done = list(db.session.scalars(select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
                                       .order_by(LessonProgress.completed_at)))
        assert [p.lesson_id for p in done] == [ref.id for ref in lessons[:len(done)]]  # in reading order
        assert all(enrolment.enrolled_at < p.completed_at <= enrolment.last_activity_at for p in done)
        certificate = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
        if enrolment.completed_at is None:
            assert required_lessons_left(enrolment) > 0 and certificate is None
            assert enrolment.last_lesson_id == (done[-1].lesson_id if done else None)
            continue
        assert required_lessons_left(enrolment) == 0 and quizzes_left(enrolment) == 0
        assert certificate.issued_at == enrolment.completed_at == enrolment.last_activity_at
        assert certificate.holder_name == enrolment.user.full_name
        verbs = set(db.session.scalars(select(LearningRecord.verb).where(
            LearningRecord.actor_id == enrolment.user_id, LearningRecord.course_id == core.id)))
        assert verbs == {"registered", "completed", "passed", "earned"}


def test_loading_the_demo_again_adds_no_learning_history(demo_with_courses):
    def counts():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Enrolment, LessonProgress, QuizAttempt, Certificate, LearningRecord)}

    before = counts()
    load_demo(ROOT / "content", synthetic_cadres=60)
    assert counts() == before


def _assessment_results() -> list[tuple]:
    """Per campaign: people who completed, the knowledge tests' total score, the gaps found."""
    done = func.count(Participant.completed_at)
    tests = (select(func.sum(KnowledgeAttempt.score)).join(Participant)
             .where(Participant.campaign_id == Campaign.id).scalar_subquery())
    gaps = (select(func.sum(CompetencyResult.gap)).join(Participant)
            .where(Participant.campaign_id == Campaign.id).scalar_subquery())
    return db.session.execute(select(Campaign.title, done, tests, gaps).join(Participant)
                              .group_by(Campaign.id, Campaign.title).order_by(Campaign.title)).all()


def test_every_fresh_load_of_the_demo_gives_the_same_assessment_results(demo_with_courses):
    first = _assessment_results()
    assert [title for title, *_figures in first] == [f"Đánh giá năng lực cán bộ Đoàn năm {year}"
                                                    for year in (local_today().year - 1, local_today().year)]
    this_year = first[1]
    assert this_year[1] > 0 and this_year[2] > 0  # people completed, knowledge tests taken
    db.session.remove()
    empty_all_tables()
    _load_demo_with_curriculum()
    assert _assessment_results() == first
