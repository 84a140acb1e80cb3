"""The cascade: who trained whom, and every reach figure checked against a count made by hand over
the fixture rows; a bounded number of SQL statements whatever the size of the cascade; scope."""
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from lms.db import db
from lms.orgs.models import AREA_FLAGS, Unit
from lms.trainers import cascade
from lms.trainers.models import (
    CERTIFIED, CANDIDATE, CLOSED, CO_TRAINER, GRASSROOTS, LEAD, MASTER, PROVINCIAL, CohortParticipant,
    CohortTrainer, TrainerProfile,
)
from tests.test_trainers_certification import make_cohort, make_trainer, sign_in_as, text


@dataclass
class Cascade:
    master: TrainerProfile
    provincial_a: TrainerProfile
    provincial_b: TrainerProfile
    grassroots_a: TrainerProfile
    grassroots_b: TrainerProfile
    outsider: TrainerProfile


@pytest.fixture()
def built(tree, make_user, admin_a) -> Cascade:
    """Master (central) → two provincial trainers trained in the master's cohort → grassroots cohorts
    with participants in grassroots_a, branch_a and grassroots_b, and two grassroots trainers below."""
    users = {}

    def person(key, unit, name):
        users[key] = make_user(unit, name, email=f"cascade-{key}@example.org")
        return users[key]

    master = make_trainer(person("master", tree.central, "Hoàng Minh Tâm"), MASTER, CERTIFIED)
    central_cadre = person("central", tree.central, "Đỗ Thu Trang")
    prov_a_user = person("prov_a", tree.province_a, "Trần Thị Dung")
    prov_b_user = person("prov_b", tree.province_b, "Lê Văn Bảo")
    tot = make_cohort(tree.central, admin_a, "Lớp tập huấn viên nguồn", status=CLOSED, ends_in_days=-90,
                      trainers=[(master, LEAD)], participants=[prov_a_user, prov_b_user, central_cadre])
    provincial_a = make_trainer(prov_a_user, PROVINCIAL, CERTIFIED, trained_in=tot)
    provincial_b = make_trainer(prov_b_user, PROVINCIAL, CERTIFIED, trained_in=tot)

    g_a1 = person("g_a1", tree.grassroots_a, "Lò Thị Mai")
    g_a2 = person("g_a2", tree.grassroots_a, "Vàng A Sùng")
    b_a1 = person("b_a1", tree.branch_a, "Giàng Thị Dua")
    g_b1 = person("g_b1", tree.grassroots_b, "Nguyễn Văn Hải")
    g_b2 = person("g_b2", tree.grassroots_b, "Phạm Thị Ngọc")
    cohort_a = make_cohort(tree.province_a, admin_a, "Lớp Lào Cai", status=CLOSED, ends_in_days=-30,
                           trainers=[(provincial_a, LEAD)], participants=[g_a1, g_a2, b_a1])
    # Two trainers on one cohort: whoever it trains is reached by two paths and counted once.
    cohort_b = make_cohort(tree.province_b, admin_a, "Lớp Phú Quốc", status=CLOSED, ends_in_days=-20,
                           trainers=[(provincial_b, LEAD), (provincial_a, CO_TRAINER)],
                           participants=[g_b1, g_b2, central_cadre])  # central_cadre: already direct
    grassroots_a = make_trainer(g_a1, GRASSROOTS, CERTIFIED, trained_in=cohort_a)
    grassroots_b = make_trainer(g_b1, GRASSROOTS, CANDIDATE, trained_in=cohort_b)

    b_a2 = person("b_a2", tree.branch_a, "Sùng Văn Páo")
    g_b3 = person("g_b3", tree.grassroots_b, "Trương Văn Tài")
    make_cohort(tree.grassroots_a, admin_a, "Lớp xã Bát Xát", ends_in_days=10,
                trainers=[(grassroots_a, LEAD)], participants=[b_a1, b_a2])
    make_cohort(tree.grassroots_b, admin_a, "Lớp đặc khu", ends_in_days=15,
                trainers=[(grassroots_b, LEAD)], participants=[g_b3])

    # Someone outside the cascade, with a cohort of their own: counts nowhere.
    outsider = make_trainer(person("out", tree.province_a, "Bùi Văn Khánh"), PROVINCIAL, CERTIFIED)
    make_cohort(tree.province_a, admin_a, "Lớp riêng", trainers=[(outsider, LEAD)],
                participants=[person("noise", tree.branch_a, "Hà Văn Lâm"), b_a2])
    db.session.commit()
    return Cascade(master, provincial_a, provincial_b, grassroots_a, grassroots_b, outsider)


# --- Independent counts over the fixture rows (plain Python; fine for a handful of rows) ----------

def expected(root: TrainerProfile, max_depth: int = cascade.MAX_DEPTH) -> dict:
    links = db.session.execute(select(CohortTrainer.cohort_id, CohortTrainer.trainer_id)).all()
    enrolled = db.session.execute(select(CohortParticipant.cohort_id, CohortParticipant.user_id)).all()
    trainers = db.session.scalars(select(TrainerProfile)).all()
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    cohorts_of = lambda trainer_id: {c for c, t in links if t == trainer_id}  # noqa: E731
    depth = {root.id: 0}
    frontier = [root.id]
    for level in range(1, max_depth + 1):
        taught = {c for tid in frontier for c in cohorts_of(tid)}
        frontier = [t.id for t in trainers if t.trained_in_cohort_id in taught and t.id not in depth]
        depth.update({tid: level for tid in frontier})
    below = {tid: d for tid, d in depth.items() if tid != root.id}
    users_in = lambda cohort_ids: {u for c, u in enrolled if c in cohort_ids}  # noqa: E731
    direct = users_in(cohorts_of(root.id))
    indirect = users_in({c for tid in below for c in cohorts_of(tid)}) - direct
    from lms.people.models import User
    everyone = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(direct | indirect)))}

    def province_of(unit):
        while unit is not None and unit.level.code != "province":
            unit = units.get(unit.parent_id)
        return unit.id if unit else None

    provinces: dict = {}
    for user in everyone.values():
        provinces[province_of(units[user.unit_id])] = provinces.get(province_of(units[user.unit_id]), 0) + 1
    areas = {flag: sum(1 for u in everyone.values() if getattr(units[u.unit_id], flag)) for flag in AREA_FLAGS}
    return {"direct": len(direct), "indirect": len(indirect), "produced": len(below),
            "depth": max(below.values(), default=0), "below": below, "provinces": provinces, "areas": areas}


def flatten(nodes, parent=None):
    for node in nodes:
        yield node, parent
        yield from flatten(node.children, node.trainer_id)


@pytest.mark.parametrize("who", ["master", "provincial_a", "provincial_b", "grassroots_a", "outsider"])
def test_every_figure_matches_a_count_by_hand(built, who):
    root = getattr(built, who)
    want = expected(root)
    got = cascade.reach(root)
    assert (got.direct, got.indirect, got.trainers_produced, got.depth) == \
        (want["direct"], want["indirect"], want["produced"], want["depth"])
    assert {row.unit_id: row.participants for row in got.provinces} == want["provinces"]
    assert got.areas == want["areas"]
    assert {node.trainer_id: node.depth for node, _parent in flatten(got.tree)} == want["below"]
    assert cascade.descendant_ids(root) == want["below"]


def test_the_master_cascade_in_numbers(built, tree):
    """The same figures, written out, so a wrong hand count cannot hide a wrong query."""
    got = cascade.reach(built.master)
    assert got.direct == 3  # Dung, Bảo, Trang
    assert got.indirect == 7  # Mai, Sùng, Dua, Hải, Ngọc (Trang not again), Páo, Tài
    assert got.trainers_produced == 4 and got.depth == 2
    assert {row.unit_id: row.participants for row in got.provinces} == \
        {tree.province_a.id: 5, tree.province_b.id: 4, None: 1}
    assert got.provinces[0].name == "Tỉnh đoàn Lào Cai"
    # Units take their parent's flags when created: Lào Cai's units are all mountainous and border.
    assert got.areas == {"is_mountainous": 5, "is_ethnic_minority": 4, "is_border": 5, "is_island": 3,
                         "is_overseas": 0}


def test_the_tree_hangs_each_trainer_once_under_the_nearest_lead(built):
    tree_ = cascade.reach(built.master).tree
    assert [node.full_name for node in tree_] == ["Lê Văn Bảo", "Trần Thị Dung"]  # Vietnamese order: Bảo, Dung
    parents = {node.trainer_id: parent for node, parent in flatten(tree_)}
    assert parents == {built.provincial_a.id: None, built.provincial_b.id: None,
                       built.grassroots_a.id: built.provincial_a.id,
                       built.grassroots_b.id: built.provincial_b.id}  # lead of the shared cohort
    bao = tree_[0]
    assert (bao.tier, bao.status, bao.depth) == (PROVINCIAL, CERTIFIED, 1)
    taught = {node.trainer_id: node.participants for node, _parent in flatten(tree_)}
    for trainer_id, count in taught.items():
        by_hand = {p.user_id for p in db.session.scalars(select(CohortParticipant))
                   if any(t.trainer_id == trainer_id for t in db.session.scalars(
                       select(CohortTrainer).where(CohortTrainer.cohort_id == p.cohort_id)))}
        assert count == len(by_hand) > 0, trainer_id
    assert (bao.children[0].tier, bao.children[0].status, bao.children[0].depth) == (GRASSROOTS, CANDIDATE, 2)


def count_statements(run):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def test_a_bounded_number_of_statements_whatever_the_size(built, tree, make_user, admin_a):
    root = db.session.get(TrainerProfile, built.master.id)
    small, small_count = count_statements(lambda: cascade.reach(root))
    assert small_count <= 8
    # Grow the cascade: three more tiers, more cohorts and participants.
    parent = built.grassroots_a
    for level in range(3):
        learners = [make_user(tree.branch_a, f"Học Viên Tầng{level} Số{n}") for n in range(4)]
        cohort = make_cohort(tree.grassroots_a, admin_a, f"Lớp tầng {level}", trainers=[(parent, LEAD)],
                             participants=learners)
        parent = make_trainer(learners[0], GRASSROOTS, CERTIFIED, trained_in=cohort)
    db.session.commit()
    root = db.session.get(TrainerProfile, built.master.id)
    large, large_count = count_statements(lambda: cascade.reach(root))
    assert large_count == small_count
    assert large.trainers_produced == small.trainers_produced + 3 and large.depth == 5
    assert large.indirect == small.indirect + 12


def test_a_cycle_ends_at_the_depth_limit(built, admin_a, tree):
    """Bad data: the master 'trained in' a cohort run by someone they trained."""
    loop = make_cohort(tree.grassroots_a, admin_a, "Lớp vòng lặp", trainers=[(built.grassroots_a, LEAD)],
                       participants=[built.master.user])
    built.master.trained_in_cohort_id = loop.id
    db.session.commit()
    got = cascade.reach(built.master)
    assert got.trainers_produced == 4 and got.depth == 2
    below = cascade.reach(built.provincial_a)
    assert built.master.id in cascade.descendant_ids(built.provincial_a)
    assert below.depth <= cascade.MAX_DEPTH
    assert cascade.reach(built.master, max_depth=1).trainers_produced == 2


# --- The page --------------------------------------------------------------------------------

def test_the_cascade_page_shows_figures_tree_and_tables(client, built, central_admin):
    sign_in_as(client, central_admin)
    page = text(client.get(f"/trainers/people/{built.master.id}/cascade"))
    assert "Mạng lưới tập huấn lan tỏa" in page
    for name in ("Trần Thị Dung", "Lê Văn Bảo", "Lò Thị Mai", "Nguyễn Văn Hải"):
        assert name in page
    assert "Bùi Văn Khánh" not in page
    assert "Học viên trực tiếp" in page and "Học viên gián tiếp" in page
    assert "Tỉnh đoàn Lào Cai" in page and "Tỉnh đoàn An Giang" in page
    assert "Cấp Trung ương (không thuộc tỉnh nào)" in page
    assert "Hải đảo" in page and "Vùng đồng bào dân tộc thiểu số" in page
    assert page.index("Lê Văn Bảo") < page.index("Nguyễn Văn Hải") < page.index("Trần Thị Dung") \
        < page.index("Lò Thị Mai")  # each trainer right under the one who trained them


def test_scope_of_profile_and_cascade(client, built, admin_a, admin_b):
    sign_in_as(client, admin_b)
    for path in (f"/trainers/people/{built.provincial_a.id}", f"/trainers/people/{built.provincial_a.id}/cascade"):
        assert client.get(path).status_code == 403
    assert client.get(f"/trainers/people/{built.provincial_b.id}/cascade").status_code == 200
    assert client.get("/trainers/people/999999/cascade").status_code == 404
    sign_in_as(client, admin_a)
    assert client.get(f"/trainers/people/{built.provincial_a.id}/cascade").status_code == 200
    assert client.get(f"/trainers/people/{built.master.id}/cascade").status_code == 403  # central: above A


def test_trainers_outside_the_viewers_scope_stay_anonymous(client, built, admin_a):
    """Dung (province A) co-ran a cohort in province B: whom it trained counts, but is not named to A's admin."""
    sign_in_as(client, admin_a)
    page = text(client.get(f"/trainers/people/{built.provincial_a.id}/cascade"))
    assert "Lò Thị Mai" in page
    assert "Nguyễn Văn Hải" not in page and "Đoàn đặc khu Phú Quốc" not in page
    assert "Tập huấn viên ngoài phạm vi của bạn" in page
    assert f"/trainers/people/{built.grassroots_b.id}\"" not in page


def test_a_trainer_sees_their_own_profile_and_cascade_without_a_role(client, built):
    sign_in_as(client, built.grassroots_a.user)  # a learner only: no trainer.view anywhere
    assert client.get(f"/trainers/people/{built.grassroots_a.id}").status_code == 200
    assert client.get(f"/trainers/people/{built.grassroots_a.id}/cascade").status_code == 200
    assert client.get(f"/trainers/people/{built.provincial_a.id}").status_code == 403
    assert client.post(f"/trainers/people/{built.grassroots_a.id}/renew").status_code == 403
