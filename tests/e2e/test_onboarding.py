"""The province A admin imports a cadre list through the real pages on a phone-sized screen."""
import io
import re

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from lms.db import db
from lms.people.models import User

HEADERS = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số điện thoại", "E-mail", "Mã đơn vị", "Chức vụ"]
CLEAN_ROWS = [
    ["Giàng Thị Dua", "12/04/1999", "Nữ", "Mông", "0977 100 201", "", "DOAN-LCI-BATXAT", "Bí thư Chi đoàn"],
    ["Hoàng Văn Tâm", "03/11/1996", "Nam", "Tày", "", "hoang.van.tam@example.org", "DOAN-LCI-SAPA", ""],
    ["Trần Thị Ánh", "20/01/2001", "Nữ", "Kinh", "0912 300 402", "anh.tran@example.org",
     "DOAN-LCI-CDLC", "Đội trưởng đội hình tình nguyện"],
]


def _xlsx(path, rows) -> str:
    workbook = Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return str(path)


def _sign_in_as_admin_a(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail hoặc số điện thoại").fill("admin.tinhA@example.org")
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Hùng")


def _upload(page: Page, file_path: str) -> None:
    page.get_by_role("link", name="Nhập danh sách").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập danh sách cán bộ")
    page.get_by_label("Tệp danh sách cán bộ (.xlsx hoặc .csv)").set_input_files(file_path)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()


def _accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_admin_imports_a_clean_list_and_sees_the_new_accounts(demo_data, app, page: Page, tmp_path):
    before = _accounts(app)
    _sign_in_as_admin_a(page)
    _upload(page, _xlsx(tmp_path / "danh-sach.xlsx", CLEAN_ROWS))

    expect(page.get_by_text("Tệp hợp lệ: sẵn sàng tạo 3 tài khoản.")).to_be_visible()
    assert _accounts(app) == before  # nothing is written before the admin confirms
    page.get_by_role("button", name="Xác nhận tạo 3 tài khoản").click()

    expect(page.get_by_text("Đã tạo 3 tài khoản cán bộ.")).to_be_visible()
    assert _accounts(app) == before + 3
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải danh sách mã kích hoạt (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    codes = {row[0]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(codes) == {"Giàng Thị Dua", "Hoàng Văn Tâm", "Trần Thị Ánh"}

    page.get_by_role("link", name="Xem danh sách cán bộ").click()
    page.get_by_role("searchbox").fill("giang thi dua")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("link", name="Giàng Thị Dua")).to_be_visible()

    _first_sign_in_with_code(page, "0977100201", codes["Giàng Thị Dua"])


def _first_sign_in_with_code(page: Page, phone: str, code: str) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("E-mail hoặc số điện thoại").fill(phone)
    page.get_by_label("Mật khẩu hoặc mã kích hoạt").fill(code)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/account/set-password$"))
    page.get_by_label("Mật khẩu mới", exact=True).fill("hoa-ban-trang-2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("hoa-ban-trang-2026")
    page.get_by_role("button", name="Lưu mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Dua")


def test_a_bad_file_shows_its_row_errors_and_imports_nothing(demo_data, app, page: Page, tmp_path):
    before = _accounts(app)
    rows = [
        CLEAN_ROWS[0],
        ["", "01/01/2000", "Nam", "Kinh", "0912 555 666", "", "DOAN-LCI-BATXAT", ""],
        ["Lê Văn Bình", "31/02/1999", "Nam", "Kinh", "0912 555 777", "", "DOAN-AGG-PHUQUOC", ""],
        ["Giàng Thị Dua", "12/04/1999", "Nữ", "Mông", "0977 100 299", "", "DOAN-LCI-BATXAT", ""],
    ]
    _sign_in_as_admin_a(page)
    _upload(page, _xlsx(tmp_path / "co-loi.xlsx", rows))

    expect(page.get_by_text("Tệp có 3 dòng lỗi.", exact=False)).to_be_visible()
    expect(page.get_by_text("Dòng 3: Thiếu họ và tên.")).to_be_visible()
    expect(page.get_by_text("Dòng 4: Ngày sinh “31/02/1999” không hợp lệ", exact=False)).to_be_visible()
    expect(page.get_by_text("Dòng 4: Đơn vị “Đoàn đặc khu Phú Quốc” nằm ngoài phạm vi bạn quản lý.")).to_be_visible()
    expect(page.get_by_text("Dòng 5: Trùng người với dòng 2", exact=False)).to_be_visible()
    expect(page.locator("tr.row-error")).to_have_count(3)
    expect(page.get_by_role("button", name=re.compile("Xác nhận tạo"))).to_have_count(0)
    assert _accounts(app) == before
