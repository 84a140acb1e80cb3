"""The individual competency profile: expected against achieved levels from the results rows, the
gaps biggest first with the expected level's indicators and the modules tagged with the competency,
the history across campaigns with its trend, the empty states, and who may see whose profile."""
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import event

from lms.assessments import profiles
from lms.assessments.models import (
    CAMPAIGN_CLOSED, CAMPAIGN_OPEN, KNOWLEDGE, SELF, SUPERVISOR, TRAINER, Campaign, CompetencyResult, Participant,
    Rating)
from lms.courses.models import ARCHIVED, DRAFT, Enrolment, Lesson, LessonProgress
from lms.db import db, utcnow
from tests.conftest import sign_in_as, text

DOMAINS = {"PLAN": "D1", "TEAM": "D1", "SAFE": "D2", "TRAIN": "D2"}


# --- Fixture rows ---------------------------------------------------------------------------------

def make_campaign(framework, unit, creator, title, year, *, status=CAMPAIGN_CLOSED,
                  instruments=(SELF, SUPERVISOR, KNOWLEDGE)) -> Campaign:
    campaign = Campaign(title=title, framework_id=framework.id, unit_id=unit.id, target_levels=[], target_roles=[],
                        instruments=list(instruments), opens_on=date(year, 3, 1), due_on=date(year, 4, 30),
                        status=status, created_by_id=creator.id, launched_at=datetime(year, 3, 1, 8, 0))
    db.session.add(campaign)
    db.session.flush()
    return campaign


def take_part(campaign, user, results: dict, ratings: dict | None = None, *, unit=None,
              completed=True) -> Participant:
    """`results`: {code: (expected, achieved or None)}; `ratings`: {code: {source: level}}."""
    participant = Participant(campaign_id=campaign.id, user_id=user.id, unit_id=(unit or user.unit).id,
                              level_code=(unit or user.unit).level.code,
                              expected={code: expected for code, (expected, _a) in results.items()},
                              completed_at=utcnow() if completed else None)
    db.session.add(participant)
    db.session.flush()
    for code, (expected, achieved) in results.items():
        gap = max(expected - achieved, 0) if achieved is not None else 0
        db.session.add(CompetencyResult(participant_id=participant.id, competency_code=code,
                                        domain_code=DOMAINS[code], expected=expected, achieved=achieved, gap=gap))
    for code, by_source in (ratings or {}).items():
        for source, level in by_source.items():
            db.session.add(Rating(participant_id=participant.id, source=source, competency_code=code, level=level))
    db.session.commit()
    return participant


@pytest.fixture()
def rated(framework, tree, cadre_a, admin_a):
    """Hoa's 2024 campaign: PLAN short by 2, TEAM short by 1, SAFE above, TRAIN not yet assessed."""
    campaign = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năng lực năm 2024", 2024)
    participant = take_part(campaign, cadre_a, {"PLAN": (3, 1), "TEAM": (3, 2), "SAFE": (2, 3), "TRAIN": (2, None)},
                            {"PLAN": {SELF: 2, SUPERVISOR: 1, KNOWLEDGE: 1}, "TEAM": {SELF: 3, SUPERVISOR: 2},
                             "SAFE": {SELF: 3, SUPERVISOR: 3, KNOWLEDGE: 3}})
    return participant


# --- Reading the page -----------------------------------------------------------------------------

class _Tables(HTMLParser):
    """The text of each cell of each row of the tables with a given class."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class, self.depth, self.rows, self.cell = css_class, 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.css_class in (attrs.get("class") or "").split():
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, css_class: str) -> list[list[str]]:
    parser = _Tables(css_class)
    parser.feed(html)
    return parser.rows


def row_of(rows: list[list[str]], code: str) -> list[str]:
    return next(row for row in rows if row and row[0].startswith(f"{code} · "))


# --- The profile ----------------------------------------------------------------------------------

def test_profile_shows_expected_achieved_gap_and_each_instrument(client, rated, cadre_a):
    sign_in_as(client, cadre_a)
    response = client.get("/assessments/me")
    assert response.status_code == 200
    html = text(response)
    assert "Hồ sơ năng lực của tôi" in html and "Đánh giá năng lực năm 2024" in html
    rows = table(html, "profile-results")
    assert rows[0] == ["Năng lực", "Yêu cầu", "Đạt được", "Khoảng cách", "Tự đánh giá", "Cấp trên",
                       "Kiểm tra kiến thức"]
    assert row_of(rows, "PLAN")[1:] == ["3", "1", "2", "2", "1", "1"]
    assert row_of(rows, "TEAM")[1:] == ["3", "2", "1", "3", "2", "—"]
    assert row_of(rows, "SAFE")[1:] == ["2", "3", "0", "3", "3", "3"]
    assert row_of(rows, "TRAIN")[1:] == ["2", "chưa đánh giá", "0", "—", "—", "—"]
    # Grouped by domain, in the framework's order.
    groups = [row[0] for row in rows if len(row) == 1]
    assert groups == ["D1 · Tổ chức hoạt động", "D2 · An toàn và tập huấn"]


def test_a_trainer_rating_adds_its_column(client, framework, tree, cadre_a, admin_a):
    campaign = make_campaign(framework, tree.province_a, admin_a, "Đợt có thực hành", 2024,
                             instruments=(SELF, TRAINER))
    take_part(campaign, cadre_a, {"TRAIN": (2, 3)}, {"TRAIN": {SELF: 2, TRAINER: 3}})
    sign_in_as(client, cadre_a)
    rows = table(text(client.get("/assessments/me")), "profile-results")
    assert rows[0][4:] == ["Tự đánh giá", "Thực hành tập huấn"]
    assert row_of(rows, "TRAIN")[1:] == ["2", "3", "0", "2", "3"]


def test_the_chart_is_an_accessible_svg_with_the_same_numbers_and_no_inline_style(client, rated, cadre_a):
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    svg = html[html.index("<svg class=\"chart\""):html.index("</svg>")]
    assert 'role="img"' in svg and 'viewBox="0 0 320 ' in svg and "<script" not in html
    assert '<title id="competency-chart-title">' in svg and '<desc id="competency-chart-desc">' in svg
    assert "PLAN Khảo sát nhu cầu và lập kế hoạch: đạt 1, cần 3" in svg
    assert "TRAIN Tập huấn cho cán bộ: chưa đánh giá, cần 2" in svg
    assert ">1 / 3</text>" in svg and ">– / 2</text>" in svg
    # Bars: PLAN and TEAM below the expected level in the accent colour, SAFE in the brand colour;
    # TRAIN has no bar, but every competency has its expected-level marker.
    assert svg.count('class="chart-bar"') == 3
    assert svg.count('fill="#b3261e"/>') == 2 and svg.count('fill="#0b5d3b"/>') == 1
    assert svg.count('class="chart-marker"') == 4
    assert "style=" not in html


def test_gaps_are_listed_biggest_first_with_the_expected_levels_indicators(client, rated, cadre_a):
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    assert html.index('id="gap-PLAN"') < html.index('id="gap-TEAM"')
    assert 'id="gap-SAFE"' not in html and 'id="gap-TRAIN"' not in html
    plan = html[html.index('id="gap-PLAN"'):html.index('id="gap-TEAM"')]
    assert "Thiếu 2 mức" in plan and "Mức 3 (Thành thạo) thể hiện qua:" in plan
    assert "Lập được kế hoạch năm của đơn vị." in plan and "Lập được kế hoạch một hoạt động nhỏ." not in plan
    team = html[html.index('id="gap-TEAM"'):]
    assert "Thiếu 1 mức" in team and "Điều phối nhiều đội cùng lúc." in team


def test_a_gap_recommends_the_modules_tagged_with_its_competency(client, rated, cadre_a, course):
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    plan = html[html.index('id="gap-PLAN"'):html.index('id="gap-TEAM"')]
    modules = course.active_modules
    for module in modules:
        # Not enrolled: the lessons need enrolment, so the link opens the module on the course page.
        assert f'href="/courses/khoa-thu#module-{module.id}">{module.title}</a>' in plan
    assert plan.count("Đã học 0/2 bài về năng lực này") == 2
    assert "đăng ký khóa học để bắt đầu" in plan
    team = html[html.index('id="gap-TEAM"'):html.index('id="history-heading"')]
    assert "Chưa có mô-đun nào gắn với năng lực này." in team and "/courses/" not in team


def test_an_enrolled_cadre_goes_straight_to_the_first_tagged_lesson_and_sees_what_they_finished(
        client, rated, cadre_a, course):
    first, second = course.active_modules
    enrolment = Enrolment(user_id=cadre_a.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=first.active_lessons[1].id))
    db.session.add_all(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id) for lesson in second.active_lessons)
    db.session.commit()
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    plan = html[html.index('id="gap-PLAN"'):html.index('id="gap-TEAM"')]
    lesson_url = f"/courses/khoa-thu/lessons/{first.active_lessons[0].id}"
    assert f'href="{lesson_url}">{first.title}</a>' in plan
    assert "Đã học 1/2 bài về năng lực này" in plan and "Đã học 2/2 bài về năng lực này" in plan
    # The module still to finish comes first.
    assert plan.index(first.title) < plan.index(second.title)
    assert "đăng ký khóa học để bắt đầu" not in plan
    assert client.get(lesson_url).status_code == 200


def test_recommended_modules_leave_out_archived_lessons_and_modules_and_unpublished_courses(
        app_ctx, cadre_a, course):
    first, second = course.active_modules
    first.lessons[0].competencies = ["PLAN", "TEAM"]
    first.lessons[1].status = ARCHIVED
    second.lessons[0].competencies = None  # a lesson without tags is simply not tagged
    db.session.commit()
    found = profiles.recommended_modules(cadre_a, ["TEAM", "PLAN", "SAFE"])
    assert list(found) == ["TEAM", "PLAN", "SAFE"]
    assert [(i.module_id, i.lesson_ids) for i in found["TEAM"]] == [(first.id, [first.lessons[0].id])]
    assert [(i.module_id, i.tagged) for i in found["PLAN"]] == [(first.id, 1), (second.id, 1)]
    assert found["SAFE"] == []

    second.status = ARCHIVED
    db.session.commit()
    assert [i.module_id for i in profiles.recommended_modules(cadre_a, ["PLAN"])["PLAN"]] == [first.id]
    course.status = DRAFT
    db.session.commit()
    assert profiles.recommended_modules(cadre_a, ["PLAN"]) == {"PLAN": []}


def test_recommended_modules_take_two_queries_whatever_the_catalogue(app_ctx, cadre_a, course):
    for module in course.active_modules:
        for n in range(3, 8):
            db.session.add(Lesson(module_id=module.id, key=f"them-{n}", position=n, title=f"Bài thêm {n}",
                                  competencies=["PLAN", "SAFE"]))
    db.session.add(Enrolment(user_id=cadre_a.id, course_id=course.id))
    db.session.commit()
    db.session.refresh(cadre_a)  # loaded, as the signed-in user is in a request
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = profiles.recommended_modules(cadre_a, ["PLAN", "SAFE", "TEAM"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 2
    assert [i.tagged for i in found["PLAN"]] == [7, 7] and all(i.enrolled for i in found["SAFE"])


# --- History and the campaign shown ---------------------------------------------------------------

@pytest.fixture()
def two_campaigns(framework, tree, cadre_a, admin_a, central_admin):
    """2023 at the branch: PLAN 1, TEAM 3, SAFE 2; 2024 at the grassroots unit: PLAN 2, TEAM 2, SAFE 2,
    TRAIN 1 (first rated)."""
    older = make_campaign(framework, tree.central, central_admin, "Đánh giá năm 2023", 2023)
    take_part(older, cadre_a, {"PLAN": (1, 1), "TEAM": (2, 3), "SAFE": (2, 2), "TRAIN": (1, None)},
              unit=tree.branch_a)
    newer = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năm 2024", 2024)
    take_part(newer, cadre_a, {"PLAN": (2, 2), "TEAM": (3, 2), "SAFE": (2, 2), "TRAIN": (2, 1)})
    return older, newer


def test_history_lists_every_campaign_with_levels_and_the_trend(client, two_campaigns, cadre_a):
    sign_in_as(client, cadre_a)
    rows = table(text(client.get("/assessments/me")), "profile-history")
    assert rows[0] == ["Đợt đánh giá", "Năm", "Đơn vị khi đánh giá", "Hoàn thành", "PLAN", "TEAM", "SAFE", "TRAIN"]
    assert rows[1][:3] == ["Đánh giá năm 2024", "2024", "Đoàn xã Bát Xát"] and rows[1][4:] == ["2", "2", "2", "1"]
    assert rows[2][:3] == ["Đánh giá năm 2023", "2023", "Chi đoàn thôn Bản Vai"] and rows[2][4:] == ["1", "3", "2", "—"]
    assert rows[3] == ["Xu hướng so với đợt trước", "", "", "", "↑tăng", "↓giảm", "=không đổi", ""]


def test_the_trend_compares_the_last_two_campaigns_that_rated_the_competency(app_ctx, two_campaigns, cadre_a,
                                                                             framework, tree, admin_a):
    latest = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năm 2025", 2025)
    take_part(latest, cadre_a, {"PLAN": (2, None), "TEAM": (3, 3), "SAFE": (2, 1), "TRAIN": (2, None)})
    found = profiles.history(profiles.participations(cadre_a))
    assert [row.participant.campaign.title for row in found.rows] == [
        "Đánh giá năm 2025", "Đánh giá năm 2024", "Đánh giá năm 2023"]
    # PLAN: 2024 against 2023; TEAM and SAFE: 2025 against 2024; TRAIN: rated once only.
    assert found.trends == {"PLAN": profiles.UP, "TEAM": profiles.UP, "SAFE": profiles.DOWN}


def test_by_default_the_latest_campaign_with_results_is_shown_and_another_can_be_picked(
        client, two_campaigns, cadre_a, framework, tree, admin_a):
    older, newer = two_campaigns
    pending = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năm 2025", 2025, status=CAMPAIGN_OPEN)
    take_part(pending, cadre_a, {"PLAN": (2, None), "TEAM": (3, None), "SAFE": (2, None), "TRAIN": (2, None)},
              completed=False)
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    assert '<h2 id="campaign-heading">Đánh giá năm 2024</h2>' in html
    assert row_of(table(html, "profile-results"), "TEAM")[1:4] == ["3", "2", "1"]

    html = text(client.get(f"/assessments/me?campaign={older.id}"))
    assert '<h2 id="campaign-heading">Đánh giá năm 2023</h2>' in html
    assert row_of(table(html, "profile-results"), "TEAM")[1:4] == ["2", "3", "0"]
    assert "Chi đoàn thôn Bản Vai" in html

    html = text(client.get(f"/assessments/me?campaign={pending.id}"))
    assert '<h2 id="campaign-heading">Đánh giá năm 2025</h2>' in html and "Kết quả chưa có" in html
    assert '<svg class="chart"' not in html and 'id="gap-' not in html


def test_with_no_results_anywhere_the_latest_participation_shows_its_pending_tasks(
        client, app, framework, tree, cadre_a, admin_a):
    older = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năm 2023", 2023)
    take_part(older, cadre_a, {"PLAN": (2, None)}, completed=False)
    campaign = make_campaign(framework, tree.province_a, admin_a, "Đánh giá năm 2025", 2025, status=CAMPAIGN_OPEN)
    participant = take_part(campaign, cadre_a, {"PLAN": (2, None), "TEAM": (3, None)}, completed=False)
    participant.knowledge_done_at = utcnow()
    db.session.commit()
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    assert '<h2 id="campaign-heading">Đánh giá năm 2025</h2>' in html and "Kết quả chưa có" in html
    assert "Chưa có kết quả ở đợt đánh giá nào." in html
    assert "Đang chờ cấp trên" in html and "Đã xong" in html
    if "assessments.self_assessment" in app.view_functions:
        with app.test_request_context():
            assert f'href="{url_for("assessments.self_assessment", participant_id=participant.id)}"' in html
    # The expected levels are already there to read.
    assert row_of(table(html, "profile-results"), "TEAM")[1:3] == ["3", "chưa đánh giá"]


def test_someone_in_no_campaign_is_told_so_and_pointed_to_the_framework(client, app, cadre_a, framework):
    sign_in_as(client, cadre_a)
    response = client.get("/assessments/me")
    assert response.status_code == 200
    html = text(response)
    assert "Bạn chưa tham gia đợt đánh giá nào" in html
    if "assessments.framework_list" in app.view_functions:
        assert "Xem khung năng lực" in html
    assert "Mức năng lực được tính thế nào?" in html


def test_the_explanation_matches_the_way_results_combine(client, rated, cadre_a):
    sign_in_as(client, cadre_a)
    html = text(client.get("/assessments/me"))
    about = html[html.index('<details class="about how-computed">'):]
    for words in ("tự đánh giá hệ số 1, cấp trên hệ số 2, kiểm tra kiến thức hệ số 1, thực hành tập huấn hệ số 2",
                  "từ 0,5 trở lên được làm tròn lên", "dưới 50% là mức 1", "từ 75% trở lên là mức 3",
                  "cao nhất là mức 3", "làm tròn xuống"):
        assert words in about


# --- Who may see whose profile --------------------------------------------------------------------

def test_a_province_admin_sees_their_cadres_profile_but_not_another_provinces(client, rated, cadre_a, admin_a,
                                                                              admin_b, central_admin):
    url = f"/assessments/people/{cadre_a.id}"
    sign_in_as(client, admin_b)
    assert client.get(url).status_code == 403
    sign_in_as(client, admin_a)
    response = client.get(url)
    assert response.status_code == 200
    html = text(response)
    assert "Hồ sơ năng lực: Nguyễn Thị Hoa" in html
    assert row_of(table(html, "profile-results"), "PLAN")[1:4] == ["3", "1", "2"]
    sign_in_as(client, central_admin)
    assert client.get(url).status_code == 200


def test_another_cadre_may_not_see_a_profile_but_the_person_may_see_their_own(client, rated, cadre_a, make_user,
                                                                             tree):
    colleague = make_user(tree.grassroots_a, "Lò Văn Páo", email="pao@example.org")
    sign_in_as(client, colleague)
    assert client.get(f"/assessments/people/{cadre_a.id}").status_code == 403
    assert "Bạn chưa tham gia đợt đánh giá nào" in text(client.get("/assessments/me"))
    sign_in_as(client, cadre_a)
    assert client.get(f"/assessments/people/{cadre_a.id}").status_code == 200


def test_an_admin_looking_at_a_profile_is_sent_to_the_course_page_not_the_cadres_lesson(
        client, rated, cadre_a, admin_a, course):
    db.session.add(Enrolment(user_id=cadre_a.id, course_id=course.id))
    db.session.commit()
    sign_in_as(client, admin_a)
    html = text(client.get(f"/assessments/people/{cadre_a.id}"))
    assert "/courses/khoa-thu#module-" in html and "/courses/khoa-thu/lessons/" not in html
    assert "đăng ký khóa học để bắt đầu" not in html


def test_unknown_people_and_campaigns_answer_404(client, rated, cadre_a, admin_a, framework, tree, central_admin):
    other = make_campaign(framework, tree.central, central_admin, "Đợt không có Hoa", 2024)
    db.session.commit()
    sign_in_as(client, admin_a)
    assert client.get("/assessments/people/999999").status_code == 404
    assert client.get(f"/assessments/people/{cadre_a.id}?campaign={other.id}").status_code == 404
    assert client.get(f"/assessments/people/{cadre_a.id}?campaign=abc").status_code == 404
    assert client.get(f"/assessments/people/{cadre_a.id}?campaign={rated.campaign_id}").status_code == 200
    sign_in_as(client, cadre_a)
    assert client.get(f"/assessments/me?campaign={other.id}").status_code == 404
    assert client.get("/assessments/me?campaign=").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, rated, cadre_a):
    assert client.get("/assessments/me").status_code == 302
    assert client.get(f"/assessments/people/{cadre_a.id}").status_code == 302


def test_the_page_reads_the_same_number_of_times_whatever_the_history(client, framework, tree, cadre_a, admin_a,
                                                                      course):
    sign_in_as(client, cadre_a)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/assessments/me").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    results = {"PLAN": (3, 1), "TEAM": (3, 2), "SAFE": (2, 2), "TRAIN": (2, 1)}
    take_part(make_campaign(framework, tree.province_a, admin_a, "Đợt 2022", 2022), cadre_a, results)
    take_part(make_campaign(framework, tree.province_a, admin_a, "Đợt 2023", 2023), cadre_a, results)
    few = statements()
    for year in (2019, 2020, 2021):
        take_part(make_campaign(framework, tree.province_a, admin_a, f"Đợt {year}", year), cadre_a, results)
    assert statements() == few
