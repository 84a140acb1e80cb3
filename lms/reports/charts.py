"""Chart geometry for the dashboard, computed on the server and drawn as inline SVG by
templates/reports/_charts.html with presentation attributes only (no script, no style attribute).

Three shapes, each built from a report Table so the chart and its table show the same numbers:
horizontal bars (one row a bar, label above the bar so long unit names fit a 360 px phone), stacked
bars (a row split by status), and a heat map (rows × percentage columns, shaded by value). Colours are
chosen so every text label keeps a contrast of at least 4.5:1 with what it is drawn on. A table of more units
than a phone's screen can chart (a province of 145 grassroots units) is charted by the units furthest behind.
"""
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from babel import numbers
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.reports.tables import DATE, INT, PERCENT, TEXT, Column, Table

WIDTH = 300  # viewBox units: about CSS pixels inside a card on a 360 px phone, scaled up on larger screens
LINE_CHARS = 40  # characters of a 13-unit font that fit across WIDTH
LINE_HEIGHT = 16  # a second line of a long label
# Text and bar colours, the same as those set at the top of templates/reports/_charts.html.
INK, MUTED, WHITE, BAR = "#1b1f23", "#4a5560", "#ffffff", "#0b5d3b"

BAR_ROW = 42  # label line, then the bar (one line more for a label on two lines)
# A chart of more units than this draws those furthest behind; the table under it lists them all.
CHART_ROWS = 12

# Stacked segments by meaning of the column (trainer status, assessment status), then a fallback.
SERIES_COLOURS = {
    "approved": "#0b5d3b", "certified": "#0b5d3b",
    "submitted": "#0a4f86", "candidate": "#0a4f86",
    "draft": "#8a5a00", "expired": "#8a5a00",
    "returned": "#b3261e", "suspended": "#b3261e",
    "not_started": "#6b7580",
}
FALLBACK_COLOURS = ("#0a4f86", "#0b5d3b", "#8a5a00", "#b3261e", "#6b7580", "#6a3d9a")

# Heat map: five shades from few to many (a gap is bad, so the shades darken towards red).
HEAT_SHADES = ("#fbeae7", "#f3c1b9", "#e48f81", "#c4493b", "#8e1f15")
HEAT_STEP = 20  # percentage points a shade
HEAT_EMPTY = "#ffffff"
HEAT_LABEL_WIDTH = 110
HEAT_LABEL_CHARS = 16  # a row label's line in a 12-unit font across HEAT_LABEL_WIDTH
HEAT_CELL_MIN, HEAT_ROW = 44, 34


# --- Colour contrast (WCAG 2) -----------------------------------------------------------------------

def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Ink or white, whichever reads better on `background`."""
    return INK if contrast(INK, background) >= contrast(WHITE, background) else WHITE


# --- Helpers -----------------------------------------------------------------------------------------

def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:max(limit - 1, 1)].rstrip() + "…"


def wrap(text: str, limit: int, max_lines: int = 2) -> list[str]:
    """`text` in lines of at most `limit` characters, broken between words; what does not fit in
    `max_lines` is cut with an ellipsis."""
    lines: list[str] = []
    words = " ".join(str(text).split()).split(" ")
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= limit:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines[-1] = shorten(lines[-1] + " " + " ".join(words), limit)
    return [shorten(line, limit) for line in lines] or [""]


def _written(value: float, pattern: str, *, percent: bool = False) -> str:
    """`value` written with the number `pattern` as the page's language writes it."""
    return _written_in(value, pattern, percent, str(get_locale()))


@lru_cache(maxsize=16384)
def _written_in(value: float, pattern: str, percent: bool, locale: str) -> str:
    """Kept per language: a national dashboard writes over a thousand numbers on every request, most of them
    the same as on the last."""
    write = numbers.format_percent if percent else numbers.format_decimal
    return write(value, format=pattern, locale=locale)


def share_text(value) -> str:
    """A percentage without its sign, as a heat map's cell shows it: 45,5 · – for none."""
    return "–" if value is None else _written(float(value), "#,##0.0")


def whole_percent(points: float) -> str:
    """A whole percentage as the page's language writes it (20%): an axis tick, a legend's bound."""
    return _written(points / 100, "#,##0%", percent=True)


def number_text(value, kind: str) -> str:
    """A cell as a person reads it in the page's language: 1.234 · 45,5% · 31/12/2026 · – for none."""
    if value is None:
        return "–"
    if kind == PERCENT:
        return _written(float(value) / 100, "#,##0.0%", percent=True)
    if kind == INT:
        return _written(int(value), "#,##0")
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    return str(value)


def row_label(table: Table, row: tuple) -> str:
    """The leading text columns of a row, joined: "Tỉnh đoàn Lào Cai", "Khóa học · Cấp cơ sở"."""
    parts = []
    for column, value in zip(table.columns, row):
        if column.kind != TEXT:
            break
        if value not in (None, ""):
            parts.append(str(value))
    return " · ".join(parts) or "–"


def _nice_max(value: float) -> float:
    """The round number (1, 2, 5 × 10ⁿ) at or above `value`, so a count axis ends on a tidy figure."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _ticks(left: float, right: float, top: float, kind: str) -> list[tuple[float, str]]:
    if kind == PERCENT:
        return [(left + (right - left) * share, whole_percent(share * 100)) for share in (0, .25, .5, .75, 1)]
    return [(left + (right - left) * share, number_text(top * share, INT)) for share in (0, .5, 1)
            if share == 0 or float(top * share).is_integer()]


# --- Horizontal bars ---------------------------------------------------------------------------------

@dataclass
class _Row:
    """A row of a horizontal chart: its label, on one line or two, above its bar."""

    y: float
    lines: list[str]

    @property
    def label(self) -> str:
        return " ".join(self.lines)

    @property
    def bar_y(self) -> float:
        return self.y + 18 + LINE_HEIGHT * (len(self.lines) - 1)


@dataclass
class Bar(_Row):
    value_text: str
    width: float  # of the filled part; 0 when there is no figure
    marker_x: float | None = None  # a target, drawn as a vertical line
    has_value: bool = True


@dataclass(kw_only=True)
class _HorizontalChart:
    """What bars and stacked bars share: a scale across the top, then one row under another. Rows are
    added from `first_row_y` down; `close` sets the height and the text description from them."""

    title: str
    desc: str = ""
    ticks: list[tuple[float, str]] = field(default_factory=list)
    height: float = 0
    width: int = WIDTH
    left: float = 0
    right: float = WIDTH
    axis_y: float = 12
    bar_height: float = 14
    cut: str = ""  # for the caption: which rows of its table the chart leaves out, when it does

    @property
    def span(self) -> float:
        return self.right - self.left

    @property
    def first_row_y(self) -> float:
        return self.axis_y + 6

    def close(self, next_row_y: float, described: list[str]) -> None:
        self.height = next_row_y + 2
        self.desc = "; ".join(described) + "." if described else _("Chưa có số liệu.")


@dataclass(kw_only=True)
class BarChart(_HorizontalChart):
    bars: list[Bar] = field(default_factory=list)
    measure: str = ""  # what the bars measure (the column's name), for the legend
    marker_label: str = ""
    kind: str = "bars"


def bar_chart(table: Table, column: Column, *, target: Column | None = None, title: str = "") -> BarChart:
    """One bar per row for `column` (PERCENT on a 0–100 scale, INT up to a round maximum), with a
    marker at the row's `target` percentage when given."""
    index = table.columns.index(column)
    target_index = table.columns.index(target) if target is not None else None
    values = [row[index] for row in table.rows]
    top = 100.0 if column.kind == PERCENT else _nice_max(max([v for v in values if v is not None], default=0))
    chart = BarChart(title=title or f"{table.title}: {column.label}", measure=column.label,
                     marker_label=target.label if target is not None else "")
    span = chart.span
    chart.ticks = _ticks(chart.left, chart.right, top, column.kind)
    y = chart.first_row_y
    described = []
    for row, value in zip(table.rows, values):
        value_text = number_text(value, column.kind)
        label = row_label(table, row)
        fraction = 0 if value is None else max(0.0, min(float(value) / top, 1.0))
        marker = None
        said = f"{label}: {value_text}"
        if target_index is not None and row[target_index] is not None:
            marker = chart.left + span * max(0.0, min(float(row[target_index]) / 100, 1.0))
            said += " " + _("(mục tiêu %(target)s)", target=number_text(row[target_index], PERCENT))
        bar = Bar(y, wrap(label, LINE_CHARS - len(value_text) - 2), value_text, span * fraction, marker,
                  value is not None)
        chart.bars.append(bar)
        described.append(said)
        y += BAR_ROW + LINE_HEIGHT * (len(bar.lines) - 1)
    chart.close(y, described)
    return chart


# --- Stacked bars ------------------------------------------------------------------------------------

@dataclass
class Segment:
    x: float
    width: float
    fill: str
    label: str
    value_text: str


@dataclass
class StackRow(_Row):
    total_text: str
    segments: list[Segment]


@dataclass(kw_only=True)
class StackedChart(_HorizontalChart):
    legend: list[tuple[str, str]]  # (fill, label)
    rows: list[StackRow] = field(default_factory=list)
    kind: str = "stacked"


def series_colour(column: Column, position: int) -> str:
    key = column.key.lower()
    for word, colour in SERIES_COLOURS.items():
        if word in key:
            return colour
    return FALLBACK_COLOURS[position % len(FALLBACK_COLOURS)]


def stacked_chart(table: Table, columns: list[Column], *, title: str = "") -> StackedChart:
    """One bar per row split into `columns` (counts), on a common scale so rows compare by length."""
    indexes = [table.columns.index(column) for column in columns]
    colours = []
    for position, column in enumerate(columns):
        colour = series_colour(column, position)
        if colour in colours:  # two series never share a colour while the palette lasts
            colour = next((c for c in FALLBACK_COLOURS if c not in colours), colour)
        colours.append(colour)
    totals = [sum(int(row[i] or 0) for i in indexes) for row in table.rows]
    top = _nice_max(max(totals, default=0))
    chart = StackedChart(title=title or table.title,
                         legend=[(colour, column.label) for colour, column in zip(colours, columns)])
    span = chart.span
    chart.ticks = _ticks(chart.left, chart.right, top, INT)
    y = chart.first_row_y
    described = []
    for row, total in zip(table.rows, totals):
        label = row_label(table, row)
        total_text = number_text(total, INT)
        x = chart.left
        segments = []
        for column, index, colour in zip(columns, indexes, colours):
            value = int(row[index] or 0)
            if value:
                width = span * value / top
                segments.append(Segment(x, width, colour, column.label, number_text(value, INT)))
                x += width
        stack = StackRow(y, wrap(label, LINE_CHARS - len(total_text) - 2), total_text, segments)
        chart.rows.append(stack)
        parts = ", ".join(f"{column.label} {number_text(row[index], INT)}" for column, index in zip(columns, indexes))
        described.append(f"{label}: {parts}")
        y += BAR_ROW + LINE_HEIGHT * (len(stack.lines) - 1)
    chart.close(y, described)
    return chart


# --- Heat map ----------------------------------------------------------------------------------------

@dataclass
class HeatCell:
    x: float
    y: float
    width: float
    height: float
    fill: str
    text_fill: str
    text: str


@dataclass
class HeatHeader:
    x: float
    text: str
    label: str  # the column's full name, listed under the map when `text` is shortened


@dataclass
class HeatMap:
    title: str
    desc: str
    headers: list[HeatHeader]
    row_labels: list[tuple[float, str]]  # (baseline, text): one or two lines a row
    cells: list[HeatCell]
    legend: list[tuple[str, str, str]]  # (fill, text colour, range)
    width: float
    height: float
    label_width: float = HEAT_LABEL_WIDTH
    header_y: float = 16
    kind: str = "heat"

    @property
    def renamed(self) -> list[HeatHeader]:
        """Headings shortened to fit a cell, to be spelled out under the map."""
        return [header for header in self.headers if header.text != header.label]


def heat_shade(value) -> int | None:
    if value is None:
        return None
    return min(int(float(value) // HEAT_STEP), len(HEAT_SHADES) - 1)


def heat_legend() -> list[tuple[str, str, str]]:
    legend = []
    for shade, fill in enumerate(HEAT_SHADES):
        low, high = shade * HEAT_STEP, (shade + 1) * HEAT_STEP
        if shade == 0:
            label = _("dưới %(high)s", high=whole_percent(high))
        elif shade == len(HEAT_SHADES) - 1:
            label = _("từ %(low)s trở lên", low=whole_percent(low))
        else:
            label = _("từ %(low)s đến dưới %(high)s", low=whole_percent(low), high=whole_percent(high))
        legend.append((fill, text_colour_on(fill), label))
    return legend


def _short_header(column: Column, position: int) -> str:
    """A column heading that fits a heat-map cell: the label itself when short, else the code its key
    carries ("domain_D1" → "D1") or the code before "·", ":" or " – " of the label, else its number."""
    label = " ".join(column.label.split())
    if len(label) <= 6:
        return label
    code = column.key.removeprefix("domain_")
    if code != column.key and 0 < len(code) <= 6:
        return code
    for separator in (" · ", ": ", " – ", " - "):
        head = label.split(separator, 1)[0].strip()
        if head != label and len(head) <= 6:
            return head
    return str(position + 1)


def heat_map(table: Table, columns: list[Column] | None = None, *, title: str = "") -> HeatMap:
    """Rows × `columns` (percentages, by default every PERCENT column), each cell shaded by its value
    and labelled with it."""
    columns = columns if columns is not None else [c for c in table.columns if c.kind == PERCENT]
    indexes = [table.columns.index(column) for column in columns]
    cell_width = max(HEAT_CELL_MIN, (WIDTH - HEAT_LABEL_WIDTH) / max(len(columns), 1))
    chart = HeatMap(title=title or table.title, desc="", headers=[], row_labels=[], cells=[],
                    legend=heat_legend(), width=HEAT_LABEL_WIDTH + cell_width * len(columns), height=0)
    top = chart.header_y + 8
    for position, column in enumerate(columns):
        chart.headers.append(HeatHeader(HEAT_LABEL_WIDTH + cell_width * (position + .5),
                                        _short_header(column, position), column.label))
    described = []
    for row_number, row in enumerate(table.rows):
        y = top + row_number * HEAT_ROW
        label = row_label(table, row)
        lines = wrap(label, HEAT_LABEL_CHARS)
        first = y + HEAT_ROW / 2 + 4 - 7 * (len(lines) - 1)
        chart.row_labels.extend((first + 14 * n, line) for n, line in enumerate(lines))
        said = []
        for position, (column, index) in enumerate(zip(columns, indexes)):
            value = row[index]
            shade = heat_shade(value)
            fill = HEAT_EMPTY if shade is None else HEAT_SHADES[shade]
            text_fill = MUTED if shade is None else text_colour_on(fill)
            chart.cells.append(HeatCell(HEAT_LABEL_WIDTH + cell_width * position + 1, y + 1, cell_width - 2,
                                        HEAT_ROW - 2, fill, text_fill, share_text(value)))
            said.append(f"{column.label} {number_text(value, PERCENT)}")
        described.append(f"{label}: " + ", ".join(said))
    chart.height = top + HEAT_ROW * len(table.rows) + 2
    chart.desc = "; ".join(described) + "." if described else _("Chưa có số liệu.")
    return chart


# --- Which chart a table gets ------------------------------------------------------------------------

STACKED_TABLES = ("trainers", "capacity")
HEAT_TABLES = ("gaps",)
_COUNT_HINTS = ("trained", "reach", "participant", "completed")
_SKIP_IN_STACK = ("total",)  # a row total is the bar's length, not a segment
_DONE_HINTS = ("submitted", "approved", "certified")  # stacked series that count as done


def _first(columns: list[Column], predicate) -> Column | None:
    return next((column for column in columns if predicate(column)), None)


def _has_figures(table: Table, columns: list[Column]) -> bool:
    indexes = [table.columns.index(column) for column in columns]
    return any(row[i] is not None for row in table.rows for i in indexes)


def _cut_note(total: int, shown: int, measure: str, tied: int, tied_at: str, blank: int) -> str:
    """What a chart of `shown` of the table's `total` units leaves out, for its caption."""
    sentences = [ngettext("Biểu đồ vẽ %(shown)d trong %(num)d đơn vị của bảng: những đơn vị có %(measure)s thấp "
                          "nhất; bảng dưới có đủ các đơn vị.",
                          "Biểu đồ vẽ %(shown)d trong %(num)d đơn vị của bảng: những đơn vị có %(measure)s thấp "
                          "nhất; bảng dưới có đủ các đơn vị.", total, shown=shown, measure=measure)]
    if tied:
        sentences.append(ngettext("Còn %(num)d đơn vị khác cùng mức %(value)s không được vẽ.",
                                  "Còn %(num)d đơn vị khác cùng mức %(value)s không được vẽ.", tied, value=tied_at))
    if blank:
        sentences.append(ngettext("%(num)d đơn vị chưa có số liệu không được vẽ.",
                                  "%(num)d đơn vị chưa có số liệu không được vẽ.", blank))
    return " ".join(sentences)


def _furthest_behind(table: Table, standing, measure: str, written) -> tuple[Table, str]:
    """The rows a chart of `table` draws, and what its caption says of those it leaves out. A table of units
    longer than CHART_ROWS keeps the CHART_ROWS rows standing lowest (`standing(row)`: a number, None for a
    row without a figure), lowest first; `written(value)` writes a standing for the caption."""
    if len(table.rows) <= CHART_ROWS or not any(table.row_units):
        return table, ""
    ranked = sorted((value, position) for position, row in enumerate(table.rows)
                    if (value := standing(row)) is not None)
    kept = [position for _value, position in ranked[:CHART_ROWS]]
    last = ranked[len(kept) - 1][0] if kept else None
    tied = sum(1 for value, _position in ranked[len(kept):] if value == last)
    rows = [table.rows[position] for position in kept]
    units = [table.row_units[position] for position in kept]
    note = _cut_note(len(table.rows), len(kept), measure, tied, written(last) if tied else "",
                     len(table.rows) - len(ranked))
    return replace(table, rows=rows, row_units=units), note


def _bars_drawn(table: Table, column: Column) -> tuple[Table, str]:
    """The rows of a bar chart of `column`: with many units, those with the lowest figure."""
    index = table.columns.index(column)
    return _furthest_behind(table, lambda row: row[index], f"“{column.label}”",
                           lambda value: number_text(value, column.kind))


def _stacks_drawn(table: Table, columns: list[Column]) -> tuple[Table, str]:
    """The rows of a stacked chart: with many units, those with the lowest share done (the series whose key
    says submitted, approved or certified); all rows when no series says so."""
    done = [column for column in columns if any(word in column.key.lower() for word in _DONE_HINTS)]
    if not done:
        return table, ""
    done_indexes = [table.columns.index(column) for column in done]
    all_indexes = [table.columns.index(column) for column in columns]

    def share_done(row) -> float | None:
        total = sum(int(row[i] or 0) for i in all_indexes)
        return sum(int(row[i] or 0) for i in done_indexes) / total if total else None

    measure = _("tỉ lệ %(statuses)s trên tổng số", statuses=" + ".join(f"“{column.label}”" for column in done))
    return _furthest_behind(table, share_done, measure, lambda value: number_text(value * 100, PERCENT))


def chart_for(table: Table):
    """The chart that suits `table`: a heat map for competency gaps, stacked bars for counts by status,
    otherwise bars of its main percentage (or, without one, its main count). None when the table has
    no figure to draw. A chart of many units draws those furthest behind (`_furthest_behind`)."""
    if table.key in HEAT_TABLES:
        columns = [c for c in table.columns if c.kind == PERCENT]
        return heat_map(table, columns) if _has_figures(table, columns) else None
    if table.key in STACKED_TABLES:
        columns = [c for c in table.columns if c.kind == INT and not any(w in c.key.lower() for w in _SKIP_IN_STACK)]
        if columns:
            if not _has_figures(table, columns):
                return None
            drawn, cut = _stacks_drawn(table, columns)
            chart = stacked_chart(drawn, columns)
            chart.cut = cut
            return chart
    percents = [c for c in table.columns if c.kind == PERCENT]
    main = _first(percents, lambda c: "target" not in c.key.lower())
    target = _first(percents, lambda c: "target" in c.key.lower()) if main is not None else None
    if main is None:
        counts = [c for c in table.columns if c.kind == INT]
        main = _first(counts, lambda c: any(hint in c.key.lower() for hint in _COUNT_HINTS)) or next(iter(counts), None)
    if main is None or not _has_figures(table, [main]):
        return None
    drawn, cut = _bars_drawn(table, main)
    chart = bar_chart(drawn, main, target=target)
    chart.cut = cut
    return chart
