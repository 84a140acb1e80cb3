"""Who may do what where: a role covers its unit and everything under it, nothing else."""
import pytest
from sqlalchemy import func, select

from lms.auth.permissions import Role, below_scope, can, in_scope, scope_paths
from lms.db import db
from lms.orgs.models import AREA_FLAGS, Organisation, Unit, UnitLevel
from lms.orgs.services import close_unit, create_unit
from lms.people.models import RoleAssignment, User
from tests.conftest import login


def _codes_in_scope(user, action: str) -> set[str]:
    return set(db.session.scalars(select(Unit.code).where(in_scope(user, action))))


def _subtree_codes(tree, *names: str) -> set[str]:
    return {getattr(tree, name).code for name in names}


A_UNITS = ("province_a", "grassroots_a", "branch_a")
B_UNITS = ("province_b", "grassroots_b", "branch_b")


# --- can / in_scope / scope_paths -----------------------------------------------------------

def test_province_admin_manages_every_unit_of_the_province(tree, admin_a):
    for name in A_UNITS:
        assert can(admin_a, "unit.manage", getattr(tree, name)), name
        assert can(admin_a, "unit.view", getattr(tree, name)), name


def test_province_admin_has_no_power_over_another_province_or_the_centre(tree, admin_a):
    for name in (*B_UNITS, "central"):
        for action in ("unit.view", "unit.manage", "user.view", "user.manage", "user.import", "role.grant"):
            assert not can(admin_a, action, getattr(tree, name)), (name, action)


def test_province_admin_scope_is_the_province_path(tree, admin_a):
    assert scope_paths(admin_a, "unit.manage") == [tree.province_a.path]
    assert _codes_in_scope(admin_a, "unit.manage") == _subtree_codes(tree, *A_UNITS)


def test_below_scope_is_the_subtree_without_the_scope_unit_itself(tree, admin_a, cadre_a):
    below = set(db.session.scalars(select(Unit.code).where(below_scope(admin_a, "assessment.supervise"))))
    assert below == _subtree_codes(tree, *A_UNITS) - {tree.province_a.code}
    assert db.session.scalars(select(Unit.code).where(below_scope(cadre_a, "assessment.supervise"))).all() == []


def test_only_central_admin_may_grant_central_roles(tree, admin_a, central_admin):
    assert not can(admin_a, "role.grant_central", tree.grassroots_a)
    assert can(central_admin, "role.grant_central", tree.grassroots_a)


def test_grassroots_admin_manages_downwards_only(tree, make_user):
    admin = make_user(tree.grassroots_a, "Vàng Thị Dợ", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    assert can(admin, "unit.manage", tree.branch_a)
    assert can(admin, "unit.manage", tree.grassroots_a)
    assert not can(admin, "unit.manage", tree.province_a)
    assert _codes_in_scope(admin, "unit.manage") == _subtree_codes(tree, "grassroots_a", "branch_a")


def test_a_role_on_a_closed_unit_grants_nothing(tree, make_user):
    admin = make_user(tree.grassroots_a, "Vàng Thị Dợ", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    assert can(admin, "unit.manage", tree.branch_a)
    close_unit(tree.branch_a, "Sáp nhập thôn")
    close_unit(tree.grassroots_a, "Sáp nhập xã")
    db.session.commit()
    admin = db.session.get(User, admin.id)
    assert scope_paths(admin, "unit.view") == []
    assert not can(admin, "unit.view", tree.grassroots_a)
    assert not can(admin, "unit.manage", tree.branch_a)
    assert _codes_in_scope(admin, "unit.view") == set()


def test_trainer_views_the_province_but_does_not_manage_it(tree, make_user):
    trainer = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)])
    assert can(trainer, "unit.view", tree.branch_a)
    assert can(trainer, "user.view", tree.branch_a)
    for action in ("unit.manage", "user.manage", "user.import", "role.grant"):
        assert not can(trainer, action, tree.grassroots_a), action
    assert not can(trainer, "unit.view", tree.province_b)
    assert _codes_in_scope(trainer, "unit.manage") == set()


def test_learner_role_alone_opens_no_unit(tree, cadre_a):
    assert scope_paths(cadre_a, "unit.view") == []
    assert not can(cadre_a, "unit.view", tree.grassroots_a)


def test_central_admin_may_do_everything_in_the_doan_tree(tree, central_admin):
    for unit in db.session.scalars(select(Unit)):
        for action in ("unit.view", "unit.manage", "user.view", "user.manage", "user.import", "role.grant",
                       "role.grant_central"):
            assert can(central_admin, action, unit), (unit.code, action)
    assert _codes_in_scope(central_admin, "unit.manage") == set(db.session.scalars(select(Unit.code)))


def test_central_admin_of_the_doan_has_no_power_in_another_organisation(tree, central_admin):
    hoi = db.session.scalar(select(Organisation).filter_by(code="HLHTN"))
    hoi_central = create_unit(parent=None, organisation=hoi, level=db.session.scalar(
        select(UnitLevel).filter_by(code="central")), code="HLHTN-TW", name="Trung ương Hội LHTN Việt Nam")
    db.session.commit()
    assert not can(central_admin, "unit.view", hoi_central)
    assert "HLHTN-TW" not in _codes_in_scope(central_admin, "unit.view")


def test_inactive_users_may_do_nothing(tree, central_admin, admin_a):
    for user in (central_admin, admin_a):
        user.is_active = False
    db.session.commit()
    for user in (central_admin, admin_a):
        assert scope_paths(user, "unit.view") == []
        assert not can(user, "unit.view", tree.grassroots_a)
        assert _codes_in_scope(user, "unit.view") == set()


def test_no_unit_means_no_permission(tree, central_admin):
    assert not can(central_admin, "unit.view", None)


# --- the web interface, swept ---------------------------------------------------------------

def _database_state() -> dict:
    """Everything a unit route could change, read over a connection of its own."""
    columns = [Unit.id, Unit.code, Unit.name, Unit.path, Unit.parent_id, Unit.level_id, Unit.closed_at,
               Unit.closed_reason, *(getattr(Unit, flag) for flag in AREA_FLAGS)]
    with db.engine.connect() as connection:
        return {
            "units": sorted(connection.execute(select(*columns)).all()),
            "users": sorted(connection.execute(select(User.id, User.unit_id, User.is_active)).all()),
            "roles": connection.execute(select(func.count()).select_from(RoleAssignment)).scalar(),
        }


@pytest.fixture()
def closed_branch_b(tree):
    """A closed unit of province B, so that "reopen" has something to reopen."""
    branch = create_unit(parent=tree.grassroots_b, level=tree.branch_b.level, code="DOAN-AGG-PHUQUOC-CD02",
                         name="Chi đoàn ấp Suối Đá")
    close_unit(branch, "Sáp nhập ấp")
    db.session.commit()
    return branch


def _unit_requests(unit_id: int, level_id: int, parent_code: str) -> list[tuple[str, str, dict]]:
    return [
        ("GET", f"/units/{unit_id}", {}),
        ("GET", f"/units/{unit_id}/new", {}),
        ("POST", f"/units/{unit_id}/new", {"name": "Chi đoàn lạ", "code": f"LA-{unit_id}", "level_id": level_id}),
        ("GET", f"/units/{unit_id}/edit", {}),
        ("POST", f"/units/{unit_id}/edit", {"name": "Tên bị sửa", "code": f"SUA-{unit_id}", "is_island": "y"}),
        ("GET", f"/units/{unit_id}/move", {}),
        ("POST", f"/units/{unit_id}/move", {"new_parent_code": parent_code}),
        ("POST", f"/units/{unit_id}/close", {"reason": "Giải thể trái phép"}),
        ("POST", f"/units/{unit_id}/reopen", {}),
    ]


def test_province_admin_cannot_reach_any_unit_of_another_province_or_the_centre(
        client, tree, admin_a, closed_branch_b):
    targets = [tree.central, tree.province_b, tree.grassroots_b, tree.branch_b, closed_branch_b]
    target_ids = [unit.id for unit in targets]
    branch_level = tree.branch_a.level_id
    parent_codes = [tree.province_a.code, tree.grassroots_a.code]
    before = _database_state()
    login(client, admin_a)

    tried = 0
    for unit_id in target_ids:
        for parent_code in parent_codes:
            for method, address, data in _unit_requests(unit_id, branch_level, parent_code):
                response = client.open(address, method=method, data=data)
                assert response.status_code in (403, 404), (method, address, response.status_code)
                tried += 1

    assert tried == len(targets) * len(parent_codes) * 9
    assert _database_state() == before


def test_unit_that_does_not_exist_answers_404(client, tree, admin_a):
    login(client, admin_a)
    for method, address, data in _unit_requests(999_999, tree.branch_a.level_id, tree.grassroots_a.code):
        assert client.open(address, method=method, data=data).status_code == 404, address


def test_province_admin_cannot_move_own_unit_under_another_province(client, tree, admin_a):
    before = _database_state()
    login(client, admin_a)
    response = client.post(f"/units/{tree.grassroots_a.id}/move",
                           data={"new_parent_code": tree.province_b.code})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Không có đơn vị mã “{tree.province_b.code}” trong phạm vi bạn quản lý." in page
    assert _database_state() == before


def test_unit_list_and_search_show_only_units_in_scope(client, tree, admin_a):
    login(client, admin_a)
    page = client.get("/units/").get_data(as_text=True)
    assert tree.province_a.name in page
    assert tree.province_b.name not in page
    assert tree.central.name not in page
    found = client.get("/units/", query_string={"q": "phu quoc"}).get_data(as_text=True)
    assert tree.grassroots_b.name not in found
    assert "0 đơn vị khớp" in found


def test_unit_detail_hides_ancestors_outside_the_scope(client, tree, admin_a):
    login(client, admin_a)
    page = client.get(f"/units/{tree.branch_a.id}").get_data(as_text=True)
    assert tree.grassroots_a.name in page
    assert f'href="/units/{tree.central.id}"' not in page


def test_trainer_sees_units_but_no_management_buttons(client, tree, make_user):
    trainer = make_user(tree.province_a, "Lò Văn Minh", roles=[(Role.TRAINER, tree.province_a)])
    login(client, trainer)
    page = client.get(f"/units/{tree.grassroots_a.id}").get_data(as_text=True)
    assert tree.grassroots_a.name in page
    assert "Thêm đơn vị trực thuộc" not in page
    assert "Giải thể" not in page
    assert client.get(f"/units/{tree.grassroots_a.id}/edit").status_code == 403


def test_cadre_without_an_admin_role_sees_no_unit_menu(client, tree, cadre_a):
    login(client, cadre_a)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/units/"' not in home
    assert client.get(f"/units/{tree.grassroots_a.id}").status_code == 403
