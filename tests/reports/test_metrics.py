"""The report tables of lms.reports.metrics: every figure against a direct count on the fixture data,
and each node's tables holding only its own subtree."""
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from sqlalchemy import select

from lms.assessments.models import Campaign, CompetencyResult, Participant, UnitAssessment
from lms.courses.models import CORE_COURSE_SLUG, Assignment, Course, Enrolment
from lms.db import db
from lms.orgs.models import AREA_FLAGS, AREA_NAMES, Unit
from lms.orgs.services import close_unit, create_unit
from lms.people.models import COORDINATOR, SECRETARY, User
from lms.reports import charts, dashboard, metrics, queries
from lms.reports.tables import DATE, INT, PERCENT, TEXT, Table
from lms.trainers.models import Cohort, CohortParticipant, TrainerProfile, TrainingPlanItem
from lms.years import FIRST_YEAR
from tests.conftest import level

YEAR = 2026
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(metrics, "local_today", lambda: TODAY)


@dataclass
class World:
    tree: object
    grassroots_a2: Unit
    closed_a: Unit
    empty_closed_a: Unit
    core: Course
    other: Course
    draft: Course
    people: dict[str, User] = field(default_factory=dict)
    campaign: Campaign | None = None


def person(unit: Unit, key: str, *, active: bool = True, role: str | None = None) -> User:
    user = User(full_name=f"Cán bộ {key}", unit=unit, email=f"{key}@example.org", is_active=active,
                volunteer_role=role)
    db.session.add(user)
    return user


def enrol(user: User, course: Course, *, done: bool = False, assignment: Assignment | None = None) -> Enrolment:
    enrolment = Enrolment(user=user, course=course, assignment=assignment,
                          due_on=assignment.due_on if assignment else None,
                          completed_at=datetime(2026, 2, 1, 8, 0) if done else None)
    db.session.add(enrolment)
    return enrolment


@pytest.fixture()
def world(tree, framework) -> World:
    a2 = create_unit(parent=tree.province_a, level=level("grassroots"), code="DOAN-LCI-SAPA", name="Đoàn phường Sa Pa")
    closed_a = create_unit(parent=tree.province_a, level=level("grassroots"), code="DOAN-LCI-CU",
                           name="Đoàn xã Cũ")
    empty_closed_a = create_unit(parent=tree.province_a, level=level("grassroots"), code="DOAN-LCI-TRONG",
                                 name="Đoàn xã Trống")
    core = Course(slug=CORE_COURSE_SLUG, title="Quản lý, điều phối hoạt động tình nguyện", status="published")
    other = Course(slug="ky-nang-tap-huan-vien", title="Kỹ năng tập huấn viên", status="published")
    draft = Course(slug="khoa-nhap", title="Khóa nháp", status="draft")
    db.session.add_all([core, other, draft])
    db.session.flush()
    w = World(tree, a2, closed_a, empty_closed_a, core, other, draft)
    p = w.people
    # Cadres: (key, unit, active, volunteer role)
    p["tw"] = person(tree.central, "tw")
    p["pa1"] = person(tree.province_a, "pa1", role=COORDINATOR)
    p["pa2"] = person(tree.province_a, "pa2")
    p["ga1"] = person(tree.grassroots_a, "ga1", role=COORDINATOR)
    p["ga2"] = person(tree.grassroots_a, "ga2")
    p["ga3"] = person(tree.grassroots_a, "ga3", role=SECRETARY)
    p["ga_gone"] = person(tree.grassroots_a, "ga-gone", active=False, role=COORDINATOR)
    p["ba1"] = person(tree.branch_a, "ba1")
    p["ba2"] = person(tree.branch_a, "ba2", role=COORDINATOR)
    p["sp1"] = person(a2, "sp1", role=COORDINATOR)
    p["sp2"] = person(a2, "sp2")
    p["old"] = person(closed_a, "old")
    p["pb1"] = person(tree.province_b, "pb1")
    p["gb1"] = person(tree.grassroots_b, "gb1", role=COORDINATOR)
    p["gb2"] = person(tree.grassroots_b, "gb2")
    p["bb1"] = person(tree.branch_b, "bb1")
    db.session.flush()
    tw = p["tw"]

    # Core course: enrolled and completed.
    for key, done in [("tw", True), ("pa1", True), ("ga1", True), ("ga2", False), ("ga_gone", True),
                      ("ba1", True), ("ba2", True), ("sp1", False), ("sp2", True), ("old", True),
                      ("pb1", False), ("gb1", True), ("bb1", True)]:
        enrol(p[key], core, done=done)
    # Required enrolments in the other course: past, future and last year's due dates.
    past = Assignment(course=other, unit=tree.central, due_on=date(2026, 3, 1), assigned_by=tw)
    future = Assignment(course=other, unit=tree.central, due_on=date(2026, 9, 1), assigned_by=tw)
    last_year = Assignment(course=other, unit=tree.central, due_on=date(2025, 12, 1), assigned_by=tw)
    db.session.add_all([past, future, last_year])
    db.session.flush()
    enrol(p["ga2"], other, assignment=past)  # overdue
    enrol(p["ga3"], other, assignment=past, done=True)  # due, done
    enrol(p["ba1"], other, assignment=future)  # due, not yet overdue
    enrol(p["ga_gone"], other, assignment=past)  # inactive: not counted
    enrol(p["gb2"], other, assignment=past)  # overdue, province B
    enrol(p["bb1"], other, assignment=last_year)  # due last year
    enrol(p["pa2"], other, done=True)  # chosen, not required
    enrol(p["pa2"], draft, done=True)  # draft course: never in the courses table

    # Cohorts: held (open or closed) in the year, planned, and last year's.
    def cohort(unit, status, starts, people):
        c = Cohort(title=f"Lớp {unit.code} {starts}", unit=unit, starts_on=starts, ends_on=starts, status=status,
                   created_by_id=tw.id, target_group="coordinators")
        db.session.add(c)
        db.session.flush()
        for key, completed in people:
            db.session.add(CohortParticipant(cohort_id=c.id, user_id=p[key].id, completed=completed))
        return c

    cohort(tree.province_a, "closed", date(2026, 3, 10), [("ga1", True), ("ga2", False), ("ba1", True)])
    cohort(tree.grassroots_a, "open", date(2026, 5, 1), [("ga1", None), ("ga3", None)])
    cohort(tree.grassroots_a, "planned", date(2026, 4, 1), [("ga2", None)])
    cohort(tree.grassroots_a, "closed", date(2025, 11, 1), [("ga3", True)])
    cohort(tree.province_b, "closed", date(2026, 2, 1), [("gb1", True), ("ga1", True)])
    for unit, year, planned in [(tree.province_a, 2026, 3), (tree.grassroots_a, 2026, 1), (tree.province_b, 2026, 2),
                                (tree.province_a, 2025, 5)]:
        db.session.add(TrainingPlanItem(unit_id=unit.id, year=year, quarter=1, target_group="coordinators",
                                        planned_cohorts=planned, created_by_id=tw.id))

    # Trainers.
    for key, tier, status in [("tw", "master", "certified"), ("pa1", "provincial", "certified"),
                              ("ga1", "grassroots", "certified"), ("ga2", "grassroots", "candidate"),
                              ("ba1", "grassroots", "expired"), ("gb1", "provincial", "suspended"),
                              ("pb1", "provincial", "certified")]:
        db.session.add(TrainerProfile(user_id=p[key].id, tier=tier, status=status))

    # Campaigns: the national one of the year, a province B one, one of grassroots A, a draft, last year's.
    def campaign(unit, title, opens_on, status="open"):
        c = Campaign(title=title, framework_id=framework.id, unit_id=unit.id, opens_on=opens_on,
                     due_on=date(opens_on.year, 12, 1), status=status, created_by_id=tw.id)
        db.session.add(c)
        db.session.flush()
        return c

    national = campaign(tree.central, "Đánh giá năng lực 2026", date(2026, 3, 1))
    in_b = campaign(tree.province_b, "Đánh giá An Giang 2026", date(2026, 4, 1))
    in_a = campaign(tree.grassroots_a, "Đánh giá Bát Xát 2026", date(2026, 5, 1), status="closed")
    draft_campaign = campaign(tree.central, "Nháp 2026", date(2026, 7, 1), status="draft")
    old = campaign(tree.central, "Đánh giá năng lực 2025", date(2025, 3, 1), status="closed")
    w.campaign = national

    def participant(c, key, level_code, done, results=()):
        user = p[key]
        row = Participant(campaign_id=c.id, user_id=user.id, unit_id=user.unit_id, level_code=level_code,
                          expected={}, completed_at=datetime(2026, 4, 1) if done else None)
        db.session.add(row)
        db.session.flush()
        for code, domain, expected, achieved in results:
            gap = max(expected - achieved, 0) if achieved is not None else 0
            db.session.add(CompetencyResult(participant_id=row.id, competency_code=code, domain_code=domain,
                                            expected=expected, achieved=achieved, gap=gap))

    participant(national, "ga1", "grassroots", True, [("PLAN", "D1", 2, 2), ("TEAM", "D1", 3, 1), ("SAFE", "D2", 2, 2)])
    participant(national, "ga2", "grassroots", False, [("PLAN", "D1", 2, None), ("SAFE", "D2", 2, 1)])
    participant(national, "ga3", "grassroots", False)
    participant(national, "ba1", "branch", True, [("PLAN", "D1", 1, 3), ("TRAIN", "D2", 1, 1)])
    participant(national, "gb1", "grassroots", True, [("TEAM", "D1", 3, 2)])
    participant(national, "pa1", "province", True)
    participant(in_b, "gb2", "grassroots", False)
    participant(in_b, "bb1", "branch", True, [("PLAN", "D1", 1, 0 + 1), ("SAFE", "D2", 2, 1)])
    participant(in_a, "ga3", "grassroots", True, [("TRAIN", "D2", 2, 1)])
    participant(draft_campaign, "ga1", "grassroots", False, [("PLAN", "D1", 4, 1)])
    participant(old, "ga1", "grassroots", True, [("PLAN", "D1", 4, 1), ("SAFE", "D2", 4, 1)])
    for c, unit, status in [(national, tree.province_a, "approved"), (national, tree.grassroots_a, "submitted"),
                            (national, a2, "not_started"), (national, tree.province_b, "returned"),
                            (national, tree.grassroots_b, "draft"), (national, tree.central, "draft"),
                            (in_b, tree.grassroots_b, "approved"), (in_a, tree.branch_a, "approved"),
                            (old, tree.province_a, "approved")]:
        db.session.add(UnitAssessment(campaign_id=c.id, unit_id=unit.id, status=status))
    db.session.commit()
    close_unit(closed_a, "Sáp nhập")
    close_unit(empty_closed_a, "Sáp nhập")
    db.session.commit()
    return w


def by_label(table: Table) -> dict[str, dict]:
    """{first column: {column key: value}} of a table."""
    return {row[0]: {column.key: value for column, value in zip(table.columns, row)} for row in table.rows}


def build(key: str, node: Unit, year: int = YEAR) -> Table:
    table = metrics.TABLES[key](node, year)
    assert table.key == key
    assert len(table.rows) == len(table.row_units)
    assert all(len(row) == len(table.columns) for row in table.rows)
    assert table.note and table.title
    return table


# --- The registry ---------------------------------------------------------------------------------

def test_registry_lists_every_table_in_dashboard_order():
    assert metrics.TABLE_ORDER == ["coverage", "courses", "areas", "cascade", "trainers", "gaps", "campaigns",
                                   "capacity", "targets"]
    # Besides the dashboard's sections, the yearly reports sent up, which the dashboard shows with their files,
    # and how many units of each level have sent theirs.
    assert set(metrics.TABLES) == {*metrics.TABLE_ORDER, "sent", "sent_levels"}


def test_children_are_the_open_units_directly_under_in_name_order(world):
    t = world.tree
    assert [u.code for u in metrics.children_of(t.central)] == ["DOAN-AGG", "DOAN-LCI"]
    assert [u.name for u in metrics.children_of(t.province_a)] == ["Đoàn phường Sa Pa", "Đoàn xã Bát Xát"]
    assert metrics.children_of(t.branch_a) == []


def test_every_table_has_typed_columns_and_a_vietnamese_note(world):
    for key in metrics.TABLE_ORDER:
        table = build(key, world.tree.central)
        kinds = {column.kind for column in table.columns}
        assert kinds <= {TEXT, INT, PERCENT, DATE}
        assert table.columns[0].kind == TEXT
        assert len({column.key for column in table.columns}) == len(table.columns)
        for row in table.rows:
            for column, value in zip(table.columns, row):
                if column.kind == INT:
                    assert isinstance(value, int)
                elif column.kind == PERCENT:
                    assert value is None or isinstance(value, float)
                elif column.kind == DATE:
                    assert isinstance(value, date)
                else:
                    assert isinstance(value, str)


# --- Coverage -------------------------------------------------------------------------------------

def test_coverage_per_province_counts_active_cadres_and_the_core_course(world):
    t = world.tree
    table = build("coverage", t.central)
    rows = by_label(table)
    assert list(rows) == ["Tỉnh đoàn An Giang", "Tỉnh đoàn Lào Cai", "Trung ương Đoàn TNCS Hồ Chí Minh (chính đơn vị)"]
    assert table.row_units == [t.province_b.id, t.province_a.id, None]
    # Lào Cai: pa1 pa2 ga1 ga2 ga3 ba1 ba2 sp1 sp2 old (ga_gone is inactive).
    assert rows["Tỉnh đoàn Lào Cai"] == {"unit": "Tỉnh đoàn Lào Cai", "cadres": 10, "enrolled": 8, "completed": 6,
                                         "completed_pct": 60.0, "required": 3, "overdue": 1}
    assert rows["Tỉnh đoàn An Giang"] == {"unit": "Tỉnh đoàn An Giang", "cadres": 4, "enrolled": 3, "completed": 2,
                                          "completed_pct": 50.0, "required": 1, "overdue": 1}
    assert rows["Trung ương Đoàn TNCS Hồ Chí Minh (chính đơn vị)"]["cadres"] == 1


def test_coverage_under_a_province_shows_closed_units_only_with_figures(world):
    t = world.tree
    table = build("coverage", t.province_a)
    rows = by_label(table)
    assert list(rows) == ["Đoàn phường Sa Pa", "Đoàn xã Bát Xát", "Đoàn xã Cũ (đã giải thể)",
                          "Tỉnh đoàn Lào Cai (chính đơn vị)"]
    assert table.row_units == [world.grassroots_a2.id, t.grassroots_a.id, world.closed_a.id, None]
    assert rows["Đoàn xã Bát Xát"]["cadres"] == 5  # ga1 ga2 ga3 ba1 ba2
    assert (rows["Đoàn xã Bát Xát"]["enrolled"], rows["Đoàn xã Bát Xát"]["completed"]) == (4, 3)
    assert rows["Đoàn xã Bát Xát"]["completed_pct"] == 60.0
    assert (rows["Đoàn xã Bát Xát"]["required"], rows["Đoàn xã Bát Xát"]["overdue"]) == (3, 1)
    assert rows["Đoàn phường Sa Pa"]["completed_pct"] == 50.0
    assert rows["Tỉnh đoàn Lào Cai (chính đơn vị)"]["cadres"] == 2


def test_coverage_of_a_leaf_has_only_its_own_row(world):
    table = build("coverage", world.tree.branch_a)
    assert table.rows == [("Chi đoàn thôn Bản Vai (chính đơn vị)", 2, 2, 2, 100.0, 1, 0)]
    assert table.row_units == [None]


def test_coverage_counts_required_enrolments_by_the_year_they_fall_due(world):
    rows = by_label(build("coverage", world.tree.central, 2025))
    assert rows["Tỉnh đoàn An Giang"]["required"] == 1  # bb1, due in December 2025
    assert rows["Tỉnh đoàn An Giang"]["overdue"] == 1
    assert rows["Tỉnh đoàn Lào Cai"]["required"] == 0


# --- Courses --------------------------------------------------------------------------------------

def test_courses_by_level_counts_published_courses_only(world):
    t = world.tree
    table = build("courses", t.central)
    assert table.row_units == [None] * len(table.rows)
    got = {(row[0], row[1]): row[2:] for row in table.rows}
    levels = ["Trung ương", "Tỉnh / thành phố", "Cơ sở", "Chi đoàn / chi hội"]
    assert [row[0] for row in table.rows] == ["Kỹ năng tập huấn viên"] * 4 + [world.core.title] * 4
    assert [row[1] for row in table.rows] == levels * 2
    core = world.core.title
    assert got[(core, "Trung ương")] == (1, 1, 100.0)
    assert got[(core, "Tỉnh / thành phố")] == (2, 1, 50.0)  # pa1 done, pb1 not
    # Grassroots: ga1 ga2 sp1 sp2 old gb1 (ga_gone inactive); done: ga1 sp2 old gb1.
    assert got[(core, "Cơ sở")] == (6, 4, 66.7)
    assert got[(core, "Chi đoàn / chi hội")] == (3, 3, 100.0)
    other = "Kỹ năng tập huấn viên"
    assert got[(other, "Trung ương")] == (0, 0, None)
    assert got[(other, "Tỉnh / thành phố")] == (1, 1, 100.0)
    assert got[(other, "Cơ sở")] == (3, 1, 33.3)
    assert got[(other, "Chi đoàn / chi hội")] == (2, 0, 0.0)
    assert all("nháp" not in row[0] for row in table.rows)


def test_courses_of_a_province_keep_to_its_subtree_and_levels(world):
    table = build("courses", world.tree.province_b)
    got = {(row[0], row[1]): row[2:] for row in table.rows}
    assert {level for _course, level in got} == {"Tỉnh / thành phố", "Cơ sở", "Chi đoàn / chi hội"}
    assert got[(world.core.title, "Tỉnh / thành phố")] == (1, 0, 0.0)
    assert got[(world.core.title, "Cơ sở")] == (1, 1, 100.0)
    assert got[("Kỹ năng tập huấn viên", "Chi đoàn / chi hội")] == (1, 0, 0.0)


# --- Cascade and trainers -------------------------------------------------------------------------

def test_cascade_counts_held_cohorts_of_the_year_and_distinct_participants(world):
    t = world.tree
    rows = by_label(build("cascade", t.central))
    # Lào Cai: the province's closed cohort (ga1 ga2 ba1) and Bát Xát's open one (ga1 ga3); the planned
    # cohort and last year's are not held in 2026. Its cadres trained: ga1 (also in An Giang's cohort), ga2, ga3
    # and ba1, 4 of its 10 active cadres.
    assert rows["Tỉnh đoàn Lào Cai"] == {"unit": "Tỉnh đoàn Lào Cai", "cohorts": 2, "participants": 4,
                                         "completed": 2, "trained_pct": 40.0, "certified_trainers": 2}
    # An Giang's cohort trained gb1 and Lào Cai's ga1: one of An Giang's 4 active cadres.
    assert rows["Tỉnh đoàn An Giang"] == {"unit": "Tỉnh đoàn An Giang", "cohorts": 1, "participants": 2,
                                          "completed": 2, "trained_pct": 25.0, "certified_trainers": 1}
    assert rows["Trung ương Đoàn TNCS Hồ Chí Minh (chính đơn vị)"]["certified_trainers"] == 1
    inner = by_label(build("cascade", t.province_a))
    # Bát Xát's cadres ga1, ga2, ga3 and ba1 were trained, ba2 was not (ga-gone, inactive, is not counted);
    # the provincial office's own cadres were not, though its cohort trained three people.
    assert inner["Đoàn xã Bát Xát"] == {"unit": "Đoàn xã Bát Xát", "cohorts": 1, "participants": 2, "completed": 0,
                                        "trained_pct": 80.0, "certified_trainers": 1}
    assert inner["Tỉnh đoàn Lào Cai (chính đơn vị)"] == {
        "unit": "Tỉnh đoàn Lào Cai (chính đơn vị)", "cohorts": 1, "participants": 3, "completed": 2,
        "trained_pct": 0.0, "certified_trainers": 1}
    assert inner["Đoàn phường Sa Pa"]["cohorts"] == 0
    assert "Đoàn xã Cũ (đã giải thể)" not in inner or inner["Đoàn xã Cũ (đã giải thể)"]["cohorts"] == 0


def test_the_cascade_chart_draws_the_share_of_each_units_cadres_trained(app, world):
    """Not the raw number of people trained, which would put the smallest units furthest behind."""
    with app.test_request_context("/"):
        chart = charts.chart_for(build("cascade", world.tree.central))
    bars = {bar.label: bar.value_text for bar in chart.bars}
    assert chart.measure == "Tỉ lệ cán bộ được tập huấn trong năm"
    assert bars["Tỉnh đoàn Lào Cai"] == "40,0%" and bars["Tỉnh đoàn An Giang"] == "25,0%"


def test_cascade_of_last_year(world):
    rows = by_label(build("cascade", world.tree.province_a, 2025))
    assert rows["Đoàn xã Bát Xát"]["cohorts"] == 1
    assert rows["Đoàn xã Bát Xát"]["completed"] == 1
    assert rows["Đoàn xã Bát Xát"]["trained_pct"] == 20.0  # ga3, of 5


def test_training_in_priority_areas_counts_the_units_that_carry_each_flag(world):
    t = world.tree
    rows = by_label(build("areas", t.central))
    # Lào Cai and every unit under it are mountainous and border; Bát Xát and its branch ethnic-minority too;
    # Phú Quốc and its branch islands. No unit is overseas: no row. Closed units are not counted as units, but
    # the active cadre of one still is (as in the coverage table).
    assert list(rows) == ["Miền núi", "Vùng đồng bào dân tộc thiểu số", "Biên giới", "Hải đảo", "Mọi địa bàn"]
    mountain = {"area": "Miền núi", "units": 4, "grassroots": 2, "covered": 1, "cadres": 10, "enrolled": 8,
                "completed": 6, "completed_pct": 60.0, "trained": 4}
    assert rows["Miền núi"] == mountain
    assert rows["Biên giới"] == {**mountain, "area": "Biên giới"}
    # Bát Xát: ga1 ga2 ga3, its branch: ba1 ba2; ga1 (a coordinator who completed the core course) covers it.
    assert rows["Vùng đồng bào dân tộc thiểu số"] == {
        "area": "Vùng đồng bào dân tộc thiểu số", "units": 2, "grassroots": 1, "covered": 1, "cadres": 5,
        "enrolled": 4, "completed": 3, "completed_pct": 60.0, "trained": 4}
    assert rows["Hải đảo"] == {"area": "Hải đảo", "units": 2, "grassroots": 1, "covered": 1, "cadres": 3,
                               "enrolled": 2, "completed": 2, "completed_pct": 66.7, "trained": 1}
    # ga1, trained by cohorts of Lào Cai, Bát Xát and An Giang, counts once.
    assert rows["Mọi địa bàn"] == {"area": "Mọi địa bàn", "units": 8, "grassroots": 3, "covered": 2, "cadres": 15,
                                   "enrolled": 12, "completed": 9, "completed_pct": 60.0, "trained": 5}
    summary = metrics.summary(t.central, YEAR)  # the same figures as the headline ones
    assert (summary["cadres"], summary["enrolled_core"], summary["completed_core"]) == (15, 12, 9)
    # An Giang's own figures only: ga1 of Lào Cai, trained in An Giang's cohort, is Lào Cai's.
    rows = by_label(build("areas", t.province_b))
    assert list(rows) == ["Hải đảo", "Mọi địa bàn"]
    assert rows["Mọi địa bàn"] == {"area": "Mọi địa bàn", "units": 3, "grassroots": 1, "covered": 1, "cadres": 4,
                                   "enrolled": 3, "completed": 2, "completed_pct": 50.0, "trained": 1}


def test_training_in_priority_areas_of_a_unit_without_any(world):
    plain = create_unit(parent=world.tree.central, level=level("province"), code="DOAN-HNI", name="Thành đoàn Hà Nội")
    table = build("areas", plain)
    assert table.rows == []
    assert table.note.startswith("Không đơn vị nào trong đơn vị và các cấp dưới mang dấu miền núi")


@pytest.mark.parametrize("flag", AREA_FLAGS)
def test_training_in_priority_areas_against_a_direct_count(world, flag):
    rows = by_label(build("areas", world.tree.central))
    flagged = {unit.id: unit for unit in db.session.scalars(select(Unit)) if getattr(unit, flag)}
    open_units = [unit for unit in flagged.values() if unit.closed_at is None]
    if not open_units:
        assert AREA_NAMES[flag] not in rows
        return
    cadres = [user for user in db.session.scalars(select(User)) if user.unit_id in flagged and user.is_active]
    core = {e.user_id: e for e in db.session.scalars(select(Enrolment).where(Enrolment.course_id == world.core.id))}
    enrolled = [user for user in cadres if user.id in core]
    completed = [user for user in enrolled if core[user.id].completed_at is not None]
    row = rows[AREA_NAMES[flag]]
    assert (row["units"], row["cadres"], row["enrolled"], row["completed"]) == (
        len(open_units), len(cadres), len(enrolled), len(completed))


def test_trainers_by_tier_and_status(world):
    t = world.tree
    table = build("trainers", t.central)
    assert [column.key for column in table.columns] == ["tier", "candidate", "certified", "expired", "suspended",
                                                        "total"]
    assert table.rows == [("Tập huấn viên nguồn", 0, 1, 0, 0, 1),
                          ("Tập huấn viên cấp tỉnh", 0, 2, 0, 1, 3),
                          ("Tập huấn viên cơ sở", 1, 1, 1, 0, 3)]
    assert build("trainers", t.province_a).rows == [("Tập huấn viên nguồn", 0, 0, 0, 0, 0),
                                                     ("Tập huấn viên cấp tỉnh", 0, 1, 0, 0, 1),
                                                     ("Tập huấn viên cơ sở", 1, 1, 1, 0, 3)]
    assert build("trainers", t.province_b).rows[1] == ("Tập huấn viên cấp tỉnh", 0, 1, 0, 1, 2)


def test_a_trainer_whose_account_is_deactivated_is_not_counted(world):
    province_b = world.tree.province_b
    certified = db.session.scalar(
        db.select(User).join(TrainerProfile, TrainerProfile.user_id == User.id).join(Unit, Unit.id == User.unit_id)
        .where(TrainerProfile.status == "certified", TrainerProfile.tier == "provincial",
               Unit.path.startswith(province_b.path)))
    certified.is_active = False
    db.session.commit()
    assert build("trainers", province_b).rows[1] == ("Tập huấn viên cấp tỉnh", 0, 0, 0, 1, 1)


# --- Assessment -----------------------------------------------------------------------------------

def test_gaps_heat_map_by_level_and_domain(world):
    t = world.tree
    table = build("gaps", t.central)
    assert [(c.key, c.kind) for c in table.columns] == [("level", TEXT), ("assessed", INT), ("domain_D1", PERCENT),
                                                        ("domain_D2", PERCENT)]
    assert [c.label for c in table.columns[2:]] == ["Tổ chức hoạt động", "An toàn và tập huấn"]
    rows = {row[0]: row[1:] for row in table.rows}
    # Grassroots, national campaign: ga1 (D1 short via TEAM, D2 fine), ga2 (D1 unrated, D2 short), gb1 (D1
    # short); Bát Xát's campaign: ga3 (D2 short). ga3 in the national campaign has no result yet.
    assert rows["Cơ sở"] == (4, 100.0, 66.7)
    # Branch: ba1 (no gap), bb1 in An Giang's campaign (D2 short).
    assert rows["Chi đoàn / chi hội"] == (2, 0.0, 50.0)
    assert rows["Tỉnh / thành phố"] == (0, None, None)
    assert rows["Trung ương"] == (0, None, None)


def test_gaps_of_a_province_count_its_participants_only(world):
    rows = {row[0]: row[1:] for row in build("gaps", world.tree.province_a).rows}
    assert list(rows) == ["Tỉnh / thành phố", "Cơ sở", "Chi đoàn / chi hội"]
    assert rows["Cơ sở"] == (3, 100.0, 66.7)  # ga1 ga2 ga3
    assert rows["Chi đoàn / chi hội"] == (1, 0.0, 0.0)
    assert {row[0]: row[1:] for row in build("gaps", world.tree.province_a, 2025).rows}["Cơ sở"] == (1, 100.0, 100.0)


def test_campaigns_of_the_year_around_the_node(world):
    t = world.tree
    table = build("campaigns", t.central)
    assert [c.key for c in table.columns] == ["campaign", "launched_by", "opens_on", "participants", "completed",
                                              "completed_pct", "not_started", "draft", "submitted", "returned",
                                              "approved"]
    # Beside the people, the columns counting units say so.
    assert [c.label for c in table.columns][3:7] == [
        "Người tham gia", "Đã hoàn thành", "Tỉ lệ hoàn thành trên số tham gia", "Đánh giá đơn vị: chưa bắt đầu"]
    assert table.columns[-1].label == "Đánh giá đơn vị: đã phê duyệt"
    assert build("capacity", t.central).columns[1].label == "Chưa bắt đầu"  # a table of units only
    rows = by_label(table)
    assert list(rows) == ["Đánh giá năng lực 2026", "Đánh giá An Giang 2026", "Đánh giá Bát Xát 2026"]
    national = rows["Đánh giá năng lực 2026"]
    assert national["launched_by"] == "Trung ương Đoàn TNCS Hồ Chí Minh"
    assert national["opens_on"] == date(2026, 3, 1)
    assert (national["participants"], national["completed"], national["completed_pct"]) == (6, 3 + 1, 66.7)
    assert [national[s] for s in ("not_started", "draft", "submitted", "returned", "approved")] == [1, 2, 1, 1, 1]
    a = by_label(build("campaigns", t.province_a))
    assert list(a) == ["Đánh giá năng lực 2026", "Đánh giá Bát Xát 2026"]
    assert (a["Đánh giá năng lực 2026"]["participants"], a["Đánh giá năng lực 2026"]["completed"]) == (5, 3)
    assert [a["Đánh giá năng lực 2026"][s] for s in ("not_started", "draft", "submitted", "returned", "approved")] \
        == [1, 0, 1, 0, 1]
    assert a["Đánh giá Bát Xát 2026"]["approved"] == 1
    b = by_label(build("campaigns", t.province_b))
    assert list(b) == ["Đánh giá năng lực 2026", "Đánh giá An Giang 2026"]
    assert (b["Đánh giá An Giang 2026"]["participants"], b["Đánh giá An Giang 2026"]["completed_pct"]) == (2, 50.0)


def test_capacity_by_unit_and_status(world):
    t = world.tree
    table = build("capacity", t.central)
    rows = by_label(table)
    assert table.row_units == [t.province_b.id, t.province_a.id, None]
    assert rows["Tỉnh đoàn Lào Cai"] == {"unit": "Tỉnh đoàn Lào Cai", "not_started": 1, "draft": 0, "submitted": 1,
                                         "returned": 0, "approved": 2, "total": 4}
    assert rows["Tỉnh đoàn An Giang"] == {"unit": "Tỉnh đoàn An Giang", "not_started": 0, "draft": 1,
                                          "submitted": 0, "returned": 1, "approved": 1, "total": 3}
    assert rows["Trung ương Đoàn TNCS Hồ Chí Minh (chính đơn vị)"]["draft"] == 1
    inner = by_label(build("capacity", t.province_a))
    assert inner["Đoàn xã Bát Xát"]["submitted"] == 1 and inner["Đoàn xã Bát Xát"]["approved"] == 1
    assert inner["Đoàn phường Sa Pa"]["not_started"] == 1
    assert inner["Tỉnh đoàn Lào Cai (chính đơn vị)"]["approved"] == 1
    assert by_label(build("capacity", t.province_a, 2025))["Tỉnh đoàn Lào Cai (chính đơn vị)"]["approved"] == 1


# --- Targets --------------------------------------------------------------------------------------

def test_targets_against_actual(world):
    table = build("targets", world.tree.central)
    assert [c.key for c in table.columns] == ["label", "target", "actual", "out_of", "actual_pct", "met"]
    rows = {row[0]: row[1:] for row in table.rows}
    # Open grassroots units: Bát Xát (ga1 coordinator, done), Sa Pa (sp1 coordinator, not done), Phú Quốc
    # (gb1 coordinator, done); the closed units are left out.
    assert rows["Đơn vị cơ sở có điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi"] == (
        100.0, 2, 3, 66.7, "Chưa đạt")
    assert rows["Cán bộ hoàn thành khóa học cốt lõi"] == (70.0, 9, 15, 60.0, "Chưa đạt")
    # The plans are all for coordinators in the first quarter: Lào Cai's 3 met by its March cohort, Bát Xát's 1
    # by none (its cohort of the year starts in May, outside any plan), An Giang's 2 by its February cohort.
    assert rows["Lớp tập huấn tổ chức so với kế hoạch năm"] == (100.0, 1 + 0 + 1, 3 + 1 + 2, 33.3, "Chưa đạt")
    # Unit assessments of 2026: the national campaign's 6, An Giang's 1 and Bát Xát's 1; sent: submitted 1 and
    # approved 3 (returned, draft and not started are not sent).
    assert rows["Đơn vị đã gửi đánh giá năng lực"] == (100.0, 4, 8, 50.0, "Chưa đạt")


def test_a_target_is_judged_on_the_exact_share_not_the_rounded_one():
    assert metrics.percent(1399, 1999) == 70.0  # as shown
    assert metrics.target_verdict(1399, 1999, 70.0) == metrics.NOT_MET
    assert metrics.target_verdict(1400, 2000, 70.0) == metrics.MET
    assert metrics.target_verdict(0, 0, 70.0) == metrics.NO_DATA


def test_targets_met_and_without_data(world):
    t = world.tree
    rows = {row[0]: row[1:] for row in build("targets", t.branch_a).rows}
    assert rows["Đơn vị cơ sở có điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi"] == (
        100.0, 0, 0, None, "Không có số liệu")
    assert rows["Cán bộ hoàn thành khóa học cốt lõi"] == (70.0, 2, 2, 100.0, "Đạt")
    assert rows["Đơn vị đã gửi đánh giá năng lực"] == (100.0, 1, 1, 100.0, "Đạt")
    grassroots = {row[0]: row[1:] for row in build("targets", t.grassroots_a).rows}
    assert grassroots["Đơn vị cơ sở có điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi"][1:3] == (1, 1)
    assert grassroots["Lớp tập huấn tổ chức so với kế hoạch năm"] == (100.0, 0, 1, 0.0, "Chưa đạt")
    assert rows["Lớp tập huấn tổ chức so với kế hoạch năm"] == (100.0, 0, 0, None, "Không có số liệu")


# --- Summary --------------------------------------------------------------------------------------

def test_summary_headline_figures(world):
    t = world.tree
    figures = metrics.summary(t.central, YEAR)
    assert list(figures) == list(metrics.SUMMARY_LABELS)
    assert figures == {
        "cadres": 15, "enrolled_core": 12, "completed_core": 9, "completed_core_pct": 60.0,
        "completed_core_in_year": 9, "required_due": 4, "overdue_required": 2,
        "cohorts_held": 3, "participants_trained": 5, "participants_completed": 3,
        "cadres_trained_pct": 33.3,  # Lào Cai's ga1, ga2, ga3 and ba1 and An Giang's gb1, of the 15 active cadres
        "certified_trainers": 4,
        "campaign_participants": 9, "campaign_completed": 6, "campaign_completed_pct": 66.7,
        "unit_assessments_approved": 3, "unit_assessments_total": 8,
    }
    a = metrics.summary(t.province_a, YEAR)
    assert (a["cadres"], a["cohorts_held"], a["participants_trained"], a["certified_trainers"]) == (10, 2, 4, 2)
    assert (a["cadres_trained_pct"], metrics.summary(t.province_b, YEAR)["cadres_trained_pct"]) == (40.0, 25.0)
    assert (a["campaign_participants"], a["unit_assessments_total"]) == (6, 4)
    assert metrics.summary_label("cadres") == "Cán bộ đang hoạt động"


def test_summary_of_an_empty_unit(world, tree):
    figures = metrics.summary(world.empty_closed_a, YEAR)
    assert figures["cadres"] == 0 and figures["completed_core_pct"] is None
    assert figures["campaign_completed_pct"] is None


def test_year_activity_counts_what_was_done_in_that_year_only(world):
    t = world.tree
    # 2025: Bát Xát's closed cohort (ga3, completed), last year's national campaign (ga1, completed) and
    # Lào Cai's unit assessment in it, approved.
    assert metrics.year_activity(t.central, 2025) == {
        "completed_core_in_year": 0, "cohorts_held": 1, "participants_trained": 1, "participants_completed": 1,
        "cadres_trained_pct": 6.7,  # ga3, of the 15 active cadres
        "campaign_participants": 1, "campaign_completed": 1, "campaign_completed_pct": 100.0,
        "unit_assessments_approved": 1, "unit_assessments_total": 1,
    }
    assert metrics.year_activity(t.province_a, 2025) == metrics.year_activity(t.central, 2025) | {
        "cadres_trained_pct": 10.0}  # ga3, of Lào Cai's 10
    quiet = metrics.year_activity(t.province_b, 2025)
    assert set(quiet.values()) == {0, None} and quiet["campaign_completed_pct"] is None
    # The headline figures of a year hold that year's activity.
    this_year = metrics.summary(t.central, YEAR)
    assert metrics.year_activity(t.central, YEAR).items() <= this_year.items()


def test_the_dashboards_cards_set_the_years_activity_beside_the_year_befores(app, world):
    with app.test_request_context("/"):
        cards = {card.label: card for card in dashboard.headline(world.tree.central, YEAR)}
        first_year = dashboard.headline(world.tree.central, FIRST_YEAR)
    assert (cards["Lớp tập huấn đã tổ chức"].value_text, cards["Lớp tập huấn đã tổ chức"].hint) == ("3", "Năm 2025: 1")
    assert cards["Đánh giá năng lực đơn vị đã phê duyệt"].hint == "Năm 2025: 1"
    trained = cards["Tỉ lệ cán bộ được tập huấn trong năm"]
    assert (trained.value_text, trained.hint) == ("33,3%", "Năm 2025: 6,7%")
    assert cards["Cán bộ đang hoạt động"].hint == ""  # stands as of today, not for a year
    assert not any(card.hint for card in first_year)  # no year before it to compare with


def test_the_core_course_completed_in_a_year_is_counted_by_the_day_where_the_users_are(world):
    t = world.tree
    enrolments = {e.user_id: e for e in db.session.scalars(select(Enrolment).where(Enrolment.course == world.core))}
    # 23:59 on 31 December 2025 in Vietnam (UTC+7), then midnight on 1 January 2026.
    enrolments[world.people["pa1"].id].completed_at = datetime(2025, 12, 31, 16, 59)
    enrolments[world.people["ga1"].id].completed_at = datetime(2025, 12, 31, 17, 0)
    enrolments[world.people["ga_gone"].id].completed_at = datetime(2025, 6, 1)  # inactive: never counted
    db.session.commit()
    assert metrics.year_activity(t.central, 2025)["completed_core_in_year"] == 1
    assert metrics.year_activity(t.central, YEAR)["completed_core_in_year"] == 8
    assert metrics.year_activity(t.province_a, YEAR)["completed_core_in_year"] == 5  # ga1, ba1, ba2, sp2, old
    assert metrics.summary(t.central, YEAR)["completed_core"] == 9


def test_the_yearly_report_sets_each_part_beside_the_year_before(app, world):
    from lms.reports import yearly

    t = world.tree
    with app.test_request_context("/"):
        report = yearly.build(t.central, YEAR)
        assert report.last_year == metrics.year_activity(t.central, 2025)
        parts = {part.heading: part.lines for part in yearly.outline(report)}
        assert "Trong năm 2026 có 9 cán bộ hoàn thành khóa học cốt lõi." in parts["1. Bồi dưỡng trực tuyến"]
        assert parts["1. Bồi dưỡng trực tuyến"][-1] == (
            "So với năm 2025: số cán bộ hoàn thành khóa học cốt lõi trong năm tăng 9 (từ 0 lên 9).")
        assert ("Tỉ lệ cán bộ đang hoạt động của đơn vị và các đơn vị cấp dưới được tập huấn trong năm (ở lớp do "
                "bất kỳ đơn vị nào tổ chức): 33,3% (năm 2025: 6,7%).") in parts["2. Tập huấn và tập huấn viên"]
        assert parts["2. Tập huấn và tập huấn viên"][-1] == (
            "So với năm 2025: số lớp tập huấn tăng 2 (từ 1 lên 3); số học viên được tập huấn tăng 4 (từ 1 lên 5); "
            "số học viên hoàn thành lớp tăng 2 (từ 1 lên 3).")
        assert parts["3. Đánh giá năng lực cán bộ"][-1] == (
            "So với năm 2025: số cán bộ tham gia đánh giá tăng 8 (từ 1 lên 9); số cán bộ hoàn thành đánh giá "
            "tăng 5 (từ 1 lên 6).")
        assert parts["4. Đánh giá năng lực đơn vị"][-1] == (
            "So với năm 2025: số đánh giá năng lực đơn vị đã phê duyệt tăng 2 (từ 1 lên 3).")
        # An Giang held no cohort in 2025.
        assert yearly.against_last_year(yearly.build(t.province_b, YEAR), yearly.CASCADE_CHANGES) == [
            "So với năm 2025: số lớp tập huấn tăng 1 (từ 0 lên 1); số học viên được tập huấn tăng 2 (từ 0 lên 2); "
            "số học viên hoàn thành lớp tăng 2 (từ 0 lên 2)."]
        # No report can be of 1999, nor a share of cadres where there are none.
        first = yearly.build(t.central, 2000)
        assert first.last_year is None
        assert ("Tỉ lệ cán bộ đang hoạt động của đơn vị và các đơn vị cấp dưới được tập huấn trong năm (ở lớp do "
                "bất kỳ đơn vị nào tổ chức): 0,0%.") in yearly.cascade_training(first)
        assert not any("Tỉ lệ cán bộ" in line for line in yearly.cascade_training(yearly.build(world.empty_closed_a,
                                                                                                YEAR)))


# --- Scope ----------------------------------------------------------------------------------------

def everything(node: Unit, year: int = YEAR) -> dict:
    return {key: (metrics.TABLES[key](node, year).rows, metrics.TABLES[key](node, year).row_units)
            for key in metrics.TABLE_ORDER} | {"summary": metrics.summary(node, year)}


def test_a_province_never_counts_another_provinces_data(world):
    t = world.tree
    before = everything(t.province_a)
    # More of everything in province B, and at the centre above both.
    gb = person(t.grassroots_b, "gb-new", role=COORDINATOR)
    top = person(t.central, "tw-new", role=COORDINATOR)
    db.session.flush()
    for user in (gb, top):
        enrol(user, world.core, done=True)
        db.session.add(TrainerProfile(user_id=user.id, tier="provincial", status="certified"))
    c = Cohort(title="Lớp mới", unit=t.province_b, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2),
               status="open", created_by_id=gb.id, target_group="cadres")
    db.session.add(c)
    db.session.flush()
    db.session.add(CohortParticipant(cohort_id=c.id, user_id=gb.id, completed=True))
    db.session.add(TrainingPlanItem(unit_id=t.province_b.id, year=YEAR, quarter=2, target_group="cadres",
                                    planned_cohorts=4, created_by_id=gb.id))
    db.session.add(TrainingPlanItem(unit_id=t.central.id, year=YEAR, quarter=2, target_group="cadres",
                                    planned_cohorts=4, created_by_id=gb.id))
    db.session.add(Participant(campaign_id=world.campaign.id, user_id=gb.id, unit_id=gb.unit_id,
                               level_code="grassroots", expected={}, completed_at=datetime(2026, 5, 1)))
    db.session.add(UnitAssessment(campaign_id=world.campaign.id, unit_id=t.branch_b.id, status="approved"))
    db.session.commit()
    assert everything(t.province_a) == before
    assert everything(t.province_b) != everything(t.province_a)


def test_rows_of_a_node_are_its_children_only(world):
    t = world.tree
    for node in (t.central, t.province_a, t.province_b, t.grassroots_a, t.branch_b):
        children = {u.id for u in db.session.query(Unit).filter(Unit.parent_id == node.id)}
        for key in ("coverage", "cascade", "capacity"):
            table = build(key, node)
            assert {u for u in table.row_units if u is not None} <= children
            assert table.row_units.count(None) <= 1


# --- Against a direct count ------------------------------------------------------------------------

def _under(unit_id: int, root: Unit) -> bool:
    return db.session.get(Unit, unit_id).path.startswith(root.path)


def _row_units(node: Unit) -> list[tuple[int | None, Unit]]:
    """(row unit id, the unit whose subtree or own figures the row holds)."""
    return [(u.id, u) for u in db.session.query(Unit).filter(Unit.parent_id == node.id)] + [(None, node)]


def _counted(node: Unit, row: int | None, child: Unit, unit_id: int) -> bool:
    return unit_id == node.id if row is None else _under(unit_id, child)


@pytest.mark.parametrize("node_name", ["central", "province_a", "province_b", "grassroots_a", "branch_a"])
def test_every_row_of_the_unit_tables_against_a_direct_count(world, node_name):
    """Counts each row from the ORM objects, one by one in Python, and compares."""
    node = getattr(world.tree, node_name)
    users = db.session.query(User).all()
    enrolments = db.session.query(Enrolment).all()
    cohorts = db.session.query(Cohort).all()
    trainers = db.session.query(TrainerProfile).all()
    assessments = db.session.query(UnitAssessment).all()
    campaigns = {c.id: c for c in db.session.query(Campaign)}
    coverage, cascade, capacity = (build(key, node) for key in ("coverage", "cascade", "capacity"))
    trained_anywhere = {p.user_id for c in cohorts if c.status != "planned" and c.starts_on.year == YEAR
                        for p in db.session.query(CohortParticipant).filter_by(cohort_id=c.id)}
    for row, unit in _row_units(node):
        mine = [u for u in users if u.is_active and _counted(node, row, unit, u.unit_id)]
        ids = {u.id for u in mine}
        core = [e for e in enrolments if e.user_id in ids and e.course_id == world.core.id]
        required = [e for e in enrolments if e.user_id in ids and e.assignment_id and e.due_on.year == YEAR]
        held = [c for c in cohorts if c.status != "planned" and c.starts_on.year == YEAR
                and _counted(node, row, unit, c.unit_id)]
        people = {(p.user_id, p.completed) for c in held for p in db.session.query(CohortParticipant)
                  .filter_by(cohort_id=c.id)}
        certified = [tp for tp in trainers if tp.status == "certified"
                     and _counted(node, row, unit, db.session.get(User, tp.user_id).unit_id)]
        statuses = [a.status for a in assessments if campaigns[a.campaign_id].opens_on.year == YEAR
                    and campaigns[a.campaign_id].status != "draft" and _counted(node, row, unit, a.unit_id)]
        expected = {
            "coverage": (len(mine), len(core), sum(1 for e in core if e.completed_at),
                         metrics.percent(sum(1 for e in core if e.completed_at), len(mine)), len(required),
                         sum(1 for e in required if not e.completed_at and e.due_on < TODAY)),
            "cascade": (len(held), len({user for user, _done in people}),
                        len({user for user, done in people if done}),
                        metrics.percent(len(ids & trained_anywhere), len(mine)), len(certified)),
            "capacity": (*(statuses.count(s) for s in ("not_started", "draft", "submitted", "returned", "approved")),
                         len(statuses)),
        }
        for key, table in (("coverage", coverage), ("cascade", cascade), ("capacity", capacity)):
            if row in table.row_units:
                assert table.rows[table.row_units.index(row)][1:] == expected[key], (key, unit.code)
            else:  # a row is left out only when it would be a closed unit's, or the node's own, with no figures
                assert row is None or unit.closed_at is not None, (key, unit.code)
                assert not any(expected[key]), (key, unit.code)


# --- A fixed number of statements -----------------------------------------------------------------

@pytest.fixture()
def statements(app):
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _statements_per_table(node: Unit, seen: list[str]) -> dict[str, int]:
    numbers = {}
    node = db.session.get(Unit, node.id)
    for key in [*metrics.TABLE_ORDER, "summary"]:
        db.session.expire_all()
        node = db.session.get(Unit, node.id)
        node.level  # noqa: B018 — loaded with the unit
        seen.clear()
        if key == "summary":
            metrics.summary(node, YEAR)
        else:
            metrics.TABLES[key](node, YEAR)
        numbers[key] = len(seen)
    return numbers


def _grow(world, provinces: int = 3, grassroots: int = 4, cadres: int = 5) -> None:
    """Many more units, cadres, enrolments, cohorts, trainers, participants and unit assessments."""
    t = world.tree
    number = 0
    new = [create_unit(parent=t.central, level=level("province"), code=f"DOAN-X{p}", name=f"Tỉnh đoàn X{p}")
           for p in range(provinces)]
    for p, province in enumerate([*new, t.province_a]):
        for g in range(grassroots):
            unit = create_unit(parent=province, level=level("grassroots"), code=f"DOAN-X{p}-{g}", name=f"Đoàn xã {g}")
            branch = create_unit(parent=unit, level=level("branch"), code=f"DOAN-X{p}-{g}-CD", name=f"Chi đoàn {g}")
            for where in (unit, branch):
                db.session.add(UnitAssessment(campaign_id=world.campaign.id, unit_id=where.id, status="draft"))
                c = Cohort(title="Lớp", unit=where, starts_on=date(2026, 5, 5), ends_on=date(2026, 5, 6),
                           status="closed", created_by_id=world.people["tw"].id, target_group="cadres")
                db.session.add(c)
                for _ in range(cadres):
                    number += 1
                    user = person(where, f"x{number}", role=COORDINATOR if number % 3 == 0 else None)
                    db.session.flush()
                    enrol(user, world.core, done=number % 2 == 0)
                    db.session.add(CohortParticipant(cohort_id=c.id, user_id=user.id, completed=True))
                    db.session.add(TrainerProfile(user_id=user.id, tier="grassroots", status="certified"))
                    db.session.add(Participant(campaign_id=world.campaign.id, user_id=user.id, unit_id=where.id,
                                               level_code="grassroots", expected={}))
    db.session.commit()


def test_statements_per_table_do_not_grow_with_the_data(world, statements):
    t = world.tree
    small = {name: _statements_per_table(getattr(t, name), statements) for name in ("central", "province_a")}
    _grow(world)
    big = {name: _statements_per_table(getattr(t, name), statements) for name in ("central", "province_a")}
    assert big == small
    # The headline figures read the most: on a dashboard, the tables share theirs (the cascade its reach).
    assert max(small["central"].values()) <= 10


def test_figures_are_shared_within_a_request(app, world, statements):
    t = world.tree
    with app.test_request_context("/"):
        node = db.session.get(Unit, t.central.id)
        for key in metrics.TABLE_ORDER:
            metrics.TABLES[key](node, YEAR)
        statements.clear()
        metrics.summary(node, YEAR)
        metrics.TABLES["targets"](node, YEAR)
        assert len(statements) <= 4  # the core course's id, the children, the levels … no aggregate again
        queries.forget()
