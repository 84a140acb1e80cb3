"""Trainer profiles and certification: appointing candidates, the three conditions of certification,
practicums, renewal, suspension, expiry, and who may see and do what."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event, func, select

from lms.actions import RuleError
from lms.auth.permissions import Role
from lms.courses.models import PUBLISHED, Course, Enrolment
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.trainers import certification
from lms.trainers.certification import (
    TOT_COURSE_SLUG, add_months, appoint, certify, expire_due, reinstate, renew, suspend,
)
from lms.trainers.models import (
    CANDIDATE, CERTIFIED, CLOSED, CO_TRAINER, EXPIRED, GRASSROOTS, LEAD, MASTER, OPEN, PROVINCIAL, SUSPENDED,
    CertificationEvent, Cohort, CohortParticipant, CohortTrainer, Practicum, TrainerProfile,
)
from tests.conftest import login

GOOD = {"preparation": 4, "delivery": 3, "facilitation": 3, "learner_assessment": 4}


# --- Builders shared with the cascade tests ------------------------------------------------------

def make_trainer(user, tier, status=CANDIDATE, trained_in=None, expires_on=None) -> TrainerProfile:
    trainer = TrainerProfile(user_id=user.id, tier=tier, status=status,
                             trained_in_cohort_id=trained_in.id if trained_in else None)
    if status in (CERTIFIED, EXPIRED):
        trainer.certified_at = utcnow() - timedelta(days=400)
        trainer.expires_on = expires_on or (local_today() + timedelta(days=300))
    db.session.add(trainer)
    db.session.flush()
    return trainer


def make_cohort(unit, creator, title="Lớp tập huấn", status=OPEN, ends_in_days=30, trainers=(), participants=()):
    """A cohort of `unit`; `trainers` are (TrainerProfile, role) pairs, `participants` users."""
    today = local_today()
    cohort = Cohort(title=title, unit_id=unit.id, status=status, starts_on=today + timedelta(days=ends_in_days - 3),
                    ends_on=today + timedelta(days=ends_in_days), created_by_id=creator.id)
    db.session.add(cohort)
    db.session.flush()
    for trainer, role in trainers:
        db.session.add(CohortTrainer(cohort_id=cohort.id, trainer_id=trainer.id, role=role))
    for user in participants:
        db.session.add(CohortParticipant(cohort_id=cohort.id, user_id=user.id))
    db.session.flush()
    return cohort


def tot_course() -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == TOT_COURSE_SLUG))
    if course is None:
        course = Course(slug=TOT_COURSE_SLUG, title="Kỹ năng tập huấn viên", status=PUBLISHED)
        db.session.add(course)
        db.session.flush()
    return course


def complete_tot(user, completed=True) -> Enrolment:
    enrolment = Enrolment(user_id=user.id, course_id=tot_course().id, completed_at=utcnow() if completed else None)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def events(trainer) -> list[str]:
    return list(db.session.scalars(select(CertificationEvent.action).where(CertificationEvent.trainer_id == trainer.id)
                                   .order_by(CertificationEvent.id)))


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture()
def master(tree, make_user):
    """A certified master trainer at the central office."""
    user = make_user(tree.central, "Hoàng Minh Tâm", email="tam@example.org", roles=[(Role.TRAINER, tree.central)])
    trainer = make_trainer(user, MASTER, CERTIFIED)
    db.session.commit()
    return trainer


@pytest.fixture()
def candidate(tree, make_user, master, admin_a):
    """A provincial candidate of province A, trained in the master's closed cohort."""
    user = make_user(tree.province_a, "Trần Thị Dung", email="dung@example.org")
    trained = make_cohort(tree.central, admin_a, "Lớp tập huấn viên nguồn", status=CLOSED, ends_in_days=-60,
                          trainers=[(master, LEAD)], participants=[user])
    trainer = make_trainer(user, PROVINCIAL, trained_in=trained)
    db.session.commit()
    return trainer


def meet_all_conditions(candidate, master, admin_a, tree):
    complete_tot(candidate.user)
    cohort = make_cohort(tree.province_a, admin_a, "Lớp cấp tỉnh đợt 1", status=CLOSED, ends_in_days=-5,
                         trainers=[(master, LEAD), (candidate, CO_TRAINER)])
    certification.record_practicum(candidate, master, master.user, GOOD, "Tốt", cohort)
    db.session.commit()
    return cohort


# --- The three conditions --------------------------------------------------------------------

COURSE_MSG = "chưa hoàn thành khóa học trực tuyến Kỹ năng tập huấn viên"
COHORT_MSG = "chưa cùng tập huấn (chính hoặc phụ) một lớp đã kết thúc"
PRACTICUM_MSG = "chưa đạt buổi thực hành do tập huấn viên đã được công nhận, hạng cao hơn đánh giá"


def test_certify_names_everything_missing(candidate, admin_a):
    with pytest.raises(RuleError) as refused:
        certify(candidate, admin_a)
    message = str(refused.value)
    assert message.startswith("Chưa thể công nhận Trần Thị Dung:")
    assert COURSE_MSG in message and COHORT_MSG in message and PRACTICUM_MSG in message
    assert candidate.status == CANDIDATE and events(candidate) == []


@pytest.mark.parametrize("missing", ["course", "cohort", "practicum"])
def test_certify_refuses_when_one_condition_is_missing(candidate, master, admin_a, tree, missing):
    complete_tot(candidate.user, completed=missing != "course")
    co_status, co_end = (OPEN, 10) if missing == "cohort" else (CLOSED, -5)
    cohort = make_cohort(tree.province_a, admin_a, status=co_status, ends_in_days=co_end,
                         trainers=[(master, LEAD), (candidate, CO_TRAINER)])
    scores = dict(GOOD, facilitation=2) if missing == "practicum" else GOOD
    practicum = certification.record_practicum(candidate, master, master.user, scores, cohort=cohort)
    assert practicum.passed is (missing != "practicum")
    db.session.commit()
    with pytest.raises(RuleError) as refused:
        certify(candidate, admin_a)
    message = str(refused.value)
    expected = {"course": COURSE_MSG, "cohort": COHORT_MSG, "practicum": PRACTICUM_MSG}
    assert expected[missing] in message
    assert all(text_ not in message for key, text_ in expected.items() if key != missing)
    db.session.rollback()
    assert db.session.get(TrainerProfile, candidate.id).status == CANDIDATE


def test_a_cohort_counts_once_closed_or_past_its_end_date(candidate, master, admin_a, tree):
    complete_tot(candidate.user)
    certification.record_practicum(candidate, master, master.user, GOOD)
    running = make_cohort(tree.province_a, admin_a, status=OPEN, ends_in_days=0,
                          trainers=[(candidate, CO_TRAINER)])  # ends today: not yet
    assert certification.readiness(candidate).cofacilitated is False
    running.ends_on = local_today() - timedelta(days=1)
    db.session.flush()
    assert certification.readiness(candidate).cofacilitated is True
    running.ends_on = local_today() + timedelta(days=20)
    running.status = CLOSED  # closed early
    db.session.flush()
    assert certification.readiness(candidate).cofacilitated is True


def test_certify_succeeds_when_all_three_hold(app, candidate, master, admin_a, tree):
    cohort = meet_all_conditions(candidate, master, admin_a, tree)
    certify(candidate, admin_a, cohort)
    db.session.commit()
    trainer = db.session.get(TrainerProfile, candidate.id)
    assert trainer.status == CERTIFIED and trainer.certified_at is not None
    assert trainer.expires_on == add_months(local_today(), 24)
    event_row = db.session.scalar(select(CertificationEvent).where(CertificationEvent.trainer_id == trainer.id))
    assert (event_row.action, event_row.by_user_id, event_row.cohort_id) == ("certified", admin_a.id, cohort.id)


def test_certificate_length_comes_from_the_configuration(app, candidate, master, admin_a, tree):
    meet_all_conditions(candidate, master, admin_a, tree)
    app.config["LMS_TRAINER_CERT_MONTHS"] = 12
    try:
        certify(candidate, admin_a)
    finally:
        app.config.pop("LMS_TRAINER_CERT_MONTHS")
    assert candidate.expires_on == add_months(local_today(), 12)


def test_certify_refuses_a_cohort_the_trainer_did_not_run_and_a_non_candidate(candidate, master, admin_a, tree):
    meet_all_conditions(candidate, master, admin_a, tree)
    other = make_cohort(tree.province_a, admin_a, "Lớp khác", status=CLOSED, ends_in_days=-3)
    with pytest.raises(RuleError, match="không tham gia tập huấn lớp “Lớp khác”"):
        certify(candidate, admin_a, other)
    certify(candidate, admin_a)
    with pytest.raises(RuleError, match="Chỉ công nhận được ứng viên"):
        certify(candidate, admin_a)


def test_a_practicum_assessed_by_a_lower_or_equal_tier_does_not_count(candidate, master, admin_a, tree, make_user):
    """Rows written elsewhere (imports, demo data) are held to the same rule when certifying."""
    complete_tot(candidate.user)
    make_cohort(tree.province_a, admin_a, status=CLOSED, ends_in_days=-5, trainers=[(candidate, CO_TRAINER)])
    peer = make_trainer(make_user(tree.province_a, "Lý Văn Sơn"), PROVINCIAL, CERTIFIED)
    db.session.add(Practicum(trainer_id=candidate.id, assessor_id=peer.id, passed=True, rubric=GOOD))
    db.session.flush()
    with pytest.raises(RuleError, match=PRACTICUM_MSG):
        certify(candidate, admin_a)


# --- Practicums ------------------------------------------------------------------------------

def test_practicum_rubric_passes_only_when_every_criterion_is_three_or_more(candidate, master):
    passed = certification.record_practicum(candidate, master, master.user, GOOD)
    failed = certification.record_practicum(candidate, master, master.user, dict(GOOD, preparation=2))
    assert passed.passed is True and failed.passed is False
    assert failed.rubric == dict(GOOD, preparation=2)
    for bad in (dict(GOOD, delivery=5), dict(GOOD, delivery=0), {"preparation": 4}):
        with pytest.raises(RuleError, match="Hãy chấm tiêu chí"):
            certification.record_practicum(candidate, master, master.user, bad)


def test_practicum_by_a_same_tier_assessor_is_refused(candidate, tree, make_user):
    peer = make_trainer(make_user(tree.province_a, "Lý Văn Sơn"), PROVINCIAL, CERTIFIED)
    with pytest.raises(RuleError, match="Người đánh giá phải là tập huấn viên hạng cao hơn Tập huấn viên cấp tỉnh"):
        certification.record_practicum(candidate, peer, peer.user, GOOD)


def test_practicum_by_a_lower_tier_assessor_is_refused(tree, make_user):
    provincial = make_trainer(make_user(tree.province_a, "Lý Văn Sơn"), PROVINCIAL, CERTIFIED)
    higher = make_trainer(make_user(tree.central, "Đinh Văn Khoa"), MASTER, CANDIDATE)
    with pytest.raises(RuleError, match="do một tập huấn viên nguồn đã được công nhận đánh giá"):
        certification.record_practicum(higher, provincial, provincial.user, GOOD)


def test_a_master_candidate_is_assessed_by_a_certified_master(master, tree, make_user):
    newcomer = make_trainer(make_user(tree.central, "Đinh Văn Khoa"), MASTER, CANDIDATE)
    practicum = certification.record_practicum(newcomer, master, master.user, GOOD)
    assert practicum.passed


def test_the_first_master_is_recorded_by_command_only_while_none_is_certified(app, tree, make_user):
    founder = make_user(tree.central, "Đỗ Thị Thu Hà", email="founder@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "trainers", "certify-founder", "--email", "founder@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert certification.profile_of_user(founder.id).status == CERTIFIED

    make_user(tree.central, "Vũ Văn Nam", email="second@example.org")
    again = runner.invoke(args=["lms", "trainers", "certify-founder", "--email", "second@example.org"])
    assert again.exit_code != 0 and "Đã có tập huấn viên nguồn được công nhận" in again.output


@pytest.mark.parametrize("status", [CANDIDATE, EXPIRED, SUSPENDED, "overdue"])
def test_practicum_by_an_uncertified_assessor_is_refused(candidate, tree, make_user, status):
    assessor = make_trainer(make_user(tree.central, "Đinh Văn Khoa"), MASTER,
                            CERTIFIED if status == "overdue" else status,
                            expires_on=local_today() - timedelta(days=1) if status == "overdue" else None)
    with pytest.raises(RuleError, match="chưa được công nhận hoặc đã hết hạn công nhận"):
        certification.record_practicum(candidate, assessor, assessor.user, GOOD)


def test_practicum_recorded_only_by_the_assessor_or_an_admin_of_the_candidate(candidate, master, admin_a, admin_b,
                                                                                cadre_a):
    for outsider in (admin_b, cadre_a):
        with pytest.raises(RuleError, match="Chỉ người đánh giá hoặc quản trị đơn vị"):
            certification.record_practicum(candidate, master, outsider, GOOD)
    assert certification.record_practicum(candidate, master, admin_a, GOOD).passed


# --- Renewal, suspension, expiry -------------------------------------------------------------

def test_renew_only_certified_or_expired_and_from_today(candidate, master, admin_a):
    with pytest.raises(RuleError, match="Chỉ gia hạn được"):
        renew(candidate, admin_a)
    master.status, master.expires_on = EXPIRED, local_today() - timedelta(days=10)
    renew(master, admin_a)
    assert master.status == CERTIFIED and master.expires_on == add_months(local_today(), 24)
    assert events(master) == ["renewed"]


def test_suspend_needs_a_reason_and_reinstate_restores_the_standing(candidate, master, admin_a):
    with pytest.raises(RuleError, match="Hãy ghi lý do tạm đình chỉ."):
        suspend(master, admin_a, "  ")
    with pytest.raises(RuleError, match="không bị tạm đình chỉ"):
        reinstate(master, admin_a)
    suspend(master, admin_a, "Vi phạm quy chế lớp học")
    with pytest.raises(RuleError, match="đang bị tạm đình chỉ"):
        suspend(master, admin_a, "Lần nữa")
    reinstate(master, admin_a)
    assert master.status == CERTIFIED
    suspend(candidate, admin_a, "Tạm dừng")
    reinstate(candidate, admin_a)
    assert candidate.status == CANDIDATE
    master.status, master.expires_on = SUSPENDED, local_today() - timedelta(days=1)
    reinstate(master, admin_a)
    assert master.status == EXPIRED
    assert events(master) == ["suspended", "reinstated", "reinstated"]
    note = db.session.scalar(select(CertificationEvent.note).where(CertificationEvent.action == "suspended",
                                                                   CertificationEvent.trainer_id == master.id))
    assert note == "Vi phạm quy chế lớp học"


def test_expire_due_marks_exactly_the_overdue_ones_in_two_statements(app, tree, make_user):
    today = local_today()
    rows = {
        "overdue": (CERTIFIED, today - timedelta(days=1)),
        "long overdue": (CERTIFIED, today - timedelta(days=400)),
        "ends today": (CERTIFIED, today),
        "valid": (CERTIFIED, today + timedelta(days=30)),
        "already expired": (EXPIRED, today - timedelta(days=3)),
        "suspended": (SUSPENDED, today - timedelta(days=3)),
        "candidate": (CANDIDATE, None),
    }
    trainers = {}
    for number, (name, (status, expires_on)) in enumerate(rows.items()):
        user = make_user(tree.grassroots_a, f"Nguyễn Văn Số{number}")
        trainer = make_trainer(user, GRASSROOTS, status)
        trainer.expires_on = expires_on
        trainers[name] = trainer
    db.session.commit()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert expire_due(today) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2
    db.session.commit()
    status = {name: db.session.get(TrainerProfile, t.id).status for name, t in trainers.items()}
    assert status == {"overdue": EXPIRED, "long overdue": EXPIRED, "ends today": CERTIFIED, "valid": CERTIFIED,
                      "already expired": EXPIRED, "suspended": SUSPENDED, "candidate": CANDIDATE}
    expired_events = db.session.execute(select(CertificationEvent.trainer_id, CertificationEvent.by_user_id)
                                        .where(CertificationEvent.action == "expired")).all()
    assert sorted(expired_events) == sorted([(trainers["overdue"].id, None), (trainers["long overdue"].id, None)])
    assert expire_due(today) == 0
    assert db.session.scalar(select(func.count()).select_from(CertificationEvent)) == 2


def expire_command(app, *options: str):
    return app.test_cli_runner().invoke(args=["lms", "trainers", "expire", *options])


def test_the_expire_command(app, tree, make_user):
    trainer = make_trainer(make_user(tree.grassroots_a, "Vũ Thị Mai"), GRASSROOTS, CERTIFIED,
                           expires_on=date(2030, 1, 1))
    db.session.commit()
    with time_machine.travel(datetime(2030, 1, 1, 20, 0, tzinfo=timezone.utc)):  # 2 January, 03:00 in Vietnam
        result = expire_command(app)
    assert result.exit_code == 0, result.output
    assert "Số tập huấn viên chuyển sang hết hạn: 1." in result.output
    db.session.expire_all()
    assert db.session.get(TrainerProfile, trainer.id).status == EXPIRED


def test_the_expire_command_takes_a_day_up_to_today_in_vietnam(app, tree, make_user):
    trainer = make_trainer(make_user(tree.grassroots_a, "Vũ Thị Mai"), GRASSROOTS, CERTIFIED,
                           expires_on=date(2030, 1, 1))
    db.session.commit()
    with time_machine.travel(datetime(2030, 1, 1, 20, 0, tzinfo=timezone.utc)):  # 2 January, 03:00 in Vietnam
        mistyped = expire_command(app, "--today", "2062-01-01")
        tomorrow = expire_command(app, "--today", "2030-01-03")
        assert mistyped.exit_code == tomorrow.exit_code == 1
        assert "Ngày xét hết hạn 2062-01-01 muộn hơn hôm nay (2030-01-02 theo múi giờ của ứng dụng)" \
            in mistyped.output
        db.session.expire_all()
        assert db.session.get(TrainerProfile, trainer.id).status == CERTIFIED
        assert db.session.scalar(select(func.count()).select_from(CertificationEvent)) == 0
        result = expire_command(app, "--today", "2030-01-02")
    assert result.exit_code == 0 and "Số tập huấn viên chuyển sang hết hạn: 1." in result.output


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 24) == date(2027, 11, 15)
    assert add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)


# --- Appointing a candidate ------------------------------------------------------------------

def test_tier_must_match_the_unit_level(tree, make_user, admin_a, central_admin):
    cadre = make_user(tree.branch_a, "Bùi Văn Nam", phone="+84912345001", email=None)
    with pytest.raises(certification.AppointError, match="chỉ có thể là Tập huấn viên cơ sở") as refused:
        appoint(cadre, PROVINCIAL, admin_a)
    assert refused.value.field == "tier"
    trainer = appoint(cadre, GRASSROOTS, admin_a)
    assert trainer.status == CANDIDATE and trainer.tier == GRASSROOTS
    with pytest.raises(certification.AppointError, match="đã có hồ sơ tập huấn viên"):
        appoint(cadre, GRASSROOTS, admin_a)
    assert certification.TIER_FOR_LEVEL == {"central": MASTER, "province": PROVINCIAL,
                                            "grassroots": GRASSROOTS, "branch": GRASSROOTS}
    provincial = make_user(tree.province_b, "Mai Văn Lộc")
    assert appoint(provincial, PROVINCIAL, central_admin).tier == PROVINCIAL
    assert appoint(make_user(tree.central, "Tạ Văn Quang"), None, central_admin).tier == MASTER


def test_appoint_outside_scope_looks_like_not_found(cadre_a, admin_b):
    with pytest.raises(certification.AppointError, match="Không tìm thấy cán bộ") as refused:
        appoint(cadre_a, GRASSROOTS, admin_b)
    assert "Nguyễn Thị Hoa" not in str(refused.value)


def test_trained_in_cohort_must_list_the_cadre_as_participant(tree, cadre_a, admin_a, master):
    cohort = make_cohort(tree.province_a, admin_a, "Lớp cấp tỉnh", trainers=[(master, LEAD)])
    with pytest.raises(certification.AppointError, match="không có trong danh sách học viên") as refused:
        appoint(cadre_a, GRASSROOTS, admin_a, cohort.id)
    assert refused.value.field == "trained_in_cohort"
    with pytest.raises(certification.AppointError, match="Không có lớp tập huấn số 999999"):
        appoint(cadre_a, GRASSROOTS, admin_a, 999999)
    db.session.add(CohortParticipant(cohort_id=cohort.id, user_id=cadre_a.id))
    assert appoint(cadre_a, GRASSROOTS, admin_a, cohort.id).trained_in_cohort_id == cohort.id


# --- Pages -----------------------------------------------------------------------------------

def test_admin_appoints_a_candidate_by_phone_or_email(client, tree, admin_a, make_user):
    cadre = make_user(tree.grassroots_a, "Lò Văn Pá", phone="+84912345002", email=None)
    sign_in_as(client, admin_a)
    assert client.get("/trainers/people/new").status_code == 200
    response = client.post("/trainers/people/new", data={"identifier": "0912 345 002", "tier": PROVINCIAL})
    assert response.status_code == 200
    assert "Lò Văn Pá thuộc đơn vị cấp Cơ sở nên chỉ có thể là Tập huấn viên cơ sở." in text(response)
    assert "0912 345 002" in text(response)  # what was typed is kept
    response = client.post("/trainers/people/new", data={"identifier": "0912345002", "tier": GRASSROOTS,
                                                         "trained_in_cohort": "abc"})
    assert "Hãy nhập số hiệu lớp là một số nguyên" in text(response)
    response = client.post("/trainers/people/new", data={"identifier": "0912345002", "tier": ""})  # by level
    trainer = db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == cadre.id))
    assert trainer.tier == GRASSROOTS and trainer.status == CANDIDATE
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trainers/people/{trainer.id}")
    assert "Lò Văn Pá đã trở thành ứng viên tập huấn viên." in text(client.get(response.headers["Location"]))


def test_appoint_page_needs_trainer_manage(client, cadre_a, make_user, tree):
    trainer_user = make_user(tree.province_a, "Kiều Văn Tú", roles=[(Role.TRAINER, tree.province_a)])
    sign_in_as(client, trainer_user)
    assert client.get("/trainers/people/new").status_code == 403
    assert client.get("/trainers/people").status_code == 200
    sign_in_as(client, cadre_a)
    assert client.get("/trainers/people").status_code == 403


def test_the_list_shows_trainers_in_scope_in_vietnamese_order_and_filters(client, tree, make_user, admin_a,
                                                                         admin_b, central_admin):
    for name, unit, tier, status in (("Lê Văn Đức", tree.grassroots_a, GRASSROOTS, CERTIFIED),
                                     ("Phan Thị Dung", tree.branch_a, GRASSROOTS, CANDIDATE),
                                     ("Ngô Văn Bình", tree.province_a, PROVINCIAL, CERTIFIED),
                                     ("Hà Thị Yến", tree.grassroots_b, GRASSROOTS, CERTIFIED)):
        make_trainer(make_user(unit, name), tier, status)
    db.session.commit()
    sign_in_as(client, admin_a)
    page = text(client.get("/trainers/people"))
    assert "Hà Thị Yến" not in page
    assert page.index("Ngô Văn Bình") < page.index("Phan Thị Dung") < page.index("Lê Văn Đức")
    page = text(client.get("/trainers/people", query_string={"tier": GRASSROOTS, "status": CERTIFIED}))
    assert "Lê Văn Đức" in page and "Phan Thị Dung" not in page and "Ngô Văn Bình" not in page
    page = text(client.get("/trainers/people", query_string={"q": "dung"}))
    assert "Phan Thị Dung" in page and "Lê Văn Đức" not in page
    sign_in_as(client, central_admin)
    assert "Hà Thị Yến" in text(client.get("/trainers/people"))


def test_profile_shows_record_and_is_scoped(client, candidate, master, admin_a, admin_b, tree):
    cohort = meet_all_conditions(candidate, master, admin_a, tree)
    sign_in_as(client, admin_b)
    assert client.get(f"/trainers/people/{candidate.id}").status_code == 403
    assert client.post(f"/trainers/people/{candidate.id}/certify").status_code == 403
    assert client.get("/trainers/people/999999").status_code == 404
    sign_in_as(client, admin_a)
    page = text(client.get(f"/trainers/people/{candidate.id}"))
    assert "Trần Thị Dung" in page and "Tập huấn viên cấp tỉnh" in page and "Ứng viên" in page
    assert "Lớp tập huấn viên nguồn" in page and "Hoàng Minh Tâm" in page  # trained in, by the master
    assert "Lớp cấp tỉnh đợt 1" in page  # the cohort co-led
    assert "Đạt" in page and "Tốt" in page  # the practicum
    response = client.post(f"/trainers/people/{candidate.id}/certify", data={"cohort": str(cohort.id)})
    assert response.status_code == 302
    page = text(client.get(f"/trainers/people/{candidate.id}"))
    assert "Đã công nhận Trần Thị Dung là Tập huấn viên cấp tỉnh." in page
    assert "Đã được công nhận" in page and add_months(local_today(), 24).strftime("%d/%m/%Y") in page
    assert "bởi Trần Văn Hùng" in page


def test_certify_page_flashes_what_is_missing(client, candidate, admin_a):
    sign_in_as(client, admin_a)
    response = client.post(f"/trainers/people/{candidate.id}/certify", data={"cohort": ""}, follow_redirects=True)
    assert "Chưa thể công nhận Trần Thị Dung:" in text(response) and COURSE_MSG in text(response)
    assert db.session.get(TrainerProfile, candidate.id).status == CANDIDATE


def test_actions_need_a_csrf_token(app, client, master, admin_a):
    sign_in_as(client, admin_a)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for action in ("renew", "reinstate", "certify"):
            assert client.post(f"/trainers/people/{master.id}/{action}").status_code == 400
        assert client.post(f"/trainers/people/{master.id}/suspend", data={"reason": "x"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert events(master) == []


def test_suspend_renew_and_reinstate_through_the_pages(client, master, central_admin):
    sign_in_as(client, central_admin)
    page = text(client.post(f"/trainers/people/{master.id}/suspend", data={"reason": ""}, follow_redirects=True))
    assert "Hãy ghi lý do tạm đình chỉ." in page
    page = text(client.post(f"/trainers/people/{master.id}/suspend", data={"reason": "Chờ xác minh"},
                            follow_redirects=True))
    assert "Đã tạm đình chỉ Hoàng Minh Tâm." in page and "Chờ xác minh" in page
    page = text(client.post(f"/trainers/people/{master.id}/renew", follow_redirects=True))
    assert "Chỉ gia hạn được tập huấn viên đã được công nhận hoặc đã hết hạn." in page
    client.post(f"/trainers/people/{master.id}/reinstate")
    page = text(client.post(f"/trainers/people/{master.id}/renew", follow_redirects=True))
    assert "Đã gia hạn công nhận của Hoàng Minh Tâm." in page
    assert events(master) == ["suspended", "reinstated", "renewed"]


def test_a_certified_master_records_a_practicum_they_assessed(client, candidate, master, admin_a, cadre_a):
    sign_in_as(client, master.user)
    assert client.get(f"/trainers/people/{candidate.id}/practicum").status_code == 200
    data = {f"score_{key}": str(score) for key, score in GOOD.items()} | {"comments": "Điều phối tốt"}
    data["assessor"] = admin_a.email  # ignored: a trainer records only their own assessments
    response = client.post(f"/trainers/people/{candidate.id}/practicum", data=data)
    assert response.status_code == 302
    practicum = db.session.scalar(select(Practicum).where(Practicum.trainer_id == candidate.id))
    assert practicum.assessor_id == master.id and practicum.passed and practicum.comments == "Điều phối tốt"
    page = text(client.post(f"/trainers/people/{candidate.id}/practicum", data={"comments": "x"}))
    assert "Hãy chấm tiêu chí này từ 1 đến 4." in page
    sign_in_as(client, cadre_a)
    assert client.get(f"/trainers/people/{candidate.id}/practicum").status_code == 403


def test_an_admin_names_the_assessor_and_the_rules_still_apply(client, candidate, master, admin_a, tree, make_user):
    peer = make_trainer(make_user(tree.province_a, "Lý Văn Sơn", email="son@example.org"), PROVINCIAL, CERTIFIED)
    db.session.commit()
    sign_in_as(client, admin_a)
    data = {f"score_{key}": str(score) for key, score in GOOD.items()}
    page = text(client.post(f"/trainers/people/{candidate.id}/practicum", data=data | {"assessor": "son@example.org"}))
    assert "Người đánh giá phải là tập huấn viên hạng cao hơn Tập huấn viên cấp tỉnh." in page
    page = text(client.post(f"/trainers/people/{candidate.id}/practicum", data=data | {"assessor": ""}))
    assert "Hãy nhập số điện thoại hoặc e-mail của người đánh giá." in page
    response = client.post(f"/trainers/people/{candidate.id}/practicum", data=data | {"assessor": "tam@example.org"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Practicum)) == 1
    assert peer.id


def test_a_trainer_assesses_only_candidates_they_may_see(client, candidate, tree, make_user, master, admin_a):
    other_province = make_trainer(make_user(tree.province_b, "Cao Văn Long", roles=[(Role.TRAINER, tree.province_b)]),
                                  MASTER, CERTIFIED)  # a tier high enough, but no sight of province A
    db.session.commit()
    sign_in_as(client, other_province.user)
    assert client.get(f"/trainers/people/{candidate.id}/practicum").status_code == 403
    assert client.post(f"/trainers/people/{candidate.id}/practicum",
                       data={f"score_{key}": str(score) for key, score in GOOD.items()}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Practicum)) == 0


def test_practicums_are_for_candidates_only(candidate, master, admin_a, tree, make_user):
    certified = make_trainer(make_user(tree.province_a, "Lý Văn Sơn"), PROVINCIAL, CERTIFIED)
    with pytest.raises(RuleError, match="Chỉ ghi kết quả thực hành cho ứng viên tập huấn viên."):
        certification.record_practicum(certified, master, master.user, GOOD)
