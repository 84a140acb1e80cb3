"""The learning record exported as xAPI JSON, per cadre and per course, within the viewer's scope."""
import json

import pytest

from lms.courses.models import Course
from lms.courses.records import VERBS, record
from lms.db import db
from tests.conftest import login


@pytest.fixture()
def cadre_b(tree, make_user):
    return make_user(tree.branch_b, "Trần Văn Bình", email="binh@example.org")


@pytest.fixture()
def history(course, cadre_a, cadre_b):
    """Both cadres registered for the course; the province A cadre also passed a quiz."""
    quiz = course.active_modules[0].active_quiz
    for person in (cadre_a, cadre_b):
        record(person, "registered", "course", course.id, course.title, course_id=course.id)
    result = {"score": {"scaled": 0.8, "raw": 4, "max": 5}, "success": True}
    record(cadre_a, "attempted", "quiz", quiz.id, quiz.title, course_id=course.id, result=result)
    record(cadre_a, "passed", "quiz", quiz.id, quiz.title, course_id=course.id, result=result)
    db.session.commit()
    return course


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return json.loads(response.get_data(as_text=True))


def test_a_cadre_downloads_their_own_record_as_xapi(client, history, cadre_a):
    login(client, cadre_a)
    statements = download(client, f"/courses/records/users/{cadre_a.id}.json")
    assert [s["verb"]["id"] for s in statements] == [VERBS["registered"], VERBS["attempted"], VERBS["passed"]]
    for statement in statements:
        assert statement["actor"]["name"] == "Nguyễn Thị Hoa"
        assert statement["verb"]["id"].startswith(("http://", "https://"))
        assert statement["object"]["id"].startswith("http://lms.test/")
        assert statement["timestamp"].endswith("Z")
        assert statement["id"]
    assert statements[2]["result"] == {"score": {"scaled": 0.8, "raw": 4, "max": 5}, "success": True}
    assert statements[2]["object"]["definition"]["name"]["vi-VN"] == "Kiểm tra mô-đun 1"


def test_an_admin_sees_records_of_cadres_in_scope_only(client, history, cadre_a, cadre_b, admin_a, admin_b):
    login(client, admin_b)
    assert client.get(f"/courses/records/users/{cadre_a.id}.json").status_code == 403
    assert len(download(client, f"/courses/records/users/{cadre_b.id}.json")) == 1
    client.post("/logout")
    login(client, admin_a)
    assert len(download(client, f"/courses/records/users/{cadre_a.id}.json")) == 3
    assert client.get("/courses/records/users/999999.json").status_code == 404


def test_a_cadre_cannot_download_someone_elses_record(client, history, cadre_a, cadre_b):
    login(client, cadre_b)
    assert client.get(f"/courses/records/users/{cadre_a.id}.json").status_code == 403


def test_a_course_export_keeps_to_the_viewers_scope(client, history, admin_b, central_admin):
    login(client, admin_b)
    statements = download(client, f"/courses/records/courses/{history.slug}.json")
    assert {s["actor"]["name"] for s in statements} == {"Trần Văn Bình"}
    client.post("/logout")
    login(client, central_admin)
    statements = download(client, f"/courses/records/courses/{history.slug}.json")
    assert {s["actor"]["name"] for s in statements} == {"Trần Văn Bình", "Nguyễn Thị Hoa"}
    assert len(statements) == 4


def test_a_course_export_holds_only_that_course(client, history, admin_a, cadre_a):
    other = Course(slug="khoa-khac", title="Khóa khác", status="published")
    db.session.add(other)
    db.session.flush()
    record(cadre_a, "registered", "course", other.id, other.title, course_id=other.id)
    db.session.commit()
    login(client, admin_a)
    statements = download(client, f"/courses/records/courses/{history.slug}.json")
    assert len(statements) == 3 and all("Khóa khác" not in json.dumps(s, ensure_ascii=False) for s in statements)
    assert len(download(client, "/courses/records/courses/khoa-khac.json")) == 1


def test_a_learner_cannot_export_a_course(client, history, cadre_a):
    login(client, cadre_a)
    assert client.get(f"/courses/records/courses/{history.slug}.json").status_code == 403


def test_an_unknown_course_is_not_found(client, history, admin_a):
    login(client, admin_a)
    assert client.get("/courses/records/courses/khong-co.json").status_code == 404


def test_exports_need_signing_in(client, history, cadre_a):
    response = client.get(f"/courses/records/users/{cadre_a.id}.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
