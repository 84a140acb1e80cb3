"""The yearly report of a unit as a PDF: served as a file to whoever may see the unit's reports, with the
sections of an official report in Vietnamese, and every figure read back from the PDF equal to the report
tables of lms.reports.metrics (themselves proven against direct counts in test_dashboard_metrics.py)."""
import re
import shutil
import subprocess
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.db import db, utcnow
from lms.demo import DEMO_PASSWORD
from lms.i18n import local_today
from lms.orgs.models import Unit, UnitLevel
from lms.orgs.services import create_unit
from lms.people.models import User
from lms.reports import metrics, yearly, yearly_pdf
from lms.reports.charts import number_text
from lms.trainers.models import EXPIRED, PROVINCIAL, TrainerProfile
from tests.conftest import count, level, login, needs_debian_package, sign_in_as

HEADINGS = ("I. Đặc điểm tình hình", "II. Kết quả thực hiện", "1. Bồi dưỡng trực tuyến",
            "2. Tập huấn và tập huấn viên", "3. Đánh giá năng lực cán bộ", "4. Đánh giá năng lực đơn vị",
            "III. Đối chiếu chỉ tiêu năm", "IV. Đề xuất, kiến nghị")


def pdf_text(data: bytes) -> str:
    """The PDF's text laid out as on the page (poppler's pdftotext), spaces made plain."""
    needs_debian_package(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)",
                         "to read the yearly report's text")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return out.decode().replace("\u00a0", " ")


def flat(text: str) -> str:
    """Running text with its line breaks and repeated spaces made single spaces."""
    return " ".join(text.split())


def url(unit: Unit, year: int | str | None = None) -> str:
    return f"/reports/yearly.pdf?unit={unit.id}" + ("" if year is None else f"&year={year}")


@pytest.fixture()
def data(report_data):
    """The shared report data, and a third trainer of province A whose certification has expired.
    Returns the year the figures fall in."""
    my = db.session.scalar(select(User).where(User.full_name == "Giàng Thị Mỷ"))
    db.session.add(TrainerProfile(user_id=my.id, tier=PROVINCIAL, status=EXPIRED))
    db.session.commit()
    return report_data


def shown_rows(table) -> list[list[str]]:
    """The cells as the dashboard writes them, spaces made plain as in pdf_text."""
    return [[number_text(value, column.kind).replace("\u00a0", " ") for column, value in zip(table.columns, row)]
            for row in table.rows]


def assert_row_printed(lines: list[str], label: str, cells: list[str]) -> None:
    """A table row as pdftotext lays it out: its one-line cells on one line, in order, at the line's end,
    and the start of its label on that line or the two around it (a long label wraps in its cell)."""
    pattern = re.compile(r"(?:^|\s)" + r"\s+".join(re.escape(cell) for cell in cells) + r"\s*$")
    start = " ".join(label.split()[:3])
    for index, line in enumerate(lines):
        if pattern.search(line) and start in " ".join(lines[max(0, index - 2):index + 3]):
            return
    raise AssertionError(f"row {label!r} {cells} not found")


def assert_tables_printed(text: str, tables: dict) -> None:
    lines = text.splitlines()
    for table in tables.values():
        assert table.title in text, table.key
        for row in shown_rows(table):
            # The label, then the cells after the last one that may wrap (text and dates).
            last_wrapping = max(i for i, column in enumerate(table.columns) if column.kind in ("text", "date")
                                and column.key != "met")
            assert_row_printed(lines, row[0], row[last_wrapping + 1:])


# --- The file ---------------------------------------------------------------------------------------

def test_the_report_is_a_pdf_attachment_named_after_year_and_unit(client, tree, admin_a, data):
    sign_in_as(client, admin_a)
    response = client.get(url(tree.province_a, data))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="bao-cao-nam-{data}-DOAN-LCI.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"%PDF")


def test_without_a_year_it_is_this_years_report_of_the_viewers_unit(client, tree, admin_a):
    sign_in_as(client, admin_a)
    response = client.get("/reports/yearly.pdf")
    assert response.status_code == 200
    year = local_today().year
    assert response.headers["Content-Disposition"] == f'attachment; filename="bao-cao-nam-{year}-DOAN-LCI.pdf"'
    assert f"BÁO CÁO NĂM {year}" in pdf_text(response.data)


def test_the_endpoint_and_its_address(app):
    with app.test_request_context():
        from flask import url_for
        assert url_for("reports.yearly_report", extension="pdf", unit=7, year=2025) == \
            "/reports/yearly.pdf?unit=7&year=2025"
        assert url_for("reports.yearly_report", extension="docx", unit=7, year=2025) == \
            "/reports/yearly.docx?unit=7&year=2025"


# --- Scope -----------------------------------------------------------------------------------------

def test_a_province_admin_gets_the_reports_of_their_province_only(client, tree, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    year = local_today().year
    assert client.get(url(tree.province_a, year)).status_code == 200
    assert client.get(url(tree.grassroots_a, year)).status_code == 200
    assert client.get(url(tree.province_b, year)).status_code == 403
    assert client.get(url(tree.grassroots_b, year)).status_code == 403
    assert client.get(url(tree.central, year)).status_code == 403
    assert client.get(f"/reports/yearly.pdf?unit=999999&year={year}").status_code == 404
    assert client.get(f"/reports/yearly.pdf?unit=abc&year={year}").status_code == 404
    # A unit outside the scope says 403 whatever the year asked for.
    assert client.get(url(tree.province_b, "xyz")).status_code == 403
    sign_in_as(client, cadre_a)
    assert client.get(url(tree.grassroots_a, year)).status_code == 403
    assert client.get("/reports/yearly.pdf").status_code == 403


def test_the_central_office_and_a_reviewer_see_every_unit(client, tree, central_admin, make_user):
    from lms.auth.permissions import Role

    year = local_today().year
    sign_in_as(client, central_admin)
    for unit in (tree.central, tree.province_b, tree.branch_a):
        assert client.get(url(unit, year)).status_code == 200
    reviewer = make_user(tree.province_b, "Hồ Thị Thu", roles=[(Role.REVIEWER, tree.province_b)])
    sign_in_as(client, reviewer)
    assert client.get(url(tree.grassroots_b, year)).status_code == 200
    assert client.get(url(tree.province_a, year)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, tree):
    response = client.get(url(tree.province_a, 2025))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("year", ["abcd", "20x5", "1999", "202", "02025", "-2025", "２０２５", "", "{next}"])
@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_a_bad_year_or_one_not_yet_begun_is_refused_with_the_years_to_choose_from(client, tree, admin_a, year,
                                                                                  extension):
    sign_in_as(client, admin_a)
    this_year = local_today().year
    year = year.format(next=this_year + 1)
    response = client.get(f"/reports/yearly.{extension}?unit={tree.province_a.id}&year={year}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert f"Năm không hợp lệ: hãy chọn một năm từ 2000 đến {this_year}." in response.get_data(as_text=True)


def test_every_year_from_2000_to_this_one_is_served(client, tree, admin_a):
    sign_in_as(client, admin_a)
    assert client.get(url(tree.province_a, 2000)).status_code == 200
    assert client.get(url(tree.province_a, local_today().year)).status_code == 200


# --- What it says --------------------------------------------------------------------------------------

def test_the_report_reads_as_an_official_yearly_report(client, tree, admin_a, data):
    sign_in_as(client, admin_a)
    text = pdf_text(client.get(url(tree.province_a, data)).data)
    words = flat(text)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in text and "TỈNH ĐOÀN LÀO CAI" in text
    assert f"BÁO CÁO NĂM {data}" in text
    assert "Kết quả bồi dưỡng năng lực quản lý, điều phối hoạt động tình nguyện" in text
    positions = [words.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "Đơn vị: Tỉnh đoàn Lào Cai (mã DOAN-LCI), thuộc Đoàn Thanh niên Cộng sản Hồ Chí Minh." in words
    assert "Cấp: Tỉnh / thành phố, trực thuộc Trung ương Đoàn TNCS Hồ Chí Minh." in words
    assert "Địa bàn: miền núi và biên giới." in words
    today = local_today()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert f"Lào Cai, ngày {today.day:02d} tháng {month} năm {today.year}" in text
    assert "TM. BAN THƯỜNG VỤ" in text and "(Ký tên, đóng dấu)" in text
    assert "Nơi nhận:" in text and "- Trung ương Đoàn TNCS Hồ Chí Minh (để báo" in text  # wraps beside the signature
    pages = len(re.findall(r"Trang \d+/\d+", text))
    assert pages >= 2 and [f"Trang {i}/{pages}" for i in range(1, pages + 1)] == re.findall(r"Trang \d+/\d+", text)
    # Nothing of another province.
    assert "An Giang" not in text and "Phú Quốc" not in text


def test_section_one_counts_the_units_and_cadres_below(client, app, tree, central_admin, make_user, data):
    closed = Unit(parent_id=tree.province_a.id, organisation_id=tree.province_a.organisation_id,
                  level_id=tree.grassroots_a.level_id, code="DOAN-LCI-CU", name="Đoàn xã Cũ", closed_at=utcnow(),
                  is_overseas=True)
    db.session.add(closed)
    db.session.flush()
    closed.path = f"{tree.province_a.path}{closed.id}/"
    db.session.commit()
    sign_in_as(client, central_admin)
    words = flat(pdf_text(client.get(url(tree.central, data)).data))
    # Counted one by one: the open units under the centre, by level, and the active cadres.
    below = {code: count(Unit, Unit.path.startswith(tree.central.path), Unit.id != tree.central.id,
                         Unit.closed_at.is_(None), Unit.level_id == select(UnitLevel.id).where(
                             UnitLevel.code == code).scalar_subquery())
             for code in ("province", "grassroots", "branch")}
    assert below == {"province": 2, "grassroots": 2, "branch": 2}
    assert ("Đơn vị trực thuộc: 2 đơn vị trực tiếp; toàn hệ thống có 6 đơn vị cấp dưới đang hoạt động, gồm "
            "2 đơn vị cấp tỉnh / thành phố, 2 đơn vị cấp cơ sở và 2 đơn vị cấp chi đoàn / chi hội.") in words
    # Flags pass down the tree: Lào Cai is mountainous and border, Bát Xát adds ethnic minority, Phú Quốc is an
    # island; the closed (overseas) unit is left out.
    flagged = {flag: count(Unit, Unit.path.startswith(tree.central.path), Unit.id != tree.central.id,
                           Unit.closed_at.is_(None), getattr(Unit, flag).is_(True))
               for flag in ("is_mountainous", "is_ethnic_minority", "is_border", "is_island", "is_overseas")}
    assert flagged == {"is_mountainous": 3, "is_ethnic_minority": 2, "is_border": 3, "is_island": 2, "is_overseas": 0}
    assert ("Trong các đơn vị cấp dưới có 3 đơn vị miền núi, 2 đơn vị vùng đồng bào dân tộc thiểu số, "
            "3 đơn vị biên giới và 2 đơn vị hải đảo.") in words
    cadres = count(User, User.is_active.is_(True))
    assert f"Cán bộ: {cadres} cán bộ đang hoạt động trong đơn vị và các đơn vị cấp dưới." in words
    assert "Địa bàn:" not in words and "Hà Nội, ngày" in words  # the top of the tree has no area of its own
    assert "Địa bàn: không thuộc vùng miền núi" in flat(pdf_text(client.get(url(tree.province_b, data)).data))


def test_every_figure_is_the_metrics_tables(client, app, tree, admin_a, data):
    sign_in_as(client, admin_a)
    text = pdf_text(client.get(url(tree.province_a, data)).data)
    with app.test_request_context():
        tables = {key: metrics.TABLES[key](tree.province_a, data) for key in yearly.TABLE_KEYS}
        summary = metrics.summary(tree.province_a, data)
        share = number_text(summary["completed_core_pct"], "percent").replace("\u00a0", " ")
    assert_tables_printed(text, tables)
    words = flat(text)
    # The fixture, spelled out: A has the admin, Sáng, Mỷ, Pao active (Dua is not); Sáng completed; the required
    # enrolments of Sáng and Mỷ fall due, Mỷ's overdue; trainers: one certified, one candidate, one expired.
    assert (summary["cadres"], summary["completed_core"], summary["enrolled_core"]) == (4, 1, 3)
    assert (f"Tính đến ngày lập báo cáo, 1 trên 4 cán bộ đang hoạt động ({share}) đã hoàn thành khóa học cốt lõi "
            "về quản lý, điều phối hoạt động tình nguyện; 3 cán bộ đã đăng ký học.") in words
    assert f"Trong năm {data} có 2 lượt học bắt buộc được giao đến hạn, trong đó 1 lượt đã quá hạn" in words
    assert "Hiện có 1 tập huấn viên được công nhận trên tổng số 3 tập huấn viên." in words
    # Section IV from the same figures: targets missed, the overdue enrolment, the expired trainer.
    assert "Chỉ tiêu “Cán bộ hoàn thành khóa học cốt lõi” mới đạt 25,0% (1/4), chưa đạt mức 70,0%." in words
    assert "Đề nghị giao khóa học cốt lõi cho cán bộ chưa đăng ký" in words
    assert "Còn 1 lượt học bắt buộc đã quá hạn mà chưa hoàn thành" in words
    assert "Có 1 tập huấn viên đã hết hạn công nhận" in words
    assert "Các đơn vị có tỉ lệ cán bộ hoàn thành khóa học cốt lõi thấp nhất, cần được ưu tiên hỗ trợ: " \
           "Đoàn xã Bát Xát (33,3%)." in words


def test_on_the_demo_every_table_is_printed_as_built(client, app, report_demo):
    year = local_today().year
    central = db.session.scalar(select(Unit).where(Unit.code == "DOAN-TW"))
    viewer = db.session.scalar(select(User).where(User.email == "trunguong@example.org"))
    assert login(client, viewer, DEMO_PASSWORD).status_code == 302
    text = pdf_text(client.get(url(central, year)).data)
    with app.test_request_context():
        tables = {key: metrics.TABLES[key](central, year) for key in yearly.TABLE_KEYS}
        summary = metrics.summary(central, year)
    assert all(tables[key].rows for key in ("coverage", "areas", "cascade", "trainers", "capacity", "targets"))
    assert_tables_printed(text, tables)
    words = flat(text)
    assert f"đã tổ chức {summary['cohorts_held']} lớp tập huấn cho {summary['participants_trained']} học viên" \
           in words
    assert f"có {summary['unit_assessments_total']} đánh giá năng lực đơn vị" in words
    assert "Tỉ lệ cán bộ hoàn thành khóa học cốt lõi ở các địa bàn ưu tiên: miền núi" in words
    assert f"So với năm {year - 1}: số lớp tập huấn" in words
    # Bảng 1 … Bảng 9, in the order of the sections.
    assert re.findall(r"Bảng (\d)\.", text) == [str(i) for i in range(1, 10)]


# --- Words from figures, on tables built here ----------------------------------------------------------

def _report(unit: Unit, **tables) -> yearly.YearlyReport:
    from lms.reports.tables import INT, PERCENT, TEXT, Column, Table

    empty = {key: Table(key, key, [Column("x", "x")]) for key in yearly.TABLE_KEYS}
    targets = Table("targets", "Chỉ tiêu", [
        Column("label", "Chỉ tiêu"), Column("target", "Chỉ tiêu (%)", PERCENT), Column("actual", "Đạt được", INT),
        Column("out_of", "Trên tổng số", INT), Column("actual_pct", "Tỉ lệ", PERCENT), Column("met", "Đánh giá", TEXT)],
        [("Lớp tập huấn tổ chức so với kế hoạch năm", 100.0, 3, 4, 75.0, "Chưa đạt"),
         ("Đơn vị đã gửi đánh giá năng lực", 100.0, 2, 2, 100.0, "Đạt"),
         ("Một chỉ tiêu mới", 50.0, 1, 10, 10.0, "Chưa đạt")])
    gaps = Table("gaps", "Khoảng trống", [
        Column("level", "Cấp đơn vị"), Column("assessed", "Người", INT),
        Column("domain_PLAN", "Kế hoạch", PERCENT), Column("domain_SAFE", "An toàn", PERCENT),
        Column("domain_COMM", "Truyền thông", PERCENT)],
        [("Tỉnh / thành phố", 4, 25.0, None, 0.0), ("Cơ sở", 10, 60.0, 80.0, 0.0)])
    trainers = Table("trainers", "Tập huấn viên", [Column("tier", "Cấp"), Column("expired", "Hết hạn", INT),
                                                   Column("total", "Tổng số", INT)], [("Nguồn", 0, 2)])
    summary = dict.fromkeys(metrics.SUMMARY_LABELS, 0)
    return yearly.YearlyReport(unit, 2025, {**empty, "targets": targets, "gaps": gaps, "trainers": trainers,
                                            **tables}, summary, [], {}, 0, date(2026, 2, 5), (0, 0))


def test_the_priority_areas_are_reported_and_those_behind_proposed_for_support(app, tree):
    def figures(cadres, completed):
        return {"units": 1, "grassroots": 1, "covered": 0, "cadres": cadres, "enrolled": cadres,
                "completed": completed, "trained": 0}

    with app.test_request_context():
        report = _report(tree.province_a)
        report.summary.update(cadres=300, completed_core=100, completed_core_pct=33.3)
        # Mountainous: 33 of 99 is exactly the unit's third (33,3% as written) and is not behind; islands are.
        report.areas = {"is_mountainous": figures(99, 33), "is_ethnic_minority": figures(0, 0),
                        "is_border": figures(3, 1), "is_island": figures(1000, 333), "is_overseas": figures(8, 2),
                        None: figures(300, 100)}
        assert yearly.online_training(report)[-1] == (
            "Tỉ lệ cán bộ hoàn thành khóa học cốt lõi ở các địa bàn ưu tiên: miền núi 33,3% (33/99 cán bộ), biên giới "
            "33,3% (1/3 cán bộ), hải đảo 33,3% (333/1.000 cán bộ) và ở nước ngoài 25,0% (2/8 cán bộ); chung cả đơn "
            "vị: 33,3%.")
        assert yearly.lagging_areas(report) == [
            "Tỉ lệ cán bộ hoàn thành khóa học cốt lõi của các đơn vị hải đảo và ở nước ngoài còn thấp hơn mức chung "
            "(33,3%); đề nghị ưu tiên mở lớp tập huấn tại chỗ và hướng dẫn cán bộ tải các mô-đun về học khi không "
            "có mạng."]
        assert yearly.lagging_areas(report)[0] in yearly.proposals(report)
        report.areas = {}
        assert "địa bàn" not in " ".join(yearly.online_training(report)) and yearly.lagging_areas(report) == []


def test_each_figure_is_said_to_rise_fall_or_stay_against_the_year_before(app, tree):
    with app.test_request_context():
        report = _report(tree.province_a)
        report.summary.update(cohorts_held=4, participants_trained=1200, participants_completed=35)
        report.last_year = dict(report.summary, cohorts_held=6, participants_trained=950, participants_completed=35)
        assert yearly.against_last_year(report, yearly.CASCADE_CHANGES) == [
            "So với năm 2024: số lớp tập huấn giảm 2 (từ 6 xuống 4); số học viên được tập huấn tăng 250 (từ 950 "
            "lên 1.200); số học viên hoàn thành lớp không đổi (35)."]
        # Nothing in either year: nothing to compare.
        assert yearly.against_last_year(report, yearly.UNIT_CHANGES) == []
        with force_locale("en"):
            report.last_year = dict(report.summary, cohorts_held=6)
            assert yearly.against_last_year(report, yearly.CASCADE_CHANGES) == [
                "Compared with 2024: cohorts held down 2 (from 6 to 4); people trained unchanged (1,200); people who "
                "completed their cohort unchanged (35)."]
        report.last_year = None
        assert yearly.against_last_year(report, yearly.CASCADE_CHANGES) == []


def test_proposals_name_missed_targets_and_the_widest_gaps(app, tree):
    with app.test_request_context():
        report = _report(tree.province_a)
        lines = yearly.proposals(report)
        assert lines[0] == ("Chỉ tiêu “Lớp tập huấn tổ chức so với kế hoạch năm” mới đạt 75,0% (3/4), chưa đạt "
                            "mức 100,0%. Đề nghị tổ chức các lớp tập huấn còn lại theo kế hoạch, hoặc điều chỉnh "
                            "kế hoạch năm sau cho sát với khả năng của đội ngũ tập huấn viên.")
        assert lines[1] == "Chỉ tiêu “Một chỉ tiêu mới” mới đạt 10,0% (1/10), chưa đạt mức 50,0%."
        # Widest first; a domain where nobody falls short is not named.
        assert yearly.largest_gaps(report.tables["gaps"]) == [("An toàn", 80.0, "Cơ sở"), ("Kế hoạch", 60.0, "Cơ sở")]
        assert lines[2] == ("Kết quả đánh giá cho thấy cán bộ còn thiếu hụt nhiều nhất ở các lĩnh vực “An toàn” và "
                            "“Kế hoạch”; đề nghị ưu tiên các mô-đun bồi dưỡng thuộc những lĩnh vực này trong kế hoạch "
                            "tập huấn năm 2026.")
        assert len(lines) == 3  # no expired trainer, no overdue enrolment, no coverage rows
        assert yearly.targets_verdict(report) == ["Năm 2025, đơn vị đạt 1 trên 3 chỉ tiêu."]


def test_targets_all_met_say_so(app, tree):
    from lms.reports.tables import Table

    with app.test_request_context():
        report = _report(tree.province_a)
        met = report.tables["targets"]
        report.tables["targets"] = Table("targets", "Chỉ tiêu", met.columns, [met.rows[1]])
        report.tables["gaps"] = Table("gaps", "Khoảng trống", report.tables["gaps"].columns)
        assert yearly.proposals(report) == [
            "Đơn vị đã đạt các chỉ tiêu năm 2025 có số liệu; đề nghị duy trì kết quả và xem xét nâng chỉ tiêu "
            "năm 2026."]


def test_a_long_table_breaks_across_pages_with_its_header_repeated(app, tree):
    from lms.reports.tables import INT, PERCENT, Column, Table

    rows = [(f"Đoàn xã Thử Nghiệm số {i}", i, i // 2, 50.0) for i in range(1, 121)]
    coverage = Table("coverage", "Độ bao phủ đào tạo", [
        Column("unit", "Đơn vị"), Column("cadres", "Cán bộ đang hoạt động", INT),
        Column("completed", "Hoàn thành khóa học", INT), Column("completed_pct", "Tỉ lệ hoàn thành", PERCENT)],
        rows, [None] * len(rows), note="Ghi chú về cách tính.")
    with app.test_request_context():
        data = yearly_pdf.render(_report(tree.province_a, coverage=coverage))
    text = pdf_text(data)
    lines = text.splitlines()
    chunks = [chunk for chunk in text.split("\f") if chunk.strip()]
    assert len(chunks) >= 4 and f"Trang {len(chunks)}/{len(chunks)}" in chunks[-1]
    # The header row on every page the table spans; numbers right-aligned end on the same column.
    spanned = [chunk for chunk in chunks if "Đoàn xã Thử Nghiệm số" in chunk]
    assert len(spanned) >= 2 and all(re.search(r"Cán bộ\s.*\bTỉ lệ\s", chunk) for chunk in spanned)
    for i in (1, 60, 120):
        assert_row_printed(lines, f"Đoàn xã Thử Nghiệm số {i}", [str(i), str(i // 2), "50,0%"])
    # Numbers are right-aligned: in every row, the right edges of the two counts (of one to three digits) and
    # of the percentage stand where they stand in the other rows.
    bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout
    rows_seen = {}
    for number, page in enumerate(bbox.decode().split("<page ")[1:]):
        for y_min, x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" '
                                             r'yMax="[\d.]+">([^<]*)</word>', page):
            rows_seen.setdefault((number, y_min), []).append((word, round(float(x_max), 1)))
    table_rows = [words for words in rows_seen.values() if [w for w, _x in words[:4]] == ["Đoàn", "xã", "Thử",
                                                                                         "Nghiệm"]]
    assert len(table_rows) == 120
    for position in (-3, -2, -1):  # the two counts and the percentage ("50,0%")
        assert len({words[position][1] for words in table_rows}) == 1
    assert "Lào Cai, ngày 05 tháng 02 năm 2026" in text


# --- Small rules ------------------------------------------------------------------------------------

def test_the_place_is_the_territory_the_unit_or_the_one_above_names(app, tree):
    with app.app_context():
        assert yearly.place_of(tree.province_a) == "Lào Cai"
        assert yearly.place_of(tree.grassroots_a) == "Bát Xát"
        assert yearly.place_of(tree.branch_a) == "Bát Xát"  # "Chi đoàn thôn Bản Vai" names no territory
        assert yearly.place_of(tree.grassroots_b) == "Phú Quốc"
        assert yearly.place_of(tree.central) == "Hà Nội"
    abroad = create_unit(parent=tree.central, level=level("province"), code="DOAN-NHAT",
                         name="Đoàn TNCS Hồ Chí Minh tại Nhật Bản")
    branch = create_unit(parent=abroad, level=level("branch"), code="DOAN-NHAT-TOKYO", name="Chi đoàn Đại học Tokyo")
    assert yearly.place_of(abroad) == yearly.place_of(branch) == "Nhật Bản"
    db.session.rollback()


def test_the_date_line_is_written_as_official_documents_write_it(app):
    with app.test_request_context():
        assert yearly.date_line("Lào Cai", date(2026, 2, 5)) == "Lào Cai, ngày 05 tháng 02 năm 2026"
        assert yearly.date_line("Hà Nội", date(2026, 12, 31)) == "Hà Nội, ngày 31 tháng 12 năm 2026"
        assert yearly.date_line("Huế", date(2026, 3, 9)) == "Huế, ngày 09 tháng 3 năm 2026"


def test_the_file_name_is_plain_ascii(tree):
    assert yearly.filename(tree.province_a, 2025, "pdf") == "bao-cao-nam-2025-DOAN-LCI.pdf"
    assert yearly.filename(tree.province_a, 2025, "docx") == "bao-cao-nam-2025-DOAN-LCI.docx"
    tree.province_a.code = "DOAN LCI/ĐB"
    assert yearly.filename(tree.province_a, 2025, "pdf") == "bao-cao-nam-2025-DOAN-LCI-B.pdf"
    db.session.rollback()


def test_a_branch_signs_for_its_executive_committee(client, tree, admin_a):
    sign_in_as(client, admin_a)
    text = pdf_text(client.get(url(tree.branch_a, 2025)).data)
    assert "TM. BAN CHẤP HÀNH" in text and "CHI ĐOÀN THÔN BẢN VAI" in text and "Bát Xát, ngày" in text
    assert "- Đoàn xã Bát Xát (để báo cáo);" in text


def test_a_branch_counts_itself_alone_and_names_no_units_under_it(client, tree, admin_a):
    sign_in_as(client, admin_a)
    words = flat(pdf_text(client.get(url(tree.branch_a, 2025)).data))
    assert "Đơn vị trực thuộc: không có đơn vị cấp dưới đang hoạt động." in words
    assert "cán bộ đang hoạt động trong đơn vị." in words
    assert "Trong năm 2025, đơn vị chưa tổ chức lớp tập huấn nào." in words
    assert "không có đợt đánh giá năng lực cán bộ nào của đơn vị hoặc cấp trên." in words
    assert "đơn vị và các đơn vị cấp dưới" not in words


def test_the_pdf_names_a_font_with_every_vietnamese_letter(client, tree, admin_a):
    sign_in_as(client, admin_a)
    data = client.get(url(tree.province_a, 2025)).data
    assert b"BeVietnamPro" in data or b"DejaVuSans" in data


def test_targets_without_figures_are_counted_apart(app, tree):
    from lms.reports.tables import Table

    with app.test_request_context():
        report = _report(tree.province_a)
        targets = report.tables["targets"]
        report.tables["targets"] = Table("targets", "Chỉ tiêu", targets.columns,
                                         [*targets.rows, ("Chỉ tiêu chưa có mẫu số", 100.0, 0, 0, None,
                                                          "Không có số liệu")])
        assert yearly.targets_verdict(report) == [
            "Năm 2025, đơn vị đạt 1 trên 3 chỉ tiêu có số liệu; 1 chỉ tiêu chưa có số liệu để đánh giá."]
        assert not any("Chỉ tiêu chưa có mẫu số" in line for line in yearly.proposals(report))


def test_a_unit_without_figures_for_any_target_is_neither_praised_nor_asked_to_raise_them(app, tree):
    from lms.reports.tables import Table

    with app.test_request_context():
        report = _report(tree.province_a)
        no_data = [("Chỉ tiêu chưa có mẫu số", 100.0, 0, 0, None, "Không có số liệu")] * 2
        report.tables["targets"] = Table("targets", "Chỉ tiêu", report.tables["targets"].columns, no_data)
        report.tables["gaps"] = Table("gaps", "Khoảng trống", report.tables["gaps"].columns)
        assert yearly.targets_verdict(report) == [
            "Năm 2025, chưa có chỉ tiêu nào trong 2 chỉ tiêu có số liệu để đánh giá."]
        assert yearly.proposals(report) == ["Chưa có số liệu năm 2025 để đề xuất."]


def test_a_unit_without_cadres_says_so_rather_than_0_of_0(app, tree):
    with app.test_request_context():
        report = _report(tree.branch_a)
        assert yearly.online_training(report) == [
            "Tính đến ngày lập báo cáo, đơn vị chưa có cán bộ đang hoạt động nào trên hệ thống, nên chưa có số liệu "
            "học trực tuyến."]


def test_the_units_furthest_behind_are_named_only_when_their_rates_differ(tree):
    from lms.reports.tables import PERCENT, Column, Table

    columns = [Column("unit", "Đơn vị"), Column("completed_pct", "Tỉ lệ", PERCENT)]
    tied = Table("coverage", "Độ phủ", columns, [("Đoàn A", 0.0), ("Đoàn B", 0.0), ("Đoàn C", 0.0)], [1, 2, 3])
    assert yearly.furthest_behind(tied) == []
    alone = Table("coverage", "Độ phủ", columns, [("Đoàn A", 0.0)], [1])
    assert yearly.furthest_behind(alone) == [(0.0, "Đoàn A")]
    spread = Table("coverage", "Độ phủ", columns, [("Đoàn A", 40.0), ("Đoàn B", 0.0), ("Đoàn C", 95.0)], [1, 2, 3])
    assert yearly.furthest_behind(spread) == [(0.0, "Đoàn B"), (40.0, "Đoàn A")]
    # Three are named at most; Đoàn D ties with Đoàn C and Đoàn E at the cut-off, so all three are left out.
    cut = Table("coverage", "Độ phủ", columns,
                [("Đoàn A", 40.0), ("Đoàn B", 10.0), ("Đoàn C", 30.0), ("Đoàn D", 30.0), ("Đoàn E", 30.0)],
                [1, 2, 3, 4, 5])
    assert yearly.NAMED_AT_MOST == 3
    assert yearly.furthest_behind(cut) == [(10.0, "Đoàn B")]
    within = Table("coverage", "Độ phủ", columns, [("Đoàn A", 40.0), ("Đoàn B", 10.0), ("Đoàn C", 10.0)], [1, 2, 3])
    assert yearly.furthest_behind(within) == [(10.0, "Đoàn B"), (10.0, "Đoàn C"), (40.0, "Đoàn A")]


def test_who_signs_and_the_letterhead_follow_the_organisation(app, tree):
    from lms.orgs.models import Organisation

    hoi = db.session.scalar(select(Organisation).where(Organisation.code == "HSV"))
    hoi_central = create_unit(parent=None, organisation=hoi, level=level("central"), code="HSV-TW",
                              name="Trung ương Hội Sinh viên Việt Nam")
    hoi_school = create_unit(parent=hoi_central, level=level("grassroots"), code="HSV-BK",
                             name="Hội Sinh viên trường X")
    with app.test_request_context():
        assert yearly.signing_board(tree.central) == "TM. BAN BÍ THƯ"
        assert yearly.signing_board(tree.province_a) == "TM. BAN THƯỜNG VỤ"
        assert yearly.signing_board(tree.branch_a) == "TM. BAN CHẤP HÀNH"
        assert yearly.signing_board(hoi_central) == yearly.signing_board(hoi_school) == "TM. BAN THƯ KÝ"
        assert yearly.letterhead(_report(tree.central)) == (None, "TRUNG ƯƠNG ĐOÀN TNCS HỒ CHÍ MINH", "***")
        assert yearly.letterhead(_report(hoi_central)) == (None, "TRUNG ƯƠNG HỘI SINH VIÊN VIỆT NAM", "***")
        assert yearly.letterhead(_report(tree.province_a)) == ("ĐOÀN TNCS HỒ CHÍ MINH", "TỈNH ĐOÀN LÀO CAI", "***")
    db.session.rollback()
