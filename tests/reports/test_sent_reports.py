"""Yearly reports sent up: a unit's admin sends the signed report (a real PDF or DOCX) from the unit's
dashboard; the level above sees, unit by unit, who has sent theirs and reads the files; a bad file, a
missing CSRF token or a unit outside the sender's scope changes nothing."""
import io
import re

import pytest
from sqlalchemy import distinct, func, select

from lms.assessments.models import EvidenceFile
from lms.auth.permissions import Role
from lms.db import db
from lms.orgs.models import Unit
from lms.reports import sending
from lms.reports.models import SentReport
from tests.conftest import count, sign_in_as, text

YEAR = 2026
# The smallest files whose content is what their name says.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(client, unit, data: bytes = PDF, name: str = "bao-cao-nam-2026-DOAN-LCI.pdf", note: str = "",
         year: int = YEAR):
    return client.post(f"/reports/yearly/send?unit={unit.id}&year={year}",
                       data={"file": (io.BytesIO(data), name), "note": note}, content_type="multipart/form-data")


def dashboard(client, unit, year: int = YEAR) -> str:
    return text(client.get(f"/reports/?unit={unit.id}&year={year}"))


def sent_panel(page: str) -> str:
    """The dashboard's section on reports sent up, its markup taken out."""
    section = page[page.index('id="bao-cao-gui-len"'):]
    return re.sub(r"<[^>]+>", " ", section[:section.index("</section>")])


def flat(words: str) -> str:
    return " ".join(words.split())


def test_a_province_sends_its_signed_report_and_the_centre_sees_it(client, tree, admin_a, central_admin):
    sign_in_as(client, admin_a)
    assert "Tỉnh đoàn Lào Cai chưa gửi báo cáo năm 2026 lên Trung ương Đoàn TNCS Hồ Chí Minh." in \
        dashboard(client, tree.province_a)
    response = send(client, tree.province_a, note="Bản đã ký của Ban Thường vụ.")
    assert response.status_code == 302 and response.headers["Location"].endswith("#bao-cao-gui-len")
    page = text(client.get(response.headers["Location"]))
    assert "Đã gửi báo cáo năm 2026 của Tỉnh đoàn Lào Cai lên Trung ương Đoàn TNCS Hồ Chí Minh." in page
    assert "Đã gửi lên Trung ương Đoàn TNCS Hồ Chí Minh lúc" in page and "người gửi Trần Văn Hùng" in page
    assert "bao-cao-nam-2026-DOAN-LCI.pdf" in page and "Ghi chú: Bản đã ký của Ban Thường vụ." in page
    sent = db.session.scalar(select(SentReport))
    assert (sent.unit_id, sent.year, sent.sent_by_id, sent.file.content_type) == \
        (tree.province_a.id, YEAR, admin_a.id, "application/pdf")

    sign_in_as(client, central_admin)
    page = dashboard(client, tree.central)
    # Two provinces under the centre, counted one by one: Lào Cai has sent, An Giang has not.
    assert "1 trên 2 đơn vị trực thuộc đã gửi báo cáo năm 2026." in page
    panel = flat(sent_panel(page))
    assert re.search(r"Tỉnh đoàn An Giang .*Chưa gửi .*Tỉnh đoàn Lào Cai \d\d:\d\d, \d\d/\d\d/2026 Trần Văn Hùng "
                     r"bao-cao-nam-2026-DOAN-LCI\.pdf", panel)
    file = client.get(f"/reports/yearly/sent/{sent.id}")
    assert file.status_code == 200 and file.data == PDF and file.mimetype == "application/pdf"
    assert 'filename=bao-cao-nam-2026-DOAN-LCI.pdf' in file.headers["Content-Disposition"]
    assert file.headers["Cache-Control"] == "private, no-store"
    # The centre has no level above it: nothing to send from its own dashboard.
    assert 'action="/reports/yearly/send' not in page


def test_the_children_table_counts_against_a_direct_count(client, tree, admin_a, admin_b, central_admin):
    sign_in_as(client, admin_a)
    send(client, tree.province_a)
    send(client, tree.province_a, name="ban-sua.pdf")  # sent twice: still one unit that has sent
    send(client, tree.grassroots_a)  # not directly under the centre
    sign_in_as(client, admin_b)
    send(client, tree.province_b, year=YEAR - 1)  # another year's report does not count for this one
    with client.application.test_request_context():
        children = sending.children_reports(tree.central, YEAR)
    assert [(child.unit.code, child.latest is not None, child.times) for child in children] == \
        [("DOAN-AGG", False, 0), ("DOAN-LCI", True, 2)]
    # Counted one by one: the open units directly under the centre, and those of them that sent this year's.
    under = select(Unit.id).where(Unit.parent_id == tree.central.id, Unit.closed_at.is_(None))
    total = count(Unit, Unit.id.in_(under))
    sent = db.session.scalar(select(func.count(distinct(SentReport.unit_id)))
                             .where(SentReport.year == YEAR, SentReport.unit_id.in_(under)))
    assert (sent, total) == (1, 2)
    sign_in_as(client, central_admin)
    assert f"{sent} trên {total} đơn vị trực thuộc đã gửi báo cáo năm 2026." in dashboard(client, tree.central)
    assert "(lần 2)" in dashboard(client, tree.central)
    assert "1 trên 2 đơn vị trực thuộc đã gửi báo cáo năm 2025." in dashboard(client, tree.central, YEAR - 1)


def test_a_corrected_report_replaces_the_one_that_counts(client, tree, admin_a):
    sign_in_as(client, admin_a)
    send(client, tree.province_a, name="ban-dau.pdf")
    send(client, tree.province_a, name="ban-sua.pdf")
    page = dashboard(client, tree.province_a)
    assert page.index("ban-sua.pdf") < page.index("ban-dau.pdf")  # the latest first, the earlier one kept
    assert "Các bản gửi trước (1)" in page and "Gửi bản mới thay bản đã gửi" in page
    assert count(SentReport) == 2


@pytest.mark.parametrize("data, name, message", [
    (b"", "bao-cao.pdf", "Tệp “bao-cao.pdf” trống."),
    (b"Day khong phai PDF", "bao-cao.pdf", "Tệp “bao-cao.pdf” không phải là tệp PDF, DOCX hợp lệ."),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "anh-chup.jpg",
     "Tệp “anh-chup.jpg” không phải là tệp PDF, DOCX hợp lệ."),
    (PDF, "bao-cao.docx", "Tệp “bao-cao.docx” không phải là tệp PDF, DOCX hợp lệ."),
])
def test_a_file_that_is_not_a_real_report_is_refused(client, tree, admin_a, data, name, message):
    sign_in_as(client, admin_a)
    response = send(client, tree.province_a, data=data, name=name)
    assert response.status_code == 302
    assert message in dashboard(client, tree.province_a)
    assert count(SentReport) == 0 and count(EvidenceFile) == 0


def test_no_file_and_a_long_note_are_refused(client, tree, admin_a):
    sign_in_as(client, admin_a)
    client.post(f"/reports/yearly/send?unit={tree.province_a.id}&year={YEAR}", data={"note": "Gửi"})
    assert "Hãy chọn tệp báo cáo năm đã ký (PDF, DOCX)." in dashboard(client, tree.province_a)
    send(client, tree.province_a, note="x" * 501)
    assert "Ghi chú tối đa 500 ký tự." in dashboard(client, tree.province_a)
    assert count(SentReport) == 0 and count(EvidenceFile) == 0


def test_the_top_unit_has_nobody_to_send_to(client, tree, central_admin):
    sign_in_as(client, central_admin)
    send(client, tree.central)
    assert "không có cấp trên để gửi báo cáo" in dashboard(client, tree.central)
    assert count(SentReport) == 0


def test_scope_of_sending_and_of_reading(client, tree, admin_a, admin_b, cadre_a, make_user):
    sign_in_as(client, admin_b)
    send(client, tree.province_b)
    sent_b = db.session.scalar(select(SentReport))
    sign_in_as(client, admin_a)
    assert send(client, tree.province_b).status_code == 403
    assert send(client, tree.central).status_code == 403
    assert client.get(f"/reports/yearly/sent/{sent_b.id}").status_code == 403
    assert client.get("/reports/yearly/sent/999999").status_code == 404
    assert send(client, tree.branch_a).status_code == 302  # a unit under the admin's province
    reviewer = make_user(tree.province_b, "Hồ Thị Thu", roles=[(Role.REVIEWER, tree.province_b)])
    sign_in_as(client, reviewer)
    assert client.get(f"/reports/yearly/sent/{sent_b.id}").status_code == 200  # reads the province's reports
    assert send(client, tree.province_b).status_code == 403  # but does not send them
    assert 'action="/reports/yearly/send' not in dashboard(client, tree.province_b)
    sign_in_as(client, cadre_a)
    assert send(client, tree.grassroots_a).status_code == 403
    assert count(SentReport) == 2


def test_sending_needs_the_csrf_token(client, tree, admin_a):
    sign_in_as(client, admin_a)
    client.application.config["WTF_CSRF_ENABLED"] = True  # the suite's client leaves it off
    assert send(client, tree.province_a).status_code == 400
    assert count(SentReport) == 0


def test_a_top_unit_with_no_units_under_it_has_no_section_on_reports_sent_up(client, tree, make_user):
    alone = Unit(organisation_id=tree.central.organisation_id, level_id=tree.central.level_id, code="DOAN-MOI",
                 name="Đơn vị mới thành lập")
    db.session.add(alone)
    db.session.flush()
    alone.path = f"/{alone.id}/"
    db.session.commit()
    admin = make_user(alone, "Đỗ Văn Mới", roles=[(Role.CENTRAL_ADMIN, alone)])
    sign_in_as(client, admin)
    page = dashboard(client, alone)
    assert "Báo cáo năm 2026: Đơn vị mới thành lập" in page
    assert 'id="bao-cao-gui-len"' not in page
