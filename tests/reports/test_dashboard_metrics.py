"""The real dashboard on fixture data: the coverage figures proven against direct counts, every table of
lms.reports.metrics shown on the page and in the exports exactly as built, and a province admin kept to
their province in pages and files."""
import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.courses.models import CORE_COURSE_SLUG, Course, Enrolment
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people.models import User
from lms.reports import metrics
from lms.reports.charts import chart_for, number_text
from lms.reports.tables import DATE, INT, PERCENT
from tests.conftest import count, sign_in_as, text



def in_subtree(unit: Unit):
    return User.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))


def direct_coverage(unit: Unit, year: int) -> dict[str, int]:
    """The coverage figures of `unit`'s subtree, counted one by one from the rows."""
    active = (User.is_active.is_(True), in_subtree(unit))
    core = select(Course.id).where(Course.slug == CORE_COURSE_SLUG).scalar_subquery()
    enrolled = select(Enrolment.user_id).where(Enrolment.course_id == core)
    completed = enrolled.where(Enrolment.completed_at.is_not(None))
    required = (Enrolment.assignment_id.is_not(None), Enrolment.due_on >= date(year, 1, 1),
                Enrolment.due_on <= date(year, 12, 31),
                Enrolment.user_id.in_(select(User.id).where(*active)))
    return {"cadres": count(User, *active), "enrolled": count(User, *active, User.id.in_(enrolled)),
            "completed": count(User, *active, User.id.in_(completed)),
            "required": count(Enrolment, *required),
            "overdue": count(Enrolment, *required, Enrolment.completed_at.is_(None),
                             Enrolment.due_on < local_today())}


def section_rows(page: str, key: str) -> list[list[str]]:
    """The cells of the table in the dashboard section of `key`, as text."""
    start = page.index(f'<h2 id="bang-{key}">')
    chunk = page[start:page.index("</section>", start)]
    if "<tbody>" not in chunk:
        return []
    body = chunk[chunk.index("<tbody>"):chunk.index("</tbody>")]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def shown(table) -> list[list[str]]:
    return [[number_text(value, column.kind) for column, value in zip(table.columns, row)] for row in table.rows]


def test_central_dashboard_coverage_matches_direct_counts(app, client, tree, central_admin, report_data):
    year = report_data
    sign_in_as(client, central_admin)
    page = text(client.get(f"/reports/?unit={tree.central.id}&year={year}"))
    rows = {row[0]: row[1:] for row in section_rows(page, "coverage")}
    for unit in (tree.province_a, tree.province_b):
        expected = direct_coverage(unit, year)
        with app.test_request_context():
            percent = number_text(round(100 * expected["completed"] / expected["cadres"], 1), PERCENT)
        assert rows[unit.name] == [str(expected["cadres"]), str(expected["enrolled"]), str(expected["completed"]),
                                   percent, str(expected["required"]), str(expected["overdue"])]
    # The fixture, spelled out: A has the admin, Sáng, Mỷ, Pao active (Dua is not); Sáng completed; the
    # required enrolments of Sáng and Mỷ fall due in the year, Mỷ's overdue. B: Ngọc completed, Tài not enrolled.
    assert rows["Tỉnh đoàn Lào Cai"] == ["4", "3", "1", "25,0%", "2", "1"]
    assert rows["Tỉnh đoàn An Giang"] == ["2", "1", "1", "50,0%", "0", "0"]
    # Drill-down links to both provinces.
    assert f'<a href="/reports/?unit={tree.province_a.id}&amp;year={year}">Tỉnh đoàn Lào Cai</a>' in page
    # Headline cards add the subtree up.
    whole = direct_coverage(tree.central, year)
    assert re.search(rf'rp-card-value">{whole["cadres"]}</span> <span class="rp-card-label">Cán bộ đang hoạt động<',
                     page)
    assert re.search(rf'rp-card-value">{whole["completed"]}</span> <span class="rp-card-label">'
                     r'Hoàn thành khóa học cốt lõi<', page)
    share = f'{100 * whole["completed"] / whole["cadres"]:.1f}'.replace(".", ",")  # of the cadres, not the enrolled
    assert f'rp-card-value">{share}%</span> <span class="rp-card-label">Tỉ lệ cán bộ hoàn thành khóa học cốt lõi<' \
        in page


def test_every_table_is_shown_as_built(app, client, tree, central_admin, admin_a, framework, report_data):
    year = report_data
    for viewer, node in ((central_admin, tree.central), (admin_a, tree.province_a), (admin_a, tree.grassroots_a)):
        sign_in_as(client, viewer)
        page = text(client.get(f"/reports/?unit={node.id}&year={year}"))
        assert "style=" not in page
        with app.test_request_context():
            tables = [metrics.TABLES[key](node, year) for key in metrics.TABLE_ORDER]
            expected = {table.key: shown(table) for table in tables}
        assert re.findall(r'<h2 id="bang-(\w+)">', page) == metrics.TABLE_ORDER
        for table in tables:
            assert section_rows(page, table.key) == expected[table.key], table.key
            assert html.escape(table.note, quote=False) in page
            with app.test_request_context():
                drawn = chart_for(table) is not None
            assert (f'<title id="rp-chart-{table.key}-title">' in page) == drawn, table.key
    # The trainers of province A as a stacked chart: one certified, one candidate, at the provincial tier.
    assert 'fill="#0b5d3b" stroke="#ffffff"' in page and 'fill="#0a4f86" stroke="#ffffff"' in page


def test_exports_carry_the_tables(app, client, tree, central_admin, report_data):
    year = report_data
    sign_in_as(client, central_admin)
    response = client.get(f"/reports/all.xlsx?unit={tree.central.id}&year={year}")
    assert response.headers["Content-Disposition"] == f"attachment; filename=bao-cao-tat-ca-DOAN-TW-{year}.xlsx"
    book = load_workbook(io.BytesIO(response.data))
    with app.test_request_context():
        tables = [metrics.TABLES[key](tree.central, year) for key in [*metrics.TABLE_ORDER, "sent", "sent_levels"]]
    tables = [table.for_people() for table in tables]  # the codes for programs (the API's) left out
    assert len(book.sheetnames) == len(tables) + 1
    for sheet, table in zip(book.worksheets[1:], tables):
        assert [c.value for c in sheet[1]] == [column.label for column in table.columns]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        for row, cells in zip(table.rows, sheet.iter_rows(min_row=2)):
            for column, value, cell in zip(table.columns, row, cells):
                if value is None:
                    assert cell.value is None
                elif column.kind == PERCENT:
                    assert cell.value == pytest.approx(value / 100) and cell.number_format == "0.0%"
                elif column.kind == INT:
                    assert cell.value == value and isinstance(cell.value, int)
                elif column.kind == DATE:
                    assert cell.value.date() == value
                else:
                    assert (cell.value or "") == value  # an empty text is an empty cell
    coverage = book.worksheets[1]
    assert [c.value for c in coverage[1]][:2] == ["Đơn vị", "Cán bộ đang hoạt động"]
    by_name = {row[0].value: row for row in coverage.iter_rows(min_row=2)}
    assert by_name["Tỉnh đoàn Lào Cai"][1].value == 4 and by_name["Tỉnh đoàn Lào Cai"][4].value == pytest.approx(.25)


def test_province_admin_gets_only_their_province(client, tree, admin_a, report_data):
    year = report_data
    sign_in_as(client, admin_a)
    page = text(client.get(f"/reports/?year={year}"))
    assert "Tỉnh đoàn Lào Cai" in page and "Tỉnh đoàn An Giang" not in page and "Danh Thị Ngọc" not in page
    assert [row[0] for row in section_rows(page, "coverage")][0] == "Đoàn xã Bát Xát"
    csv_text = client.get(f"/reports/coverage.csv?year={year}").data.decode("utf-8-sig")
    assert "An Giang" not in csv_text and "Đoàn xã Bát Xát,3,3,1,33.3,2,1" in csv_text.splitlines()
    book = load_workbook(io.BytesIO(client.get(f"/reports/all.xlsx?year={year}").data))
    everything = " ".join(str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    assert "An Giang" not in everything and "Phú Quốc" not in everything and "Tỉnh đoàn Lào Cai" in everything
    for unit in (tree.province_b, tree.central):
        assert client.get(f"/reports/?unit={unit.id}").status_code == 403
        for url in ("coverage.xlsx", "targets.csv", "all.xlsx"):
            assert client.get(f"/reports/{url}?unit={unit.id}").status_code == 403
