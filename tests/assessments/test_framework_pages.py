"""The competency framework pages: every signed-in person reads the published versions; the central
office starts a new version as a draft copied from the latest, edits it (title and summary, a
competency's behaviours, the expectations grid, a unit indicator), publishes it, or deletes it.
Published versions never change; nobody but the central office edits anything."""
from datetime import date

import pytest
from sqlalchemy import select

from lms.assessments.framework_editing import framework_data
from lms.assessments.models import (
    BY_LEVEL, BY_ROLE, DRAFT, PUBLISHED, Campaign, Competency, Domain, Expectation, Framework, UnitIndicator)
from lms.auth.permissions import Role
from lms.db import db
from lms.i18n import local_date
from tests.conftest import content, count, sign_in_as, text


def reread(framework_id: int) -> Framework:
    db.session.expire_all()
    return db.session.get(Framework, framework_id)


def competency(framework: Framework, code: str) -> Competency:
    return next(c for c in framework.competencies if c.code == code)


def indicator(framework: Framework, code: str) -> UnitIndicator:
    return next(i for i in framework.unit_indicators if i.code == code)


def expectations(framework: Framework) -> set[tuple]:
    return {(e.kind, e.key, e.competency_code, e.level) for e in framework.expectations}


def start(client) -> Framework:
    """As the central admin signed in: start a draft and return it."""
    response = client.post("/assessments/framework/new")
    assert response.status_code == 302
    return db.session.scalar(select(Framework).where(Framework.status == DRAFT))


@pytest.fixture()
def draft(client, framework, central_admin) -> Framework:
    sign_in_as(client, central_admin)
    return start(client)


def grid_form(framework: Framework, levels=("central", "province", "grassroots", "branch")) -> dict:
    """The expectations form filled with the version's current values."""
    table = {(e.kind, e.key, e.competency_code): e.level for e in framework.expectations}
    from lms.people.models import VOLUNTEER_ROLES
    data = {}
    for j, c in enumerate(framework.competencies):
        for i, level in enumerate(levels):
            data[f"lv_{i}_{j}"] = str(table.get((BY_LEVEL, level, c.code), ""))
        for i, role in enumerate(VOLUNTEER_ROLES):
            data[f"role_{i}_{j}"] = str(table.get((BY_ROLE, role, c.code), ""))
    return data


def competency_form(c: Competency, **changes) -> dict:
    data = {"title": c.title, "description": c.description,
            **{f"level_{level}": "\n".join(c.indicators[str(level)]) for level in (1, 2, 3, 4)}}
    data.update(changes)
    return data


# --- Reading --------------------------------------------------------------------------------------

def test_a_cadre_reads_the_published_versions(client, framework, cadre_a):
    db.session.add(Campaign(title="Đánh giá năm 2026", framework_id=framework.id, unit_id=cadre_a.unit_id,
                            opens_on=date(2026, 3, 1), due_on=date(2026, 4, 30), created_by_id=cadre_a.id))
    db.session.commit()
    sign_in_as(client, cadre_a)
    page = content(client.get("/assessments/framework"))
    assert "Phiên bản 1" in page and "Khung năng lực thử" in page and "Đã ban hành" in page
    assert f"{local_date(framework.published_at):%d/%m/%Y}" in page  # the day where the users are
    assert 'data-label="Số đợt đánh giá dùng" class="num">1<' in page
    assert "Tạo phiên bản mới" not in page


def test_the_detail_shows_the_whole_framework(client, framework, cadre_a):
    sign_in_as(client, cadre_a)
    response = client.get(f"/assessments/framework/{framework.id}")
    assert response.status_code == 200
    page = content(response)
    # The proficiency levels.
    assert "Mức 4 · Dẫn dắt" in page and "Hướng dẫn người khác và xây dựng mô hình." in page
    # Domains, competencies with their descriptions and the behaviours of each level.
    assert "D1. Tổ chức hoạt động" in page and "D2. An toàn và tập huấn" in page
    assert "Khảo sát nhu cầu và lập kế hoạch" in page
    assert "Lập kế hoạch hoạt động tình nguyện từ nhu cầu thực tế." in page
    assert "Lập được kế hoạch năm của đơn vị." in page and "Đào tạo tập huấn viên." in page
    # The expectations grid: unit levels by their names, then the volunteer roles, "—" where none.
    for heading in ("Trung ương", "Tỉnh / thành phố", "Cơ sở", "Chi đoàn / chi hội", "Điều phối viên tình nguyện",
                    "Bí thư, chủ tịch hội (lãnh đạo đơn vị)", "Đội trưởng đội hình, chủ nhiệm câu lạc bộ"):
        assert heading in page
    assert 'data-label="Điều phối viên tình nguyện">3<' in page
    assert 'data-label="Điều phối viên tình nguyện">—<' in page
    # The unit indicators.
    assert "Tỉ lệ cán bộ hoàn thành khóa học cốt lõi" in page and "Tính từ dữ liệu trên hệ thống" in page
    assert "Tỉnh / thành phố: ≥ 70%" in page and "Cơ sở: ≥ 50%" in page and "Tỉnh / thành phố: ≥ 2 người" in page
    assert "Có điều phối viên tình nguyện được phân công bằng văn bản" in page and "Đơn vị tự khai" in page
    assert "Tỉnh / thành phố: Có" in page and "Bắt buộc" in page
    assert "Trả lời bằng lời" in page
    # A published version offers nothing to edit.
    assert "Sửa năng lực" not in page and "Ban hành" not in page.replace("Đã ban hành", "")


def test_the_summary_is_rendered_as_sanitised_markdown(client, draft):
    client.post(f"/assessments/framework/{draft.id}/edit",
                data={"title": "Khung năng lực 2027", "summary": "Dùng cho **mọi cấp**.\n\n<script>alert(1)</script>"})
    page = content(client.get(f"/assessments/framework/{draft.id}"))
    assert "<strong>mọi cấp</strong>" in page
    assert "<script>" not in page


def test_a_missing_version_is_not_found(client, framework, cadre_a):
    sign_in_as(client, cadre_a)
    assert client.get("/assessments/framework/999").status_code == 404


def test_the_pages_need_signing_in(client, framework):
    assert client.get("/assessments/framework").status_code == 302
    assert client.get(f"/assessments/framework/{framework.id}").status_code == 302


# --- Who may do what ------------------------------------------------------------------------------

def test_drafts_are_hidden_from_everyone_but_the_central_office(client, draft, cadre_a, admin_a):
    assert draft.version == 2
    for user in (cadre_a, admin_a):
        sign_in_as(client, user)
        listing = content(client.get("/assessments/framework"))
        assert "Phiên bản 1" in listing and "Phiên bản 2" not in listing and "Bản nháp" not in listing
        assert client.get(f"/assessments/framework/{draft.id}").status_code == 404


def test_nobody_but_the_central_office_starts_or_edits_a_version(client, draft, framework, cadre_a, admin_a,
                                                                  make_user, tree):
    # A central administrator's role held over a province does not keep the national framework.
    province_central = make_user(tree.province_a, "Đỗ Văn Khoa", roles=[(Role.CENTRAL_ADMIN, tree.province_a)])
    plan = competency(draft, "PLAN")
    core = indicator(draft, "core-course")
    before = framework_data(draft)
    urls = [
        ("post", "/assessments/framework/new", {}),
        ("get", f"/assessments/framework/{draft.id}/edit", None),
        ("post", f"/assessments/framework/{draft.id}/edit", {"title": "Đổi tên", "summary": ""}),
        ("get", f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit", None),
        ("post", f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit",
         competency_form(plan, title="Đổi tên")),
        ("get", f"/assessments/framework/{draft.id}/expectations", None),
        ("post", f"/assessments/framework/{draft.id}/expectations", grid_form(draft)),
        ("get", f"/assessments/framework/{draft.id}/indicators/{core.id}/edit", None),
        ("post", f"/assessments/framework/{draft.id}/indicators/{core.id}/edit", {"title": "Đổi tên"}),
        ("get", f"/assessments/framework/{draft.id}/publish", None),
        ("post", f"/assessments/framework/{draft.id}/publish", {}),
        ("post", f"/assessments/framework/{draft.id}/delete", {}),
        ("post", f"/assessments/framework/{framework.id}/edit", {"title": "Đổi tên", "summary": ""}),
    ]
    for user in (cadre_a, admin_a, province_central):
        sign_in_as(client, user)
        for method, url, data in urls:
            response = client.post(url, data=data) if method == "post" else client.get(url)
            assert response.status_code == 403, (user.full_name, method, url)
    assert count(Framework) == 2
    assert framework_data(reread(draft.id)) == before
    assert reread(framework.id).title == "Khung năng lực thử"


# --- Starting a new version -----------------------------------------------------------------------

def test_a_new_version_is_a_draft_copy_of_the_latest(client, framework, central_admin):
    sign_in_as(client, central_admin)
    listing = content(client.get("/assessments/framework"))
    assert "Tạo phiên bản mới" in listing
    response = client.post("/assessments/framework/new", follow_redirects=True)
    assert "Đã tạo bản nháp phiên bản 2" in text(response)

    draft = db.session.scalar(select(Framework).where(Framework.version == 2))
    assert draft.status == DRAFT and draft.published_at is None and not draft.from_file
    assert draft.created_by_id == central_admin.id
    original, copy = framework_data(reread(framework.id)), framework_data(draft)
    original.version = copy.version = 0
    original.digest = copy.digest = ""
    assert copy == original
    assert count(Competency) == 8 and count(Domain) == 4 and count(UnitIndicator) == 14
    assert count(Expectation) == 2 * 18
    # The copy is separate rows, so editing it leaves version 1 alone.
    assert not {c.id for c in draft.competencies} & {c.id for c in reread(framework.id).competencies}

    listing = content(client.get("/assessments/framework"))
    assert "Phiên bản 2" in listing and "Bản nháp" in listing
    assert "Tiếp tục sửa bản nháp phiên bản 2" in listing and "Tạo phiên bản mới" not in listing
    page = content(client.get(f"/assessments/framework/{draft.id}"))
    assert "Sửa năng lực" in page and "Sửa mức yêu cầu" in page and "Ban hành" in page


def test_a_second_draft_is_refused(client, draft):
    response = client.post("/assessments/framework/new", follow_redirects=True)
    assert "Đang có bản nháp phiên bản 2" in text(response)
    assert count(Framework) == 2


def test_with_no_version_at_all_there_is_nothing_to_copy(client, tree, central_admin):
    sign_in_as(client, central_admin)
    response = client.post("/assessments/framework/new", follow_redirects=True)
    assert "Chưa có khung năng lực nào để sao chép" in text(response)
    assert count(Framework) == 0


def test_starting_a_draft_needs_the_form_token(client, app, framework, central_admin):
    sign_in_as(client, central_admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/assessments/framework/new").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(Framework) == 1


# --- Editing the draft ----------------------------------------------------------------------------

def test_editing_the_title_and_summary(client, draft):
    page = content(client.get(f"/assessments/framework/{draft.id}/edit"))
    assert 'value="Khung năng lực thử"' in page
    response = client.post(f"/assessments/framework/{draft.id}/edit",
                           data={"title": "  Khung năng lực 2027  ", "summary": "Giới thiệu mới."})
    assert response.status_code == 302
    assert (reread(draft.id).title, reread(draft.id).summary) == ("Khung năng lực 2027", "Giới thiệu mới.")

    response = client.post(f"/assessments/framework/{draft.id}/edit", data={"title": "  ", "summary": "Khác."})
    assert response.status_code == 200 and "Hãy nhập tên khung năng lực." in text(response)
    response = client.post(f"/assessments/framework/{draft.id}/edit", data={"title": "T" * 201, "summary": ""})
    assert "Tên khung năng lực tối đa 200 ký tự." in text(response)
    assert reread(draft.id).summary == "Giới thiệu mới."


def test_editing_a_competency(client, draft):
    plan = competency(draft, "PLAN")
    page = content(client.get(f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit"))
    assert "Mức 3 · Thành thạo" in page and "Lập được kế hoạch năm của đơn vị." in page

    response = client.post(f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit", data=competency_form(
        plan, title="Lập kế hoạch tình nguyện", description="Mô tả mới.",
        level_2="- Lập được kế hoạch một hoạt động nhỏ.\r\n\r\n• Dự trù được kinh phí.\r\n"))
    assert response.status_code == 302
    saved = competency(reread(draft.id), "PLAN")
    assert saved.title == "Lập kế hoạch tình nguyện" and saved.description == "Mô tả mới."
    assert saved.indicators["2"] == ["Lập được kế hoạch một hoạt động nhỏ.", "Dự trù được kinh phí."]
    assert saved.indicators["4"] == ["Hướng dẫn cấp dưới lập kế hoạch."]
    # The published version it was copied from keeps its own text.
    published = db.session.scalar(select(Framework).where(Framework.version == 1))
    assert competency(published, "PLAN").indicators["2"] == ["Lập được kế hoạch một hoạt động nhỏ."]


def test_a_level_without_behaviours_is_refused_and_nothing_changes(client, draft):
    plan = competency(draft, "PLAN")
    before = dict(plan.indicators)
    response = client.post(f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit",
                           data=competency_form(plan, title="Tên mới", level_1="Kể được.", level_3=" \n \n"))
    assert response.status_code == 200
    page = text(response)
    assert "Mức 3 (Thành thạo) cần ít nhất một biểu hiện." in page
    assert "Kể được." in page  # what was typed is kept
    saved = competency(reread(draft.id), "PLAN")
    assert saved.indicators == before and saved.title == "Khảo sát nhu cầu và lập kế hoạch"


def test_competency_limits_follow_the_file_format(client, draft):
    plan = competency(draft, "PLAN")
    url = f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit"
    response = client.post(url, data=competency_form(plan, level_4="Ngắn.\n" + "x" * 501))
    assert "Mức 4, biểu hiện thứ 2 dài 501 ký tự; mỗi biểu hiện tối đa 500 ký tự." in text(response)
    response = client.post(url, data=competency_form(plan, title=""))
    assert "Hãy nhập tên năng lực." in text(response)
    response = client.post(url, data=competency_form(plan, description="d" * 2001))
    assert "Phần mô tả tối đa 2000 ký tự." in text(response)
    assert competency(reread(draft.id), "PLAN").indicators == plan.indicators


def test_a_competency_of_another_version_is_not_found(client, draft, framework):
    other = competency(framework, "PLAN")
    assert client.get(f"/assessments/framework/{draft.id}/competencies/{other.id}/edit").status_code == 404
    assert client.get(f"/assessments/framework/{draft.id}/indicators/999/edit").status_code == 404


def test_editing_the_expectations_grid(client, draft):
    page = content(client.get(f"/assessments/framework/{draft.id}/expectations"))
    assert "Cơ sở" in page and "Điều phối viên tình nguyện" in page
    data = grid_form(draft)
    codes = [c.code for c in draft.competencies]
    plan, team = codes.index("PLAN"), codes.index("TEAM")
    data[f"lv_2_{plan}"] = "3"          # grassroots PLAN 2 → 3
    data[f"role_1_{plan}"] = ""         # the coordinator no longer raises PLAN
    data[f"role_1_{team}"] = "4"        # … but raises TEAM
    data[f"role_2_{team}"] = "3"        # and team leaders TEAM
    response = client.post(f"/assessments/framework/{draft.id}/expectations", data=data)
    assert response.status_code == 302
    saved = expectations(reread(draft.id))
    assert (BY_LEVEL, "grassroots", "PLAN", 3) in saved and (BY_LEVEL, "grassroots", "PLAN", 2) not in saved
    assert {e for e in saved if e[0] == BY_ROLE} == {
        (BY_ROLE, "coordinator", "SAFE", 3), (BY_ROLE, "coordinator", "TEAM", 4), (BY_ROLE, "team_leader", "TEAM", 3)}
    assert len(saved) == 16 + 3


def test_a_unit_level_must_be_set_for_every_competency_or_none(client, draft):
    before = expectations(draft)
    data = grid_form(draft)
    data["lv_3_1"] = ""  # branch, TEAM
    response = client.post(f"/assessments/framework/{draft.id}/expectations", data=data)
    assert response.status_code == 200
    assert "Cấp Chi đoàn / chi hội: hãy chọn mức yêu cầu cho mọi năng lực (còn thiếu TEAM)" in text(response)
    assert expectations(reread(draft.id)) == before

    data = grid_form(draft)
    data["lv_0_0"] = "7"
    response = client.post(f"/assessments/framework/{draft.id}/expectations", data=data)
    assert "Hãy chọn một mục trong danh sách." in text(response)
    assert expectations(reread(draft.id)) == before

    # Leaving a whole level empty removes what is expected at that level.
    data = grid_form(draft)
    for j in range(4):
        data[f"lv_3_{j}"] = ""
    assert client.post(f"/assessments/framework/{draft.id}/expectations", data=data).status_code == 302
    assert not any(e[1] == "branch" for e in expectations(reread(draft.id)))


def test_at_least_one_unit_level_keeps_its_expectations(client, draft):
    data = {name: "" for name in grid_form(draft)}
    response = client.post(f"/assessments/framework/{draft.id}/expectations", data=data)
    assert "Hãy đặt mức yêu cầu cho ít nhất một cấp đơn vị." in text(response)
    assert len(expectations(reread(draft.id))) == 18


def test_editing_a_number_indicator(client, draft):
    core = indicator(draft, "core-course")
    page = content(client.get(f"/assessments/framework/{draft.id}/indicators/{core.id}/edit"))
    assert 'value="70"' in page and "Đánh giá cấp Cơ sở" in page
    response = client.post(f"/assessments/framework/{draft.id}/indicators/{core.id}/edit", data={
        "title": "Tỉ lệ hoàn thành khóa học cốt lõi", "description": "Tính trên cán bộ đang hoạt động.",
        "assessed_1": "y", "target_1": "75,5", "assessed_2": "y", "target_2": "", "target_3": "40",
        "evidence_required": "y"})
    assert response.status_code == 302
    saved = indicator(reread(draft.id), "core-course")
    assert saved.title == "Tỉ lệ hoàn thành khóa học cốt lõi" and saved.description == "Tính trên cán bộ đang hoạt động."
    assert saved.targets == {"province": 75.5, "grassroots": None}  # branch not ticked: not assessed
    assert saved.evidence_required
    page = content(client.get(f"/assessments/framework/{draft.id}"))
    assert "Tỉnh / thành phố: ≥ 75,5%" in page and "Cơ sở: Ghi nhận, không đặt mức" in page


def test_indicator_targets_are_checked(client, draft):
    core = indicator(draft, "core-course")
    url = f"/assessments/framework/{draft.id}/indicators/{core.id}/edit"
    form = {"title": core.title, "assessed_1": "y"}
    response = client.post(url, data={**form, "target_1": "nhiều"})
    assert "Mức cần đạt phải là một số, ví dụ 70 hoặc 2,5." in text(response)
    response = client.post(url, data={**form, "target_1": "120"})
    assert "Mức cần đạt là một tỉ lệ phần trăm, không quá 100." in text(response)
    response = client.post(url, data={**form, "target_1": "-5"})
    assert "Mức cần đạt phải là một số từ 0 đến" in text(response)
    response = client.post(url, data={"title": core.title, "target_1": "50"})
    assert "Hãy chọn ít nhất một cấp đơn vị được đánh giá theo chỉ số này." in text(response)
    response = client.post(url, data={**form, "title": "", "target_1": "50"})
    assert "Hãy nhập tên chỉ số." in text(response)
    assert indicator(reread(draft.id), "core-course").targets == {"province": 70, "grassroots": 50}


def test_a_yes_no_indicator_expects_yes_where_assessed(client, draft):
    coordinator = indicator(draft, "coordinator")
    response = client.post(f"/assessments/framework/{draft.id}/indicators/{coordinator.id}/edit", data={
        "title": coordinator.title, "assessed_2": "y", "assessed_3": "y", "target_2": "không dùng"})
    assert response.status_code == 302
    saved = indicator(reread(draft.id), "coordinator")
    assert saved.targets == {"grassroots": True, "branch": True} and not saved.evidence_required


# --- Publishing and deleting ----------------------------------------------------------------------

def test_publishing_makes_the_draft_read_only(client, draft, cadre_a, central_admin):
    page = content(client.get(f"/assessments/framework/{draft.id}/publish"))
    assert "Sau khi ban hành, phiên bản này không thể sửa hay xóa." in page
    response = client.post(f"/assessments/framework/{draft.id}/publish", follow_redirects=True)
    assert "Đã ban hành phiên bản 2" in text(response)
    published = reread(draft.id)
    assert published.status == PUBLISHED and published.published_at is not None
    before = framework_data(published)

    # Every edit is now refused with a message, and changes nothing.
    plan, core = competency(published, "PLAN"), indicator(published, "core-course")
    attempts = [
        (f"/assessments/framework/{draft.id}/edit", {"title": "Đổi tên", "summary": ""}),
        (f"/assessments/framework/{draft.id}/competencies/{plan.id}/edit", competency_form(plan, title="Đổi")),
        (f"/assessments/framework/{draft.id}/expectations", {**grid_form(published), "lv_0_0": "1"}),
        (f"/assessments/framework/{draft.id}/indicators/{core.id}/edit", {"title": "Đổi", "assessed_0": "y"}),
        (f"/assessments/framework/{draft.id}/publish", {}),
        (f"/assessments/framework/{draft.id}/delete", {}),
    ]
    for url, data in attempts:
        assert client.get(url).status_code in (302, 405), url
        response = client.post(url, data=data, follow_redirects=True)
        assert "Phiên bản 2 đã ban hành nên không thể sửa." in text(response), url
    assert framework_data(reread(draft.id)) == before

    page = content(client.get(f"/assessments/framework/{draft.id}"))
    assert "Sửa năng lực" not in page and "Xóa bản nháp" not in page
    # Everyone reads it now, and a new version can be started from it.
    sign_in_as(client, cadre_a)
    assert client.get(f"/assessments/framework/{draft.id}").status_code == 200
    sign_in_as(client, central_admin)
    assert start(client).version == 3


def test_the_first_imported_version_cannot_be_edited(client, framework, central_admin):
    sign_in_as(client, central_admin)
    response = client.get(f"/assessments/framework/{framework.id}/edit", follow_redirects=True)
    assert "Phiên bản 1 đã ban hành nên không thể sửa. Muốn thay đổi, hãy tạo phiên bản mới." in text(response)
    client.post(f"/assessments/framework/{framework.id}/edit", data={"title": "Đổi", "summary": ""})
    assert reread(framework.id).title == "Khung năng lực thử"


def test_a_draft_with_a_gap_is_not_published(client, draft):
    # A draft left incomplete by some other path is caught before publishing.
    plan = competency(draft, "PLAN")
    plan.indicators = {**plan.indicators, "3": []}
    db.session.commit()
    page = content(client.get(f"/assessments/framework/{draft.id}/publish"))
    assert "Năng lực PLAN chưa có biểu hiện cho mức 3." in page and "Xác nhận ban hành" not in page
    response = client.post(f"/assessments/framework/{draft.id}/publish", follow_redirects=True)
    assert "Chưa thể ban hành" in text(response)
    assert reread(draft.id).status == DRAFT


def test_deleting_a_draft(client, draft, framework):
    response = client.post(f"/assessments/framework/{draft.id}/delete", follow_redirects=True)
    assert "Đã xóa bản nháp phiên bản 2." in text(response)
    assert db.session.scalars(select(Framework.version)).all() == [1]
    assert count(Competency) == 4 and count(Domain) == 2 and count(UnitIndicator) == 7 and count(Expectation) == 18
    # A new draft takes number 2 again.
    assert start(client).version == 2


def test_a_draft_some_campaign_uses_is_not_deleted(client, draft, central_admin):
    db.session.add(Campaign(title="Thử", framework_id=draft.id, unit_id=central_admin.unit_id,
                            opens_on=date(2026, 3, 1), due_on=date(2026, 4, 30), created_by_id=central_admin.id))
    db.session.commit()
    response = client.post(f"/assessments/framework/{draft.id}/delete", follow_redirects=True)
    assert "Đã có đợt đánh giá dùng bản nháp này nên không thể xóa." in text(response)
    assert count(Framework) == 2
