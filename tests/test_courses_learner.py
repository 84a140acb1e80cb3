"""The learner's side of courses: catalogue, course page, lesson player, progress, completion, home."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.i18n import local_today
from lms.courses import services
from lms.courses.content import import_directory
from lms.courses.models import (ARCHIVED, DRAFT, Assignment, Certificate, Course, Enrolment, Lesson,
                                LearningRecord, LessonProgress, Quiz, QuizAttempt)
from lms.db import db, utcnow
from lms.demo import load_demo
from lms.people.models import User
from tests.conftest import ROOT, login, write_course


def _page(response) -> str:
    return response.get_data(as_text=True)


def _lesson(title: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.title == title))


def _lesson_url(course: Course, title: str) -> str:
    return f"/courses/{course.slug}/lessons/{_lesson(title).id}"


def _enrolment(user, course) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


def _verbs(user) -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(LearningRecord.verb, LearningRecord.object_type).where(LearningRecord.actor_id == user.id)
        .order_by(LearningRecord.id))]


def _enrol(client, course):
    return client.post(f"/courses/{course.slug}/enrol")


@pytest.fixture()
def learner(client, cadre_a, course):
    """cadre_a signed in and enrolled in the small course."""
    login(client, cadre_a)
    assert _enrol(client, course).status_code == 302
    return cadre_a


def _titles_in_order(page: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=page.index)


# --- Catalogue ------------------------------------------------------------------------------------

@pytest.fixture()
def targeted_courses(app_ctx, tmp_path):
    write_course(tmp_path, slug="cho-sinh-vien", title="A. Tình nguyện trong trường học", organisations=["HSV"])
    write_course(tmp_path, slug="doan-co-so", title="B. Điều phối ở cơ sở", organisations=["DOAN"],
                 levels=["grassroots"])
    write_course(tmp_path, slug="vung-dan-toc", title="C. Tình nguyện vùng dân tộc thiểu số",
                 areas=["ethnic_minority", "mountainous"])
    write_course(tmp_path, slug="hai-dao", title="D. Tình nguyện biển đảo", areas=["island"])
    write_course(tmp_path, slug="cap-tinh", title="E. Điều phối cấp tỉnh", levels=["province"])
    import_directory(tmp_path)


def test_catalogue_shows_the_courses_meant_for_the_cadre_first_with_a_marker(client, cadre_a, targeted_courses):
    login(client, cadre_a)  # Đoàn, grassroots, ethnic-minority area
    page = _page(client.get("/courses/"))
    titles = ["A. Tình nguyện trong trường học", "B. Điều phối ở cơ sở", "C. Tình nguyện vùng dân tộc thiểu số",
              "D. Tình nguyện biển đảo", "E. Điều phối cấp tỉnh"]
    assert _titles_in_order(page, titles) == [titles[1], titles[2], titles[0], titles[3], titles[4]]
    assert page.count("Dành cho bạn") == 2
    marker_end = page.rindex("Dành cho bạn")
    assert page.index(titles[2]) > marker_end > page.index(titles[1])
    assert page.index(titles[0]) > marker_end


def test_catalogue_targets_by_the_viewers_own_unit(client, admin_b, targeted_courses):
    login(client, admin_b)  # Đoàn, province, no area flag
    page = _page(client.get("/courses/"))
    assert page.index("E. Điều phối cấp tỉnh") < page.index("A. Tình nguyện trong trường học")
    assert page.count("Dành cho bạn") == 1


def test_catalogue_search_with_or_without_diacritics(client, cadre_a, targeted_courses):
    login(client, cadre_a)
    for query in ("dieu phoi", "Điều phối", "ĐIỀU PHỐI", "điêu phôi"):
        page = _page(client.get("/courses/", query_string={"q": query}))
        assert "B. Điều phối ở cơ sở" in page and "E. Điều phối cấp tỉnh" in page, query
        assert "Tình nguyện biển đảo" not in page, query
        assert "2 khóa học khớp" in page
    page = _page(client.get("/courses/", query_string={"q": "bien dao"}))
    assert "D. Tình nguyện biển đảo" in page and "B. Điều phối" not in page
    page = _page(client.get("/courses/", query_string={"q": "%"}))
    assert "0 khóa học khớp" in page


def test_catalogue_card_shows_modules_minutes_and_the_viewers_progress(client, learner, course):
    client.post(_lesson_url(course, "Bài 1.1") + "/complete")
    page = _page(client.get("/courses/"))
    assert course.title in page
    assert "Khóa học thử cho kiểm thử." in page
    assert "2 mô-đun · 20 phút" in page
    assert "1/4 bài bắt buộc · 25%" in page
    assert 'value="25"' in page


def test_drafts_are_invisible_to_learners(client, cadre_a, course):
    course.status = DRAFT
    db.session.commit()
    login(client, cadre_a)
    assert course.title not in _page(client.get("/courses/"))
    assert client.get(f"/courses/{course.slug}").status_code == 404
    assert _enrol(client, course).status_code == 404
    assert _enrolment(cadre_a, course) is None


def test_catalogue_needs_a_signed_in_user(client, course):
    response = client.get("/courses/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Course page and enrolment --------------------------------------------------------------------

def test_course_page_before_enrolment(client, cadre_a, course):
    login(client, cadre_a)
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "<p>Mô tả khóa học.</p>" in page
    assert "Mô-đun 1" in page and "Mô-đun 2" in page and "Bài 2.2" in page
    assert "Kiểm tra mô-đun 1" in page
    assert "Bắt buộc" in page and "5 phút" in page
    assert "Đăng ký khóa học" in page
    assert "Tiếp tục học" not in page
    assert "/lessons/" not in page  # lessons open after enrolment


def test_enrol_creates_one_enrolment_and_records_registered(client, cadre_a, course):
    login(client, cadre_a)
    response = _enrol(client, course)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{course.slug}")
    _enrol(client, course)
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.user_id == cadre_a.id)) == 1
    assert _verbs(cadre_a) == [("registered", "course")]
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "Bạn đã đăng ký khóa học" in page
    assert "Bắt đầu học" in page and "Đăng ký khóa học</button>" not in page
    assert _lesson_url(course, "Bài 1.1") in page
    assert "0/4 bài bắt buộc · 0%" in page


def test_enrolling_in_an_assigned_course_keeps_its_due_date(client, cadre_a, admin_a, tree, course):
    due = local_today() + timedelta(days=20)
    db.session.add(Assignment(course_id=course.id, unit_id=tree.province_a.id, due_on=due, assigned_by_id=admin_a.id))
    db.session.commit()
    login(client, cadre_a)
    _enrol(client, course)
    enrolment = _enrolment(cadre_a, course)
    assert enrolment.due_on == due and enrolment.assignment_id is not None
    assert f"Hạn hoàn thành: {due:%d/%m/%Y}" in _page(client.get(f"/courses/{course.slug}"))


def test_enrol_needs_the_form_token(app, client, cadre_a, course):
    login(client, cadre_a)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = _page(client.get(f"/courses/{course.slug}"))
        form = page[page.index(f'action="/courses/{course.slug}/enrol"'):]
        assert 'name="csrf_token"' in form[:form.index("</form>")]
        assert _enrol(client, course).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _enrolment(cadre_a, course) is None


def test_resume_goes_to_the_last_lesson_opened(client, learner, course):
    client.get(_lesson_url(course, "Bài 1.2"))
    page = _page(client.get(f"/courses/{course.slug}"))
    resume = re.search(r'<a class="button primary" href="([^"]+)">\s*Tiếp tục học', page)
    assert resume and resume.group(1) == _lesson_url(course, "Bài 1.2")
    response = client.get(f"/courses/{course.slug}/resume")
    assert response.headers["Location"].endswith(_lesson_url(course, "Bài 1.2"))
    enrolment = _enrolment(learner, course)
    assert enrolment.last_lesson_id == _lesson("Bài 1.2").id and enrolment.last_activity_at is not None


def test_reading_on_in_one_lesson_is_recorded_once_every_few_minutes(client, learner, course):
    client.get(_lesson_url(course, "Bài 1.2"))
    first = _enrolment(learner, course).last_activity_at
    client.get(_lesson_url(course, "Bài 1.2"))
    assert _enrolment(learner, course).last_activity_at == first
    enrolment = _enrolment(learner, course)
    enrolment.last_activity_at = first - timedelta(minutes=11)
    db.session.commit()
    client.get(_lesson_url(course, "Bài 1.2"))
    assert _enrolment(learner, course).last_activity_at > first - timedelta(minutes=11)
    client.get(_lesson_url(course, "Bài 1.1"))
    assert _enrolment(learner, course).last_lesson_id == _lesson("Bài 1.1").id


def test_a_lesson_page_reads_a_fixed_handful_of_statements_and_rereading_writes_nothing(client, cadre_a, app_ctx,
                                                                                        tmp_path):
    from sqlalchemy import event

    write_course(tmp_path, slug="khoa-nho", title="Khóa nhỏ", modules=1, lessons=3)
    write_course(tmp_path, slug="khoa-lon", title="Khóa lớn", modules=6, lessons=8)
    import_directory(tmp_path)
    login(client, cadre_a)
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.split(None, 1)[0].upper())

    counts = {}
    for slug in ("khoa-nho", "khoa-lon"):
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        _enrol(client, course)
        url = f"/courses/{slug}/lessons/{_lesson_sequence_ids(course)[1]}"
        assert client.get(url).status_code == 200  # the first visit remembers where the learner is
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            seen.clear()
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        counts[slug] = len(seen)
        assert set(seen) == {"SELECT"}, seen  # read again within minutes: nothing written
    assert counts["khoa-nho"] == counts["khoa-lon"] <= 8


def test_moving_on_to_another_lesson_writes_once_after_everything_the_page_reads(client, learner, course):
    # On SQLite a write holds the database's one write lock until the commit: written before the page's own
    # reads and rendering, it would make every other learner's lesson page wait that long.
    from sqlalchemy import event

    assert client.get(_lesson_url(course, "Bài 1.1")).status_code == 200
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(_lesson_url(course, "Bài 1.2")).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert seen.count("UPDATE") == 1, seen
    write = seen.index("UPDATE")
    assert set(seen[:write]) == {"SELECT"}, seen
    assert set(seen[write + 1:]) <= {"SET"}, seen  # PostgreSQL's commit without waiting for the disk
    assert _enrolment(learner, course).last_lesson_id == _lesson("Bài 1.2").id


def _lesson_sequence_ids(course: Course) -> list[int]:
    from lms.courses.services import lesson_sequence

    return [ref.id for ref in lesson_sequence(course.id)]


def test_resume_without_a_last_lesson_goes_to_the_first_unfinished(client, learner, course):
    client.post(_lesson_url(course, "Bài 1.1") + "/complete")
    enrolment = _enrolment(learner, course)
    enrolment.last_lesson_id = None
    db.session.commit()
    response = client.get(f"/courses/{course.slug}/resume")
    assert response.headers["Location"].endswith(_lesson_url(course, "Bài 1.2"))


# --- Lesson player --------------------------------------------------------------------------------

def test_lesson_page_shows_the_body_and_links_previous_and_next_across_modules(client, learner, course):
    page = _page(client.get(_lesson_url(course, "Bài 1.2")))
    assert "<h2>Ý chính</h2>" in page and "Nội dung bài 1.2." in page
    assert f'rel="prev" href="{_lesson_url(course, "Bài 1.1")}"' in page
    assert f'rel="next" href="{_lesson_url(course, "Bài 2.1")}"' in page
    assert "Kiểm tra mô-đun 1" in page  # the module's quiz is offered after its last lesson
    first = _page(client.get(_lesson_url(course, "Bài 1.1")))
    assert 'rel="prev"' not in first
    last = _page(client.get(_lesson_url(course, "Bài 2.2")))
    assert 'rel="next"' not in last and "Về trang khóa học" in last


def test_mark_complete_is_idempotent_and_moves_the_progress(client, learner, course):
    url = _lesson_url(course, "Bài 1.1")
    response = client.post(url + "/complete")
    assert response.headers["Location"].endswith(_lesson_url(course, "Bài 1.2"))
    client.post(url + "/complete")
    enrolment = _enrolment(learner, course)
    assert db.session.scalar(select(func.count(LessonProgress.id))
                             .where(LessonProgress.enrolment_id == enrolment.id)) == 1
    assert _verbs(learner).count(("completed", "lesson")) == 1
    page = _page(client.get(url))
    assert "Bạn đã học xong bài này." in page and "Đánh dấu đã học xong" not in page
    assert "1/2 bài bắt buộc · 50%" in page  # module
    assert "1/4 bài bắt buộc · 25%" in page  # course
    course_page = _page(client.get(f"/courses/{course.slug}"))
    assert "1/4 bài bắt buộc · 25%" in course_page and "✓ Đã học" in course_page
    client.post(_lesson_url(course, "Bài 2.1") + "/complete")
    assert services.progress_of([enrolment])[enrolment.id] == services.Progress(2, 4)
    assert "2/4 bài bắt buộc · 50%" in _page(client.get(f"/courses/{course.slug}"))


def test_optional_lessons_do_not_count(client, learner, course):
    lesson = _lesson("Bài 2.2")
    lesson.required = False
    db.session.commit()
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "Tự chọn" in page and "0/3 bài bắt buộc · 0%" in page


def _pass_quizzes(enrolment):
    for quiz_id in db.session.scalars(select(Quiz.id)):
        db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz_id, score=100, passed=True,
                                   submitted_at=utcnow()))
    db.session.commit()


def test_lessons_alone_do_not_complete_the_course_while_quizzes_are_unpassed(client, learner, course):
    for title in ("Bài 1.1", "Bài 1.2", "Bài 2.1", "Bài 2.2"):
        client.post(_lesson_url(course, title) + "/complete")
    enrolment = _enrolment(learner, course)
    assert enrolment.completed_at is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "4/4 bài bắt buộc · 100%" in page
    assert "Hãy đạt các bài kiểm tra mô-đun" in page

    _pass_quizzes(enrolment)
    response = client.post(_lesson_url(course, "Bài 2.2") + "/complete")
    assert response.headers["Location"].endswith(f"/courses/{course.slug}")
    db.session.expire_all()
    enrolment = _enrolment(learner, course)
    assert enrolment.completed_at is not None
    certificate = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    assert certificate is not None and certificate.course_title == course.title
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "Chúc mừng! Bạn đã hoàn thành khóa học" in page and "Đã hoàn thành" in page
    assert page.count("Đã đạt") == 2
    verbs = _verbs(learner)
    assert verbs[0] == ("registered", "course")
    assert verbs.count(("completed", "lesson")) == 4
    assert ("completed", "course") in verbs and ("earned", "certificate") in verbs


def test_certificate_link_when_the_certificate_page_exists(app, client, learner, course):
    _pass_quizzes(_enrolment(learner, course))
    for title in ("Bài 1.1", "Bài 1.2", "Bài 2.1", "Bài 2.2"):
        client.post(_lesson_url(course, title) + "/complete")
    code = db.session.scalar(select(Certificate.code))
    page = _page(client.get(f"/courses/{course.slug}"))
    home = _page(client.get("/"))
    if "courses.certificate" in app.view_functions:
        assert code in page and code in home
    else:
        assert code not in page and code not in home


def test_a_long_lesson_page_stays_light(client, learner, course):
    lesson = _lesson("Bài 1.1")
    paragraph = ("Đội hình tình nguyện cần khảo sát nhu cầu của cộng đồng, lập kế hoạch, phân công, "
                 "bảo đảm an toàn và báo cáo kết quả cho Ban Chấp hành. ") * 4
    lesson.body_md = "\n\n".join(f"## Phần {i}\n\n{paragraph}" for i in range(1, 81)) + "\n\nHẾT BÀI."
    db.session.commit()
    response = client.get(_lesson_url(course, "Bài 1.1"))
    assert "HẾT BÀI." in _page(response)
    assert len(lesson.body_md.encode()) > 50_000
    assert len(response.data) < 100_000


def test_hostile_markdown_in_a_lesson_renders_harmless(client, learner, course):
    lesson = _lesson("Bài 1.1")
    lesson.body_md = ("Bài học.\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert('y')\">\n\n"
                      "[Bấm vào đây](javascript:alert('z'))\n\n<a href=\"javascript:alert(1)\">liên kết</a>\n\n"
                      "<iframe src=\"https://example.com\"></iframe><style>body{display:none}</style>\n")
    db.session.commit()
    for url in (_lesson_url(course, "Bài 1.1"), _lesson_url(course, "Bài 1.1") + "/print"):
        page = _page(client.get(url)).lower()
        assert "Bài học." .lower() in page
        assert "<script" not in page
        assert "onerror" not in page
        assert "javascript:" not in page
        assert "<iframe" not in page and "<style" not in page
    offline = _page(client.get(f"/courses/{course.slug}/modules/{lesson.module_id}/offline")).lower()
    assert "<script" not in offline and "onerror" not in offline and "javascript:" not in offline


def test_print_view_has_the_lesson_and_no_navigation(client, learner, course):
    page = _page(client.get(_lesson_url(course, "Bài 1.2") + "/print"))
    assert "Nội dung bài 1.2." in page and "Mô-đun 1" in page and course.title in page
    assert 'class="menu"' not in page and "Đăng xuất" not in page
    assert "Đánh dấu đã học xong" not in page and 'rel="next"' not in page


def test_offline_module_is_one_self_contained_file_with_every_lesson(client, learner, course):
    module_id = _lesson("Bài 2.1").module_id
    response = client.get(f"/courses/{course.slug}/modules/{module_id}/offline")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="02-mo-dun-2.html"'
    assert response.mimetype == "text/html"
    page = _page(response)
    assert "Giới thiệu." in page and "Mô-đun 2" in page
    assert "Nội dung bài 2.1." in page and "Nội dung bài 2.2." in page
    assert "Nội dung bài 1.1." not in page
    assert "<style>" in page
    assert '<link rel="stylesheet"' not in page and "<script" not in page and 'src="/' not in page


def test_offline_module_leaves_out_archived_lessons(client, learner, course):
    lesson = _lesson("Bài 2.2")
    lesson.status = ARCHIVED
    db.session.commit()
    page = _page(client.get(f"/courses/{course.slug}/modules/{lesson.module_id}/offline"))
    assert "Nội dung bài 2.1." in page and "Nội dung bài 2.2." not in page


@pytest.mark.parametrize("suffix", ["", "/print"])
def test_a_learner_not_enrolled_is_sent_to_the_course_page(client, cadre_a, course, suffix):
    login(client, cadre_a)
    response = client.get(_lesson_url(course, "Bài 1.1") + suffix)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{course.slug}")
    page = _page(client.get(response.headers["Location"]))
    assert "Hãy đăng ký khóa học để học các bài trong khóa." in page
    assert _enrolment(cadre_a, course) is None


def test_not_enrolled_cannot_mark_complete_or_download(client, cadre_a, course):
    login(client, cadre_a)
    assert client.post(_lesson_url(course, "Bài 1.1") + "/complete").status_code == 302
    module_id = _lesson("Bài 1.1").module_id
    assert client.get(f"/courses/{course.slug}/modules/{module_id}/offline").status_code == 302
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0


def test_a_lesson_of_another_course_is_not_found(client, learner, course, tmp_path):
    write_course(tmp_path / "other", slug="khoa-khac", title="Khóa khác")
    import_directory(tmp_path / "other")
    other = db.session.scalar(select(Lesson).join(Lesson.module).join(Course).where(Course.slug == "khoa-khac"))
    assert client.get(f"/courses/{course.slug}/lessons/{other.id}").status_code == 404
    assert client.get(f"/courses/{course.slug}/lessons/999999").status_code == 404


def test_an_archived_lesson_is_hidden_and_no_longer_counts_but_its_progress_stays(client, cadre_a, app_ctx, tmp_path):
    folder = write_course(tmp_path, slug="khoa-doi", title="Khóa sẽ đổi")
    import_directory(tmp_path)
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-doi"))
    login(client, cadre_a)
    _enrol(client, course)
    client.post(_lesson_url(course, "Bài 2.2") + "/complete")
    client.post(_lesson_url(course, "Bài 1.1") + "/complete")
    archived_url = _lesson_url(course, "Bài 2.2")
    (folder / "02-mo-dun-2" / "02-bai-2.md").unlink()
    import_directory(tmp_path)

    client.get("/courses/")  # shows (and so clears) the messages of the steps above
    page = _page(client.get(f"/courses/{course.slug}"))
    assert "Bài 2.2" not in page and "Bài 2.1" in page
    assert "1/3 bài bắt buộc · 33%" in page
    assert client.get(archived_url).status_code == 404
    assert 'rel="next"' not in _page(client.get(_lesson_url(course, "Bài 2.1")))
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 2


# --- Learner home ---------------------------------------------------------------------------------

def test_learner_home_lists_required_by_due_date_then_in_progress_then_completed(
        client, cadre_a, admin_a, tree, app_ctx, tmp_path):
    for slug, title in (("bat-buoc-som", "Khóa bắt buộc quá hạn"), ("bat-buoc-muon", "Khóa bắt buộc còn hạn"),
                        ("chua-hoc", "Khóa được giao chưa học"), ("dang-hoc", "Khóa đang học"),
                        ("da-xong", "Khóa đã xong"), ("goi-y", "Khóa gợi ý cho cơ sở")):
        write_course(tmp_path, slug=slug, title=title)
    write_course(tmp_path, slug="cho-sinh-vien", title="Khóa cho sinh viên", organisations=["HSV"])
    import_directory(tmp_path)
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    today = local_today()
    overdue_on, later_on = today - timedelta(days=3), today + timedelta(days=12)
    db.session.add_all([
        Enrolment(user_id=cadre_a.id, course_id=courses["bat-buoc-muon"].id, due_on=later_on),
        Enrolment(user_id=cadre_a.id, course_id=courses["bat-buoc-som"].id, due_on=overdue_on),
        Enrolment(user_id=cadre_a.id, course_id=courses["dang-hoc"].id),
        Enrolment(user_id=cadre_a.id, course_id=courses["da-xong"].id, completed_at=utcnow()),
        Assignment(course_id=courses["chua-hoc"].id, unit_id=tree.grassroots_a.id, assigned_by_id=admin_a.id,
                   due_on=today + timedelta(days=5)),
    ])
    db.session.commit()
    login(client, cadre_a)
    page = _page(client.get("/"))
    order = ["Khóa học bắt buộc", "Khóa bắt buộc quá hạn", "Khóa được giao chưa học", "Khóa bắt buộc còn hạn",
             "Đang học", "Khóa đang học", "Đã hoàn thành", "Khóa đã xong", "Khóa học dành cho bạn",
             "Khóa gợi ý cho cơ sở", "Vai trò của bạn"]
    assert _titles_in_order(page, order) == order
    overdue_item = page[page.index("Khóa bắt buộc quá hạn"):page.index("Khóa được giao chưa học")]
    assert "Quá hạn" in overdue_item and f"{overdue_on:%d/%m/%Y}" in overdue_item
    assert '<li class="overdue">' in page
    assert page.count("Quá hạn") == 1
    assert f"{later_on:%d/%m/%Y}" in page and "còn 12 ngày" in page
    assert "Khóa cho sinh viên" not in page
    assert "/courses/dang-hoc/resume" in page
    assert page.count("Tiếp tục học") == 0 and page.count("Bắt đầu học") == 4
    client.get(f"/courses/dang-hoc/lessons/{services.lesson_sequence(courses['dang-hoc'].id)[0].id}")
    page = _page(client.get("/"))
    assert page.count("Tiếp tục học") == 1


def test_home_of_someone_with_no_course_points_to_the_catalogue(client, cadre_a, course):
    login(client, cadre_a)
    page = _page(client.get("/"))
    assert "Bạn chưa đăng ký khóa học nào." in page
    assert course.title in page  # an untargeted course is meant for everyone
    assert 'href="/courses/"' in page
    assert "Vai trò của bạn" in page


def test_home_of_an_admin_keeps_roles_and_tiles(client, admin_a, course):
    login(client, admin_a)
    page = _page(client.get("/"))
    assert "Vai trò của bạn" in page and "Quản trị đơn vị" in page
    assert "Bắt đầu từ đây" in page and 'class="tile"' in page


def test_home_runs_a_fixed_number_of_queries(client, cadre_a, app_ctx, tmp_path):
    from sqlalchemy import event

    for n in range(6):
        write_course(tmp_path, slug=f"khoa-{n}", title=f"Khóa {n}")
    import_directory(tmp_path)
    for course in db.session.scalars(select(Course)):
        db.session.add(Enrolment(user_id=cadre_a.id, course_id=course.id))
    db.session.commit()
    login(client, cadre_a)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/")
        home_queries = len(statements)
        statements.clear()
        client.get("/courses/")
        catalogue_queries = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert home_queries < 15 and catalogue_queries < 15


# --- Demo -----------------------------------------------------------------------------------------

def test_demo_learner_is_part_way_through_the_core_course_and_has_a_required_one(client, app_ctx, tmp_path):
    write_course(tmp_path, slug="quan-ly-dieu-phoi-tinh-nguyen", title="Quản lý, điều phối hoạt động tình nguyện")
    write_course(tmp_path, slug="dieu-phoi-vien-co-so", title="Điều phối viên cơ sở")
    import_directory(tmp_path)
    load_demo(ROOT / "content", synthetic_cadres=5)
    load_demo(ROOT / "content", synthetic_cadres=5)
    learner = db.session.scalar(select(User.id).where(User.email == "hocvien@example.org"))
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.user_id == learner)) == 2
    assert db.session.scalar(select(func.count(LessonProgress.id)).join(Enrolment)
                             .where(Enrolment.user_id == learner)) == 2
    assert db.session.scalar(select(func.count(Assignment.id))) == 1
    login(client, "hocvien@example.org", "demo1234")
    page = _page(client.get("/"))
    assert page.index("Khóa học bắt buộc") < page.index("Điều phối viên cơ sở") < page.index("Đang học")
    assert "còn 30 ngày" in page
    assert "2/4 bài bắt buộc · 50%" in page


def test_demo_without_the_courses_changes_nothing_in_learning(app_ctx):
    load_demo(ROOT / "content", synthetic_cadres=5)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0
