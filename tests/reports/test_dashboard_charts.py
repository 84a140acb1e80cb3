"""Chart geometry of the dashboard: bars as long as their figures, stacked bars that add up, a heat map
shaded by value, text that keeps its contrast, and the right chart for each table."""
import pytest
from flask_babel import force_locale

from lms.reports import charts
from lms.reports.tables import INT, PERCENT, Column, Table


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context("/"):
        yield


def percent_table(key="coverage") -> Table:
    return Table(key=key, title="Độ phủ đào tạo",
                 columns=[Column("unit", "Đơn vị"), Column("cadres", "Cán bộ", INT),
                          Column("percent_completed", "Tỉ lệ hoàn thành", PERCENT)],
                 rows=[("Tỉnh đoàn Lào Cai", 10, 40.0), ("Tỉnh đoàn An Giang", 4, 100.0),
                       ("Tỉnh đoàn Hà Giang", 0, None)],
                 row_units=[2, 5, 9])


def test_bar_lengths_follow_the_percentages():
    table = percent_table()
    chart = charts.chart_for(table)
    assert chart.kind == "bars"
    span = chart.right - chart.left
    assert [round(bar.width, 3) for bar in chart.bars] == [round(span * .4, 3), span, 0]
    assert [bar.value_text for bar in chart.bars] == ["40,0%", "100,0%", "–"]
    assert [bar.label for bar in chart.bars] == ["Tỉnh đoàn Lào Cai", "Tỉnh đoàn An Giang", "Tỉnh đoàn Hà Giang"]
    assert not chart.bars[2].has_value
    assert [label for _, label in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert "Tỉnh đoàn Lào Cai: 40,0%" in chart.desc and "Tỉnh đoàn Hà Giang: –" in chart.desc
    assert chart.bars[1].y - chart.bars[0].y == charts.BAR_ROW and chart.height > chart.bars[-1].y


def test_targets_draw_a_marker_at_the_target():
    table = Table(key="targets", title="Mục tiêu",
                  columns=[Column("label", "Chỉ tiêu"), Column("target_percent", "Mục tiêu (%)", PERCENT),
                           Column("actual", "Đạt", INT), Column("out_of", "Trên", INT),
                           Column("actual_percent", "Thực tế (%)", PERCENT), Column("met", "Kết quả")],
                  rows=[("Cán bộ hoàn thành khóa học cốt lõi", 70.0, 3, 10, 30.0, "Chưa đạt")])
    chart = charts.chart_for(table)
    bar = chart.bars[0]
    assert bar.value_text == "30,0%" and bar.width == pytest.approx(charts.WIDTH * .3)
    assert bar.marker_x == pytest.approx(charts.WIDTH * .7)
    assert chart.marker_label == "Mục tiêu (%)" and "mục tiêu 70,0%" in chart.desc


def test_counts_scale_to_a_round_maximum():
    table = Table(key="cascade", title="Lan tỏa", columns=[Column("unit", "Đơn vị"), Column("cohorts", "Lớp", INT),
                                                        Column("participants_trained", "Người được tập huấn", INT)],
                  rows=[("A", 2, 1234), ("B", 1, 300)])
    chart = charts.chart_for(table)
    assert chart.title.endswith("Người được tập huấn")
    assert chart.bars[0].width == pytest.approx(charts.WIDTH * 1234 / 2000)
    assert chart.bars[0].value_text == "1.234"
    assert [label for _, label in chart.ticks] == ["0", "1.000", "2.000"]


def test_stacked_bars_add_up_and_keep_status_colours():
    table = Table(key="trainers", title="Tập huấn viên theo cấp",
                  columns=[Column("tier", "Cấp tập huấn viên"), Column("candidates", "Ứng viên", INT),
                           Column("certified", "Đã chứng nhận", INT), Column("expired", "Hết hạn", INT),
                           Column("suspended", "Tạm đình chỉ", INT)],
                  rows=[("Tập huấn viên nguồn", 1, 3, 0, 1), ("Tập huấn viên tỉnh", 0, 0, 0, 0)])
    chart = charts.chart_for(table)
    assert chart.kind == "stacked"
    first, second = chart.rows
    assert first.total_text == "5" and second.total_text == "0" and second.segments == []
    assert [s.value_text for s in first.segments] == ["1", "3", "1"]
    assert sum(s.width for s in first.segments) == pytest.approx(charts.WIDTH * 5 / 5)
    assert first.segments[1].x == pytest.approx(first.segments[0].x + first.segments[0].width)
    fills = dict((label, fill) for fill, label in chart.legend)
    assert fills["Đã chứng nhận"] == "#0b5d3b" and fills["Tạm đình chỉ"] == "#b3261e"
    assert len(set(fills.values())) == 4
    assert "Tập huấn viên nguồn: Ứng viên 1, Đã chứng nhận 3, Hết hạn 0, Tạm đình chỉ 1" in chart.desc


def test_heat_map_shades_by_value_with_readable_text():
    table = Table(key="gaps", title="Khoảng trống năng lực",
                  columns=[Column("level", "Cấp"), Column("D1", "D1", PERCENT),
                           Column("D2", "D2 · Tổ chức hoạt động tình nguyện", PERCENT),
                           Column("D3", "Kỹ năng điều phối và truyền thông", PERCENT)],
                  rows=[("Cấp tỉnh", 0.0, 19.9, 20.0), ("Cấp cơ sở", 59.9, 80.0, None)])
    chart = charts.chart_for(table)
    assert chart.kind == "heat"
    assert [h.text for h in chart.headers] == ["D1", "D2", "3"]
    assert [h.label for h in chart.renamed] == ["D2 · Tổ chức hoạt động tình nguyện",
                                                "Kỹ năng điều phối và truyền thông"]
    fills = [cell.fill for cell in chart.cells]
    shades = charts.HEAT_SHADES
    assert fills == [shades[0], shades[0], shades[1], shades[2], shades[4], charts.HEAT_EMPTY]
    assert [cell.text for cell in chart.cells] == ["0,0", "19,9", "20,0", "59,9", "80,0", "–"]
    for cell in chart.cells:
        assert charts.contrast(cell.text_fill, cell.fill) >= 4.5
    assert "Cấp cơ sở: D1 59,9%" in chart.desc
    assert [label for _, _, label in chart.legend][0] == "dưới 20%"


def test_every_chart_colour_reads_against_its_background():
    for fill in charts.HEAT_SHADES:
        assert charts.contrast(charts.text_colour_on(fill), fill) >= 4.5
    # Bars and segments stand out from the white card and the track (non-text contrast 3:1).
    for colour in {charts.BAR, *charts.SERIES_COLOURS.values(), *charts.FALLBACK_COLOURS}:
        assert charts.contrast(colour, "#ffffff") >= 3
    for text in (charts.INK, charts.MUTED):
        assert charts.contrast(text, "#ffffff") >= 4.5


def test_no_chart_for_an_empty_table_and_long_labels_are_shortened():
    empty = Table(key="coverage", title="Độ phủ", columns=percent_table().columns)
    assert charts.chart_for(empty) is None
    no_figures = percent_table(key="gaps")
    no_figures.rows = [("Cấp tỉnh", 0, None)]
    assert charts.chart_for(no_figures) is None
    no_figures.key = "coverage"
    assert charts.chart_for(no_figures) is None
    no_figures.rows = [("Cấp tỉnh", 0, 0.0)]
    assert charts.chart_for(no_figures).bars[0].value_text == "0,0%"
    long = percent_table()
    long.rows = [("Đoàn Thanh niên Cộng sản Hồ Chí Minh trường Đại học Sư phạm Kỹ thuật", 1, 50.0), ("Ngắn", 1, 1.0)]
    chart = charts.chart_for(long)
    first, second = chart.bars
    assert first.lines == ["Đoàn Thanh niên Cộng sản Hồ Chí", "Minh trường Đại học Sư phạm Kỹ t…"]
    assert second.lines == ["Ngắn"]
    # The two-line label pushes its bar and the next row down by a line.
    assert first.bar_y == first.y + 18 + charts.LINE_HEIGHT and second.bar_y == second.y + 18
    assert second.y - first.y == charts.BAR_ROW + charts.LINE_HEIGHT


def test_wrap_breaks_between_words():
    assert charts.wrap("Chi đoàn / chi hội", 16) == ["Chi đoàn / chi", "hội"]
    assert charts.wrap("Tỉnh / thành phố", 16) == ["Tỉnh / thành phố"]
    assert charts.wrap("a b c d e f g h", 3) == ["a b", "c…"]
    assert charts.wrap("Siêuđơnvịtênrấtdàikhôngcódấucách", 10) == ["Siêuđơnvị…"]


def test_numbers_are_written_in_each_readers_language_in_turn():
    """Numbers written once are kept per language: a Vietnamese reader after an English one reads 1.234,5."""
    def written():
        return [charts.number_text(1234, INT), charts.number_text(25.6, PERCENT), charts.share_text(1234.5),
                charts.whole_percent(75)]
    vietnamese, english = ["1.234", "25,6%", "1.234,5", "75%"], ["1,234", "25.6%", "1,234.5", "75%"]
    for locale, expected in [("vi", vietnamese), ("en", english), ("vi", vietnamese)]:
        with force_locale(locale):
            assert written() == expected, locale


def unit_rates(rates) -> Table:
    return Table(key="coverage", title="Độ phủ đào tạo",
                 columns=[Column("unit", "Đơn vị"), Column("percent_completed", "Tỉ lệ hoàn thành", PERCENT)],
                 rows=[(f"Đoàn xã {number:02d}", rate) for number, rate in enumerate(rates, 1)],
                 row_units=list(range(100, 100 + len(rates))))


def test_a_chart_of_many_units_draws_those_furthest_behind_and_says_what_it_leaves_out():
    # Sixteen units: one without a figure, three at 60% where the twelfth drawn falls.
    rates = [60.0, 5.0, None, 90.0, 10.0, 15.0, 60.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0]
    chart = charts.chart_for(unit_rates(rates))
    assert len(chart.bars) == charts.CHART_ROWS == 12
    assert [bar.value_text for bar in chart.bars] == ["5,0%", "10,0%", "15,0%", "20,0%", "25,0%", "30,0%",
                                                      "35,0%", "40,0%", "45,0%", "50,0%", "55,0%", "60,0%"]
    assert chart.bars[0].label == "Đoàn xã 02" and chart.bars[-1].label == "Đoàn xã 01"
    assert "Đoàn xã 04" not in chart.desc and "Đoàn xã 02: 5,0%" in chart.desc
    assert chart.cut == ("Biểu đồ vẽ 12 trong 16 đơn vị của bảng: những đơn vị có “Tỉ lệ hoàn thành” thấp nhất; "
                         "bảng dưới có đủ các đơn vị. Còn 2 đơn vị khác cùng mức 60,0% không được vẽ. "
                         "1 đơn vị chưa có số liệu không được vẽ.")
    with force_locale("en"):
        assert charts.chart_for(unit_rates(rates)).cut == (
            "The chart draws the 12 of the table's 16 units with the lowest “Tỉ lệ hoàn thành”; the table below "
            "lists them all. 2 more units at the same 60.0% are not drawn. 1 unit without figures is not drawn.")


def test_a_chart_of_few_units_or_of_rows_that_are_not_units_draws_every_row_in_order():
    twelve = charts.chart_for(unit_rates([float(90 - n) for n in range(12)]))
    assert [bar.label for bar in twelve.bars] == [f"Đoàn xã {n:02d}" for n in range(1, 13)] and twelve.cut == ""
    courses = unit_rates([float(90 - n) for n in range(20)])
    courses.row_units = [None] * 20
    chart = charts.chart_for(courses)
    assert len(chart.bars) == 20 and chart.cut == ""


def test_a_stacked_chart_of_many_units_draws_those_with_the_least_done():
    statuses = [Column("not_started", "Chưa bắt đầu", INT), Column("draft", "Đang soạn", INT),
                Column("submitted", "Đã gửi", INT), Column("approved", "Đã phê duyệt", INT)]
    # Unit n has n of its 14 assessments approved; unit 14 has none at all.
    rows = [(f"Đoàn xã {n:02d}", 14 - n, 0, 0, n) for n in range(1, 14)] + [("Đoàn xã 14", 0, 0, 0, 0)]
    table = Table(key="capacity", title="Đánh giá năng lực đơn vị",
                  columns=[Column("unit", "Đơn vị"), *statuses, Column("total", "Tổng số", INT)],
                  rows=[(*row, sum(row[1:])) for row in rows], row_units=list(range(1, 15)))
    chart = charts.chart_for(table)
    assert [row.label for row in chart.rows] == [f"Đoàn xã {n:02d}" for n in range(1, 13)]
    assert chart.cut == ("Biểu đồ vẽ 12 trong 14 đơn vị của bảng: những đơn vị có tỉ lệ “Đã gửi” + “Đã phê duyệt” "
                         "trên tổng số thấp nhất; bảng dưới có đủ các đơn vị. "
                         "1 đơn vị chưa có số liệu không được vẽ.")
