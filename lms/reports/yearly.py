"""The yearly report a unit sends up to the level above: training held, reach, assessment results and
the year's targets, laid out like an official report. This module says what the report says, in the order
it says it (`letterhead`, `title_block`, `outline`, `closing`); `yearly_pdf` and `yearly_docx` print that
same content as a PDF to send and as a Word document to edit before signing.

Every figure comes from the report tables and headline figures of `lms.reports.metrics` (the ones the
dashboard shows), so the written report and the dashboard never disagree; the sentences of sections II
and IV are worded from those same tables. Build a report in a request or application context: labels
and numbers are written in the page's language."""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import pgettext

from lms.i18n import N_, level_name, local_today
from lms.orgs.models import AREA_FLAGS, Unit
from lms.orgs.services import ancestors
from lms.reports import metrics, queries, sending
from lms.reports.charts import number_text
from lms.reports.exports import name_part
from lms.reports.tables import DATE, INT, PERCENT, Table
from lms.years import FIRST_YEAR

# The tables the report is made of; each is printed in the section that speaks of it.
TABLE_KEYS = ("coverage", "courses", "areas", "cascade", "trainers", "campaigns", "gaps", "capacity", "targets")

AREA_LABELS = {"is_mountainous": N_("miền núi"), "is_ethnic_minority": N_("vùng đồng bào dân tộc thiểu số"),
               "is_border": N_("biên giới"), "is_island": N_("hải đảo"), "is_overseas": N_("ở nước ngoài")}
assert tuple(AREA_LABELS) == AREA_FLAGS

# Figures of the year each part of section II sets beside the year before: (key of metrics.year_activity,
# how a sentence names it).
ONLINE_CHANGES = (("completed_core_in_year", N_("số cán bộ hoàn thành khóa học cốt lõi trong năm")),)
CASCADE_CHANGES = (("cohorts_held", N_("số lớp tập huấn")), ("participants_trained", N_("số học viên được tập huấn")),
                   ("participants_completed", N_("số học viên hoàn thành lớp")))
PEOPLE_CHANGES = (("campaign_participants", N_("số cán bộ tham gia đánh giá")),
                  ("campaign_completed", N_("số cán bộ hoàn thành đánh giá")))
UNIT_CHANGES = (("unit_assessments_approved", N_("số đánh giá năng lực đơn vị đã phê duyệt")),)

# The seat of the central offices: the place a unit writes when its own name holds none.
CAPITAL = "Hà Nội"
# How many units, domains … a sentence of section IV names at most.
NAMED_AT_MOST = 3


@dataclass
class YearlyReport:
    unit: Unit
    year: int
    tables: dict[str, Table]
    summary: dict
    # (level name, open units of that level under the unit, how many of them sent their report up), top first
    below: list[tuple[str, int, int]]
    below_flags: dict[str, int]  # area flag -> open units under the unit carrying it
    direct_children: int
    issued_on: date
    reports_received: tuple[int, int]  # (in time, late) of the units directly under it, for `year`
    # {area flag, or None for the whole subtree: {figure of queries.AREA_FIGURES: count}}
    areas: dict[str | None, dict[str, int]] = field(default_factory=dict)
    # metrics.year_activity of the year before, to compare with; None when no report can be of that year
    last_year: dict | None = None

    def areas_with_cadres(self) -> list[tuple[str, dict[str, int]]]:
        """(flag, figures) of the areas whose units have active cadres, in the order of AREA_FLAGS."""
        return [(flag, self.areas[flag]) for flag in AREA_FLAGS if self.areas.get(flag, {}).get("cadres")]


def build(unit: Unit, year: int, issued_on: date | None = None) -> YearlyReport:
    """Gather the figures of `unit`'s subtree for `year` (tables and headline figures from metrics)."""
    tables = {key: metrics.TABLES[key](unit, year) for key in TABLE_KEYS}
    below, flags = units_below(unit, year)
    received = [child.status for child in sending.children_reports(unit, year)]
    return YearlyReport(unit, year, tables, metrics.summary(unit, year), below, flags, len(received),
                        issued_on or local_today(), (received.count(sending.SENT), received.count(sending.LATE)),
                        queries.area_figures(unit, year),
                        metrics.year_activity(unit, year - 1) if year > FIRST_YEAR else None)


def units_below(unit: Unit, year: int) -> tuple[list[tuple[str, int, int]], dict[str, int]]:
    """The open units under `unit` counted by level, with how many of them sent their report of `year` up,
    and how many of them carry each area flag."""
    below, flags = [], dict.fromkeys(AREA_FLAGS, 0)
    for level, units, sent, *with_flag in queries.units_below_by_level(unit, year):
        below.append((level_name(level), units, sent))
        for flag, n in zip(AREA_FLAGS, with_flag):
            flags[flag] += n
    return below, flags


def filename(unit: Unit, year: int, extension: str) -> str:
    """bao-cao-nam-2026-DOAN-LCI.pdf: ASCII only, so every browser keeps it as it is."""
    return f"bao-cao-nam-{year}-{name_part(unit.code, str(unit.id))}.{extension}"


# --- Words and numbers ----------------------------------------------------------------------------

def nfc(text) -> str:
    """Precomposed letters: every Vietnamese letter is one glyph of the font."""
    return unicodedata.normalize("NFC", str(text if text is not None else ""))


def n(value) -> str:
    return number_text(value, INT)


def pct(value) -> str:
    return number_text(value, PERCENT)


def date_line(place: str, day: date) -> str:
    """"Lào Cai, ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 take a leading zero,
    as official documents write them."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s", place=place, day=f"{day.day:02d}",
             month=month, year=day.year)


YOUTH_UNION = "DOAN"  # the Đoàn's code in content/units/organisations.csv; the two Hội sign otherwise

# A unit's name read as "<organisation> <territory> <place>": "Tỉnh đoàn Lào Cai", "Đoàn xã Bát Xát",
# "Hội LHTN tỉnh Lào Cai", or "<organisation> … tại <country>" abroad. A unit named otherwise (a school, a
# company, a branch) writes its parent's place.
_TERRITORIAL_PREFIX = re.compile(r"^(?:Tỉnh đoàn|Thành đoàn|Tỉnh hội|Thành hội)\s+(?P<place>.+)$", re.IGNORECASE)
_ORGANISATION_THEN_TERRITORY = re.compile(
    r"^(?:Ban Chấp hành\s+|BCH\s+)?(?:Đoàn TNCS Hồ Chí Minh|Đoàn Thanh niên|Đoàn|Hội Liên hiệp Thanh niên Việt Nam|"
    r"Hội Liên hiệp Thanh niên|Hội LHTN Việt Nam|Hội LHTN|Hội Sinh viên Việt Nam|Hội Sinh viên)\s+"
    r"(?:tỉnh|thành phố|đặc khu|xã|phường|thị trấn|huyện|quận|thị xã)\s+(?P<place>.+)$", re.IGNORECASE)
# A unit abroad names its country: "Hội Sinh viên Việt Nam tại Liên bang Nga".
_ABROAD = re.compile(r"^(?:Đoàn|Hội|Chi đoàn|Chi hội)\b.*\stại\s+(?P<place>.+)$", re.IGNORECASE)


def place_of(unit: Unit) -> str:
    """The place written before the date: the territory named by the unit or the nearest unit above it."""
    for candidate in [unit, *reversed(ancestors(unit))]:
        name = nfc(candidate.name)
        match = (_TERRITORIAL_PREFIX.match(name) or _ORGANISATION_THEN_TERRITORY.match(name)
                 or _ABROAD.match(name))
        if match:
            return match.group("place").strip()
    return CAPITAL


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s và %(last)s", items=", ".join(items[:-1]), last=items[-1])


def _sum(table: Table, key: str) -> int:
    return sum(value or 0 for value in table.values(key))


def _quoted(text: str) -> str:
    return f"“{text}”"


# --- What the report says ---------------------------------------------------------------------------

def situation(report: YearlyReport) -> list[str]:
    """Section I: the unit, its level and area, the units and cadres under it."""
    unit = report.unit
    lines = [_("Đơn vị: %(name)s (mã %(code)s), thuộc %(organisation)s.", name=unit.name, code=unit.code,
               organisation=unit.organisation.name)]
    parent = unit.parent
    if parent is not None:
        lines.append(_("Cấp: %(level)s, trực thuộc %(parent)s.", level=level_name(unit.level), parent=parent.name))
    else:
        lines.append(_("Cấp: %(level)s.", level=level_name(unit.level)))
    flags = [_(AREA_LABELS[flag]) for flag in unit.area_flags]
    if flags:
        lines.append(_("Địa bàn: %(flags)s.", flags=_join(flags)))
    elif parent is not None:  # the top of the tree has no area of its own
        lines.append(_("Địa bàn: không thuộc vùng miền núi, vùng đồng bào dân tộc thiểu số, biên giới, hải đảo "
                       "hay ở nước ngoài."))
    total = sum(units for _level, units, _sent in report.below)
    if total:
        by_level = _join([_("%(count)s đơn vị cấp %(level)s", count=n(units), level=level.lower())
                          for level, units, _sent in report.below])
        lines.append(_("Đơn vị trực thuộc: %(direct)s đơn vị trực tiếp; toàn hệ thống có %(total)s đơn vị cấp dưới "
                       "đang hoạt động, gồm %(by_level)s.", direct=n(report.direct_children), total=n(total),
                       by_level=by_level))
        flagged = [_("%(count)s đơn vị %(flag)s", count=n(report.below_flags[flag]), flag=_(AREA_LABELS[flag]))
                   for flag in AREA_FLAGS if report.below_flags[flag]]
        if flagged:
            lines.append(_("Trong các đơn vị cấp dưới có %(flagged)s.", flagged=_join(flagged)))
        in_time, late = report.reports_received
        lines.append(_("Báo cáo năm %(year)s của các đơn vị trực tiếp: đã nhận %(received)s trên %(direct)s báo cáo "
                       "(%(in_time)s đúng hạn, %(late)s gửi muộn).", year=report.year, received=n(in_time + late),
                       direct=n(report.direct_children), in_time=n(in_time), late=n(late)))
        if len(report.below) > 1:
            sent_by_level = _join([_("cấp %(level)s %(sent)s trên %(units)s đơn vị", level=level.lower(),
                                     sent=n(sent), units=n(units)) for level, units, sent in report.below])
            lines.append(_("Theo cấp, số đơn vị đã gửi báo cáo năm %(year)s lên cấp trên trực tiếp: %(by_level)s.",
                           year=report.year, by_level=sent_by_level))
    else:
        lines.append(_("Đơn vị trực thuộc: không có đơn vị cấp dưới đang hoạt động."))
    lines.append(_("Cán bộ: %(cadres)s cán bộ đang hoạt động trong %(units)s.", cadres=n(report.summary["cadres"]),
                   units=_units_covered(report)))
    return lines


def _units_covered(report: YearlyReport) -> str:
    """Whom the report's figures count: the unit and those under it, or the unit alone when none is."""
    if report.below:
        return pgettext("whom a yearly report counts", "đơn vị và các đơn vị cấp dưới")
    return pgettext("whom a yearly report counts", "đơn vị")


def online_training(report: YearlyReport) -> list[str]:
    s = report.summary
    if not s["cadres"]:
        return [_("Tính đến ngày lập báo cáo, %(units)s chưa có cán bộ đang hoạt động nào trên hệ thống, nên chưa có "
                  "số liệu học trực tuyến.", units=_units_covered(report))]
    lines = [_("Tính đến ngày lập báo cáo, %(completed)s trên %(cadres)s cán bộ đang hoạt động (%(share)s) đã hoàn "
               "thành khóa học cốt lõi về quản lý, điều phối hoạt động tình nguyện; %(enrolled)s cán bộ đã đăng ký "
               "học.", completed=n(s["completed_core"]), cadres=n(s["cadres"]), share=pct(s["completed_core_pct"]),
               enrolled=n(s["enrolled_core"])),
             _("Trong năm %(year)s có %(completed)s cán bộ hoàn thành khóa học cốt lõi.", year=report.year,
               completed=n(s["completed_core_in_year"]))]
    if s["required_due"]:
        lines.append(_("Trong năm %(year)s có %(due)s lượt học bắt buộc được giao đến hạn, trong đó %(overdue)s lượt "
                       "đã quá hạn mà chưa hoàn thành.", year=report.year, due=n(s["required_due"]),
                       overdue=n(s["overdue_required"])))
    else:
        lines.append(_("Trong năm %(year)s không có lượt học bắt buộc nào được giao đến hạn.", year=report.year))
    areas = report.areas_with_cadres()
    if areas:
        by_area = _join([_("%(area)s %(share)s (%(completed)s/%(cadres)s cán bộ)", area=_(AREA_LABELS[flag]),
                           share=pct(metrics.percent(figures["completed"], figures["cadres"])),
                           completed=n(figures["completed"]), cadres=n(figures["cadres"])) for flag, figures in areas])
        lines.append(_("Tỉ lệ cán bộ hoàn thành khóa học cốt lõi ở các địa bàn ưu tiên: %(areas)s; chung cả %(units)s: "
                       "%(share)s.", areas=by_area, units=_units_covered(report), share=pct(s["completed_core_pct"])))
    return lines


def cascade_training(report: YearlyReport) -> list[str]:
    s = report.summary
    if s["cohorts_held"]:
        line = _("Trong năm %(year)s, %(units)s đã tổ chức %(cohorts)s lớp tập huấn cho %(trained)s học viên, trong "
                 "đó %(completed)s học viên đã hoàn thành lớp.", year=report.year, units=_units_covered(report),
                 cohorts=n(s["cohorts_held"]), trained=n(s["participants_trained"]),
                 completed=n(s["participants_completed"]))
    else:
        line = _("Trong năm %(year)s, %(units)s chưa tổ chức lớp tập huấn nào.", year=report.year,
                 units=_units_covered(report))
    reach = [_share_trained(report)] if s["cadres_trained_pct"] is not None else []
    trainers = report.tables["trainers"]
    return [line, *reach, _("Hiện có %(certified)s tập huấn viên được công nhận trên tổng số %(total)s tập huấn "
                            "viên.", certified=n(s["certified_trainers"]), total=n(_sum(trainers, "total")))]


def _share_trained(report: YearlyReport) -> str:
    """The share of the cadres the year's cohorts reached, whoever ran them, beside the year before's."""
    share = pct(report.summary["cadres_trained_pct"])
    before = report.last_year["cadres_trained_pct"] if report.last_year else None
    if before is None:
        return _("Tỉ lệ cán bộ đang hoạt động của %(units)s được tập huấn trong năm (ở lớp do bất kỳ đơn vị nào tổ "
                 "chức): %(share)s.", units=_units_covered(report), share=share)
    return _("Tỉ lệ cán bộ đang hoạt động của %(units)s được tập huấn trong năm (ở lớp do bất kỳ đơn vị nào tổ "
             "chức): %(share)s (năm %(year)s: %(before)s).", units=_units_covered(report), share=share,
             year=report.year - 1, before=pct(before))


def against_last_year(report: YearlyReport, changes: tuple[tuple[str, str], ...]) -> list[str]:
    """One sentence setting the year's figures of `changes` beside the year before's; none when neither year
    has any of them (or no report can be of the year before)."""
    if report.last_year is None:
        return []
    pairs = [(_(label), report.last_year[key], report.summary[key]) for key, label in changes]
    if not any(before or now for _label, before, now in pairs):
        return []
    return [_("So với năm %(year)s: %(changes)s.", year=report.year - 1,
              changes="; ".join(_change(label, before, now) for label, before, now in pairs))]


def _change(figure: str, before: int, now: int) -> str:
    if now > before:
        return _("%(figure)s tăng %(by)s (từ %(before)s lên %(now)s)", figure=figure, by=n(now - before),
                 before=n(before), now=n(now))
    if now < before:
        return _("%(figure)s giảm %(by)s (từ %(before)s xuống %(now)s)", figure=figure, by=n(before - now),
                 before=n(before), now=n(now))
    return _("%(figure)s không đổi (%(now)s)", figure=figure, now=n(now))


def people_assessment(report: YearlyReport) -> list[str]:
    s = report.summary
    campaigns = report.tables["campaigns"]
    if not campaigns.rows:
        if not report.below:
            return [_("Trong năm %(year)s không có đợt đánh giá năng lực cán bộ nào của đơn vị hoặc cấp trên.",
                      year=report.year)]
        return [_("Trong năm %(year)s không có đợt đánh giá năng lực cán bộ nào của đơn vị, cấp trên hoặc cấp dưới.",
                  year=report.year)]
    lines = [_("Trong năm %(year)s có %(campaigns)s đợt đánh giá năng lực cán bộ; %(participants)s cán bộ của "
               "%(units)s tham gia, %(completed)s người đã hoàn thành (%(share)s).", year=report.year,
               units=_units_covered(report), campaigns=n(len(campaigns.rows)),
               participants=n(s["campaign_participants"]),
               completed=n(s["campaign_completed"]), share=pct(s["campaign_completed_pct"]))]
    widest = largest_gaps(report.tables["gaps"])
    if widest:
        lines.append(_("Lĩnh vực có tỉ lệ cán bộ còn thiếu hụt năng lực cao nhất: %(domains)s.",
                       domains=_join([_domain_share(domain, share, level) for domain, share, level in widest])))
    return lines


def _domain_share(domain: str, share, level: str) -> str:
    return _("%(domain)s (%(share)s ở cấp %(level)s)", domain=_quoted(domain), share=pct(share), level=level.lower())


def unit_assessment(report: YearlyReport) -> list[str]:
    capacity = report.tables["capacity"]
    total = report.summary["unit_assessments_total"]
    if not total:
        return [_("Trong các đợt đánh giá năm %(year)s chưa có đơn vị nào phải đánh giá năng lực.", year=report.year)]
    statuses = [column for column in capacity.columns if column.kind == INT and column.key != "total"]
    parts = [_("%(count)s %(status)s", count=n(_sum(capacity, column.key)), status=column.label.lower())
             for column in statuses if _sum(capacity, column.key)]
    return [_("Trong các đợt đánh giá năm %(year)s có %(total)s đánh giá năng lực đơn vị: %(parts)s.",
              year=report.year, total=n(total), parts="; ".join(parts))]


def targets_verdict(report: YearlyReport) -> list[str]:
    table = report.tables["targets"]
    verdicts = table.values("met")
    met = sum(1 for verdict in verdicts if verdict == metrics.verdict(metrics.MET))
    unknown = sum(1 for verdict in verdicts if verdict == metrics.verdict(metrics.NO_DATA))
    if verdicts and unknown == len(verdicts):
        return [_("Năm %(year)s, chưa có chỉ tiêu nào trong %(total)s chỉ tiêu có số liệu để đánh giá.",
                  year=report.year, total=n(unknown))]
    if not unknown:
        return [_("Năm %(year)s, đơn vị đạt %(met)s trên %(total)s chỉ tiêu.", year=report.year, met=n(met),
                  total=n(len(verdicts)))]
    return [_("Năm %(year)s, đơn vị đạt %(met)s trên %(total)s chỉ tiêu có số liệu; %(unknown)s chỉ tiêu chưa có số "
              "liệu để đánh giá.", year=report.year, met=n(met), total=n(len(verdicts) - unknown), unknown=n(unknown))]


def largest_gaps(gaps: Table) -> list[tuple[str, float, str]]:
    """The domains with the widest gap: (domain, share at the level where it is widest, that level),
    widest first, only domains where someone falls short."""
    widest = []
    for index, column in enumerate(gaps.columns):
        if column.kind != PERCENT:
            continue
        shares = [(row[index], row[0]) for row in gaps.rows if row[index]]
        if shares:
            share, level = max(shares, key=lambda pair: pair[0])
            widest.append((column.label, share, level))
    widest.sort(key=lambda item: -item[1])
    return widest[:NAMED_AT_MOST]


def _what_to_do() -> dict[str, str]:
    """For each target of metrics.targets (by its label), what a unit that missed it should do next."""
    return {
        _("Đơn vị cơ sở có điều phối viên tình nguyện đã hoàn thành khóa học cốt lõi"):
            _("cử ít nhất một điều phối viên tình nguyện ở mỗi đơn vị cơ sở còn thiếu tham gia và hoàn thành khóa "
              "học cốt lõi"),
        _("Cán bộ hoàn thành khóa học cốt lõi"):
            _("giao khóa học cốt lõi cho cán bộ chưa đăng ký, theo dõi tiến độ và nhắc cán bộ học dở hoàn thành"),
        _("Lớp tập huấn tổ chức so với kế hoạch năm"):
            _("tổ chức các lớp tập huấn còn lại theo kế hoạch, hoặc điều chỉnh kế hoạch năm sau cho sát với khả năng "
              "của đội ngũ tập huấn viên"),
        _("Đơn vị đã gửi đánh giá năng lực"):
            _("đôn đốc các đơn vị chưa gửi hoàn thành phiếu đánh giá năng lực đơn vị và gửi lên cấp trên thẩm định"),
    }


def furthest_behind(coverage: Table) -> list[tuple[float, str]]:
    """The units below the core-course target with the lowest completion rates, lowest first, at most
    NAMED_AT_MOST. Naming some units of a tie would single them out for nothing: none are named when several
    units all have the same rate, and units sharing the rate at the cut-off are left out together."""
    if not coverage.rows:
        return []
    share = coverage.column("completed_pct")
    rates = [(row[share], row[0]) for row, unit in zip(coverage.rows, coverage.row_units)
             if unit is not None and row[share] is not None]
    if len(rates) > 1 and len({rate for rate, _name in rates}) == 1:
        return []
    below = sorted((pair for pair in rates if pair[0] < metrics.CORE_COURSE_TARGET), key=lambda pair: pair[0])
    named = below[:NAMED_AT_MOST]
    if len(below) > len(named) and below[len(named)][0] == named[-1][0]:
        named = [pair for pair in named if pair[0] < named[-1][0]]
    return named


def lagging_areas(report: YearlyReport) -> list[str]:
    """The proposal for the priority areas whose cadres complete the core course less than the unit's as a whole
    (compared exactly, not as rounded)."""
    s = report.summary
    lagging = [flag for flag, figures in report.areas_with_cadres()
               if figures["completed"] * s["cadres"] < s["completed_core"] * figures["cadres"]]
    if not lagging:
        return []
    return [_("Tỉ lệ cán bộ hoàn thành khóa học cốt lõi của các đơn vị %(areas)s còn thấp hơn mức chung (%(share)s); "
              "đề nghị ưu tiên mở lớp tập huấn tại chỗ và hướng dẫn cán bộ tải các mô-đun về học khi không có mạng.",
              areas=_join([_(AREA_LABELS[flag]) for flag in lagging]), share=pct(s["completed_core_pct"]))]


def proposals(report: YearlyReport) -> list[str]:
    """Section IV, worded from the figures: targets missed with what to do, the units furthest behind on the
    core course, the priority areas behind, overdue required training, the widest competency gaps, trainers to
    recertify."""
    year, tables = report.year, report.tables
    lines = []
    targets = tables["targets"]
    todo = _what_to_do()
    not_met = metrics.verdict(metrics.NOT_MET)
    missed = [row for row, verdict in zip(targets.rows, targets.values("met")) if verdict == not_met]
    label, target, actual, out_of, share = (targets.column(key) for key in
                                            ("label", "target", "actual", "out_of", "actual_pct"))
    for row in missed:
        line = _("Chỉ tiêu %(label)s mới đạt %(share)s (%(actual)s/%(out_of)s), chưa đạt mức %(target)s.",
                 label=_quoted(row[label]), share=pct(row[share]), actual=n(row[actual]), out_of=n(row[out_of]),
                 target=pct(row[target]))
        if row[label] in todo:
            line += " " + _("Đề nghị %(action)s.", action=todo[row[label]])
        lines.append(line)
    if not missed and metrics.verdict(metrics.MET) in targets.values("met"):
        lines.append(_("Đơn vị đã đạt các chỉ tiêu năm %(year)s có số liệu; đề nghị duy trì kết quả và xem xét nâng "
                       "chỉ tiêu năm %(next)s.", year=year, next=year + 1))

    behind = furthest_behind(tables["coverage"])
    if behind:
        lines.append(_("Các đơn vị có tỉ lệ cán bộ hoàn thành khóa học cốt lõi thấp nhất, cần được ưu tiên hỗ trợ: "
                       "%(units)s.", units=_join([f"{name} ({pct(share)})" for share, name in behind])))
    lines += lagging_areas(report)
    overdue = report.summary["overdue_required"]
    if overdue:
        lines.append(_("Còn %(overdue)s lượt học bắt buộc đã quá hạn mà chưa hoàn thành; đề nghị các đơn vị nhắc "
                       "cán bộ hoàn thành và gia hạn cho những trường hợp có lý do chính đáng.", overdue=n(overdue)))
    widest = largest_gaps(tables["gaps"])
    if widest:
        domains = _join([_quoted(domain) for domain, _share, _level in widest])
        if len(widest) == 1:
            line = _("Kết quả đánh giá cho thấy cán bộ còn thiếu hụt nhiều nhất ở lĩnh vực %(domains)s; "
                     "đề nghị ưu tiên các mô-đun bồi dưỡng thuộc lĩnh vực này trong kế hoạch tập huấn năm %(next)s.",
                     domains=domains, next=year + 1)
        else:
            line = _("Kết quả đánh giá cho thấy cán bộ còn thiếu hụt nhiều nhất ở các lĩnh vực %(domains)s; đề nghị ưu "
                     "tiên các mô-đun bồi dưỡng thuộc những lĩnh vực này trong kế hoạch tập huấn năm %(next)s.",
                     domains=domains, next=year + 1)
        lines.append(line)
    trainers = tables["trainers"]
    expired = _sum(trainers, "expired") if any(c.key == "expired" for c in trainers.columns) else 0
    if expired:
        lines.append(_("Có %(count)s tập huấn viên đã hết hạn công nhận; đề nghị tổ chức đánh giá để công nhận lại, "
                       "bảo đảm đủ lực lượng tập huấn cho các lớp năm %(next)s.", count=n(expired), next=year + 1))
    if not lines:
        lines.append(_("Chưa có số liệu năm %(year)s để đề xuất.", year=year))
    return lines


# --- The document, in order ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """A heading of the report with the paragraphs under it and the tables printed after them."""
    heading: str
    level: int  # 1: "I. …", the sections; 2: "1. …", the parts of section II
    lines: list[str]
    table_keys: tuple[str, ...] = ()


def letterhead(report: YearlyReport) -> tuple[str | None, str, str]:
    """The top left block: the organisation, the unit (in capitals) and the rule under them; no organisation
    line when the unit's name already holds it ("TRUNG ƯƠNG ĐOÀN TNCS HỒ CHÍ MINH")."""
    organisation, unit = report.unit.organisation, report.unit
    named = any(nfc(name).casefold() in nfc(unit.name).casefold()
                for name in (organisation.short_name, organisation.name))
    return None if named else organisation.short_name.upper(), unit.name.upper(), "***"


def title_block(report: YearlyReport) -> tuple[str, str, str]:
    """The title, what the report is about, and the period it covers."""
    end = min(date(report.year, 12, 31), report.issued_on)
    period = _("Kỳ báo cáo: từ ngày 01/01/%(year)s đến ngày %(end)s", year=report.year, end=end.strftime("%d/%m/%Y"))
    if end != report.issued_on:
        period = _("%(period)s; số lũy kế tính đến ngày %(today)s", period=period,
                   today=report.issued_on.strftime("%d/%m/%Y"))
    return _("BÁO CÁO NĂM %(year)s", year=report.year), subject(), period


def subject() -> str:
    """What every yearly report is about, in the page's language."""
    return _("Kết quả bồi dưỡng năng lực quản lý, điều phối hoạt động tình nguyện")


def outline(report: YearlyReport) -> list[Part]:
    """The sections of the report in order; their tables are numbered in the order they come."""
    return [
        Part(_("I. Đặc điểm tình hình"), 1, situation(report)),
        Part(_("II. Kết quả thực hiện"), 1, []),
        Part(_("1. Bồi dưỡng trực tuyến"), 2,
             online_training(report) + against_last_year(report, ONLINE_CHANGES), ("coverage", "courses", "areas")),
        Part(_("2. Tập huấn và tập huấn viên"), 2,
             cascade_training(report) + against_last_year(report, CASCADE_CHANGES), ("cascade", "trainers")),
        Part(_("3. Đánh giá năng lực cán bộ"), 2,
             people_assessment(report) + against_last_year(report, PEOPLE_CHANGES), ("campaigns", "gaps")),
        Part(_("4. Đánh giá năng lực đơn vị"), 2,
             unit_assessment(report) + against_last_year(report, UNIT_CHANGES), ("capacity",)),
        Part(_("III. Đối chiếu chỉ tiêu năm"), 1, targets_verdict(report), ("targets",)),
        Part(_("IV. Đề xuất, kiến nghị"), 1, proposals(report)),
    ]


def table_caption(table: Table, number: int) -> str:
    return _("Bảng %(number)s. %(title)s", number=number, title=table.title)


def cells(table: Table) -> list[list[str]]:
    """The cells as printed: numbers as the dashboard writes them."""
    return [[nfc(number_text(value, column.kind)) for column, value in zip(table.columns, row)] for row in table.rows]


def alignments(table: Table) -> list[str]:
    """"right" for figures, "center" for dates, "left" for words, column by column."""
    return ["right" if column.kind in (INT, PERCENT) else "center" if column.kind == DATE else "left"
            for column in table.columns]


def verdict_mark(table: Table, row: tuple, index: int) -> str | None:
    """"met" or "missed" for the verdict cell of a targets row, so it can be set apart; None elsewhere."""
    if table.columns[index].key != "met":
        return None
    return {metrics.verdict(metrics.MET): "met", metrics.verdict(metrics.NOT_MET): "missed"}.get(row[index])


@dataclass(frozen=True)
class Closing:
    sentence: str
    date_line: str
    signatory: list[str]  # who signs for the unit, then the unit, in capitals
    signature_hint: str
    receivers: list[str]


def signing_board(unit: Unit) -> str:
    """Who signs for the unit: a branch's executive committee; above it the Đoàn's standing committee (the
    Secretariat at the centre), or the Hội's secretariat."""
    if unit.level.code == "branch":
        return _("TM. BAN CHẤP HÀNH")
    if unit.organisation.code != YOUTH_UNION:
        return _("TM. BAN THƯ KÝ")
    return _("TM. BAN BÍ THƯ") if unit.parent is None else _("TM. BAN THƯỜNG VỤ")


def closing(report: YearlyReport) -> Closing:
    unit = report.unit
    board = signing_board(unit)
    receivers = [_("- %(unit)s (để báo cáo);", unit=unit.parent.name)] if unit.parent is not None else []
    receivers.append(_("- Lưu hồ sơ."))
    return Closing(
        _("Trên đây là báo cáo kết quả bồi dưỡng năng lực quản lý, điều phối hoạt động tình nguyện năm "
          "%(year)s của %(unit)s.", year=report.year, unit=unit.name),
        date_line(place_of(unit), report.issued_on), [board, unit.name.upper()], _("(Ký tên, đóng dấu)"),
        receivers)
