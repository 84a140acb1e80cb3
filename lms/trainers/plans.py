"""Each unit's yearly training plan: the cohorts it means to hold in each quarter, for which target group,
set against the cohorts actually held, in the unit itself and in its whole subtree; and the yearly figure
each level reports up ("this year we trained N coordinators, M team leaders …").

A cohort counts toward a plan item when it is linked to the item (Cohort.plan_item_id), or, when it is
linked to no item, when it has the item's target group, starts in the item's year and quarter and, if the
item names a course, uses that course. Held cohorts are those opened or closed (a cohort still being
planned is not held yet). Set against the plan, an item counts at most the number it plans, so cohorts
beyond one item's number do not make up for another: this is how far a plan was carried out, on the plan
page, the dashboard's target and the capacity indicator alike (`plans_carried_out`). Every figure is one
grouped query."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import ColumnElement, Subquery, and_, case, distinct, extract, func, or_, select, union_all
from sqlalchemy.orm import aliased, selectinload

from lms.actions import RuleError
from lms.courses.models import PUBLISHED, Course
from lms.db import db
from lms.i18n import N_, local_today
from lms.orgs.models import Unit
from lms.people.models import User
from lms.reports.charts import number_text
from lms.reports.tables import INT, PERCENT, Column, Table
from lms.trainers.models import PLANNED, Cohort, CohortParticipant, TrainingPlanItem
from lms.years import FIRST_YEAR

COORDINATORS, TEAM_LEADERS, CLUB_HEADS, TRAINERS, CADRES = (
    "coordinators", "team_leaders", "club_heads", "trainers", "cadres")
TARGET_GROUPS = (COORDINATORS, TEAM_LEADERS, CLUB_HEADS, TRAINERS, CADRES)
# Shown through _() where rendered.
TARGET_GROUP_LABELS = {
    COORDINATORS: N_("Điều phối viên"),
    TEAM_LEADERS: N_("Đội trưởng đội hình"),
    CLUB_HEADS: N_("Chủ nhiệm câu lạc bộ"),
    TRAINERS: N_("Tập huấn viên"),
    CADRES: N_("Cán bộ Đoàn, Hội"),
}
QUARTERS = (1, 2, 3, 4)

# Rules of a plan item.
YEARS_BACK = 1  # a plan of last year may still be completed; older plans are a closed record
YEARS_AHEAD = 5
MAX_COHORTS = 100
MAX_PARTICIPANTS = 10_000


def target_group_label(group: str) -> str:
    return _(TARGET_GROUP_LABELS[group]) if group in TARGET_GROUP_LABELS else group


def counted_people(group: str, number: int) -> str:
    """"12 điều phối viên": a number of people of a target group, in the page's language."""
    texts = {
        COORDINATORS: lambda n: ngettext("%(num)d điều phối viên", "%(num)d điều phối viên", n),
        TEAM_LEADERS: lambda n: ngettext("%(num)d đội trưởng đội hình", "%(num)d đội trưởng đội hình", n),
        CLUB_HEADS: lambda n: ngettext("%(num)d chủ nhiệm câu lạc bộ", "%(num)d chủ nhiệm câu lạc bộ", n),
        TRAINERS: lambda n: ngettext("%(num)d tập huấn viên", "%(num)d tập huấn viên", n),
        CADRES: lambda n: ngettext("%(num)d cán bộ Đoàn, Hội", "%(num)d cán bộ Đoàn, Hội", n),
    }
    return texts[group](number)


def year_bounds(today: date | None = None) -> tuple[int, int]:
    """The years a plan item may be added to, changed in or removed from."""
    year = (today or local_today()).year
    return year - YEARS_BACK, year + YEARS_AHEAD


def is_open_year(year: int) -> bool:
    first, last = year_bounds()
    return first <= year <= last


def viewable_years() -> tuple[int, int]:
    """The years a plan can be looked at: from FIRST_YEAR (older plans stay a closed record) to the last year
    an item may be added to."""
    return FIRST_YEAR, year_bounds()[1]


# --- Reading the plan -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Held:
    cohorts: int = 0
    participants: int = 0
    completed: int = 0


@dataclass
class PlanRow:
    item: TrainingPlanItem
    unit: Held = field(default_factory=Held)  # cohorts of the unit itself
    subtree: Held = field(default_factory=Held)  # cohorts of the unit and every unit under it

    @property
    def met_in_subtree(self) -> bool:
        return (self.subtree.cohorts >= self.item.planned_cohorts
                and self.subtree.participants >= self.item.planned_participants)

    def toward_plan(self, key: str) -> Held:
        """The cohorts and participants of `key` ("unit" or "subtree") counted up to the item's numbers."""
        held = getattr(self, key)
        return Held(min(held.cohorts, self.item.planned_cohorts),
                    min(held.participants, self.item.planned_participants), held.completed)


@dataclass(frozen=True)
class Totals:
    """The plan's items added up, each counted up to its own numbers (PlanRow.toward_plan)."""
    planned_cohorts: int
    planned_participants: int
    unit: Held
    subtree: Held


@dataclass
class YearPlan:
    unit: Unit
    year: int
    rows: list[PlanRow]
    trained: dict[str, int]  # target group -> people who completed cohorts of it in the subtree this year
    trained_total: int  # different people, whatever the group
    carried_out: tuple[int, int]  # (planned cohorts held, cohorts planned) over the plans of the whole subtree

    @property
    def totals(self) -> Totals:
        def add(key):
            heads = [row.toward_plan(key) for row in self.rows]
            return Held(sum(h.cohorts for h in heads), sum(h.participants for h in heads),
                        sum(h.completed for h in heads))
        return Totals(sum(r.item.planned_cohorts for r in self.rows),
                      sum(r.item.planned_participants for r in self.rows), add("unit"), add("subtree"))

    @property
    def editable(self) -> bool:
        return is_open_year(self.year)


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _quarter_of(day: ColumnElement[date]) -> ColumnElement[int]:
    month = extract("month", day)
    return case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)


def toward_items(year: int, of_units: ColumnElement[bool]) -> Subquery:
    """(item_id, cohort_id): each held cohort that counts toward a plan item of `year` of the units
    `of_units` selects (see the module's docstring); a cohort linked to an item and one matching an item
    are two indexed joins."""
    first, last = _year_range(year)
    items_of_units = TrainingPlanItem.unit_id.in_(select(Unit.id).where(of_units))
    linked = (select(TrainingPlanItem.id.label("item_id"), Cohort.id.label("cohort_id"))
              .join(Cohort, Cohort.plan_item_id == TrainingPlanItem.id)
              .where(TrainingPlanItem.year == year, items_of_units, Cohort.status != PLANNED))
    matching = (select(TrainingPlanItem.id, Cohort.id)
                .select_from(Cohort)
                .join(TrainingPlanItem, and_(
                    TrainingPlanItem.year == year, TrainingPlanItem.target_group == Cohort.target_group,
                    TrainingPlanItem.quarter == _quarter_of(Cohort.starts_on),
                    or_(TrainingPlanItem.course_id.is_(None), TrainingPlanItem.course_id == Cohort.course_id)))
                .where(items_of_units, Cohort.plan_item_id.is_(None), Cohort.starts_on >= first,
                       Cohort.starts_on <= last, Cohort.status != PLANNED))
    return union_all(linked, matching).subquery()


def held_by_item(unit: Unit, year: int, *, subtree: bool) -> dict[int, Held]:
    """Held cohorts, their participants and those who completed, for each plan item of the unit's year:
    counting cohorts of the unit only, or of its whole subtree."""
    where_unit = (Unit.path.startswith(unit.path, autoescape=True) if subtree else Cohort.unit_id == unit.id)
    pairs = toward_items(year, Unit.id == unit.id)
    rows = db.session.execute(
        select(pairs.c.item_id, func.count(distinct(Cohort.id)), func.count(CohortParticipant.id),
               func.count(case((CohortParticipant.completed.is_(True), CohortParticipant.id))))
        .select_from(pairs)
        .join(Cohort, Cohort.id == pairs.c.cohort_id)
        .join(Unit, Unit.id == Cohort.unit_id)
        .outerjoin(CohortParticipant, CohortParticipant.cohort_id == Cohort.id)
        .where(where_unit)
        .group_by(pairs.c.item_id))
    return {item_id: Held(cohorts, participants, completed) for item_id, cohorts, participants, completed in rows}


def plans_carried_out(node: Unit, year: int) -> tuple[int, int]:
    """(planned cohorts held, cohorts planned) over the `year` plans of the node and every unit under it.
    Each item counts the held cohorts that count toward it (toward_items) run by its own unit or a unit
    under that, up to the number it plans."""
    owner, runner = aliased(Unit), aliased(Unit)
    in_node = owner.path.startswith(node.path, autoescape=True)
    pairs = toward_items(year, Unit.path.startswith(node.path, autoescape=True))
    held = (select(pairs.c.item_id, func.count(distinct(pairs.c.cohort_id)).label("cohorts"))
            .join(TrainingPlanItem, TrainingPlanItem.id == pairs.c.item_id)
            .join(owner, owner.id == TrainingPlanItem.unit_id)
            .join(Cohort, Cohort.id == pairs.c.cohort_id)
            .join(runner, runner.id == Cohort.unit_id)
            .where(runner.path.startswith(owner.path))
            .group_by(pairs.c.item_id)
            .subquery())
    counted = func.coalesce(held.c.cohorts, 0)
    toward_plan = case((counted > TrainingPlanItem.planned_cohorts, TrainingPlanItem.planned_cohorts),
                       else_=counted)
    done, planned = db.session.execute(
        select(func.sum(toward_plan), func.sum(TrainingPlanItem.planned_cohorts))
        .select_from(TrainingPlanItem)
        .join(owner, owner.id == TrainingPlanItem.unit_id)
        .outerjoin(held, held.c.item_id == TrainingPlanItem.id)
        .where(TrainingPlanItem.year == year, in_node)).one()
    return int(done or 0), int(planned or 0)


def trained_in_year(unit: Unit, year: int) -> tuple[dict[str, int], int]:
    """People who completed a cohort starting in `year` anywhere in the unit's subtree: by the cohorts'
    target group, and in all (a person counts once in each group and once in all)."""
    first, last = _year_range(year)
    base = (select().select_from(CohortParticipant)
            .join(Cohort, Cohort.id == CohortParticipant.cohort_id)
            .join(Unit, Unit.id == Cohort.unit_id)
            .where(Unit.path.startswith(unit.path, autoescape=True), Cohort.starts_on >= first,
                   Cohort.starts_on <= last, CohortParticipant.completed.is_(True)))
    by_group = dict(db.session.execute(
        base.add_columns(Cohort.target_group, func.count(distinct(CohortParticipant.user_id)))
        .group_by(Cohort.target_group)).all())
    total = db.session.scalar(base.add_columns(func.count(distinct(CohortParticipant.user_id)))) or 0
    return {group: by_group.get(group, 0) for group in TARGET_GROUPS}, total


def plan_items(unit: Unit, year: int) -> list[TrainingPlanItem]:
    return list(db.session.scalars(
        select(TrainingPlanItem).where(TrainingPlanItem.unit_id == unit.id, TrainingPlanItem.year == year)
        .options(selectinload(TrainingPlanItem.course))
        .order_by(TrainingPlanItem.quarter, TrainingPlanItem.target_group, TrainingPlanItem.id)))


def year_plan(unit: Unit, year: int) -> YearPlan:
    items = plan_items(unit, year)
    own = held_by_item(unit, year, subtree=False) if items else {}
    whole = held_by_item(unit, year, subtree=True) if items else {}
    rows = [PlanRow(item, own.get(item.id, Held()), whole.get(item.id, Held())) for item in items]
    trained, total = trained_in_year(unit, year)
    return YearPlan(unit, year, rows, trained, total, plans_carried_out(unit, year))


def plan_table(plan: YearPlan, quarter_labels: dict) -> Table:
    """The year's plan against what was held, as a report table for the .xlsx and .csv exports."""
    columns = [Column("quarter", _("Quý")), Column("group", _("Đối tượng")),
               Column("course", pgettext("one course", "Khóa học")),
               Column("planned_cohorts", _("Lớp theo kế hoạch"), INT),
               Column("unit_cohorts", _("Lớp đơn vị tự tổ chức"), INT),
               Column("subtree_cohorts", _("Lớp đã tổ chức (cả cấp dưới)"), INT),
               Column("planned_participants", _("Học viên theo kế hoạch"), INT),
               Column("subtree_participants", _("Học viên đã tham gia (cả cấp dưới)"), INT),
               Column("subtree_completed", _("Học viên hoàn thành (cả cấp dưới)"), INT)]
    carried_out = carried_out_sentence(plan, with_units_below=bool(child_units(plan.unit)))
    table = Table("ke-hoach", _("Kế hoạch tập huấn năm %(year)d: %(unit)s", year=plan.year, unit=plan.unit.name),
                  columns, note=" ".join(filter(None, (summary_sentence(plan), carried_out))))
    for row in plan.rows:
        item = row.item
        table.rows.append((str(quarter_labels[item.quarter]), target_group_label(item.target_group),
                           item.course.title if item.course else "", item.planned_cohorts, row.unit.cohorts,
                           row.subtree.cohorts, item.planned_participants, row.subtree.participants,
                           row.subtree.completed))
    totals = plan.totals
    table.rows.append((_("Cả năm, mỗi mục tính tối đa theo kế hoạch"), "", "", totals.planned_cohorts,
                       totals.unit.cohorts, totals.subtree.cohorts, totals.planned_participants,
                       totals.subtree.participants, totals.subtree.completed))
    return table


def summary_sentence(plan: YearPlan) -> str:
    """"Năm 2026 đã tập huấn 12 điều phối viên, 8 đội trưởng đội hình": the figure each level reports up."""
    parts = [counted_people(group, plan.trained[group]) for group in TARGET_GROUPS if plan.trained[group]]
    if not parts:
        return _("Năm %(year)d chưa có học viên nào hoàn thành lớp tập huấn.", year=plan.year)
    return _("Năm %(year)d đã tập huấn %(people)s.", year=plan.year, people=", ".join(parts))


def carried_out_sentence(plan: YearPlan, *, with_units_below: bool) -> str | None:
    """How far the year's plans of the unit (and of the units under it) were carried out: the figure the
    dashboard's target and the capacity indicator give. None when nothing was planned."""
    done, planned = plan.carried_out
    if not planned:
        return None
    values = {"year": plan.year, "unit": plan.unit.name, "done": done,
              "share": number_text(round(100.0 * done / planned, 1), PERCENT)}
    if with_units_below:
        return ngettext("Kế hoạch năm %(year)d của %(unit)s và các đơn vị trực thuộc: đã tổ chức %(done)d trong "
                        "%(num)d lớp theo kế hoạch (%(share)s).",
                        "Kế hoạch năm %(year)d của %(unit)s và các đơn vị trực thuộc: đã tổ chức %(done)d trong "
                        "%(num)d lớp theo kế hoạch (%(share)s).", planned, **values)
    return ngettext("Kế hoạch năm %(year)d của %(unit)s: đã tổ chức %(done)d trong %(num)d lớp theo kế hoạch "
                    "(%(share)s).",
                    "Kế hoạch năm %(year)d của %(unit)s: đã tổ chức %(done)d trong %(num)d lớp theo kế hoạch "
                    "(%(share)s).", planned, **values)


def child_units(unit: Unit) -> list[Unit]:
    """Open units directly under `unit`, for drilling down."""
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.closed_at.is_(None))
                                   .order_by(Unit.name_folded, Unit.id)))


def plannable_courses(current: Course | None = None) -> list[tuple[int, str]]:
    """Published courses a plan item may name, and the item's own course if it is no longer published."""
    rows = [(course_id, title) for course_id, title in db.session.execute(
        select(Course.id, Course.title).where(Course.status == PUBLISHED).order_by(Course.title_folded))]
    if current is not None and current.id not in {course_id for course_id, _title in rows}:
        rows.append((current.id, current.title))
    return rows


# --- Changing the plan ----------------------------------------------------------------------------

@dataclass
class ItemValues:
    year: int | None
    quarter: int | None
    target_group: str
    course_id: int | None
    planned_cohorts: int | None
    planned_participants: int | None


class PlanRefused(RuleError):
    """The item breaks the rules; `errors` names each field at fault with its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def check_item(values: ItemValues, current: TrainingPlanItem | None = None) -> dict[str, str]:
    """Every rule the item breaks, by field."""
    errors: dict[str, str] = {}
    first, last = year_bounds()
    if values.year is None or not first <= values.year <= last:
        errors["year"] = _("Năm kế hoạch phải từ %(first)d đến %(last)d.", first=first, last=last)
    if values.quarter not in QUARTERS:
        errors["quarter"] = _("Quý phải là 1, 2, 3 hoặc 4.")
    if values.target_group not in TARGET_GROUPS:
        errors["target_group"] = _("Hãy chọn đối tượng tập huấn.")
    if values.planned_cohorts is None or not 1 <= values.planned_cohorts <= MAX_COHORTS:
        errors["planned_cohorts"] = _("Số lớp dự kiến phải từ 1 đến %(max)d.", max=MAX_COHORTS)
    if values.planned_participants is None or not 1 <= values.planned_participants <= MAX_PARTICIPANTS:
        errors["planned_participants"] = _("Số học viên dự kiến phải từ 1 đến %(max)d.", max=MAX_PARTICIPANTS)
    if values.course_id is not None:
        allowed = {course_id for course_id, _title in plannable_courses(current.course if current else None)}
        if values.course_id not in allowed:
            errors["course_id"] = _("Khóa học này không còn được phát hành.")
    return errors


def add_item(unit: Unit, values: ItemValues, by: User) -> TrainingPlanItem:
    """A new plan item of the unit. The caller has checked `plan.manage` over the unit and commits."""
    errors = check_item(values)
    if errors:
        raise PlanRefused(errors)
    item = TrainingPlanItem(unit_id=unit.id, created_by_id=by.id)
    _apply(item, values)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: TrainingPlanItem, values: ItemValues) -> None:
    if not is_open_year(item.year):
        raise RuleError(_("Kế hoạch năm %(year)d đã khép lại, không sửa được nữa.", year=item.year))
    errors = check_item(values, item)
    if errors:
        raise PlanRefused(errors)
    _apply(item, values)


def delete_item(item: TrainingPlanItem) -> None:
    """Remove an item no cohort is linked to (a linked cohort would lose its place in the plan)."""
    if not is_open_year(item.year):
        raise RuleError(_("Kế hoạch năm %(year)d đã khép lại, không xóa được nữa.", year=item.year))
    linked = db.session.scalar(select(func.count(Cohort.id)).where(Cohort.plan_item_id == item.id))
    if linked:
        raise RuleError(ngettext(
            "Không xóa được: %(num)d lớp tập huấn đang gắn với mục kế hoạch này. Hãy bỏ liên kết ở lớp trước.",
            "Không xóa được: %(num)d lớp tập huấn đang gắn với mục kế hoạch này. Hãy bỏ liên kết ở lớp trước.",
            linked))
    db.session.delete(item)


def _apply(item: TrainingPlanItem, values: ItemValues) -> None:
    item.year, item.quarter, item.target_group = values.year, values.quarter, values.target_group
    item.course_id = values.course_id
    item.planned_cohorts, item.planned_participants = values.planned_cohorts, values.planned_participants
