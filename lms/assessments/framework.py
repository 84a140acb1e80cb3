"""The competency framework: versions read from `content/competencies/v<N>.yaml` (format in that
folder's README), what a cadre is expected to reach, and the lookups the other assessment modules use.

A file is read and checked whole before anything is written; a problem stops the import with
`file:line: reason`."""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.assessments.models import (
    ANSWER_TYPES, BY_LEVEL, BY_ROLE, COMPUTED, DECLARED, PROFICIENCY_LEVELS, PUBLISHED, Competency, Domain,
    Expectation, Framework, UnitIndicator)
from lms.courses.content import COMPETENCY_CODES, ContentError
from lms.db import db, utcnow
from lms.orgs.models import UnitLevel
from lms.people.models import VOLUNTEER_ROLES

DOMAIN_CODE = re.compile(r"^[A-Z0-9]{1,20}$")
INDICATOR_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILE_NAME = re.compile(r"^v(\d+)\.yaml$")
COMPUTED_SOURCES = ("core_course_completion", "certified_trainers", "cohorts_vs_plan", "campaign_participation")


# --- Reading a file -------------------------------------------------------------------------------

class _Source:
    """A parsed YAML file that can say on which line any value sits."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ContentError(path, 1, _("tệp không phải văn bản UTF-8")) from None
        try:
            self.data, self.node = yaml.safe_load(text), yaml.compose(text)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise ContentError(path, mark.line + 1 if mark else 1,
                               _("YAML không hợp lệ: %(problem)s", problem=error.problem)) from None
        self.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()

    def fail(self, reason: str, *where):
        raise ContentError(self.path, self._line(where), reason)

    def _line(self, where) -> int:
        """The line of the value at `where`; for a value under a key, the key's line (where a person
        looks, also when the value is a block starting on the next line)."""
        node, found = self.node, self.node
        for step in where:
            shown = None
            if isinstance(node, yaml.MappingNode):
                shown, node = next(((key, value) for key, value in node.value if key.value == str(step)),
                                   (None, None))
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
            else:
                node = None
            if node is None:
                break
            found = shown or node
        return found.start_mark.line + 1 if found is not None else 1


def _text(source: _Source, value, where: tuple, limit: int, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            source.fail(_("'%(key)s' là bắt buộc, không được để trống", key=where[-1]), *where)
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        source.fail(_("'%(key)s' phải là văn bản", key=where[-1]), *where)
    value = str(value).strip()
    if len(value) > limit:
        source.fail(_("'%(key)s' không được dài quá %(limit)d ký tự", key=where[-1], limit=limit), *where)
    return value


def _mapping(source: _Source, value, where: tuple, keys: tuple[str, ...] | None = None) -> dict:
    """`value` as a mapping; with `keys`, one holding no other key, so a misspelt key is not ignored."""
    if not isinstance(value, dict):
        source.fail(_("'%(key)s' phải gồm các cặp 'khóa: giá trị'", key=where[-1]), *where)
    unknown = [key for key in value if keys is not None and key not in keys]
    if unknown:
        source.fail(_("khóa '%(key)s' không hợp lệ (các khóa được phép: %(allowed)s)",
                      key=unknown[0], allowed=", ".join(keys)), *where, unknown[0])
    return value


def _exactly_levels(keys) -> bool:
    """Whether the keys are the whole numbers 1–4 (a mapping with text keys, or `true`, is not)."""
    return all(type(key) is int for key in keys) and sorted(keys) == list(PROFICIENCY_LEVELS)


def _list(source: _Source, value, where: tuple) -> list:
    if not isinstance(value, list) or not value:
        source.fail(_("'%(key)s' phải là một danh sách có ít nhất một mục", key=where[-1]), *where)
    return value


# --- Parsed framework -----------------------------------------------------------------------------

@dataclass
class CompetencyData:
    code: str
    title: str
    description: str
    indicators: dict[str, list[str]]


@dataclass
class DomainData:
    code: str
    title: str
    competencies: list[CompetencyData]


@dataclass
class IndicatorData:
    code: str
    title: str
    description: str
    kind: str
    source: str | None
    answer_type: str
    unit: str
    targets: dict
    evidence_required: bool


@dataclass
class FrameworkData:
    version: int
    title: str
    summary: str
    digest: str
    level_labels: dict[str, dict]
    domains: list[DomainData]
    expectations: list[tuple[str, str, str, int]]  # (kind, key, competency code, level)
    indicators: list[IndicatorData]


def read_framework(path: Path, level_codes: set[str] | None = None) -> FrameworkData:
    """Read and check one framework file. `level_codes` are the unit levels known to the database."""
    source = _Source(path)
    data = _mapping(source, source.data, ("framework",),
                    ("version", "title", "summary", "levels", "domains", "expected", "unit_indicators"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        source.fail(_("'version' phải là số nguyên từ 1 trở lên"), "version")
    named = FILE_NAME.match(path.name)
    if named and int(named.group(1)) != version:
        source.fail(_("tên tệp ghi phiên bản %(named)s nhưng 'version' là %(version)d",
                      named=named.group(1), version=version), "version")
    levels = _read_levels(source, data.get("levels"))
    domains = _read_domains(source, data.get("domains"))
    codes = [c.code for d in domains for c in d.competencies]
    expectations = _read_expectations(source, data.get("expected"), codes, level_codes)
    indicators = _read_indicators(source, data.get("unit_indicators"), level_codes)
    return FrameworkData(version, _text(source, data.get("title"), ("title",), 200),
                         _text(source, data.get("summary"), ("summary",), 4000, required=False),
                         source.digest, levels, domains, expectations, indicators)


def _read_levels(source: _Source, raw) -> dict[str, dict]:
    levels = _mapping(source, raw, ("levels",))
    if not _exactly_levels(levels):
        source.fail(_("'levels' phải có đúng các mức 1, 2, 3 và 4"), "levels")
    labels = {}
    for number in PROFICIENCY_LEVELS:
        item = _mapping(source, levels[number], ("levels", number), ("name", "description"))
        labels[str(number)] = {"name": _text(source, item.get("name"), ("levels", number, "name"), 60),
                               "description": _text(source, item.get("description"),
                                                    ("levels", number, "description"), 500)}
    return labels


def _read_domains(source: _Source, raw) -> list[DomainData]:
    domains, seen_domains, seen = [], set(), set()
    for i, item in enumerate(_list(source, raw, ("domains",))):
        where = ("domains", i)
        item = _mapping(source, item, where, ("code", "title", "competencies"))
        code = item.get("code")
        if not isinstance(code, str) or not DOMAIN_CODE.match(code):
            source.fail(_("'code' của lĩnh vực chỉ gồm chữ A–Z và số 0–9, tối đa 20 ký tự"), *where, "code")
        if code in seen_domains:
            source.fail(_("lĩnh vực %(code)s xuất hiện hai lần", code=code), *where, "code")
        seen_domains.add(code)
        competencies = []
        for j, raw_competency in enumerate(_list(source, item.get("competencies"), (*where, "competencies"))):
            competency = _read_competency(source, raw_competency, (*where, "competencies", j))
            if competency.code in seen:
                source.fail(_("năng lực %(code)s xuất hiện hai lần", code=competency.code),
                            *where, "competencies", j, "code")
            seen.add(competency.code)
            competencies.append(competency)
        domains.append(DomainData(code, _text(source, item.get("title"), (*where, "title"), 200), competencies))
    return domains


def _read_competency(source: _Source, raw, where: tuple) -> CompetencyData:
    item = _mapping(source, raw, where, ("code", "title", "description", "indicators"))
    code = item.get("code")
    if code not in COMPETENCY_CODES:
        source.fail(_("mã năng lực '%(code)s' không hợp lệ (các mã được phép: %(allowed)s)",
                      code=code, allowed=", ".join(COMPETENCY_CODES)), *where, "code")
    indicators = _mapping(source, item.get("indicators"), (*where, "indicators"))
    if not _exactly_levels(indicators):
        source.fail(_("%(code)s: 'indicators' phải liệt kê biểu hiện ở từng mức 1, 2, 3 và 4", code=code),
                    *where, "indicators")
    by_level = {}
    for number in PROFICIENCY_LEVELS:
        lines = _list(source, indicators[number], (*where, "indicators", number))
        by_level[str(number)] = [_text(source, line, (*where, "indicators", number), 500) for line in lines]
    return CompetencyData(code, _text(source, item.get("title"), (*where, "title"), 200),
                          _text(source, item.get("description"), (*where, "description"), 2000, required=False),
                          by_level)


def _read_expectations(source: _Source, raw, codes: list[str], level_codes) -> list[tuple]:
    expected = _mapping(source, raw, ("expected",), ("levels", "roles"))
    by_level = _mapping(source, expected.get("levels"), ("expected", "levels"))
    by_role = _mapping(source, expected.get("roles") or {}, ("expected", "roles"))
    rows = []
    for kind, table, known, complete in ((BY_LEVEL, by_level, level_codes, True),
                                         (BY_ROLE, by_role, set(VOLUNTEER_ROLES), False)):
        group = "levels" if kind == BY_LEVEL else "roles"
        for key, levels in table.items():
            where = ("expected", group, key)
            if known is not None and key not in known:
                names = ", ".join(sorted(known))
                source.fail(_("không có cấp đơn vị '%(key)s' (các cấp đơn vị hiện có: %(known)s)", key=key, known=names)
                            if kind == BY_LEVEL else
                            _("không có vai trò '%(key)s' (các vai trò hiện có: %(known)s)", key=key, known=names),
                            *where)
            levels = _mapping(source, levels, where)
            missing = [code for code in codes if code not in levels]
            if complete and missing:
                source.fail(_("%(key)s: chưa có mức yêu cầu cho %(codes)s", key=key, codes=", ".join(missing)), *where)
            for code, level in levels.items():
                if code not in codes:
                    source.fail(_("%(key)s: '%(code)s' không phải là năng lực của khung năng lực này",
                                  key=key, code=code), *where, code)
                if type(level) is not int or level not in PROFICIENCY_LEVELS:
                    source.fail(_("%(key)s: mức yêu cầu của %(code)s phải là 1, 2, 3 hoặc 4", key=key, code=code),
                                *where, code)
                rows.append((kind, str(key), code, level))
    return rows


def _read_indicators(source: _Source, raw, level_codes) -> list[IndicatorData]:
    indicators, seen = [], set()
    for i, item in enumerate(_list(source, raw, ("unit_indicators",))):
        where = ("unit_indicators", i)
        item = _mapping(source, item, where, ("code", "title", "description", "kind", "source", "answer_type",
                                              "unit", "targets", "evidence_required"))
        code = item.get("code")
        if not isinstance(code, str) or not INDICATOR_CODE.match(code) or len(code) > 30:
            source.fail(_("'code' của chỉ số chỉ gồm chữ a–z, số 0–9 và dấu '-', tối đa 30 ký tự"), *where, "code")
        if code in seen:
            source.fail(_("chỉ số %(code)s xuất hiện hai lần", code=code), *where, "code")
        seen.add(code)
        kind = item.get("kind")
        if kind not in (COMPUTED, DECLARED):
            source.fail(_("%(code)s: 'kind' phải là computed hoặc declared", code=code), *where, "kind")
        source_name = item.get("source") if kind == COMPUTED else None
        if kind == COMPUTED and source_name not in COMPUTED_SOURCES:
            source.fail(_("%(code)s: 'source' phải là một trong %(sources)s",
                          code=code, sources=", ".join(COMPUTED_SOURCES)), *where, "source")
        answer_type = "number" if kind == COMPUTED else item.get("answer_type", "yes_no")
        if answer_type not in ANSWER_TYPES:
            source.fail(_("%(code)s: 'answer_type' phải là một trong %(types)s",
                          code=code, types=", ".join(ANSWER_TYPES)), *where, "answer_type")
        targets = _read_targets(source, item.get("targets"), answer_type, level_codes, (*where, "targets"))
        evidence_required = item.get("evidence_required", False)
        if not isinstance(evidence_required, bool):
            source.fail(_("%(code)s: 'evidence_required' phải là true hoặc false", code=code),
                        *where, "evidence_required")
        indicators.append(IndicatorData(
            code, _text(source, item.get("title"), (*where, "title"), 300),
            _text(source, item.get("description"), (*where, "description"), 2000, required=False),
            kind, source_name, answer_type, _text(source, item.get("unit"), (*where, "unit"), 20, required=False),
            targets, evidence_required))
    return indicators


def _read_targets(source: _Source, raw, answer_type: str, level_codes, where: tuple) -> dict:
    targets = _mapping(source, raw, where)
    if not targets:
        source.fail(_("'targets' phải nêu ít nhất một cấp đơn vị"), *where)
    for key, value in targets.items():
        if level_codes is not None and key not in level_codes:
            source.fail(_("không có cấp đơn vị '%(key)s'", key=key), *where, key)
        valid = (value is None or (answer_type == "yes_no" and value is True)
                 or (answer_type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool)
                     and value >= 0))
        if not valid:
            source.fail(_("chỉ tiêu cho %(key)s không phù hợp với chỉ số loại %(answer_type)s",
                          key=key, answer_type=answer_type), *where, key)
    return {str(key): value for key, value in targets.items()}


# --- Importing ------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def import_frameworks(root: Path) -> ImportReport:
    """Import every `v<N>.yaml` under `root/competencies` (or `root` itself). All or nothing."""
    base = root / "competencies" if (root / "competencies").is_dir() else root
    level_codes = set(db.session.scalars(select(UnitLevel.code))) or None
    files = sorted((p for p in base.glob("v*.yaml") if FILE_NAME.match(p.name)),
                   key=lambda p: int(FILE_NAME.match(p.name).group(1)))
    parsed = [(path, read_framework(path, level_codes)) for path in files]
    report = ImportReport()
    try:
        for path, data in parsed:
            existing = db.session.scalar(select(Framework).where(Framework.version == data.version))
            if existing is None:
                write_framework(Framework(version=data.version, from_file=True), data, publish=True)
                report.created.append(data.version)
            elif existing.content_digest == data.digest:
                report.unchanged.append(data.version)
            elif existing.is_published:
                raise ContentError(path, 1, _("phiên bản %(version)d đã được phát hành nên không thể thay đổi; "
                                              "hãy đưa các thay đổi vào tệp v%(next)d.yaml",
                                              version=data.version, next=latest_version() + 1))
            else:
                write_framework(existing, data, publish=True)
                report.created.append(data.version)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def write_framework(framework: Framework, data: FrameworkData, publish: bool) -> Framework:
    """Fill `framework` (new, or a draft) with the parsed content, replacing what it held."""
    framework.title, framework.summary, framework.level_labels = data.title, data.summary, data.level_labels
    framework.content_digest = data.digest
    # Competencies go before their domains, with no flush in between: a domain removed while its
    # competencies are still in place would have them lose their (required) domain.
    with db.session.no_autoflush:
        framework.competencies.clear()
        framework.domains.clear()
        framework.expectations.clear()
        framework.unit_indicators.clear()
    db.session.add(framework)
    db.session.flush()
    position = 0
    for d_position, domain_data in enumerate(data.domains, start=1):
        domain = Domain(code=domain_data.code, position=d_position, title=domain_data.title)
        framework.domains.append(domain)
        for item in domain_data.competencies:
            position += 1
            competency = Competency(code=item.code, position=position, title=item.title,
                                    description=item.description, indicators=item.indicators, framework=framework)
            domain.competencies.append(competency)
    framework.expectations.extend(Expectation(kind=kind, key=key, competency_code=code, level=level)
                                  for kind, key, code, level in data.expectations)
    framework.unit_indicators.extend(
        UnitIndicator(code=i.code, position=n, title=i.title, description=i.description, kind=i.kind,
                      source=i.source, answer_type=i.answer_type, unit=i.unit, targets=i.targets,
                      evidence_required=i.evidence_required)
        for n, i in enumerate(data.indicators, start=1))
    if publish:
        framework.status, framework.published_at = PUBLISHED, utcnow()
    db.session.flush()
    return framework


# --- Lookups --------------------------------------------------------------------------------------

def latest_version() -> int:
    return db.session.scalar(select(func.max(Framework.version))) or 0


def latest_published() -> Framework | None:
    return db.session.scalar(select(Framework).where(Framework.status == PUBLISHED)
                             .order_by(Framework.version.desc()).limit(1))


def expected_levels(framework: Framework, level_code: str, volunteer_role: str | None) -> dict[str, int]:
    """What a cadre at a unit of `level_code` in `volunteer_role` is expected to reach in each
    competency: the higher of the level's and the role's expectation (0 when neither sets one)."""
    expected = {c.code: 0 for c in framework.competencies}
    for row in framework.expectations:
        if (row.kind == BY_LEVEL and row.key == level_code) or (row.kind == BY_ROLE and row.key == volunteer_role):
            expected[row.competency_code] = max(expected.get(row.competency_code, 0), row.level)
    return expected


def indicators_for_level(framework: Framework, level_code: str) -> list[UnitIndicator]:
    """The unit indicators a unit of this level is assessed on."""
    return [i for i in framework.unit_indicators if level_code in i.targets]
