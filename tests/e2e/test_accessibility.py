"""Every main page passes the axe-core accessibility rules (WCAG 2.1 A/AA) on a phone-sized screen.

axe-core comes from the npm registry; `.ci/run` installs it and points LMS_AXE_JS at axe.min.js."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

AXE_JS = Path(os.environ.get("LMS_AXE_JS", Path.home() / ".cache/lms-axe/node_modules/axe-core/axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The page's Content-Security-Policy would refuse the injected axe script."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core not found at {AXE_JS}; .ci/run must install it")
        pytest.skip(f"axe-core not found at {AXE_JS}: npm install --prefix ~/.cache/lms-axe axe-core")
    return AXE_JS.read_text()


def _violations(page: Page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


def test_public_pages_are_accessible(demo_data, page: Page, axe_source):
    problems = []
    for path in ("/login", "/password/forgot", "/khong-co-trang-nay"):
        page.goto(path)
        problems += _violations(page, axe_source)
    assert problems == []


def test_admin_pages_are_accessible(demo_data, page: Page, axe_source):
    sign_in(page, "admin.tinhA@example.org")
    problems = _violations(page, axe_source)
    page.get_by_role("link", name="Đơn vị").first.click()
    problems += _violations(page, axe_source)
    page.get_by_role("link", name="Tỉnh đoàn Lào Cai").click()
    problems += _violations(page, axe_source)
    page.get_by_role("link", name="Thêm đơn vị trực thuộc").click()
    problems += _violations(page, axe_source)
    for path in ("/people/", "/people/new", "/people/import", "/account", "/account/password"):
        page.goto(path)
        problems += _violations(page, axe_source)
    page.goto("/people/")
    page.locator("table a").first.click()
    problems += _violations(page, axe_source)
    # The download log, with the directory just downloaded in it.
    assert page.request.get("/people/export.csv").ok
    page.goto("/people/")
    page.get_by_role("link", name="Nhật ký tải danh sách").click()
    expect(page.locator("main table")).to_contain_text("Danh sách cán bộ")
    problems += _violations(page, axe_source)
    assert problems == []


def test_cadre_home_is_accessible(demo_data, page: Page, axe_source):
    sign_in(page, "hocvien@example.org")
    assert _violations(page, axe_source) == []


@pytest.fixture()
def small_course(demo_data, app, tmp_path):
    from lms.courses.content import import_directory
    from tests.conftest import write_course

    write_course(tmp_path, slug="khoa-thu", modules=1, lessons=2)
    with app.app_context():
        import_directory(tmp_path)


def test_learning_pages_are_accessible(small_course, page: Page, axe_source):
    sign_in(page, "hocvien@example.org")
    problems = []
    page.goto("/courses/")
    problems += _violations(page, axe_source)
    page.goto("/courses/khoa-thu")
    page.get_by_role("button", name="Đăng ký khóa học").click()
    problems += _violations(page, axe_source)
    page.get_by_role("link", name="Bài 1.1").first.click()
    problems += _violations(page, axe_source)
    page.goto("/courses/khoa-thu")
    page.get_by_role("link", name="Kiểm tra mô-đun 1").first.click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    problems += _violations(page, axe_source)
    for path in ("/courses/certificates", "/verify/khong-co-ma-nay"):
        page.goto(path)
        problems += _violations(page, axe_source)
    assert problems == []


def test_course_management_pages_are_accessible(small_course, page: Page, axe_source):
    sign_in(page, "trunguong@example.org")
    problems = []
    for path in ("/courses/manage", "/courses/manage/new", "/courses/assignments", "/courses/assignments/new"):
        page.goto(path)
        problems += _violations(page, axe_source)
    page.goto("/courses/manage")
    page.locator("main table a, main .card a").first.click()
    problems += _violations(page, axe_source)
    assert problems == []


def test_training_pages_are_accessible(demo_data, app, page: Page, axe_source):
    from sqlalchemy import select

    from lms.db import db
    from lms.trainers.models import Cohort, TrainingSession

    with app.app_context():
        cohort_id, session_id = db.session.execute(
            select(Cohort.id, TrainingSession.id).join(TrainingSession, TrainingSession.cohort_id == Cohort.id)
            .join(Cohort.unit).where(Cohort.unit.has(code="DOAN-LCI-BATXAT"))).first()
    sign_in(page, "taphuanvien@example.org")
    problems = []
    for path in ("/trainers/", "/trainers/cohorts", "/trainers/cohorts/new", "/trainers/people", "/trainers/plans"):
        assert page.goto(path).ok, path
        problems += _violations(page, axe_source)
    for path in (f"/trainers/cohorts/{cohort_id}", f"/trainers/cohorts/{cohort_id}/sessions/{session_id}/attendance"):
        assert page.goto(path).ok, path
        problems += _violations(page, axe_source)
    page.goto("/trainers/")
    page.locator("a[href$='/cascade']").first.click()
    problems += _violations(page, axe_source)
    assert problems == []


def test_assessment_pages_are_accessible(assessment_data, page: Page, axe_source):
    problems = []
    sign_in(page, "hocvien@example.org")
    for path in ("/assessments/", "/assessments/me", "/assessments/framework"):
        page.goto(path)
        problems += _violations(page, axe_source)
    page.goto("/assessments/")
    page.get_by_role("link", name="Tự đánh giá").first.click()
    problems += _violations(page, axe_source)
    page.goto("/assessments/framework")
    page.locator("main table a, main .course-list a").first.click()
    problems += _violations(page, axe_source)

    sign_in(page, "trunguong@example.org")
    for path in ("/assessments/", "/assessments/campaigns", "/assessments/units", "/assessments/supervision",
                 "/assessments/campaigns/new"):
        page.goto(path)
        problems += _violations(page, axe_source)
    page.goto("/assessments/campaigns")
    page.locator("main table a").first.click()
    problems += _violations(page, axe_source)
    page.goto("/assessments/units")
    page.locator("main table a").first.click()
    problems += _violations(page, axe_source)
    page.goto("/assessments/supervision")
    page.locator("main table a").first.click()
    problems += _violations(page, axe_source)
    assert problems == []


def test_report_pages_are_accessible(assessment_data, page: Page, axe_source):
    sign_in(page, "admin.tinhA@example.org")
    page.get_by_role("link", name="Báo cáo").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tỉnh đoàn Lào Cai")
    problems = _violations(page, axe_source)
    page.goto("/api/v1/tokens")
    problems += _violations(page, axe_source)
    sign_in(page, "trunguong@example.org")
    page.goto("/reports/")
    problems += _violations(page, axe_source)
    assert problems == []
