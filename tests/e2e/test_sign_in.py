"""A cadre signs in on a phone through the real form, and signs out again."""
import re

from playwright.sync_api import Page, expect

SCREEN_WIDTH = 360


def _sign_in(page: Page, identifier: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail hoặc số điện thoại").fill(identifier)
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _has_no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= SCREEN_WIDTH


def test_cadre_signs_in_on_a_phone_and_sees_a_vietnamese_home_page(demo_data, page: Page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert page.viewport_size["width"] == SCREEN_WIDTH
    assert _has_no_horizontal_scroll(page)

    _sign_in(page, "hocvien@example.org", "demo1234")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Hoa")
    expect(page.get_by_text("Đoàn xã Bát Xát").first).to_be_visible()
    expect(page.get_by_role("heading", name="Vai trò của bạn")).to_be_visible()
    assert _has_no_horizontal_scroll(page)


def test_wrong_password_shows_the_vietnamese_error(demo_data, page: Page):
    _sign_in(page, "hocvien@example.org", "sai-mat-khau")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("E-mail/số điện thoại hoặc mật khẩu không đúng.")).to_be_visible()
    expect(page.get_by_label("Mật khẩu hoặc mã kích hoạt")).to_have_attribute("aria-invalid", "true")
    assert _has_no_horizontal_scroll(page)


def test_cadre_signs_out(demo_data, page: Page):
    _sign_in(page, "hocvien@example.org", "demo1234")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Hoa")

    page.get_by_role("button", name="Đăng xuất").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
