"""The cadre directory downloaded as .xlsx or .csv: every page of it, under the same filters and the same
scope as the page."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lms.people import export
from lms.people.models import COORDINATOR
from tests.conftest import sign_in_as, text

HEADERS = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Đơn vị", "Mã đơn vị", "Chức vụ",
           "Vai trò tình nguyện", "Điện thoại", "E-mail", "Trạng thái"]


@pytest.fixture()
def people(tree, make_user):
    make_user(tree.grassroots_a, "Nông Thị Hoa", email="hoa.nong@example.org", phone="+84912345678",
              date_of_birth=date(1998, 3, 15), gender="nu", ethnicity="Tày", position="Phó Bí thư Đoàn xã",
              volunteer_role=COORDINATOR)
    make_user(tree.branch_a, "Giàng A Páo", gender="nam", ethnicity="Mông")
    make_user(tree.grassroots_a, "Lò Văn Sáng", is_active=False)
    make_user(tree.grassroots_b, "Võ Thị Bích Trâm", email="tram@example.org")


def _sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_whole_directory_of_the_admins_province_as_a_workbook(client, admin_a, people):
    sign_in_as(client, admin_a)
    response = client.get("/people/export.xlsx")
    assert 'filename=can-bo-tat-ca-' in response.headers["Content-Disposition"]
    rows = _sheet_rows(response)
    assert list(rows[0]) == HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Nông Thị Hoa", "Giàng A Páo", "Lò Văn Sáng", "Trần Văn Hùng"}  # not province B
    hoa = by_name["Nông Thị Hoa"]
    assert hoa[1].date() == date(1998, 3, 15)  # a real date cell
    assert hoa[2:] == ("Nữ", "Tày", "Đoàn xã Bát Xát", "DOAN-LCI-BATXAT", "Phó Bí thư Đoàn xã",
                       "Điều phối viên tình nguyện", "0912 345 678", "hoa.nong@example.org", "Đang hoạt động")
    assert by_name["Lò Văn Sáng"][-1] == "Ngừng hoạt động"


def test_the_download_keeps_the_pages_filters(client, tree, admin_a, people):
    sign_in_as(client, admin_a)
    names = lambda query: [row[0] for row in _sheet_rows(client.get("/people/export.xlsx", query_string=query))[1:]]
    assert names({"unit": tree.branch_a.id}) == ["Giàng A Páo"]
    assert names({"status": "inactive"}) == ["Lò Văn Sáng"]
    assert names({"q": "hoa"}) == ["Nông Thị Hoa"]
    page = text(client.get("/people/", query_string={"unit": tree.grassroots_a.id, "status": "active"}))
    assert f'href="/people/export.xlsx?unit={tree.grassroots_a.id}&amp;status=active"' in page


def test_a_csv_that_excel_reads_in_vietnamese(client, admin_a, people):
    sign_in_as(client, admin_a)
    response = client.get("/people/export.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert ["Giàng A Páo", "", "Nam", "Mông"] == rows[[row[0] for row in rows].index("Giàng A Páo")][:4]


def test_no_one_downloads_beyond_their_scope(client, tree, admin_a, cadre_a, people):
    sign_in_as(client, admin_a)
    assert client.get("/people/export.xlsx", query_string={"unit": tree.province_b.id}).status_code == 403
    assert client.get("/people/export.csv", query_string={"unit": 999999}).status_code == 404
    sign_in_as(client, cadre_a)
    assert client.get("/people/export.xlsx").status_code == 403


def test_a_list_too_long_is_refused_with_how_to_narrow_it(client, admin_a, people, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    sign_in_as(client, admin_a)
    response = client.get("/people/export.xlsx", query_string={"status": "active"})
    assert response.status_code == 302 and response.headers["Location"] == "/people/?status=active"
    page = text(client.get(response.headers["Location"]))
    assert "Danh sách có hơn 2 cán bộ, quá dài để tải về một lần." in page
    assert len(_sheet_rows(client.get("/people/export.xlsx", query_string={"status": "inactive"}))) == 2
