"""The cascade: who trained whom, and how far a trainer's teaching reaches.

Trainer X trained trainer Y when Y.trained_in_cohort is a cohort where X is a CohortTrainer (lead or co).
From one trainer, a recursive CTE walks down every tier to the trainers they trained, their trainees,
and so on, with the depth of each. The walk stops at MAX_DEPTH, which also ends any cycle bad data
could make. Every figure is computed in SQL with a fixed number of statements (four), whatever the
size of the cascade:

- direct participants: distinct users enrolled (CohortParticipant, whatever their result) in cohorts
  where X is a trainer;
- indirect participants: distinct users enrolled in cohorts of the trainers X trained, at any depth,
  who are not direct participants;
- trainers produced: the trainers below X, each counted once; depth: how many tiers down it goes;
- coverage by province (the ancestor unit of the participant's unit whose level code is "province";
  participants of units above any province, such as the central office, are one row of their own)
  and by area flag of the participant's own unit.
"""
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, distinct, func, literal_column, select
from sqlalchemy.orm import aliased

from lms.db import db
from lms.orgs.models import AREA_FLAGS, Unit, UnitLevel
from lms.people.models import User
from lms.trainers.models import LEAD, CohortParticipant, CohortTrainer, TrainerProfile

MAX_DEPTH = 10
PROVINCE_LEVEL = "province"


def _reach(root_id: int, max_depth: int = MAX_DEPTH):
    """CTE (trainer_id, depth): the root at depth 0 and every trainer below it, once per depth reached."""
    anchor = select(TrainerProfile.id.label("trainer_id"), literal_column("0", Integer).label("depth")) \
        .where(TrainerProfile.id == root_id)
    walk = anchor.cte("cascade_reach", recursive=True)
    child = aliased(TrainerProfile)
    step = (select(child.id, walk.c.depth + literal_column("1", Integer))
            .select_from(walk)
            .join(CohortTrainer, CohortTrainer.trainer_id == walk.c.trainer_id)
            .join(child, child.trained_in_cohort_id == CohortTrainer.cohort_id)
            .where(walk.c.depth < max_depth))
    return walk.union(step)


def _descendants(walk, root_id: int):
    """CTE (trainer_id, depth): each trainer below the root once, at the shallowest depth reached."""
    return (select(walk.c.trainer_id, func.min(walk.c.depth).label("depth"))
            .where(walk.c.trainer_id != root_id).group_by(walk.c.trainer_id).cte("cascade_descendants"))


def _participants(walk):
    """Subquery (user_id): distinct participants of every cohort run by the root or a trainer below it."""
    return (select(CohortParticipant.user_id)
            .join(CohortTrainer, CohortTrainer.cohort_id == CohortParticipant.cohort_id)
            .where(CohortTrainer.trainer_id.in_(select(walk.c.trainer_id)))
            .distinct().subquery("cascade_participants"))


@dataclass
class TreeNode:
    trainer_id: int
    full_name: str
    unit_name: str
    unit_path: str
    tier: str
    status: str
    depth: int
    participants: int = 0  # distinct cadres in the cohorts this trainer led or co-led
    children: list["TreeNode"] = field(default_factory=list)


@dataclass(frozen=True)
class ProvinceRow:
    unit_id: int | None  # None: participants of units above any province
    name: str | None
    participants: int


@dataclass(frozen=True)
class Reach:
    direct: int
    indirect: int
    trainers_produced: int
    depth: int
    tree: list[TreeNode]  # the trainers the root trained; each node holds those it trained
    provinces: list[ProvinceRow]
    areas: dict[str, int]  # AREA_FLAGS -> distinct participants whose unit carries the flag

    @property
    def participants(self) -> int:
        return self.direct + self.indirect


def figures(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> tuple[int, int, int, int]:
    """(direct, indirect, trainers produced, depth) in one statement."""
    walk = _reach(root.id, max_depth)
    descendants = _descendants(walk, root.id)
    per_user = (select(CohortParticipant.user_id,
                       func.max(case((CohortTrainer.trainer_id == root.id, 1), else_=0)).label("direct"))
                .join(CohortTrainer, CohortTrainer.cohort_id == CohortParticipant.cohort_id)
                .where(CohortTrainer.trainer_id.in_(select(walk.c.trainer_id)))
                .group_by(CohortParticipant.user_id).subquery("cascade_per_user"))
    row = db.session.execute(select(
        func.coalesce(func.sum(per_user.c.direct), 0).label("direct"),
        (func.count(per_user.c.user_id) - func.coalesce(func.sum(per_user.c.direct), 0)).label("indirect"),
        select(func.count()).select_from(descendants).scalar_subquery().label("produced"),
        select(func.coalesce(func.max(descendants.c.depth), 0)).scalar_subquery().label("depth"),
    ).select_from(per_user)).one()
    return int(row.direct), int(row.indirect), int(row.produced), int(row.depth)


def trained_tree(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> list[TreeNode]:
    """The trainers below `root` as a tree, siblings in Vietnamese name order, in one statement.
    A trainer whose cohort had several trainers hangs under the one nearest the root (the lead first)."""
    walk = _reach(root.id, max_depth)
    descendants = _descendants(walk, root.id)
    child = aliased(TrainerProfile)
    taught_by = aliased(CohortTrainer)
    taught = (select(func.count(func.distinct(CohortParticipant.user_id)))
              .join(taught_by, taught_by.cohort_id == CohortParticipant.cohort_id)
              .where(taught_by.trainer_id == child.id).scalar_subquery())
    parent_reach = (select(walk.c.trainer_id, func.min(walk.c.depth).label("depth"))
                    .group_by(walk.c.trainer_id).subquery("cascade_parent"))
    rows = db.session.execute(
        select(child.id, descendants.c.depth, child.tier, child.status, User.full_name, User.sort_key,
               Unit.name.label("unit_name"), Unit.path.label("unit_path"), CohortTrainer.trainer_id.label("parent_id"),
               CohortTrainer.role, parent_reach.c.depth.label("parent_depth"), taught.label("taught"))
        .select_from(descendants)
        .join(child, child.id == descendants.c.trainer_id)
        .join(User, User.id == child.user_id).join(Unit, Unit.id == User.unit_id)
        .join(CohortTrainer, CohortTrainer.cohort_id == child.trained_in_cohort_id)
        .join(parent_reach, parent_reach.c.trainer_id == CohortTrainer.trainer_id)
    ).all()
    # One parent per trainer: the nearest, the lead before a co-trainer, then the lowest id.
    best: dict[int, tuple] = {}
    for row in rows:
        rank = (row.parent_depth, row.role != LEAD, row.parent_id)
        if row.id not in best or rank < best[row.id][0]:
            best[row.id] = (rank, row)
    nodes = {tid: TreeNode(tid, row.full_name, row.unit_name, row.unit_path, row.tier, row.status, row.depth,
                           int(row.taught))
             for tid, (_rank, row) in best.items()}
    sort_keys = {tid: row.sort_key for tid, (_rank, row) in best.items()}
    top: list[TreeNode] = []
    for tid, (_rank, row) in sorted(best.items(), key=lambda item: (sort_keys[item[0]], item[0])):
        parent = nodes.get(row.parent_id)
        (parent.children if parent is not None and row.parent_id != tid else top).append(nodes[tid])
    return top


def by_province(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> list[ProvinceRow]:
    """Distinct participants (direct and indirect) by the province their unit lies in, in one statement."""
    participants = _participants(_reach(root.id, max_depth))
    own_unit, province = aliased(Unit), aliased(Unit)
    province_level = select(UnitLevel.id).where(UnitLevel.code == PROVINCE_LEVEL).scalar_subquery()
    count = func.count(distinct(User.id))
    rows = db.session.execute(
        select(province.id, province.name, count.label("n"))
        .select_from(participants)
        .join(User, User.id == participants.c.user_id)
        .join(own_unit, own_unit.id == User.unit_id)
        .outerjoin(province, and_(province.level_id == province_level, own_unit.path.startswith(province.path)))
        .group_by(province.id, province.name)
        .order_by(count.desc(), province.name)).all()
    return [ProvinceRow(row.id, row.name, row.n) for row in rows]


def by_area(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> dict[str, int]:
    """Distinct participants whose own unit carries each area flag, in one statement."""
    participants = _participants(_reach(root.id, max_depth))
    columns = [func.count(distinct(case((getattr(Unit, flag).is_(True), User.id)))).label(flag)
               for flag in AREA_FLAGS]
    row = db.session.execute(
        select(*columns).select_from(participants)
        .join(User, User.id == participants.c.user_id).join(Unit, Unit.id == User.unit_id)).one()
    return {flag: int(getattr(row, flag)) for flag in AREA_FLAGS}


def reach(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> Reach:
    """Every figure of the cascade page: four statements, whatever the size of the cascade."""
    direct, indirect, produced, depth = figures(root, max_depth)
    return Reach(direct=direct, indirect=indirect, trainers_produced=produced, depth=depth,
                 tree=trained_tree(root, max_depth), provinces=by_province(root, max_depth),
                 areas=by_area(root, max_depth))


def descendant_ids(root: TrainerProfile, max_depth: int = MAX_DEPTH) -> dict[int, int]:
    """{trainer id: depth} of every trainer below `root` (one statement)."""
    descendants = _descendants(_reach(root.id, max_depth), root.id)
    return dict(db.session.execute(select(descendants.c.trainer_id, descendants.c.depth)).all())
