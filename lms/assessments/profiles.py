"""A cadre's individual competency profile: which participation to show, the expected and achieved
level of each competency with what each instrument gave, the gaps with the behaviours the expected
level asks for and the modules that teach them, and the history across campaigns.

Everything is read in a fixed number of queries whatever the person's history; the chart's geometry
is worked out here so the template only draws it."""
from dataclasses import dataclass, field
from datetime import datetime, time

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.assessments.models import (
    INSTRUMENTS, KNOWLEDGE, SELF, SUPERVISOR, CompetencyResult, Domain, Framework, Participant, Rating)
from lms.assessments.models import Competency as CompetencyModel
from lms.auth.permissions import can
from lms.courses.models import ACTIVE, PUBLISHED, Course, Enrolment, Lesson, LessonProgress, Module
from lms.db import db
from lms.people.models import User

VIEW_ACTION = "assessment.view"

# The instruments a cadre does themself or waits for, in the order the campaign page lists them.
TASK_INSTRUMENTS = (SELF, KNOWLEDGE, SUPERVISOR)

UP, DOWN, SAME = "up", "down", "same"


def may_view(viewer: User, person: User) -> bool:
    """The person themself, or whoever may see assessment results in the person's unit."""
    return viewer.id == person.id or can(viewer, VIEW_ACTION, person.unit)


# --- Participations -------------------------------------------------------------------------------

def _recency(participant: Participant) -> tuple:
    campaign = participant.campaign
    started = campaign.launched_at or datetime.combine(campaign.opens_on, time.min)
    return started, campaign.id


def participations(person: User) -> list[Participant]:
    """The person's participations with their campaign and unit, newest campaign first (by launch,
    else opening date). A person takes part in a handful of campaigns, so they are ordered here."""
    rows = db.session.scalars(
        select(Participant).where(Participant.user_id == person.id)
        .options(joinedload(Participant.campaign), joinedload(Participant.unit))).all()
    return sorted(rows, key=_recency, reverse=True)


def rated_counts(participant_ids: list[int]) -> dict[int, int]:
    """How many competencies of each participation have an achieved level, in one grouped query."""
    if not participant_ids:
        return {}
    return dict(db.session.execute(
        select(CompetencyResult.participant_id, func.count(CompetencyResult.id))
        .where(CompetencyResult.participant_id.in_(participant_ids), CompetencyResult.achieved.is_not(None))
        .group_by(CompetencyResult.participant_id)).all())


def default_participation(rows: list[Participant], rated: dict[int, int]) -> Participant | None:
    """The latest participation with at least one result, else the latest one."""
    return next((p for p in rows if rated.get(p.id)), rows[0] if rows else None)


# --- Recommended modules --------------------------------------------------------------------------

@dataclass
class Recommendation:
    """An active module of a published course with active lessons tagged with a competency."""

    course_id: int
    course_slug: str
    course_title: str
    module_id: int
    module_title: str
    first_lesson_id: int
    first_lesson_title: str
    lesson_ids: list[int] = field(default_factory=list)
    completed: int = 0
    enrolled: bool = False

    @property
    def tagged(self) -> int:
        return len(self.lesson_ids)

    @property
    def finished(self) -> bool:
        return self.completed >= self.tagged


def _codes_of(value) -> set[str]:
    return {code for code in value if isinstance(code, str)} if isinstance(value, list) else set()


def recommended_modules(user: User, codes) -> dict[str, list[Recommendation]]:
    """For each competency code, the modules teaching it (modules the user has not finished first,
    then in catalogue order), with how many of their tagged lessons the user completed and whether
    the user is enrolled in the course. Two queries: the catalogue's active lessons (their tags are
    JSON, read here), and the user's enrolments with the tagged lessons they finished."""
    codes = list(dict.fromkeys(codes))
    found: dict[str, list[Recommendation]] = {code: [] for code in codes}
    if not codes:
        return found
    wanted = set(codes)
    rows = db.session.execute(
        select(Lesson.id, Lesson.title, Lesson.competencies, Module.id, Module.title, Course.id, Course.slug,
               Course.title)
        .join(Module, Module.id == Lesson.module_id).join(Course, Course.id == Module.course_id)
        .where(Course.status == PUBLISHED, Module.status == ACTIVE, Lesson.status == ACTIVE)
        .order_by(Course.title_folded, Course.id, Module.position, Module.id, Lesson.position, Lesson.id))
    by_module: dict[tuple[str, int], Recommendation] = {}
    for lesson_id, lesson_title, tags, module_id, module_title, course_id, slug, course_title in rows:
        for code in _codes_of(tags) & wanted:
            item = by_module.get((code, module_id))
            if item is None:
                item = Recommendation(course_id, slug, course_title, module_id, module_title, lesson_id,
                                      lesson_title)
                by_module[(code, module_id)] = item
                found[code].append(item)
            item.lesson_ids.append(lesson_id)
    if not by_module:
        return found
    lesson_ids = {i for item in by_module.values() for i in item.lesson_ids}
    course_ids = {item.course_id for item in by_module.values()}
    progress = db.session.execute(
        select(Enrolment.course_id, LessonProgress.lesson_id)
        .outerjoin(LessonProgress, and_(LessonProgress.enrolment_id == Enrolment.id,
                                        LessonProgress.lesson_id.in_(sorted(lesson_ids))))
        .where(Enrolment.user_id == user.id, Enrolment.course_id.in_(sorted(course_ids)))).all()
    enrolled = {course_id for course_id, _lesson in progress}
    done = {lesson_id for _course, lesson_id in progress if lesson_id is not None}
    for item in by_module.values():
        item.enrolled = item.course_id in enrolled
        item.completed = sum(1 for i in item.lesson_ids if i in done)
    for code in codes:
        found[code].sort(key=lambda item: item.finished)  # stable: catalogue order within each group
    return found


# --- One participation ----------------------------------------------------------------------------

@dataclass
class CompetencyRow:
    code: str
    title: str
    domain_code: str
    expected: int
    achieved: int | None
    gap: int
    instruments: dict[str, int]  # instrument → level it gave
    indicators: dict[str, list[str]]

    @property
    def below(self) -> bool:
        return self.achieved is not None and self.achieved < self.expected


@dataclass
class DomainGroup:
    code: str
    title: str
    rows: list[CompetencyRow]


@dataclass
class Gap:
    row: CompetencyRow
    level_name: str
    indicators: list[str]
    modules: list[Recommendation]


@dataclass
class Task:
    instrument: str
    done: bool


@dataclass
class ChartBar:
    y: int
    label: str
    value_text: str
    expected: int
    achieved: int | None
    below: bool
    bar_width: float
    marker_x: float | None


@dataclass
class ChartHeading:
    y: int
    text: str


@dataclass
class Chart:
    """Geometry of the profile chart in the units of its viewBox, about a phone's content width, so
    the 13-unit text reads at 12 px or more on a 360 px screen and the drawing scales with the page."""

    height: int
    ticks: list[tuple[float, int]]  # (x, level) of each level 0–4
    headings: list[ChartHeading]
    bars: list[ChartBar]
    title: str
    desc: str
    width: int = 320
    left: int = 8
    right: int = 312
    axis_y: int = 14

    @property
    def inner_ticks(self) -> list[float]:
        return [x for x, level in self.ticks if 0 < level < LEVEL_MAX]


@dataclass
class HistoryRow:
    participant: Participant
    levels: dict[str, int]


@dataclass
class History:
    rows: list[HistoryRow]  # newest campaign first
    codes: list[str]
    titles: dict[str, str]
    trends: dict[str, str]  # code → UP / DOWN / SAME, for competencies rated in two campaigns


@dataclass
class Profile:
    person: User
    participations: list[Participant]
    current: Participant | None = None
    framework: Framework | None = None
    groups: list[DomainGroup] = field(default_factory=list)
    rated: bool = False
    gaps: list[Gap] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    chart: Chart | None = None
    history: History | None = None

    @property
    def rows(self) -> list[CompetencyRow]:
        return [row for group in self.groups for row in group.rows]


def _framework(framework_id: int) -> Framework:
    return db.session.scalar(select(Framework).where(Framework.id == framework_id)
                             .options(selectinload(Framework.domains).selectinload(Domain.competencies)))


def _competency_rows(participant: Participant, framework: Framework) -> list[DomainGroup]:
    results = {r.competency_code: r for r in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}
    ratings: dict[str, dict[str, int]] = {}
    for code, source, level in db.session.execute(
            select(Rating.competency_code, Rating.source, Rating.level)
            .where(Rating.participant_id == participant.id)):
        ratings.setdefault(code, {})[source] = level
    snapshot = participant.expected or {}
    groups = []
    for domain in framework.domains:
        rows = []
        for competency in domain.competencies:
            result = results.get(competency.code)
            if result is not None:
                expected, achieved, gap = result.expected, result.achieved, result.gap
            else:
                expected, achieved, gap = int(snapshot.get(competency.code) or 0), None, 0
            rows.append(CompetencyRow(competency.code, competency.title, domain.code, expected, achieved, gap,
                                      ratings.get(competency.code, {}), competency.indicators or {}))
        groups.append(DomainGroup(domain.code, domain.title, rows))
    return groups


def level_name(framework: Framework, level: int) -> str:
    label = (framework.level_labels or {}).get(str(level)) or {}
    return label.get("name", "")


def _gaps(user: User, framework: Framework, rows: list[CompetencyRow]) -> list[Gap]:
    order = {row.code: n for n, row in enumerate(rows)}
    gapped = sorted((row for row in rows if row.gap > 0), key=lambda row: (-row.gap, order[row.code]))
    modules = recommended_modules(user, [row.code for row in gapped])
    return [Gap(row, level_name(framework, row.expected), list(row.indicators.get(str(row.expected), [])),
                modules[row.code]) for row in gapped]


def _tasks(participant: Participant) -> list[Task]:
    campaign = participant.campaign
    done = {SELF: participant.self_done_at, KNOWLEDGE: participant.knowledge_done_at,
            SUPERVISOR: participant.supervisor_done_at}
    return [Task(instrument, done[instrument] is not None)
            for instrument in TASK_INSTRUMENTS if campaign.uses(instrument)]


def build_profile(person: User, participant: Participant | None = None,
                  rows: list[Participant] | None = None) -> Profile:
    """The profile of `person` for `participant` (one of theirs; by default the latest participation
    with results, else the latest one)."""
    rows = participations(person) if rows is None else rows
    rated = rated_counts([p.id for p in rows])
    profile = Profile(person, rows)
    profile.current = participant or default_participation(rows, rated)
    if profile.current is None:
        return profile
    current = profile.current
    profile.framework = _framework(current.campaign.framework_id)
    profile.groups = _competency_rows(current, profile.framework)
    profile.rated = bool(rated.get(current.id))
    used = {source for row in profile.rows for source in row.instruments}
    profile.instruments = [i for i in INSTRUMENTS if current.campaign.uses(i) or i in used]
    profile.tasks = _tasks(current)
    if profile.rated:
        profile.gaps = _gaps(person, profile.framework, profile.rows)
        profile.chart = chart(profile.groups)
    profile.history = history(rows)
    return profile


# --- The chart ------------------------------------------------------------------------------------

LEVEL_MAX = 4
LINE_CHARS = 46  # what one line of the chart holds at 13 units a character height
HEADING_HEIGHT, BAR_ROW_HEIGHT = 26, 46


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:max(limit - 1, 1)].rstrip() + "…"


def _said(row: CompetencyRow) -> str:
    if row.achieved is None:
        return _("chưa đánh giá, cần %(expected)d", expected=row.expected)
    return _("đạt %(achieved)d, cần %(expected)d", achieved=row.achieved, expected=row.expected)


def chart(groups: list[DomainGroup]) -> Chart:
    """Bars of achieved levels on a 0–4 scale with a marker at the expected level, grouped by domain.
    Each bar is labelled with the competency and "achieved / expected"."""
    geometry = Chart(0, [], [], [], "", "")
    step = (geometry.right - geometry.left) / LEVEL_MAX
    geometry.ticks = [(geometry.left + level * step, level) for level in range(LEVEL_MAX + 1)]
    y = geometry.axis_y + 4
    described = []
    for group in groups:
        geometry.headings.append(ChartHeading(y + 18, _shorten(f"{group.code} · {group.title}", LINE_CHARS - 6)))
        y += HEADING_HEIGHT
        for row in group.rows:
            value = f"{row.achieved if row.achieved is not None else '–'} / {row.expected}"
            label = _shorten(f"{row.code} · {row.title}", LINE_CHARS - len(value) - 2)
            geometry.bars.append(ChartBar(
                y, label, value, row.expected, row.achieved, row.below,
                (row.achieved or 0) * step, geometry.left + row.expected * step if row.expected else None))
            described.append(f"{row.code} {row.title}: {_said(row)}")
            y += BAR_ROW_HEIGHT
    geometry.height = y + 2
    geometry.title = _("Mức năng lực đạt được so với mức yêu cầu, thang 0–4")
    geometry.desc = "; ".join(described) + "."
    return geometry


# --- History across campaigns ---------------------------------------------------------------------

def history(rows: list[Participant]) -> History:
    """Each participation (newest first) × the competencies with an achieved level in any of them,
    and the trend of each competency between the last two campaigns that rated it."""
    ids = [p.id for p in rows]
    levels: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        for participant_id, code, achieved in db.session.execute(
                select(CompetencyResult.participant_id, CompetencyResult.competency_code, CompetencyResult.achieved)
                .where(CompetencyResult.participant_id.in_(ids), CompetencyResult.achieved.is_not(None))):
            levels[participant_id][code] = achieved
    codes_seen = {code for by_code in levels.values() for code in by_code}
    titles, positions = {}, {}
    framework_ids = {p.campaign.framework_id for p in rows}
    if codes_seen:
        # Older versions first, so the newest version's titles and order win.
        for code, title, position in db.session.execute(
                select(CompetencyModel.code, CompetencyModel.title, CompetencyModel.position)
                .join(Framework, Framework.id == CompetencyModel.framework_id)
                .where(CompetencyModel.framework_id.in_(sorted(framework_ids)),
                       CompetencyModel.code.in_(sorted(codes_seen)))
                .order_by(Framework.version, CompetencyModel.position)):
            titles[code], positions[code] = title, position
    codes = sorted(codes_seen, key=lambda code: (positions.get(code, 10_000), code))
    trends = {}
    for code in codes:
        rated = [levels[p.id][code] for p in rows if code in levels[p.id]]  # newest first
        if len(rated) >= 2:
            latest, before = rated[0], rated[1]
            trends[code] = UP if latest > before else DOWN if latest < before else SAME
    return History([HistoryRow(p, levels[p.id]) for p in rows], codes, titles, trends)
