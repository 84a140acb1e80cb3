"""The dashboard pages and their downloads, on a registry of small report tables built here (the figures
of the real tables are proven in test_dashboard_metrics.py): which unit a viewer lands on, drill-down,
the breadcrumb, the year, the sections with chart, table, note and download links, and scope."""
import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.orgs.services import children, create_unit
from lms.people.models import User
from lms.reports import dashboard, metrics
from lms.reports.tables import INT, PERCENT, Column, Table
from tests.conftest import content, count, level, sign_in_as, text


def _cadres(unit: Unit) -> int:
    return count(User, User.is_active.is_(True),
                 User.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))


def fake_coverage(node: Unit, year: int) -> Table:
    kids = children(node)
    rows = [(kid.name, _cadres(kid), 50.0 if _cadres(kid) else None) for kid in kids]
    return Table("coverage", f"Độ phủ đào tạo năm {year}",
                 [Column("unit", "Đơn vị"), Column("cadres", "Cán bộ đang hoạt động", INT),
                  Column("percent_completed", "Tỉ lệ hoàn thành (%)", PERCENT)],
                 rows, [kid.id for kid in kids], note="Tính cả đơn vị trực thuộc.")


def fake_trainers(node: Unit, year: int) -> Table:
    return Table("trainers", "Tập huấn viên theo cấp",
                 [Column("tier", "Cấp"), Column("candidates", "Ứng viên", INT),
                  Column("certified", "Đã chứng nhận", INT)],
                 [("Tập huấn viên nguồn", 1, 2)], [None])


def fake_gaps(node: Unit, year: int) -> Table:
    return Table("gaps", "Khoảng trống năng lực", [Column("level", "Cấp"), Column("D1", "D1", PERCENT)],
                 [("Cấp tỉnh", 25.0)], [None])


def fake_cascade(node: Unit, year: int) -> Table:
    return Table("cascade", "Lan tỏa tập huấn", [Column("unit", "Đơn vị"), Column("cohorts", "Lớp", INT)])


@pytest.fixture()
def registry(monkeypatch):
    calls = []

    def recorded(build):
        def run(node, year):
            calls.append((build.__name__, node.code, year))
            return build(node, year)
        return run

    fake = SimpleNamespace(
        TABLES={"coverage": recorded(fake_coverage), "trainers": recorded(fake_trainers),
                "gaps": recorded(fake_gaps), "cascade": recorded(fake_cascade),
                "sent": metrics.TABLES["sent"], "sent_levels": metrics.TABLES["sent_levels"]},
        TABLE_ORDER=["coverage", "trainers", "gaps", "cascade"],
        summary=lambda node, year: {"cadres": _cadres(node), "percent": 12.5, "none_yet": None},
        year_activity=lambda node, year: {"percent": 10.0, "none_yet": None},  # what was done in the year
        summary_label={"cadres": "Cán bộ đang hoạt động", "percent": "Tỉ lệ hoàn thành",
                       "none_yet": "Chưa có"}.get,
        calls=calls)
    monkeypatch.setattr(dashboard, "_metrics", lambda: fake)
    return fake


@pytest.fixture()
def cadres(tree, make_user):
    """Two cadres in province A (one in a branch), one in province B, one inactive in A."""
    make_user(tree.grassroots_a, "Lò Văn Sáng")
    make_user(tree.branch_a, "Giàng Thị Mỷ")
    make_user(tree.grassroots_b, "Danh Thị Ngọc")
    make_user(tree.grassroots_a, "Vàng A Pao", is_active=False)


def year() -> int:
    return local_today().year


def test_province_admin_lands_on_their_province(client, registry, tree, admin_a, cadres):
    sign_in_as(client, admin_a)
    page = content(client.get("/reports/"))
    assert f"Báo cáo năm {year()}: Tỉnh đoàn Lào Cai" in page
    # One child (the grassroots unit) with its cadres counted directly: 2 active (the admin is at the province).
    assert _cadres(tree.grassroots_a) == 2
    tables = page[page.index('id="bang-'):]  # the report tables, after the section on reports sent up
    row = re.search(r'<tr>\s*<th scope="row"><a href="([^"]+)">Đoàn xã Bát Xát</a></th>(.*?)</tr>', tables, re.S)
    assert row, page
    assert row.group(1) == f"/reports/?unit={tree.grassroots_a.id}&amp;year={year()}"
    assert re.search(r'data-label="Cán bộ đang hoạt động" class="num">2</td>', row.group(2))
    assert 'data-label="Tỉ lệ hoàn thành (%)" class="num">50,0%</td>' in row.group(2)
    assert "Tỉnh đoàn An Giang" not in page
    # The level above is named only as where the yearly report goes; none of its figures are shown.
    assert "Trung ương" not in page.replace("lên Trung ương Đoàn TNCS Hồ Chí Minh", "")
    # Headline cards.
    assert re.search(r'rp-card-value">3</span> <span class="rp-card-label">Cán bộ đang hoạt động</span></li>', page)
    # A figure of what was done in the year has the year before's beside it.
    assert re.search(r'rp-card-value">12,5%</span> <span class="rp-card-label">Tỉ lệ hoàn thành</span> '
                     rf'<span class="rp-card-hint">Năm {year() - 1}: 10,0%</span>', page)
    assert re.search(rf'rp-card-value">–</span> <span class="rp-card-label">Chưa có</span> '
                     rf'<span class="rp-card-hint">Năm {year() - 1}: –</span>', page)
    assert ("fake_coverage", "DOAN-LCI", year()) in registry.calls


def test_sections_have_chart_table_note_and_downloads(client, registry, tree, admin_a, cadres):
    sign_in_as(client, admin_a)
    page = content(client.get(f"/reports/?unit={tree.province_a.id}&year=2025"))
    titles = re.findall(r'<h2 id="bang-(\w+)">([^<]+)</h2>', page)
    assert titles == [("coverage", "Độ phủ đào tạo năm 2025"), ("trainers", "Tập huấn viên theo cấp"),
                      ("gaps", "Khoảng trống năng lực"), ("cascade", "Lan tỏa tập huấn")]
    # Each table with rows has its chart: an image with a title and a description, no style attribute.
    assert page.count('role="img"') == 3
    for key in ("coverage", "trainers", "gaps"):
        assert f'aria-labelledby="rp-chart-{key}-title rp-chart-{key}-desc"' in page
        assert f'<title id="rp-chart-{key}-title">' in page and f'<desc id="rp-chart-{key}-desc">' in page
    assert "Đoàn xã Bát Xát: 50,0%" in page  # the bar chart's description carries its numbers
    assert 'class="rp-chart rp-heat"' in page
    assert "style=" not in text(client.get(f"/reports/?unit={tree.province_a.id}&year=2025"))
    # The empty table says so, and still offers its (header-only) files.
    assert "Chưa có số liệu cho đơn vị và năm này." in page
    assert "Tính cả đơn vị trực thuộc." in page
    for key in ("coverage", "trainers", "gaps", "cascade"):
        assert f'href="/reports/{key}.xlsx?unit={tree.province_a.id}&amp;year=2025"' in page
        assert f'href="/reports/{key}.csv?unit={tree.province_a.id}&amp;year=2025"' in page
    # Four sections, and the tables of the yearly reports the units below have sent up: the units directly
    # under Lào Cai, and its two levels below.
    assert page.count("Tải Excel (.xlsx)") == 6 and page.count("Tải CSV") == 6
    assert f'href="/reports/sent.xlsx?unit={tree.province_a.id}&amp;year=2025"' in page
    assert f'href="/reports/sent_levels.xlsx?unit={tree.province_a.id}&amp;year=2025"' in page
    assert f'href="/reports/all.xlsx?unit={tree.province_a.id}&amp;year=2025"' in page
    assert f'href="/reports/yearly.pdf?unit={tree.province_a.id}&amp;year=2025"' in page
    assert "Tải tất cả (.xlsx)" in page
    # The year picker keeps the unit and shows the chosen year.
    assert f'<input type="hidden" name="unit" value="{tree.province_a.id}">' in page
    assert '<option value="2025" selected>' in page and f'<option value="{year()}"' in page


def test_drill_down_and_breadcrumb(client, registry, tree, admin_a, cadres):
    sign_in_as(client, admin_a)
    page = content(client.get(f"/reports/?unit={tree.grassroots_a.id}&year=2025"))
    assert "Báo cáo năm 2025: Đoàn xã Bát Xát" in page
    crumbs = text(client.get(f"/reports/?unit={tree.grassroots_a.id}&year=2025"))
    nav = crumbs[crumbs.index('<ol class="breadcrumb">'):crumbs.index("</ol>")]
    assert re.findall(r">([^<>]+)</a>", nav) == ["Tỉnh đoàn Lào Cai", "Đoàn xã Bát Xát"]
    assert f'href="/reports/?unit={tree.province_a.id}&amp;year=2025"' in nav
    assert "Trung ương" not in nav
    # The branch row links one level further down.
    assert f'<a href="/reports/?unit={tree.branch_a.id}&amp;year=2025">Chi đoàn thôn Bản Vai</a>' in page
    assert ("fake_coverage", "DOAN-LCI-BATXAT", 2025) in registry.calls


def test_central_admin_sees_the_whole_tree(client, registry, tree, central_admin, cadres):
    sign_in_as(client, central_admin)
    page = content(client.get("/reports/"))
    assert "Trung ương Đoàn TNCS Hồ Chí Minh" in page
    assert f'<a href="/reports/?unit={tree.province_a.id}&amp;year={year()}">Tỉnh đoàn Lào Cai</a>' in page
    assert f'<a href="/reports/?unit={tree.province_b.id}&amp;year={year()}">Tỉnh đoàn An Giang</a>' in page
    page = text(client.get(f"/reports/?unit={tree.branch_b.id}"))
    nav = page[page.index('<ol class="breadcrumb">'):page.index("</ol>")]
    assert re.findall(r">([^<>]+)</a>", nav) == ["Trung ương Đoàn TNCS Hồ Chí Minh", "Tỉnh đoàn An Giang",
                                                 "Đoàn đặc khu Phú Quốc", "Chi đoàn ấp Gành Gió"]


def test_viewer_of_several_units_picks_one(client, registry, tree, make_user):
    both = make_user(tree.central, "Đỗ Minh Tâm",
                     roles=[(Role.REVIEWER, tree.province_a), (Role.UNIT_ADMIN, tree.province_b),
                            (Role.UNIT_ADMIN, tree.grassroots_b)])
    sign_in_as(client, both)
    page = content(client.get("/reports/?year=2025"))
    assert "Chọn đơn vị để xem báo cáo năm 2025." in page
    links = re.findall(r'<a href="/reports/\?unit=(\d+)&amp;year=2025"><strong>([^<]+)</strong>', page)
    assert sorted(links) == sorted([(str(tree.province_a.id), "Tỉnh đoàn Lào Cai"),
                                    (str(tree.province_b.id), "Tỉnh đoàn An Giang")])
    assert registry.calls == []  # nothing computed before a unit is chosen
    page = text(client.get(f"/reports/?unit={tree.grassroots_b.id}"))
    nav = page[page.index('<ol class="breadcrumb">'):page.index("</ol>")]
    assert re.findall(r">([^<>]+)</a>", nav) == ["Báo cáo", "Tỉnh đoàn An Giang", "Đoàn đặc khu Phú Quốc"]
    # A file needs one unit.
    for address in ("/reports/coverage.csv", "/reports/all.xlsx", "/reports/yearly.pdf"):
        response = client.get(address)
        assert response.status_code == 400, address
        assert ("Chưa chọn đơn vị: hãy mở trang báo cáo của một đơn vị rồi tải tệp từ trang đó, vì mỗi tệp là số liệu "
                "của một đơn vị.") in text(response), address
    assert client.get(f"/reports/coverage.csv?unit={tree.province_a.id}").status_code == 200


def test_scope_of_a_province_admin(client, registry, tree, admin_a):
    sign_in_as(client, admin_a)
    for unit in (tree.province_b, tree.grassroots_b, tree.central):
        assert client.get(f"/reports/?unit={unit.id}").status_code == 403
        assert client.get(f"/reports/coverage.xlsx?unit={unit.id}").status_code == 403
        assert client.get(f"/reports/coverage.csv?unit={unit.id}").status_code == 403
        assert client.get(f"/reports/all.xlsx?unit={unit.id}").status_code == 403
    for raw in ("999999", "abc", "0", "-1", "99999999999999"):
        assert client.get(f"/reports/?unit={raw}").status_code == 404
        assert client.get(f"/reports/all.xlsx?unit={raw}").status_code == 404
    assert client.get(f"/reports/nothing.xlsx?unit={tree.province_a.id}").status_code == 404
    assert client.get(f"/reports/coverage.pdf?unit={tree.province_a.id}").status_code == 404
    assert all(code in ("DOAN-LCI", "DOAN-LCI-BATXAT", "DOAN-LCI-BATXAT-CD01")
               for _, code, _ in registry.calls)


def test_cadre_and_anonymous_are_kept_out(client, registry, tree, cadre_a):
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/all.xlsx").status_code == 302
    sign_in_as(client, cadre_a)
    for url in ("/reports/", f"/reports/?unit={tree.grassroots_a.id}", "/reports/coverage.xlsx",
                f"/reports/coverage.csv?unit={tree.grassroots_a.id}", "/reports/all.xlsx"):
        assert client.get(url).status_code == 403, url
    assert registry.calls == []


@pytest.mark.parametrize("raw", ["abc", "1999", "{next}", "0{this}", "", "２０２５"])
def test_a_year_no_report_can_be_of_is_refused_with_the_years_to_choose_from(client, registry, tree, admin_a, raw):
    """Next year's report cannot be written yet; nothing is built for a year refused."""
    sign_in_as(client, admin_a)
    raw = raw.format(this=year(), next=year() + 1)
    for address in (f"/reports/?year={raw}", f"/reports/?unit={tree.province_a.id}&year={raw}",
                    f"/reports/coverage.csv?unit={tree.province_a.id}&year={raw}",
                    f"/reports/all.xlsx?unit={tree.province_a.id}&year={raw}"):
        response = client.get(address)
        assert response.status_code == 400, address
        assert f"Năm không hợp lệ: hãy chọn một năm từ 2000 đến {year()}." in content(response)
    assert registry.calls == []


def test_the_year_picker_offers_this_year_and_the_five_before_it(client, registry, tree, admin_a):
    sign_in_as(client, admin_a)
    picker = re.findall(r'<option value="(\d+)"( selected)?>', text(client.get("/reports/")))
    assert picker == [(str(year() - back), " selected" if back == 0 else "") for back in range(6)]
    picker = re.findall(r'<option value="(\d+)"( selected)?>', text(client.get("/reports/?year=2010")))
    assert picker[-1] == ("2010", " selected") and len(picker) == 7
    # Never a year before the first one a report can be of.
    assert dashboard.year_choices(2001, today=date(2002, 6, 1)) == [2002, 2001, 2000]


def test_exports_of_one_table(client, registry, tree, admin_a, cadres):
    sign_in_as(client, admin_a)
    response = client.get(f"/reports/coverage.xlsx?unit={tree.province_a.id}&year=2026")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == "attachment; filename=bao-cao-coverage-DOAN-LCI-2026.xlsx"
    assert "no-store" in response.headers["Cache-Control"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Thông tin", "Độ phủ đào tạo năm 2026"]
    about = {row[0].value: row[1].value for row in book["Thông tin"].iter_rows(max_col=2) if row[0].value}
    assert about["Đơn vị"] == "Tỉnh đoàn Lào Cai" and about["Mã đơn vị"] == "DOAN-LCI" and about["Năm"] == 2026
    sheet = book["Độ phủ đào tạo năm 2026"]
    assert [c.value for c in sheet[2]] == ["Đoàn xã Bát Xát", 2, 0.5]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C2"

    response = client.get(f"/reports/coverage.csv?unit={tree.province_a.id}&year=2026")
    assert response.headers["Content-Disposition"] == "attachment; filename=bao-cao-coverage-DOAN-LCI-2026.csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").splitlines() == [
        "Đơn vị,Cán bộ đang hoạt động,Tỉ lệ hoàn thành (%)", "Đoàn xã Bát Xát,2,50.0"]

    # Without a unit, the file is of the admin's own province.
    response = client.get("/reports/coverage.csv")
    assert response.headers["Content-Disposition"].endswith(f"bao-cao-coverage-DOAN-LCI-{year()}.csv")


def test_export_of_all_tables(client, registry, tree, central_admin, cadres):
    sign_in_as(client, central_admin)
    response = client.get(f"/reports/all.xlsx?unit={tree.central.id}&year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=bao-cao-tat-ca-DOAN-TW-2026.xlsx"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Thông tin", "Độ phủ đào tạo năm 2026", "Tập huấn viên theo cấp",
                               "Khoảng trống năng lực", "Lan tỏa tập huấn",
                               # Then the section on yearly reports sent up.
                               "Báo cáo năm 2026 của các đơn…", "Báo cáo năm 2026 gửi lên, theo…"]
    sent_levels = book["Báo cáo năm 2026 gửi lên, theo…"]
    assert [[c.value for c in row] for row in sent_levels.iter_rows()] == [
        ["Cấp", "Đơn vị đang hoạt động", "Đã gửi lên cấp trên", "Chưa gửi", "Tỉ lệ đã gửi"],
        ["Tỉnh / thành phố", 2, 0, 2, 0.0], ["Cơ sở", 2, 0, 2, 0.0], ["Chi đoàn / chi hội", 2, 0, 2, 0.0]]
    coverage = book["Độ phủ đào tạo năm 2026"]
    assert [[c.value for c in row] for row in coverage.iter_rows(min_row=2)] == [
        ["Tỉnh đoàn An Giang", 1, 0.5], ["Tỉnh đoàn Lào Cai", 2, 0.5]]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets[1:])


def test_a_unit_of_many_units_gets_a_chart_of_those_furthest_behind_over_its_whole_table_folded(
        client, registry, tree, admin_a, cadres):
    for number in range(1, 13):  # twelve more grassroots units, without cadres: 13 units under Lào Cai
        create_unit(parent=tree.province_a, level=level("grassroots"), code=f"DOAN-LCI-X{number:02d}",
                    name=f"Đoàn xã Mới {number:02d}")
    db.session.commit()
    sign_in_as(client, admin_a)
    page = content(client.get(f"/reports/?unit={tree.province_a.id}&year=2025"))
    section = page[page.index('id="bang-coverage"'):page.index('id="bang-trainers"')]
    chart = section[section.index("<svg"):section.index("</figure>")]
    assert "Đoàn xã Bát Xát: 50,0%" in chart and "Đoàn xã Mới" not in chart
    assert ("Biểu đồ vẽ 1 trong 13 đơn vị của bảng: những đơn vị có “Tỉ lệ hoàn thành (%)” thấp nhất; bảng dưới "
            "có đủ các đơn vị. 12 đơn vị chưa có số liệu không được vẽ.") in chart
    # The table lists all thirteen, each linking to its dashboard, folded under the chart.
    folded = section[section.index('<details class="rp-full">'):section.index("</details>")]
    assert "<summary>Xem cả bảng (13 dòng)</summary>" in folded
    assert len(re.findall(r'<th scope="row"><a href="/reports/\?unit=\d+&amp;year=2025">Đoàn xã', folded)) == 13
    # A short table is not folded.
    assert page.count('<details class="rp-full">') == 1
