"""The JSON API: units, courses, report tables and headline figures, scoped exactly like the report pages,
with JSON errors (400/401/403/404) and an OpenAPI document that names every endpoint."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.courses.content import import_directory
from lms.courses.models import ACTIVE, CORE_COURSE_SLUG, PUBLISHED, Course, Enrolment, Lesson, Module
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.orgs.models import AREA_FLAGS, Unit
from lms.orgs.services import close_unit
from lms.people.models import User
from lms.reports import api_tokens, metrics
from lms.reports.api import bp as api_bp
from lms.reports.api import openapi_document
from tests.conftest import count, write_course



def bearer(user) -> dict:
    _token, secret = api_tokens.create_token(user, "Kiểm thử", 365)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def as_a(admin_a):
    return bearer(admin_a)


@pytest.fixture()
def as_central(central_admin):
    return bearer(central_admin)


@pytest.fixture()
def data(tree, make_user, tmp_path):
    """The core course and a second one; three active cadres in province A (one in a branch) and one
    inactive, two in province B; enrolments in the core course, some completed."""
    write_course(tmp_path, slug=CORE_COURSE_SLUG, modules=3, lessons=2,
                 title="Quản lý, điều phối hoạt động tình nguyện")
    write_course(tmp_path, slug="khoa-ngan", modules=1, lessons=3, title="Điều phối viên tình nguyện cơ sở")
    import_directory(tmp_path)
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE_SLUG))
    a1 = make_user(tree.grassroots_a, "Lò Văn Sáng")
    a2 = make_user(tree.branch_a, "Giàng Thị Mỷ")
    make_user(tree.grassroots_a, "Sùng A Dính")
    make_user(tree.grassroots_a, "Vàng A Pao", is_active=False)
    b1 = make_user(tree.grassroots_b, "Danh Thị Ngọc")
    make_user(tree.branch_b, "Thạch Văn Sơn")
    done = utcnow() - timedelta(days=3)
    db.session.add_all([Enrolment(user_id=a1.id, course_id=core.id, completed_at=done),
                        Enrolment(user_id=a2.id, course_id=core.id),
                        Enrolment(user_id=b1.id, course_id=core.id, completed_at=done)])
    db.session.commit()
    return core


def in_subtree(unit: Unit):
    return User.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))


# --- units ---------------------------------------------------------------------------------------

def test_a_province_token_starts_from_its_province(client, tree, as_a):
    response = client.get("/api/v1/units", headers=as_a)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert [u["code"] for u in body["items"]] == ["DOAN-LCI"]
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (1, 1, 50, 1)
    unit = body["items"][0]
    assert unit == {
        "id": tree.province_a.id, "code": "DOAN-LCI", "name": "Tỉnh đoàn Lào Cai",
        "level": {"code": "province", "name": tree.province_a.level.name, "name_en": tree.province_a.level.name_en,
                  "rank": tree.province_a.level.rank},
        "organisation": {"code": "DOAN", "name": tree.province_a.organisation.name,
                         "short_name": tree.province_a.organisation.short_name},
        "parent_id": tree.central.id, "path": tree.province_a.path,
        "is_mountainous": True, "is_ethnic_minority": False, "is_border": True, "is_island": False,
        "is_overseas": False, "is_open": True, "child_count": 1,
    }
    assert "Tỉnh đoàn Lào Cai" in response.get_data(as_text=True)  # readable, not \u-escaped


def test_children_of_a_unit_in_scope(client, tree, as_a):
    body = client.get(f"/api/v1/units?parent={tree.province_a.id}", headers=as_a).json
    assert [u["code"] for u in body["items"]] == ["DOAN-LCI-BATXAT"]
    assert body["items"][0]["is_ethnic_minority"] is True and body["items"][0]["child_count"] == 1
    branch = client.get(f"/api/v1/units?parent={tree.grassroots_a.id}", headers=as_a).json["items"]
    assert [u["id"] for u in branch] == [tree.branch_a.id] and branch[0]["child_count"] == 0
    assert client.get(f"/api/v1/units?parent={tree.branch_a.id}", headers=as_a).json == {
        "items": [], "total": 0, "page": 1, "per_page": 50, "pages": 1}


def test_a_province_token_sees_nothing_of_another_province_or_the_centre(client, tree, as_a):
    for unit in (tree.province_b, tree.grassroots_b, tree.central):
        for url in (f"/api/v1/units/{unit.id}", f"/api/v1/units?parent={unit.id}",
                    f"/api/v1/units/{unit.id}/summary", f"/api/v1/units/{unit.id}/reports/coverage"):
            response = client.get(url, headers=as_a)
            assert response.status_code == 403, url
            assert response.json["code"] == "out_of_scope" and response.json["error"]
    assert client.get(f"/api/v1/units/{tree.grassroots_a.id}", headers=as_a).status_code == 200


def test_the_central_token_walks_the_whole_tree(client, tree, as_central):
    roots = client.get("/api/v1/units", headers=as_central).json["items"]
    assert [u["code"] for u in roots] == ["DOAN-TW"] and roots[0]["parent_id"] is None
    provinces = client.get(f"/api/v1/units?parent={tree.central.id}", headers=as_central).json
    assert [u["code"] for u in provinces["items"]] == ["DOAN-AGG", "DOAN-LCI"]  # by name: An Giang, Lào Cai
    assert provinces["total"] == 2
    first = client.get(f"/api/v1/units?parent={tree.central.id}&per_page=1", headers=as_central).json
    second = client.get(f"/api/v1/units?parent={tree.central.id}&per_page=1&page=2", headers=as_central).json
    assert (first["total"], first["pages"], second["page"]) == (2, 2, 2)
    assert [first["items"][0]["code"], second["items"][0]["code"]] == ["DOAN-AGG", "DOAN-LCI"]
    beyond = client.get(f"/api/v1/units?parent={tree.central.id}&per_page=1&page=3", headers=as_central).json
    assert beyond["items"] == [] and beyond["total"] == 2


def test_closed_units_are_listed_as_closed(client, tree, as_central):
    close_unit(tree.branch_b, "Sáp nhập")
    db.session.commit()
    branch = client.get(f"/api/v1/units/{tree.branch_b.id}", headers=as_central).json
    assert branch["is_open"] is False and set(AREA_FLAGS) <= set(branch)


def test_reviewers_read_the_api_too(client, tree, make_user):
    from lms.auth.permissions import Role

    reviewer = make_user(tree.province_b, "Kiều Văn Duy", roles=[(Role.REVIEWER, tree.province_b)])
    headers = bearer(reviewer)
    assert [u["code"] for u in client.get("/api/v1/units", headers=headers).json["items"]] == ["DOAN-AGG"]
    assert client.get(f"/api/v1/units/{tree.province_a.id}", headers=headers).status_code == 403


def test_a_trainer_or_learner_token_is_refused(client, tree, make_user, cadre_a):
    from lms.auth.permissions import Role

    trainer = make_user(tree.province_a, "Hà Văn Tài", roles=[(Role.TRAINER, tree.province_a)])
    for user in (trainer, cadre_a):
        headers = bearer(user)
        for url in ("/api/v1/units", "/api/v1/courses", f"/api/v1/units/{tree.grassroots_a.id}"):
            response = client.get(url, headers=headers)
            assert response.status_code == 403 and response.json["code"] == "no_report_scope", url


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/api/v1/units/999999", "/api/v1/units/999999/summary", "/api/v1/units/999999/reports/coverage",
    "/api/v1/units?parent=999999",
])
def test_unknown_units_are_404(client, as_central, url):
    response = client.get(url, headers=as_central)
    assert response.status_code == 404
    assert response.json == {"error": "Không tìm thấy đơn vị.", "code": "unit_not_found"}


@pytest.mark.parametrize("path, code", [
    ("/api/v1/units/abc", "unit_not_found"), ("/api/v1/units/0", "unit_not_found"),
    ("/api/v1/units/-4/summary", "unit_not_found"), ("/api/v1/units/99999999999", "unit_not_found"),
    ("/api/v1/units/%20/reports/coverage", "unit_not_found"), ("/api/v1/nothing", "not_found"),
    ("/api/v1/", "not_found"), ("/api/v1/units/1/reports/", "not_found"), ("/api/v1/units/1/x/y", "not_found"),
])
def test_paths_that_name_nothing_are_json_404(client, as_central, path, code):
    response = client.get(path, headers=as_central)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.json["code"] == code


def test_an_id_written_with_a_leading_zero_names_no_unit(client, tree, as_central):
    unit_id = tree.province_a.id
    assert client.get(f"/api/v1/units/{unit_id}", headers=as_central).status_code == 200
    for path in (f"/api/v1/units/0{unit_id}", f"/api/v1/units/00{unit_id}/summary",
                 f"/api/v1/units/0{unit_id}/reports/coverage"):
        response = client.get(path, headers=as_central)
        assert response.status_code == 404, path
        assert response.json == {"error": "Không tìm thấy đơn vị.", "code": "unit_not_found"}


def test_an_unknown_report_is_404(client, tree, as_central):
    response = client.get(f"/api/v1/units/{tree.central.id}/reports/khong-co", headers=as_central)
    assert response.status_code == 404 and response.json["code"] == "report_not_found"


@pytest.mark.parametrize("year", ["1999", "{next}", "2101", "0{this}", "abc", "", "20.5", "-2024", "２０２５",
                                  "9" * 5000])
def test_the_year_must_be_one_a_report_can_be_of(client, tree, as_central, year):
    this_year = local_today().year
    for url in (f"/api/v1/units/{tree.central.id}/summary", f"/api/v1/units/{tree.central.id}/reports/targets"):
        response = client.get(f"{url}?year={year.format(this=this_year, next=this_year + 1)}", headers=as_central)
        assert response.status_code == 400
        assert response.json == {"error": f"Năm không hợp lệ: hãy chọn một năm từ 2000 đến {this_year}.",
                                 "code": "invalid_parameter", "parameter": "year"}


def test_every_year_from_2000_to_this_one_can_be_read(client, tree, as_central):
    for year in (2000, local_today().year):
        response = client.get(f"/api/v1/units/{tree.central.id}/summary?year={year}", headers=as_central)
        assert response.status_code == 200 and response.json["year"] == year


@pytest.mark.parametrize("query, parameter", [
    ("page=0", "page"), ("page=x", "page"), ("page=100001", "page"), ("per_page=0", "per_page"),
    ("per_page=201", "per_page"), ("per_page=ten", "per_page"), ("parent=abc", "parent"), ("parent=0", "parent"),
    ("parent=2147483648", "parent"),
])
def test_paging_and_parent_are_checked(client, as_central, query, parameter):
    response = client.get(f"/api/v1/units?{query}", headers=as_central)
    assert response.status_code == 400
    assert response.json["code"] == "invalid_parameter" and response.json["parameter"] == parameter


def test_per_page_up_to_200_is_accepted(client, as_central):
    assert client.get("/api/v1/units?per_page=200&page=1", headers=as_central).json["per_page"] == 200


def test_authentication_comes_before_everything_else(client, tree, central_admin):
    for url in ("/api/v1/units/999999", f"/api/v1/units/{tree.central.id}/reports/khong-co", "/api/v1/units?year=x",
                "/api/v1/courses"):
        response = client.get(url)
        assert response.status_code == 401 and response.json["code"] == "missing_token"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_data_api_is_read_only(client, tree, as_central, method):
    for path in ("/api/v1/units", f"/api/v1/units/{tree.central.id}", f"/api/v1/units/{tree.central.id}/summary",
                 f"/api/v1/units/{tree.central.id}/reports/coverage", "/api/v1/openapi.json"):
        response = getattr(client, method)(path, headers=as_central)
        assert response.status_code == 405 and response.mimetype == "application/json", path
        assert response.json == {"error": f"Địa chỉ này không nhận phương thức {method.upper()}.",
                                 "code": "method_not_allowed"}
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.delete("/courses/").status_code == 405  # other pages keep Flask's answer
    assert not client.delete("/courses/").is_json


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch", "options"])
@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/", "/api/v1", "/api/v1/units/1/x/y",
                                  "/api/v1/tokens/x/revoke"])
def test_a_path_that_names_nothing_is_json_404_whatever_the_method(client, as_central, method, path):
    response = getattr(client, method)(path, headers=as_central)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.json == {"error": "Không có địa chỉ này trong API.", "code": "not_found"}


@pytest.mark.parametrize("method", ["get", "head", "post", "options"])
@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/units/", "/api/v1/units/1/", "/api/v1/units/1/summary/",
                                  "/api/v1/units/1/reports/coverage/", "/api/v1/courses/", "/api/v1/openapi.json/",
                                  "/api/v1/tokens/", "/api/v1/tokens/1/revoke/"])
def test_a_slash_added_or_left_out_is_a_json_404_not_a_redirect(client, as_central, method, path):
    response = getattr(client, method)(path, headers=as_central)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert "Location" not in response.headers


def test_options_on_an_endpoint_names_the_methods_it_takes(client):
    response = client.options("/api/v1/units")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_get_to_the_path_of_a_form_that_only_takes_post_is_405(client):
    response = client.get("/api/v1/tokens/1/revoke")
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "OPTIONS, POST"


# --- courses --------------------------------------------------------------------------------------

def test_courses_lists_published_courses_with_their_size(client, data, as_a):
    draft = db.session.scalar(select(Course).where(Course.slug == "khoa-ngan"))
    body = client.get("/api/v1/courses", headers=as_a).json
    assert [c["slug"] for c in body["items"]] == ["khoa-ngan", CORE_COURSE_SLUG] and body["total"] == 2
    draft.status = "draft"
    db.session.commit()
    body = client.get("/api/v1/courses", headers=as_a).json
    assert body["total"] == 1
    course = body["items"][0]
    modules = count(Module, Module.course_id == data.id, Module.status == ACTIVE)
    lessons = count(Lesson, Lesson.module_id.in_(select(Module.id).where(Module.course_id == data.id,
                                                                           Module.status == ACTIVE)),
                    Lesson.status == ACTIVE)
    assert (modules, lessons) == (3, 6)
    assert course == {"id": data.id, "slug": CORE_COURSE_SLUG, "title": "Quản lý, điều phối hoạt động tình nguyện",
                      "version": data.version, "modules": modules, "lessons": lessons}
    assert count(Course, Course.status == PUBLISHED) == 1


# --- reports -------------------------------------------------------------------------------------

def test_every_report_table_is_served_as_the_dashboard_builds_it(app, client, tree, data, as_central):
    year = local_today().year
    for key in metrics.TABLE_ORDER:
        response = client.get(f"/api/v1/units/{tree.central.id}/reports/{key}", headers=as_central)
        assert response.status_code == 200, key
        body = response.json
        table = metrics.TABLES[key](tree.central, year)
        assert list(body) == ["key", "title", "year", "unit", "columns", "rows", "row_units", "note"]
        assert (body["key"], body["title"], body["year"], body["note"]) == (key, table.title, year, table.note)
        assert body["unit"]["id"] == tree.central.id
        assert body["columns"] == [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns]
        assert len(body["rows"]) == len(table.rows) and body["row_units"] == table.row_units
        for row, values in zip(body["rows"], table.rows):
            assert list(row) == [c.key for c in table.columns]
            for column, value in zip(table.columns, values):
                expected = value.isoformat() if column.kind == "date" and value is not None else value
                assert row[column.key] == expected, (key, column.key)


def test_coverage_counts_the_cadres_of_each_province(client, tree, data, as_central):
    body = client.get(f"/api/v1/units/{tree.central.id}/reports/coverage?year=2026", headers=as_central).json
    assert body["year"] == 2026
    rows = dict(zip(body["row_units"], body["rows"]))
    for province in (tree.province_a, tree.province_b):
        row = rows[province.id]
        cadres = count(User, User.is_active.is_(True), in_subtree(province))
        enrolled = count(Enrolment, Enrolment.course_id == data.id,
                         Enrolment.user_id.in_(select(User.id).where(User.is_active.is_(True), in_subtree(province))))
        completed = count(Enrolment, Enrolment.course_id == data.id, Enrolment.completed_at.is_not(None),
                          Enrolment.user_id.in_(select(User.id).where(User.is_active.is_(True), in_subtree(province))))
        assert (row["cadres"], row["enrolled"], row["completed"]) == (cadres, enrolled, completed)
        assert row["completed_pct"] == round(100 * completed / cadres, 1)
    assert (rows[tree.province_a.id]["cadres"], rows[tree.province_a.id]["completed"]) == (3, 1)
    assert (rows[tree.province_b.id]["cadres"], rows[tree.province_b.id]["completed"]) == (2, 1)


def test_a_province_token_reads_its_own_reports(client, tree, data, as_a):
    body = client.get(f"/api/v1/units/{tree.province_a.id}/reports/coverage", headers=as_a).json
    assert body["row_units"][0] == tree.grassroots_a.id and body["rows"][0]["cadres"] == 3
    assert "Danh Thị Ngọc" not in str(body)
    for key in metrics.TABLE_ORDER:
        assert client.get(f"/api/v1/units/{tree.province_b.id}/reports/{key}", headers=as_a).status_code == 403
        assert client.get(f"/api/v1/units/{tree.central.id}/reports/{key}", headers=as_a).status_code == 403


def test_the_summary_gives_the_headline_figures(client, tree, data, as_a):
    year = local_today().year
    body = client.get(f"/api/v1/units/{tree.province_a.id}/summary", headers=as_a).json
    assert body["year"] == year and body["unit"]["code"] == "DOAN-LCI"
    assert body["summary"] == metrics.summary(tree.province_a, year)
    assert list(body["summary"]) == list(metrics.SUMMARY_LABELS)
    assert body["labels"]["cadres"] == "Cán bộ đang hoạt động"
    cadres = count(User, User.is_active.is_(True), in_subtree(tree.province_a))
    assert (body["summary"]["cadres"], body["summary"]["completed_core"]) == (cadres, 1)
    assert body["summary"]["completed_core_pct"] == round(100 / cadres, 1)


# --- the document ---------------------------------------------------------------------------------

def test_the_openapi_document_needs_no_token_and_names_every_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document == openapi_document()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]}
    documented = set(document["paths"])
    served = {rule.rule.replace("<unit_id>", "{unit_id}").replace("<key>", "{key}")
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith(f"{api_bp.name}.")
              and rule.endpoint not in {"api.tokens", "api.revoke_token", "api.not_found"}}
    assert documented == served
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path
        responses = operations["get"]["responses"]
        if path != "/api/v1/openapi.json":
            assert {"200", "401", "403"} <= set(responses), path
    report = document["paths"]["/api/v1/units/{unit_id}/reports/{key}"]["get"]
    assert set(report["responses"]) == {"200", "400", "401", "403", "404"}
    key = next(p for p in report["parameters"] if p["name"] == "key")
    assert key["schema"]["enum"] == [*metrics.TABLE_ORDER, "sent", "sent_levels"]
    year = next(p for p in report["parameters"] if p["name"] == "year")
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (2000, local_today().year)
