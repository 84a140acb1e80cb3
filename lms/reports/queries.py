"""The aggregate SQL behind the report tables (lms.reports.metrics).

Each figure function below is one grouped statement over the node's subtree, whatever the number of
units or rows, and returns a small dict of counts (tens to hundreds of entries) that the tables are laid
out from. Several tables read the same figures (coverage, courses, targets and the headline figures all
read `enrolments_by_row`), so each statement runs once per node and year within a request, or within
one table's call outside a request (`sharing`, `_shared`).

Computed figures are kept for LMS_REPORT_CACHE_SECONDS in the report cache, which every worker of the
server shares, with the time they were computed (`figures_as_of`). At national scale a dashboard's
statements take seconds, so the figures of the top units are computed ahead of their readers by
`flask lms reports refresh` (cron, more often than they expire) or on demand (`recomputing`); a reader
then only waits for them when they have expired unrefreshed.

Rows per child unit. A table with a row for each unit directly under the node groups the facts by the
child whose subtree holds the fact's unit. A child's path is the node's path, the child's id and a
slash ("/1/7/" under "/1/"), so for a unit of the subtree the child is the prefix of its path up to the
first slash after the node's path. `child_path` finds that prefix with comparisons at fixed positions
(one per length of the children's paths: a handful at most), and `by_row` joins the child on it with
an equality, which both databases answer with a hash or index lookup: no join on path prefixes (LIKE
with a pattern from another row), no per-row subquery. Facts of the node's own unit get no child (the
row unit's id is None).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import wraps

from flask import g, has_request_context
from sqlalchemy import (ColumnElement, and_, case, distinct, exists, false, func, literal_column, or_, select,
                        true)
from sqlalchemy.orm import aliased

from lms.assessments.models import (
    CAMPAIGN_DRAFT, PUBLISHED, Campaign, CompetencyResult, Domain, Framework, Participant, UnitAssessment)
from lms.courses.models import PUBLISHED as COURSE_PUBLISHED
from lms.courses.models import CORE_COURSE_SLUG, Course, Enrolment
from lms.db import db, utcnow
from lms.extensions import cache
from lms.i18n import end_of_local_day_utc
from lms.orgs.models import AREA_FLAGS, Unit, UnitLevel
from lms.orgs.services import ancestors
from lms.people.models import COORDINATOR, User
from lms.reports.models import SentReport
from lms.trainers import plans
from lms.trainers.models import PLANNED, Cohort, CohortParticipant, TrainerProfile

GRASSROOTS = "grassroots"


# --- Sharing figures between the tables -----------------------------------------------------------

_scope: ContextVar[dict | None] = ContextVar("report_figures", default=None)
_recompute: ContextVar[bool] = ContextVar("report_recompute", default=False)
_OLDEST = "oldest"  # the memo's entry for the time the oldest figure read was computed


def sharing(build):
    """Decorate a table (or the headline figures) so that, outside a request, the figures it reads are
    shared between the statements of that one call; within a request they are shared by every table."""
    @wraps(build)
    def wrapper(*args, **kwargs):
        if has_request_context() or _scope.get() is not None:
            return build(*args, **kwargs)
        token = _scope.set({})
        try:
            return build(*args, **kwargs)
        finally:
            _scope.reset(token)
    return wrapper


@contextmanager
def recomputing():
    """Within this block, figures are computed afresh (not read from the report cache) and stored
    there for the next readers; each is still computed once in the block."""
    memo_token = None if has_request_context() else _scope.set({})
    recompute_token = _recompute.set(True)
    try:
        yield
    finally:
        _recompute.reset(recompute_token)
        if memo_token is not None:
            _scope.reset(memo_token)


def _memo() -> dict | None:
    if has_request_context():
        return g.setdefault("_report_figures", {})
    return _scope.get()


def _shared(key: tuple, compute):
    """The result of `compute()` under `key` (a name, then the node, the year …): computed once per
    request (or per table outside one), and kept LMS_REPORT_CACHE_SECONDS in the report cache."""
    memo = _memo()
    if memo is not None and key in memo:
        return memo[key]
    cache_key = _cache_key(key)
    kept = None if _recompute.get() else cache.get(cache_key)
    if kept is None:
        kept = (utcnow(), compute())
        cache.set(cache_key, kept)
    computed_at, value = kept
    if memo is not None:
        memo[key] = value
        memo[_OLDEST] = min(memo.get(_OLDEST, computed_at), computed_at)
    return value


# Raised whenever a figure function's result changes shape, so that figures kept by an earlier release
# (in a cache folder that outlives it) are not read as this release's.
FIGURES_SHAPE = 3


def _cache_key(key: tuple) -> str:
    return f"report-figures:{FIGURES_SHAPE}:" + ":".join(map(str, key))


def figures_as_of() -> datetime | None:
    """When the oldest of the figures read so far in this request was computed (UTC), if any was read."""
    memo = _memo()
    return memo.get(_OLDEST) if memo is not None else None


def forget() -> None:
    """Drop every kept figure (between tests, or to start afresh after a bulk change)."""
    cache.clear()
    if has_request_context():
        g.pop("_report_figures", None)
    memo = _scope.get()
    if memo is not None:
        memo.clear()


def _node(node: Unit) -> tuple:
    return node.id, node.path


# --- Where a fact belongs -------------------------------------------------------------------------

def in_subtree(path: ColumnElement, node: Unit) -> ColumnElement[bool]:
    """The unit of `path` is `node` or lies under it (the indexed prefix condition)."""
    return path.startswith(node.path, autoescape=True)


def all_children(node: Unit) -> list[Unit]:
    """Every unit directly under `node`, closed ones too (their past figures still count)."""
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == node.id)
                                   .order_by(Unit.name_folded, Unit.id)))


def _child_lengths(node: Unit) -> list[int]:
    return _shared(("child_lengths", *_node(node)), lambda: sorted(
        {length for (length,) in db.session.execute(
            select(func.length(Unit.path)).where(Unit.parent_id == node.id).distinct())}))


def child_path(path: ColumnElement, node: Unit) -> ColumnElement:
    """The path of the child of `node` whose subtree holds the unit of `path` (the node's own path for
    the node itself). Only for units of the node's subtree.

    A child's path ends with the first slash after the node's path; probing the lengths of the
    children's paths from the shortest, the first probe that finds a slash there is the child."""
    own = func.substr(path, 1, literal_column(str(len(node.path))))
    lengths = _child_lengths(node)
    if not lengths:
        return own
    return case(*((func.substr(path, literal_column(str(length)), 1) == "/",
                   func.substr(path, 1, literal_column(str(length)))) for length in lengths), else_=own)


def by_row(node: Unit):
    """(row unit, join condition): outer-join the row unit on `Unit` to group facts by the child of the
    node whose subtree holds them; the row unit's id is None for the node's own unit. Joining on the
    path computed once per unit keeps the grouping to a hash or index lookup per fact."""
    row = aliased(Unit, name="row_unit")
    return row, and_(row.parent_id == node.id, row.path == child_path(Unit.path, node))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _in_year(column, year: int) -> ColumnElement[bool]:
    first, last = year_bounds(year)
    return and_(column >= first, column <= last)


def _moment_in_year(column, year: int) -> ColumnElement[bool]:
    """A moment (a naive UTC time, as kept) that falls in `year` where the users are."""
    starts, ends = end_of_local_day_utc(date(year - 1, 12, 31)), end_of_local_day_utc(date(year, 12, 31))
    return and_(column >= starts, column < ends)


def core_course_id() -> int | None:
    return _shared(("core_course",),
                   lambda: db.session.scalar(select(Course.id).where(Course.slug == CORE_COURSE_SLUG)))


def _launched_in(year: int) -> ColumnElement[bool]:
    """Campaigns opened in `year` and launched (a draft has assessed nobody yet)."""
    return and_(_in_year(Campaign.opens_on, year), Campaign.status != CAMPAIGN_DRAFT)


def _rows(statement, width: int = 1) -> dict:
    """{the first `width` columns (one value, or a tuple of them): the other columns as ints} of a
    grouped statement."""
    found = {}
    for row in db.session.execute(statement):
        key = row[0] if width == 1 else tuple(row[:width])
        found[key] = tuple(int(value or 0) for value in row[width:])
    return found


def _counts(statement, width: int) -> dict[tuple, int]:
    """{the first `width` columns: the one count after them} of a grouped statement."""
    return {keys: values[0] for keys, values in _rows(statement, width).items()}


# --- Cadres and courses ---------------------------------------------------------------------------

def cadres_by_row(node: Unit) -> dict[int | None, tuple[int]]:
    """{row unit id: (active cadres,)}."""
    def compute():
        row, on_row = by_row(node)
        return _rows(select(row.id, func.count(User.id))
                     .select_from(Unit)
                     .outerjoin(row, on_row)
                     .join(User, User.unit_id == Unit.id)
                     .where(User.is_active.is_(True), in_subtree(Unit.path, node))
                     .group_by(row.id))
    return _shared(("cadres", *_node(node)), compute)


def enrolments_by_row(node: Unit, year: int, today: date) -> dict[tuple, tuple[int, int, int, int]]:
    """{(row unit id, unit level id of the cadre's unit, course id): (enrolled, completed, required and due in
    `year`, of them overdue today)}, counting the enrolments of active cadres."""
    def compute():
        required = and_(Enrolment.assignment_id.is_not(None), _in_year(Enrolment.due_on, year))
        overdue = and_(required, Enrolment.completed_at.is_(None), Enrolment.due_on < today)
        row, on_row = by_row(node)
        return _rows(select(row.id, Unit.level_id, Enrolment.course_id, func.count(Enrolment.id),
                            func.count(Enrolment.completed_at),
                            func.count(case((required, Enrolment.id))), func.count(case((overdue, Enrolment.id))))
                     .select_from(Unit)
                     .outerjoin(row, on_row)
                     .join(User, User.unit_id == Unit.id)
                     .join(Enrolment, Enrolment.user_id == User.id)
                     .where(User.is_active.is_(True), in_subtree(Unit.path, node))
                     .group_by(row.id, Unit.level_id, Enrolment.course_id), width=3)
    return _shared(("enrolments", *_node(node), year, today), compute)


def core_completed_in(node: Unit, year: int) -> int:
    """Active cadres of the subtree who completed the core course in `year`, by the day where the users are.
    One count over the completions of the year (an index holds them), not a pass over every enrolment."""
    def compute():
        return db.session.scalar(
            select(func.count(Enrolment.id)).select_from(Enrolment)
            .join(User, User.id == Enrolment.user_id).join(Unit, Unit.id == User.unit_id)
            .where(Enrolment.course_id == core_course_id(), _moment_in_year(Enrolment.completed_at, year),
                   User.is_active.is_(True), in_subtree(Unit.path, node))) or 0
    return _shared(("core_completed_in", *_node(node), year), compute)


def _has_trained_coordinator() -> ColumnElement[bool]:
    """The `Unit` has at least one active cadre of its own whose volunteer role is coordinator and who completed
    the core course (looked up through the unit's own people, by index)."""
    return exists(select(User.id).join(Enrolment, and_(Enrolment.user_id == User.id,
                                                       Enrolment.course_id == core_course_id()))
                  .where(User.unit_id == Unit.id, User.is_active.is_(True), User.volunteer_role == COORDINATOR,
                         Enrolment.completed_at.is_not(None)))


def grassroots_by_row(node: Unit) -> dict[int | None, tuple[int, int]]:
    """{row unit id: (open grassroots units, of them with at least one active cadre of their own whose
    volunteer role is coordinator and who completed the core course)}."""
    def compute():
        row, on_row = by_row(node)
        return _rows(select(row.id, func.count(Unit.id), func.count(case((_has_trained_coordinator(), Unit.id))))
                     .select_from(Unit)
                     .outerjoin(row, on_row)
                     .join(UnitLevel, UnitLevel.id == Unit.level_id)
                     .where(UnitLevel.code == GRASSROOTS, Unit.closed_at.is_(None), in_subtree(Unit.path, node))
                     .group_by(row.id))
    return _shared(("grassroots", *_node(node)), compute)


# --- Priority areas --------------------------------------------------------------------------------

AREA_FIGURES = ("units", "grassroots", "covered", "cadres", "enrolled", "completed", "trained")


def _per_area(count, condition, units=Unit) -> list:
    """`count(condition)` for the units (`Unit`, or the columns of a SELECT of its flags) of each area flag, then
    for all of them."""
    return [count(and_(getattr(units, flag).is_(True), condition)) for flag in AREA_FLAGS] + [count(condition)]


def area_figures(node: Unit, year: int) -> dict[str | None, dict[str, int]]:
    """{area flag (mountainous, ethnic-minority, border, island, overseas), or None for the whole subtree:
    {figure of AREA_FIGURES: count}}: open units, of them grassroots units, and of those the ones with a trained
    coordinator; active cadres, of them enrolled in the core course, and who completed it; people trained in
    cohorts held in `year`. Each is counted where the unit (a person's own unit) carries the flag, in three
    statements with a column per figure and flag."""
    def compute():
        def count(what):
            return lambda condition: func.count(case((condition, what)))

        is_open = Unit.closed_at.is_(None)
        grassroots = and_(is_open, UnitLevel.code == GRASSROOTS)
        flagged = (select(*(getattr(Unit, flag) for flag in AREA_FLAGS), is_open.label("open"),
                          grassroots.label("grassroots"),
                          case((grassroots, _has_trained_coordinator()), else_=false()).label("covered"))
                   .select_from(Unit).join(UnitLevel, UnitLevel.id == Unit.level_id)
                   .where(in_subtree(Unit.path, node)).subquery())
        units = select(*(column for figure in ("open", "grassroots", "covered")
                         for column in _per_area(count(1), flagged.c[figure].is_(True), flagged.c)))
        cadres = (select(*_per_area(count(User.id), true()), *_per_area(count(Enrolment.id), true()),
                         *_per_area(count(Enrolment.id), Enrolment.completed_at.is_not(None)))
                  .select_from(Unit).join(User, User.unit_id == Unit.id)
                  .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.course_id == core_course_id()))
                  .where(User.is_active.is_(True), in_subtree(Unit.path, node)))
        trained = (select(*_per_area(lambda condition: func.count(distinct(case((condition, User.id)))), true()))
                   .select_from(CohortParticipant).join(Cohort, Cohort.id == CohortParticipant.cohort_id)
                   .join(User, User.id == CohortParticipant.user_id).join(Unit, Unit.id == User.unit_id)
                   .where(_held_in(year), in_subtree(Unit.path, node)))
        columns = [int(value or 0) for statement in (units, cadres, trained)
                   for value in db.session.execute(statement).one()]
        keys = [*AREA_FLAGS, None]
        return {key: {name: columns[figure * len(keys) + position] for figure, name in enumerate(AREA_FIGURES)}
                for position, key in enumerate(keys)}
    return _shared(("areas", *_node(node), year), compute)


def published_courses() -> list[tuple[int, str]]:
    return [(course_id, title) for course_id, title in db.session.execute(
        select(Course.id, Course.title).where(Course.status == COURSE_PUBLISHED)
        .order_by(Course.title_folded, Course.id))]


def levels_from(node: Unit) -> list[UnitLevel]:
    """The unit levels a unit of the node's subtree can have: the node's own and those below it."""
    return list(db.session.scalars(select(UnitLevel).where(UnitLevel.rank >= node.level.rank)
                                   .order_by(UnitLevel.rank)))


# --- Training of trainers -------------------------------------------------------------------------

def _held_in(year: int) -> ColumnElement[bool]:
    """Cohorts held in `year`: opened or closed (not still planned), starting that year."""
    return and_(Cohort.status != PLANNED, _in_year(Cohort.starts_on, year))


def _cohort_figures():
    completed = case((CohortParticipant.completed.is_(True), CohortParticipant.user_id))
    return (func.count(distinct(Cohort.id)), func.count(distinct(CohortParticipant.user_id)),
            func.count(distinct(completed)))


def _cohorts_from(statement, node: Unit, year: int, *joins):
    statement = statement.select_from(Unit)
    for target, condition in joins:
        statement = statement.outerjoin(target, condition)
    return (statement.join(Cohort, Cohort.unit_id == Unit.id)
            .outerjoin(CohortParticipant, CohortParticipant.cohort_id == Cohort.id)
            .where(_held_in(year), in_subtree(Unit.path, node)))


def cohorts_by_row(node: Unit, year: int) -> dict[int | None, tuple[int, int, int]]:
    """{row unit id: (cohorts held in `year`, distinct participants, distinct participants who completed)},
    by the unit that ran the cohort."""
    def compute():
        row, on_row = by_row(node)
        return _rows(_cohorts_from(select(row.id, *_cohort_figures()), node, year, (row, on_row))
                     .group_by(row.id))
    return _shared(("cohorts", *_node(node), year), compute)


def cohort_totals(node: Unit, year: int) -> tuple[int, int, int]:
    """(cohorts held in `year`, distinct participants, distinct participants who completed) over the
    whole subtree: a participant of cohorts of two units counts once."""
    def compute():
        row = db.session.execute(_cohorts_from(select(*_cohort_figures()), node, year)).one()
        return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    return _shared(("cohort_totals", *_node(node), year), compute)


def trained_cadres_by_row(node: Unit, year: int) -> dict[int | None, tuple[int]]:
    """{row unit id: (active cadres trained in cohorts held in `year`,)}, by the cadre's own unit, whoever ran
    the cohort: the share of a unit's cadres the cascade reached."""
    def compute():
        row, on_row = by_row(node)
        return _rows(select(row.id, func.count(distinct(User.id)))
                     .select_from(Unit).outerjoin(row, on_row)
                     .join(User, User.unit_id == Unit.id)
                     .join(CohortParticipant, CohortParticipant.user_id == User.id)
                     .join(Cohort, Cohort.id == CohortParticipant.cohort_id)
                     .where(_held_in(year), User.is_active.is_(True), in_subtree(Unit.path, node))
                     .group_by(row.id))
    return _shared(("trained_cadres", *_node(node), year), compute)


def trainers_by_row(node: Unit) -> dict[tuple, int]:
    """{(row unit id, tier, status): trainers}, by the trainer's own unit; a deactivated account trains no one
    and is not counted."""
    def compute():
        row, on_row = by_row(node)
        return _counts(
            select(row.id, TrainerProfile.tier, TrainerProfile.status, func.count(TrainerProfile.id))
            .select_from(Unit)
            .outerjoin(row, on_row)
            .join(User, User.unit_id == Unit.id)
            .join(TrainerProfile, TrainerProfile.user_id == User.id)
            .where(User.is_active.is_(True), in_subtree(Unit.path, node))
            .group_by(row.id, TrainerProfile.tier, TrainerProfile.status), width=3)
    return _shared(("trainers", *_node(node)), compute)


def plans_carried_out(node: Unit, year: int) -> tuple[int, int]:
    """(planned cohorts held, cohorts planned) over the `year` training plans of the subtree, as the plans
    count them."""
    return _shared(("plans", *_node(node), year), lambda: plans.plans_carried_out(node, year))


# --- Yearly reports sent up ----------------------------------------------------------------------

def units_below_by_level(node: Unit, year: int) -> list[tuple]:
    """For each level under `node` (its whole subtree, the node itself left out), top level first: the level,
    how many open units it has, how many of them have sent their report of `year` to the unit directly above
    them, then how many carry each area flag (in AREA_FLAGS order). Kept like the other figures, but a
    report sent up drops the counts of the units above its sender at once (forget_sent_up)."""
    counted = _shared(("below", *_node(node), year), lambda: _units_below_by_level(node, year))
    return [(level, *counted[level.id]) for level in levels_from(node) if level.id in counted]


def _units_below_by_level(node: Unit, year: int) -> dict[int, tuple[int, ...]]:
    sent = select(SentReport.unit_id).where(SentReport.year == year).distinct().subquery()
    flag_sums = [func.sum(case((getattr(Unit, flag).is_(True), 1), else_=0)) for flag in AREA_FLAGS]
    rows = db.session.execute(
        select(Unit.level_id, func.count(Unit.id), func.count(sent.c.unit_id), *flag_sums)
        .outerjoin(sent, sent.c.unit_id == Unit.id)
        .where(in_subtree(Unit.path, node), Unit.id != node.id, Unit.closed_at.is_(None))
        .group_by(Unit.level_id))
    return {level_id: (units, sent_count, *(n or 0 for n in flagged))
            for level_id, units, sent_count, *flagged in rows}


def forget_sent_up(unit: Unit, year: int) -> None:
    """Drop the kept counts that `unit`'s report of `year` changes: those of every unit above it. Call after
    the report is committed, so that nobody keeps counts read before it."""
    for above in ancestors(unit):
        cache.delete(_cache_key(("below", *_node(above), year)))


# --- Assessment -----------------------------------------------------------------------------------

def latest_domains() -> list[tuple[str, str]]:
    """(code, title) of the domains of the latest published framework, in their order."""
    latest = (select(Framework.id).where(Framework.status == PUBLISHED)
              .order_by(Framework.version.desc()).limit(1).scalar_subquery())
    return [(code, title) for code, title in db.session.execute(
        select(Domain.code, Domain.title).where(Domain.framework_id == latest)
        .order_by(Domain.position, Domain.id))]


def gaps_by_level(node: Unit, year: int, domain_codes: list[str]) -> dict[str, tuple[int, ...]]:
    """{level code: (participants rated in any competency, then for each of `domain_codes`: those rated
    in a competency of the domain, those short of what is expected in at least one of them)}, over the
    participants of the subtree in campaigns opened in `year`, by their unit's level at launch.

    Each participant's results are folded into one row of flags first (one column pair per domain), so
    the participants are counted without DISTINCT."""
    def compute():
        flags = []
        for number, code in enumerate(domain_codes):
            in_domain = CompetencyResult.domain_code == code
            flags.append(func.max(case((in_domain, 1), else_=0)).label(f"rated_{number}"))
            flags.append(func.max(case((and_(in_domain, CompetencyResult.gap > 0), 1), else_=0))
                         .label(f"short_{number}"))
        per_participant = (select(Participant.id, Participant.level_code.label("level_code"), *flags)
                           .select_from(CompetencyResult)
                           .join(Participant, Participant.id == CompetencyResult.participant_id)
                           .join(Campaign, Campaign.id == Participant.campaign_id)
                           .join(Unit, Unit.id == Participant.unit_id)
                           .where(CompetencyResult.achieved.is_not(None), _launched_in(year),
                                  in_subtree(Unit.path, node))
                           .group_by(Participant.id, Participant.level_code)
                           .subquery("participant_flags"))
        sums = [func.sum(column) for column in list(per_participant.c)[2:]]
        return _rows(select(per_participant.c.level_code, func.count(), *sums)
                     .group_by(per_participant.c.level_code))
    return _shared(("gaps", *_node(node), year, tuple(domain_codes)), compute)


def campaigns_for(node: Unit, year: int) -> list[tuple[int, str, str, date]]:
    """(id, title, launching unit's name, opening day) of the campaigns opened in `year` whose unit is
    the node, one of its ancestors or a unit under it."""
    around = or_(Campaign.unit_id.in_([*node.ancestor_ids, node.id]), in_subtree(Unit.path, node))
    return [tuple(row) for row in db.session.execute(
        select(Campaign.id, Campaign.title, Unit.name, Campaign.opens_on)
        .join(Unit, Unit.id == Campaign.unit_id)
        .where(_launched_in(year), around)
        .order_by(Campaign.opens_on, Campaign.id))]


def participants_by_campaign(node: Unit, year: int) -> dict[int, tuple[int, int]]:
    """{campaign id: (participants of the subtree, of them completed)} for campaigns opened in `year`."""
    return _shared(("participants", *_node(node), year), lambda: _rows(
        select(Participant.campaign_id, func.count(Participant.id), func.count(Participant.completed_at))
        .join(Campaign, Campaign.id == Participant.campaign_id)
        .join(Unit, Unit.id == Participant.unit_id)
        .where(_launched_in(year), in_subtree(Unit.path, node))
        .group_by(Participant.campaign_id)))


def unit_assessments_by_row(node: Unit, year: int) -> dict[tuple, int]:
    """{(row unit id, campaign id, status): unit assessments of the subtree} in campaigns opened in `year`."""
    def compute():
        row, on_row = by_row(node)
        return _counts(
            select(row.id, UnitAssessment.campaign_id, UnitAssessment.status, func.count(UnitAssessment.id))
            .select_from(Unit)
            .outerjoin(row, on_row)
            .join(UnitAssessment, UnitAssessment.unit_id == Unit.id)
            .join(Campaign, Campaign.id == UnitAssessment.campaign_id)
            .where(_launched_in(year), in_subtree(Unit.path, node))
            .group_by(row.id, UnitAssessment.campaign_id, UnitAssessment.status), width=3)
    return _shared(("unit_assessments", *_node(node), year), compute)
