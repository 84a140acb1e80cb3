"""The report tables: every figure the dashboard, the exports, the yearly report and the API show.

`TABLES` maps a table's key to the function building it for a unit (the node) and a calendar year;
`TABLE_ORDER` is the order the dashboard shows them in. Each table covers the node's whole subtree, but for
"sent" (lms.reports.sending): the yearly reports of the units directly under the node, which the dashboard
shows in a section of its own, with the files, and "sent_levels", how many units of each level under the
node have sent theirs.
A table by unit has one row per unit directly under the node (the row aggregates that unit's whole
subtree, and `row_units` holds its id for drilling down), then, when the node itself holds any of the
figures, one row for the node's own cadres, cohorts or assessments (no drill-down there). A closed
unit under the node keeps its row only while it still has figures.

The SQL lives in lms.reports.queries: a few grouped statements per table, whatever the size of the
tree. Labels are translated when a table is built, so build tables in a request or app context.
"""
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from lms.assessments.models import APPROVED, SUBMITTED, UNIT_STATUS_LABELS, UNIT_STATUSES
from lms.db import db
from lms.i18n import N_, level_name, local_today
from lms.orgs.models import AREA_FLAGS, Unit, area_name
from lms.reports import queries, sending
from lms.reports.tables import DATE, INT, PERCENT, TEXT, Column, Table
from lms.trainers.models import CERTIFIED, STATUS_LABELS, STATUSES, TIER_LABELS, TIERS

# Targets of the year, as a percentage of what is counted against them.
COORDINATOR_TARGET = 100.0
CORE_COURSE_TARGET = 70.0
PLAN_TARGET = 100.0
SUBMITTED_TARGET = 100.0

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"


def verdict(code: str) -> str:
    """A target's verdict as the reader sees it."""
    return {MET: pgettext("target verdict", "Đạt"), NOT_MET: pgettext("target verdict", "Chưa đạt"),
            NO_DATA: pgettext("target verdict", "Không có số liệu")}[code]


def target_verdict(actual: int, out_of: int, target: float) -> str:
    """MET when `actual` of `out_of` reaches `target` percent, judged on the exact share rather than the
    rounded one shown (69.985 % does not meet 70 %); NO_DATA when there is nothing to count."""
    if not out_of:
        return NO_DATA
    return MET if 100 * actual >= target * out_of else NOT_MET


def percent(part, whole) -> float | None:
    """`part` of `whole` as a percentage with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def children_of(node: Unit) -> list[Unit]:
    """The open units directly under `node`, in name order: where the dashboard drills down to."""
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == node.id, Unit.closed_at.is_(None))
                                   .order_by(Unit.name_folded, Unit.id)))


def _unit_column() -> Column:
    return Column("unit", pgettext("a unit in a table", "Đơn vị"))


def _by_unit(node: Unit, children: list[Unit],
             figures: Callable[[int | None], tuple]) -> tuple[list[tuple], list[int | None]]:
    """Rows and row units of a table by unit: a row per child (a closed one only with figures), then
    the node's own row when it has figures. `figures(unit id)` gives a row's values after the unit's
    name (unit id None: the node's own)."""
    rows, units = [], []
    for child in children:
        values = figures(child.id)
        if child.closed_at is not None:
            if not any(values):
                continue
            label = _("%(unit)s (đã giải thể)", unit=child.name)
        else:
            label = child.name
        rows.append((label, *values))
        units.append(child.id)
    own = figures(None)
    if any(own):
        rows.append((_("%(unit)s (chính đơn vị)", unit=node.name), *own))
        units.append(None)
    return rows, units


def _status_columns(among_people: bool = False) -> list[Column]:
    """A column per status of unit capacity assessments; `among_people` (in a table that also counts people)
    heads each as the units' assessments, lest "Chưa bắt đầu: 72" be read as 72 people."""
    def label(status: str) -> str:
        name = _(UNIT_STATUS_LABELS[status])
        return _("Đánh giá đơn vị: %(status)s", status=name.lower()) if among_people else name
    return [Column(status, label(status), INT) for status in UNIT_STATUSES]


# --- Sums over the shared figures ---------------------------------------------------------------

def _core_by_row(node: Unit, year: int) -> dict[int | None, tuple[int, int]]:
    """{row unit id: (active cadres enrolled in the core course, of them completed it)}."""
    core = queries.core_course_id()
    found: dict[int | None, tuple[int, int]] = {}
    for (key, _level, course_id), (enrolled, completed, _due, _late) in \
            queries.enrolments_by_row(node, year, local_today()).items():
        if course_id == core:
            before = found.get(key, (0, 0))
            found[key] = (before[0] + enrolled, before[1] + completed)
    return found


def _required_by_row(node: Unit, year: int) -> dict[int | None, tuple[int, int]]:
    """{row unit id: (required enrolments due in `year`, of them overdue today)} of active cadres."""
    found: dict[int | None, tuple[int, int]] = {}
    for (key, _level, _course), (_enrolled, _completed, due, late) in \
            queries.enrolments_by_row(node, year, local_today()).items():
        before = found.get(key, (0, 0))
        found[key] = (before[0] + due, before[1] + late)
    return found


def _totals(by_row: dict) -> tuple[int, ...]:
    """The column sums of {row unit id: counts}."""
    return tuple(sum(column) for column in zip(*by_row.values())) if by_row else ()


def _people(by_row: dict[int | None, tuple[int]]) -> int:
    """The sum of {row unit id: (people,)}: a person is counted on one row, that of their own unit."""
    return (_totals(by_row) or (0,))[0]


def _statuses_by_row(node: Unit, year: int) -> dict[int | None, dict[str, int]]:
    found: dict[int | None, dict[str, int]] = {}
    for (key, _campaign, status), n in queries.unit_assessments_by_row(node, year).items():
        by_status = found.setdefault(key, dict.fromkeys(UNIT_STATUSES, 0))
        by_status[status] = by_status.get(status, 0) + n
    return found


def _status_totals(node: Unit, year: int) -> dict[str, int]:
    totals = dict.fromkeys(UNIT_STATUSES, 0)
    for (_key, _campaign, status), n in queries.unit_assessments_by_row(node, year).items():
        totals[status] = totals.get(status, 0) + n
    return totals


# --- The tables -----------------------------------------------------------------------------------

@queries.sharing
def coverage(node: Unit, year: int) -> Table:
    """Per unit under the node: active cadres, enrolled in and completed the core course, the share
    completed, and required enrolments due in the year with those overdue today."""
    cadres = queries.cadres_by_row(node)
    core = _core_by_row(node, year)
    required = _required_by_row(node, year)

    def figures(key):
        people = cadres.get(key, (0,))[0]
        enrolled, completed = core.get(key, (0, 0))
        due, overdue = required.get(key, (0, 0))
        return people, enrolled, completed, percent(completed, people), due, overdue

    rows, units = _by_unit(node, queries.all_children(node), figures)
    return Table(
        "coverage", _("Độ bao phủ đào tạo"),
        [_unit_column(), Column("cadres", _("Cán bộ đang hoạt động"), INT),
         Column("enrolled", _("Đăng ký khóa học cốt lõi"), INT),
         Column("completed", _("Hoàn thành khóa học cốt lõi"), INT),
         Column("completed_pct", _("Tỉ lệ hoàn thành trên số cán bộ"), PERCENT),
         Column("required", _("Lượt học bắt buộc đến hạn trong năm"), INT),
         Column("overdue", _("Quá hạn chưa hoàn thành"), INT)],
        rows, units,
        _("Cán bộ đang hoạt động của mỗi đơn vị và mọi cấp dưới của nó; đăng ký và hoàn thành tính trên khóa "
          "học cốt lõi, tỉ lệ hoàn thành chia cho số cán bộ; lượt học bắt buộc là lượt học được giao có hạn "
          "trong năm %(year)d, quá hạn là đã qua hạn mà chưa hoàn thành.", year=year))


@queries.sharing
def courses(node: Unit, year: int) -> Table:
    """Per published course and unit level: active cadres of the subtree enrolled and completed."""
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for (_key, level_id, course_id), (enrolled, completed, _due, _late) in \
            queries.enrolments_by_row(node, year, local_today()).items():
        before = counts.get((course_id, level_id), (0, 0))
        counts[(course_id, level_id)] = (before[0] + enrolled, before[1] + completed)
    levels = queries.levels_from(node)
    rows = []
    for course_id, title in queries.published_courses():
        for level in levels:
            enrolled, completed = counts.get((course_id, level.id), (0, 0))
            rows.append((title, level_name(level), enrolled, completed, percent(completed, enrolled)))
    return Table(
        "courses", _("Học viên theo khóa học và cấp đơn vị"),
        [Column("course", pgettext("one course", "Khóa học")), Column("level", _("Cấp đơn vị")),
         Column("enrolled", _("Đã đăng ký"), INT), Column("completed", _("Đã hoàn thành"), INT),
         Column("completed_pct", _("Tỉ lệ hoàn thành trên số đã đăng ký"), PERCENT)],
        rows, [None] * len(rows),
        _("Cán bộ đang hoạt động của đơn vị và mọi cấp dưới đã đăng ký, đã hoàn thành mỗi khóa học đang phát "
          "hành, lũy kế đến nay, theo cấp của đơn vị nơi cán bộ sinh hoạt; tỉ lệ chia cho số đã đăng ký."))


@queries.sharing
def cascade(node: Unit, year: int) -> Table:
    """Per unit under the node: cohorts held in the year, their participants and those who completed, the
    share of its active cadres trained in the year (by whichever unit), and trainers certified now."""
    cohorts = queries.cohorts_by_row(node, year)
    cadres = queries.cadres_by_row(node)
    trained = queries.trained_cadres_by_row(node, year)
    certified: dict[int | None, int] = {}
    for (key, _tier, status), n in queries.trainers_by_row(node).items():
        if status == CERTIFIED:
            certified[key] = certified.get(key, 0) + n

    def figures(key):
        reached = percent(trained.get(key, (0,))[0], cadres.get(key, (0,))[0])
        return (*cohorts.get(key, (0, 0, 0)), reached, certified.get(key, 0))

    rows, units = _by_unit(node, queries.all_children(node), figures)
    return Table(
        "cascade", _("Lan tỏa tập huấn"),
        [_unit_column(), Column("cohorts", _("Lớp tập huấn đã tổ chức"), INT),
         Column("participants", _("Học viên được tập huấn"), INT),
         Column("completed", _("Học viên hoàn thành lớp"), INT),
         Column("trained_pct", _("Tỉ lệ cán bộ được tập huấn trong năm"), PERCENT),
         Column("certified_trainers", _("Tập huấn viên được công nhận"), INT)],
        rows, units,
        _("Lớp đã mở hoặc đã kết thúc có ngày bắt đầu trong năm %(year)d, theo đơn vị tổ chức lớp, mỗi học viên "
          "tính một lần trong mỗi dòng; tỉ lệ cán bộ được tập huấn là số cán bộ đang hoạt động của đơn vị đã học "
          "một lớp như vậy, do bất kỳ đơn vị nào tổ chức, chia cho số cán bộ đang hoạt động của đơn vị; tập huấn "
          "viên được công nhận tính đến hôm nay, theo đơn vị của tập huấn viên.", year=year))


@queries.sharing
def areas(node: Unit, year: int) -> Table:
    """Per area flag carried by a unit of the subtree (mountainous, ethnic-minority, border, island, overseas),
    then all areas together: units, grassroots units with a trained coordinator, cadres and the core course,
    and people trained in the year's cohorts, each counted in the units that carry the flag."""
    figures = queries.area_figures(node, year)

    def row(label: str, key: str | None) -> tuple:
        f = figures[key]
        return (label, f["units"], f["grassroots"], f["covered"], f["cadres"], f["enrolled"], f["completed"],
                percent(f["completed"], f["cadres"]), f["trained"])

    rows = [row(area_name(flag), flag) for flag in AREA_FLAGS if figures[flag]["units"]]
    if rows:  # then all areas together, to compare with
        rows.append(row(_("Mọi địa bàn"), None))
    return Table(
        "areas", _("Đào tạo ở các địa bàn ưu tiên"),
        [Column("area", _("Địa bàn")), Column("units", _("Đơn vị đang hoạt động"), INT),
         Column("grassroots", _("Đơn vị cơ sở"), INT),
         Column("covered", _("Có điều phối viên đã được đào tạo"), INT),
         Column("cadres", _("Cán bộ đang hoạt động"), INT),
         Column("enrolled", _("Đăng ký khóa học cốt lõi"), INT),
         Column("completed", _("Hoàn thành khóa học cốt lõi"), INT),
         Column("completed_pct", _("Tỉ lệ hoàn thành trên số cán bộ"), PERCENT),
         Column("trained", _("Học viên được tập huấn trong năm"), INT)],
        rows, [None] * len(rows),
        _("Mỗi địa bàn tính các đơn vị trong đơn vị và mọi cấp dưới mang dấu địa bàn đó (một đơn vị có thể mang "
          "nhiều dấu), cán bộ đang hoạt động thuộc các đơn vị ấy, và học viên của các lớp tập huấn có ngày bắt đầu "
          "trong năm %(year)d thuộc các đơn vị ấy, dù lớp do đơn vị nào tổ chức. Đơn vị cơ sở có điều phối viên đã "
          "được đào tạo khi có điều phối viên tình nguyện đang hoạt động đã hoàn thành khóa học cốt lõi. Dòng “Mọi "
          "địa bàn” tính toàn bộ để so sánh.", year=year) if rows else
        _("Không đơn vị nào trong đơn vị và các cấp dưới mang dấu miền núi, vùng đồng bào dân tộc thiểu số, biên "
          "giới, hải đảo hay ở nước ngoài."))


@queries.sharing
def trainers(node: Unit, year: int) -> Table:
    """Per tier: trainers of the subtree in each status now."""
    counts: dict[tuple[str, str], int] = {}
    for (_key, tier, status), n in queries.trainers_by_row(node).items():
        counts[(tier, status)] = counts.get((tier, status), 0) + n
    rows = []
    for tier in TIERS:
        by_status = [counts.get((tier, status), 0) for status in STATUSES]
        rows.append((_(TIER_LABELS[tier]), *by_status, sum(by_status)))
    return Table(
        "trainers", _("Tập huấn viên theo cấp và trạng thái"),
        [Column("tier", _("Cấp tập huấn viên")),
         *(Column(status, _(STATUS_LABELS[status]), INT) for status in STATUSES),
         Column("total", _("Tổng số"), INT)],
        rows, [None] * len(rows),
        _("Tập huấn viên có tài khoản đang hoạt động thuộc đơn vị hoặc mọi cấp dưới, theo cấp và trạng thái hiện "
          "tại."))


@queries.sharing
def gaps(node: Unit, year: int) -> Table:
    """Per unit level × competency domain of the latest published framework: the share of the rated
    participants of the year's campaigns who fall short in at least one competency of the domain."""
    domains = queries.latest_domains()
    counts = queries.gaps_by_level(node, year, [code for code, _title in domains])
    rows = []
    for level in queries.levels_from(node):
        rated, *by_domain = counts.get(level.code, (0,) + (0, 0) * len(domains))
        shares = [percent(by_domain[2 * number + 1], by_domain[2 * number]) for number in range(len(domains))]
        rows.append((level_name(level), rated, *shares))
    return Table(
        "gaps", _("Khoảng trống năng lực theo cấp và lĩnh vực"),
        [Column("level", _("Cấp đơn vị")), Column("assessed", _("Người đã có kết quả"), INT),
         *(Column(f"domain_{code}", title, PERCENT) for code, title in domains)],
        rows, [None] * len(rows),
        _("Trong số người tham gia các đợt đánh giá mở trong năm %(year)d thuộc đơn vị và mọi cấp dưới đã có "
          "kết quả ở một lĩnh vực, tỉ lệ người còn thiếu so với mức mong đợi ở ít nhất một năng lực của lĩnh vực "
          "đó, theo cấp đơn vị của họ khi phát động đợt.", year=year))


@queries.sharing
def campaigns(node: Unit, year: int) -> Table:
    """Per campaign opened in the year by the node, a unit above it or a unit under it: participants of
    the subtree and those who completed, and the subtree's unit assessments by status."""
    people = queries.participants_by_campaign(node, year)
    statuses: dict[tuple[int, str], int] = {}
    for (_key, campaign_id, status), n in queries.unit_assessments_by_row(node, year).items():
        statuses[(campaign_id, status)] = statuses.get((campaign_id, status), 0) + n
    rows = []
    for campaign_id, title, unit_name, opens_on in queries.campaigns_for(node, year):
        everyone, completed = people.get(campaign_id, (0, 0))
        rows.append((title, unit_name, opens_on, everyone, completed, percent(completed, everyone),
                     *(statuses.get((campaign_id, status), 0) for status in UNIT_STATUSES)))
    return Table(
        "campaigns", _("Tiến độ các đợt đánh giá"),
        [Column("campaign", _("Đợt đánh giá")), Column("launched_by", _("Đơn vị phát động")),
         Column("opens_on", _("Ngày bắt đầu"), DATE), Column("participants", _("Người tham gia"), INT),
         Column("completed", _("Đã hoàn thành"), INT),
         Column("completed_pct", _("Tỉ lệ hoàn thành trên số tham gia"), PERCENT),
         *_status_columns(among_people=True)],
        rows, [None] * len(rows),
        _("Các đợt đánh giá đã phát động, bắt đầu trong năm %(year)d, của đơn vị, cấp trên hoặc cấp dưới; người "
          "tham gia và đánh giá năng lực đơn vị chỉ tính trong đơn vị và mọi cấp dưới.", year=year))


@queries.sharing
def capacity(node: Unit, year: int) -> Table:
    """Per unit under the node: unit capacity assessments of the year's campaigns by status."""
    counts = _statuses_by_row(node, year)

    def figures(key):
        by_status = [counts.get(key, {}).get(status, 0) for status in UNIT_STATUSES]
        return (*by_status, sum(by_status))

    rows, units = _by_unit(node, queries.all_children(node), figures)
    return Table(
        "capacity", _("Đánh giá năng lực đơn vị"),
        [_unit_column(), *_status_columns(), Column("total", _("Tổng số"), INT)],
        rows, units,
        _("Đánh giá năng lực của đơn vị trong các đợt đánh giá bắt đầu trong năm %(year)d, theo trạng thái hiện "
          "tại, gộp cho mỗi đơn vị trực thuộc cùng mọi cấp dưới của nó.", year=year))


@queries.sharing
def targets(node: Unit, year: int) -> Table:
    """The year's targets against what the subtree has done."""
    cadres = _people(queries.cadres_by_row(node))
    grassroots, covered = _totals(queries.grassroots_by_row(node)) or (0, 0)
    _enrolled, completed = _totals(_core_by_row(node, year)) or (0, 0)
    held, planned = queries.plans_carried_out(node, year)
    statuses = _status_totals(node, year)
    figures = [
        (_("Đơn vị cơ sở có điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi"), COORDINATOR_TARGET,
         covered, grassroots),
        (_("Cán bộ hoàn thành khóa học cốt lõi"), CORE_COURSE_TARGET, completed, cadres),
        (_("Lớp tập huấn tổ chức so với kế hoạch năm"), PLAN_TARGET, held, planned),
        (_("Đơn vị đã gửi đánh giá năng lực"), SUBMITTED_TARGET, statuses[SUBMITTED] + statuses[APPROVED],
         sum(statuses.values())),
    ]
    rows = []
    for label, target, actual, out_of in figures:
        rows.append((label, target, actual, out_of, percent(actual, out_of),
                     verdict(target_verdict(actual, out_of, target))))
    return Table(
        "targets", _("Chỉ tiêu và kết quả thực hiện"),
        [Column("label", _("Chỉ tiêu")), Column("target", _("Chỉ tiêu (%)"), PERCENT),
         Column("actual", _("Đạt được"), INT), Column("out_of", _("Trên tổng số"), INT),
         Column("actual_pct", _("Tỉ lệ thực hiện"), PERCENT), Column("met", _("Kết quả"), TEXT)],
        rows, [None] * len(rows),
        _("Năm %(year)d, trong đơn vị và mọi cấp dưới: đơn vị cơ sở (đang hoạt động) tính khi có cán bộ của chính "
          "đơn vị là điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi, cán bộ tính người đang hoạt động, "
          "lớp trong kế hoạch năm của các đơn vị đã được tổ chức (đã mở hoặc đã kết thúc) như trang kế hoạch "
          "tính, mỗi mục kế hoạch tính nhiều nhất bằng số lớp của mục, so với tổng số lớp trong kế hoạch, và đơn vị "
          "đã gửi gồm đánh giá đã gửi hoặc đã phê duyệt trong các đợt bắt đầu trong năm.", year=year))


def sent_levels(node: Unit, year: int) -> Table:
    """How far the yearly reports of `year` have come up: level by level under the node, how many open
    units have sent theirs to the unit directly above them."""
    rows = [(level_name(level), units, sent, units - sent, percent(sent, units))
            for level, units, sent, *_flagged in queries.units_below_by_level(node, year)]
    return Table(
        "sent_levels", _("Báo cáo năm %(year)d gửi lên, theo cấp", year=year),
        [Column("level", _("Cấp")), Column("units", _("Đơn vị đang hoạt động"), INT),
         Column("sent", _("Đã gửi lên cấp trên"), INT),
         Column("not_sent", pgettext("a yearly report sent up", "Chưa gửi"), INT),
         Column("sent_pct", _("Tỉ lệ đã gửi"), PERCENT)],
        rows, [None] * len(rows),
        _("Mọi đơn vị đang hoạt động dưới %(unit)s, theo cấp: đơn vị đã gửi là đơn vị đã gửi báo cáo năm %(year)d "
          "(bản bất kỳ) lên đơn vị ngay trên mình, đúng hạn hay muộn.", unit=node.name, year=year))


TABLES: dict[str, Callable[[Unit, int], Table]] = {
    "coverage": coverage,
    "courses": courses,
    "cascade": cascade,
    "areas": areas,
    "trainers": trainers,
    "gaps": gaps,
    "campaigns": campaigns,
    "capacity": capacity,
    "targets": targets,
    # Not dashboard sections: the dashboard shows them in its section on reports sent up.
    "sent": sending.children_table,
    "sent_levels": sent_levels,
}
TABLE_ORDER: list[str] = ["coverage", "courses", "areas", "cascade", "trainers", "gaps", "campaigns", "capacity",
                          "targets"]


# --- Headline figures -----------------------------------------------------------------------------

SUMMARY_LABELS = {
    "cadres": N_("Cán bộ đang hoạt động"),
    "enrolled_core": N_("Đăng ký khóa học cốt lõi"),
    "completed_core": N_("Hoàn thành khóa học cốt lõi"),
    "completed_core_pct": N_("Tỉ lệ cán bộ hoàn thành khóa học cốt lõi"),
    "completed_core_in_year": N_("Hoàn thành khóa học cốt lõi trong năm"),
    "required_due": N_("Lượt học bắt buộc đến hạn trong năm"),
    "overdue_required": N_("Lượt học bắt buộc quá hạn"),
    "cohorts_held": N_("Lớp tập huấn đã tổ chức"),
    "participants_trained": N_("Học viên được tập huấn"),
    "participants_completed": N_("Học viên hoàn thành lớp tập huấn"),
    "cadres_trained_pct": N_("Tỉ lệ cán bộ được tập huấn trong năm"),
    "certified_trainers": N_("Tập huấn viên được công nhận"),
    "campaign_participants": N_("Người tham gia đánh giá"),
    "campaign_completed": N_("Người hoàn thành đánh giá"),
    "campaign_completed_pct": N_("Tỉ lệ người tham gia hoàn thành đánh giá"),
    "unit_assessments_approved": N_("Đánh giá năng lực đơn vị đã phê duyệt"),
    "unit_assessments_total": N_("Tổng số đánh giá năng lực đơn vị"),
}


def summary_label(key: str) -> str:
    """The Vietnamese (or the page's language) label of a headline figure of `summary`."""
    return _(SUMMARY_LABELS[key]) if key in SUMMARY_LABELS else key


@queries.sharing
def summary(node: Unit, year: int) -> dict[str, int | float | None]:
    """The headline figures of the node's subtree for `year` (keys as in SUMMARY_LABELS, in that order),
    counted as the tables count them, over the whole subtree (a participant trained in cohorts of two
    units under the node counts once here)."""
    cadres = _people(queries.cadres_by_row(node))
    enrolled, completed = _totals(_core_by_row(node, year)) or (0, 0)
    due, overdue = _totals(_required_by_row(node, year)) or (0, 0)
    certified = sum(n for (_key, _tier, status), n in queries.trainers_by_row(node).items() if status == CERTIFIED)
    figures = {
        "cadres": cadres,
        "enrolled_core": enrolled,
        "completed_core": completed,
        "completed_core_pct": percent(completed, cadres),
        "required_due": due,
        "overdue_required": overdue,
        "certified_trainers": certified,
    } | year_activity(node, year)
    return {key: figures[key] for key in SUMMARY_LABELS}


@queries.sharing
def year_activity(node: Unit, year: int) -> dict[str, int | float | None]:
    """The headline figures of what the subtree did in `year`: active cadres who completed the core course in
    it, cohorts held and people trained in them, the share of its active cadres trained in the year (in the
    cohorts of any unit), people assessed in the year's campaigns, unit assessments approved (the others stand
    as of today). The yearly report sets them beside last year's."""
    cohorts, trained, trained_completed = queries.cohort_totals(node, year)
    assessed, assessed_completed = _totals(queries.participants_by_campaign(node, year)) or (0, 0)
    statuses = _status_totals(node, year)
    return {
        "completed_core_in_year": queries.core_completed_in(node, year),
        "cohorts_held": cohorts,
        "participants_trained": trained,
        "participants_completed": trained_completed,
        "cadres_trained_pct": percent(_people(queries.trained_cadres_by_row(node, year)),
                                      _people(queries.cadres_by_row(node))),
        "campaign_participants": assessed,
        "campaign_completed": assessed_completed,
        "campaign_completed_pct": percent(assessed_completed, assessed),
        "unit_assessments_approved": statuses[APPROVED],
        "unit_assessments_total": sum(statuses.values()),
    }
