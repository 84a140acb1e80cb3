"""Cohorts (lớp tập huấn): creating one, participants picked or listed in a file, capacity, sessions, the
phone attendance sheet, online progress beside attendance, the completion rule, closing with certificates,
read-only closed cohorts, and the scope that keeps each province to its own cohorts."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from lms.auth.permissions import Role
from lms.courses import services as courses
from lms.courses.models import Lesson
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.trainers import cohorts
from lms.trainers.models import (Attendance, Cohort, CohortParticipant, CohortTrainer, TrainerProfile,
                                 TrainingSession)
from tests.conftest import login

HEADERS = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số điện thoại", "E-mail", "Mã đơn vị", "Chức vụ"]


def text(response) -> str:
    return response.get_data(as_text=True)


def content(response) -> str:
    """The page from its heading on, without the messages earlier steps left."""
    page = text(response)
    return page[page.index("<h1>"):]


def sign_in_as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def day(offset: int = 0) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()


def profile(user, tier: str = "provincial") -> TrainerProfile:
    trainer = TrainerProfile(user_id=user.id, tier=tier, status="certified")
    db.session.add(trainer)
    db.session.commit()
    return trainer


@pytest.fixture()
def trainer(tree, make_user):
    """A certified trainer of province A, with the trainer role over the province."""
    user = make_user(tree.province_a, "Lò Văn Minh", email="minh@example.org", phone="+84912000300",
                     roles=[(Role.TRAINER, tree.province_a)])
    profile(user)
    return user


@pytest.fixture()
def co_trainer(tree, make_user):
    user = make_user(tree.central, "Đỗ Thị Lan", email="lan@example.org", phone="+84912000301")
    profile(user, tier="master")
    return user


@pytest.fixture()
def cadres(tree, make_user):
    """Cadres under province A (one inactive), and one in province B."""
    return {
        "hoa": make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="hoa@example.org", phone="+84912000001"),
        "an": make_user(tree.branch_a, "Lò Văn An", email="an@example.org", phone="+84912000002"),
        "binh": make_user(tree.branch_a, "Vàng Thị Bình", email="binh@example.org"),
        "cu": make_user(tree.province_a, "Đặng Văn Cừ", phone="+84912000004", email=None),
        "nghi": make_user(tree.grassroots_a, "Hà Văn Nghỉ", email="nghi@example.org", is_active=False),
        "tram": make_user(tree.grassroots_b, "Võ Thị Bích Trâm", email="tram@example.org", phone="+84912000111"),
    }


def cohort_data(**fields) -> dict:
    data = {"title": "Lớp điều phối viên tình nguyện khóa 1", "course_id": "0", "unit_code": "DOAN-LCI",
            "mode": "in_person", "place": "Hội trường Tỉnh đoàn", "starts_on": day(-10), "ends_on": day(10),
            "lead_trainer": "minh@example.org", "co_trainers": "", "capacity": "40", "attendance_threshold": "80",
            "target_group": "coordinators"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def create(client, **fields):
    return client.post("/trainers/cohorts/new", data=cohort_data(**fields))


def latest_cohort() -> Cohort:
    db.session.expire_all()
    return db.session.scalar(select(Cohort).order_by(Cohort.id.desc()))


@pytest.fixture()
def cohort(client, trainer, cadres):
    """A cohort of province A made by its trainer, who stays signed in."""
    sign_in_as(client, trainer)
    assert create(client).status_code == 302
    return latest_cohort()


def url(cohort, tail: str = "") -> str:
    return f"/trainers/cohorts/{cohort.id}{tail}"


def pick(client, cohort, *people):
    return client.post(url(cohort, "/participants/add"), data={"user_id": [str(p.id) for p in people]})


def participant_ids(cohort) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(CohortParticipant.user_id).where(CohortParticipant.cohort_id == cohort.id)))


def add_session(client, cohort, offset: int = -1, topic: str = "Khảo sát nhu cầu", trainer_user=None):
    trainer_id = db.session.scalar(select(TrainerProfile.id).where(
        TrainerProfile.user_id == (trainer_user.id if trainer_user else cohort.created_by_id)))
    response = client.post(url(cohort, "/sessions/new"),
                           data={"held_on": day(offset), "topic": topic, "trainer_id": str(trainer_id)})
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.cohort_id == cohort.id)
                                .order_by(TrainingSession.id.desc()))
    return response, session


def mark(client, cohort, session, **statuses):
    """mark(client, cohort, session, **{str(user.id): "present"})"""
    return client.post(url(cohort, f"/sessions/{session.id}/attendance"),
                       data={f"s{user_id}": status for user_id, status in statuses.items()})


def marks(session) -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Attendance.user_id, Attendance.status)
                                   .where(Attendance.session_id == session.id)).all())


def xlsx(rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(name, phone="", email="", unit="DOAN-LCI-BATXAT") -> list:
    return [name, "", "", "", phone, email, unit, ""]


def upload(client, cohort, content: bytes, name: str = "hoc-vien.xlsx"):
    return client.post(url(cohort, "/participants/import"), data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


# --- Listing and creating --------------------------------------------------------------------------

def test_learners_cannot_reach_cohorts(client, cadre_a):
    sign_in_as(client, cadre_a)
    assert client.get("/trainers/cohorts").status_code == 403
    assert client.get("/trainers/cohorts/new").status_code == 403


def test_a_trainer_creates_a_cohort_with_a_lead_and_a_co_trainer(client, trainer, co_trainer, course, cadres):
    sign_in_as(client, trainer)
    page = text(client.get("/trainers/cohorts/new"))
    assert 'value="minh@example.org"' in page  # the trainer, who has a profile, is preselected as lead
    assert 'value="DOAN-LCI"' in page
    response = create(client, course_id=str(course.id), co_trainers="0912 000 301", requires_course="y",
                      mode="blended")
    assert response.status_code == 302
    cohort = latest_cohort()
    assert response.headers["Location"].endswith(url(cohort))
    assert (cohort.title, cohort.unit.code, cohort.mode, cohort.course_id) == (
        "Lớp điều phối viên tình nguyện khóa 1", "DOAN-LCI", "blended", course.id)
    assert cohort.requires_course and cohort.attendance_threshold == 80 and cohort.capacity == 40
    assert cohort.status == "open" and cohort.target_group == "coordinators"
    roles = dict(db.session.execute(select(TrainerProfile.user_id, CohortTrainer.role)
                                    .join(TrainerProfile, CohortTrainer.trainer_id == TrainerProfile.id)
                                    .where(CohortTrainer.cohort_id == cohort.id)).all())
    assert roles == {trainer.id: "lead", co_trainer.id: "co"}
    page = text(client.get(url(cohort)))
    assert "Lò Văn Minh" in page and "Đỗ Thị Lan" in page and "Kết hợp" in page
    assert "và hoàn thành khóa học trực tuyến" in page


def test_without_a_course_no_course_is_required(client, cohort):
    assert cohort.course_id is None and cohort.requires_course is False


def test_every_mistake_is_shown_and_nothing_saved(client, trainer, cadres):
    sign_in_as(client, trainer)
    response = create(client, title="", unit_code="DOAN-AGG", starts_on=day(5), ends_on=day(1),
                      lead_trainer="hoa@example.org", co_trainers="khong-phai-email", capacity="0",
                      attendance_threshold="120")
    page = text(response)
    assert response.status_code == 200
    for message in ("Hãy nhập tên lớp.", "Không có đơn vị mã “DOAN-AGG” trong phạm vi bạn quản lý.",
                    "Ngày bế giảng phải từ ngày khai giảng trở đi.",
                    "Không có tập huấn viên nào có “hoa@example.org”",
                    "“khong-phai-email” không phải số điện thoại hay e-mail hợp lệ.",
                    "Sĩ số tối đa là một số từ 1 đến 500.", "Tỷ lệ chuyên cần là một số từ 1 đến 100."):
        assert message in page
    assert count(Cohort) == 0


def test_the_list_shows_participants_and_sessions_newest_first(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    add_session(client, cohort)
    assert create(client, title="Lớp đội trưởng", starts_on=day(0), ends_on=day(3)).status_code == 302
    page = content(client.get("/trainers/cohorts"))
    assert page.index("Lớp đội trưởng") < page.index("Lớp điều phối viên tình nguyện khóa 1")
    assert "2 học viên" in page and "1 buổi học" in page and "0 học viên" in page


def test_editing_keeps_the_rules(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    add_session(client, cohort, offset=-5)
    response = client.post(url(cohort, "/edit"), data=cohort_data(capacity="1", starts_on=day(-2)))
    page = text(response)
    assert "Lớp đã có 2 học viên; sĩ số tối đa không thể nhỏ hơn." in page
    assert "1 buổi học của lớp nằm ngoài khoảng ngày mới" in page
    assert client.post(url(cohort, "/edit"), data=cohort_data(title="Lớp đã đổi tên")).status_code == 302
    assert latest_cohort().title == "Lớp đã đổi tên"


# --- Participants ---------------------------------------------------------------------------------

def test_search_offers_active_cadres_under_the_cohorts_unit_only(client, cohort, cadres, tree):
    cohort.unit_id = tree.grassroots_a.id
    db.session.commit()
    page = text(client.get(url(cohort, "/participants?q=nguyen thi hoa")))
    assert "Nguyễn Thị Hoa" in page
    assert "Lò Văn An" in text(client.get(url(cohort, "/participants?q=0912000002")))
    assert "Đặng Văn Cừ" not in text(client.get(url(cohort, "/participants?q=cu")))  # province level, above
    assert "Hà Văn Nghỉ" not in text(client.get(url(cohort, "/participants?q=nghi")))  # inactive
    assert "Võ Thị Bích Trâm" not in text(client.get(url(cohort, "/participants?q=tram")))  # province B


def test_picked_cadres_join_and_leave_the_search(client, cohort, cadres):
    response = pick(client, cohort, cadres["hoa"], cadres["an"])
    assert response.status_code == 302
    assert participant_ids(cohort) == {cadres["hoa"].id, cadres["an"].id}
    assert "Đã thêm 2 học viên vào lớp." in text(client.get(url(cohort)))
    assert 'value="%d"' % cadres["hoa"].id not in text(client.get(url(cohort, "/participants?q=hoa")))


def test_a_pick_outside_the_unit_adds_nobody(client, cohort, cadres):
    response = pick(client, cohort, cadres["hoa"], cadres["tram"])
    assert response.status_code == 302
    assert participant_ids(cohort) == set()
    assert "Có người được chọn không thể tham gia lớp này" in text(client.get(response.headers["Location"]))


def test_capacity_is_enforced_with_a_clear_message(client, cohort, cadres):
    cohort.capacity = 2
    db.session.commit()
    response = pick(client, cohort, cadres["hoa"], cadres["an"], cadres["binh"])
    assert participant_ids(cohort) == set()
    assert ("Lớp chỉ còn 2 chỗ (sĩ số tối đa 2) nhưng bạn thêm 3 người. Chưa thêm ai."
            in text(client.get(response.headers["Location"])))
    pick(client, cohort, cadres["hoa"], cadres["an"])
    response = pick(client, cohort, cadres["binh"])
    assert "Lớp đã đủ 2 học viên, không thể thêm người." in text(client.get(response.headers["Location"]))
    assert participant_ids(cohort) == {cadres["hoa"].id, cadres["an"].id}


def test_a_clean_list_file_adds_everyone(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"])
    content = xlsx([row("Nguyễn Thị Hoa", email="hoa@example.org"), row("LÒ VĂN AN", phone="0912 000 002"),
                    row("Đặng Văn Cừ", phone="0912000004", unit="")])
    response = upload(client, cohort, content)
    assert response.status_code == 302
    assert participant_ids(cohort) == {cadres["hoa"].id, cadres["an"].id, cadres["cu"].id}
    assert "Đã thêm 2 học viên từ tệp. 1 người đã có trong lớp từ trước." in text(client.get(url(cohort)))


def test_a_csv_list_file_works_too(client, cohort, cadres):
    content = ("\ufeff" + ",".join(HEADERS) + "\nVàng Thị Bình,,,,,binh@example.org,DOAN-LCI-BATXAT-CD01,\n")
    assert upload(client, cohort, content.encode(), "ds.csv").status_code == 302
    assert participant_ids(cohort) == {cadres["binh"].id}


def test_a_list_with_any_error_adds_nobody_and_names_each_row(client, cohort, cadres):
    content = xlsx([row("Nguyễn Thị Hoa", email="hoa@example.org"),
                    row("Trần Văn Mới", email="moi@example.org"),
                    row("Võ Thị Bích Trâm", email="tram@example.org"),
                    row("Hà Văn Nghỉ", email="nghi@example.org"),
                    row("Lê Văn Khác", phone="0912000002"),
                    row("Nguyễn Thị Hoa", phone="0912000001")])
    response = upload(client, cohort, content)
    page = text(response)
    assert response.status_code == 200
    assert participant_ids(cohort) == set()
    assert "Tệp có 5 dòng lỗi." in page
    assert "Dòng 3: Chưa có tài khoản: hãy nhập danh sách cán bộ trước." in page
    assert "Dòng 4: Võ Thị Bích Trâm thuộc “Đoàn đặc khu Phú Quốc”" in page
    assert "Dòng 5: Tài khoản của Hà Văn Nghỉ đã ngừng hoạt động." in page
    assert "Dòng 6: Họ tên trong tệp khác họ tên của tài khoản" in page
    assert "Dòng 7: Cùng một người với dòng 2." in page


def test_a_list_larger_than_the_room_left_adds_nobody(client, cohort, cadres):
    cohort.capacity = 1
    db.session.commit()
    response = upload(client, cohort, xlsx([row("Nguyễn Thị Hoa", email="hoa@example.org"),
                                            row("Lò Văn An", email="an@example.org")]))
    assert "Lớp chỉ còn 1 chỗ (sĩ số tối đa 1) nhưng bạn thêm 2 người." in text(response)
    assert participant_ids(cohort) == set()


def test_an_unreadable_file_is_explained(client, cohort):
    response = upload(client, cohort, b"not a workbook", "ds.xlsx")
    assert "Không đọc được tệp" in text(response)


def test_a_participant_is_removed_with_their_attendance(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    _response, session = add_session(client, cohort)
    client.post(url(cohort, f"/sessions/{session.id}/attendance/all-present"))
    participant = db.session.scalar(select(CohortParticipant).where(CohortParticipant.user_id == cadres["hoa"].id))
    response = client.post(url(cohort, f"/participants/{participant.id}/remove"))
    assert response.status_code == 302
    assert participant_ids(cohort) == {cadres["an"].id}
    assert marks(session) == {cadres["an"].id: "present"}


# --- Sessions and attendance ----------------------------------------------------------------------

def test_sessions_lie_within_the_cohort_and_are_taught_by_its_trainers(client, cohort, cadres, make_user, tree):
    response, session = add_session(client, cohort, offset=-1, topic="Lập kế hoạch")
    assert response.status_code == 302 and session.topic == "Lập kế hoạch"
    response, _session = add_session(client, cohort, offset=30, topic="Quá muộn")
    assert "Ngày học phải trong thời gian của lớp" in text(response)
    outsider = make_user(tree.province_a, "Người Ngoài Lớp", email="ngoai@example.org")
    profile(outsider)
    response, _session = add_session(client, cohort, topic="Người ngoài", trainer_user=outsider)
    assert "Hãy chọn một mục trong danh sách." in text(response)
    assert count(TrainingSession) == 1


def test_attendance_is_saved_and_saved_again_without_duplicates(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"], cadres["binh"])
    _response, session = add_session(client, cohort)
    hoa, an, binh = (cadres[k].id for k in ("hoa", "an", "binh"))
    response = mark(client, cohort, session, **{str(hoa): "present", str(an): "absent"})
    assert response.status_code == 302
    assert marks(session) == {hoa: "present", an: "absent"}
    assert "Còn 1 học viên chưa được điểm danh." in text(client.get(url(cohort)))
    mark(client, cohort, session, **{str(an): "excused", str(binh): "present"})
    assert marks(session) == {hoa: "present", an: "excused", binh: "present"}
    assert count(Attendance) == 3


def test_all_present_marks_everyone_in_one_tap_then_one_can_be_changed(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    _response, session = add_session(client, cohort)
    mark(client, cohort, session, **{str(cadres["hoa"].id): "absent"})
    response = client.post(url(cohort, f"/sessions/{session.id}/attendance/all-present"))
    assert response.headers["Location"].endswith(url(cohort, f"/sessions/{session.id}/attendance"))
    assert marks(session) == {cadres["hoa"].id: "present", cadres["an"].id: "present"}
    page = text(client.get(url(cohort, f"/sessions/{session.id}/attendance")))
    assert page.count("checked") == 2 and "Tất cả có mặt" in page and "Có phép" in page
    mark(client, cohort, session, **{str(cadres["an"].id): "absent"})
    assert marks(session) == {cadres["hoa"].id: "present", cadres["an"].id: "absent"}


def test_attendance_refuses_strangers_and_sessions_not_yet_held(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"])
    _response, session = add_session(client, cohort, offset=3)
    mark(client, cohort, session, **{str(cadres["hoa"].id): "present"})
    assert marks(session) == {}
    assert "Buổi học chưa diễn ra" in text(client.get(url(cohort, f"/sessions/{session.id}/attendance")))
    _response, today = add_session(client, cohort, offset=0)
    mark(client, cohort, today, **{str(cadres["an"].id): "present"})  # not a participant
    mark(client, cohort, today, **{str(cadres["hoa"].id): "late"})
    assert marks(today) == {}


# --- Progress and the completion rule -------------------------------------------------------------

@pytest.fixture()
def course_cohort(client, trainer, cadres, course):
    sign_in_as(client, trainer)
    assert create(client, course_id=str(course.id), requires_course="y", attendance_threshold="75").status_code == 302
    cohort = latest_cohort()
    pick(client, cohort, cadres["hoa"], cadres["an"], cadres["binh"], cadres["cu"])
    return cohort


def complete_course(user, course):
    enrolment, _new = courses.enrol(user, course)
    enrolment.completed_at = utcnow()
    db.session.commit()


def test_online_progress_is_shown_beside_attendance(client, course_cohort, cadres, course):
    enrolment, _new = courses.enrol(cadres["an"], course)
    first = db.session.get(Lesson, courses.lesson_sequence(course.id)[0].id)
    courses.complete_lesson(enrolment, first)
    complete_course(cadres["hoa"], course)
    _response, session = add_session(client, course_cohort)
    mark(client, course_cohort, session, **{str(cadres["an"].id): "present", str(cadres["hoa"].id): "absent"})
    page = text(client.get(url(course_cohort)))
    assert "1/1 buổi (100%)" in page and "0/1 buổi (0%)" in page
    assert "1/4 bài bắt buộc · 25%" in page  # Lò Văn An, one lesson of four
    assert "đã hoàn thành" in page  # Nguyễn Thị Hoa's course
    assert "0/4 bài bắt buộc · 0%" in page  # the others: enrolled when added, nothing done yet
    assert "chưa đăng ký học" not in page


def test_participants_are_enrolled_in_the_cohorts_course_when_added(course_cohort, cadres, course):
    from lms.courses.models import Enrolment, LearningRecord

    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)))
    assert {cadres[name].id for name in ("hoa", "an", "binh", "cu")} <= enrolled
    registered = set(db.session.scalars(select(LearningRecord.actor_id).where(
        LearningRecord.course_id == course.id, LearningRecord.verb == "registered")))
    assert {cadres[name].id for name in ("hoa", "an", "binh", "cu")} <= registered


def test_progress_reads_a_fixed_number_of_queries(client, course_cohort, cadres, course, make_user, tree):
    def statements_for_page() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get(url(course_cohort))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    for person in ("hoa", "an"):
        courses.enrol(cadres[person], course)
    db.session.commit()
    few = statements_for_page()
    others = [make_user(tree.branch_a, f"Học Viên Số {n}", email=f"hv{n}@example.org") for n in range(6)]
    pick(client, course_cohort, *others)
    for person in others:
        courses.enrol(person, course)
    db.session.commit()
    assert statements_for_page() == few


def run_sessions(client, cohort, attendance: dict[str, list[str]], cadres):
    """Hold len(list) sessions and mark each person's list of statuses, one a session."""
    held = len(next(iter(attendance.values())))
    for index in range(held):
        _response, session = add_session(client, cohort, offset=-(index + 1), topic=f"Buổi {index + 1}")
        mark(client, cohort, session, **{str(cadres[name].id): statuses[index]
                                         for name, statuses in attendance.items()})


def test_completion_rule_at_and_around_the_threshold(client, course_cohort, cadres, course):
    """Threshold 75% of four sessions: three present pass, two present and an excused absence do not."""
    for person in ("hoa", "an", "binh", "cu"):
        complete_course(cadres[person], course)
    run_sessions(client, course_cohort, {
        "hoa": ["present", "present", "present", "absent"],  # exactly 75%
        "an": ["present", "present", "excused", "absent"],  # excused counts as absent: 50%
        "binh": ["present"] * 4,
        "cu": ["present", "present", "present", "excused"],  # 75% again
    }, cadres)
    rows = {row.full_name: row.meets_rule for row in cohorts.participant_rows(course_cohort)}
    assert rows == {"Nguyễn Thị Hoa": True, "Lò Văn An": False, "Vàng Thị Bình": True, "Đặng Văn Cừ": True}


def test_a_course_not_completed_fails_when_the_cohort_requires_it(client, course_cohort, cadres, course):
    complete_course(cadres["hoa"], course)
    courses.enrol(cadres["an"], course)
    db.session.commit()
    run_sessions(client, course_cohort, {"hoa": ["present"], "an": ["present"], "binh": ["present"]}, cadres)
    client.post(url(course_cohort, "/close"))
    db.session.expire_all()
    completed = dict(db.session.execute(select(CohortParticipant.user_id, CohortParticipant.completed)
                                        .where(CohortParticipant.cohort_id == course_cohort.id)).all())
    assert completed == {cadres["hoa"].id: True, cadres["an"].id: False, cadres["binh"].id: False,
                         cadres["cu"].id: False}


def test_without_the_course_requirement_attendance_alone_decides(client, course_cohort, cadres):
    client.post(url(course_cohort, "/edit"), data=cohort_data(course_id=str(course_cohort.course_id),
                                                              attendance_threshold="75"))  # box left unticked
    assert latest_cohort().requires_course is False
    run_sessions(client, course_cohort, {"hoa": ["present"], "an": ["absent"]}, cadres)
    client.post(url(course_cohort, "/close"))
    db.session.expire_all()
    completed = dict(db.session.execute(select(CohortParticipant.user_id, CohortParticipant.completed)
                                        .where(CohortParticipant.cohort_id == course_cohort.id)).all())
    assert completed[cadres["hoa"].id] is True and completed[cadres["an"].id] is False


# --- Closing and certificates ---------------------------------------------------------------------

def test_closing_issues_certificates_only_to_those_who_met_the_rule(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    run_sessions(client, cohort, {"hoa": ["present", "present"], "an": ["present", "absent"]}, cadres)
    page = text(client.get(url(cohort, "/close")))
    assert "1 trên 2 học viên sẽ hoàn thành và được cấp giấy chứng nhận." in page
    response = client.post(url(cohort, "/close"))
    assert response.status_code == 302
    cohort = latest_cohort()
    assert cohort.status == "closed" and cohort.closed_at is not None
    rows = {r.user_id: r for r in db.session.scalars(select(CohortParticipant)
                                                     .where(CohortParticipant.cohort_id == cohort.id))}
    assert rows[cadres["hoa"].id].completed is True and len(rows[cadres["hoa"].id].certificate_code) == 16
    assert rows[cadres["an"].id].completed is False and rows[cadres["an"].id].certificate_code is None
    page = text(client.get(url(cohort)))
    assert "Lớp đã kết thúc: 1 trên 2 học viên hoàn thành và được cấp giấy chứng nhận." in page
    assert "Không hoàn thành" in page and "Giấy chứng nhận" in page


def _roster(client, cohort) -> list[tuple]:
    response = client.get(url(cohort, "/participants.xlsx"))
    assert response.status_code == 200
    assert f"filename=hoc-vien-lop-{cohort.id}.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[-1]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_roster_downloads_with_attendance_progress_and_result(client, course_cohort, cadres, course):
    complete_course(cadres["hoa"], course)
    run_sessions(client, course_cohort, {"hoa": ["present", "present"], "an": ["present", "excused"]}, cadres)
    assert 'href="' + url(course_cohort, "/participants.xlsx") + '"' in text(client.get(url(course_cohort)))
    rows = _roster(client, course_cohort)
    assert rows[0] == ("Họ và tên", "Đơn vị", "Buổi có mặt", "Buổi vắng có phép", "Buổi đã học", "Chuyên cần (%)",
                       "Khóa học trực tuyến (%)", "Kết quả", "Mã giấy chứng nhận")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Nguyễn Thị Hoa"][1:8] == ("Đoàn xã Bát Xát", 2, 0, 2, 1.0, 1.0, "Đang đạt điều kiện")
    assert by_name["Lò Văn An"][2:8] == (1, 1, 2, 0.5, 0.0, "Chưa đạt điều kiện")  # Excel percentages
    client.post(url(course_cohort, "/close"))
    rows = _roster(client, course_cohort)
    hoa = next(row for row in rows if row[0] == "Nguyễn Thị Hoa")
    assert hoa[7] == "Hoàn thành" and len(hoa[8]) == 16
    assert next(row for row in rows if row[0] == "Lò Văn An")[7:] == ("Không hoàn thành", None)


def test_a_cohort_with_nothing_to_judge_cannot_close(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"])
    page = text(client.get(url(cohort, "/close")))
    assert "Chưa có buổi học nào được điểm danh" in page
    client.post(url(cohort, "/close"))
    assert latest_cohort().status == "open"


def test_a_closed_cohort_is_read_only(client, cohort, cadres):
    pick(client, cohort, cadres["hoa"])
    _response, session = add_session(client, cohort)
    client.post(url(cohort, f"/sessions/{session.id}/attendance/all-present"))
    client.post(url(cohort, "/close"))
    participant = db.session.scalar(select(CohortParticipant))
    before = (participant_ids(cohort), marks(session), count(TrainingSession))
    pick(client, cohort, cadres["an"])
    upload(client, cohort, xlsx([row("Lò Văn An", email="an@example.org")]))
    client.post(url(cohort, f"/participants/{participant.id}/remove"))
    mark(client, cohort, session, **{str(cadres["hoa"].id): "absent"})
    client.post(url(cohort, f"/sessions/{session.id}/attendance/all-present"))
    client.post(url(cohort, f"/sessions/{session.id}/delete"))
    add_session(client, cohort)
    client.post(url(cohort, "/edit"), data=cohort_data(title="Đổi tên sau khi kết thúc"))
    client.post(url(cohort, "/close"))
    assert (participant_ids(cohort), marks(session), count(TrainingSession)) == before
    assert latest_cohort().title != "Đổi tên sau khi kết thúc"
    for tail in ("/edit", "/participants", "/sessions/new", "/close"):
        assert client.get(url(cohort, tail)).status_code == 302
    page = content(client.get(url(cohort, f"/sessions/{session.id}/attendance")))
    assert "Lưu điểm danh" not in page and "Có mặt" in page


def test_the_certificate_is_seen_by_its_holder_and_the_cohorts_managers_only(client, cohort, cadres, admin_a,
                                                                            admin_b, central_admin):
    pick(client, cohort, cadres["hoa"], cadres["an"])
    run_sessions(client, cohort, {"hoa": ["present"], "an": ["absent"]}, cadres)
    client.post(url(cohort, "/close"))
    code = db.session.scalar(select(CohortParticipant.certificate_code).where(
        CohortParticipant.user_id == cadres["hoa"].id))
    address = f"/trainers/cohorts/certificates/{code}"
    page = text(client.get(address))
    assert "Nguyễn Thị Hoa" in page and "Lớp điều phối viên tình nguyện khóa 1" in page
    assert "Tỉnh đoàn Lào Cai" in page and code in page
    for viewer, status in ((cadres["hoa"], 200), (admin_a, 200), (central_admin, 200), (admin_b, 403),
                           (cadres["an"], 403)):
        sign_in_as(client, viewer)
        assert client.get(address).status_code == status, viewer.full_name
    sign_in_as(client, cadres["hoa"])
    assert code in text(client.get("/trainers/cohorts/certificates"))
    assert client.get("/trainers/cohorts/certificates/khong-co-ma-nay").status_code == 404


# --- Scope and CSRF -------------------------------------------------------------------------------

def test_another_province_can_neither_see_nor_change_the_cohort(client, cohort, cadres, admin_b):
    pick(client, cohort, cadres["hoa"])
    _response, session = add_session(client, cohort)
    participant = db.session.scalar(select(CohortParticipant))
    sign_in_as(client, admin_b)
    assert "Lớp điều phối viên" not in content(client.get("/trainers/cohorts"))
    for tail in ("", "/edit", "/participants?q=hoa", "/participants.xlsx", "/participants.csv", "/sessions/new",
                 f"/sessions/{session.id}/attendance", "/close"):
        assert client.get(url(cohort, tail)).status_code == 403, tail
    for tail in ("/edit", "/participants/add", "/participants/import", f"/participants/{participant.id}/remove",
                 "/sessions/new", f"/sessions/{session.id}/attendance",
                 f"/sessions/{session.id}/attendance/all-present", f"/sessions/{session.id}/delete", "/close"):
        assert client.post(url(cohort, tail), data={"user_id": str(cadres["tram"].id)}).status_code == 403, tail
    assert participant_ids(cohort) == {cadres["hoa"].id} and latest_cohort().status == "open"
    assert client.get("/trainers/cohorts/999999").status_code == 404


def test_a_province_admin_manages_the_trainers_cohort(client, cohort, cadres, admin_a):
    sign_in_as(client, admin_a)
    assert "Lớp điều phối viên" in text(client.get("/trainers/cohorts"))
    assert pick(client, cohort, cadres["an"]).status_code == 302
    assert participant_ids(cohort) == {cadres["an"].id}


def test_an_admin_cannot_open_a_cohort_in_another_province(client, admin_b, trainer):
    sign_in_as(client, admin_b)
    assert "trong phạm vi bạn quản lý" in text(create(client, unit_code="DOAN-LCI"))
    assert count(Cohort) == 0


def test_every_post_needs_its_csrf_token(app, client, cohort, cadres):
    pick(client, cohort, cadres["hoa"])
    _response, session = add_session(client, cohort)
    app.config["WTF_CSRF_ENABLED"] = True
    pages = [url(cohort), url(cohort, "/participants?q=a"), url(cohort, f"/sessions/{session.id}/attendance"),
             url(cohort, "/close"), url(cohort, "/edit"), url(cohort, "/sessions/new"), "/trainers/cohorts/new"]
    for address in pages:
        page = text(client.get(address))
        assert page.count('method="post"') == page.count('name="csrf_token"'), address
    for tail in ("/participants/add", f"/sessions/{session.id}/attendance",
                 f"/sessions/{session.id}/attendance/all-present", "/close"):
        assert client.post(url(cohort, tail), data={"user_id": str(cadres["an"].id)}).status_code == 400, tail
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(client.get(url(cohort)))).group(1)
    response = client.post(url(cohort, f"/sessions/{session.id}/attendance/all-present"), data={"csrf_token": token})
    assert response.status_code == 302 and marks(session) == {cadres["hoa"].id: "present"}
