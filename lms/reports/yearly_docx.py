"""The yearly report as a Word document, for the unit to complete and edit before it is signed and sealed:
laid out as Vietnamese administrative documents are (A4, Times New Roman 13 pt, margins of 20/20/30/15 mm),
the same text and tables as the PDF, tables whose header row repeats on every page, page numbers as fields."""
import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask_babel import gettext as _

from lms.db import utcnow
from lms.reports.tables import TEXT, Table
from lms.reports.yearly import (YearlyReport, alignments, cells, closing, letterhead, nfc, outline, subject,
                                table_caption, title_block, verdict_mark)

FONT = "Times New Roman"  # the font of Vietnamese administrative documents, with every Vietnamese letter
LANGUAGE = "vi-VN"
_BODY = Pt(13)
_MUTED = RGBColor(0x4A, 0x55, 0x60)
_MARKS = {"met": RGBColor(0x0B, 0x5D, 0x3B), "missed": RGBColor(0xAA, 0x20, 0x20)}
_HEADING_FILL = "DEEDE4"
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}


def _set_language_and_font(style) -> None:
    style.font.name = FONT
    run_properties = style.element.get_or_add_rPr()
    run_properties.get_or_add_rFonts().set(qn("w:cs"), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), LANGUAGE)
    run_properties.append(language)


def _new_document() -> Document:
    document = Document()
    normal = document.styles["Normal"]
    _set_language_and_font(normal)
    normal.font.size = _BODY
    normal.paragraph_format.space_after = Pt(4)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    return document


def _write(paragraph, text: str, *, size: Pt = _BODY, bold=False, italic=False, color=None,
           align=WD_ALIGN_PARAGRAPH.LEFT, space_after: Pt | None = None):
    paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = space_after
    if text:
        run = paragraph.add_run(nfc(text))
        run.font.size, run.bold, run.italic = size, bold, italic
        if color is not None:
            run.font.color.rgb = color
    return paragraph


def _paragraph(container, text: str = "", **style):
    """A new paragraph at the end of the document or of a cell."""
    return _write(container.add_paragraph(), text, **style)


def _first_paragraph(cell, text: str, **style):
    """The paragraph every new cell already holds, written into."""
    return _write(cell.paragraphs[0], text, space_after=Pt(0), **style)


def _field(paragraph, instruction: str) -> None:
    """A field Word computes when it lays the page out: PAGE, NUMPAGES."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_numbers(document) -> None:
    """"Trang 1/3" centred in the footer, the numbers as fields."""
    document.styles["Footer"].font.size = Pt(10)
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marked = _("Trang %(page)s/%(pages)s", page="\0PAGE\0", pages="\0NUMPAGES\0")
    for piece in marked.split("\0"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(paragraph, piece)
        elif piece:
            paragraph.add_run(piece)


def _text_width(document) -> int:
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def _set_widths(grid, widths: list[int]) -> None:
    """Column widths on the grid (LibreOffice reads these) and on every cell (Word reads those)."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = width
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _keep_on_one_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _two_columns(document, left_share: float):
    """A table without borders used for layout: two blocks side by side on the text width, never split
    across pages."""
    grid = document.add_table(rows=1, cols=2)
    width = _text_width(document)
    _set_widths(grid, [int(width * left_share), width - int(width * left_share)])
    _keep_on_one_page(grid.rows[0])
    return grid.rows[0].cells


def _header(document, report: YearlyReport) -> None:
    left, _right = _two_columns(document, 0.5)
    organisation, unit, rule = letterhead(report)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if organisation:
        _first_paragraph(left, organisation, size=Pt(13), align=center)
        _paragraph(left, unit, size=Pt(13), bold=True, align=center, space_after=Pt(0))
    else:
        _first_paragraph(left, unit, size=Pt(13), bold=True, align=center)
    _paragraph(left, rule, size=Pt(13), align=center, space_after=Pt(0))
    title, about, period = title_block(report)
    _paragraph(document, "", space_after=Pt(6))
    _paragraph(document, title, size=Pt(15), bold=True, align=center, space_after=Pt(2))
    _paragraph(document, about, size=Pt(14), bold=True, align=center, space_after=Pt(2))
    _paragraph(document, period, size=Pt(12), italic=True, align=center, space_after=Pt(12))


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_as_header(row) -> None:
    """Word prints this row again at the top of every page the table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


# Rough widths of Times New Roman, in ems: a digit is half an em; a word of a bold heading a little wider
# per letter. Enough to keep figures and the words of headings whole.
_FIGURE_EM, _HEADING_EM = 0.5, 0.6
_CELL_PADDING = Pt(12)  # the cell's margins on both sides, and a little room


def _column_widths(document, table: Table, texts: list[list[str]], size: Pt) -> list[int]:
    """The text width shared out: every column wide enough for its longest heading word, a column of figures
    also for its widest figure; what is left goes to the columns of words, the first one most."""
    need, weights = [], []
    for index, column in enumerate(table.columns):
        heading_word = max((len(word) for word in column.label.split()), default=0) * _HEADING_EM
        if column.kind == TEXT and column.key != "met":
            need.append(int(heading_word * size) + _CELL_PADDING)
            weights.append(3.0 if index == 0 else 2.0)
        else:
            widest = max((len(row[index]) for row in texts), default=0) * _FIGURE_EM
            need.append(int(max(heading_word, widest) * size) + _CELL_PADDING)
            weights.append(0.0)
    width = _text_width(document)
    spare = width - sum(need)
    if spare < 0:  # too many columns: each as much as its share of what it needs
        return [int(width * n / sum(need)) for n in need]
    weights = weights if any(weights) else [1.0] * len(need)
    return [n + int(spare * weight / sum(weights)) for n, weight in zip(need, weights)]


def _table_size(table: Table) -> Pt:
    """Wide tables are set smaller so their figures keep to one line."""
    return Pt(11) if len(table.columns) <= 5 else Pt(10) if len(table.columns) <= 8 else Pt(9)


def _print_table(document, table: Table, number: int) -> None:
    caption = _paragraph(document, table_caption(table, number), size=Pt(12), bold=True, space_after=Pt(3))
    caption.paragraph_format.keep_with_next = True
    if not table.rows:
        _paragraph(document, _("Không có số liệu."), size=Pt(12), italic=True, color=_MUTED)
        return
    size, aligns = _table_size(table), [_ALIGN[align] for align in alignments(table)]
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    heading = grid.rows[0]
    _repeat_as_header(heading)
    for cell, column in zip(heading.cells, table.columns):
        _first_paragraph(cell, column.label, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, _HEADING_FILL)
    texts = cells(table)
    for values, row_texts in zip(table.rows, texts):
        row_cells = grid.add_row().cells
        for index, (cell, text) in enumerate(zip(row_cells, row_texts)):
            mark = verdict_mark(table, values, index)
            _first_paragraph(cell, text, size=size, bold=mark is not None, color=_MARKS.get(mark), align=aligns[index])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _set_widths(grid, _column_widths(document, table, texts, size))
    if table.note:
        _paragraph(document, table.note, size=Pt(10), italic=True, color=_MUTED, space_after=Pt(8))
    else:
        _paragraph(document, "", space_after=Pt(4))


def _closing(document, report: YearlyReport) -> None:
    words = closing(report)
    sentence = _paragraph(document, words.sentence, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=Pt(12))
    sentence.paragraph_format.keep_with_next = True
    left, right = _two_columns(document, 0.45)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _first_paragraph(right, words.date_line, size=Pt(13), italic=True, align=center)
    for line in words.signatory:
        _paragraph(right, line, size=Pt(13), bold=True, align=center, space_after=Pt(0))
    _paragraph(right, words.signature_hint, size=Pt(12), italic=True, align=center, space_after=Pt(60))
    _first_paragraph(left, _("Nơi nhận:"), size=Pt(12), bold=True, italic=True).paragraph_format.space_before = Pt(18)
    for receiver in words.receivers:
        _paragraph(left, receiver, size=Pt(11), space_after=Pt(0))


def render(report: YearlyReport) -> bytes:
    document = _new_document()
    properties = document.core_properties
    properties.title = nfc(_("Báo cáo năm %(year)s: %(unit)s", year=report.year, unit=report.unit.name))
    properties.subject = nfc(subject())
    properties.author = nfc(report.unit.name)
    properties.language = LANGUAGE
    properties.created = properties.modified = utcnow()  # not the date of the empty document it starts from
    properties.last_modified_by = ""
    _page_numbers(document)
    _header(document, report)
    number = 0
    for part in outline(report):
        heading = _paragraph(document, part.heading, size=Pt(13), bold=True, space_after=Pt(4))
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(8 if part.level == 1 else 4)
        for line in part.lines:
            paragraph = _paragraph(document, f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = Mm(10)
        for key in part.table_keys:
            number += 1
            _print_table(document, report.tables[key], number)
    _closing(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
