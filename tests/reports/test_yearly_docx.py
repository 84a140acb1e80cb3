"""The yearly report as a Word document, for a unit to complete before it signs: the same sections, sentences
and tables as the PDF (every cell equal to the report tables of lms.reports.metrics), laid out as Vietnamese
administrative documents are, and served only to whoever may see the unit's reports."""
import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from sqlalchemy import select

from lms.db import db, utcnow
from lms.demo import DEMO_PASSWORD
from lms.i18n import local_today
from lms.orgs.models import Unit
from lms.people.models import User
from lms.reports import metrics, yearly
from tests.conftest import login, sign_in_as

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(unit: Unit, year: int | str | None = None) -> str:
    return f"/reports/yearly.docx?unit={unit.id}" + ("" if year is None else f"&year={year}")


def opened(response) -> Document:
    assert response.status_code == 200
    return Document(io.BytesIO(response.data))


def body_texts(document: Document) -> list[str]:
    """The paragraphs outside tables, in order, without the empty ones."""
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def cell_texts(grid) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in grid.rows]


def data_tables(document: Document) -> list:
    """The report's tables: the first and the last table lay out the letterhead and the signature."""
    return document.tables[1:-1]


def expected(app, unit: Unit, year: int) -> tuple[yearly.YearlyReport, list]:
    with app.test_request_context():
        report = yearly.build(unit, year)
        parts = yearly.outline(report)
    return report, parts


def assert_tables_as_built(document: Document, report: yearly.YearlyReport) -> None:
    """Bảng 1 … in the order of the sections, each a grid of exactly the table's labels and cells."""
    keys = [key for part in yearly.outline(report) for key in part.table_keys]
    captions = [text for text in body_texts(document) if text.startswith("Bảng ")]
    assert captions == [f"Bảng {number}. {report.tables[key].title}" for number, key in enumerate(keys, 1)]
    grids = iter(data_tables(document))
    for key in keys:
        table = report.tables[key]
        if not table.rows:
            continue
        grid = next(grids)
        assert cell_texts(grid) == [[column.label for column in table.columns], *yearly.cells(table)], key
        # The header row repeats on every page; figures stand right, text left.
        assert grid.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for index, align in enumerate(yearly.alignments(table)):
            for row in grid.rows[1:]:
                assert row.cells[index].paragraphs[0].alignment == {
                    "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                    "center": WD_ALIGN_PARAGRAPH.CENTER}[align], (key, index)
    assert next(grids, None) is None


# --- The file ---------------------------------------------------------------------------------------

def test_the_report_is_a_word_attachment_named_after_year_and_unit(client, tree, admin_a, report_data):
    sign_in_as(client, admin_a)
    response = client.get(url(tree.province_a, report_data))
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="bao-cao-nam-{report_data}-DOAN-LCI.docx"'
    assert response.headers["Cache-Control"] == "private, no-store"
    document = opened(response)
    assert document.core_properties.title == f"Báo cáo năm {report_data}: Tỉnh đoàn Lào Cai"
    assert document.core_properties.language == "vi-VN"
    # Word shows when the file was made: today, not the date of the empty document it starts from.
    assert document.core_properties.created.date() == document.core_properties.modified.date() == utcnow().date()


def test_the_page_is_laid_out_as_an_administrative_document(client, tree, admin_a, report_data):
    sign_in_as(client, admin_a)
    document = opened(client.get(url(tree.province_a, report_data)))
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: compared to the millimetre.
    assert [round(length.mm) for length in (section.page_width, section.page_height)] == [210, 297]
    assert [round(length.mm) for length in (section.top_margin, section.bottom_margin, section.left_margin,
                                            section.right_margin)] == [20, 20, 30, 15]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    # "Trang 1/3": the page and the number of pages are fields Word fills in.
    footer = section.footer.paragraphs[0]
    assert [field.get(qn("w:instr")) for field in footer._p.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Trang ")


# --- Scope -----------------------------------------------------------------------------------------

def test_a_province_admin_gets_the_reports_of_their_province_only(client, tree, admin_a, cadre_a):
    year = local_today().year
    sign_in_as(client, admin_a)
    assert client.get(url(tree.province_a, year)).status_code == 200
    assert client.get(url(tree.branch_a, year)).status_code == 200
    assert client.get(url(tree.province_b, year)).status_code == 403
    assert client.get(url(tree.central, year)).status_code == 403
    assert client.get(url(tree.province_a, "20x5")).status_code == 400
    sign_in_as(client, cadre_a)
    assert client.get(url(tree.grassroots_a, year)).status_code == 403
    assert client.get("/reports/yearly.doc").status_code == 404


# --- What it says --------------------------------------------------------------------------------------

def test_it_says_what_the_pdf_says_in_the_same_order(client, app, tree, admin_a, report_data):
    sign_in_as(client, admin_a)
    document = opened(client.get(url(tree.province_a, report_data)))
    report, parts = expected(app, tree.province_a, report_data)
    letterhead = cell_texts(document.tables[0])[0][0].split("\n")
    assert letterhead == ["ĐOÀN TNCS HỒ CHÍ MINH", "TỈNH ĐOÀN LÀO CAI", "***"]
    texts = body_texts(document)
    assert texts[:2] == [f"BÁO CÁO NĂM {report_data}",
                         "Kết quả bồi dưỡng năng lực quản lý, điều phối hoạt động tình nguyện"]
    assert texts[2].startswith(f"Kỳ báo cáo: từ ngày 01/01/{report_data} đến ngày ")
    # Every heading, then every sentence of it, in order: the sentences the PDF prints, from the same figures.
    notes = {table.note for table in report.tables.values() if table.note and table.rows}
    assert notes <= set(texts)
    said = [text for text in texts if not text.startswith("Bảng ") and text not in notes
            and text != "Không có số liệu."]
    wanted = [line for part in parts for line in (part.heading, *(f"- {line}" for line in part.lines))]
    assert said[3:3 + len(wanted)] == wanted
    assert "- Chỉ tiêu “Cán bộ hoàn thành khóa học cốt lõi” mới đạt 25,0% (1/4), chưa đạt mức 70,0%. " \
           "Đề nghị giao khóa học cốt lõi cho cán bộ chưa đăng ký, theo dõi tiến độ và nhắc cán bộ học dở hoàn " \
           "thành." in said
    assert said[3 + len(wanted)] == ("Trên đây là báo cáo kết quả bồi dưỡng năng lực quản lý, điều phối hoạt động "
                                     f"tình nguyện năm {report_data} của Tỉnh đoàn Lào Cai.")
    receivers, signature = (cell.text.split("\n") for cell in document.tables[-1].rows[0].cells)
    today = local_today()
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert signature == [f"Lào Cai, ngày {today.day:02d} tháng {month} năm {today.year}", "TM. BAN THƯỜNG VỤ",
                         "TỈNH ĐOÀN LÀO CAI", "(Ký tên, đóng dấu)"]
    assert receivers == ["Nơi nhận:", "- Trung ương Đoàn TNCS Hồ Chí Minh (để báo cáo);", "- Lưu hồ sơ."]
    whole = "\n".join(texts + [cell.text for grid in document.tables for row in grid.rows for cell in row.cells])
    assert "An Giang" not in whole and "Phú Quốc" not in whole


def test_every_table_is_the_metrics_table(client, app, tree, admin_a, report_data):
    sign_in_as(client, admin_a)
    document = opened(client.get(url(tree.province_a, report_data)))
    report, _parts = expected(app, tree.province_a, report_data)
    assert_tables_as_built(document, report)
    # Verdicts stand out: met in green, missed in red, both bold.
    targets = data_tables(document)[-1]
    verdicts = {row.cells[-1].text: row.cells[-1].paragraphs[0].runs[0] for row in targets.rows[1:]}
    missed = verdicts[metrics.verdict(metrics.NOT_MET)]
    assert missed.bold and str(missed.font.color.rgb) == "AA2020"


def test_on_the_demo_every_table_is_printed_as_built(client, app, report_demo):
    year = local_today().year
    central = db.session.scalar(select(Unit).where(Unit.code == "DOAN-TW"))
    viewer = db.session.scalar(select(User).where(User.email == "trunguong@example.org"))
    assert login(client, viewer, DEMO_PASSWORD).status_code == 302
    document = opened(client.get(url(central, year)))
    report, _parts = expected(app, central, year)
    assert all(report.tables[key].rows for key in ("coverage", "cascade", "trainers", "capacity", "targets"))
    assert_tables_as_built(document, report)


@pytest.mark.parametrize("extension", ["pdf", "docx"])
def test_the_dashboard_offers_both_files(client, tree, admin_a, extension):
    sign_in_as(client, admin_a)
    page = client.get(f"/reports/?unit={tree.province_a.id}").get_data(as_text=True)
    assert f"/reports/yearly.{extension}?unit={tree.province_a.id}" in page
