"""Report tables as files: an Excel workbook (one sheet a table) and CSV.

Cells keep their kind: counts are whole numbers, percentages are Excel percentages (the 0–100 value
of the table divided by 100, shown with the format `0.0%`), dates are dates shown DD/MM/YYYY. CSV
writes the 0–100 percentage with one decimal and starts with a byte-order mark, so Excel opens
Vietnamese text correctly. Codes for programs (columns of kind CODE) are left out: the label beside them
says the same to people.
"""
import csv
import io
import re
from datetime import date, datetime

from flask import send_file
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lms.reports.tables import DATE, INT, PERCENT, Table

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # the response adds "; charset=utf-8"

PERCENT_FORMAT = "0.0%"
INT_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = set('[]:*?/\\')
_WIDTH_MIN, _WIDTH_MAX = 8, 60
# Text that a spreadsheet would run as a formula if it began a cell (CSV and formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="E3EFE8")


def sheet_title(title: str, taken: set[str] | None = None) -> str:
    """`title` as an Excel sheet name: at most 31 characters, none of []:*?/\\, no apostrophe at
    either end, and different (case-insensitively) from the names in `taken`."""
    cleaned = "".join(" " if char in _SHEET_FORBIDDEN else char for char in title)
    cleaned = " ".join(cleaned.split()).strip("'").strip() or "Bang"
    taken_folded = {name.casefold() for name in taken or ()}
    candidate, number = _cut_at_word(cleaned, SHEET_TITLE_MAX), 2
    while candidate.casefold() in taken_folded:
        suffix = f" ({number})"
        candidate = _cut_at_word(cleaned, SHEET_TITLE_MAX - len(suffix)) + suffix
        number += 1
    return candidate


def _cut_at_word(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut after a whole word where one ends late enough, and "…" where
    it was cut."""
    if len(text) <= limit:
        return text
    head = text[:limit - 1]  # room for the "…"
    space = head.rfind(" ")
    if text[limit - 1] != " " and space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–") + "…"


def _excel_value(value, kind: str):
    if value is None:
        return None
    if kind == INT:
        return int(value)
    if kind == PERCENT:
        return round(float(value) / 100, 6)
    if kind == DATE:
        return value.date() if isinstance(value, datetime) else value
    return str(value)


def _shown_width(value, kind: str) -> int:
    """How many characters the cell takes on screen, for the column width."""
    if value is None:
        return 0
    if kind == PERCENT:
        return len(f"{float(value):.1f}%")
    if kind == INT:
        return len(f"{int(value):,}")
    if kind == DATE:
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_table(sheet, table: Table) -> None:
    kinds = [column.kind for column in table.columns]
    widths = [len(column.label) for column in table.columns]
    bold = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.data_type = "s"
        cell.font, cell.fill = bold, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(table.rows, start=2):
        for index, (value, kind) in enumerate(zip(row, kinds), start=1):
            cell = sheet.cell(row=row_number, column=index, value=_excel_value(value, kind))
            if value is None:
                continue
            if kind == INT:
                cell.number_format = INT_FORMAT
            elif kind == PERCENT:
                cell.number_format = PERCENT_FORMAT
            elif kind == DATE:
                cell.number_format = DATE_FORMAT
            else:
                cell.data_type = "s"  # text stays text, even when it begins with "="
            widths[index - 1] = max(widths[index - 1], _shown_width(value, kind))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, _WIDTH_MIN), _WIDTH_MAX)
    last_column = get_column_letter(max(len(table.columns), 1))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{len(table.rows) + 1}"


def _write_about(sheet, about: list[tuple[str, object]], tables: list[Table]) -> None:
    """The first sheet: what the workbook is about (unit, year, date) and what each sheet holds."""
    bold = Font(bold=True)
    row = 1
    for label, value in about:
        sheet.cell(row=row, column=1, value=label).font = bold
        cell = sheet.cell(row=row, column=2, value=value)
        if isinstance(value, (date, datetime)):
            cell.number_format = DATE_FORMAT
        elif not isinstance(value, int):
            cell.data_type = "s"
        row += 1
    row += 1
    for table in tables:
        sheet.cell(row=row, column=1, value=table.title).font = bold
        if table.note:
            note = sheet.cell(row=row, column=2, value=table.note)
            note.data_type = "s"
            note.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    sheet.column_dimensions["A"].width = min(max([len(str(label)) for label, _ in about]
                                                 + [len(t.title) for t in tables] + [10]) + 2, _WIDTH_MAX)
    sheet.column_dimensions["B"].width = _WIDTH_MAX


def xlsx_bytes(tables: list[Table], *, about: list[tuple[str, object]] | None = None,
               about_title: str = "Thông tin") -> bytes:
    """One sheet a table, named after its title. With `about` (label, value pairs such as the unit and
    the year), a first sheet lists them with each table's title and note; a workbook of one table still opens
    on the table."""
    workbook = Workbook()
    first = workbook.active
    taken: set[str] = set()
    if about is not None:
        first.title = sheet_title(about_title)
        taken.add(first.title)
        _write_about(first, about, tables)
    else:
        workbook.remove(first)
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))
        taken.add(sheet.title)
        _write_table(sheet, table.for_people())
    if not workbook.worksheets:
        workbook.create_sheet(sheet_title(about_title))
    if about is not None and len(tables) == 1:
        _open_on(workbook, 1)  # a single table opens on its figures; a workbook of several on what it holds
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _open_on(workbook: Workbook, index: int) -> None:
    """Open the workbook on its sheet `index`, that sheet alone selected (two would be edited together)."""
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    workbook.active = index
    workbook.active.sheet_view.tabSelected = True


def _csv_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == INT:
        return str(int(value))
    if kind == PERCENT:
        return f"{float(value):.1f}"
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark, comma separated, the header row of Vietnamese
    column names first, percentages as numbers 0–100 with one decimal, dates DD/MM/YYYY."""
    table = table.for_people()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(column.label, "text") for column in table.columns])
    kinds = [column.kind for column in table.columns]
    for row in table.rows:
        writer.writerow([_csv_text(value, kind) for value, kind in zip(row, kinds)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def name_part(text: str, fallback: str) -> str:
    """`text` (a unit code, a table key …) as part of a file name: ASCII letters, digits, _ and -, so
    that every browser keeps the name as it is; `fallback` when nothing is left."""
    return _UNSAFE_IN_NAME.sub("-", text).strip("-") or fallback


def download(tables: list[Table], extension: str, filename: str, about: list[tuple[str, object]] | None = None):
    """A response handing the tables over: an .xlsx workbook, or the first table as .csv."""
    if extension == "csv":
        data, mimetype = csv_bytes(tables[0]), CSV_MIMETYPE
    else:
        data, mimetype = xlsx_bytes(tables, about=about, about_title=_("Thông tin")), XLSX_MIMETYPE
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
