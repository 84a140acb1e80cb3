"""The unit tree: subtree queries, creating, renaming, moving, closing and reopening units through
the web interface, tiers as data, search, and the CSV loader."""
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from lms.db import db
from lms.orgs.loader import LoadError, load_directory
from lms.orgs.models import Organisation, Unit, UnitLevel
from lms.orgs.services import UnitError, create_unit, subtree
from lms.people.models import User
from lms.vietnamese import name_key
from tests.conftest import ROOT, level, login

# The 34 provinces and cities since the 2025 reorganisation of local government.
PROVINCES = [
    "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ",
    "Tuyên Quang", "Cao Bằng", "Lai Châu", "Lào Cai", "Thái Nguyên", "Điện Biên", "Lạng Sơn", "Sơn La",
    "Phú Thọ", "Bắc Ninh", "Quảng Ninh", "Hưng Yên", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
    "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa", "Lâm Đồng", "Đồng Nai", "Tây Ninh",
    "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _codes(query) -> set[str]:
    return {unit.code for unit in db.session.scalars(query)}


def _page(response) -> str:
    return response.get_data(as_text=True)


def _new_unit(client, parent: Unit, level_code: str, code: str, name: str, **flags):
    data = {"name": name, "code": code, "level_id": level(level_code).id}
    data.update({flag: "y" for flag, on in flags.items() if on})
    return client.post(f"/units/{parent.id}/new", data=data)


@pytest.fixture()
def district_level(reference) -> UnitLevel:
    """A district tier between province and grassroots, added as data only."""
    district = UnitLevel(code="district", name="Huyện", name_en="District", rank=30)
    db.session.add(district)
    db.session.commit()
    return district


# --- subtree --------------------------------------------------------------------------------

def test_subtree_is_one_sql_statement_and_returns_exactly_the_subtree(tree):
    province = tree.province_a
    query = subtree(province)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        units = db.session.scalars(query).all()
        found = {(unit.code, unit.level.code, unit.organisation.code) for unit in units}
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert len(statements) == 1, statements
    assert found == {("DOAN-LCI", "province", "DOAN"), ("DOAN-LCI-BATXAT", "grassroots", "DOAN"),
                     ("DOAN-LCI-BATXAT-CD01", "branch", "DOAN")}


def test_subtree_of_a_leaf_is_the_leaf_and_of_the_root_is_everything(tree):
    assert _codes(subtree(tree.branch_b)) == {"DOAN-AGG-PHUQUOC-CD01"}
    assert _codes(subtree(tree.central)) == set(db.session.scalars(select(Unit.code)))


def test_subtree_can_leave_out_closed_units(client, tree, admin_a):
    login(client, admin_a)
    client.post(f"/units/{tree.branch_a.id}/close", data={"reason": "Sáp nhập thôn"})
    assert _codes(subtree(tree.province_a, include_closed=False)) == {"DOAN-LCI", "DOAN-LCI-BATXAT"}
    assert "DOAN-LCI-BATXAT-CD01" in _codes(subtree(tree.province_a))


# --- create ---------------------------------------------------------------------------------

def test_admin_adds_a_branch_under_a_grassroots_unit(client, tree, admin_a):
    login(client, admin_a)
    response = _new_unit(client, tree.grassroots_a, "branch", "DOAN-LCI-BATXAT-CD02", "Chi đoàn thôn Phìn Hồ")
    unit = _unit("DOAN-LCI-BATXAT-CD02")
    assert unit is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/units/{unit.id}")
    assert unit.parent_id == tree.grassroots_a.id
    assert unit.path == f"{tree.grassroots_a.path}{unit.id}/"
    assert unit.organisation.code == "DOAN"
    assert "Đã thêm đơn vị “Chi đoàn thôn Phìn Hồ”." in _page(client.get(f"/units/{unit.id}"))
    assert unit.code in _codes(subtree(tree.province_a))


def test_a_units_page_names_its_areas_in_the_readers_language(client, tree, admin_a):
    tree.grassroots_a.is_mountainous = tree.grassroots_a.is_ethnic_minority = True  # and a border unit already
    db.session.commit()
    login(client, admin_a)
    badges = re.findall(r'<span class="badge flag">([^<]*)</span>', _page(client.get(f"/units/{tree.grassroots_a.id}")))
    assert badges == ["Miền núi", "Vùng đồng bào dân tộc thiểu số", "Biên giới"]
    client.post("/lang/en")
    badges = re.findall(r'<span class="badge flag">([^<]*)</span>', _page(client.get(f"/units/{tree.grassroots_a.id}")))
    assert badges == ["Mountainous area", "Ethnic minority area", "Border area"]


def test_new_unit_form_offers_only_lower_tiers_and_the_parents_area_flags(client, tree, admin_a):
    login(client, admin_a)
    page = _page(client.get(f"/units/{tree.grassroots_a.id}/new"))
    assert ">Chi đoàn / chi hội</option>" in page
    assert ">Tỉnh / thành phố</option>" not in page
    assert ">Cơ sở</option>" not in page
    checkboxes = re.findall(r"<input[^>]*type=\"checkbox\"[^>]*>", page)
    checked = {re.search(r'name="(\w+)"', box).group(1) for box in checkboxes if re.search(r"\bchecked\b", box)}
    # Đoàn xã Bát Xát: mountainous, ethnic-minority area, on the border; not an island.
    assert checked == {"is_mountainous", "is_ethnic_minority", "is_border"}


def test_duplicate_code_is_refused(client, tree, admin_a):
    login(client, admin_a)
    count = db.session.scalar(select(func.count()).select_from(Unit))
    response = _new_unit(client, tree.grassroots_a, "branch", "doan-lci-batxat-cd01", "Chi đoàn trùng mã")
    assert response.status_code == 200
    assert "Mã đơn vị “doan-lci-batxat-cd01” đã được dùng." in _page(response)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == count


def test_code_with_spaces_or_accents_is_refused(client, tree, admin_a):
    login(client, admin_a)
    response = _new_unit(client, tree.grassroots_a, "branch", "CĐ Bản Vai", "Chi đoàn mới")
    assert "Mã chỉ gồm chữ không dấu" in _page(response)
    assert _unit("CĐ Bản Vai") is None


def test_province_cannot_be_placed_under_a_branch(tree):
    with pytest.raises(UnitError, match="Cấp “Tỉnh / thành phố” không thể nằm dưới cấp “Chi đoàn / chi hội”"):
        create_unit(parent=tree.branch_a, level=level("province"), code="DOAN-SAI", name="Tỉnh đoàn sai chỗ")


def test_moving_a_province_under_a_branch_is_refused_with_a_vietnamese_message(client, tree, central_admin):
    login(client, central_admin)
    response = client.post(f"/units/{tree.province_a.id}/move", data={"new_parent_code": tree.branch_b.code})
    assert response.status_code == 200
    assert "Cấp “Tỉnh / thành phố” không thể nằm dưới cấp “Chi đoàn / chi hội”." in _page(response)
    assert _unit("DOAN-LCI").parent_id == tree.central.id


def test_moving_a_unit_into_its_own_subtree_is_refused(client, tree, admin_a):
    login(client, admin_a)
    response = client.post(f"/units/{tree.grassroots_a.id}/move", data={"new_parent_code": tree.branch_a.code})
    assert "Không thể chuyển một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó." in _page(response)


# --- rename ---------------------------------------------------------------------------------

def test_admin_renames_a_unit_and_search_finds_the_new_name(client, tree, admin_a):
    login(client, admin_a)
    response = client.post(f"/units/{tree.branch_a.id}/edit",
                           data={"name": "Chi đoàn thôn Bản Vai Mới", "code": "DOAN-LCI-BATXAT-BANVAI"})
    assert response.status_code == 302
    unit = db.session.get(Unit, tree.branch_a.id)
    assert (unit.name, unit.code) == ("Chi đoàn thôn Bản Vai Mới", "DOAN-LCI-BATXAT-BANVAI")
    assert "Đã lưu thay đổi." in _page(client.get(f"/units/{unit.id}"))
    assert "Chi đoàn thôn Bản Vai Mới" in _page(client.get("/units/", query_string={"q": "ban vai moi"}))


def test_rename_to_a_code_in_use_is_refused(client, tree, admin_a):
    login(client, admin_a)
    response = client.post(f"/units/{tree.branch_a.id}/edit",
                           data={"name": "Chi đoàn thôn Bản Vai", "code": tree.grassroots_a.code})
    assert f"Mã đơn vị “{tree.grassroots_a.code}” đã được dùng." in _page(response)
    assert _unit("DOAN-LCI-BATXAT-CD01") is not None


# --- tiers as data --------------------------------------------------------------------------

def test_a_district_tier_works_once_added_as_data(client, tree, admin_a, district_level):
    login(client, admin_a)
    assert ">Huyện</option>" in _page(client.get(f"/units/{tree.province_a.id}/new"))
    _new_unit(client, tree.province_a, "district", "DOAN-LCI-BATXAT-H", "Huyện đoàn Bát Xát")
    district = _unit("DOAN-LCI-BATXAT-H")
    assert district.level.name == "Huyện"

    form = _page(client.get(f"/units/{district.id}/new"))
    assert ">Cơ sở</option>" in form
    assert ">Huyện</option>" not in form and ">Tỉnh / thành phố</option>" not in form
    _new_unit(client, district, "grassroots", "DOAN-LCI-YTY", "Đoàn xã Y Tý")
    grassroots = _unit("DOAN-LCI-YTY")
    assert grassroots.path == f"{tree.province_a.path}{district.id}/{grassroots.id}/"
    assert {"DOAN-LCI-BATXAT-H", "DOAN-LCI-YTY"} <= _codes(subtree(tree.province_a))

    refused = _new_unit(client, grassroots, "district", "DOAN-LCI-SAI", "Huyện dưới xã")
    assert refused.status_code == 200
    assert _unit("DOAN-LCI-SAI") is None


# --- move -----------------------------------------------------------------------------------

def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(client, tree, admin_a, district_level):
    login(client, admin_a)
    _new_unit(client, tree.province_a, "district", "DOAN-LCI-H-BATXAT", "Huyện đoàn Bát Xát")
    district = _unit("DOAN-LCI-H-BATXAT")
    response = client.post(f"/units/{tree.grassroots_a.id}/move", data={"new_parent_code": district.code})
    assert response.status_code == 302
    assert "Đã chuyển “Đoàn xã Bát Xát” về “Huyện đoàn Bát Xát”." in _page(client.get(response.headers["Location"]))

    grassroots, branch = _unit("DOAN-LCI-BATXAT"), _unit("DOAN-LCI-BATXAT-CD01")
    assert grassroots.parent_id == district.id
    assert grassroots.path == f"{district.path}{grassroots.id}/"
    assert branch.path == f"{district.path}{grassroots.id}/{branch.id}/"
    assert _codes(subtree(district)) == {"DOAN-LCI-H-BATXAT", "DOAN-LCI-BATXAT", "DOAN-LCI-BATXAT-CD01"}


def test_moving_a_district_carries_its_grandchildren_to_the_new_province(
        client, tree, central_admin, district_level, cadre_a):
    district = create_unit(parent=tree.province_a, level=district_level, code="DOAN-LCI-H1", name="Huyện đoàn 1")
    db.session.commit()
    login(client, central_admin)
    assert client.post(f"/units/{tree.grassroots_a.id}/move",
                       data={"new_parent_code": district.code}).status_code == 302
    old_branch_path = _unit("DOAN-LCI-BATXAT-CD01").path

    response = client.post(f"/units/{district.id}/move", data={"new_parent_code": tree.province_b.code})
    assert response.status_code == 302

    district, grassroots, branch = _unit("DOAN-LCI-H1"), _unit("DOAN-LCI-BATXAT"), _unit("DOAN-LCI-BATXAT-CD01")
    province_b = _unit("DOAN-AGG")
    assert branch.path != old_branch_path
    assert branch.path == f"{province_b.path}{district.id}/{grassroots.id}/{branch.id}/"
    assert branch.parent_id == grassroots.id and grassroots.parent_id == district.id
    assert _codes(subtree(_unit("DOAN-LCI"))) == {"DOAN-LCI"}
    assert _codes(subtree(province_b)) == {"DOAN-AGG", "DOAN-AGG-PHUQUOC", "DOAN-AGG-PHUQUOC-CD01",
                                           "DOAN-LCI-H1", "DOAN-LCI-BATXAT", "DOAN-LCI-BATXAT-CD01"}
    assert db.session.get(User, cadre_a.id).unit_id == grassroots.id


# --- close and reopen -----------------------------------------------------------------------

def _close(client, unit: Unit, reason: str = "Sáp nhập theo Nghị quyết"):
    return client.post(f"/units/{unit.id}/close", data={"reason": reason})


def test_unit_with_open_children_cannot_be_closed(client, tree, admin_a):
    login(client, admin_a)
    response = _close(client, tree.grassroots_a)
    assert response.status_code == 302
    assert "Đơn vị còn 1 đơn vị trực thuộc đang hoạt động" in _page(client.get(response.headers["Location"]))
    assert _unit("DOAN-LCI-BATXAT").is_open


def test_closing_needs_a_reason(client, tree, admin_a):
    login(client, admin_a)
    _close(client, tree.branch_a, reason="")
    assert _unit("DOAN-LCI-BATXAT-CD01").is_open


def test_closed_unit_keeps_its_people_and_is_shown_as_closed(client, tree, admin_a, cadre_a):
    login(client, admin_a)
    _close(client, tree.branch_a, "Sáp nhập thôn")
    response = _close(client, tree.grassroots_a, "Sáp nhập xã")
    assert "Lịch sử của đơn vị vẫn được lưu." in _page(client.get(response.headers["Location"]))

    unit = _unit("DOAN-LCI-BATXAT")
    assert not unit.is_open
    assert unit.closed_reason == "Sáp nhập xã"
    assert db.session.get(User, cadre_a.id).unit_id == unit.id

    detail = _page(client.get(f"/units/{unit.id}"))
    assert "Đã giải thể" in detail
    assert "Sáp nhập xã" in detail
    parent = _page(client.get(f"/units/{tree.province_a.id}", query_string={"closed": "1"}))
    assert "Đoàn xã Bát Xát" in parent and "Đã giải thể" in parent
    assert "Đoàn xã Bát Xát" not in _page(client.get(f"/units/{tree.province_a.id}"))


def test_no_unit_can_be_added_under_a_closed_unit(client, tree, admin_a):
    login(client, admin_a)
    _close(client, tree.branch_a)
    _close(client, tree.grassroots_a)
    response = _new_unit(client, tree.grassroots_a, "branch", "DOAN-LCI-BATXAT-CD09", "Chi đoàn mới")
    assert "Không thể thêm đơn vị vào một đơn vị đã giải thể." in _page(response)
    assert _unit("DOAN-LCI-BATXAT-CD09") is None


def test_admin_reopens_a_closed_unit(client, tree, admin_a):
    login(client, admin_a)
    _close(client, tree.branch_a)
    response = client.post(f"/units/{tree.branch_a.id}/reopen")
    assert response.status_code == 302
    assert "Đã khôi phục hoạt động của “Chi đoàn thôn Bản Vai”." in _page(client.get(response.headers["Location"]))
    unit = _unit("DOAN-LCI-BATXAT-CD01")
    assert unit.is_open and unit.closed_reason is None


def test_unit_under_a_closed_parent_cannot_be_reopened_first(client, tree, admin_a):
    login(client, admin_a)
    _close(client, tree.branch_a)
    _close(client, tree.grassroots_a)
    response = client.post(f"/units/{tree.branch_a.id}/reopen")
    assert "Đơn vị cấp trên đã giải thể" in _page(client.get(response.headers["Location"]))
    assert not _unit("DOAN-LCI-BATXAT-CD01").is_open


# --- search ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["bat xat", "Bát Xát", "BAT XAT", "xã bát"])
def test_search_finds_a_unit_typed_with_or_without_accents(client, tree, admin_a, typed):
    login(client, admin_a)
    page = _page(client.get("/units/", query_string={"q": typed}))
    assert "Đoàn xã Bát Xát" in page
    assert "1 đơn vị khớp" in page


def test_search_finds_a_unit_by_code(client, tree, admin_a):
    login(client, admin_a)
    page = _page(client.get("/units/", query_string={"q": "batxat-cd01"}))
    assert "Chi đoàn thôn Bản Vai" in page


# --- CSV loader -----------------------------------------------------------------------------

def test_loading_the_shipped_directory_twice_changes_nothing_the_second_time(app_ctx):
    first = load_directory(ROOT / "content/units")
    assert first["organisations"] == 3
    assert first["units_created"] > 100
    second = load_directory(ROOT / "content/units")
    assert second["units_created"] == 0
    assert second["units_updated"] == 0
    assert db.session.scalar(select(func.count()).select_from(Unit)) == first["units_created"]


def test_every_province_exists_for_every_organisation(app_ctx):
    load_directory(ROOT / "content/units")
    organisations = list(db.session.scalars(select(Organisation)))
    assert {o.code for o in organisations} == {"DOAN", "HLHTN", "HSV"}
    assert len(PROVINCES) == 34
    for organisation in organisations:
        names = [name_key(unit.name) for unit in db.session.scalars(
            select(Unit).join(UnitLevel).where(Unit.organisation_id == organisation.id, UnitLevel.code == "province",
                                               Unit.is_overseas.is_(False)))]
        for province in PROVINCES:
            matching = [name for name in names if name.endswith(name_key(province))]
            assert len(matching) == 1, (organisation.code, province, matching)
        roots = list(db.session.scalars(select(Unit).where(Unit.organisation_id == organisation.id,
                                                           Unit.parent_id.is_(None))))
        assert [root.level.code for root in roots] == ["central"]


def test_loader_updates_a_renamed_unit(app_ctx, tmp_path):
    load_directory(ROOT / "content/units")
    shutil.copy(ROOT / "content/units/organisations.csv", tmp_path)
    (tmp_path / "units.csv").write_text(
        "code,parent_code,organisation,level,name,mountainous,ethnic_minority,border,island,overseas\n"
        "DOAN-HUE,DOAN-TW,DOAN,province,Thành đoàn Thành phố Huế,,,1,,\n", encoding="utf-8")
    counts = load_directory(tmp_path)
    assert (counts["units_created"], counts["units_updated"]) == (0, 1)
    assert _unit("DOAN-HUE").name == "Thành đoàn Thành phố Huế"


def _write_invalid_directory(directory: Path) -> None:
    for name in ("organisations.csv", "levels.csv"):
        shutil.copy(ROOT / "content/units" / name, directory)
    (directory / "units.csv").write_text(
        "code,parent_code,organisation,level,name,mountainous,ethnic_minority,border,island,overseas\n"
        "DOAN-TW,,DOAN,central,Trung ương Đoàn TNCS Hồ Chí Minh,,,,,\n"
        "DOAN-LCI,DOAN-TW,DOAN,province,Tỉnh đoàn Lào Cai,1,1,1,,\n"
        "DOAN-LCI-BATXAT-H,DOAN-LCI,DOAN,huyen,Huyện đoàn Bát Xát,1,1,1,,\n", encoding="utf-8")


def test_invalid_file_names_file_and_line_and_writes_nothing(app_ctx, tmp_path):
    _write_invalid_directory(tmp_path)
    with pytest.raises(LoadError) as failure:
        load_directory(tmp_path)
    assert f"{tmp_path / 'units.csv'}:4:" in str(failure.value)
    assert "huyen" in str(failure.value)
    for model in (Organisation, UnitLevel, Unit):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


def test_level_order_violation_in_a_file_names_file_and_line(app_ctx, tmp_path):
    for name in ("organisations.csv", "levels.csv"):
        shutil.copy(ROOT / "content/units" / name, tmp_path)
    (tmp_path / "units.csv").write_text(
        "code,parent_code,organisation,level,name,mountainous,ethnic_minority,border,island,overseas\n"
        "DOAN-TW,,DOAN,central,Trung ương Đoàn TNCS Hồ Chí Minh,,,,,\n"
        "DOAN-LCI,DOAN-TW,DOAN,province,Tỉnh đoàn Lào Cai,1,1,1,,\n"
        "DOAN-LCI-BATXAT,DOAN-LCI,DOAN,grassroots,Đoàn xã Bát Xát,1,1,1,,\n"
        "DOAN-LCI-BATXAT-CD01,DOAN-LCI-BATXAT,DOAN,branch,Chi đoàn thôn Bản Vai,1,1,1,,\n"
        "DOAN-SAI,DOAN-LCI-BATXAT-CD01,DOAN,province,Tỉnh đoàn sai chỗ,,,,,\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"units\.csv:6: Cấp “Tỉnh / thành phố” không thể nằm dưới cấp"):
        load_directory(tmp_path)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_load_units_command_reports_the_bad_line(app, app_ctx, tmp_path):
    _write_invalid_directory(tmp_path)
    result = app.test_cli_runner().invoke(args=["lms", "load-units", str(tmp_path)])
    assert result.exit_code != 0
    assert "units.csv:4: Không có cấp đơn vị mã “huyen” (cột level)." in result.output


def test_an_admin_cannot_move_or_close_the_unit_their_role_stands_on(client, tree, admin_a):
    login(client, admin_a)
    province = tree.province_a.id
    page = client.get(f"/units/{province}").get_data(as_text=True)
    assert "Chuyển đơn vị" not in page and "Giải thể hoặc sáp nhập" not in page
    assert "Sửa tên, mã" in page

    assert client.get(f"/units/{province}/move").status_code == 403
    assert client.post(f"/units/{province}/move", data={"new_parent_code": "DOAN-LCI-BATXAT"}).status_code == 403
    assert client.post(f"/units/{province}/close", data={"reason": "Sáp nhập"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, province).is_open


def test_an_admin_may_move_and_close_units_below_their_own(client, tree, admin_a):
    login(client, admin_a)
    page = client.get(f"/units/{tree.branch_a.id}").get_data(as_text=True)
    assert "Chuyển đơn vị" in page and "Giải thể hoặc sáp nhập" in page
