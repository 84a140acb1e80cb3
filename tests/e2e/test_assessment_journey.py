"""A national assessment on phones, from launch to approval: the central office launches a campaign; the
demo cadre rates herself and sees her gaps and the modules that build them; the Lào Cai office submits
its capacity assessment; the central reviewer returns it with a comment on one indicator; Lào Cai
corrects it and submits again; the central reviewer approves it."""
import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import no_sideways_scroll, sign_in

CENTRAL, CADRE, PROVINCE_A = "trunguong@example.org", "hocvien@example.org", "admin.tinhA@example.org"
TITLE = "Đánh giá năng lực giữa kỳ 2026"
RETURN_COMMENT = "Số đội hình chưa khớp với báo cáo 6 tháng; đề nghị rà soát lại."
TEAMS = "Số câu lạc bộ, đội, nhóm, đội hình tình nguyện đơn vị đang kết nối và quản lý"


def _launch(page: Page, today) -> None:
    sign_in(page, CENTRAL)
    page.get_by_role("link", name="Đánh giá", exact=True).first.click()
    page.get_by_role("link", name="Danh sách đợt đánh giá").click()
    page.get_by_role("link", name="Tạo đợt đánh giá").click()
    page.get_by_label("Tên đợt đánh giá").fill(TITLE)
    for level in ("Tỉnh / thành phố", "Cơ sở", "Chi đoàn / chi hội"):
        page.get_by_label(level, exact=True).check()
    page.get_by_label("Tự đánh giá", exact=True).check()
    page.get_by_label("Ngày bắt đầu").fill(today.isoformat())
    page.get_by_label("Hạn hoàn thành").fill((today + timedelta(days=30)).isoformat())
    no_sideways_scroll(page)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.locator("details.confirm summary").first.click()
    page.get_by_role("button", name="Phát động").click()
    expect(page.get_by_text(re.compile(r"Đã phát động"))).to_be_visible()
    no_sideways_scroll(page)


def _self_assess(page: Page) -> None:
    sign_in(page, CADRE)
    expect(page.get_by_text(TITLE)).to_be_visible()  # the task is on her home page
    page.get_by_role("link", name="Làm đánh giá").first.click()
    task = page.locator(".course-list > li").filter(has_text=TITLE)
    task.get_by_role("link", name="Tự đánh giá").click()
    sheets = page.locator("fieldset.rating")
    expect(sheets).to_have_count(11)
    for index in range(11):
        # Level 1 everywhere but the first two competencies (level 3): gaps where a grassroots
        # coordinator is expected to reach 2 or 3.
        sheets.nth(index).get_by_role("radio").nth(2 if index < 2 else 0).check()
    sheets.first.get_by_text("Minh chứng (không bắt buộc)").click()
    sheets.first.get_by_label("Đường dẫn minh chứng").fill("https://example.org/bao-cao-mua-he-xanh.pdf")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Gửi phần tự đánh giá").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ năng lực của tôi")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()  # the chart
    gaps = page.locator(".gap-item")
    expect(gaps.first).to_be_visible()
    assert gaps.count() >= 5
    recommended = page.locator(".gap-item .recommended a").first
    expect(recommended).to_be_visible()
    module = recommended.inner_text()
    no_sideways_scroll(page)
    recommended.click()  # one click to the course that builds the competency
    expect(page.get_by_text(module).first).to_be_visible()
    assert "/courses/" in page.url


def _open_province_assessment(page: Page) -> None:
    page.goto("/assessments/units")
    page.locator("tr").filter(has_text=TITLE).get_by_role("link", name="Tỉnh đoàn Lào Cai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đánh giá năng lực: Tỉnh đoàn Lào Cai")


def _answer(page: Page, code: str, value: str | None = None, link: str | None = None) -> None:
    indicator = page.locator(f"#indicator-{code}")
    if value in ("Có", "Không"):
        indicator.get_by_label(value, exact=True).check()
    elif value is not None:
        indicator.get_by_label("Câu trả lời").fill(value)
    if link:
        indicator.get_by_label("Đường dẫn minh chứng").fill(link)


def _submit_unit_assessment(page: Page) -> None:
    sign_in(page, PROVINCE_A)
    _open_province_assessment(page)
    for code in ("coordinator", "yearly-plan", "safety-plan"):
        _answer(page, code, "Có", f"https://example.org/lao-cai/{code}.pdf")
    _answer(page, "yearly-report", "Có")
    for code, number in (("volunteer-teams", "12"), ("partnerships", "4"), ("activities", "15"),
                         ("recognised-volunteers", "40")):
        _answer(page, code, number)
    no_sideways_scroll(page)
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.locator(".lead .badge")).to_have_text("Đã gửi")


def _review(page: Page, approve: bool) -> None:
    sign_in(page, CENTRAL)
    page.goto("/assessments/units")
    page.locator("section", has=page.get_by_role("heading", name="Chờ thẩm định")).locator("tr").filter(
        has_text=TITLE).get_by_role("link", name="Tỉnh đoàn Lào Cai").click()
    if approve:
        page.get_by_role("button", name="Phê duyệt").click()
        expect(page.locator(".lead .badge")).to_have_text("Đã phê duyệt")
    else:
        page.get_by_label(TEAMS).fill(RETURN_COMMENT)
        page.get_by_role("button", name="Trả lại để bổ sung").click()
        expect(page.locator(".lead .badge")).to_have_text("Bị trả lại")
    no_sideways_scroll(page)


def test_national_assessment_from_launch_to_approval(assessment_data, page: Page, today):
    _launch(page, today)
    _self_assess(page)
    _submit_unit_assessment(page)
    _review(page, approve=False)

    sign_in(page, PROVINCE_A)
    _open_province_assessment(page)
    expect(page.locator(".lead .badge")).to_have_text("Bị trả lại")
    expect(page.locator("#indicator-volunteer-teams")).to_contain_text(RETURN_COMMENT)
    _answer(page, "volunteer-teams", "21")
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.locator(".lead .badge")).to_have_text("Đã gửi")
    no_sideways_scroll(page)

    _review(page, approve=True)
    history = page.locator("section", has=page.get_by_role("heading", name="Lịch sử"))
    expect(history).to_contain_text(RETURN_COMMENT)
    expect(history).to_contain_text("lần 2")
