"""The central office on a phone: opens the reports, picks the Đoàn, drills down to Lào Cai, and takes the
coverage table to Excel and the province's yearly report as PDF and as Word; the Lào Cai office sees its own
province only, in the reports and in the list of cadres it downloads."""
import io
from datetime import date, timedelta

from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.people.models import User
from lms.people.services import unit_by_code
from lms.reports.models import ReportDeadline
from lms.reports.sending import season_end
from tests.e2e.conftest import no_sideways_scroll, sign_in


def test_central_office_drills_down_and_exports(assessment_data, page: Page):
    sign_in(page, "trunguong@example.org")
    page.get_by_role("link", name="Báo cáo").first.click()
    page.get_by_role("link", name="Trung ương Đoàn TNCS Hồ Chí Minh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trung ương Đoàn TNCS Hồ Chí Minh")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    areas = page.locator("section", has=page.locator("#bang-areas"))
    expect(areas.get_by_role("heading", level=2)).to_have_text("Đào tạo ở các địa bàn ưu tiên")
    expect(areas.get_by_role("rowheader", name="Miền núi")).to_be_visible()
    expect(areas.get_by_role("rowheader", name="Mọi địa bàn")).to_be_visible()
    coverage = page.locator("section", has=page.locator("#bang-coverage"))
    # The centre has more units under it than a chart draws: the chart names those furthest behind, and
    # the whole table opens under it.
    expect(coverage.locator("figcaption")).to_contain_text("thấp nhất; bảng dưới có đủ các đơn vị.")
    expect(coverage.get_by_role("link", name="Tỉnh đoàn Lào Cai")).to_be_hidden()
    coverage.get_by_text("Xem cả bảng").click()
    coverage.get_by_role("link", name="Tỉnh đoàn Lào Cai").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tỉnh đoàn Lào Cai")
    no_sideways_scroll(page)

    with page.expect_download() as download:
        coverage.get_by_role("link", name="Tải Excel (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[-1]
    headers = [cell.value for cell in sheet[1]]
    assert "Đơn vị" in headers and sheet.freeze_panes == "A2"
    assert any(row[0] == "Đoàn xã Bát Xát" for row in sheet.iter_rows(min_row=2, values_only=True))

    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo năm (.pdf)").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo năm (.docx)").click()
    assert download.value.suggested_filename.endswith("-DOAN-LCI.docx")
    document = Document(download.value.path())
    assert any(paragraph.text.startswith("BÁO CÁO NĂM ") for paragraph in document.paragraphs)


def test_a_province_office_sees_only_its_province(assessment_data, app, page: Page):
    with app.app_context():
        province_b = unit_by_code("DOAN-AGG").id
    sign_in(page, "admin.tinhA@example.org")
    page.get_by_role("link", name="Báo cáo").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tỉnh đoàn Lào Cai")
    expect(page.get_by_text("Tỉnh đoàn An Giang")).to_have_count(0)
    assert page.goto(f"/reports/?unit={province_b}").status == 403
    assert page.request.get(f"/reports/coverage.xlsx?unit={province_b}").status == 403


def give_the_provinces_the_whole_season(app) -> date:
    """The centre's day for this year's reports: the end of the season, so that the journey below runs the
    same whatever day it runs on (a day must be set no earlier than today, nor later than the level above's)."""
    with app.app_context():
        year = local_today().year
        central, admin = unit_by_code("DOAN-TW"), db.session.scalar(
            select(User).where(User.email == "trunguong@example.org"))
        db.session.add(ReportDeadline(unit_id=central.id, year=year, due_on=season_end(year), set_by_id=admin.id))
        db.session.commit()
        return local_today()


def test_a_province_sends_its_signed_report_up_and_the_centre_reads_it(assessment_data, app, page: Page):
    today = give_the_provinces_the_whole_season(app)
    sign_in(page, "admin.tinhA@example.org")
    page.get_by_role("link", name="Báo cáo").first.click()
    expect(page.get_by_text("Tỉnh đoàn Lào Cai chưa gửi báo cáo năm")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo năm (.pdf)").click()
    signed = open(download.value.path(), "rb").read()  # as if printed, signed, sealed and scanned
    page.get_by_label("Tệp báo cáo đã ký và đóng dấu (PDF hoặc DOCX, tối đa 20 MB)").set_input_files(
        {"name": "bao-cao-nam-da-ky.pdf", "mimeType": "application/pdf", "buffer": signed})
    page.get_by_label("Ghi chú gửi cấp trên (không bắt buộc)").fill("Bản đã ký của Ban Thường vụ.")
    page.get_by_role("button", name="Gửi báo cáo lên cấp trên").click()
    expect(page.get_by_role("status")).to_contain_text("Đã gửi báo cáo năm")
    expect(page.get_by_role("link", name="bao-cao-nam-da-ky.pdf")).to_be_visible()
    # Lào Cai gives its own units a day before its own, to have time to compile their reports.
    day = today + timedelta(days=1)
    page.get_by_label("Hạn các đơn vị trực thuộc gửi báo cáo").fill(day.isoformat())
    page.get_by_role("button", name="Đặt hạn").click()
    expect(page.get_by_role("status")).to_contain_text(f"chậm nhất ngày {day:%d/%m/%Y}")
    expect(page.get_by_label("Hạn các đơn vị trực thuộc gửi báo cáo")).to_have_value(day.isoformat())
    no_sideways_scroll(page)

    sign_in(page, "trunguong@example.org")
    page.get_by_role("link", name="Báo cáo").first.click()
    page.get_by_role("link", name="Trung ương Đoàn TNCS Hồ Chí Minh").click()
    page.locator("#bao-cao-gui-len summary").click()  # "1 trên … đơn vị trực thuộc đã gửi …": the list opens
    row = page.locator("#bao-cao-gui-len tr", has_text="Tỉnh đoàn Lào Cai")
    expect(row).to_contain_text("Trần Văn Hùng")
    with page.expect_download() as download:
        row.get_by_role("link", name="bao-cao-nam-da-ky.pdf").click()
    assert open(download.value.path(), "rb").read() == signed
    # The centre reminds the provinces that have not sent: An Giang's admin is e-mailed, the provinces of
    # the demo without an admin are named.
    page.get_by_role("button", name="Nhắc các đơn vị chưa gửi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhắc 1 đơn vị chưa gửi báo cáo năm")
    expect(page.get_by_role("status")).to_contain_text("Chưa có quản trị viên có e-mail để nhắc:")
    page.locator("#bao-cao-gui-len summary").click()
    expect(page.locator("#bao-cao-gui-len tr", has_text="Tỉnh đoàn An Giang")).to_contain_text("Đã nhắc lúc")
    no_sideways_scroll(page)


def test_a_province_office_downloads_its_cadres(demo_data, page: Page):
    sign_in(page, "admin.tinhA@example.org")
    page.get_by_role("link", name="Cán bộ").first.click()
    page.get_by_label("Trạng thái").select_option("active")
    page.get_by_role("button", name="Tìm").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=".xlsx").click()
    assert download.value.suggested_filename.startswith("can-bo-tat-ca-")
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[-1]
                .iter_rows(values_only=True))
    assert rows[0][:2] == ("Họ và tên", "Ngày sinh")
    units = {row[4] for row in rows[1:]}
    assert "Đoàn xã Bát Xát" in units and not any("An Giang" in unit for unit in units)
    assert {row[-1] for row in rows[1:]} == {"Đang hoạt động"}
