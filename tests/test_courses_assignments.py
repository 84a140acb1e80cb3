"""Course assignments by unit admins: a unit's subtree or a list of cadres, due dates, bulk enrolment,
progress counts, and the scope rules that keep each province to itself."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.auth.permissions import Role
from lms.i18n import local_today as today
from lms.courses.models import (DRAFT, Assignment, Course, Enrolment, LearningRecord, Lesson, LessonProgress,
                                Module)
from lms.db import db, utcnow
from lms.orgs.models import Unit
from lms.people.models import User
from tests.conftest import login


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def due(days: int = 30) -> str:
    return (today() + timedelta(days=days)).isoformat()


@pytest.fixture()
def cadres(tree, make_user):
    """Cadres across both provinces; one in province A's subtree is inactive."""
    people = {
        "hoa": make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="hoa@example.org", phone="+84912000001"),
        "an": make_user(tree.branch_a, "Lò Văn An", email="an@example.org", phone="+84912000002"),
        "binh": make_user(tree.branch_a, "Vàng Thị Bình", email="binh@example.org"),
        "cu": make_user(tree.province_a, "Đặng Văn Cừ", email="cu@example.org"),
        "nghi": make_user(tree.grassroots_a, "Hà Văn Nghỉ", email="nghi@example.org", is_active=False),
        "tram": make_user(tree.grassroots_b, "Võ Thị Bích Trâm", email="tram@example.org", phone="+84912000111"),
    }
    return people


def assign(client, course, follow: bool = False, **fields):
    data = {"course_id": str(course.id), "target": "unit", "unit_code": "", "cadres": "", "due_on": due(),
            "note": "", **fields}
    return client.post("/courses/assignments/new", data=data, follow_redirects=follow)


def subtree_active_cadres(unit: Unit):
    return (select(User.id).join(Unit, User.unit_id == Unit.id)
            .where(Unit.path.startswith(unit.path), User.is_active.is_(True)))


# --- Who may assign --------------------------------------------------------------------------------

def test_learners_cannot_reach_assignments(client, course, cadre_a):
    sign_in_as(client, cadre_a)
    assert client.get("/courses/assignments").status_code == 403
    assert client.get("/courses/assignments/new").status_code == 403
    assert client.post("/courses/assignments/new", data={"course_id": course.id}).status_code == 403
    assert client.get("/courses/assignments/1").status_code == 403


# --- A unit's subtree -------------------------------------------------------------------------------

def test_subtree_assignment_enrols_exactly_the_active_cadres(client, tree, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    response = assign(client, course, unit_code="doan-lci-batxat", note="Trước đợt Mùa hè xanh")
    assert response.status_code == 302, text(response)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.unit_id == tree.grassroots_a.id and assignment.note == "Trước đợt Mùa hè xanh"
    assert assignment.assigned_by_id == admin_a.id

    expected = set(db.session.scalars(subtree_active_cadres(tree.grassroots_a)))
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.assignment_id == assignment.id)))
    assert enrolled == expected == {cadres["hoa"].id, cadres["an"].id, cadres["binh"].id}
    assert count(select(Enrolment.id).where(Enrolment.due_on == assignment.due_on)) == 3
    registered = select(LearningRecord.actor_id).where(LearningRecord.verb == "registered",
                                                        LearningRecord.course_id == course.id)
    assert set(db.session.scalars(registered)) == expected
    assert len(set(db.session.scalars(select(LearningRecord.statement_id)))) == 3

    page = text(client.get(response.headers["Location"]))
    assert "Đã giao khóa học cho 3 cán bộ." in page
    # Vietnamese order: by given name (An, Bình, Hoa).
    assert page.index("Lò Văn An") < page.index("Vàng Thị Bình") < page.index("Nguyễn Thị Hoa")
    assert "Hà Văn Nghỉ" not in page and "Đặng Văn Cừ" not in page
    assert page.count("chưa bắt đầu") == 3


def test_already_enrolled_cadres_keep_the_earlier_due_date(client, tree, course, admin_a, cadres):
    soon, late = today() + timedelta(days=5), today() + timedelta(days=90)
    db.session.add_all([Enrolment(user_id=cadres["hoa"].id, course_id=course.id, due_on=soon),
                        Enrolment(user_id=cadres["an"].id, course_id=course.id, due_on=late),
                        Enrolment(user_id=cadres["binh"].id, course_id=course.id)])
    db.session.commit()
    sign_in_as(client, admin_a)
    page = text(assign(client, course, unit_code="DOAN-LCI", due_on=due(30), follow=True))
    assert "Đã giao khóa học cho 4 cán bộ." in page  # Cừ and the admin enrolled, An and Bình rescheduled
    assert "1 cán bộ đã có hạn hoàn thành sớm hơn" in page
    assignment = db.session.scalar(select(Assignment))
    rows = {user_id: (assignment_id, due_on) for user_id, assignment_id, due_on in
            db.session.execute(select(Enrolment.user_id, Enrolment.assignment_id, Enrolment.due_on))}
    assert rows[cadres["hoa"].id] == (None, soon)
    assert rows[cadres["an"].id] == (assignment.id, assignment.due_on)
    assert rows[cadres["binh"].id] == (assignment.id, assignment.due_on)
    assert rows[cadres["cu"].id] == rows[admin_a.id] == (assignment.id, assignment.due_on)
    assert count(select(Enrolment.id)) == 5  # no second enrolment for anyone
    # Only the newly enrolled cadres' registrations are recorded.
    assert set(db.session.scalars(select(LearningRecord.actor_id))) == {cadres["cu"].id, admin_a.id}


def test_only_published_courses_can_be_assigned(client, course, admin_a, cadres):
    db.session.execute(update(Course).values(status=DRAFT))
    db.session.commit()
    sign_in_as(client, admin_a)
    page = text(assign(client, course, unit_code="DOAN-LCI"))
    assert "Hãy chọn một mục trong danh sách." in page
    assert count(select(Assignment.id)) == 0


def test_due_date_in_the_past_is_refused(client, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    yesterday = (today() - timedelta(days=1)).isoformat()
    page = text(assign(client, course, unit_code="DOAN-LCI", due_on=yesterday, note="Ghi chú tôi đã gõ"))
    assert "Hạn hoàn thành không được ở trong quá khứ" in page
    assert 'value="Ghi chú tôi đã gõ"' in page and 'value="DOAN-LCI"' in page
    assert count(select(Assignment.id)) == 0 and count(select(Enrolment.id)) == 0
    page = text(assign(client, course, unit_code="DOAN-LCI", due_on="31/02/2030"))
    assert "Hạn hoàn thành: tháng 2 năm 2030 có 28 ngày, không có ngày 31." in page
    page = text(assign(client, course, unit_code="DOAN-LCI", due_on="cuối tháng 6"))
    assert "Hạn hoàn thành không đúng dạng ngày/tháng/năm, ví dụ 30/06/2025." in page
    # Today is fine, and the Vietnamese way of writing a date too.
    response = assign(client, course, unit_code="DOAN-LCI", due_on=today().strftime("%d/%m/%Y"))
    assert response.status_code == 302


# --- A list of cadres ------------------------------------------------------------------------------

def test_list_assignment_enrols_the_listed_cadres(client, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    response = assign(client, course, target="people", unit_code="DOAN-LCI",
                      cadres="0912 000 001\n\n  AN@example.org  \nbinh@example.org\n0912000001\n")
    assert response.status_code == 302, text(response)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.unit_id is None
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.assignment_id == assignment.id)))
    assert enrolled == {cadres["hoa"].id, cadres["an"].id, cadres["binh"].id}
    page = text(client.get("/courses/assignments"))
    assert "Danh sách cán bộ" in page and "Điều phối tình nguyện cơ bản" in page


def test_list_with_a_bad_line_saves_nothing_and_names_the_line(client, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    typed = "hoa@example.org\nkhông-phải-email\n0912000111\nnghi@example.org\nai.do@example.org\n0912000002"
    page = text(assign(client, course, target="people", cadres=typed))
    assert "Dòng 2: “không-phải-email” không phải số điện thoại hay e-mail hợp lệ." in page
    # Province B's cadre is not named as existing: the same words as for a stranger.
    assert "Dòng 3: không có cán bộ nào có “0912000111” trong phạm vi bạn quản lý." in page
    assert "Dòng 4: tài khoản của Hà Văn Nghỉ đã ngừng hoạt động." in page
    assert "Dòng 5: không có cán bộ nào có “ai.do@example.org” trong phạm vi bạn quản lý." in page
    assert "Dòng 1" not in page and "Dòng 6" not in page
    assert typed in page  # the list comes back as typed
    assert count(select(Assignment.id)) == 0 and count(select(Enrolment.id)) == 0
    assert count(select(LearningRecord.id)) == 0


def test_every_mistake_is_shown_at_once(client, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    page = text(assign(client, course, target="people", cadres="xyz", due_on=""))
    assert "Hãy chọn hạn hoàn thành." in page and "Dòng 1: “xyz”" in page


def test_an_empty_list_is_refused(client, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    page = text(assign(client, course, target="people", cadres="\n  \n"))
    assert "Hãy nhập ít nhất một số điện thoại hoặc e-mail" in page


# --- Scope ------------------------------------------------------------------------------------------

def test_a_province_cannot_assign_to_another(client, tree, course, admin_a, admin_b, cadres):
    sign_in_as(client, admin_a)
    page = text(assign(client, course, unit_code="DOAN-AGG-PHUQUOC"))
    assert "Không có đơn vị mã “DOAN-AGG-PHUQUOC” trong phạm vi bạn quản lý." in page
    page = text(assign(client, course, unit_code="DOAN-TW"))
    assert "Không có đơn vị mã “DOAN-TW” trong phạm vi bạn quản lý." in page
    page = text(assign(client, course, target="people", cadres="tram@example.org"))
    assert "Dòng 1: không có cán bộ nào có “tram@example.org” trong phạm vi bạn quản lý." in page
    assert count(select(Assignment.id)) == 0 and count(select(Enrolment.id)) == 0


def test_a_province_cannot_see_another_provinces_assignments(client, tree, course, admin_a, admin_b,
                                                             central_admin, cadres):
    sign_in_as(client, admin_b)
    assert assign(client, course, unit_code="DOAN-AGG").status_code == 302
    assert assign(client, course, target="people", cadres="tram@example.org", due_on=due(10)).status_code == 302
    b_unit, b_list = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
    sign_in_as(client, central_admin)
    assert assign(client, course, unit_code="DOAN-TW", due_on=due(60)).status_code == 302
    central = db.session.scalar(select(Assignment.id).order_by(Assignment.id.desc()))

    sign_in_as(client, admin_a)
    page = text(client.get("/courses/assignments"))
    assert "Tỉnh đoàn An Giang" not in page and "Danh sách cán bộ" not in page
    assert "Chưa có khóa học nào được giao trong phạm vi của bạn." in page
    for assignment_id in (b_unit, b_list, central):
        assert client.get(f"/courses/assignments/{assignment_id}").status_code == 403
    assert client.get("/courses/assignments/999999").status_code == 404

    sign_in_as(client, admin_b)
    page = text(client.get("/courses/assignments"))
    assert "Tỉnh đoàn An Giang" in page and "Danh sách cán bộ" in page
    detail = text(client.get(f"/courses/assignments/{b_list}"))
    assert "Võ Thị Bích Trâm" in detail

    sign_in_as(client, central_admin)
    page = text(client.get(f"/courses/assignments/{central}"))
    # Trâm keeps her province's earlier due date, so she stays under that assignment.
    assert "Nguyễn Thị Hoa" in page and "Võ Thị Bích Trâm" not in page


# --- Progress ------------------------------------------------------------------------------------

def test_overdue_and_completed_are_counted(client, tree, course, admin_a, cadres):
    sign_in_as(client, admin_a)
    assert assign(client, course, unit_code="DOAN-LCI").status_code == 302
    assignment = db.session.scalar(select(Assignment))
    enrolments = {e.user_id: e for e in db.session.scalars(select(Enrolment))}
    # Five assigned (the admin is a cadre of the province too). Cừ completed; Hoa did one of the course's
    # four lessons; An and Bình are past the due date.
    enrolments[cadres["cu"].id].completed_at = utcnow()
    hoa = enrolments[cadres["hoa"].id]
    first_lesson = db.session.scalar(select(Lesson.id).join(Module).order_by(Module.position, Lesson.position))
    db.session.add(LessonProgress(enrolment_id=hoa.id, lesson_id=first_lesson))
    hoa.last_activity_at = utcnow()
    past = today() - timedelta(days=3)
    for key in ("an", "binh"):
        enrolments[cadres[key].id].due_on = past
    db.session.commit()

    page = text(client.get("/courses/assignments"))
    row = page[page.index("Tỉnh đoàn Lào Cai"):]
    assert '<td data-label="Được giao" class="num">5</td>' in row
    assert '<td data-label="Hoàn thành" class="num">1 <small>(20%)</small></td>' in row
    assert '<strong class="error">2</strong>' in row

    detail = text(client.get(f"/courses/assignments/{assignment.id}"))
    assert detail.count("quá hạn") == 2
    assert "đang học (25%)" in detail and "hoàn thành</span>" in detail
    assert detail.count("chưa bắt đầu") == 1  # the admin
    assert "Quá hạn</dt><dd><strong class=\"error\">2</strong>" in detail


def test_menu_offers_assignments_to_unit_admins(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    assert "/courses/assignments" in text(client.get("/"))
    page = text(client.get("/courses/assignments/new"))
    assert 'value="DOAN-LCI"' in page  # the admin's own unit is offered


def test_a_course_can_be_chosen_by_link(client, course, admin_a):
    sign_in_as(client, admin_a)
    page = text(client.get(f"/courses/assignments/new?course={course.id}"))
    assert f'<option selected value="{course.id}">' in page


def test_a_second_province_admin_role_widens_scope(client, tree, course, make_user, cadres):
    both = make_user(tree.province_a, "Mai Văn Hai", email="hai@example.org",
                     roles=[(Role.UNIT_ADMIN, tree.grassroots_a), (Role.UNIT_ADMIN, tree.grassroots_b)])
    sign_in_as(client, both)
    response = assign(client, course, target="people", cadres="hoa@example.org\ntram@example.org")
    assert response.status_code == 302
    assert count(select(Enrolment.id)) == 2
