"""The demo trainer runs a cohort on a phone: opens it, picks two participants from a search, adds two
sessions, takes attendance for both (one with "Tất cả có mặt", one marking someone absent), closes it
and sees who completed."""
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.people.models import User
from lms.people.services import create_account, unit_by_code
from lms.trainers.models import TrainerProfile
from tests.e2e.conftest import no_sideways_scroll

TRAINER = "taphuanvien@example.org"
LEARNER = "Nguyễn Thị Hoa"  # the demo learner, of Đoàn xã Bát Xát in Lào Cai
SECOND = "Giàng Thị Dua"
TITLE = "Lớp điều phối viên tình nguyện Bát Xát khóa thử"


@pytest.fixture()
def second_cadre(demo_data, app) -> str:
    """Give the demo trainer a trainer profile if the demo has none, and a second cadre of Bát Xát to enrol."""
    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.email == TRAINER))
        if db.session.scalar(select(TrainerProfile.id).where(TrainerProfile.user_id == trainer.id)) is None:
            db.session.add(TrainerProfile(user_id=trainer.id, tier="provincial", status="certified"))
        create_account(full_name=SECOND, unit=unit_by_code("DOAN-LCI-BATXAT"), phone="+84977100299",
                       position="Bí thư Chi đoàn thôn Bản Vai")
        db.session.commit()
    return SECOND


def _sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail hoặc số điện thoại").fill(TRAINER)
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Minh")


def _pick(page: Page, search: str, name: str) -> None:
    page.get_by_role("link", name="Thêm học viên").click()
    page.get_by_role("searchbox").fill(search)
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("checkbox", name=name).check()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Thêm những người đã chọn").click()
    expect(page.get_by_text("Đã thêm 1 học viên vào lớp.")).to_be_visible()


def _add_session(page: Page, held_on, topic: str) -> None:
    page.get_by_role("link", name="Thêm buổi học").click()
    page.get_by_label("Ngày học").fill(held_on.isoformat())
    page.get_by_label("Chủ đề").fill(topic)
    page.get_by_role("button", name="Thêm buổi học").click()
    expect(page.get_by_text(f"Đã thêm buổi học “{topic}”.")).to_be_visible()


def test_trainer_runs_a_cohort_from_opening_to_certificates(second_cadre, today, page: Page):
    _sign_in(page)
    page.goto("/trainers/cohorts")
    page.get_by_role("link", name="Mở lớp mới").click()
    page.get_by_label("Tên lớp").fill(TITLE)
    expect(page.get_by_label("Mã đơn vị tổ chức")).to_have_value("DOAN-LCI")
    expect(page.get_by_label("Giảng viên chính")).to_have_value(TRAINER)  # preselected: the trainer's profile
    page.get_by_label("Đối tượng").select_option(label="Điều phối viên")
    page.get_by_label("Trực tiếp").check()
    page.get_by_label("Địa điểm").fill("Nhà văn hóa xã Bát Xát")
    page.get_by_label("Ngày khai giảng").fill((today - timedelta(days=7)).isoformat())
    page.get_by_label("Ngày bế giảng").fill((today + timedelta(days=7)).isoformat())
    no_sideways_scroll(page)
    page.get_by_role("button", name="Mở lớp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    _pick(page, "nguyen thi hoa", LEARNER)
    _pick(page, second_cadre, second_cadre)
    _add_session(page, today - timedelta(days=3), "Khảo sát nhu cầu cộng đồng")
    _add_session(page, today - timedelta(days=1), "Lập kế hoạch hoạt động tình nguyện")

    page.get_by_role("link", name="Điểm danh: Khảo sát nhu cầu cộng đồng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm danh")
    page.get_by_role("button", name="Tất cả có mặt").click()
    expect(page.get_by_text("Đã ghi tất cả học viên có mặt.")).to_be_visible()
    expect(page.get_by_role("radio", name="Có mặt", exact=False).and_(page.locator(":checked"))).to_have_count(2)
    no_sideways_scroll(page)
    page.get_by_role("link", name="Về trang lớp").click()

    page.get_by_role("link", name="Điểm danh: Lập kế hoạch hoạt động tình nguyện").click()
    page.get_by_role("group", name=LEARNER).get_by_label("Có mặt").check()
    page.get_by_role("group", name=second_cadre).get_by_label("Vắng").check()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_text("Đã lưu điểm danh buổi “Lập kế hoạch hoạt động tình nguyện”.")).to_be_visible()
    expect(page.get_by_text("Có mặt 1 · Vắng 1 · Có phép 0")).to_be_visible()
    expect(page.get_by_text("2/2 buổi (100%)")).to_be_visible()
    expect(page.get_by_text("1/2 buổi (50%)")).to_be_visible()
    no_sideways_scroll(page)

    page.get_by_role("link", name="Kết thúc lớp").click()
    expect(page.get_by_text("1 trên 2 học viên sẽ hoàn thành và được cấp giấy chứng nhận.")).to_be_visible()
    page.get_by_role("button", name="Xác nhận kết thúc lớp").click()
    expect(page.get_by_text("Lớp đã kết thúc: 1 trên 2 học viên hoàn thành và được cấp giấy chứng nhận.")
           ).to_be_visible()
    learner_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=LEARNER))
    expect(learner_row.get_by_text("Hoàn thành", exact=True)).to_be_visible()
    other_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=second_cadre))
    expect(other_row.get_by_text("Không hoàn thành")).to_be_visible()
    expect(page.get_by_role("link", name="Thêm học viên")).to_have_count(0)  # closed: read-only
    no_sideways_scroll(page)

    learner_row.get_by_role("link", name="Giấy chứng nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy chứng nhận hoàn thành lớp tập huấn")
    expect(page.get_by_text(LEARNER)).to_be_visible()
    expect(page.get_by_text(TITLE)).to_be_visible()
    no_sideways_scroll(page)
