"""Yearly reports sent up: a unit's admin sends the signed report (a real PDF or DOCX) from the unit's
dashboard; the level above is told by e-mail, sees unit by unit who has sent theirs, in time or late,
reads the files, and reminds the units that have not sent; a bad file, a missing CSRF token or a unit
outside the sender's scope changes nothing."""
import io
import re
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import delete, distinct, func, select, update

from lms.assessments.models import EvidenceFile
from lms.auth.permissions import Role
from lms.db import db
from lms.orgs.models import Unit
from lms.orgs.services import create_unit
from lms.reports import sending, yearly
from lms.reports.models import ReportDeadline, ReportReminder, SentReport
from lms.reports.exports import XLSX_MIMETYPE
from tests.conftest import count, outbox, sign_in_as, text
from tests.reports.test_api import bearer

YEAR = 2026
TODAY = date(2026, 11, 20)  # in Vietnam: the tests run on this day, in 2026's reporting season


@pytest.fixture(autouse=True)
def during_the_season():
    with time_machine.travel(datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)):  # 09:00 in Vietnam
        yield
# The smallest files whose content is what their name says.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(client, unit, data: bytes = PDF, name: str = "bao-cao-nam-2026-DOAN-LCI.pdf", note: str = "",
         year: int = YEAR):
    """`unit`'s report of `year` sent from its dashboard: today, or for a year whose reporting season is over
    on 10 January of the year after, while it lasted."""
    in_its_season = isinstance(year, int) and year < YEAR
    with still_signed_in_on(client, datetime(year + 1, 1, 10, 2, 0)) if in_its_season else nullcontext():
        return send_today(client, unit, data, name, note, year)


@contextmanager
def still_signed_in_on(client, when: datetime):
    """Travel back to `when` (UTC) and home again with the client's session, signed again at each end: a
    session signed later reads as forged, and one signed long before has expired."""
    with client.session_transaction() as session:
        kept = dict(session)
    with time_machine.travel(when.replace(tzinfo=timezone.utc)):
        with client.session_transaction() as session:
            session.update(kept)
        yield
        with client.session_transaction() as session:
            kept = dict(session)
    with client.session_transaction() as session:
        session.update(kept)


def send_today(client, unit, data: bytes = PDF, name: str = "bao-cao-nam-2026-DOAN-LCI.pdf", note: str = "",
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
    # The message is where the page opens: in the section, once.
    done = "Đã gửi báo cáo năm 2026 của Tỉnh đoàn Lào Cai lên Trung ương Đoàn TNCS Hồ Chí Minh."
    assert done in sent_panel(page) and page.count(done) == 1
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
    assert re.search(r"Tỉnh đoàn An Giang Chưa gửi .*Tỉnh đoàn Lào Cai Đã gửi đúng hạn 09:\d\d, 20/11/2026 "
                     r"Trần Văn Hùng bao-cao-nam-2026-DOAN-LCI\.pdf Ghi chú: Bản đã ký của Ban Thường vụ\.", panel)
    # The centre sends nothing up: its section is about the reports it receives, listed folded while none is late.
    assert "Báo cáo năm 2026 các đơn vị trực thuộc gửi lên" in panel and "<details>" in page
    file = client.get(f"/reports/yearly/sent/{sent.id}")
    assert file.status_code == 200 and file.data == PDF and file.mimetype == "application/pdf"
    assert 'filename=bao-cao-nam-2026-DOAN-LCI.pdf' in file.headers["Content-Disposition"]
    assert file.headers["Cache-Control"] == "private, no-store"
    # The centre has no level above it: nothing to send from its own dashboard.
    assert 'action="/reports/yearly/send' not in page
    # In English, a report is sent (not submitted, as forms are), by whom.
    client.post("/lang/en", data={"next": "/"})
    panel = flat(sent_panel(dashboard(client, tree.central)))
    assert re.search(r"Tỉnh đoàn An Giang Not sent .*Tỉnh đoàn Lào Cai Sent in time 09:\d\d, 20/11/2026 ", panel)
    assert "Sent by" in panel and "Submitted" not in panel


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
    (b"Day khong phai PDF", "bao-cao.pdf", "Tệp “bao-cao.pdf” không phải là tệp PDF hoặc DOCX hợp lệ."),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "anh-chup.jpg",
     "Tệp “anh-chup.jpg” không phải là tệp PDF hoặc DOCX hợp lệ."),
    (PDF, "bao-cao.docx", "Tệp “bao-cao.docx” không phải là tệp PDF hoặc DOCX hợp lệ."),
])
def test_a_file_that_is_not_a_real_report_is_refused(client, tree, admin_a, data, name, message):
    sign_in_as(client, admin_a)
    response = send(client, tree.province_a, data=data, name=name)
    assert response.status_code == 302
    assert message in dashboard(client, tree.province_a)
    assert count(SentReport) == 0 and count(EvidenceFile) == 0


def test_a_scanned_report_may_run_to_twenty_megabytes(client, tree, admin_a):
    sign_in_as(client, admin_a)
    scan = PDF + b"%" + b"0" * (12 * 1024 * 1024)  # more than any other form takes
    assert send(client, tree.province_a, data=scan).status_code == 302
    assert db.session.scalar(select(EvidenceFile.size)) == len(scan)
    too_large = send(client, tree.province_a, data=PDF + b"%" + b"0" * (20 * 1024 * 1024), name="ban-quet.pdf")
    assert "Tệp “ban-quet.pdf” lớn hơn 20 MB." in text(client.get(too_large.headers["Location"]))
    # Past the form's limit, the request is refused before it is read.
    refused = send(client, tree.province_a, data=PDF + b"%" + b"0" * (22 * 1024 * 1024))
    assert refused.status_code == 413
    assert "Tệp tải lên vượt quá 20 MB. Hãy giảm dung lượng tệp" in text(refused)
    assert count(SentReport) == 1 and count(EvidenceFile) == 1
    # The page leads back to the dashboard the file was chosen on, never to another site.
    for referrer, back in ((f"http://lms.test/reports/?unit={tree.province_a.id}&year={YEAR}",
                            f'href="/reports/?unit={tree.province_a.id}&amp;year={YEAR}">Quay lại trang trước</a>'),
                           ("https://elsewhere.example/reports/", None)):
        page = text(client.post(f"/reports/yearly/send?unit={tree.province_a.id}&year={YEAR}",
                                data={"file": (io.BytesIO(b"0" * (22 * 1024 * 1024)), "ban-quet.pdf")},
                                content_type="multipart/form-data", headers={"Referer": referrer}))
        assert (back in page) if back else ("Quay lại trang trước" not in page and "elsewhere" not in page)
    # Every other form keeps the general limit.
    other = client.post("/people/import", data={"file": (io.BytesIO(b"0" * (11 * 1024 * 1024)), "ds.xlsx")},
                        content_type="multipart/form-data")
    assert other.status_code == 413 and "Tệp tải lên vượt quá 10 MB." in text(other)


def test_no_file_and_a_long_note_are_refused(client, tree, admin_a):
    sign_in_as(client, admin_a)
    client.post(f"/reports/yearly/send?unit={tree.province_a.id}&year={YEAR}", data={"note": "Gửi"})
    assert "Hãy chọn tệp báo cáo năm đã ký (PDF hoặc DOCX)." in dashboard(client, tree.province_a)
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
    # A unit under the admin's province: its report is for its own admins to send, not the level above's.
    assert "Gửi báo cáo lên cấp trên" not in dashboard(client, tree.branch_a)
    refused = send(client, tree.branch_a)
    assert "Chỉ quản trị viên của chính Chi đoàn thôn Bản Vai gửi báo cáo năm của đơn vị lên cấp trên." in \
        text(client.get(refused.headers["Location"]))
    assert count(SentReport) == 1
    branch_admin = make_user(tree.branch_a, "Lù Thị Mai", roles=[(Role.UNIT_ADMIN, tree.branch_a)])
    sign_in_as(client, branch_admin)
    assert "Gửi báo cáo lên cấp trên" in dashboard(client, tree.branch_a)
    assert send(client, tree.branch_a).status_code == 302
    reviewer = make_user(tree.province_b, "Hồ Thị Thu", roles=[(Role.REVIEWER, tree.province_b)])
    sign_in_as(client, reviewer)
    assert client.get(f"/reports/yearly/sent/{sent_b.id}").status_code == 200  # reads the province's reports
    assert send(client, tree.province_b).status_code == 403  # but does not send them
    assert 'action="/reports/yearly/send' not in dashboard(client, tree.province_b)
    sign_in_as(client, cadre_a)
    assert send(client, tree.grassroots_a).status_code == 403
    assert count(SentReport) == 2


def test_a_sent_file_has_one_address(client, tree, admin_a, central_admin):
    sign_in_as(client, admin_a)
    send(client, tree.province_a)
    sent = db.session.scalar(select(SentReport))
    sign_in_as(client, central_admin)
    assert client.get(f"/reports/yearly/sent/{sent.id}").data == PDF
    other_digits = str(sent.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for address in (f"/reports/yearly/sent/0{sent.id}", f"/reports/yearly/sent/{other_digits}"):
        response = client.get(address)
        assert response.status_code == 404 and "Không tìm thấy trang" in text(response), address


def test_a_report_is_sent_until_its_season_ends_and_not_after(client, tree, admin_a):
    """2025's reporting season ended on 31/03/2026: the tests run on 20/11/2026."""
    sign_in_as(client, admin_a)
    assert 'action="/reports/yearly/send' in dashboard(client, tree.province_a, YEAR)
    assert "Mùa báo cáo năm 2026 đã kết thúc" not in dashboard(client, tree.province_a, YEAR)
    for year in (YEAR - 1, 2000):
        page = dashboard(client, tree.province_a, year)
        assert 'action="/reports/yearly/send' not in page
        assert (f"Mùa báo cáo năm {year} đã kết thúc ngày 31/03/{year + 1}: báo cáo năm này không còn gửi, nhắc gửi "
                "hay đổi hạn được nữa.") in flat(sent_panel(page))
        send_today(client, tree.province_a, year=year)
        assert (f"Mùa báo cáo năm {year} đã kết thúc ngày 31/03/{year + 1}; không gửi báo cáo năm này được nữa."
                in flat(sent_panel(dashboard(client, tree.province_a, year))))
    assert (count(SentReport), count(EvidenceFile)) == (0, 0)
    # Its last day (in Vietnam) it still takes one.
    with still_signed_in_on(client, datetime(YEAR, 3, 31, 16, 59)):  # 23:59 in Vietnam
        assert send_today(client, tree.province_a, year=YEAR - 1).status_code == 302
    with still_signed_in_on(client, datetime(YEAR, 3, 31, 17, 0)):
        send_today(client, tree.province_a, year=YEAR - 1)
    assert count(SentReport) == 1


def test_the_sender_is_told_whom_at_the_level_above_the_email_did_not_reach(client, tree, admin_a, central_admin,
                                                                          make_user, smtp_server):
    reviewer = make_user(tree.central, "Vũ Thị Lan", roles=[(Role.REVIEWER, tree.central)], email="lan@example.org")
    sign_in_as(client, admin_a)
    mail_server_down(client.application)
    send(client, tree.province_a)
    assert ("Đã gửi báo cáo năm 2026 của Tỉnh đoàn Lào Cai lên Trung ương Đoàn TNCS Hồ Chí Minh. Máy chủ thư chưa "
            "gửi được e-mail báo tin tới Phạm Quốc Bảo, Vũ Thị Lan (Trung ương Đoàn TNCS Hồ Chí Minh); hãy báo trực "
            "tiếp cho họ.") in flat(sent_panel(dashboard(client, tree.province_a)))
    assert count(SentReport) == 1  # sent all the same
    recorder = smtp_server(refusing=(reviewer.email,))
    send(client, tree.province_a, name="ban-sua.pdf")
    assert recorder.recipients == [central_admin.email]
    panel = flat(sent_panel(dashboard(client, tree.province_a)))
    assert ("Máy chủ thư từ chối địa chỉ e-mail của Vũ Thị Lan (Trung ương Đoàn TNCS Hồ Chí Minh) nên họ chưa nhận "
            "được tin báo.") in panel and "chưa gửi được" not in panel


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


# --- In time, late, overdue -------------------------------------------------------------------------

def sent_at(unit, when: datetime) -> None:
    """Date the unit's latest report back to `when` (UTC, as the database keeps it)."""
    latest = db.session.scalar(select(SentReport).where(SentReport.unit_id == unit.id)
                               .order_by(SentReport.id.desc()).limit(1))
    latest.sent_at = when
    db.session.commit()


def sent_on(client, admin, unit, when: datetime, year: int = YEAR - 1) -> None:
    """`admin` sends `unit`'s report of `year`, dated back to `when` (UTC)."""
    sign_in_as(client, admin)
    send(client, unit, year=year)
    sent_at(unit, when)


def statuses(client, parent, year: int) -> dict[str, str]:
    with client.application.test_request_context():
        return {child.unit.code: child.status_label for child in sending.children_reports(parent, year)}


def test_in_time_means_the_first_version_arrived_before_the_due_day_ended_in_vietnam(client, tree, admin_a,
                                                                                     admin_b, central_admin):
    """2025's reports were due on 15/12/2025 (the default): a day that ends at 17:00 UTC in Hà Nội."""
    year = YEAR - 1
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    sent_at(tree.province_a, datetime(2025, 12, 15, 16, 59))  # 23:59 on the due day, Vietnam time
    send(client, tree.province_a, name="ban-sua.pdf", year=year)  # a correction weeks later
    sent_at(tree.province_a, datetime(2026, 1, 10, 2, 0))
    sign_in_as(client, admin_b)
    send(client, tree.province_b, year=year)
    sent_at(tree.province_b, datetime(2025, 12, 15, 17, 0))  # 00:00 the day after
    assert statuses(client, tree.central, year) == {"DOAN-AGG": "Gửi muộn", "DOAN-LCI": "Đã gửi đúng hạn"}
    assert statuses(client, tree.central, year - 1) == {"DOAN-AGG": "Quá hạn, chưa gửi",
                                                         "DOAN-LCI": "Quá hạn, chưa gửi"}
    sign_in_as(client, central_admin)
    assert "<details open>" in dashboard(client, tree.central, year - 1)  # units overdue: listed unfolded
    page = flat(sent_panel(dashboard(client, tree.province_b, year)))
    assert "Hạn gửi: ngày 15/12/2025. Gửi muộn Đã gửi lên Trung ương Đoàn TNCS Hồ Chí Minh lúc 00:00, 16/12/2025" \
        in page


def test_the_yearly_report_of_the_level_above_counts_the_reports_received(client, tree, admin_a, admin_b):
    year = YEAR - 1
    sent_on(client, admin_a, tree.province_a, datetime(2025, 12, 1, 2, 0))
    sent_on(client, admin_b, tree.province_b, datetime(2025, 12, 20, 2, 0))
    send(client, tree.province_b, year=year - 1)  # another year's report is not counted
    with client.application.test_request_context():
        lines = yearly.outline(yearly.build(tree.central, year))[0].lines
        assert "Báo cáo năm 2025 của các đơn vị trực tiếp: đã nhận 2 trên 2 báo cáo (1 đúng hạn, 1 gửi muộn)." in lines
        lines = yearly.outline(yearly.build(tree.central, year - 1))[0].lines
        assert "Báo cáo năm 2024 của các đơn vị trực tiếp: đã nhận 1 trên 2 báo cáo (0 đúng hạn, 1 gửi muộn)." in lines


def test_the_due_day_is_set_for_the_installation(client, tree, admin_a):
    client.application.config["LMS_YEARLY_REPORT_DUE"] = (12, 31)
    year = YEAR
    sign_in_as(client, admin_a)
    page = flat(sent_panel(dashboard(client, tree.province_a, year)))
    assert f"Hạn gửi: ngày 31/12/{year}. Chưa gửi Tỉnh đoàn Lào Cai chưa gửi báo cáo năm {year}" in page
    client.application.config["LMS_YEARLY_REPORT_DUE"] = (1, 31)
    page = flat(sent_panel(dashboard(client, tree.province_a, year - 1)))
    assert f"Hạn gửi: ngày 31/01/{year - 1}. Quá hạn, chưa gửi" in page


def test_the_table_of_reports_sent_up_downloads_and_reads_through_the_api(client, tree, admin_a, central_admin):
    year = YEAR - 1
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year, note="Bản đã ký.")
    sent_at(tree.province_a, datetime(2025, 12, 1, 3, 0))
    send(client, tree.province_a, year=year)
    sent_at(tree.province_a, datetime(2025, 12, 10, 3, 0))
    sign_in_as(client, central_admin)
    csv = client.get(f"/reports/sent.csv?unit={tree.central.id}&year={year}")
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == ("Đơn vị,Tình trạng,Ngày gửi bản đầu tiên,Ngày gửi bản mới nhất,Người gửi,Số lần gửi,"
                        "Tệp đã gửi,Ghi chú")
    # In time by its first version; the note is the latest version's, which has none.
    assert lines[1:] == ["Tỉnh đoàn An Giang,\"Quá hạn, chưa gửi\",,,,0,,",
                         "Tỉnh đoàn Lào Cai,Đã gửi đúng hạn,01/12/2025,10/12/2025,Trần Văn Hùng,2,"
                         "bao-cao-nam-2026-DOAN-LCI.pdf,"]
    workbook = client.get(f"/reports/sent.xlsx?unit={tree.central.id}&year={year}")
    assert workbook.status_code == 200 and workbook.mimetype == XLSX_MIMETYPE
    answer = client.get(f"/api/v1/units/{tree.central.id}/reports/sent?year={year}", headers=bearer(central_admin))
    assert answer.status_code == 200
    assert [(row["unit"], row["status"], row["sent_on"], row["versions"]) for row in answer.json["rows"]] == \
        [("Tỉnh đoàn An Giang", "Quá hạn, chưa gửi", None, 0),
         ("Tỉnh đoàn Lào Cai", "Đã gửi đúng hạn", "2025-12-10", 2)]
    assert answer.json["row_units"] == [tree.province_b.id, tree.province_a.id]
    # A province reads the table of its own units, never the centre's.
    forbidden = client.get(f"/api/v1/units/{tree.central.id}/reports/sent?year={year}", headers=bearer(admin_a))
    assert forbidden.status_code == 403
    sign_in_as(client, admin_a)
    assert client.get(f"/reports/sent.csv?unit={tree.central.id}&year={year}").status_code == 403


def test_the_api_gives_each_status_as_a_code_beside_its_label(client, tree, admin_a, admin_b, central_admin):
    """2025's reports: Lào Cai's in time, An Giang's late, Hà Nội's not sent and past its day; 2026's: not sent
    yet, the day still to come. The files for people show the label only."""
    create_unit(parent=tree.central, level=tree.province_a.level, code="DOAN-HNI", name="Thành đoàn Hà Nội")
    db.session.commit()
    sent_on(client, admin_a, tree.province_a, datetime(2025, 12, 1, 3, 0))
    sent_on(client, admin_b, tree.province_b, datetime(2026, 1, 5, 3, 0))
    headers = bearer(central_admin)

    def statuses_read_through_the_api(year: int) -> dict[str, tuple[str, str]]:
        body = client.get(f"/api/v1/units/{tree.central.id}/reports/sent?year={year}", headers=headers).json
        assert {"key": "status_code", "label": "Mã tình trạng", "kind": "code"} in body["columns"]
        return {row["unit"]: (row["status"], row["status_code"]) for row in body["rows"]}

    assert statuses_read_through_the_api(YEAR - 1) == {
        "Tỉnh đoàn Lào Cai": ("Đã gửi đúng hạn", "sent_in_time"), "Tỉnh đoàn An Giang": ("Gửi muộn", "sent_late"),
        "Thành đoàn Hà Nội": ("Quá hạn, chưa gửi", "overdue")}
    assert set(statuses_read_through_the_api(YEAR).values()) == {("Chưa gửi", "not_sent")}
    document = client.get("/api/v1/openapi.json").json
    rows = document["components"]["schemas"]["ReportTable"]["properties"]["rows"]
    assert rows["items"]["properties"]["status_code"]["enum"] == ["sent_in_time", "sent_late", "not_sent", "overdue"]
    sign_in_as(client, central_admin)
    csv = client.get(f"/reports/sent.csv?unit={tree.central.id}&year={YEAR - 1}").get_data(as_text=True)
    assert "Mã tình trạng" not in csv and "sent_in_time" not in csv and "Đã gửi đúng hạn" in csv


def test_the_levels_table_counts_who_has_sent_at_each_level(client, tree, admin_a, central_admin, make_user):
    year = YEAR - 1
    closed = create_unit(parent=tree.province_b, level=tree.grassroots_b.level, code="DOAN-AGG-CU", name="Đoàn xã Cũ")
    create_unit(parent=tree.province_b, level=tree.grassroots_b.level, code="DOAN-AGG-MOI", name="Đoàn xã Mới")
    batxat_admin = make_user(tree.grassroots_a, "Lò Văn Sáng", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)],
                             email="sang@example.org")
    db.session.commit()
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    send(client, tree.province_a, year=year)  # a corrected version: still one unit
    send(client, tree.province_a, year=year - 1)  # another year's
    sign_in_as(client, batxat_admin)
    send(client, tree.grassroots_a, year=year)
    closed.closed_at = datetime(2025, 6, 1)
    db.session.commit()

    def direct_count(node):
        """(units, sent) per level, counted one unit at a time."""
        counted = {}
        for unit in db.session.scalars(select(Unit).where(Unit.path.startswith(node.path), Unit.id != node.id,
                                                          Unit.closed_at.is_(None))):
            has_sent = db.session.scalar(select(func.count()).where(SentReport.unit_id == unit.id,
                                                                     SentReport.year == year)) > 0
            units, sent = counted.get(unit.level.name, (0, 0))
            counted[unit.level.name] = (units + 1, sent + has_sent)
        return counted

    sign_in_as(client, central_admin)
    answer = client.get(f"/api/v1/units/{tree.central.id}/reports/sent_levels?year={year}",
                        headers=bearer(central_admin))
    rows = [(row["level"], row["units"], row["sent"], row["not_sent"], row["sent_pct"]) for row in answer.json["rows"]]
    assert rows == [("Tỉnh / thành phố", 2, 1, 1, 50.0), ("Cơ sở", 3, 1, 2, 33.3), ("Chi đoàn / chi hội", 2, 0, 2, 0.0)]
    assert {level: (units, sent) for level, units, sent, _, _ in rows} == direct_count(tree.central)
    panel = flat(sent_panel(dashboard(client, tree.central, year)))
    assert "Báo cáo năm 2025 gửi lên, theo cấp Cấp Đơn vị đang hoạt động Đã gửi lên cấp trên Chưa gửi Tỉ lệ đã gửi " \
        "Tỉnh / thành phố 2 1 1 50,0% Cơ sở 3 1 2 33,3% Chi đoàn / chi hội 2 0 2 0,0%" in panel
    with client.application.test_request_context():
        lines = yearly.outline(yearly.build(tree.central, year))[0].lines
    assert "Theo cấp, số đơn vị đã gửi báo cáo năm 2025 lên cấp trên trực tiếp: cấp tỉnh / thành phố 1 trên 2 đơn " \
        "vị, cấp cơ sở 1 trên 3 đơn vị và cấp chi đoàn / chi hội 0 trên 2 đơn vị." in lines
    csv = client.get(f"/reports/sent_levels.csv?unit={tree.central.id}&year={year}").get_data(as_text=True)
    assert csv.lstrip("\ufeff").splitlines()[:2] == [
        "Cấp,Đơn vị đang hoạt động,Đã gửi lên cấp trên,Chưa gửi,Tỉ lệ đã gửi", "Tỉnh / thành phố,2,1,1,50.0"]

    sign_in_as(client, admin_a)
    panel = flat(sent_panel(dashboard(client, tree.province_a, year)))
    assert "Cơ sở 1 1 0 100,0% Chi đoàn / chi hội 1 0 1 0,0%" in panel
    assert client.get(f"/reports/sent_levels.csv?unit={tree.central.id}&year={year}").status_code == 403
    # Under Bát Xát there is one level only: its table of units says it all.
    sign_in_as(client, batxat_admin)
    assert "gửi lên, theo cấp" not in dashboard(client, tree.grassroots_a, year)


# --- Telling the level above, and reminding the units below ----------------------------------------------

def test_the_level_above_is_told_by_email_when_a_report_arrives(client, tree, admin_a, central_admin, make_user):
    reviewer = make_user(tree.central, "Vũ Thị Lan", roles=[(Role.REVIEWER, tree.central)], email="lan@example.org")
    make_user(tree.province_b, "Ngô Văn Tài", roles=[(Role.UNIT_ADMIN, tree.province_b)], email="tai@example.org")
    central_admin.locale = "en"
    db.session.commit()
    sign_in_as(client, admin_a)
    send(client, tree.province_a, note="Bản đã ký của Ban Thường vụ.")
    mails = {mail["To"]: mail for mail in outbox(client.application)}
    assert sorted(mails) == [central_admin.email, reviewer.email]  # not the sender, nor another province
    assert mails[central_admin.email]["Subject"] == "Tỉnh đoàn Lào Cai has sent its 2026 yearly report"
    mail = mails[reviewer.email]
    assert mail["Subject"] == "Tỉnh đoàn Lào Cai đã gửi báo cáo năm 2026"
    body = mail.get_content()
    assert "Tỉnh đoàn Lào Cai đã gửi báo cáo năm 2026 lên Trung ương Đoàn TNCS Hồ Chí Minh." in body
    assert "Người gửi: Trần Văn Hùng." in body and "Ghi chú: Bản đã ký của Ban Thường vụ." in body
    assert f"/reports/?unit={tree.central.id}&year=2026#bao-cao-gui-len" in body
    assert "Gửi đúng hạn: hạn là ngày 15/12/2026." in body and "bản sửa" not in body


def test_the_email_on_arrival_says_whether_in_time_and_which_version(client, tree, admin_a, central_admin):
    year = YEAR - 1
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    [mail] = [mail for mail in outbox(client.application) if mail["To"] == central_admin.email]
    assert "Gửi muộn: hạn là ngày 15/12/2025." in mail.get_content()
    sent_at(tree.province_a, datetime(2025, 12, 1, 3, 0))
    send(client, tree.province_a, name="ban-sua.pdf", year=year)
    mail = [mail for mail in outbox(client.application) if mail["To"] == central_admin.email][-1]
    assert "Đây là bản sửa (lần gửi thứ 2), thay bản đã gửi trước; đúng hạn hay muộn tính theo bản gửi đầu " \
        "tiên.\nGửi đúng hạn: hạn là ngày 15/12/2025." in mail.get_content()


def remind(client, unit, year: int):
    return client.post(f"/reports/yearly/remind?unit={unit.id}&year={year}")


def test_the_centre_reminds_the_units_that_have_not_sent(client, tree, admin_a, admin_b, central_admin):
    year = YEAR
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    sign_in_as(client, central_admin)
    before = len(outbox(client.application))
    assert "Nhắc các đơn vị chưa gửi" in dashboard(client, tree.central, year)
    response = remind(client, tree.central, year)
    assert response.status_code == 302 and response.headers["Location"].endswith("#bao-cao-gui-len")
    page = text(client.get(response.headers["Location"]))
    assert "Đã nhắc 1 đơn vị chưa gửi báo cáo năm 2026 (1 người nhận e-mail)." in page
    assert re.search(r"Chưa gửi</span><br><span class=\"muted\">Đã nhắc lúc \d\d:\d\d, \d\d/\d\d/20\d\d", page)
    mails = outbox(client.application)[before:]
    assert [mail["To"] for mail in mails] == [admin_b.email]  # Lào Cai has sent: not reminded
    assert mails[0]["Subject"] == "Nhắc gửi báo cáo năm 2026 của Tỉnh đoàn An Giang, hạn 15/12/2026"
    body = mails[0].get_content()
    assert "Trung ương Đoàn TNCS Hồ Chí Minh chưa nhận được báo cáo năm 2026 của Tỉnh đoàn An Giang." in body
    assert f"/reports/?unit={tree.province_b.id}&year=2026#bao-cao-gui-len" in body
    assert "Người nhắc: Phạm Quốc Bảo, Trung ương Đoàn TNCS Hồ Chí Minh." in body
    reminder = db.session.scalar(select(ReportReminder))
    assert (reminder.unit_id, reminder.year, reminder.reminded_by_id, reminder.recipients) == \
        (tree.province_b.id, year, central_admin.id, 1)

    # Not again within three days: refused, nothing sent, nothing recorded.
    remind(client, tree.central, year)
    assert "Chưa gửi được nhắc nhở nào. Đã nhắc trong 3 ngày qua nên chưa nhắc lại: Tỉnh đoàn An Giang." in \
        dashboard(client, tree.central, year)
    assert len(outbox(client.application)) == before + 1 and count(ReportReminder) == 1
    reminder.reminded_at -= timedelta(days=3)
    db.session.commit()
    remind(client, tree.central, year)
    assert len(outbox(client.application)) == before + 2 and count(ReportReminder) == 2

    # 2025's season ended on 31/03/2026: no more reminders for it.
    assert "Nhắc các đơn vị chưa gửi" not in dashboard(client, tree.central, year - 1)
    remind(client, tree.central, year - 1)
    assert "Mùa báo cáo năm 2025 đã kết thúc ngày 31/03/2026; không nhắc gửi nữa." in \
        dashboard(client, tree.central, year - 1)
    assert len(outbox(client.application)) == before + 2 and count(ReportReminder) == 2


def test_a_unit_with_no_admin_to_email_is_named_and_nothing_is_recorded(client, tree, admin_b, central_admin,
                                                                      make_user):
    admin_b.email = None
    db.session.commit()
    sign_in_as(client, central_admin)
    remind(client, tree.central, YEAR)
    assert "Chưa gửi được nhắc nhở nào. Chưa có quản trị viên có e-mail để nhắc: Tỉnh đoàn An Giang, " \
        "Tỉnh đoàn Lào Cai." in dashboard(client, tree.central)
    assert count(ReportReminder) == 0 and outbox(client.application) == []
    assert dashboard(client, tree.central).count("Chưa có quản trị viên có e-mail để nhắc</span>") == 2  # in the table
    sign_in_as(client, make_user(tree.central, "Vũ Thị Lan", roles=[(Role.REVIEWER, tree.central)]))
    assert "Chưa có quản trị viên có e-mail" not in dashboard(client, tree.central)  # for those who remind only


def test_a_long_list_of_units_left_out_names_five_and_counts_the_rest(client, tree, central_admin):
    for number in range(1, 7):
        create_unit(parent=tree.central, level=tree.province_a.level, code=f"DOAN-T{number}",
                    name=f"Tỉnh đoàn số {number}")
    db.session.commit()
    sign_in_as(client, central_admin)
    remind(client, tree.central, YEAR)
    assert "Chưa có quản trị viên có e-mail để nhắc: Tỉnh đoàn An Giang, Tỉnh đoàn Lào Cai, Tỉnh đoàn số 1, " \
        "Tỉnh đoàn số 2, Tỉnh đoàn số 3 và 3 đơn vị khác." in dashboard(client, tree.central)
    # The table marks each of them, those the message leaves out too.
    rows = re.findall(r'<th scope="row"><a [^>]+>([^<]+)</a></th>(.*?)</tr>', dashboard(client, tree.central), re.S)
    marked = [name for name, cells in rows if "Chưa có quản trị viên có e-mail để nhắc" in cells]
    assert marked == ["Tỉnh đoàn An Giang", "Tỉnh đoàn Lào Cai", *(f"Tỉnh đoàn số {n}" for n in range(1, 7))]


def test_when_every_unit_has_sent_there_is_nobody_to_remind(client, tree, admin_a, admin_b, central_admin):
    for admin, unit in ((admin_a, tree.province_a), (admin_b, tree.province_b)):
        sign_in_as(client, admin)
        send(client, unit)
    sign_in_as(client, central_admin)
    page = dashboard(client, tree.central)
    assert "2 trên 2 đơn vị trực thuộc đã gửi báo cáo năm 2026." in page
    assert "Nhắc các đơn vị chưa gửi" not in page
    remind(client, tree.central, YEAR)
    assert "Mọi đơn vị trực thuộc đã gửi báo cáo năm 2026; không có đơn vị nào cần nhắc." in \
        dashboard(client, tree.central)
    assert count(ReportReminder) == 0


def test_only_admins_of_the_level_above_remind_and_only_with_the_csrf_token(client, tree, admin_a, admin_b,
                                                                          make_user):
    reviewer = make_user(tree.central, "Vũ Thị Lan", roles=[(Role.REVIEWER, tree.central)])
    sign_in_as(client, reviewer)
    assert remind(client, tree.central, YEAR).status_code == 403
    assert "Nhắc các đơn vị chưa gửi" not in dashboard(client, tree.central)
    sign_in_as(client, admin_b)
    assert remind(client, tree.central, YEAR).status_code == 403
    assert remind(client, tree.province_a, YEAR).status_code == 403
    sign_in_as(client, admin_a)
    client.application.config["WTF_CSRF_ENABLED"] = True
    assert remind(client, tree.province_a, YEAR).status_code == 400
    assert count(ReportReminder) == 0 and outbox(client.application) == []


# --- The day each level sets for the units under it ---------------------------------------------------------

def set_due(client, unit, day: str, year: int):
    return client.post(f"/reports/yearly/due?unit={unit.id}&year={year}", data={"due_on": day})


@pytest.mark.parametrize("year", ["2027", "1999", "02026", "abc"])
def test_a_year_no_report_can_be_of_changes_nothing(client, tree, admin_a, year):
    sign_in_as(client, admin_a)
    for response in (send(client, tree.province_a, year=year), remind(client, tree.province_a, year),
                     set_due(client, tree.province_a, "2026-12-01", year)):
        assert response.status_code == 400
        assert "Năm không hợp lệ: hãy chọn một năm từ 2000 đến 2026." in text(response)
    assert (count(SentReport), count(EvidenceFile), count(ReportReminder), count(ReportDeadline)) == (0, 0, 0, 0)


def test_a_province_sets_its_units_a_day_before_its_own(client, tree, admin_a, central_admin, make_user):
    year = YEAR
    sign_in_as(client, admin_a)
    response = set_due(client, tree.province_a, f"{year}-12-01", year)
    assert response.status_code == 302 and response.headers["Location"].endswith("#bao-cao-gui-len")
    page = dashboard(client, tree.province_a, year)
    assert f"Các đơn vị trực thuộc Tỉnh đoàn Lào Cai gửi báo cáo năm {year} chậm nhất ngày 01/12/{year}." in page
    assert f"Hạn gửi: ngày 15/12/{year}." in page  # its own, to the centre
    assert f'value="{year}-12-01"' in page
    assert f"Hạn các đơn vị trực thuộc gửi: ngày 01/12/{year}." in page  # written out, whatever the browser's date
    # The date picker offers from today to the province's own day, and says so.
    assert f'max="{year}-12-15" min="{year}-11-20"' in page
    assert (f"Chọn một ngày từ 20/11/{year} đến 15/12/{year}. Đặt hạn sớm hơn hạn Tỉnh đoàn Lào Cai gửi báo cáo lên "
            "Trung ương Đoàn TNCS Hồ Chí Minh để kịp tổng hợp báo cáo của các đơn vị trực thuộc.") in page
    assert f"Hạn gửi: ngày 01/12/{year}." in dashboard(client, tree.grassroots_a, year)
    set_due(client, tree.province_a, f" 05/12/{year} ", year)  # typed the Vietnamese way; changed, not added
    assert [(d.unit_id, d.year, d.due_on.isoformat(), d.set_by_id) for d in db.session.scalars(
        select(ReportDeadline))] == [(tree.province_a.id, year, f"{year}-12-05", admin_a.id)]
    # Another level's units keep the installation's day.
    sign_in_as(client, central_admin)
    assert f'value="{year}-12-15"' in dashboard(client, tree.central, year)
    assert f'max="{year + 1}-03-31" min="{year}-11-20"' in dashboard(client, tree.central, year)
    set_due(client, tree.central, f"{year + 1}-03-31", year)  # the top unit answers to nobody: up to March
    assert f'value="{year + 1}-03-31"' in dashboard(client, tree.central, year)
    # Those who read the dashboard without setting the day read it.
    reviewer = make_user(tree.central, "Vũ Thị Lan", roles=[(Role.REVIEWER, tree.central)])
    sign_in_as(client, reviewer)
    assert f"Hạn các đơn vị trực thuộc gửi: ngày 31/03/{year + 1}." in dashboard(client, tree.central, year)


@pytest.mark.parametrize("day, message", [
    ("{year}-12-16", "Hạn cho các đơn vị trực thuộc phải trước hoặc đúng ngày Tỉnh đoàn Lào Cai gửi báo cáo lên "
                     "Trung ương Đoàn TNCS Hồ Chí Minh (15/12/{year}), để kịp tổng hợp."),
    # The range named is the one the date picker offers: to the province's own day, not the season's end.
    ("{last}-12-31", "Hạn gửi báo cáo năm {year} phải từ ngày 20/11/{year} đến ngày 15/12/{year}."),
    ("{year}-11-19", "Hạn gửi báo cáo năm {year} phải từ ngày 20/11/{year} đến ngày 15/12/{year}."),  # yesterday
    ("30/02/{year}", "Hạn các đơn vị trực thuộc gửi báo cáo: tháng 2 năm {year} có 28 ngày, không có ngày 30."),
    ("01/13/{year}", "Hạn các đơn vị trực thuộc gửi báo cáo: không có tháng 13, tháng là một số từ 1 đến 12."),
    ("15 tháng 12", "Ngày không đúng dạng ngày/tháng/năm, ví dụ 25/03/2026."),
    ("", "Hãy chọn hạn gửi báo cáo."),
])
def test_a_day_that_does_not_fit_is_refused(client, tree, admin_a, day, message):
    year = YEAR
    sign_in_as(client, admin_a)
    set_due(client, tree.province_a, day.format(year=year, last=year - 1), year)
    assert message.format(year=year, next=year + 1) in dashboard(client, tree.province_a, year)
    assert count(ReportDeadline) == 0


def test_a_level_whose_own_day_has_passed_is_told_it_sets_no_day_below(client, tree, admin_a, central_admin):
    sign_in_as(client, central_admin)
    set_due(client, tree.central, f"{YEAR}-11-21", YEAR)
    with time_machine.travel(datetime(YEAR, 11, 25, 2, 0, tzinfo=timezone.utc)):
        sign_in_as(client, admin_a)
        page = dashboard(client, tree.province_a, YEAR)
        assert 'action="/reports/yearly/due' not in page
        assert ("Không đặt được hạn mới cho các đơn vị trực thuộc: hạn Tỉnh đoàn Lào Cai gửi báo cáo lên Trung ương "
                f"Đoàn TNCS Hồ Chí Minh là ngày 21/11/{YEAR}, đã qua.") in page


def test_a_closed_season_keeps_its_days(client, tree, admin_a):
    sign_in_as(client, admin_a)
    assert 'action="/reports/yearly/due' not in dashboard(client, tree.province_a, 2020)
    set_due(client, tree.province_a, "2020-12-01", 2020)
    assert "Mùa báo cáo năm 2020 đã kết thúc ngày 31/03/2021; không đổi hạn gửi được nữa." in \
        dashboard(client, tree.province_a, 2020)
    assert count(ReportDeadline) == 0


def test_only_the_levels_admins_set_its_day_and_only_with_the_csrf_token(client, tree, admin_a, admin_b,
                                                                         make_user):
    year = YEAR
    reviewer = make_user(tree.province_a, "Hồ Thị Thu", roles=[(Role.REVIEWER, tree.province_a)])
    sign_in_as(client, reviewer)
    assert set_due(client, tree.province_a, f"{year}-12-01", year).status_code == 403
    assert 'action="/reports/yearly/due' not in dashboard(client, tree.province_a, year)
    sign_in_as(client, admin_b)
    assert set_due(client, tree.province_a, f"{year}-12-01", year).status_code == 403
    sign_in_as(client, admin_a)
    client.application.config["WTF_CSRF_ENABLED"] = True
    assert set_due(client, tree.province_a, f"{year}-12-01", year).status_code == 400
    assert count(ReportDeadline) == 0


def test_reports_are_in_time_against_the_day_the_level_above_set(client, tree, admin_a, admin_b, central_admin):
    year = YEAR - 1
    db.session.add(ReportDeadline(unit_id=tree.central.id, year=year, due_on=date(2025, 11, 30),
                                  set_by_id=central_admin.id))
    db.session.commit()
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    sent_at(tree.province_a, datetime(2025, 12, 10, 3, 0))  # in time by the installation's day, not by this one
    assert statuses(client, tree.central, year) == {"DOAN-AGG": "Quá hạn, chưa gửi", "DOAN-LCI": "Gửi muộn"}
    assert "Hạn gửi: ngày 30/11/2025. Gửi muộn" in flat(sent_panel(dashboard(client, tree.province_a, year)))
    # A reminder names the day the level above set.
    db.session.add(ReportDeadline(unit_id=tree.central.id, year=YEAR, due_on=date(2026, 11, 30),
                                  set_by_id=central_admin.id))
    db.session.commit()
    sign_in_as(client, central_admin)
    remind(client, tree.central, YEAR)
    [mail] = [mail for mail in outbox(client.application) if mail["To"] == admin_b.email]
    assert mail["Subject"] == "Nhắc gửi báo cáo năm 2026 của Tỉnh đoàn An Giang, hạn 30/11/2026"


def test_a_report_keeps_the_day_it_was_due_when_sent(client, tree, admin_a, admin_b, central_admin):
    """2025's reports were due on 15/12/2025 when Lào Cai sent on the 10th and An Giang on the 20th. Moving
    the day earlier afterwards does not make Lào Cai late; moving it later excuses An Giang."""
    year = YEAR - 1
    sent_on(client, admin_a, tree.province_a, datetime(2025, 12, 10, 3, 0))
    sent_on(client, admin_b, tree.province_b, datetime(2025, 12, 20, 3, 0))
    assert sorted(db.session.scalars(select(SentReport.due_on))) == [date(2025, 12, 15)] * 2
    day = ReportDeadline(unit_id=tree.central.id, year=year, due_on=date(2025, 12, 5), set_by_id=central_admin.id)
    db.session.add(day)
    db.session.commit()
    assert statuses(client, tree.central, year) == {"DOAN-AGG": "Gửi muộn", "DOAN-LCI": "Đã gửi đúng hạn"}
    sign_in_as(client, central_admin)
    panel = flat(sent_panel(dashboard(client, tree.central, year)))
    assert "Tỉnh đoàn An Giang Gửi muộn 10:00, 20/12/2025" in panel
    assert "Tỉnh đoàn Lào Cai Đã gửi đúng hạn (hạn lúc gửi là ngày 15/12/2025) 10:00, 10/12/2025" in panel
    with client.application.test_request_context():
        lines = yearly.outline(yearly.build(tree.central, year))[0].lines
        assert "Báo cáo năm 2025 của các đơn vị trực tiếp: đã nhận 2 trên 2 báo cáo (1 đúng hạn, 1 gửi muộn)." in lines
    sign_in_as(client, admin_a)
    assert "Hạn gửi: ngày 05/12/2025. Đã gửi đúng hạn (hạn lúc gửi là ngày 15/12/2025) Đã gửi lên" in \
        flat(sent_panel(dashboard(client, tree.province_a, year)))

    day.due_on = date(2025, 12, 31)
    db.session.commit()
    assert statuses(client, tree.central, year) == {"DOAN-AGG": "Đã gửi đúng hạn", "DOAN-LCI": "Đã gửi đúng hạn"}
    assert "hạn lúc gửi" not in dashboard(client, tree.province_a, year)

    # A report sent before the day was kept with it is judged by the day due now.
    day.due_on = date(2025, 12, 5)
    db.session.execute(update(SentReport).where(SentReport.unit_id == tree.province_a.id).values(due_on=None))
    db.session.commit()
    assert statuses(client, tree.central, year) == {"DOAN-AGG": "Gửi muộn", "DOAN-LCI": "Gửi muộn"}


def test_a_level_that_moves_its_day_earlier_moves_the_days_below_it(client, tree, admin_a, central_admin,
                                                                      make_user):
    year = YEAR
    commune_admin = make_user(tree.grassroots_a, "Lò Văn Sinh", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    sign_in_as(client, admin_a)
    set_due(client, tree.province_a, f"{year}-12-10", year)
    send(client, tree.province_a)  # Lào Cai has sent its own report, but its units have not
    sign_in_as(client, commune_admin)
    set_due(client, tree.grassroots_a, f"{year}-12-05", year)
    sign_in_as(client, central_admin)
    before = len(outbox(client.application))
    set_due(client, tree.central, f"{year}-12-01", year)
    assert (f"Các đơn vị trực thuộc Trung ương Đoàn TNCS Hồ Chí Minh gửi báo cáo năm {year} chậm nhất ngày "
            f"01/12/{year}. 2 đơn vị cấp dưới đã đặt hạn muộn hơn cho các đơn vị của mình; các hạn đó nay tính là "
            f"ngày 01/12/{year}. Đã báo hạn qua e-mail tới 1 quản trị viên của các đơn vị trực thuộc. Chưa có quản "
            "trị viên có e-mail để báo hạn: Tỉnh đoàn An Giang.") in dashboard(client, tree.central, year)
    # Lào Cai's admin is told the new day, and that Lào Cai's own units now count it too; An Giang has no admin.
    [mail] = outbox(client.application)[before:]
    assert mail["To"] == admin_a.email
    assert mail["Subject"] == f"Hạn gửi báo cáo năm {year} của Tỉnh đoàn Lào Cai: ngày 01/12/{year}"
    body = mail.get_content()
    assert (f"Trung ương Đoàn TNCS Hồ Chí Minh đã đặt hạn gửi báo cáo năm {year} cho các đơn vị trực thuộc: Tỉnh "
            f"đoàn Lào Cai gửi chậm nhất ngày 01/12/{year}.") in body
    assert (f"Hạn Tỉnh đoàn Lào Cai đã đặt cho các đơn vị trực thuộc mình muộn hơn ngày này, nên nay cũng tính là "
            f"ngày 01/12/{year}") in body
    assert (f"Tỉnh đoàn Lào Cai đã gửi báo cáo năm {year}. Mở đường dẫn sau để xem và đặt hạn cho các đơn vị trực "
            "thuộc:") in body and "Để gửi:" not in body
    assert f"/reports/?unit={tree.province_a.id}&year={year}#bao-cao-gui-len" in body
    assert "Người đặt hạn: Phạm Quốc Bảo, Trung ương Đoàn TNCS Hồ Chí Minh." in body
    # Lào Cai's units, and the branches under them, are now due when Lào Cai is; An Giang's too, whose units
    # kept the installation's later day. The days set stay stored as they were.
    for unit in (tree.province_a, tree.grassroots_a, tree.province_b):
        assert sending.due_date(unit, year) == date(year, 12, 1)
    assert f"Hạn gửi: ngày 01/12/{year}." in dashboard(client, tree.grassroots_a, year)
    assert sorted(db.session.scalars(select(ReportDeadline.due_on))) == [
        date(year, 12, 1), date(year, 12, 5), date(year, 12, 10)]
    # A day set earlier than the one above still counts.
    sign_in_as(client, commune_admin)
    set_due(client, tree.grassroots_a, f"{year}-11-20", year)
    page = dashboard(client, tree.grassroots_a, year)
    assert f"chậm nhất ngày 20/11/{year}." in page and "đã đặt hạn muộn hơn" not in page
    assert sending.due_date(tree.grassroots_a, year) == date(year, 11, 20)


def run_daily_reminders(app, *options: str):
    return app.test_cli_runner().invoke(args=["lms", "reports", "remind", "--base-url", "https://taphuan.example.vn",
                                              "--year", str(YEAR), *options])


def test_the_daily_run_reminds_the_units_whose_day_is_near_or_past(client, tree, admin_a, admin_b, central_admin,
                                                                    make_user):
    app, year, today = client.application, YEAR, TODAY
    app.config["SERVER_NAME"] = None  # the address comes from --base-url
    commune_admin = make_user(tree.grassroots_a, "Lò Văn Sinh", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    db.session.add_all([
        ReportDeadline(unit_id=tree.central.id, year=year, due_on=today + timedelta(days=10),
                       set_by_id=central_admin.id),
        ReportDeadline(unit_id=tree.province_a.id, year=year, due_on=today + timedelta(days=3),
                       set_by_id=admin_a.id)])
    db.session.commit()
    # A week ahead: only Bát Xát, due to Lào Cai in three days (Phú Quốc has no admin to e-mail).
    result = run_daily_reminders(app)
    assert result.exit_code == 0, result.output
    assert "Số đơn vị được nhắc gửi báo cáo năm: 1; số e-mail đã gửi: 1." in result.output
    [mail] = outbox(app)
    assert mail["To"] == commune_admin.email
    assert mail["Subject"] == (f"Nhắc gửi báo cáo năm {year} của Đoàn xã Bát Xát, "
                               f"hạn {(today + timedelta(days=3)).strftime('%d/%m/%Y')}")
    body = mail.get_content()
    assert f"https://taphuan.example.vn/reports/?unit={tree.grassroots_a.id}&year={year}#bao-cao-gui-len" in body
    assert "Hệ thống tự động nhắc khi gần đến hoặc đã quá hạn gửi, nhiều nhất một lần trong 3 ngày" in body
    reminder = db.session.scalar(select(ReportReminder))
    assert (reminder.unit_id, reminder.reminded_by_id, reminder.recipients) == (tree.grassroots_a.id, None, 1)
    # The next day's run leaves Bát Xát alone for three days.
    assert "Số đơn vị được nhắc gửi báo cáo năm: 0; số e-mail đã gửi: 0." in run_daily_reminders(app).output
    # Two weeks ahead reaches the provinces too; one that has sent is not reminded.
    sign_in_as(client, admin_a)
    send(client, tree.province_a, year=year)
    result = run_daily_reminders(app, "--days-before", "14")
    assert "Số đơn vị được nhắc gửi báo cáo năm: 1; số e-mail đã gửi: 1." in result.output
    assert [mail["To"] for mail in outbox(app)[1:] if "Nhắc gửi" in mail["Subject"]] == [admin_b.email]
    sign_in_as(client, central_admin)
    assert "Đã nhắc lúc" in sent_panel(dashboard(client, tree.central, year))


def test_the_daily_run_names_the_units_it_left_out_and_why(client, tree, admin_a, admin_b):
    for number in range(1, 10):
        create_unit(parent=tree.central, level=tree.province_a.level, code=f"DOAN-T{number}",
                    name=f"Tỉnh đoàn số {number}")
    db.session.commit()
    without_admins = "Năm 2026: chưa nhắc 13 đơn vị vì chưa có quản trị viên có e-mail: DOAN-T1, DOAN-T2, " \
        "DOAN-T3, DOAN-T4, DOAN-T5 và 8 đơn vị khác."
    result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Số đơn vị được nhắc gửi báo cáo năm: 2; số e-mail đã gửi: 2.",
                                          without_admins]
    # Run again within three days: the two provinces just reminded are left out too.
    result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Số đơn vị được nhắc gửi báo cáo năm: 0; số e-mail đã gửi: 0.",
        "Năm 2026: chưa nhắc 2 đơn vị vì đã nhắc trong 3 ngày qua: DOAN-AGG, DOAN-LCI.", without_admins]


def test_the_daily_run_links_to_the_configured_site_without_base_url(client, tree, admin_a, admin_b):
    app = client.application  # its SERVER_NAME is lms.test
    result = app.test_cli_runner().invoke(args=["lms", "reports", "remind", "--year", str(YEAR),
                                                "--days-before", "30"])
    assert result.exit_code == 0, result.output
    assert "Số đơn vị được nhắc gửi báo cáo năm: 2; số e-mail đã gửi: 2." in result.output
    assert f"http://lms.test/reports/?unit={tree.province_b.id}&year={YEAR}#bao-cao-gui-len" in \
        [mail for mail in outbox(app) if mail["To"] == admin_b.email][0].get_content()


def test_the_daily_run_needs_the_sites_address(client, tree):
    client.application.config["SERVER_NAME"] = None
    result = client.application.test_cli_runner().invoke(args=["lms", "reports", "remind"])
    assert result.exit_code != 0 and "Hãy dùng --base-url (hoặc đặt LMS_BASE_URL hay SERVER_NAME)" in result.output
    for wrong in ("notaurl", "ftp://taphuan.example.vn", "https://"):  # the links in the e-mails would not open
        result = client.application.test_cli_runner().invoke(args=["lms", "reports", "remind", "--base-url", wrong])
        assert result.exit_code != 0 and "--base-url phải là địa chỉ đầy đủ của trang" in result.output
    assert count(ReportReminder) == 0


@pytest.mark.parametrize("year", ["1999", "2027", "2100"])
def test_the_daily_run_refuses_a_year_no_report_can_be_of(client, tree, admin_a, admin_b, year):
    result = run_daily_reminders(client.application, "--year", year, "--days-before", "30")
    assert result.exit_code != 0
    assert f"không có báo cáo năm {year}: hãy chọn một năm từ 2000 đến 2026 (năm nay)." in result.output
    assert (count(ReportReminder), outbox(client.application)) == (0, [])


def test_the_daily_run_says_when_a_years_reporting_season_has_ended(client, tree, admin_a, admin_b):
    result = run_daily_reminders(client.application, "--year", str(YEAR - 1), "--days-before", "30")
    assert result.exit_code != 0
    assert "Không nhắc báo cáo năm 2025: mùa báo cáo của năm đã kết thúc ngày 31/03/2026." in result.output
    assert "Số đơn vị được nhắc" not in result.output  # nor for 2026, given too: nothing is sent
    assert (count(ReportReminder), outbox(client.application)) == (0, [])
    # Until the end of March, last year's reports are still reminded.
    with time_machine.travel(datetime(2027, 3, 31, 2, 0, tzinfo=timezone.utc)):
        result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code == 0, result.output
    assert "Số đơn vị được nhắc gửi báo cáo năm: 2; số e-mail đã gửi: 2." in result.output


def mail_server_down(app) -> None:
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=1)  # nothing listens there: refused at once


def test_a_reminder_no_email_reached_is_withdrawn(client, tree, admin_a, admin_b, central_admin):
    sign_in_as(client, admin_a)
    send(client, tree.province_a)
    sign_in_as(client, central_admin)
    mail_server_down(client.application)
    remind(client, tree.central, YEAR)
    assert "Đã nhắc 0 đơn vị chưa gửi báo cáo năm 2026 (0 người nhận e-mail). Máy chủ thư chưa gửi được e-mail " \
        "nhắc tới Tỉnh đoàn An Giang; hãy nhắc lại sau." in flat(sent_panel(dashboard(client, tree.central)))
    assert count(ReportReminder) == 0
    # The daily run too: it fails, so that cron reports it, and records nothing.
    client.application.config["SERVER_NAME"] = None
    result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code != 0
    assert "Không kết nối được máy chủ thư để nhắc 1 đơn vị: DOAN-AGG." in result.output
    assert count(ReportReminder) == 0
    # Once the mail server answers, An Giang is reminded at once, without waiting three days.
    client.application.config["LMS_SMTP_HOST"] = ""
    result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code == 0 and "Số đơn vị được nhắc gửi báo cáo năm: 1; số e-mail đã gửi: 1." in result.output
    assert [mail["To"] for mail in outbox(client.application)][-1] == admin_b.email and count(ReportReminder) == 1


def test_an_address_the_mail_server_refuses_is_named_and_keeps_its_reminder(client, tree, admin_a, admin_b,
                                                                           central_admin, smtp_server):
    recorder = smtp_server(refusing=(admin_b.email,))
    sign_in_as(client, central_admin)
    remind(client, tree.central, YEAR)
    assert recorder.recipients == [admin_a.email]
    panel = flat(sent_panel(dashboard(client, tree.central)))
    assert "Đã nhắc 1 đơn vị chưa gửi báo cáo năm 2026 (1 người nhận e-mail)." in panel
    assert ("Máy chủ thư từ chối địa chỉ e-mail của quản trị viên Tỉnh đoàn An Giang; hãy kiểm tra lại địa chỉ của "
            "họ.") in panel
    assert count(ReportReminder) == 2  # a new try would be refused too: An Giang waits three days as others do
    # The daily run names it without failing: cron need not report a bad address every day.
    db.session.execute(delete(ReportReminder))
    db.session.commit()
    client.application.config["SERVER_NAME"] = None
    result = run_daily_reminders(client.application, "--days-before", "30")
    assert result.exit_code == 0, result.output
    assert "Năm 2026: chưa nhắc 1 đơn vị vì máy chủ thư từ chối địa chỉ: DOAN-AGG." in result.output


def test_once_the_mail_server_is_found_down_the_next_units_wait_for_it_no_more(client, tree, admin_a, admin_b,
                                                                              central_admin, mail_server_turning_away):
    sign_in_as(client, central_admin)
    remind(client, tree.central, YEAR)
    assert len(mail_server_turning_away) == 1  # two units to remind, one try
    assert "Máy chủ thư chưa gửi được e-mail nhắc tới Tỉnh đoàn An Giang, Tỉnh đoàn Lào Cai; hãy nhắc lại sau." \
        in flat(sent_panel(dashboard(client, tree.central)))
    assert count(ReportReminder) == 0
    # Setting a day: the units are told it, or rather not, at the cost of one try too, and the page says so.
    set_due(client, tree.central, f"{YEAR}-12-10", YEAR)
    assert len(mail_server_turning_away) == 2
    assert "Máy chủ thư chưa gửi được e-mail báo hạn tới Tỉnh đoàn An Giang, Tỉnh đoàn Lào Cai; hãy báo trực tiếp " \
        "cho các đơn vị này." in flat(sent_panel(dashboard(client, tree.central)))


def test_the_units_that_have_not_sent_are_told_their_new_day_in_their_language(client, tree, admin_a, admin_b,
                                                                               central_admin):
    year = YEAR
    admin_a.locale = "en"
    db.session.commit()
    sign_in_as(client, admin_b)
    send(client, tree.province_b, year=year)
    sign_in_as(client, central_admin)
    before = len(outbox(client.application))
    set_due(client, tree.central, f"{year}-12-08", year)
    [mail] = outbox(client.application)[before:]  # An Giang has sent: not told
    assert mail["To"] == admin_a.email
    assert mail["Subject"] == f"Tỉnh đoàn Lào Cai's {year} yearly report is due by 08/12/{year}"
    assert "later" not in mail.get_content()  # Lào Cai had set its units no day
    set_due(client, tree.central, f"08/12/{year}", year)  # the same day again: nobody is told twice
    assert len(outbox(client.application)) == before + 1
