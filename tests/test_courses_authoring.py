"""Course authoring by the central office: who may, drafts to published courses, modules and lessons,
order, archiving without losing progress, Markdown preview, versions, and forms that keep what was typed."""
import re

import pytest
from sqlalchemy import func, select

from lms.courses.authoring import course_table, slugify, unique_key
from lms.courses.models import ACTIVE, ARCHIVED, DRAFT, PUBLISHED, Course, Enrolment, Lesson, LessonProgress, Module
from lms.db import db
from tests.conftest import login


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


COURSE_FORM = {"title": "Quản lý tình nguyện viên", "slug": "quan-ly-tnv", "summary": "Tóm tắt ngắn.",
               "description_md": "## Giới thiệu\n\nNội dung.", "organisations": ["DOAN", "HSV"],
               "levels": ["grassroots"], "areas": ["mountainous", "island"], "certificate_enabled": "y",
               "action": "save"}
LESSON_FORM = {"title": "Lập kế hoạch chiến dịch", "minutes": "20", "competencies": ["PLAN", "TEAM"],
               "required": "y", "body_md": "## Ý chính\n\nLập kế hoạch theo 5 bước.", "action": "save"}


def create_course(client, **changes) -> Course:
    response = client.post("/courses/manage/new", data={**COURSE_FORM, **changes})
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Course).where(Course.slug == (changes.get("slug") or COURSE_FORM["slug"])))


def add_module(client, course: Course, title: str = "Mô-đun lập kế hoạch") -> Module:
    response = client.post(f"/courses/manage/{course.id}/modules/new",
                           data={"title": title, "summary": "", "intro_md": "Giới thiệu.", "action": "save"})
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Module).where(Module.course_id == course.id).order_by(Module.id.desc()))


def add_lesson(client, module: Module, **changes) -> Lesson:
    response = client.post(f"/courses/manage/modules/{module.id}/lessons/new", data={**LESSON_FORM, **changes})
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Lesson).where(Lesson.module_id == module.id).order_by(Lesson.id.desc()))


# --- Who may author --------------------------------------------------------------------------------

def _authoring_urls(course: Course) -> list[tuple[str, str]]:
    module = course.modules[0]
    lesson = module.lessons[0]
    return [
        ("get", "/courses/manage"), ("get", "/courses/manage/new"), ("post", "/courses/manage/new"),
        ("get", f"/courses/manage/{course.id}"), ("get", f"/courses/manage/{course.id}/edit"),
        ("post", f"/courses/manage/{course.id}/edit"), ("post", f"/courses/manage/{course.id}/status"),
        ("get", f"/courses/manage/{course.id}/modules/new"), ("post", f"/courses/manage/{course.id}/modules/new"),
        ("get", f"/courses/manage/modules/{module.id}/edit"), ("post", f"/courses/manage/modules/{module.id}/edit"),
        ("post", f"/courses/manage/modules/{module.id}/move"), ("post", f"/courses/manage/modules/{module.id}/archive"),
        ("post", f"/courses/manage/modules/{module.id}/restore"),
        ("get", f"/courses/manage/modules/{module.id}/lessons/new"),
        ("post", f"/courses/manage/modules/{module.id}/lessons/new"),
        ("get", f"/courses/manage/lessons/{lesson.id}/edit"), ("post", f"/courses/manage/lessons/{lesson.id}/edit"),
        ("post", f"/courses/manage/lessons/{lesson.id}/move"), ("post", f"/courses/manage/lessons/{lesson.id}/archive"),
        ("post", f"/courses/manage/lessons/{lesson.id}/restore"),
        ("get", "/courses/manage/999999"), ("post", "/courses/manage/lessons/999999/archive"),
    ]


@pytest.mark.parametrize("who", ["admin_a", "cadre_a"])
def test_only_course_managers_reach_authoring(client, course, request, who):
    user = request.getfixturevalue(who)
    sign_in_as(client, user)
    version, statuses = course.version, {m.id: m.status for m in course.modules}
    for method, url in _authoring_urls(course):
        data = {"title": "Chiếm quyền", "direction": "up", "status": "archived", "body_md": "x", "minutes": "5"}
        response = getattr(client, method)(url, data=data) if method == "post" else client.get(url)
        assert response.status_code == 403, (method, url)
    course = fresh(Course, course.id)
    assert course.version == version and course.status == PUBLISHED and course.title != "Chiếm quyền"
    assert {m.id: m.status for m in course.modules} == statuses


def test_signed_out_visitors_are_sent_to_sign_in(client, course):
    response = client.get("/courses/manage")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_menu_offers_authoring_to_central_admin_only(client, central_admin, admin_a):
    sign_in_as(client, central_admin)
    assert "/courses/manage" in text(client.get("/"))
    sign_in_as(client, admin_a)
    assert "/courses/manage" not in text(client.get("/"))


# --- From draft to published -----------------------------------------------------------------------

def test_draft_to_published_course(client, central_admin, cadre_a):
    sign_in_as(client, central_admin)
    course = create_course(client)
    assert course.status == DRAFT and course.version == 1 and not course.from_file
    assert course.target_organisations == ["DOAN", "HSV"] and course.target_levels == ["grassroots"]
    assert course.target_areas == ["mountainous", "island"] and course.certificate_enabled

    # Publishing an empty course is refused, with the reason.
    page = text(client.post(f"/courses/manage/{course.id}/status", data={"status": "published"}, follow_redirects=True))
    assert "cần ít nhất một mô-đun" in page
    assert fresh(Course, course.id).status == DRAFT

    module = add_module(client, course, "Lập kế hoạch chiến dịch tình nguyện")
    assert module.key == "lap-ke-hoach-chien-dich-tinh-nguyen" and module.position == 1 and module.status == ACTIVE
    lesson = add_lesson(client, module, title="Khảo sát nhu cầu địa bàn")
    assert lesson.key == "khao-sat-nhu-cau-dia-ban" and lesson.minutes == 20
    assert lesson.competencies == ["PLAN", "TEAM"] and lesson.required

    # Preview: rendered through the sanitiser, nothing saved, the form keeps what was typed.
    body = ("## Bước một\n\n<script>alert('x')</script>\n\n[Bấm vào đây](javascript:alert(1)) và "
            "[Nghị định](https://example.org/nd45)\n\n<img src=x onerror=alert(2)>")
    response = client.post(f"/courses/manage/lessons/{lesson.id}/edit",
                           data={**LESSON_FORM, "title": "Tên mới chưa lưu", "body_md": body, "action": "preview"})
    page = text(response)
    assert response.status_code == 200
    assert "<h2>Bước một</h2>" in page
    assert "<script>" not in page and "onerror" not in page.replace("onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in page
    assert '<a href="https://example.org/nd45" rel="noopener noreferrer nofollow">Nghị định</a>' in page
    assert 'value="Tên mới chưa lưu"' in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert fresh(Lesson, lesson.id).title == "Khảo sát nhu cầu địa bàn"

    response = client.post(f"/courses/manage/{course.id}/status", data={"status": "published"})
    assert response.status_code == 302
    course = fresh(Course, course.id)
    assert course.status == PUBLISHED and course.version == 1
    # What learners are offered: published courses.
    published = db.session.scalars(select(Course.slug).where(Course.status == PUBLISHED)).all()
    assert "quan-ly-tnv" in published


def test_course_preview_renders_the_description_without_saving(client, central_admin):
    sign_in_as(client, central_admin)
    response = client.post("/courses/manage/new", data={
        **COURSE_FORM, "description_md": "**Đậm** <script>x()</script> [a](javascript:void(0))", "action": "preview"})
    page = text(response)
    assert response.status_code == 200
    assert "<strong>Đậm</strong>" in page and "<script>" not in page and 'href="javascript:' not in page
    assert 'value="Quản lý tình nguyện viên"' in page and 'value="quan-ly-tnv"' in page
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_slug_is_made_from_the_title_when_left_empty(client, central_admin):
    sign_in_as(client, central_admin)
    for _ in range(2):
        response = client.post("/courses/manage/new", data={**COURSE_FORM, "slug": "", "title": "Điều phối viên cơ sở"})
        assert response.status_code == 302
    assert sorted(db.session.scalars(select(Course.slug))) == ["dieu-phoi-vien-co-so", "dieu-phoi-vien-co-so-2"]


def test_keys_are_ascii_and_unique():
    assert slugify("Đánh giá, báo cáo & truyền thông!") == "danh-gia-bao-cao-truyen-thong"
    assert unique_key("bai", {"bai", "bai-2"}, "bai-hoc") == "bai-3"
    assert unique_key("", set(), "bai-hoc") == "bai-hoc"


# --- Validation keeps what was typed -----------------------------------------------------------------

def test_validation_errors_keep_the_typed_text(client, central_admin, course):
    sign_in_as(client, central_admin)
    data = {**COURSE_FORM, "slug": "Khóa Học Mới!", "title": "Khóa học có lỗi",
            "description_md": "Mô tả dài tôi đã gõ\n\n- ý một"}
    page = text(client.post("/courses/manage/new", data=data))
    assert "Địa chỉ rút gọn chỉ gồm chữ thường không dấu" in page
    assert 'value="Khóa học có lỗi"' in page and 'value="Khóa Học Mới!"' in page
    assert "Mô tả dài tôi đã gõ\n\n- ý một" in page
    assert '<input checked id="organisations-2" name="organisations" type="checkbox" value="HSV">' in page
    assert '<input id="organisations-1" name="organisations" type="checkbox" value="HLHTN">' in page

    page = text(client.post("/courses/manage/new", data={**COURSE_FORM, "slug": "khoa-thu"}))
    assert "“khoa-thu” đã được một khóa học khác dùng" in page
    assert 'value="Quản lý tình nguyện viên"' in page
    assert db.session.scalar(select(func.count(Course.id))) == 1

    lesson = course.modules[0].lessons[0]
    body = "Nội dung dài tôi vừa soạn, không được mất."
    page = text(client.post(f"/courses/manage/lessons/{lesson.id}/edit",
                            data={**LESSON_FORM, "title": "", "minutes": "mười", "body_md": body}))
    assert "Hãy nhập tên bài học." in page and "Hãy nhập một số nguyên" in page
    assert body in page and 'value="mười"' in page
    page = text(client.post(f"/courses/manage/lessons/{lesson.id}/edit", data={**LESSON_FORM, "minutes": "0"}))
    assert "Thời lượng từ 1 đến 600 phút." in page
    assert fresh(Lesson, lesson.id).title == "Bài 1.1"


# --- Editing, order, archive, versions -------------------------------------------------------------

def test_every_save_of_published_content_bumps_the_version(client, central_admin, course):
    sign_in_as(client, central_admin)
    assert course.version == 1 and course.status == PUBLISHED
    module, lesson = course.modules[0], course.modules[0].lessons[0]
    steps = [
        (f"/courses/manage/{course.id}/edit", {**COURSE_FORM, "title": "Tên mới"}),
        (f"/courses/manage/modules/{module.id}/edit", {"title": "Mô-đun sửa", "summary": "", "intro_md": "x"}),
        (f"/courses/manage/lessons/{lesson.id}/edit", {**LESSON_FORM, "title": "Bài sửa"}),
        (f"/courses/manage/modules/{module.id}/lessons/new", {**LESSON_FORM, "title": "Bài thêm"}),
        (f"/courses/manage/{course.id}/modules/new", {"title": "Mô-đun thêm", "summary": "", "intro_md": ""}),
        (f"/courses/manage/lessons/{lesson.id}/move", {"direction": "down"}),
        (f"/courses/manage/lessons/{lesson.id}/archive", {}),
        (f"/courses/manage/lessons/{lesson.id}/restore", {}),
    ]
    for number, (url, data) in enumerate(steps, start=2):
        assert client.post(url, data=data).status_code == 302, url
        assert fresh(Course, course.id).version == number, url
    # A preview saves nothing, so it does not count.
    client.post(f"/courses/manage/lessons/{lesson.id}/edit", data={**LESSON_FORM, "action": "preview"})
    assert fresh(Course, course.id).version == len(steps) + 1
    course = fresh(Course, course.id)
    assert course.title == "Tên mới" and course.slug == "khoa-thu"  # slug fixed once published


def test_draft_edits_keep_version_one(client, central_admin):
    sign_in_as(client, central_admin)
    course = create_course(client)
    module = add_module(client, course)
    add_lesson(client, module)
    client.post(f"/courses/manage/{course.id}/edit", data={**COURSE_FORM, "title": "Đổi tên"})
    assert fresh(Course, course.id).version == 1


def test_reorder_modules_and_lessons(client, central_admin, course):
    sign_in_as(client, central_admin)
    first, second = course.modules
    assert (first.position, second.position) == (1, 2)
    assert client.post(f"/courses/manage/modules/{second.id}/move", data={"direction": "up"}).status_code == 302
    course = fresh(Course, course.id)
    assert [m.key for m in course.modules] == ["mo-dun-2", "mo-dun-1"]
    # Already first: nothing changes.
    client.post(f"/courses/manage/modules/{second.id}/move", data={"direction": "up"})
    assert [m.key for m in fresh(Course, course.id).modules] == ["mo-dun-2", "mo-dun-1"]

    module = fresh(Module, first.id)
    lesson_one, lesson_two = module.lessons
    client.post(f"/courses/manage/lessons/{lesson_one.id}/move", data={"direction": "down"})
    assert [lesson.key for lesson in fresh(Module, first.id).lessons] == ["bai-2", "bai-1"]
    response = client.post(f"/courses/manage/lessons/{lesson_one.id}/move", data={"direction": "sideways"})
    assert response.status_code == 400

    page = text(client.get(f"/courses/manage/{course.id}"))
    assert page.index(f'id="module-{second.id}"') < page.index(f'id="module-{first.id}"')


def test_archive_hides_but_keeps_progress_and_can_be_restored(client, central_admin, cadre_a, course):
    module = course.modules[0]
    lesson = module.lessons[0]
    enrolment = Enrolment(user_id=cadre_a.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
    db.session.commit()

    sign_in_as(client, central_admin)
    assert client.post(f"/courses/manage/lessons/{lesson.id}/archive").status_code == 302
    assert client.post(f"/courses/manage/modules/{module.id}/archive").status_code == 302
    assert fresh(Lesson, lesson.id).status == ARCHIVED and fresh(Module, module.id).status == ARCHIVED
    assert db.session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.lesson_id == lesson.id)) == 1
    assert db.session.scalar(select(func.count(Lesson.id))) == 4  # nothing deleted

    # The last active module of a published course cannot go.
    other = course.modules[1]
    page = text(client.post(f"/courses/manage/modules/{other.id}/archive", follow_redirects=True))
    assert "phải còn ít nhất một mô-đun có bài học" in page
    assert fresh(Module, other.id).status == ACTIVE

    client.post(f"/courses/manage/modules/{module.id}/restore")
    client.post(f"/courses/manage/lessons/{lesson.id}/restore")
    assert fresh(Module, module.id).status == ACTIVE and fresh(Lesson, lesson.id).status == ACTIVE


def test_course_list_counts_in_sql(client, central_admin, course):
    sign_in_as(client, central_admin)
    create_course(client)
    client.post(f"/courses/manage/lessons/{course.modules[0].lessons[0].id}/archive")
    page = text(client.get("/courses/manage"))
    assert "Điều phối tình nguyện cơ bản" in page and "Quản lý tình nguyện viên" in page
    assert "Bản nháp" in page and "Đang phát hành" in page
    counts = {row.course.slug: (row.modules, row.lessons) for row in course_table()}
    assert counts == {"khoa-thu": (2, 3), "quan-ly-tnv": (0, 0)}


def test_file_imported_course_warns_before_web_edits(client, central_admin, course):
    sign_in_as(client, central_admin)
    warning = "Khóa học này được nhập từ tệp giáo trình"
    assert warning in text(client.get(f"/courses/manage/{course.id}/edit"))
    assert warning in text(client.get(f"/courses/manage/lessons/{course.modules[0].lessons[0].id}/edit"))
    assert warning in text(client.get(f"/courses/manage/{course.id}"))
    sign_in_as(client, central_admin)
    web_course = create_course(client)
    assert warning not in text(client.get(f"/courses/manage/{web_course.id}/edit"))


def test_status_can_go_to_archived_and_back(client, central_admin, course):
    sign_in_as(client, central_admin)
    client.post(f"/courses/manage/{course.id}/status", data={"status": "archived"})
    assert fresh(Course, course.id).status == "archived"
    assert client.post(f"/courses/manage/{course.id}/status", data={"status": "deleted"}).status_code == 400
    client.post(f"/courses/manage/{course.id}/status", data={"status": "published"})
    assert fresh(Course, course.id).status == PUBLISHED


def test_course_page_shows_outline(client, central_admin, course):
    sign_in_as(client, central_admin)
    page = text(client.get(f"/courses/manage/{course.id}"))
    assert "Mô-đun 1" in page and "Bài 1.1" in page and "Kiểm tra mô-đun 1" in page
    assert "Phiên bản 1" in page
    assert client.get("/courses/manage/999999").status_code == 404


def test_every_button_carries_a_csrf_token(app, client, central_admin, course):
    sign_in_as(client, central_admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = text(client.get(f"/courses/manage/{course.id}"))
        assert page.count('<form method="post"') == page.count('name="csrf_token"')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        second = course.modules[1]
        url = f"/courses/manage/modules/{second.id}/move"
        assert client.post(url, data={"direction": "up"}).status_code == 400
        assert client.post(url, data={"direction": "up", "csrf_token": token}).status_code == 302
        assert [m.key for m in fresh(Course, course.id).modules] == ["mo-dun-2", "mo-dun-1"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
