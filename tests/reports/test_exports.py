"""Report tables as .xlsx and .csv: real number, percent and date cells, a bold frozen header row with
filters, Vietnamese intact, sheet names Excel accepts, and CSV that Excel opens in Vietnamese."""
import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from lms.reports.exports import csv_bytes, sheet_title, xlsx_bytes
from lms.reports.tables import DATE, INT, PERCENT, Column, Table


def coverage_table() -> Table:
    return Table(
        key="coverage", title="Độ phủ đào tạo khóa học cốt lõi theo đơn vị",
        columns=[Column("unit", "Đơn vị"), Column("cadres", "Cán bộ đang hoạt động", INT),
                 Column("completed", "Đã hoàn thành", INT), Column("percent", "Tỉ lệ hoàn thành (%)", PERCENT),
                 Column("due", "Hạn gần nhất", DATE)],
        rows=[("Tỉnh đoàn Lào Cai", 1250, 500, 40.0, date(2026, 3, 31)),
              ("Tỉnh đoàn An Giang", 3, 1, 100 / 3, None),
              ("Đoàn phường Ỷ La", 0, 0, None, date(2026, 12, 1))],
        row_units=[2, 5, None], note="Cán bộ đang hoạt động của đơn vị và mọi đơn vị trực thuộc.")


def open_book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_xlsx_cells_keep_their_kind():
    book = open_book(xlsx_bytes([coverage_table()]))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["Đơn vị", "Cán bộ đang hoạt động", "Đã hoàn thành",
                                           "Tỉ lệ hoàn thành (%)", "Hạn gần nhất"]
    name, cadres, completed, percent, due = sheet[2]
    assert name.value == "Tỉnh đoàn Lào Cai" and name.data_type == "s"
    assert cadres.value == 1250 and isinstance(cadres.value, int) and cadres.data_type == "n"
    assert completed.value == 500
    # Percentages are Excel percentages: the 0–100 figure over 100, shown with one decimal.
    assert percent.data_type == "n" and percent.value == pytest.approx(0.40)
    assert percent.number_format == "0.0%"
    assert sheet["D3"].value == pytest.approx(1 / 3, abs=1e-6)
    # Dates are dates, shown day/month/year.
    assert isinstance(due.value, datetime) and due.value.date() == date(2026, 3, 31)
    assert due.number_format == "DD/MM/YYYY"
    # No figure is an empty cell, never the text "None".
    assert sheet["E3"].value is None and sheet["D4"].value is None
    assert sheet["A4"].value == "Đoàn phường Ỷ La"
    assert sheet.max_row == 4


def test_xlsx_header_is_bold_frozen_and_filtered():
    sheet = open_book(xlsx_bytes([coverage_table()])).worksheets[0]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert all(8 <= width <= 60 for width in widths)
    assert widths[0] >= len("Tỉnh đoàn An Giang")  # the widest name fits


def test_xlsx_one_sheet_a_table_with_an_about_sheet_first():
    gaps = Table(key="gaps", title="Khoảng trống năng lực: cấp × lĩnh vực [D1/D2]",
                 columns=[Column("level", "Cấp"), Column("D1", "D1", PERCENT)], rows=[("Cấp tỉnh", 12.5)])
    data = xlsx_bytes([coverage_table(), gaps], about=[("Đơn vị", "Tỉnh đoàn Lào Cai"), ("Năm", "2026"),
                                                       ("Ngày xuất", date(2026, 5, 4))])
    book = open_book(data)
    assert book.sheetnames[0] == "Thông tin"
    about = book["Thông tin"]
    assert about["A1"].value == "Đơn vị" and about["B1"].value == "Tỉnh đoàn Lào Cai"
    assert about["B3"].number_format == "DD/MM/YYYY"
    assert "Độ phủ đào tạo khóa học cốt lõi theo đơn vị" in [c.value for c in about["A"]]
    assert coverage_table().note in [c.value for c in about["B"]]
    names = book.sheetnames[1:]
    assert len(names) == 2 and all(len(name) <= 31 for name in names)
    assert not any(char in name for name in names for char in "[]:*?/\\")
    assert names[0] == "Độ phủ đào tạo khóa học cốt…"  # cut, and marked as cut
    assert book[names[1]]["B2"].value == pytest.approx(0.125)
    assert book.active.title == "Thông tin"  # several tables: it opens on what it holds


def test_xlsx_of_one_table_opens_on_the_table():
    book = open_book(xlsx_bytes([coverage_table()], about=[("Đơn vị", "Tỉnh đoàn Lào Cai")]))
    assert book.sheetnames[0] == "Thông tin"
    assert book.active.title == "Độ phủ đào tạo khóa học cốt…"
    assert [sheet.sheet_view.tabSelected for sheet in book.worksheets] == [False, True]  # one sheet selected only


def test_sheet_titles_are_valid_and_unique():
    taken = {"Độ phủ"}
    assert sheet_title("Độ phủ", taken) == "Độ phủ (2)"
    assert sheet_title("'a/b:c*d?e[f]g\\h'") == "a b c d e f g h"
    long = "Lớp tập huấn tổ chức so với kế hoạch năm của toàn tỉnh"
    first = sheet_title(long)  # cut after a whole word, and says so
    assert first == "Lớp tập huấn tổ chức so với kế…"
    second = sheet_title(long, {first})
    assert second == "Lớp tập huấn tổ chức so… (2)"
    # A word that ends exactly at the limit is still marked as cut.
    assert sheet_title("Tập huấn viên theo cấp và trạng thái") == "Tập huấn viên theo cấp và…"
    assert sheet_title("   ") == "Bang"


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    table = Table(key="courses", title="Khóa học", columns=[Column("course", "Khóa học"), Column("n", "Số", INT)],
                  rows=[("=HYPERLINK(\"http://x\")", 1)])
    cell = open_book(xlsx_bytes([table])).worksheets[0]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_xlsx_of_an_empty_table_keeps_its_header():
    table = Table(key="cascade", title="Lan tỏa tập huấn", columns=[Column("unit", "Đơn vị"),
                                                                   Column("cohorts", "Lớp đã tổ chức", INT)])
    sheet = open_book(xlsx_bytes([table])).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Đơn vị", "Lớp đã tổ chức"]
    assert sheet.auto_filter.ref == "A1:B1" and sheet.freeze_panes == "A2"


def test_csv_has_bom_and_round_trips_vietnamese():
    data = csv_bytes(coverage_table())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Đơn vị", "Cán bộ đang hoạt động", "Đã hoàn thành", "Tỉ lệ hoàn thành (%)", "Hạn gần nhất"]
    assert rows[1] == ["Tỉnh đoàn Lào Cai", "1250", "500", "40.0", "31/03/2026"]
    assert rows[2] == ["Tỉnh đoàn An Giang", "3", "1", "33.3", ""]
    assert rows[3] == ["Đoàn phường Ỷ La", "0", "0", "", "01/12/2026"]
    assert len(rows) == 4
    assert b"\r\n" in data


def test_csv_quotes_commas_and_defuses_formulas():
    table = Table(key="courses", title="Khóa học", columns=[Column("course", "Khóa học, cấp"), Column("n", "Số", INT)],
                  rows=[("Kỹ năng tập huấn, nâng cao", 2), ("=1+1", 3), ("-dấu trừ", 4)])
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[0] == ["Khóa học, cấp", "Số"]
    assert rows[1] == ["Kỹ năng tập huấn, nâng cao", "2"]
    assert rows[2][0] == "'=1+1" and rows[3][0] == "'-dấu trừ"
