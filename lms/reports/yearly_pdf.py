"""The yearly report as a PDF to send: A4, the fonts shipped with the application, tables whose header row
repeats on every page they span, page numbers "Trang 1/3"."""
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay

from lms.courses.certificates import font_files
from lms.reports.tables import TEXT, Table
from lms.reports.yearly import (YearlyReport, alignments, cells, closing, letterhead, nfc, outline, subject,
                                table_caption, title_block, verdict_mark)

_GREEN = (11, 93, 59)
_INK = (27, 31, 35)
_MUTED = (74, 85, 96)
_RED = (170, 32, 32)
_HEADING_FILL = (222, 237, 228)
_BODY = 10.5


def _italic_file(regular: Path) -> Path:
    """The italic companion of the regular file font_files() chose, or the regular one."""
    for name in ("BeVietnamPro-Italic.ttf", "DejaVuSans-Oblique.ttf"):
        if regular.with_name(name).is_file():
            return regular.with_name(name)
    return regular


class _ReportPDF(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.family, regular, bold = font_files()
        self.add_font(self.family, "", str(regular))
        self.add_font(self.family, "B", str(bold))
        self.add_font(self.family, "I", str(_italic_file(regular)))
        self.set_margins(25, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_text_color(*_INK)

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(*_MUTED)
        self.cell(0, 5, nfc(_("Trang %(page)s/%(pages)s", page=self.page_no(), pages="{nb}")), align="C")
        self.set_text_color(*_INK)

    def write_line(self, text: str, size: float = _BODY, *, style: str = "", align: str = "L",
                   color=_INK, height: float | None = None, width: float = 0):
        self.set_font(self.family, style, size)
        self.set_text_color(*color)
        self.multi_cell(width, height or size * 0.52, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*_INK)

    def heading(self, text: str, size: float = 11.5):
        self.keep_room(22)
        self.ln(2.5)
        self.write_line(text, size, style="B", color=_GREEN)
        self.ln(1)

    def paragraphs(self, lines: list[str], *, bullet: str = "- "):
        for line in lines:
            self.write_line(f"{bullet}{line}", _BODY, align="J")
            self.ln(0.8)

    def keep_room(self, height: float):
        """Start a new page unless `height` mm are left above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


_PAD_X, _PAD_Y = 1.2, 1.1
_TABLE_SIZES = (8.0, 7.5, 7.0, 6.5)  # a table with many columns is set smaller until its figures fit
# The width (mm) a column of figures takes at least, tried in turn while the text columns keep _TEXT_SHARE of
# the line: the headings of figures then wrap on few lines.
_FIGURE_WIDTHS = (16.0, 12.5, 0)
_TEXT_SHARE = 0.4


def _widths(pdf: _ReportPDF, table: Table, texts: list[list[str]], size: float,
            figure_at_least: float) -> list[float] | None:
    """Column widths in mm across the text width: figures (and short verdicts) never wrap, nor does any word
    of a heading, and a column of figures is at least `figure_at_least` wide; the text columns share the width
    left, the first one most. None when the table does not fit at this font size."""
    need, weights = [], []
    for index, column in enumerate(table.columns):
        pdf.set_font(pdf.family, "B", size)
        longest_word = max((pdf.get_string_width(word) for word in nfc(column.label).split()), default=0)
        values = [row[index] for row in texts]
        if column.kind != TEXT or column.key == "met":
            pdf.set_font(pdf.family, "B" if column.key == "met" else "", size)
            widest = max((pdf.get_string_width(value) for value in values), default=0)
            need.append(max(widest + 2 * _PAD_X + 0.6, longest_word + 2 * _PAD_X + 0.6, figure_at_least))
            weights.append(0.0)
        else:
            pdf.set_font(pdf.family, "", size)
            widest_word = max((pdf.get_string_width(word) for value in values for word in value.split()), default=0)
            need.append(max(widest_word, longest_word) + 2 * _PAD_X + 0.6)
            weights.append(4.0 if index == 0 else 2.5)
    spare = pdf.epw - sum(need)
    if spare < 0:
        return None
    if not any(weights):
        return [width + spare / len(need) for width in need]
    return [width + spare * weight / sum(weights) for width, weight in zip(need, weights)]


def _print_table(pdf: _ReportPDF, table: Table, number: int) -> None:
    pdf.keep_room(28)
    pdf.ln(1.5)
    pdf.write_line(table_caption(table, number), 9.5, style="B")
    pdf.ln(1)
    if not table.rows:
        pdf.write_line(_("Không có số liệu."), 9, style="I", color=_MUTED)
        pdf.ln(2)
        return
    texts = cells(table)
    text_columns = [i for i, column in enumerate(table.columns) if column.kind == TEXT and column.key != "met"]
    for size, comfort in [(size, comfort) for size in _TABLE_SIZES for comfort in _FIGURE_WIDTHS]:
        widths = _widths(pdf, table, texts, size, comfort * size / _TABLE_SIZES[0])
        # Wider figure columns only while the text keeps a fair share of the line.
        if widths is not None and (not comfort or sum(widths[i] for i in text_columns) >= _TEXT_SHARE * pdf.epw
                                   or not text_columns):
            break
    # else: as small as it gets; fpdf shares the width equally and wraps what it must
    pdf.set_font(pdf.family, "", size)
    marks = {"met": FontFace(emphasis="BOLD", color=_GREEN), "missed": FontFace(emphasis="BOLD", color=_RED)}
    with pdf.table(col_widths=widths, text_align=[align.upper() for align in alignments(table)],
                   line_height=size * 0.49, padding=(_PAD_Y, _PAD_X),
                   headings_style=FontFace(emphasis="BOLD", fill_color=_HEADING_FILL),
                   repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE, v_align="MIDDLE",
                   first_row_as_headings=True) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(nfc(column.label), align="CENTER")
        for values, row_texts in zip(table.rows, texts):
            row = grid.row()
            for index, text in enumerate(row_texts):
                row.cell(text, style=marks.get(verdict_mark(table, values, index)))
    if table.note:
        pdf.ln(1)
        pdf.write_line(table.note, 7.5, style="I", color=_MUTED)
    pdf.ln(2)


def _header(pdf: _ReportPDF, report: YearlyReport) -> None:
    block = 88
    pdf.set_y(16)
    organisation, unit, rule = letterhead(report)
    if organisation:
        pdf.write_line(organisation, 10, align="C", width=block)
    pdf.write_line(unit, 10.5, style="B", align="C", width=block)
    pdf.write_line(rule, 10, align="C", width=block)
    pdf.ln(7)
    title, about, period = title_block(report)
    pdf.write_line(title, 16, style="B", align="C", color=_GREEN, height=8)
    pdf.ln(1)
    pdf.write_line(about, 12, style="B", align="C")
    pdf.ln(1)
    pdf.write_line(period, 9.5, style="I", align="C", color=_MUTED)
    pdf.ln(5)


def _closing(pdf: _ReportPDF, report: YearlyReport) -> None:
    words = closing(report)
    pdf.keep_room(70)  # the closing sentence stays with the signature
    pdf.ln(2)
    pdf.write_line(words.sentence, _BODY, align="J")
    pdf.ln(5)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    right = pdf.l_margin + half
    top = pdf.get_y()
    # Right: place and date, then who signs.
    pdf.set_xy(right, top)
    pdf.write_line(words.date_line, 10, style="I", align="C", width=half)
    pdf.ln(1)
    for text, style, size in [*((line, "B", 10.5) for line in words.signatory), (words.signature_hint, "I", 9)]:
        pdf.set_x(right)
        pdf.write_line(text, size, style=style, align="C", width=half)
    signature_end = pdf.get_y() + 24
    # Left: who receives it.
    pdf.set_xy(pdf.l_margin, top + 6)
    pdf.write_line(_("Nơi nhận:"), 9, style="B", width=half - 10)
    for receiver in words.receivers:
        pdf.write_line(receiver, 8.5, width=half - 10)
    pdf.set_y(max(pdf.get_y(), signature_end))


def render(report: YearlyReport) -> bytes:
    pdf = _ReportPDF()
    pdf.set_title(nfc(_("Báo cáo năm %(year)s: %(unit)s", year=report.year, unit=report.unit.name)))
    pdf.set_subject(nfc(subject()))
    pdf.set_author(nfc(report.unit.name))
    pdf.set_lang("vi")
    pdf.alias_nb_pages()
    pdf.add_page()
    _header(pdf, report)
    number = 0
    for part in outline(report):
        pdf.heading(part.heading, 11.5 if part.level == 1 else 10.5)
        pdf.paragraphs(part.lines)
        for key in part.table_keys:
            number += 1
            _print_table(pdf, report.tables[key], number)
    _closing(pdf, report)
    return bytes(pdf.output())
