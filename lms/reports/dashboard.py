"""The dashboard's rules: which unit a viewer looks at, the way back up to their own top unit, the
years to choose from, the tables of a unit with their charts, and the names of exported files.

Every figure comes from lms.reports.metrics (TABLES, TABLE_ORDER, summary); this module only decides
what is shown to whom.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import abort
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from lms.auth.permissions import can, scope_paths, scope_root_ids
from lms.db import db, get_by_id
from lms.errors import ExplainedBadRequest
from lms.i18n import level_name, local_today
from lms.orgs.models import Organisation, Unit
from lms.orgs.services import ancestors
from lms.reports import charts, metrics, queries
from lms.reports.exports import name_part
from lms.reports.tables import INT, PERCENT, Table
from lms.years import FIRST_YEAR

ACTION = "report.view"
YEARS_BACK = 5  # the year picker offers this year and the five before it


def _metrics():
    """The registry of report tables (one seam, so the pages can be tried on tables built elsewhere)."""
    return metrics


# --- Which unit ----------------------------------------------------------------------------------------

def scope_roots(user) -> list[Unit]:
    """The top units of the viewer's reporting scope (a unit under another of them is left out)."""
    ids = scope_root_ids(user, ACTION)
    if not ids:
        return []
    query = (select(Unit).join(Organisation, Unit.organisation_id == Organisation.id).where(Unit.id.in_(ids))
             .order_by(Organisation.sort_order, Unit.name_folded))
    return list(db.session.scalars(query))


def node_from_arg(user, raw: str | None) -> Unit | None:
    """The unit of ?unit=<id>: 404 when no such unit, 403 outside the viewer's scope. Without it, the
    viewer's own top unit, or None when they hold several and must pick one."""
    if raw:
        unit = get_by_id(Unit, raw)
        if unit is None:
            abort(404)
        if not can(user, ACTION, unit):
            abort(403)
        return unit
    roots = scope_roots(user)
    if not roots:
        abort(403)
    return roots[0] if len(roots) == 1 else None


def one_unit_from_arg(user, raw: str | None) -> Unit:
    """The unit a file or yearly report is of: as node_from_arg, but a viewer over several top units who
    names none is told to pick one (a 400 saying so), since a file is always of one unit."""
    unit = node_from_arg(user, raw)
    if unit is None:
        raise ExplainedBadRequest(_("Chưa chọn đơn vị: hãy mở trang báo cáo của một đơn vị rồi tải tệp từ trang đó, "
                                    "vì mỗi tệp là số liệu của một đơn vị."))
    return unit


def breadcrumb(user, node: Unit) -> list[Unit]:
    """From the viewer's top unit above `node` down to `node` itself."""
    paths = scope_paths(user, ACTION)
    above = [unit for unit in ancestors(node) if any(unit.path.startswith(path) for path in paths)]
    return above + [node]


# --- Which year ----------------------------------------------------------------------------------------

def report_years() -> tuple[int, int]:
    """The years a report can be asked for: FIRST_YEAR to this year (a year not yet begun has no report anyone
    can write). The pages, their files and the API read ?year= within them, and the commands' --year too."""
    return FIRST_YEAR, local_today().year


def year_choices(selected: int, today: date | None = None) -> list[int]:
    """This year and the ones before it (from FIRST_YEAR on), newest first, with `selected` among them."""
    current = (today or local_today()).year
    years = set(range(max(FIRST_YEAR, current - YEARS_BACK), current + 1)) | {selected}
    return sorted(years, reverse=True)


# --- What is shown -------------------------------------------------------------------------------------

@dataclass
class Card:
    label: str
    value_text: str
    hint: str = ""


@dataclass
class Section:
    """One table of the dashboard with its chart; `anchor` is the id of its heading."""

    table: Table
    chart: object
    anchor: str

    @property
    def folded(self) -> bool:
        """A long table starts folded under its chart, which draws the rows furthest behind."""
        return len(self.table.rows) > charts.CHART_ROWS


def table_order() -> list[str]:
    return list(_metrics().TABLE_ORDER)


def is_table(key: str) -> bool:
    return key in _metrics().TABLES


def build_tables(node: Unit, year: int, keys: list[str] | None = None) -> list[Table]:
    """The tables of `keys` (by default every table, in dashboard order) over `node`'s subtree."""
    registry = _metrics()
    return [registry.TABLES[key](node, year) for key in (keys if keys is not None else registry.TABLE_ORDER)]


def refresh(node: Unit, years: Sequence[int]) -> None:
    """Compute afresh every figure of `node`'s dashboard for each of `years` (its tables and headline
    figures, which the exports, the yearly report and the API read too), with the activity of the year
    before that the yearly report compares with, and keep them for the next readers. A figure two of the
    years read is computed once."""
    with queries.recomputing():
        for year in years:
            build_tables(node, year)
            _metrics().summary(node, year)
            if year > FIRST_YEAR:
                _metrics().year_activity(node, year - 1)


def units_to_refresh(depth: int) -> list[Unit]:
    """The open top units and the open units down to `depth` levels under them: the dashboards whose
    figures take longest to compute and are read most."""
    found = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None), Unit.closed_at.is_(None))
                                    .order_by(Unit.id)))
    level = found
    for _depth in range(depth):
        level = [child for unit in level for child in metrics.children_of(unit)]
        found += level
    return found


def sections(tables: list[Table]) -> list[Section]:
    return [Section(table, charts.chart_for(table), f"bang-{table.key}") for table in tables]


def _figure_text(value) -> str:
    """A headline figure of summary(): a count (int), a percentage (float) or none yet (None)."""
    return charts.number_text(value, PERCENT if isinstance(value, float) else INT)


def headline(node: Unit, year: int) -> list[Card]:
    """The headline figures, each of what was done in the year with the year before's beside it (as the
    yearly report compares them)."""
    registry = _metrics()
    before = registry.year_activity(node, year - 1) if year > FIRST_YEAR else {}

    def last_year(key: str) -> str:
        return _("Năm %(year)s: %(figure)s", year=year - 1, figure=_figure_text(before[key])) if key in before else ""

    return [Card(registry.summary_label(key), _figure_text(value), last_year(key))
            for key, value in registry.summary(node, year).items()]


def describe(node: Unit) -> str:
    return f"{node.organisation.short_name} · {level_name(node.level)} · {node.code}"


def about_rows(node: Unit, year: int) -> list[tuple[str, object]]:
    """What an exported workbook is about, for its first sheet."""
    return [(pgettext("a unit in a table", "Đơn vị"), node.name), (_("Mã đơn vị"), node.code),
            (_("Cấp"), level_name(node.level)), (_("Tổ chức"), node.organisation.name), (_("Năm"), year),
            (_("Ngày xuất"), local_today()),
            (_("Phạm vi"), _("Đơn vị và các đơn vị trực thuộc; mỗi bảng ghi rõ cách tính ở dưới."))]


def export_filename(key: str, node: Unit, year: int, extension: str) -> str:
    """bao-cao-coverage-DOAN-LCI-2026.xlsx: ASCII only, so every browser keeps it as it is."""
    return f"bao-cao-{name_part(key, 'bang')}-{name_part(node.code, str(node.id))}-{year}.{extension}"
