"""The trainer's home (profile, cohorts, next sessions, participants falling behind, the admins' summary)
and each unit's yearly training plan (items against cohorts held, the yearly figure reported up, and
adding, changing and removing items within the unit's scope)."""
import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import distinct, func, select

from lms.auth.permissions import Role
from lms.courses.models import Enrolment
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.trainers import home, plans
from lms.trainers.models import (ABSENT, CLOSED, CO_TRAINER, EXCUSED, LEAD, OPEN, PLANNED, PRESENT, PROVINCIAL,
                                 Attendance, Cohort, CohortParticipant, CohortTrainer, TrainerProfile,
                                 TrainingPlanItem, TrainingSession)
from tests.conftest import login


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def make_cohort(unit, creator, *, title="Lớp tập huấn", status=OPEN, starts=None, ends=None, course=None,
                target_group="coordinators", plan_item=None, trainers=(), participants=()) -> Cohort:
    """A cohort; `trainers` are (profile, role) pairs, `participants` users or (user, completed) pairs."""
    starts = starts or local_today()
    cohort = Cohort(title=title, unit_id=unit.id, status=status, starts_on=starts, ends_on=ends or starts,
                    course_id=course.id if course else None, target_group=target_group,
                    plan_item_id=plan_item.id if plan_item else None, created_by_id=creator.id)
    db.session.add(cohort)
    db.session.flush()
    for profile, role in trainers:
        db.session.add(CohortTrainer(cohort_id=cohort.id, trainer_id=profile.id, role=role))
    for entry in participants:
        user, completed = entry if isinstance(entry, tuple) else (entry, None)
        db.session.add(CohortParticipant(cohort_id=cohort.id, user_id=user.id, completed=completed))
    db.session.commit()
    return cohort


def add_session(cohort, held_on, topic="Buổi tập huấn", attendance=None) -> TrainingSession:
    session = TrainingSession(cohort_id=cohort.id, held_on=held_on, topic=topic)
    db.session.add(session)
    db.session.flush()
    for user, status in (attendance or {}).items():
        db.session.add(Attendance(session_id=session.id, user_id=user.id, status=status))
    db.session.commit()
    return session


def enrol(user, course, last_activity_days=None, completed=False) -> Enrolment:
    now = utcnow()
    enrolment = Enrolment(user_id=user.id, course_id=course.id, enrolled_at=now - timedelta(days=40),
                          last_activity_at=(None if last_activity_days is None
                                            else now - timedelta(days=last_activity_days)),
                          completed_at=now if completed else None)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


# --- The trainer's home ---------------------------------------------------------------------------

@pytest.fixture()
def trainer(tree, make_user):
    user = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)],
                     email="minh@example.org")
    profile = TrainerProfile(user_id=user.id, tier=PROVINCIAL, status="certified",
                             certified_at=utcnow() - timedelta(days=700),
                             expires_on=local_today() + timedelta(days=30))
    db.session.add(profile)
    db.session.commit()
    return profile


@pytest.fixture()
def classroom(tree, make_user, trainer, course):
    """The trainer's cohorts, with participants in every situation the home page must tell apart."""
    today = local_today()
    creator = trainer.user
    people = {key: make_user(tree.grassroots_a, name, email=f"{key}@example.org") for key, name in [
        ("active", "Nguyễn Văn Chăm"), ("stale", "Giàng A Páo"), ("never", "Sùng Thị Mai"),
        ("absent_old", "Thào A Dình"), ("absent_recent", "Vàng Thị Dợ"), ("excused", "Lù Văn Pao"),
        ("done", "Tẩn Láo Lở"), ("fresh", "Ma Thị Chiêm"), ("closed", "Hoàng Thị Pết")]}
    running = make_cohort(tree.grassroots_a, creator, title="Lớp điều phối viên Bát Xát", course=course,
                          starts=today - timedelta(days=30), ends=today + timedelta(days=20),
                          trainers=[(trainer, LEAD)],
                          participants=[people[k] for k in ("active", "stale", "never", "absent_old",
                                                            "absent_recent", "excused", "done")])
    new = make_cohort(tree.grassroots_a, creator, title="Lớp đội trưởng mới mở", course=course,
                      target_group="team_leaders", starts=today - timedelta(days=5),
                      ends=today + timedelta(days=30), trainers=[(trainer, LEAD)], participants=[people["fresh"]])
    closed = make_cohort(tree.grassroots_a, creator, title="Lớp đã kết thúc", status=CLOSED,
                         starts=today - timedelta(days=90), ends=today - timedelta(days=60),
                         trainers=[(trainer, LEAD)], participants=[(people["closed"], False)])
    planned = make_cohort(tree.province_a, creator, title="Lớp dự kiến quý sau", status=PLANNED,
                          starts=today + timedelta(days=40), trainers=[(trainer, CO_TRAINER)])
    others = make_cohort(tree.grassroots_a, creator, title="Lớp của người khác",
                         starts=today - timedelta(days=30), participants=[people["stale"]])

    everyone_present = {people[k]: PRESENT for k in ("active", "stale", "never", "absent_old", "absent_recent",
                                                     "excused", "done")}
    add_session(running, today - timedelta(days=20), "Buổi 1",
                {**everyone_present, people["absent_old"]: ABSENT})
    add_session(running, today - timedelta(days=10), "Buổi 2",
                {**everyone_present, people["excused"]: EXCUSED})
    add_session(running, today - timedelta(days=3), "Buổi 3",
                {**everyone_present, people["absent_recent"]: ABSENT})
    for days in (5, 12, 19, 26, 33, 40, 47, 54, 61, 68):
        add_session(running, today + timedelta(days=days), f"Buổi sắp tới +{days}")
    add_session(planned, today + timedelta(days=2), "Buổi đầu lớp dự kiến")
    add_session(closed, today - timedelta(days=60), "Buổi cuối", {people["closed"]: ABSENT})
    add_session(others, today + timedelta(days=1), "Buổi của lớp khác")
    add_session(others, today - timedelta(days=1), "Buổi vắng ở lớp khác", {people["stale"]: ABSENT})

    for key in ("active", "absent_old", "absent_recent", "excused"):
        enrol(people[key], course, last_activity_days=2)
    enrol(people["stale"], course, last_activity_days=20)
    enrol(people["done"], course, last_activity_days=30, completed=True)
    return {"people": people, "running": running, "new": new, "closed": closed, "planned": planned}


def test_falling_behind_lists_the_inactive_the_never_started_and_the_recently_absent(classroom, trainer):
    lines, more = home.falling_behind(trainer, local_today())
    by_name = {line.full_name: line for line in lines}
    assert set(by_name) == {"Giàng A Páo", "Sùng Thị Mai", "Vàng Thị Dợ"}
    assert not more
    stale, never, absent = by_name["Giàng A Páo"], by_name["Sùng Thị Mai"], by_name["Vàng Thị Dợ"]
    assert (stale.inactive, stale.missed) == (True, 0)
    assert stale.reasons == [f"Không học trực tuyến từ {stale.last_activity_at:%d/%m/%Y}"]
    assert (never.inactive, never.last_activity_at, never.missed) == (True, None, 0)
    assert never.reasons == ["Chưa học trực tuyến lần nào"]
    assert (absent.inactive, absent.missed) == (False, 1)
    assert absent.reasons == ["Vắng 1 trong 2 buổi gần nhất"]
    assert {line.cohort_title for line in lines} == {"Lớp điều phối viên Bát Xát"}


def test_falling_behind_counts_both_recent_absences_and_stops_at_the_limit(classroom, trainer):
    people, running = classroom["people"], classroom["running"]
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.cohort_id == running.id,
                                                              TrainingSession.topic == "Buổi 2"))
    db.session.scalar(select(Attendance).where(Attendance.session_id == session.id,
                                               Attendance.user_id == people["absent_recent"].id)).status = ABSENT
    db.session.commit()
    lines, _more = home.falling_behind(trainer, local_today())
    absent = next(line for line in lines if line.full_name == "Vàng Thị Dợ")
    assert absent.missed == 2
    assert absent.reasons == ["Vắng 2 trong 2 buổi gần nhất"]
    assert lines[0].full_name == "Vàng Thị Dợ"  # the most absences first
    lines, more = home.falling_behind(trainer, local_today(), limit=2)
    assert len(lines) == 2 and more


def test_home_shows_profile_with_expiry_warning_cohorts_open_first_and_next_sessions(client, classroom, trainer):
    sign_in_as(client, trainer.user)
    response = client.get("/trainers/")
    assert response.status_code == 200
    page = text(response)
    assert "Tập huấn viên cấp tỉnh" in page and "Đã được công nhận" in page
    assert "hết hạn sau 30 ngày" in page
    order = [page.index(title) for title in ("Lớp điều phối viên Bát Xát", "Lớp đội trưởng mới mở",
                                               "Lớp dự kiến quý sau", "Lớp đã kết thúc")]
    assert order[0] < order[2] < order[3] and order[1] < order[2]
    assert "Lớp của người khác" not in page
    assert "Đồng giảng viên" in page
    upcoming = home.next_sessions(trainer, local_today())
    assert len(upcoming) == home.NEXT_SESSIONS == 10
    assert [line.session.topic for line in upcoming[:2]] == ["Buổi đầu lớp dự kiến", "Buổi sắp tới +5"]
    assert [line.session.held_on for line in upcoming] == sorted(line.session.held_on for line in upcoming)
    assert "Buổi đầu lớp dự kiến" in page and "Buổi sắp tới +61" in page and "Buổi sắp tới +68" not in page
    assert "Buổi của lớp khác" not in page and "Buổi 3" not in page
    for reason in ("Chưa học trực tuyến lần nào", "Không học trực tuyến từ", "Vắng 1 trong 2 buổi gần nhất"):
        assert reason in page
    for name in ("Nguyễn Văn Chăm", "Thào A Dình", "Lù Văn Pao", "Tẩn Láo Lở", "Ma Thị Chiêm", "Hoàng Thị Pết"):
        assert name not in page


def test_home_without_an_expiry_soon_shows_no_warning(client, classroom, trainer):
    trainer.expires_on = local_today() + timedelta(days=61)
    db.session.commit()
    sign_in_as(client, trainer.user)
    assert "hết hạn sau" not in text(client.get("/trainers/"))
    trainer.expires_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert "đã hết hạn ngày" in text(client.get("/trainers/"))


def test_admin_without_profile_sees_the_cohorts_of_the_scope_and_the_plan_link(client, classroom, admin_a, admin_b,
                                                                                tree):
    sign_in_as(client, admin_a)
    page = text(client.get("/trainers/"))
    summary = home.scope_summary(admin_a)
    assert summary.counts == {OPEN: 3, PLANNED: 1, CLOSED: 1} and summary.total == 5
    assert "Lớp tập huấn trong phạm vi của bạn" in page
    assert f"/trainers/plans?unit={tree.province_a.id}" in page
    assert "Học viên cần quan tâm" not in page
    assert home.scope_summary(admin_b).counts == {OPEN: 0, PLANNED: 0, CLOSED: 0}


def test_home_refuses_a_learner(client, cadre_a):
    sign_in_as(client, cadre_a)
    assert client.get("/trainers/").status_code == 403


def test_home_asks_to_sign_in(client, tree):
    assert client.get("/trainers/").status_code == 302


# --- The yearly plan ------------------------------------------------------------------------------

@pytest.fixture()
def year():
    return local_today().year


@pytest.fixture()
def plan(tree, make_user, admin_a, course, year):
    """Province A's plan for this year, and cohorts that meet it, miss it or lie outside it."""
    people = [make_user(tree.grassroots_a, f"Học viên {i}", email=f"hv{i}@example.org") for i in range(8)]
    outsider = make_user(tree.grassroots_b, "Võ Thị Bích Trâm", email="tram@example.org")

    def item(quarter, group, cohorts=1, participants=10, course_id=None):
        entry = TrainingPlanItem(unit_id=tree.province_a.id, year=year, quarter=quarter, target_group=group,
                                 course_id=course_id, planned_cohorts=cohorts, planned_participants=participants,
                                 created_by_id=admin_a.id)
        db.session.add(entry)
        db.session.commit()
        return entry

    q1 = item(1, "coordinators", cohorts=2, participants=5)
    q2 = item(2, "team_leaders", cohorts=1, participants=3, course_id=course.id)
    q3 = item(3, "club_heads")
    cohorts = {
        # Q1 coordinators: one of the province itself, one of a grassroots unit.
        "own_q1": make_cohort(tree.province_a, admin_a, title="Q1 tỉnh", status=CLOSED, starts=date(year, 2, 10),
                              participants=[(people[0], True), (people[1], True), (people[2], False)]),
        "sub_q1": make_cohort(tree.grassroots_a, admin_a, title="Q1 xã", status=CLOSED, starts=date(year, 3, 31),
                              participants=[(people[0], True), (people[3], True)]),
        # Not counted: still being planned; another group; another quarter; another province; last year.
        "planned_q1": make_cohort(tree.province_a, admin_a, title="Q1 dự kiến", status=PLANNED,
                                  starts=date(year, 3, 1), participants=[people[4]]),
        "other_group": make_cohort(tree.province_a, admin_a, title="Q1 cán bộ", status=CLOSED,
                                   starts=date(year, 1, 15), target_group="cadres",
                                   participants=[(people[5], True)]),
        "q4": make_cohort(tree.province_a, admin_a, title="Q4 điều phối", status=OPEN, starts=date(year, 10, 1),
                          participants=[people[6]]),
        "province_b": make_cohort(tree.province_b, admin_a, title="Q1 tỉnh B", status=CLOSED,
                                  starts=date(year, 2, 1), participants=[(outsider, True)]),
        "last_year": make_cohort(tree.province_a, admin_a, title="Q1 năm trước", status=CLOSED,
                                 starts=date(year - 1, 2, 1), participants=[(people[7], True)]),
        # Q2 team leaders with the item's course counts; without it, it does not.
        "q2_course": make_cohort(tree.grassroots_a, admin_a, title="Q2 đội trưởng", status=CLOSED,
                                 starts=date(year, 6, 30), target_group="team_leaders", course=course,
                                 participants=[(people[1], True), (people[2], True)]),
        "q2_no_course": make_cohort(tree.province_a, admin_a, title="Q2 đội trưởng không khóa học", status=CLOSED,
                                    starts=date(year, 5, 5), target_group="team_leaders",
                                    participants=[(people[6], True)]),
        # Linked to the Q3 item though it started in Q4 and has another group: it counts for Q3 only.
        "linked": make_cohort(tree.grassroots_a, admin_a, title="Lớp gắn kế hoạch Q3", status=OPEN,
                              starts=date(year, 11, 2), target_group="coordinators", plan_item=q3,
                              participants=[people[3], people[4]]),
    }
    return {"items": {"q1": q1, "q2": q2, "q3": q3}, "cohorts": cohorts, "people": people}


def _direct(cohort_ids):
    """Held cohorts, participants and completions of these cohorts, counted plainly."""
    if not cohort_ids:
        return plans.Held()
    participants = db.session.scalar(select(func.count(CohortParticipant.id))
                                     .where(CohortParticipant.cohort_id.in_(cohort_ids)))
    completed = db.session.scalar(select(func.count(CohortParticipant.id))
                                  .where(CohortParticipant.cohort_id.in_(cohort_ids),
                                         CohortParticipant.completed.is_(True)))
    return plans.Held(len(cohort_ids), participants, completed)


def test_plan_against_held_counts_equal_direct_counts(plan, tree, year):
    c, items = plan["cohorts"], plan["items"]
    own = plans.held_by_item(tree.province_a, year, subtree=False)
    whole = plans.held_by_item(tree.province_a, year, subtree=True)
    expected_own = {"q1": [c["own_q1"].id], "q2": [], "q3": []}
    expected_whole = {"q1": [c["own_q1"].id, c["sub_q1"].id], "q2": [c["q2_course"].id], "q3": [c["linked"].id]}
    for key, item in items.items():
        assert own.get(item.id, plans.Held()) == _direct(expected_own[key]), key
        assert whole.get(item.id, plans.Held()) == _direct(expected_whole[key]), key
    assert whole[items["q1"].id] == plans.Held(2, 5, 4)
    assert whole[items["q3"].id] == plans.Held(1, 2, 0)
    # The grassroots unit's own view of province A's items is not a thing: its plan has no items.
    assert plans.year_plan(tree.grassroots_a, year).rows == []


def test_yearly_summary_counts_people_who_completed_once_per_group(plan, tree, year):
    yearly = plans.year_plan(tree.province_a, year)
    # Coordinators: hv0 (twice, counted once), hv1, hv3. Team leaders: hv1, hv2, hv6. Cadres: hv5.
    assert yearly.trained == {"coordinators": 3, "team_leaders": 3, "club_heads": 0, "trainers": 0, "cadres": 1}
    direct_total = db.session.scalar(
        select(func.count(distinct(CohortParticipant.user_id))).join(Cohort)
        .where(Cohort.id.in_([plan["cohorts"][k].id for k in ("own_q1", "sub_q1", "other_group", "q2_course",
                                                              "q2_no_course")]),
               CohortParticipant.completed.is_(True)))
    assert yearly.trained_total == direct_total == 6
    with_request = plans.summary_sentence(yearly)
    assert with_request == (f"Năm {year} đã tập huấn 3 điều phối viên, 3 đội trưởng đội hình, "
                            "1 cán bộ Đoàn, Hội.")
    assert plans.year_plan(tree.province_b, year).trained["coordinators"] == 1
    assert plans.summary_sentence(plans.year_plan(tree.province_a, year + 1)) == \
        f"Năm {year + 1} chưa có học viên nào hoàn thành lớp tập huấn."


def test_plan_page_shows_items_figures_and_summary(client, plan, admin_a, tree, year):
    sign_in_as(client, admin_a)
    response = client.get(f"/trainers/plans?unit={tree.province_a.id}&year={year}")
    assert response.status_code == 200
    page = text(response)
    assert f"Kế hoạch tập huấn năm {year}" in page
    assert f"Năm {year} đã tập huấn 3 điều phối viên, 3 đội trưởng đội hình, 1 cán bộ Đoàn, Hội." in page
    assert "Quý I" in page and "Điều phối viên" in page and "Chủ nhiệm câu lạc bộ" in page
    assert "Thêm mục kế hoạch" in page
    assert f"/trainers/plans?unit={tree.grassroots_a.id}&amp;year={year}" in page
    # Without arguments: the admin's own province, this year.
    default = text(client.get("/trainers/plans"))
    assert tree.province_a.name in default and f"Kế hoạch tập huấn năm {year}" in default


def test_plan_downloads_with_the_figures_of_the_page(client, plan, admin_a, admin_b, tree, year):
    import io

    from openpyxl import load_workbook

    sign_in_as(client, admin_a)
    response = client.get(f"/trainers/plans.xlsx?unit={tree.province_a.id}&year={year}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[-1].iter_rows(values_only=True))
    assert rows[0][:3] == ("Quý", "Đối tượng", "Khóa học")
    q1 = plan["items"]["q1"]
    first = next(row for row in rows if row[0] == "Quý I" and row[1] == "Điều phối viên")
    assert first[3] == q1.planned_cohorts and first[5] == 2 and first[7] == 5 and first[8] == 4
    assert rows[-1][0] == "Cả năm, mỗi mục tính tối đa theo kế hoạch"
    csv_text = client.get(f"/trainers/plans.csv?unit={tree.province_a.id}&year={year}").data.decode("utf-8")
    assert csv_text.startswith("\ufeffQuý,Đối tượng")
    sign_in_as(client, admin_b)
    assert client.get(f"/trainers/plans.xlsx?unit={tree.province_a.id}&year={year}").status_code == 403


def test_a_plan_carried_out_is_one_figure_on_the_plan_page_the_dashboard_and_the_capacity_indicator(
        client, plan, admin_a, tree, year):
    from lms.assessments import unit_indicators
    from lms.reports import metrics

    people = plan["people"]
    # A third Q1 cohort for coordinators, beyond the province's q1 (2 planned): it makes up for nothing.
    make_cohort(tree.grassroots_a, admin_a, title="Q1 xã thêm", status=CLOSED, starts=date(year, 1, 20),
                participants=[(people[5], True), (people[6], False)])
    # Bát Xát's own plan: Q1 coordinators (met by its own cohorts, counted once) and Q4 club heads (not held).
    for quarter, group, cohorts in ((1, "coordinators", 1), (4, "club_heads", 2)):
        db.session.add(TrainingPlanItem(unit_id=tree.grassroots_a.id, year=year, quarter=quarter, target_group=group,
                                        planned_cohorts=cohorts, planned_participants=20, created_by_id=admin_a.id))
    db.session.commit()
    # Planned: the province's 2 + 1 + 1 and Bát Xát's 1 + 2 = 7. Carried out: 2 + 1 + 1 and 1 + 0 = 5. Counting
    # every held cohort of the year instead would give 8 of 7, "met".
    assert plans.plans_carried_out(tree.province_a, year) == (5, 7)
    assert plans.plans_carried_out(tree.grassroots_a, year) == (1, 3)
    assert plans.plans_carried_out(tree.province_b, year) == (0, 0)

    sign_in_as(client, admin_a)
    page = text(client.get(f"/trainers/plans?unit={tree.province_a.id}&year={year}"))
    assert (f"Kế hoạch năm {year} của {tree.province_a.name} và các đơn vị trực thuộc: đã tổ chức 5 trong 7 lớp "
            "theo kế hoạch (71,4%)." in page)
    targets = metrics.TABLES["targets"](tree.province_a, year)
    row = next(row for row in targets.rows if row[0] == "Lớp tập huấn tổ chức so với kế hoạch năm")
    assert row[1:] == (100.0, 5, 7, 71.4, "Chưa đạt")
    assert unit_indicators.cohorts_vs_plan(tree.province_a, year) == 71.4
    assert unit_indicators.cohorts_vs_plan(tree.grassroots_a, year) == 33.3
    branch_page = text(client.get(f"/trainers/plans?unit={tree.grassroots_a.id}&year={year}"))
    assert "đã tổ chức 1 trong 3 lớp theo kế hoạch (33,3%)." in branch_page

    # The province's own items added up, each up to its numbers: q1's third cohort and its sixth participant
    # are not counted; its completions are all shown.
    totals = plans.year_plan(tree.province_a, year).totals
    assert (totals.planned_cohorts, totals.planned_participants) == (4, 18)
    assert totals.subtree == plans.Held(cohorts=4, participants=5 + 2 + 2, completed=4 + 1 + 2 + 0)
    assert totals.unit == plans.Held(cohorts=1, participants=3, completed=2)


@pytest.mark.parametrize("raw", ["abc", "1999", "{after}", "0{this}", "", "２０２５"])
def test_a_year_no_plan_can_be_of_is_refused_with_the_years_to_choose_from(client, plan, admin_a, tree, year, raw):
    """Plans are looked at from 2000 to five years ahead, the last year an item may be added to."""
    sign_in_as(client, admin_a)
    raw = raw.format(this=year, after=year + 6)
    for address in (f"/trainers/plans?year={raw}", f"/trainers/plans?unit={tree.province_a.id}&year={raw}",
                    f"/trainers/plans.xlsx?unit={tree.province_a.id}&year={raw}",
                    f"/trainers/plans.csv?unit={tree.province_a.id}&year={raw}"):
        response = client.get(address)
        assert response.status_code == 400, address
        assert f"Năm không hợp lệ: hãy chọn một năm từ 2000 đến {year + 5}." in text(response)


def test_every_link_of_a_plan_page_opens_from_the_first_year_to_the_last(client, plan, admin_a, tree, year):
    sign_in_as(client, admin_a)
    for shown, past_the_end in ((2000, 1999), (year, None), (year + 5, year + 6)):
        page = text(client.get(f"/trainers/plans?unit={tree.province_a.id}&year={shown}"))
        assert f"Kế hoạch tập huấn năm {shown}" in page
        assert past_the_end is None or f"year={past_the_end}" not in page
        for link in set(re.findall(r'href="(/trainers/plans[^"]*)"', page)):
            assert client.get(html.unescape(link)).status_code == 200, link


def test_items_are_added_only_to_a_year_a_plan_is_kept_for(client, admin_a, tree, year):
    sign_in_as(client, admin_a)
    for raw in (year - 2, year + 6, "abc"):
        response = client.get(f"/trainers/plans/new?unit={tree.province_a.id}&year={raw}")
        assert response.status_code == 400
        assert f"Năm không hợp lệ: hãy chọn một năm từ {year - 1} đến {year + 5}." in text(response)
    response = client.post(f"/trainers/plans/new?unit={tree.province_a.id}&year={year + 6}", data=_item_data(year))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(TrainingPlanItem.id))) == 0
    # A year typed that the form refuses: the way back is to the plan the page was opened for, which opens.
    page = text(client.post(f"/trainers/plans/new?unit={tree.province_a.id}&year={year + 1}",
                            data=_item_data(year + 6)))
    assert f"Năm kế hoạch phải từ {year - 1} đến {year + 5}." in page
    assert page.count(f'href="/trainers/plans?unit={tree.province_a.id}&amp;year={year + 1}"') == 2
    assert f"year={year + 6}" not in page


def test_plan_of_another_province_is_refused(client, plan, admin_b, tree, year):
    sign_in_as(client, admin_b)
    item = plan["items"]["q1"]
    assert client.get(f"/trainers/plans?unit={tree.province_a.id}").status_code == 403
    assert client.get(f"/trainers/plans?unit={tree.grassroots_a.id}").status_code == 403
    assert client.get(f"/trainers/plans/new?unit={tree.province_a.id}").status_code == 403
    assert client.post(f"/trainers/plans/new?unit={tree.province_a.id}", data=_item_data(year)).status_code == 403
    assert client.get(f"/trainers/plans/{item.id}/edit").status_code == 403
    assert client.post(f"/trainers/plans/{item.id}/delete").status_code == 403
    assert db.session.get(TrainingPlanItem, item.id) is not None
    assert client.get(f"/trainers/plans?unit={tree.province_b.id}").status_code == 200
    assert client.get("/trainers/plans?unit=999999").status_code == 404
    assert client.get("/trainers/plans?unit=abc").status_code == 404


def test_a_trainer_sees_the_plan_but_does_not_change_it(client, plan, trainer, tree, year):
    sign_in_as(client, trainer.user)
    page = text(client.get(f"/trainers/plans?unit={tree.province_a.id}&year={year}"))
    assert "Điều phối viên" in page and "Thêm mục kế hoạch" not in page
    assert client.get(f"/trainers/plans/new?unit={tree.province_a.id}").status_code == 403


def test_a_learner_has_no_plan_page(client, cadre_a, tree):
    sign_in_as(client, cadre_a)
    assert client.get("/trainers/plans").status_code == 403


def _item_data(the_year, **fields):
    return {"year": str(the_year), "quarter": "2", "target_group": "coordinators", "course_id": "",
            "planned_cohorts": "2", "planned_participants": "60", **fields}


def test_admin_adds_a_plan_item(client, admin_a, tree, course, year):
    sign_in_as(client, admin_a)
    form = text(client.get(f"/trainers/plans/new?unit={tree.province_a.id}&year={year}"))
    assert "Điều phối viên" in form and "Đội trưởng đội hình" in form and course.title in form
    response = client.post(f"/trainers/plans/new?unit={tree.province_a.id}",
                           data=_item_data(year, course_id=str(course.id), target_group="team_leaders"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/trainers/plans?unit={tree.province_a.id}&year={year}")
    item = db.session.scalar(select(TrainingPlanItem))
    assert (item.unit_id, item.year, item.quarter, item.target_group, item.course_id, item.planned_cohorts,
            item.planned_participants, item.created_by_id) == (tree.province_a.id, year, 2, "team_leaders",
                                                               course.id, 2, 60, admin_a.id)
    assert f"Đã thêm mục kế hoạch năm {year}." in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("fields, message", [
    ({"year": "YEAR-2"}, "Năm kế hoạch phải từ YEAR-1 đến YEAR+5."),
    ({"year": "YEAR+6"}, "Năm kế hoạch phải từ YEAR-1 đến YEAR+5."),
    ({"year": ""}, "Hãy nhập năm kế hoạch."),
    ({"year": "năm nay"}, "Hãy nhập một số nguyên, ví dụ 15."),
    ({"quarter": "5"}, "Quý phải là 1, 2, 3 hoặc 4."),
    ({"quarter": "0"}, "Quý phải là 1, 2, 3 hoặc 4."),
    ({"target_group": ""}, "Hãy chọn đối tượng tập huấn."),
    ({"target_group": "volunteers"}, "Hãy chọn đối tượng tập huấn."),
    ({"planned_cohorts": "0"}, "Số lớp dự kiến phải từ 1 đến 100."),
    ({"planned_cohorts": ""}, "Hãy nhập số lớp dự kiến."),
    ({"planned_participants": "0"}, "Số học viên dự kiến phải từ 1 đến 10000."),
    ({"planned_participants": "-3"}, "Số học viên dự kiến phải từ 1 đến 10000."),
    ({"course_id": "999999"}, "Hãy chọn một mục trong danh sách."),
])
def test_plan_item_validation_messages(client, admin_a, tree, year, fields, message):
    def fill(value: str) -> str:
        for offset in ("-2", "-1", "+5", "+6"):
            value = value.replace(f"YEAR{offset}", str(year + int(offset)))
        return value

    sign_in_as(client, admin_a)
    response = client.post(f"/trainers/plans/new?unit={tree.province_a.id}",
                           data=_item_data(year, **{k: fill(v) for k, v in fields.items()}))
    assert response.status_code == 200
    page = text(response)
    assert fill(message) in page
    assert "Vui lòng sửa các lỗi sau:" in page
    assert db.session.scalar(select(func.count(TrainingPlanItem.id))) == 0
    # What was typed is kept.
    typed = _item_data(year, **{k: fill(v) for k, v in fields.items()})
    for name in ("year", "planned_cohorts", "planned_participants"):
        if typed[name]:
            assert f'value="{typed[name]}"' in page, name


def test_service_refuses_what_the_form_would_refuse(tree, admin_a, year):
    values = plans.ItemValues(year=year - 2, quarter=5, target_group="x", course_id=None, planned_cohorts=0,
                              planned_participants=0)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.add_item(tree.province_a, values, admin_a)
    assert set(refused.value.errors) == {"year", "quarter", "target_group", "planned_cohorts", "planned_participants"}


def test_admin_edits_a_plan_item_and_cannot_edit_a_closed_year(client, plan, admin_a, tree, year):
    sign_in_as(client, admin_a)
    item = plan["items"]["q3"]
    form = text(client.get(f"/trainers/plans/{item.id}/edit"))
    assert re.search(r'<input[^>]*checked[^>]*value="3"', form)
    response = client.post(f"/trainers/plans/{item.id}/edit",
                           data=_item_data(year, quarter="4", target_group="club_heads", planned_cohorts="3",
                                           planned_participants="75"))
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.quarter, item.planned_cohorts, item.planned_participants) == (4, 3, 75)
    refused = client.post(f"/trainers/plans/{item.id}/edit", data=_item_data(year, planned_cohorts="0"))
    assert "Số lớp dự kiến phải từ 1 đến 100." in text(refused)
    db.session.refresh(item)
    assert item.planned_cohorts == 3

    old = TrainingPlanItem(unit_id=tree.province_a.id, year=year - 2, quarter=1, target_group="cadres",
                           planned_cohorts=1, planned_participants=10, created_by_id=admin_a.id)
    db.session.add(old)
    db.session.commit()
    response = client.get(f"/trainers/plans/{old.id}/edit", follow_redirects=True)
    assert f"Kế hoạch năm {year - 2} đã khép lại, không sửa được nữa." in text(response)
    response = client.post(f"/trainers/plans/{old.id}/delete", follow_redirects=True)
    assert f"Kế hoạch năm {year - 2} đã khép lại, không xóa được nữa." in text(response)
    assert db.session.get(TrainingPlanItem, old.id) is not None
    page = text(client.get(f"/trainers/plans?unit={tree.province_a.id}&year={year - 2}"))
    assert f"/trainers/plans/{old.id}/edit" not in page and "chỉ còn để xem" in page


def test_admin_deletes_an_item_but_not_one_a_cohort_is_linked_to(client, plan, admin_a, year):
    sign_in_as(client, admin_a)
    free, linked = plan["items"]["q1"], plan["items"]["q3"]
    response = client.post(f"/trainers/plans/{linked.id}/delete", follow_redirects=True)
    assert "Không xóa được: 1 lớp tập huấn đang gắn với mục kế hoạch này." in text(response)
    assert db.session.get(TrainingPlanItem, linked.id) is not None
    response = client.post(f"/trainers/plans/{free.id}/delete", follow_redirects=True)
    assert "Đã xóa mục kế hoạch." in text(response)
    db.session.expire_all()
    assert db.session.get(TrainingPlanItem, free.id) is None
    assert client.get(f"/trainers/plans/{free.id}/edit").status_code == 404


def test_every_mistake_is_shown_at_once(client, admin_a, tree, year):
    sign_in_as(client, admin_a)
    page = text(client.post(f"/trainers/plans/new?unit={tree.province_a.id}",
                            data=_item_data(year - 3, target_group="", planned_cohorts="0", quarter="")))
    for message in (f"Năm kế hoạch phải từ {year - 1} đến {year + 5}.", "Hãy chọn đối tượng tập huấn.",
                    "Số lớp dự kiến phải từ 1 đến 100.", "Quý phải là 1, 2, 3 hoặc 4."):
        assert message in page
