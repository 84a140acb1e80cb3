"""The competency framework on the web: which versions a person may read, starting a new version as a
draft copied from the latest one, editing the draft, publishing it and deleting it.

Rules:
  * published versions are read by every signed-in person; drafts only by those who keep the
    framework ("framework.edit" held over a central unit, the root of an organisation's tree);
  * at most one draft at a time; it is numbered latest version + 1 and starts as a copy of the latest;
  * only a draft changes. A published version is read-only for ever: campaigns are rated against it;
  * the draft is kept valid as it is edited (the same limits as the file loader), so publishing only
    re-checks and flips the status."""
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select

from lms.actions import RuleError
from lms.assessments.framework import (
    CompetencyData, DomainData, FrameworkData, IndicatorData, latest_version, write_framework)
from lms.assessments.models import (
    BY_LEVEL, BY_ROLE, COMPUTED, DECLARED, DRAFT, PROFICIENCY_LEVELS, PUBLISHED, Campaign, Competency, Domain,
    Expectation, Framework, UnitIndicator)
from lms.auth.permissions import in_scope, scope_paths
from lms.db import db, utcnow
from lms.i18n import N_, level_name
from lms.orgs.models import Unit, UnitLevel
from lms.people.models import User, VOLUNTEER_ROLE_LABELS, VOLUNTEER_ROLES

ACTION = "framework.edit"

# The loader's limits (lms/assessments/framework.py), so that a draft edited here stays a valid file.
TITLE_MAX = 200
SUMMARY_MAX = 4000
DESCRIPTION_MAX = 2000
INDICATOR_TITLE_MAX = 300
INDICATOR_LINE_MAX = 500
INDICATOR_LINES_MAX = 30
TARGET_MAX = 1_000_000

# Shown through _() where rendered; N_ only puts them in the catalog.
KIND_LABELS = {COMPUTED: N_("Tính từ dữ liệu trên hệ thống"), DECLARED: N_("Đơn vị tự khai")}
ANSWER_TYPE_LABELS = {"yes_no": N_("Có / Không"), "number": N_("Số"), "text": N_("Mô tả bằng lời")}
SOURCE_LABELS = {
    "core_course_completion": N_("Tỉ lệ cán bộ hoàn thành khóa học cốt lõi"),
    "certified_trainers": N_("Số tập huấn viên được công nhận"),
    "cohorts_vs_plan": N_("Tỉ lệ lớp tập huấn đã tổ chức so với kế hoạch"),
    "campaign_participation": N_("Tỉ lệ người tham gia hoàn thành đợt đánh giá"),
}


class FrameworkRefused(RuleError):
    """A change to the framework the rules refuse; nothing is changed."""


class FrameworkInputRefused(FrameworkRefused):
    """Input the rules refuse: messages per form field (or per key the view maps to a field)."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


# --- Who may see and edit -------------------------------------------------------------------------

def may_edit(user) -> bool:
    """Whether `user` keeps the framework: "framework.edit" held over a central unit (a tree's root)."""
    if not scope_paths(user, ACTION):
        return False
    return bool(db.session.scalar(select(exists().where(Unit.parent_id.is_(None), in_scope(user, ACTION)))))


def may_read(user, framework: Framework) -> bool:
    return framework.is_published or may_edit(user)


@dataclass
class FrameworkRow:
    framework: Framework
    campaigns: int


def framework_rows(user) -> list[FrameworkRow]:
    """The versions `user` may read, newest first, each with the number of campaigns that use it."""
    campaigns = (select(func.count(Campaign.id)).where(Campaign.framework_id == Framework.id)
                 .correlate(Framework).scalar_subquery())
    query = select(Framework, campaigns).order_by(Framework.version.desc())
    if not may_edit(user):
        query = query.where(Framework.status == PUBLISHED)
    return [FrameworkRow(framework, int(count)) for framework, count in db.session.execute(query)]


def current_draft() -> Framework | None:
    return db.session.scalar(select(Framework).where(Framework.status == DRAFT)
                             .order_by(Framework.version.desc()).limit(1))


def campaign_count(framework: Framework) -> int:
    return db.session.scalar(select(func.count(Campaign.id)).where(Campaign.framework_id == framework.id))


# --- Reading for the pages ------------------------------------------------------------------------

@dataclass
class LevelColumn:
    """A unit level as a column of the expectations grid or a line of an indicator's targets."""

    code: str
    name: str


def level_columns(framework: Framework, every_known: bool = False) -> list[LevelColumn]:
    """The unit levels the framework sets expectations or targets for, in the tree's order (levels
    the database no longer knows last, by code); with `every_known`, every level of the database too,
    so that an editor can bring one in."""
    used = {row.key for row in framework.expectations if row.kind == BY_LEVEL}
    for indicator in framework.unit_indicators:
        used.update(indicator.targets)
    known = list(db.session.scalars(select(UnitLevel).order_by(UnitLevel.rank)))
    columns = [LevelColumn(level.code, level_name(level)) for level in known if every_known or level.code in used]
    known_codes = {level.code for level in known}
    columns += [LevelColumn(code, code) for code in sorted(used - known_codes)]
    return columns


@dataclass
class GridRow:
    competency: Competency
    by_level: dict[str, int | None]
    by_role: dict[str, int | None]


@dataclass
class ExpectationGrid:
    levels: list[LevelColumn]
    roles: list[tuple[str, str]]  # (role, label to show through _())
    rows: list[GridRow]


def expectation_grid(framework: Framework, every_known: bool = False) -> ExpectationGrid:
    """Competencies × (unit levels, then volunteer roles): the level expected, None where none is set."""
    levels = [column for column in level_columns(framework, every_known)
              if every_known or any(row.kind == BY_LEVEL and row.key == column.code for row in framework.expectations)]
    table = {(row.kind, row.key, row.competency_code): row.level for row in framework.expectations}
    rows = [GridRow(competency,
                    {column.code: table.get((BY_LEVEL, column.code, competency.code)) for column in levels},
                    {role: table.get((BY_ROLE, role, competency.code)) for role in VOLUNTEER_ROLES})
            for competency in framework.competencies]
    return ExpectationGrid(levels, [(role, VOLUNTEER_ROLE_LABELS[role]) for role in VOLUNTEER_ROLES], rows)


def format_number(value) -> str:
    return format_decimal(value)


def target_text(indicator: UnitIndicator, value) -> str:
    """What a unit of some level is expected to reach on the indicator, as a person reads it."""
    if indicator.answer_type == "text":
        return _("Trả lời bằng lời")
    if value is None:
        return _("Ghi nhận, không đặt mức")
    if value is True:
        return _("Có")
    unit = indicator.unit or ""
    return "≥ " + format_number(value) + (unit if unit == "%" else f" {unit}" if unit else "")


# --- Starting a new version -----------------------------------------------------------------------

def framework_data(framework: Framework) -> FrameworkData:
    """The content of a stored version in the loader's shape (so a copy is written as a file is)."""
    domains = [DomainData(domain.code, domain.title,
                          [CompetencyData(c.code, c.title, c.description,
                                          {level: list(lines) for level, lines in c.indicators.items()})
                           for c in domain.competencies])
               for domain in framework.domains]
    expectations = sorted((row.kind, row.key, row.competency_code, row.level) for row in framework.expectations)
    indicators = [IndicatorData(i.code, i.title, i.description, i.kind, i.source, i.answer_type, i.unit,
                                dict(i.targets), i.evidence_required) for i in framework.unit_indicators]
    return FrameworkData(framework.version, framework.title, framework.summary, "",
                         {level: dict(label) for level, label in framework.level_labels.items()},
                         domains, expectations, indicators)


def start_draft(user: User) -> Framework:
    """A new draft, version latest + 1, holding a copy of the latest version. Refused while a draft
    exists. The caller commits (a concurrent start fails on the version's uniqueness)."""
    draft = current_draft()
    if draft is not None:
        raise FrameworkRefused(_("Đang có bản nháp phiên bản %(version)d. Hãy sửa và ban hành (hoặc xóa) bản nháp "
                                 "đó trước khi tạo phiên bản mới.", version=draft.version))
    latest = db.session.scalar(select(Framework).order_by(Framework.version.desc()).limit(1))
    if latest is None:
        raise FrameworkRefused(_("Chưa có khung năng lực nào để sao chép. Hãy nạp khung năng lực từ tệp nội dung trước."))
    data = framework_data(latest)
    data.version = latest_version() + 1
    draft = Framework(version=data.version, status=DRAFT, from_file=False, created_by_id=user.id)
    return write_framework(draft, data, publish=False)


# --- Editing the draft ----------------------------------------------------------------------------

def _locked_draft(framework: Framework) -> Framework:
    """Re-read the version locking its row (PostgreSQL), so that an edit and publishing cannot
    interleave; refuse any change once it is published."""
    locked = db.session.scalar(select(Framework).where(Framework.id == framework.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked is None:
        raise FrameworkRefused(_("Phiên bản này không còn nữa."))
    if locked.is_published:
        raise FrameworkRefused(published_refusal(locked))
    return locked


def published_refusal(framework: Framework) -> str:
    return _("Phiên bản %(version)d đã ban hành nên không thể sửa. Muốn thay đổi, hãy tạo phiên bản mới.",
             version=framework.version)


def _text(value: str | None) -> str:
    return (value or "").strip()


def update_details(framework: Framework, title: str, summary: str) -> None:
    framework = _locked_draft(framework)
    title, summary = _text(title), _text(summary).replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Hãy nhập tên khung năng lực.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Tên khung năng lực tối đa %(max)d ký tự.", max=TITLE_MAX)]
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = [_("Phần giới thiệu tối đa %(max)d ký tự.", max=SUMMARY_MAX)]
    if errors:
        raise FrameworkInputRefused(errors)
    framework.title, framework.summary = title, summary


_BULLETS = ("- ", "* ", "• ", "+ ")


def indicator_lines(text: str | None) -> list[str]:
    """The behaviours typed in a box, one a line; blank lines and list bullets are dropped."""
    lines = []
    for line in (text or "").splitlines():
        line = line.strip()
        while line.startswith(_BULLETS):
            line = line[2:].strip()
        if line:
            lines.append(line)
    return lines


def indicators_text(competency: Competency) -> dict[str, str]:
    """The behaviours of each level, one a line, as the edit form shows them."""
    return {str(level): "\n".join(competency.indicators.get(str(level), [])) for level in PROFICIENCY_LEVELS}


def update_competency(framework: Framework, competency: Competency, title: str, description: str,
                      indicators: dict[str, str]) -> None:
    """Change a competency's title, description and behaviours; `indicators` holds, for each level
    "1"–"4", the text of its box (one behaviour a line)."""
    framework = _locked_draft(framework)
    if competency.framework_id != framework.id:
        raise FrameworkRefused(_("Năng lực này không thuộc phiên bản đang sửa."))
    title, description = _text(title), _text(description).replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Hãy nhập tên năng lực.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Tên năng lực tối đa %(max)d ký tự.", max=TITLE_MAX)]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Phần mô tả tối đa %(max)d ký tự.", max=DESCRIPTION_MAX)]
    by_level = {}
    for level in PROFICIENCY_LEVELS:
        key, name = str(level), framework.level_labels.get(str(level), {}).get("name", "")
        lines = indicator_lines(indicators.get(key))
        problems = []
        if not lines:
            problems.append(_("Mức %(level)d (%(name)s) cần ít nhất một biểu hiện.", level=level, name=name))
        elif len(lines) > INDICATOR_LINES_MAX:
            problems.append(_("Mức %(level)d có tối đa %(max)d biểu hiện.", level=level, max=INDICATOR_LINES_MAX))
        for number, line in enumerate(lines, start=1):
            if len(line) > INDICATOR_LINE_MAX:
                problems.append(_("Mức %(level)d, biểu hiện thứ %(number)d dài %(length)d ký tự; mỗi biểu hiện "
                                  "tối đa %(max)d ký tự.", level=level, number=number, length=len(line),
                                  max=INDICATOR_LINE_MAX))
        if problems:
            errors[f"level_{level}"] = problems
        by_level[key] = lines
    if errors:
        raise FrameworkInputRefused(errors)
    competency.title, competency.description = title, description
    competency.indicators = by_level


def check_expectations(framework: Framework, by_level: dict[str, dict[str, int | None]],
                       by_role: dict[str, dict[str, int | None]]) -> dict[tuple[str, str], list[str]]:
    """Problems of a new expectations grid, keyed by (kind, key) of the column: a unit level is set
    for every competency or for none; at least one unit level is set; levels are 1–4."""
    codes = [c.code for c in framework.competencies]
    names = {column.code: column.name for column in level_columns(framework, every_known=True)}
    errors: dict[tuple[str, str], list[str]] = {}
    for kind, table in ((BY_LEVEL, by_level), (BY_ROLE, by_role)):
        for key, levels in table.items():
            if kind == BY_ROLE and key not in VOLUNTEER_ROLES:
                errors[(kind, key)] = [_("Vai trò không có trong danh sách.")]
                continue
            if any(value is not None and value not in PROFICIENCY_LEVELS for value in levels.values()):
                errors[(kind, key)] = [_("Mức yêu cầu là 1, 2, 3 hoặc 4.")]
                continue
            if any(code not in codes for code in levels):
                errors[(kind, key)] = [_("Năng lực không có trong phiên bản này.")]
                continue
            given = [code for code in codes if levels.get(code) is not None]
            if kind == BY_LEVEL and given and len(given) < len(codes):
                missing = [code for code in codes if levels.get(code) is None]
                errors[(kind, key)] = [_("Cấp %(level)s: hãy chọn mức yêu cầu cho mọi năng lực (còn thiếu %(codes)s), "
                                         "hoặc để trống cả cột nếu không đặt yêu cầu cho cấp này.",
                                         level=names.get(key, key), codes=", ".join(missing))]
    if not any(value is not None for levels in by_level.values() for value in levels.values()) and by_level:
        first = next(iter(by_level))
        errors.setdefault((BY_LEVEL, first), []).append(_("Hãy đặt mức yêu cầu cho ít nhất một cấp đơn vị."))
    return errors


def update_expectations(framework: Framework, by_level: dict[str, dict[str, int | None]],
                        by_role: dict[str, dict[str, int | None]]) -> None:
    """Replace the expected levels: `by_level` maps a unit level to {competency code: level or None},
    `by_role` a volunteer role likewise (None: the role raises nothing in that competency).
    Levels and roles left out of the mappings lose their expectations."""
    framework = _locked_draft(framework)
    errors = check_expectations(framework, by_level, by_role)
    if errors:
        raise FrameworkInputRefused(errors)
    wanted = {(kind, key, code): level
              for kind, table in ((BY_LEVEL, by_level), (BY_ROLE, by_role))
              for key, levels in table.items() for code, level in levels.items() if level is not None}
    existing = {(row.kind, row.key, row.competency_code): row for row in framework.expectations}
    for key, row in existing.items():
        if key not in wanted:
            framework.expectations.remove(row)
    db.session.flush()  # removals first: the same key may come back below
    for (kind, key, code), level in wanted.items():
        row = existing.get((kind, key, code))
        if row is not None:
            row.level = level
        else:
            framework.expectations.append(Expectation(kind=kind, key=key, competency_code=code, level=level))


@dataclass
class TargetInput:
    """One unit level's line of the indicator form: assessed or not, and the target as typed."""

    assessed: bool
    value: str = ""


def parse_target(indicator: UnitIndicator, text: str) -> tuple[object, str | None]:
    """The stored target for what was typed (a yes/no indicator expects "yes"; a text one has none;
    a number one a minimum, or none when left empty), or a message saying what is wrong."""
    if indicator.answer_type == "yes_no":
        return True, None
    if indicator.answer_type == "text":
        return None, None
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None, None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None, _("Mức cần đạt phải là một số, ví dụ 70 hoặc 2,5.")
    if number != number or number < 0 or number > TARGET_MAX:  # NaN, negative, absurd
        return None, _("Mức cần đạt phải là một số từ 0 đến %(max)s.", max=format_number(TARGET_MAX))
    if indicator.unit == "%" and number > 100:
        return None, _("Mức cần đạt là một tỉ lệ phần trăm, không quá 100.")
    return (int(number) if number.is_integer() else number), None


def update_unit_indicator(framework: Framework, indicator: UnitIndicator, title: str, description: str,
                          targets: dict[str, TargetInput], evidence_required: bool) -> None:
    """Change an indicator's title, description, evidence rule and the levels it assesses with their
    targets. Errors are keyed "title", "description", or "target:<level code>" / "targets"."""
    framework = _locked_draft(framework)
    if indicator.framework_id != framework.id:
        raise FrameworkRefused(_("Chỉ số này không thuộc phiên bản đang sửa."))
    title, description = _text(title), _text(description).replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Hãy nhập tên chỉ số.")]
    elif len(title) > INDICATOR_TITLE_MAX:
        errors["title"] = [_("Tên chỉ số tối đa %(max)d ký tự.", max=INDICATOR_TITLE_MAX)]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Phần mô tả tối đa %(max)d ký tự.", max=DESCRIPTION_MAX)]
    known = {column.code for column in level_columns(framework, every_known=True)}
    stored = {}
    for code, line in targets.items():
        if not line.assessed:
            continue
        if code not in known:
            errors[f"target:{code}"] = [_("Cấp đơn vị không có trong danh sách.")]
            continue
        value, problem = parse_target(indicator, line.value)
        if problem:
            errors[f"target:{code}"] = [problem]
        stored[code] = value
    if not stored and not any(key.startswith("target:") for key in errors):
        errors["targets"] = [_("Hãy chọn ít nhất một cấp đơn vị được đánh giá theo chỉ số này.")]
    if errors:
        raise FrameworkInputRefused(errors)
    indicator.title, indicator.description = title, description
    indicator.targets, indicator.evidence_required = stored, bool(evidence_required)


# --- Publishing and deleting ----------------------------------------------------------------------

def publish_problems(framework: Framework) -> list[str]:
    """What keeps the draft from being published (the loader's rules); empty when it can be."""
    problems = []
    codes = [c.code for c in framework.competencies]
    if not codes:
        problems.append(_("Phiên bản chưa có năng lực nào."))
    for competency in framework.competencies:
        empty = [level for level in PROFICIENCY_LEVELS if not competency.indicators.get(str(level))]
        if empty:
            problems.append(_("Năng lực %(code)s chưa có biểu hiện cho mức %(levels)s.", code=competency.code,
                              levels=", ".join(map(str, empty))))
    by_level: dict[str, set[str]] = {}
    for row in framework.expectations:
        if row.kind == BY_LEVEL:
            by_level.setdefault(row.key, set()).add(row.competency_code)
    if not by_level:
        problems.append(_("Chưa đặt mức yêu cầu cho cấp đơn vị nào."))
    for key, given in by_level.items():
        missing = [code for code in codes if code not in given]
        if missing:
            problems.append(_("Cấp %(level)s chưa có mức yêu cầu cho %(codes)s.", level=key, codes=", ".join(missing)))
    if not framework.unit_indicators:
        problems.append(_("Phiên bản chưa có chỉ số năng lực đơn vị nào."))
    for indicator in framework.unit_indicators:
        if not indicator.targets:
            problems.append(_("Chỉ số “%(title)s” chưa chọn cấp đơn vị nào được đánh giá.", title=indicator.title))
    return problems


def publish(framework: Framework) -> None:
    framework = _locked_draft(framework)
    problems = publish_problems(framework)
    if problems:
        raise FrameworkRefused(_("Chưa thể ban hành: %(problems)s", problems=" ".join(problems)))
    framework.status, framework.published_at = PUBLISHED, utcnow()


def delete_draft(framework: Framework) -> None:
    """Delete a draft and everything in it. A published version is never deleted."""
    framework = _locked_draft(framework)
    if campaign_count(framework):
        raise FrameworkRefused(_("Đã có đợt đánh giá dùng bản nháp này nên không thể xóa."))
    for model in (Expectation, UnitIndicator, Competency, Domain):
        db.session.execute(delete(model).where(model.framework_id == framework.id))
    db.session.execute(delete(Framework).where(Framework.id == framework.id))
