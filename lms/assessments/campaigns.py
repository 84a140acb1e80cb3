"""Assessment campaigns (đợt đánh giá): a draft's settings, launching it over the launching unit's subtree,
progress with drill-down, reminders to those who have not finished, and closing.

Who may do what (the one gate, lms.auth.permissions):
  * managing a campaign (creating, editing the draft, launching, closing): "campaign.manage" over its unit;
    reminding: "campaign.manage" over the unit whose progress is shown;
  * seeing a campaign: whoever holds "campaign.manage" or "assessment.view" over its unit, and whoever holds
    one of them over a unit inside it — a national campaign covers every province, so each province sees it,
    with the progress of its own subtree only. A draft is seen only by those who manage it.

Launching takes a snapshot: the participants (active cadres of open units in the subtree, of the target unit
levels and, when set, volunteer roles) with their unit, level, role and expected levels at that moment, and
the units whose capacity is assessed. Both are INSERT … SELECT statements; nothing loops over people.

A campaign is launched on or after its opening day and is open from then until it is closed; its due day is
the date people are asked to finish by (late work is still taken until the campaign is closed).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import JSON, and_, case, false, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased, contains_eager

from lms.actions import RuleError
from lms.assessments.framework import expected_levels, indicators_for_level
from lms.assessments.models import (CAMPAIGN_CLOSED, CAMPAIGN_DRAFT, CAMPAIGN_OPEN, INSTRUMENT_LABELS, INSTRUMENTS,
                                    KNOWLEDGE, NOT_STARTED, PUBLISHED, SELF, SUPERVISOR, UNIT_STATUS_LABELS,
                                    UNIT_STATUSES, Campaign, Framework, Participant, UnitAssessment)
from lms.assessments.scoring import TASK_INSTRUMENTS
from lms.auth.permissions import ACTIONS, can, in_scope, scope_paths
from lms.db import db, utcnow
from lms.i18n import N_, local_today
from lms.mail import mail_each
from lms.orgs.models import Unit, UnitLevel
from lms.paging import Page
from lms.reports.tables import INT, PERCENT, Column, Table
from lms.people.models import VOLUNTEER_ROLES, User

ACTION = "campaign.manage"
VIEW = "assessment.view"
PAGE_SIZE = 30
REMIND_EVERY = timedelta(days=3)
# The tasks a reminder is about: what the cadre does themself (a supervisor's rating is not theirs to do).
OWN_TASKS = (SELF, KNOWLEDGE)
_DONE_COLUMN = {SELF: Participant.self_done_at, KNOWLEDGE: Participant.knowledge_done_at}


class CampaignRefused(RuleError):
    """What the rules refuse in a campaign's settings: messages per form field; nothing is saved."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


# --- Public helpers -------------------------------------------------------------------------------

def _open_condition():
    return Campaign.status == CAMPAIGN_OPEN


def pending_instruments(participant: Participant) -> list[str]:
    """The participant's own tasks still to do (SELF, KNOWLEDGE), among those the campaign uses."""
    campaign = participant.campaign
    done = {SELF: participant.self_done_at, KNOWLEDGE: participant.knowledge_done_at}
    return [name for name in OWN_TASKS if campaign.uses(name) and done[name] is None]


def open_participations(user: User) -> list[Participant]:
    """The user's participations in open campaigns, the newest campaign first."""
    return list(db.session.scalars(
        select(Participant).join(Participant.campaign).options(contains_eager(Participant.campaign))
        .where(Participant.user_id == user.id, _open_condition())
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())))


# --- Who sees what --------------------------------------------------------------------------------

def view_paths(user: User) -> list[str]:
    """Paths of the units under which the user follows assessments (managing or viewing)."""
    return sorted(set(scope_paths(user, ACTION)) | set(scope_paths(user, VIEW)))


def _outermost(paths) -> list[str]:
    paths = set(paths)
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def _prefixes(paths) -> list[str]:
    """Every ancestor path (the path itself included) of each path: "/1/7/" gives "/1/" and "/1/7/"."""
    found = set()
    for path in paths:
        parts = [part for part in path.strip("/").split("/") if part]
        found.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1))
    return sorted(found)


def may_follow(user: User, unit: Unit) -> bool:
    """Whether the user may see assessment progress in this unit (and its subtree)."""
    return any(unit.path.startswith(path) for path in view_paths(user))


def visible_condition(user: User, unit_path=Unit.path):
    """SQL condition on a campaign (joined with its unit's path column): the campaigns the user may see."""
    paths = view_paths(user)
    if not paths:
        return false()
    inside = or_(*(unit_path.startswith(path, autoescape=True) for path in paths))
    covering = unit_path.in_(_prefixes(paths))
    return and_(or_(inside, covering), or_(Campaign.status != CAMPAIGN_DRAFT, in_scope(user, ACTION, unit_path)))


def may_view(user: User, campaign: Campaign) -> bool:
    path = campaign.unit.path
    paths = view_paths(user)
    if campaign.status == CAMPAIGN_DRAFT:
        return can(user, ACTION, campaign.unit)
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def may_manage(user: User, campaign: Campaign) -> bool:
    return can(user, ACTION, campaign.unit)


# --- Listing --------------------------------------------------------------------------------------

@dataclass
class CampaignRow:
    campaign: Campaign
    unit_name: str
    participants: int  # in the viewer's scope
    completed: int

    @property
    def percent(self) -> int:
        return self.completed * 100 // self.participants if self.participants else 0


def _in_paths(paths: list[str], column):
    return or_(*(column.startswith(path, autoescape=True) for path in paths)) if paths else false()


def campaign_page(viewer: User, number: int = 1, status: str = "", year: int | None = None) -> Page:
    """One page of the campaigns the viewer may see, newest first, each with how many of its participants
    in the viewer's scope there are and how many have finished (correlated counts, one statement)."""
    number = max(1, min(number, 100_000))
    paths = view_paths(viewer)
    member = aliased(Unit)

    def counted(*conditions):
        return (select(func.count(Participant.id)).select_from(Participant)
                .join(member, Participant.unit_id == member.id)
                .where(Participant.campaign_id == Campaign.id, _in_paths(paths, member.path), *conditions)
                .correlate(Campaign).scalar_subquery())

    query = (select(Campaign, Unit.name, counted(), counted(Participant.completed_at.is_not(None)),
                    func.count().over())
             .join(Unit, Campaign.unit_id == Unit.id).where(visible_condition(viewer, Unit.path)))
    if status in (CAMPAIGN_DRAFT, CAMPAIGN_OPEN, CAMPAIGN_CLOSED):
        query = query.where(Campaign.status == status)
    if year:
        query = query.where(Campaign.opens_on >= date(year, 1, 1), Campaign.opens_on <= date(year, 12, 31))
    rows = db.session.execute(query.order_by(Campaign.opens_on.desc(), Campaign.id.desc())
                              .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    items = [CampaignRow(campaign, unit_name, int(people or 0), int(done or 0))
             for campaign, unit_name, people, done, _total in rows]
    return Page(items, rows[0][-1] if rows else 0, number, PAGE_SIZE)


def campaign_years(viewer: User) -> list[int]:
    """The years (of the opening day) of the campaigns the viewer may see, newest first."""
    first, last = db.session.execute(
        select(func.min(Campaign.opens_on), func.max(Campaign.opens_on))
        .join(Unit, Campaign.unit_id == Unit.id).where(visible_condition(viewer, Unit.path))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


# --- Settings of a draft --------------------------------------------------------------------------

@dataclass
class CampaignInput:
    """A campaign's settings as typed into the form."""

    title: str
    description: str
    unit_id: int | None
    framework_id: int | None
    target_levels: list[str]
    target_roles: list[str]
    instruments: list[str]
    assess_units: bool
    opens_on: date | None
    due_on: date | None


def launching_units(viewer: User, campaign: Campaign | None = None) -> list[Unit]:
    """The units a campaign may be launched from: the open units over which the viewer holds a role that
    manages campaigns (and the draft's own unit, kept while editing it)."""
    allowed = ACTIONS[ACTION]
    units = {a.unit.id: a.unit for a in viewer.roles if a.role in allowed and a.unit.is_open}
    if campaign is not None and campaign.unit_id not in units and can(viewer, ACTION, campaign.unit):
        units[campaign.unit_id] = campaign.unit
    return sorted(units.values(), key=lambda unit: (unit.level.rank, unit.name_folded, unit.id))


def published_frameworks() -> list[Framework]:
    return list(db.session.scalars(select(Framework).where(Framework.status == PUBLISHED)
                                   .order_by(Framework.version.desc())))


def unit_levels() -> list[UnitLevel]:
    return list(db.session.scalars(select(UnitLevel).order_by(UnitLevel.rank)))


def check_campaign(viewer: User, data: CampaignInput, campaign: Campaign | None = None) -> dict:
    """The values to store, or CampaignRefused naming every problem at once. `campaign` is None when creating."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = " ".join((data.title or "").split())
    if not title:
        refuse("title", _("Hãy nhập tên đợt đánh giá, ví dụ “Đánh giá năng lực 2026”."))
    elif len(title) > 200:
        refuse("title", _("Tên đợt đánh giá tối đa 200 ký tự."))
    description = (data.description or "").strip()
    if len(description) > 5000:
        refuse("description", _("Phần giới thiệu tối đa 5.000 ký tự."))

    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if unit is None or not can(viewer, ACTION, unit):
        refuse("unit_id", _("Hãy chọn đơn vị phát động trong phạm vi bạn quản lý."))
        unit = None
    elif not unit.is_open:
        refuse("unit_id", _("Đơn vị “%(name)s” đã giải thể.", name=unit.name))
        unit = None

    framework = db.session.get(Framework, data.framework_id) if data.framework_id else None
    if framework is None or not framework.is_published:
        refuse("framework_id", _("Hãy chọn một phiên bản khung năng lực đã ban hành."))
        framework = None

    ranks = {level.code: level.rank for level in unit_levels()}
    levels = [code for code in dict.fromkeys(data.target_levels or []) if code in ranks]
    if not data.target_levels:
        refuse("target_levels", _("Hãy chọn ít nhất một cấp đơn vị được đánh giá."))
    elif len(levels) != len(set(data.target_levels)):
        refuse("target_levels", _("Hãy chọn các mục trong danh sách."))
    elif unit is not None and any(ranks[code] < unit.level.rank for code in levels):
        refuse("target_levels", _("Chỉ chọn được cấp của đơn vị phát động (%(level)s) và các cấp dưới.",
                                  level=unit.level.name))
    levels.sort(key=ranks.get)

    roles = [role for role in VOLUNTEER_ROLES if role in (data.target_roles or [])]
    if len(roles) != len(set(data.target_roles or [])):
        refuse("target_roles", _("Hãy chọn các mục trong danh sách."))

    instruments = [name for name in INSTRUMENTS if name in (data.instruments or [])]
    if not data.instruments:
        refuse("instruments", _("Hãy chọn ít nhất một công cụ đánh giá."))
    elif len(instruments) != len(set(data.instruments)):
        refuse("instruments", _("Hãy chọn các mục trong danh sách."))
    elif not set(instruments) & set(TASK_INSTRUMENTS):
        refuse("instruments", _("Phiếu đánh giá thực hành chỉ đánh giá năng lực tập huấn của những người đã được "
                                "đánh giá thực hành; hãy chọn thêm tự đánh giá, đánh giá của cấp trên hoặc bài "
                                "kiểm tra kiến thức."))

    if data.opens_on is None:
        refuse("opens_on", _("Hãy chọn ngày bắt đầu."))
    if data.due_on is None:
        refuse("due_on", _("Hãy chọn hạn hoàn thành."))
    elif data.opens_on is not None and data.due_on < data.opens_on:
        refuse("due_on", _("Hạn hoàn thành phải từ ngày bắt đầu trở đi."))
    elif data.due_on < local_today():
        refuse("due_on", _("Hạn hoàn thành đã qua; hãy chọn một ngày từ hôm nay trở đi."))
    if errors:
        raise CampaignRefused(errors)
    return {"title": title, "description": description, "unit": unit, "framework": framework,
            "target_levels": levels, "target_roles": roles, "instruments": instruments,
            "assess_units": bool(data.assess_units), "opens_on": data.opens_on, "due_on": data.due_on}


def _apply(campaign: Campaign, values: dict) -> None:
    for name, value in values.items():
        setattr(campaign, name, value)


def create_campaign(viewer: User, values: dict) -> Campaign:
    campaign = Campaign(created_by_id=viewer.id, status=CAMPAIGN_DRAFT)
    _apply(campaign, values)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _settled_refusal() -> RuleError:
    return RuleError(_("Đợt đánh giá đã phát động nên các thiết lập được giữ cố định, không sửa được nữa."))


def _lock(campaign: Campaign) -> Campaign:
    """Re-read the campaign locking its row (PostgreSQL), so two launches or closings cannot interleave."""
    return db.session.scalar(select(Campaign).where(Campaign.id == campaign.id).with_for_update()
                             .execution_options(populate_existing=True))


def update_campaign(campaign: Campaign, values: dict) -> None:
    campaign = _lock(campaign)
    if campaign.status != CAMPAIGN_DRAFT:
        raise _settled_refusal()
    _apply(campaign, values)


def form_values(campaign: Campaign) -> dict:
    return {"title": campaign.title, "description": campaign.description, "unit_id": campaign.unit_id,
            "framework_id": campaign.framework_id, "target_levels": list(campaign.target_levels),
            "target_roles": list(campaign.target_roles), "instruments": list(campaign.instruments),
            "assess_units": campaign.assess_units, "opens_on": campaign.opens_on, "due_on": campaign.due_on}


# --- Launching ------------------------------------------------------------------------------------

@dataclass
class LaunchCounts:
    participants: int
    units: int


def _cadre_conditions(campaign: Campaign) -> list:
    conditions = [User.is_active.is_(True), Unit.closed_at.is_(None),
                  Unit.path.startswith(campaign.unit.path, autoescape=True),
                  UnitLevel.code.in_(list(campaign.target_levels))]
    if campaign.target_roles:
        conditions.append(User.volunteer_role.in_(list(campaign.target_roles)))
    return conditions


def _cadre_groups(campaign: Campaign) -> list[tuple[str, str | None, int]]:
    """(unit level code, volunteer role, how many) of the cadres the campaign would assess."""
    return [(code, role, int(number)) for code, role, number in db.session.execute(
        select(UnitLevel.code, User.volunteer_role, func.count(User.id)).select_from(User)
        .join(Unit, User.unit_id == Unit.id).join(UnitLevel, Unit.level_id == UnitLevel.id)
        .where(*_cadre_conditions(campaign)).group_by(UnitLevel.code, User.volunteer_role))]


def _assessed_levels(campaign: Campaign) -> list[str]:
    """The target levels whose units have indicators to answer, when the campaign assesses units."""
    if not campaign.assess_units:
        return []
    return [code for code in campaign.target_levels if indicators_for_level(campaign.framework, code)]


def _unit_conditions(campaign: Campaign, levels: list[str]) -> list:
    return [Unit.closed_at.is_(None), Unit.path.startswith(campaign.unit.path, autoescape=True),
            UnitLevel.code.in_(levels)]


def _unit_count(campaign: Campaign, levels: list[str]) -> int:
    if not levels:
        return 0
    return db.session.scalar(select(func.count(Unit.id)).join(UnitLevel, Unit.level_id == UnitLevel.id)
                             .where(*_unit_conditions(campaign, levels)))


def launch_preview(campaign: Campaign) -> LaunchCounts:
    """How many cadres and units launching now would assess."""
    return LaunchCounts(sum(number for *_key, number in _cadre_groups(campaign)),
                        _unit_count(campaign, _assessed_levels(campaign)))


def launch_campaign(campaign: Campaign) -> LaunchCounts:
    """Open the campaign and take its snapshot of participants and assessed units. Refused, with nothing
    changed, when it is not a draft, its framework is not published, its unit is dissolved, its opening
    day has not come or its due day has passed, or nobody and no unit would be assessed."""
    campaign = _lock(campaign)
    if campaign.status != CAMPAIGN_DRAFT:
        raise RuleError(_("Đợt đánh giá đã được phát động từ trước."))
    if not campaign.framework.is_published:
        raise RuleError(_("Phiên bản khung năng lực của đợt chưa được ban hành; hãy chọn phiên bản đã ban hành."))
    if not campaign.unit.is_open:
        raise RuleError(_("Đơn vị phát động đã giải thể nên không thể phát động đợt đánh giá."))
    if campaign.opens_on > local_today():
        raise RuleError(_("Đợt đánh giá bắt đầu từ ngày %(date)s nên chỉ phát động được từ ngày đó; hoặc hãy sửa "
                          "ngày bắt đầu.", date=campaign.opens_on.strftime("%d/%m/%Y")))
    if campaign.due_on < local_today():
        raise RuleError(_("Hạn hoàn thành đã qua; hãy sửa hạn hoàn thành trước khi phát động."))
    groups = _cadre_groups(campaign)
    levels = _assessed_levels(campaign)
    units = _unit_count(campaign, levels)
    if not groups and not units:
        raise RuleError(_("Không có cán bộ hay đơn vị nào thuộc đối tượng của đợt đánh giá (theo cấp đơn vị và "
                          "vai trò đã chọn). Chưa phát động; hãy xem lại đối tượng."))
    now = utcnow()
    columns = ["campaign_id", "user_id", "unit_id", "level_code", "volunteer_role", "expected"]
    for code, role, _number in groups:
        expected = expected_levels(campaign.framework, code, role)
        same_role = User.volunteer_role.is_(None) if role is None else User.volunteer_role == role
        chosen = (select(literal(campaign.id), User.id, User.unit_id, UnitLevel.code, User.volunteer_role,
                         literal(expected, JSON))
                  .select_from(User).join(Unit, User.unit_id == Unit.id)
                  .join(UnitLevel, Unit.level_id == UnitLevel.id)
                  .where(*_cadre_conditions(campaign), UnitLevel.code == code, same_role))
        db.session.execute(insert(Participant).from_select(columns, chosen))
    if units:
        chosen = (select(literal(campaign.id), Unit.id, literal(NOT_STARTED), literal(0), literal(now))
                  .select_from(Unit).join(UnitLevel, Unit.level_id == UnitLevel.id)
                  .where(*_unit_conditions(campaign, levels)))
        db.session.execute(insert(UnitAssessment).from_select(
            ["campaign_id", "unit_id", "status", "round", "updated_at"], chosen))
    campaign.status, campaign.launched_at = CAMPAIGN_OPEN, now
    return LaunchCounts(sum(number for *_key, number in groups), units)


def close_campaign(campaign: Campaign) -> None:
    campaign = _lock(campaign)
    if campaign.status == CAMPAIGN_DRAFT:
        raise RuleError(_("Đợt đánh giá chưa phát động nên chưa thể kết thúc."))
    if campaign.status == CAMPAIGN_CLOSED:
        raise RuleError(_("Đợt đánh giá đã kết thúc từ trước."))
    campaign.status, campaign.closed_at = CAMPAIGN_CLOSED, utcnow()


# --- Progress with drill-down ---------------------------------------------------------------------

@dataclass
class ProgressRow:
    """One row of the progress table: a unit's whole subtree, or (own) the shown unit's own cadres and its
    own unit assessment."""

    unit_id: int
    name: str
    own: bool
    closed: bool
    participants: int = 0
    self_done: int = 0
    supervisor_done: int = 0
    knowledge_done: int = 0
    completed: int = 0
    units: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UNIT_STATUSES, 0))

    @property
    def percent(self) -> int:
        return self.completed * 100 // self.participants if self.participants else 0

    @property
    def unit_total(self) -> int:
        return sum(self.units.values())


def progress_roots(viewer: User, campaign: Campaign) -> list[Unit]:
    """Where the viewer's progress view starts: the campaign's unit when it is in their scope, else their own
    scope units inside the campaign (the outermost ones)."""
    paths = view_paths(viewer)
    if any(campaign.unit.path.startswith(path) for path in paths):
        return [campaign.unit]
    inner = _outermost(path for path in paths if path.startswith(campaign.unit.path))
    if not inner:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.path.in_(inner)).order_by(Unit.name_folded, Unit.id)))


def progress_rows(campaign: Campaign, node: Unit | None, roots: list[Unit] = ()) -> list[ProgressRow]:
    """The progress table under `node`: one row per child unit, each aggregated over the child's subtree, and
    a row for the node's own cadres when it has any. Without a node, one row per unit of `roots`.
    Two grouped subqueries (participants, unit assessments) joined to the row units, one statement."""
    shown, member_p, member_u = aliased(Unit), aliased(Unit), aliased(Unit)
    row_p, row_u = aliased(Unit), aliased(Unit)

    if node is not None:
        def wanted(row):
            return or_(row.parent_id == node.id, row.id == node.id)

        def belongs(row, member):
            return or_(and_(row.parent_id == node.id, member.path.startswith(row.path)),
                       and_(row.id == node.id, member.id == node.id))

        def within(member):
            return member.path.startswith(node.path, autoescape=True)
    else:
        ids = [unit.id for unit in roots]

        def wanted(row):
            return row.id.in_(ids) if ids else false()

        def belongs(row, member):
            return member.path.startswith(row.path)

        def within(member):
            return _in_paths([unit.path for unit in roots], member.path)

    people = (select(row_p.id.label("row_id"), func.count(Participant.id).label("participants"),
                     func.count(Participant.self_done_at).label("self_done"),
                     func.count(Participant.supervisor_done_at).label("supervisor_done"),
                     func.count(Participant.knowledge_done_at).label("knowledge_done"),
                     func.count(Participant.completed_at).label("completed"))
              .select_from(Participant).join(member_p, Participant.unit_id == member_p.id)
              .join(row_p, belongs(row_p, member_p))
              .where(Participant.campaign_id == campaign.id, within(member_p), wanted(row_p))
              .group_by(row_p.id).subquery())
    assessed = (select(row_u.id.label("row_id"),
                       *(func.sum(case((UnitAssessment.status == status, 1), else_=0)).label(f"ua_{status}")
                         for status in UNIT_STATUSES))
                .select_from(UnitAssessment).join(member_u, UnitAssessment.unit_id == member_u.id)
                .join(row_u, belongs(row_u, member_u))
                .where(UnitAssessment.campaign_id == campaign.id, within(member_u), wanted(row_u))
                .group_by(row_u.id).subquery())
    node_id = node.id if node is not None else 0
    has_data = or_(people.c.row_id.is_not(None), assessed.c.row_id.is_not(None))
    query = (select(shown.id, shown.name, shown.closed_at, people.c.participants, people.c.self_done,
                    people.c.supervisor_done, people.c.knowledge_done, people.c.completed,
                    *(assessed.c[f"ua_{status}"] for status in UNIT_STATUSES))
             .select_from(shown).outerjoin(people, people.c.row_id == shown.id)
             .outerjoin(assessed, assessed.c.row_id == shown.id)
             .where(wanted(shown), or_(and_(shown.id != node_id, shown.closed_at.is_(None)), has_data))
             .order_by(case((shown.id == node_id, 0), else_=1), shown.name_folded, shown.id))
    rows = []
    for unit_id, name, closed_at, people_count, self_done, supervisor_done, knowledge_done, completed, *units \
            in db.session.execute(query):
        rows.append(ProgressRow(unit_id, name, unit_id == node_id, closed_at is not None, int(people_count or 0),
                                int(self_done or 0), int(supervisor_done or 0), int(knowledge_done or 0),
                                int(completed or 0),
                                {status: int(n or 0) for status, n in zip(UNIT_STATUSES, units)}))
    return rows


def progress_total(rows: list[ProgressRow]) -> ProgressRow:
    """The totals row: the sums of the (already aggregated) rows."""
    total = ProgressRow(0, "", False, False)
    for row in rows:
        for name in ("participants", "self_done", "supervisor_done", "knowledge_done", "completed"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for status in UNIT_STATUSES:
            total.units[status] += row.units[status]
    return total


def progress_table(campaign: Campaign, node: Unit | None, rows: list[ProgressRow]) -> Table:
    """The progress rows as a report table, for the .xlsx and .csv exports."""
    columns = [Column("unit", pgettext("a unit in a table", "Đơn vị")),
               Column("participants", _("Cán bộ tham gia"), INT)]
    done = [(SELF, "self_done", _("Đã tự đánh giá")), (SUPERVISOR, "supervisor_done", _("Cấp trên đã đánh giá")),
            (KNOWLEDGE, "knowledge_done", _("Đã làm bài kiểm tra"))]
    used = [(key, label) for instrument, key, label in done if campaign.uses(instrument)]
    columns += [Column(key, label, INT) for key, label in used]
    columns += [Column("completed", _("Đã hoàn thành"), INT), Column("percent", _("Tỉ lệ hoàn thành"), PERCENT)]
    if campaign.assess_units:
        columns += [Column(status, _(UNIT_STATUS_LABELS[status]), INT) for status in UNIT_STATUSES]
    table = Table("tien-do", _("Tiến độ: %(title)s", title=campaign.title), columns,
                  note=node.name if node is not None else "")
    total = progress_total(rows)
    total.name = _("Tổng cộng")
    for row in [*rows, total]:
        values = [row.name, row.participants, *(getattr(row, key) for key, _label in used), row.completed,
                  100.0 * row.completed / row.participants if row.participants else None]
        if campaign.assess_units:
            values += [row.units[status] for status in UNIT_STATUSES]
        table.rows.append(tuple(values))
    return table


def node_trail(viewer: User, campaign: Campaign, node: Unit) -> list[Unit]:
    """The units from the top of the viewer's view of the campaign down to `node`, for the breadcrumb."""
    ids = [*node.ancestor_ids, node.id]
    units = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all()
    paths = view_paths(viewer)
    shown = [unit for unit in units if unit.path.startswith(campaign.unit.path)
             and any(unit.path.startswith(path) for path in paths)]
    return sorted(shown, key=lambda unit: len(unit.path))


# --- Reminders ------------------------------------------------------------------------------------

@dataclass
class Reminder:
    participant_id: int
    full_name: str
    email: str
    locale: str | None
    pending: list[str]
    reminded_before: datetime | None  # their previous reminder: put back when this one does not reach them


@dataclass
class Reminders:
    """The reminders record_reminders() recorded at `at`, for deliver_reminders() to e-mail."""
    campaign: Campaign
    at: datetime
    people: list[Reminder]


def _reminder_conditions(campaign: Campaign, node: Unit | None, now: datetime) -> list | None:
    pending = [_DONE_COLUMN[name].is_(None) for name in OWN_TASKS if campaign.uses(name)]
    if not pending:
        return None
    conditions = [Participant.campaign_id == campaign.id, or_(*pending), User.is_active.is_(True),
                  User.email.is_not(None), User.email != "",
                  or_(Participant.reminded_at.is_(None), Participant.reminded_at <= now - REMIND_EVERY)]
    if node is not None:
        conditions.append(Unit.path.startswith(node.path, autoescape=True))
    return conditions


def _recipients(conditions: list):
    return (select(Participant.id).join(User, Participant.user_id == User.id)
            .join(Unit, Participant.unit_id == Unit.id).where(*conditions))


def assessments_link() -> str:
    """The absolute address where a cadre finds their assessment tasks."""
    endpoint = "assessments.hub" if "assessments.hub" in current_app.view_functions else "assessments.campaign_list"
    return url_for(endpoint, _external=True)


def record_reminders(campaign: Campaign, node: Unit | None = None) -> Reminders:
    """Record a reminder to every participant (under `node`, else in the whole campaign) who has an e-mail
    address, has own tasks left and was not reminded in the last three days; deliver_reminders() e-mails
    them after the commit. Refuses (RuleError, nothing recorded) a campaign that is not open."""
    if not campaign.is_open:
        raise RuleError(_("Chỉ gửi nhắc nhở được khi đợt đánh giá đang diễn ra."))
    now = utcnow()
    conditions = _reminder_conditions(campaign, node, now)
    if conditions is None:
        return Reminders(campaign, now, [])
    rows = db.session.execute(
        select(Participant.id, User.full_name, User.email, User.locale, Participant.self_done_at,
               Participant.knowledge_done_at, Participant.reminded_at)
        .join(User, Participant.user_id == User.id).join(Unit, Participant.unit_id == Unit.id)
        .where(*conditions).order_by(Participant.id)).all()
    people = [Reminder(pid, name, email, locale,
                       [task for task, done in ((SELF, self_done), (KNOWLEDGE, knowledge_done))
                        if campaign.uses(task) and done is None], reminded_before)
              for pid, name, email, locale, self_done, knowledge_done, reminded_before in rows]
    if people:
        db.session.execute(update(Participant).where(Participant.id.in_(_recipients(conditions)))
                           .values(reminded_at=now).execution_options(synchronize_session=False))
        campaign.last_reminder_at = now
    return Reminders(campaign, now, people)


def deliver_reminders(reminders: Reminders, link: str | None = None) -> tuple[int, list[Reminder], list[Reminder]]:
    """E-mail the reminders record_reminders() recorded (call after the commit), each in the participant's
    language. Those the mail server could not be reached for (it is down) have their reminder withdrawn,
    committed, so that they may be reminded again at once; those whose address it refused keep theirs, as a
    new try would be refused too. Returns how many e-mails were sent, those not reached, and those refused."""
    campaign = reminders.campaign
    mailing = mail_each(reminders.people, N_("Nhắc nhở: %(title)s, hạn %(date)s"),
                        {"title": campaign.title, "date": campaign.due_on.strftime("%d/%m/%Y")},
                        "assessments/email_reminder.txt", campaign=campaign, link=link or assessments_link(),
                        labels=INSTRUMENT_LABELS)
    if mailing.unreached:
        _withdraw(reminders, mailing.unreached)
    return mailing.sent, mailing.unreached, mailing.refused


def _withdraw(reminders: Reminders, unreached: list[Reminder]) -> None:
    """Put back when the participants not reached were last reminded before, and the campaign's last reminder
    to the latest one left, and commit."""
    db.session.execute(update(Participant).where(Participant.reminded_at == reminders.at)
                       .execution_options(synchronize_session=None),
                       [{"id": person.participant_id, "reminded_at": person.reminded_before} for person in unreached])
    campaign = reminders.campaign
    campaign.last_reminder_at = db.session.scalar(select(func.max(Participant.reminded_at))
                                                  .where(Participant.campaign_id == campaign.id))
    db.session.commit()


def campaigns_to_remind() -> list[Campaign]:
    """Open campaigns whose due day has not passed: those the daily reminder covers."""
    return list(db.session.scalars(select(Campaign).where(_open_condition(), Campaign.due_on >= local_today())
                                   .order_by(Campaign.id)))
