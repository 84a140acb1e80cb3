"""The demo cadre learns a module on a phone from the first lesson to the quiz, fails and then passes
it, completes the course, downloads the certificate, and the public page confirms it."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from lms.courses.content import import_directory
from tests.conftest import write_course


@pytest.fixture()
def small_course(demo_data, app, tmp_path):
    write_course(tmp_path, slug="khoa-thu", modules=1, lessons=2, title="Điều phối tình nguyện cơ bản")
    with app.app_context():
        import_directory(tmp_path)


def _sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail hoặc số điện thoại").fill("hocvien@example.org")
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Hoa")


def _answer_every_question(page: Page, option: str) -> None:
    questions = page.locator("form fieldset")
    expect(questions).to_have_count(5)
    for index in range(5):
        questions.nth(index).get_by_label(option, exact=True).check()
    page.get_by_role("button", name="Nộp bài").click()


def test_cadre_learns_a_module_passes_its_quiz_and_gets_a_verifiable_certificate(small_course, page: Page):
    _sign_in(page)
    page.get_by_role("link", name="Khóa học", exact=True).first.click()
    page.get_by_role("searchbox").fill("tinh nguyen co ban")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Điều phối tình nguyện cơ bản").first.click()
    page.get_by_role("button", name="Đăng ký khóa học").click()

    page.get_by_role("link", name=re.compile("Bắt đầu học|Tiếp tục học")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bài 1.1")
    page.get_by_role("button", name="Đánh dấu đã học xong").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bài 1.2")
    page.get_by_role("button", name="Đánh dấu đã học xong").click()
    expect(page.get_by_text("Bạn đã học xong bài này.")).to_be_visible()

    page.get_by_role("link", name="Kiểm tra mô-đun 1").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    _answer_every_question(page, "Sai")
    expect(page.get_by_text("Chưa đạt").first).to_be_visible()
    expect(page.get_by_text("Giải thích 1.1.")).to_be_visible()

    page.goto(page.url.rsplit("/attempts/", 1)[0])
    page.get_by_role("button", name="Làm lại bài kiểm tra").click()
    _answer_every_question(page, "Đúng")
    expect(page.get_by_text("Đạt", exact=True).first).to_be_visible()

    page.get_by_role("link", name="Chứng nhận", exact=True).first.click()
    page.get_by_role("link", name=re.compile("Điều phối tình nguyện cơ bản|Xem chứng nhận")).first.click()
    expect(page.get_by_text("Nguyễn Thị Hoa").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải giấy chứng nhận (PDF)").click()
    assert open(download.value.path(), "rb").read(4) == b"%PDF"

    verify_url = page.locator("a[href*='/verify/']").first.get_attribute("href")
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(urlsplit(verify_url).path)  # the test app names itself lms.test in absolute links
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác minh chứng nhận")
    expect(page.get_by_text("Nguyễn Thị Hoa")).to_be_visible()
    expect(page.get_by_text("Điều phối tình nguyện cơ bản")).to_be_visible()
    expect(page.get_by_text("đã bị thu hồi")).to_have_count(0)
