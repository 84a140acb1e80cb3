"""Bulk onboarding of cadres from .xlsx and .csv: preview, confirm, activation codes, scope."""
import csv
import io
import unicodedata
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from lms.auth.permissions import Role
from lms.db import db
from lms.orgs.services import close_unit
from lms.people import onboarding
from lms.people.models import AuthToken, ImportBatch, RoleAssignment, User
from tests.conftest import login

HEADERS = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số điện thoại", "E-mail", "Mã đơn vị", "Chức vụ"]
GRASSROOTS_A, BRANCH_A, GRASSROOTS_B = "DOAN-LCI-BATXAT", "DOAN-LCI-BATXAT-CD01", "DOAN-AGG-PHUQUOC"
SUMMARY = "Tệp có {} dòng lỗi. Hãy sửa tệp rồi tải lên lại; chưa có tài khoản nào được tạo."


def person(name="Nguyễn Văn Bình", born="15/03/1998", gender="Nam", ethnicity="Kinh", phone="0912000001",
           email="binh@example.org", unit=GRASSROOTS_A, position="Bí thư Chi đoàn") -> list:
    return [name, born, gender, ethnicity, phone, email, unit, position]


def xlsx(rows, headers=HEADERS, above=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows, delimiter=",", bom=True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def upload(client, content: bytes, name: str = "ds.xlsx"):
    return client.post("/people/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def page(response) -> str:
    return response.get_data(as_text=True)


def latest_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def confirm(client, batch_id: int):
    return client.post(f"/people/import/{batch_id}/confirm", follow_redirects=True)


def download_codes(client, batch_id: int):
    return client.post(f"/people/import/{batch_id}/codes.xlsx")


def codes_by_email(response) -> dict[str, list]:
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Họ và tên", "Đơn vị", "E-mail", "Số điện thoại", "Mã kích hoạt", "Hạn dùng")
    return {row[2] or row[3]: row for row in rows[1:]}


@pytest.fixture()
def as_admin_a(client, admin_a):
    login(client, admin_a)
    return client


# --- A clean file, from upload to first sign-in ------------------------------------------------

def test_clean_xlsx_is_previewed_then_committed_with_normalised_values(as_admin_a, tree):
    before = count(User)
    rows = [
        person("NGUYỄN THỊ LAN", date(1999, 7, 2), "nữ", "Mông", "0912 000 001", "Lan.Nguyen@Example.org",
               GRASSROOTS_A.lower()),
        person("Chau Sóc Kha", "5/9/2001", "NAM", "khơ-me", 912000002, None, BRANCH_A, None),
        person("Y Moan Niê", "2000-01-31", "Khac", "ê đê", None, "ymoan@example.org", BRANCH_A, "Đoàn viên"),
    ]
    preview = upload(as_admin_a, xlsx(rows))
    text = page(preview)
    assert "Tệp hợp lệ: sẵn sàng tạo 3 tài khoản." in text
    assert "Xác nhận tạo 3 tài khoản" in text
    assert count(User) == before, "nothing is written before the admin confirms"

    result = confirm(as_admin_a, latest_batch().id)
    text = page(result)
    assert "Đã tạo 3 tài khoản cán bộ." in text
    assert "Tải danh sách mã kích hoạt (.xlsx)" in text
    assert 'href="/people/"' in text
    assert count(User) == before + 3

    lan = db.session.scalar(select(User).where(User.email == "lan.nguyen@example.org"))
    assert (lan.full_name, lan.date_of_birth, lan.gender, lan.ethnicity, lan.phone) == (
        "Nguyễn Thị Lan", date(1999, 7, 2), "nu", "Mông", "+84912000001")
    assert lan.unit_id == tree.grassroots_a.id and lan.password_hash is None and lan.position == "Bí thư Chi đoàn"
    kha = db.session.scalar(select(User).where(User.phone == "+84912000002"))
    assert (kha.date_of_birth, kha.gender, kha.ethnicity, kha.email) == (date(2001, 9, 5), "nam", "Khmer", None)
    moan = db.session.scalar(select(User).where(User.email == "ymoan@example.org"))
    assert (moan.date_of_birth, moan.gender, moan.ethnicity) == (date(2000, 1, 31), "khac", "Ê Đê")
    assert [(r.role, r.unit_id) for r in moan.roles] == [("learner", tree.branch_a.id)]
    assert count(AuthToken) == 3
    batch = latest_batch()
    assert (batch.status, batch.created_count, len(batch.issued_codes)) == ("committed", 3, 3)


def test_activation_code_sheet_is_given_once_and_the_code_signs_in(as_admin_a, tree):
    upload(as_admin_a, xlsx([person(), person("Lò Thị Xuân", phone="0912000002", email=None)]))
    batch_id = latest_batch().id
    confirm(as_admin_a, batch_id)

    sheet = download_codes(as_admin_a, batch_id)
    assert sheet.status_code == 200
    assert sheet.headers["Content-Type"] == onboarding.XLSX_MIMETYPE
    codes = codes_by_email(sheet)
    assert codes["binh@example.org"][:4] == ("Nguyễn Văn Bình", "Đoàn xã Bát Xát", "binh@example.org",
                                             "0912 000 001")
    assert latest_batch().issued_codes is None

    again = download_codes(as_admin_a, batch_id)
    assert again.status_code == 302
    assert "đã được tải về trước đó" in page(as_admin_a.get(again.location))

    as_admin_a.post("/logout")
    assert login(as_admin_a, "binh@example.org", "WRONG-CODE").status_code == 200
    signed_in = login(as_admin_a, "binh@example.org", codes["binh@example.org"][4])
    assert signed_in.location.endswith("/account/set-password")
    assert as_admin_a.get("/").location.endswith("/account/set-password")
    saved = as_admin_a.post("/account/set-password",
                            data={"new_password": "mat-khau-moi-1", "confirm_password": "mat-khau-moi-1"})
    assert saved.location.endswith("/")
    as_admin_a.post("/logout")
    assert login(as_admin_a, "binh@example.org", "mat-khau-moi-1").location.endswith("/")

    as_admin_a.post("/logout")
    by_phone = login(as_admin_a, "0912 000 002", codes["0912 000 002"][4].lower())
    assert by_phone.location.endswith("/account/set-password")


@pytest.mark.parametrize("delimiter,bom", [(",", True), (";", False), (";", True)])
def test_csv_in_utf8_with_comma_or_semicolon(as_admin_a, delimiter, bom):
    before = count(User)
    content = csv_file([person(), person("Hoàng Thị Pết", "01/02/2000", "Nữ", "Tày", "0912000002", "")],
                       delimiter=delimiter, bom=bom)
    text = page(upload(as_admin_a, content, "ds.csv"))
    assert "Tệp hợp lệ: sẵn sàng tạo 2 tài khoản." in text
    confirm(as_admin_a, latest_batch().id)
    assert count(User) == before + 2
    pet = db.session.scalar(select(User).where(User.phone == "+84912000002"))
    assert (pet.full_name, pet.ethnicity, pet.gender) == ("Hoàng Thị Pết", "Tày", "nu")


def test_header_may_sit_below_a_title_and_be_written_without_accents(as_admin_a):
    headers = ["STT", "HO VA TEN", "ngay sinh", "GIOI TINH", "Dan toc", "SĐT", "Email", "Ma don vi", "Chuc vu"]
    content = xlsx([[1, *person()], [2, *person("", phone="0912000002", email=None)]], headers=headers,
                   above=[["DANH SÁCH CÁN BỘ ĐOÀN XÃ BÁT XÁT"], []])
    text = page(upload(as_admin_a, content))
    assert SUMMARY.format(1) in text
    assert "Dòng 5: Thiếu họ và tên." in text, "line numbers are those the spreadsheet shows"


# --- Problems in rows ----------------------------------------------------------------------------

def test_every_kind_of_row_problem_is_explained(as_admin_a, tree):
    close_unit(tree.branch_a, "Sáp nhập vào chi đoàn khác")
    db.session.commit()
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    rows = [
        person(),                                                     # line 2: fine
        person("", phone="0912000003", email="a3@example.org"),       # 3
        person("Lê Văn Cường", "31/02/1999", phone="0912000004", email="a4@example.org"),
        person("Lê Văn Dũng", tomorrow, phone="0912000005", email="a5@example.org"),
        person("Lê Văn Đạt", gender="Đực", phone="0912000006", email="a6@example.org"),
        person("Lê Văn Giang", ethnicity="Mèo Vạc", phone="0912000007", email="a7@example.org"),
        person("Lê Văn Hải", phone="12345", email="a8@example.org"),
        person("Lê Văn Hiếu", phone="0912000009", email="không-phải-email"),
        person("Lê Văn Huy", phone=None, email=None),
        person("Lê Văn Khang", unit=None, phone="0912000011", email="a11@example.org"),
        person("Lê Văn Kiên", unit="XYZ", phone="0912000012", email="a12@example.org"),
        person("Lê Văn Long", unit=BRANCH_A, phone="0912000013", email="a13@example.org"),
        person("Lê Văn Lộc", unit=GRASSROOTS_B, phone="0912000014", email="a14@example.org"),
        person("Lê Văn Nam", phone="0912000015", email=onboarding.EXAMPLE_EMAIL),
    ]
    before = count(User)
    text = page(upload(as_admin_a, xlsx(rows)))
    for message in [
        SUMMARY.format(13),
        "Dòng 3: Thiếu họ và tên.",
        "Ngày sinh “31/02/1999” không hợp lệ (định dạng ngày/tháng/năm).",
        f"Ngày sinh “{tomorrow}” ở sau ngày hôm nay.",
        "Giới tính “Đực” không hợp lệ; hãy ghi Nam, Nữ hoặc Khác.",
        "Dân tộc “Mèo Vạc” không có trong danh mục 54 dân tộc Việt Nam.",
        "Số điện thoại “12345” không hợp lệ.",
        "E-mail “không-phải-email” không hợp lệ.",
        "Dòng 10: Cần có số điện thoại hoặc e-mail để người này đăng nhập.",
        "Dòng 11: Thiếu mã đơn vị.",
        "Không có đơn vị mã “XYZ”.",
        "Đơn vị “Chi đoàn thôn Bản Vai” đã giải thể.",
        "Đơn vị “Đoàn đặc khu Phú Quốc” nằm ngoài phạm vi bạn quản lý.",
        "Đây là dòng ví dụ của tệp mẫu; hãy xóa dòng này.",
    ]:
        assert message in text
    assert text.count('class="row-error"') == 13
    assert 'id="dong-2">' in text, "the clean row is shown without the error class"
    assert "Xác nhận tạo" not in text
    assert count(User) == before

    only_errors = page(as_admin_a.get(f"/people/import/{latest_batch().id}?errors=1"))
    assert 'id="dong-2"' not in only_errors and 'id="dong-3"' in only_errors


def test_duplicates_inside_the_file(as_admin_a):
    hoa_nfd = unicodedata.normalize("NFD", "Trần Thị Hòa")
    assert hoa_nfd != "Trần Thị Hòa"
    rows = [
        person("Nguyễn Văn Bình", email="binh@example.org", phone="0912000001"),          # 2
        person("Phạm Văn Tú", email="BINH@example.org", phone="0912000002"),              # 3
        person("Phạm Văn Tuấn", email="tuan@example.org", phone="+84 912 000 001"),       # 4
        person("Trần Thị Hòa", "01/01/2000", email="hoa1@example.org", phone="0912000005"),  # 5
        person(hoa_nfd, "1/1/2000", email="hoa2@example.org", phone="0912000006"),        # 6: NFD
        person("Lê Văn Hòa", "02/02/2001", email="hoa3@example.org", phone="0912000007"),  # 7
        person("Lê Văn Hoà", "2001-02-02", email="hoa4@example.org", phone="0912000008"),  # 8: tone on a
        person("Lê Văn Hoà", "03/03/2001", email="hoa5@example.org", phone="0912000009"),  # 9: other birthday
    ]
    text = page(upload(as_admin_a, xlsx(rows)))
    assert SUMMARY.format(4) in text
    assert "Dòng 3: Trùng e-mail với dòng 2 trong tệp." in text
    assert "Dòng 4: Trùng số điện thoại với dòng 2 trong tệp." in text
    assert "Dòng 6: Trùng người với dòng 5 (cùng họ tên và ngày sinh)." in text
    assert "Dòng 8: Trùng người với dòng 7 (cùng họ tên và ngày sinh)." in text
    assert "Dòng 9:" not in text


def test_duplicates_of_existing_accounts(as_admin_a, tree, make_user):
    make_user(tree.grassroots_a, "Vàng Thị Dợ", email="do@example.org", phone="+84912000001",
              date_of_birth=date(1997, 4, 5))
    make_user(tree.branch_a, "Đỗ Văn Hoà", email="hoa@example.org", date_of_birth=date(1995, 6, 7))
    make_user(tree.grassroots_b, "Néang Sa Rây", email="saray@example.org", date_of_birth=date(1996, 8, 9))
    rows = [
        person("Sùng A Páo", email="DO@Example.org", phone="0912000011"),                     # 2
        person("Sùng A Chứ", email="chu@example.org", phone="0912 000 001"),                  # 3
        person(unicodedata.normalize("NFD", "Vàng Thị Dợ"), "05/04/1997", email="d2@example.org",
               phone="0912000013"),                                                            # 4
        person("Đỗ Văn Hòa", "07/06/1995", email="hoa2@example.org", phone="0912000014"),     # 5
        person("Néang Sa Rây", "09/08/1996", email="saray2@example.org", phone="0912000015"),  # 6
    ]
    text = page(upload(as_admin_a, xlsx(rows)))
    assert SUMMARY.format(5) in text
    assert "Dòng 2: E-mail đã có tài khoản trong hệ thống." in text
    assert "Dòng 3: Số điện thoại đã có tài khoản trong hệ thống." in text
    assert "Dòng 4: Đã có cán bộ cùng họ tên và ngày sinh trong đơn vị “Đoàn xã Bát Xát”." in text
    assert "Dòng 5: Đã có cán bộ cùng họ tên và ngày sinh trong đơn vị “Chi đoàn thôn Bản Vai”." in text
    assert "Dòng 6: Đã có cán bộ cùng họ tên và ngày sinh ở một đơn vị ngoài phạm vi bạn quản lý." in text
    assert "Phú Quốc" not in text, "a unit outside the admin's scope is not named"


# --- Whole-file problems -------------------------------------------------------------------------

def test_missing_columns_are_named_in_one_message(as_admin_a):
    headers = [h for h in HEADERS if h not in ("Ngày sinh", "Dân tộc")]
    text = page(upload(as_admin_a, xlsx([["Nguyễn Văn Bình", "Nam", "0912000001", "", GRASSROOTS_A, ""]],
                                        headers=headers)))
    assert "Tệp thiếu cột: Ngày sinh, Dân tộc. Hãy dùng đúng dòng tiêu đề của tệp mẫu." in text
    assert count(ImportBatch) == 0


@pytest.mark.parametrize("content,name,message", [
    (b"", "ds.csv", "Tệp trống."),
    (b"\n \n", "ds.csv", "Tệp trống."),
    (xlsx([], headers=[]), "ds.xlsx", "Tệp trống."),
    (xlsx([]), "ds.xlsx", "Tệp chỉ có dòng tiêu đề, chưa có cán bộ nào."),
    (b"this is not a workbook", "ds.xlsx", "đây không phải tệp Excel .xlsx hợp lệ"),
    ("Họ và tên,Ngày sinh\n".encode("cp1258", errors="replace") + b"\xff\xfe", "ds.csv", "không ở mã UTF-8"),
    (b"a,b", "ds.xls", "Chỉ nhận tệp .xlsx hoặc .csv."),
])
def test_unusable_files_get_a_clear_message(as_admin_a, content, name, message):
    text = page(upload(as_admin_a, content, name))
    assert message in text
    assert count(ImportBatch) == 0


def test_more_than_ten_thousand_rows_is_refused(as_admin_a):
    rows = [person(f"Cán Bộ {i}", phone=None, email=f"cb{i}@example.org") for i in range(10_001)]
    text = page(upload(as_admin_a, csv_file(rows), "lon.csv"))
    assert "Tệp có hơn 10.000 dòng cán bộ." in text
    assert count(ImportBatch) == 0


# --- Confirmation rules --------------------------------------------------------------------------

def test_a_file_with_errors_cannot_be_confirmed(as_admin_a):
    before = count(User)
    upload(as_admin_a, xlsx([person(), person("", phone="0912000002", email=None)]))
    response = confirm(as_admin_a, latest_batch().id)
    text = page(response)
    assert "Tệp còn dòng lỗi nên không thể xác nhận." in text
    assert "Xác nhận tạo" not in text
    assert count(User) == before and latest_batch().status == "preview"


def test_a_batch_is_committed_only_once(as_admin_a):
    before = count(User)
    upload(as_admin_a, xlsx([person()]))
    batch_id = latest_batch().id
    confirm(as_admin_a, batch_id)
    again = page(confirm(as_admin_a, batch_id))
    assert "Danh sách này đã được nhập trước đó; không tạo thêm tài khoản nào." in again
    assert count(User) == before + 1
    assert as_admin_a.get(f"/people/import/{batch_id}").location.endswith(f"/people/import/{batch_id}/result")


def test_an_account_created_meanwhile_stops_the_whole_commit(as_admin_a, tree, make_user):
    upload(as_admin_a, xlsx([person(), person("Lò Văn Sáng", phone="0912000002", email="sang@example.org"),
                             person("Giàng A Páo", phone="0912000003", email="pao@example.org")]))
    batch_id = latest_batch().id
    make_user(tree.province_a, "Giàng A Páo", email="PAO@example.org")
    users, tokens, roles = count(User), count(AuthToken), count(RoleAssignment)

    text = page(confirm(as_admin_a, batch_id))
    assert "Dữ liệu trong hệ thống đã thay đổi từ lúc xem trước" in text
    assert "Dòng 4: E-mail đã có tài khoản trong hệ thống." in text
    assert (count(User), count(AuthToken), count(RoleAssignment)) == (users, tokens, roles)
    batch = latest_batch()
    assert (batch.status, batch.error_count, batch.issued_codes) == ("preview", 1, None)


def test_a_clash_at_insert_time_rolls_everything_back(as_admin_a, tree, make_user, monkeypatch):
    """An account created between the commit's own check and its insert: nothing is written."""
    upload(as_admin_a, xlsx([person(), person("Lò Văn Sáng", phone="0912000002", email="sang@example.org")]))
    batch_id = latest_batch().id
    make_user(tree.province_a, "Lò Văn Sáng", email="sang@example.org")
    users, tokens = count(User), count(AuthToken)
    real_taken, calls = onboarding._taken, []

    def blind_once(column, values):
        calls.append(column)
        return set() if len(calls) <= 2 else real_taken(column, values)

    monkeypatch.setattr(onboarding, "_taken", blind_once)
    text = page(confirm(as_admin_a, batch_id))
    assert "Chưa có tài khoản nào được tạo." in text
    assert "Dòng 3: E-mail đã có tài khoản trong hệ thống." in text
    assert (count(User), count(AuthToken)) == (users, tokens)
    assert latest_batch().status == "preview"


# --- Who may do what -----------------------------------------------------------------------------

def test_another_admins_batch_is_invisible(client, tree, admin_a, admin_b):
    login(client, admin_a)
    upload(client, xlsx([person()]))
    batch_id = latest_batch().id
    confirm(client, batch_id)
    client.post("/logout")

    login(client, admin_b)
    assert client.get(f"/people/import/{batch_id}").status_code == 404
    assert client.get(f"/people/import/{batch_id}/result").status_code == 404
    assert client.post(f"/people/import/{batch_id}/confirm").status_code == 404
    assert download_codes(client, batch_id).status_code == 404
    assert latest_batch().issued_codes is not None


def test_province_b_admin_cannot_import_into_province_a(client, tree, admin_b):
    login(client, admin_b)
    text = page(upload(client, xlsx([person(unit=GRASSROOTS_A), person("Chau Ra Ni", unit=GRASSROOTS_B,
                                                                        phone="0912000002", email=None)])))
    assert "Dòng 2: Đơn vị “Đoàn xã Bát Xát” nằm ngoài phạm vi bạn quản lý." in text
    assert "Dòng 3:" not in text


def test_a_learner_is_refused_everywhere(client, tree, admin_a, cadre_a):
    login(client, admin_a)
    upload(client, xlsx([person()]))
    batch_id = latest_batch().id
    client.post("/logout")

    login(client, cadre_a)
    assert client.get("/people/import").status_code == 403
    assert upload(client, xlsx([person()])).status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403
    assert client.get(f"/people/import/{batch_id}").status_code == 403
    assert client.post(f"/people/import/{batch_id}/confirm").status_code == 403
    assert client.get(f"/people/import/{batch_id}/result").status_code == 403
    assert download_codes(client, batch_id).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, tree):
    assert "/login" in client.get("/people/import").location


def test_central_admin_imports_into_any_province(client, tree, central_admin):
    login(client, central_admin)
    text = page(upload(client, xlsx([person(unit=GRASSROOTS_A),
                                     person("Chau Ra Ni", unit=GRASSROOTS_B, phone="0912000002", email=None)])))
    assert "Tệp hợp lệ: sẵn sàng tạo 2 tài khoản." in text


# --- The pages around it -------------------------------------------------------------------------

def test_upload_page_explains_the_columns_and_links_the_template(as_admin_a):
    text = page(as_admin_a.get("/people/import"))
    assert 'enctype="multipart/form-data"' in text
    assert 'href="/people/import/template.xlsx"' in text
    for header in HEADERS:
        assert header in text
    assert "Tối đa 10.000 dòng mỗi tệp." in text


def test_template_has_headers_example_and_the_admins_unit_codes(as_admin_a, tree):
    response = as_admin_a.get("/people/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet, lists = workbook.worksheets
    assert [cell.value for cell in sheet[1]] == [*HEADERS, "Vai trò tình nguyện"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "Nguyễn Thị Mai" and sheet["B2"].is_date
    codes = [row[0] for row in lists.iter_rows(min_row=2, values_only=True) if row[0]]
    assert set(codes) == {"DOAN-LCI", GRASSROOTS_A, BRANCH_A}
    values = [row for row in lists.iter_rows(min_row=2, values_only=True)]
    assert [row[3] for row in values if row[3]] == ["Nam", "Nữ", "Khác"]
    assert len([row[4] for row in values if row[4]]) == 54
    assert [row[5] for row in values if row[5]][:2] == ["Bí thư", "Chủ tịch hội"]

    text = page(upload(as_admin_a, response.data, "mau.xlsx"))
    assert "Dòng 2: Đây là dòng ví dụ của tệp mẫu; hãy xóa dòng này." in text


def test_recent_batches_are_listed_on_the_upload_page(as_admin_a):
    upload(as_admin_a, xlsx([person()]), "dot-1.xlsx")
    confirm(as_admin_a, latest_batch().id)
    upload(as_admin_a, xlsx([person("", phone="0912000009", email=None)]), "dot-2.xlsx")
    text = page(as_admin_a.get("/people/import"))
    assert "dot-1.xlsx" in text and "Đã tạo 1 tài khoản" in text
    assert "dot-2.xlsx" in text and "1 dòng lỗi, chưa nhập" in text


# --- Volume --------------------------------------------------------------------------------------

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Giàng", "Lò", "Sùng", "Chau"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Thu", "A"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hòa", "Lan", "Páo", "Sáng", "Xuân", "Yến", "Ánh"]


def test_five_thousand_rows_are_imported(as_admin_a, tree):
    first_day = date(1985, 1, 1)
    rows = [[f"{FAMILY[i % 12]} {MIDDLE[i // 12 % 6]} {GIVEN[i // 72 % 12]}", first_day + timedelta(days=i),
             "Nữ" if i % 2 else "Nam", ["Kinh", "Mông", "Tày", "Thái", "Khmer"][i % 5],
             f"091{i:07d}" if i % 3 else None, f"cb{i}@example.org" if i % 3 != 1 else None,
             [GRASSROOTS_A, BRANCH_A][i % 2], "Đoàn viên"] for i in range(5000)]
    users, roles = count(User), count(RoleAssignment)
    text = page(upload(as_admin_a, xlsx(rows), "5000.xlsx"))
    assert "Tệp hợp lệ: sẵn sàng tạo 5000 tài khoản." in text
    assert "Đã tạo 5000 tài khoản cán bộ." in page(confirm(as_admin_a, latest_batch().id))
    assert count(User) == users + 5000
    assert count(RoleAssignment) == roles + 5000
    assert count(AuthToken) == 5000
    learners_in_branch = db.session.scalar(select(func.count()).select_from(RoleAssignment).where(
        RoleAssignment.role == Role.LEARNER.value, RoleAssignment.unit_id == tree.branch_a.id))
    assert learners_in_branch == 2500
    assert len(codes_by_email(download_codes(as_admin_a, latest_batch().id))) == 5000


def test_capitalised_names_are_tidied_but_others_kept(app_ctx):
    assert onboarding.check_row(2, {"full_name": "NÉANG SA RÂY"})["data"]["full_name"] == "Néang Sa Rây"
    assert onboarding.check_row(2, {"full_name": "Y-Moan ÊBAN"})["data"]["full_name"] == "Y-Moan ÊBAN"


def test_existing_account_checks_do_not_query_once_per_row(app, tree, admin_a, make_user):
    make_user(tree.grassroots_a, "Vàng Thị Dợ", email="do@example.org", date_of_birth=date(1997, 4, 5))
    rows = [onboarding.check_row(i + 2, dict(zip(
        ["full_name", "date_of_birth", "phone", "email", "unit_code"],
        [f"Cán Bộ Số {i}", date(1990, 1, 1) + timedelta(days=i), f"091{i:07d}", f"cb{i}@example.org",
         GRASSROOTS_A]))) for i in range(1200)]
    rows.append(onboarding.check_row(1202, {"full_name": "Vàng Thị Dợ", "date_of_birth": "05/04/1997",
                                            "email": "DO@example.org", "unit_code": GRASSROOTS_A}))
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        onboarding.check_database(rows, admin_a)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) <= 15, "a handful of IN queries in chunks, whatever the number of rows"
    assert [e["code"] for e in rows[-1]["errors"]] == ["email_taken", "person_exists"]


def test_a_name_must_start_with_a_letter(app_ctx):
    row = onboarding.check_row(2, {"full_name": '=HYPERLINK("http://x","Bấm")', "email": "x@example.org",
                                   "unit_code": GRASSROOTS_A})
    assert onboarding.describe(row["errors"][0]).startswith("Họ và tên “=HYPERLINK(")


def test_code_sheet_never_turns_text_into_formulas(app):
    entry = {"full_name": "=1+1", "unit": "=Đơn vị", "email": "a@example.org", "phone": None,
             "code": "ABCDEFGH23", "expires_at": "2030-01-01T00:00:00"}
    with app.test_request_context():
        sheet = load_workbook(io.BytesIO(onboarding.code_sheet([entry], "https://lms.test/login"))).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["B2"].data_type) == ("=1+1", "s", "s")


def test_the_optional_volunteer_role_column_is_read_and_checked(as_admin_a):
    headers = [*HEADERS, "Vai trò tình nguyện"]
    rows = [[*person(), "điều phối viên"],
            [*person("Lò Thị Sa", phone="0912000002", email="sa@example.org"), "Chủ nhiệm CLB"],
            [*person("Hà Văn Tú", phone="0912000003", email="tu@example.org"), ""]]
    upload(as_admin_a, xlsx(rows, headers=headers))
    confirm(as_admin_a, latest_batch().id)
    roles = dict(db.session.execute(select(User.email, User.volunteer_role).where(User.email.like("%@example.org"))).all())
    assert (roles["binh@example.org"], roles["sa@example.org"], roles["tu@example.org"]) == (
        "coordinator", "team_leader", None)

    bad = [[*person("Vừ A Dính", phone="0912000009", email="dinh@example.org"), "Thủ quỹ"]]
    text = page(upload(as_admin_a, xlsx(bad, headers=headers)))
    assert "Vai trò tình nguyện “Thủ quỹ” không hợp lệ" in text
    assert db.session.scalar(select(User).where(User.email == "dinh@example.org")) is None
