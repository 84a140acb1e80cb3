"""Assessment campaigns: a draft's settings and their checks, launching with its snapshot of participants and
assessed units, refused launches, fixed settings once launched, closing, the list each person sees, and the
helpers other assessment pages use."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.actions import RuleError
from lms.assessments import campaigns
from lms.assessments.models import (CAMPAIGN_CLOSED, CAMPAIGN_DRAFT, CAMPAIGN_OPEN, DRAFT, KNOWLEDGE, NOT_STARTED,
                                    SELF, SUPERVISOR, Campaign, Participant, UnitAssessment)
from lms.auth.permissions import Role
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.orgs.services import create_unit
from tests.conftest import content, count, level, sign_in_as, text


def day(offset: int = 0) -> date:
    return local_today() + timedelta(days=offset)


def form_data(unit, framework, **fields) -> dict:
    data = {"title": "Đánh giá năng lực 2026", "description": "Đợt đánh giá **thường niên**.",
            "unit_id": str(unit.id), "framework_id": str(framework.id),
            "target_levels": ["province", "grassroots"], "target_roles": [],
            "instruments": [SELF, SUPERVISOR, KNOWLEDGE], "assess_units": "y",
            "opens_on": day().isoformat(), "due_on": day(30).isoformat()}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def new_campaign(creator, unit, framework, **fields) -> Campaign:
    values = {"title": "Đánh giá năng lực 2026", "description": "", "unit": unit, "framework": framework,
              "target_levels": ["province", "grassroots"], "target_roles": [],
              "instruments": [SELF, SUPERVISOR, KNOWLEDGE], "assess_units": True,
              "opens_on": day(), "due_on": day(30)}
    values.update(fields)
    campaign = campaigns.create_campaign(creator, values)
    db.session.commit()
    return campaign


def latest_campaign() -> Campaign | None:
    db.session.expire_all()
    return db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))


def participants_of(campaign) -> dict[int, Participant]:
    db.session.expire_all()
    return {p.user_id: p for p in db.session.scalars(select(Participant).where(Participant.campaign_id == campaign.id))}


@pytest.fixture()
def people(tree, make_user):
    """Cadres across the tree, with a dissolved grassroots unit and an inactive account in province A."""
    closed = create_unit(parent=tree.province_a, level=level("grassroots"), code="DOAN-LCI-CU",
                         name="Đoàn xã Cũ")
    closed.closed_at = utcnow()
    db.session.commit()
    return {
        "tw": make_user(tree.central, "Đỗ Minh Trung", email="tw@example.org"),
        "pa": make_user(tree.province_a, "Lò Thị Tỉnh", email="pa@example.org", volunteer_role="secretary"),
        "ga": make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="hoa@example.org", volunteer_role="coordinator"),
        "ga2": make_user(tree.grassroots_a, "Giàng A Páo", email="pao@example.org"),
        "ba": make_user(tree.branch_a, "Lò Văn An", email="an@example.org", volunteer_role="coordinator"),
        "off": make_user(tree.grassroots_a, "Hà Văn Nghỉ", email="nghi@example.org", is_active=False),
        "old": make_user(closed, "Vàng Văn Cũ", email="cu@example.org"),
        "gb": make_user(tree.grassroots_b, "Võ Thị Trâm", email="tram@example.org", volunteer_role="team_leader"),
        "closed_unit": closed,
    }


# --- Creating and editing a draft -----------------------------------------------------------------

def test_central_admin_opens_the_form_with_sensible_defaults(client, central_admin, framework):
    sign_in_as(client, central_admin)
    page = text(client.get("/assessments/campaigns/new"))
    assert "Tạo đợt đánh giá" in page
    assert "Trung ương Đoàn TNCS Hồ Chí Minh (DOAN-TW)" in page
    assert "Phiên bản 1: Khung năng lực thử" in page
    assert "Kèm đánh giá năng lực đơn vị" in page
    assert "Điều phối viên tình nguyện" in page and "Tự đánh giá" in page
    assert f'value="{day().isoformat()}"' in page


def test_central_admin_creates_a_draft(client, central_admin, framework, tree):
    sign_in_as(client, central_admin)
    response = client.post("/assessments/campaigns/new", data=form_data(tree.central, framework,
                                                                        target_roles=["coordinator"]))
    campaign = latest_campaign()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/campaigns/{campaign.id}")
    assert campaign.status == CAMPAIGN_DRAFT and campaign.unit_id == tree.central.id
    assert campaign.title == "Đánh giá năng lực 2026"
    assert campaign.target_levels == ["province", "grassroots"] and campaign.target_roles == ["coordinator"]
    assert campaign.instruments == [SELF, SUPERVISOR, KNOWLEDGE] and campaign.assess_units
    assert campaign.framework_id == framework.id and campaign.created_by_id == central_admin.id
    page = text(client.get(response.headers["Location"]))
    assert "Đã tạo đợt đánh giá “Đánh giá năng lực 2026” ở dạng bản nháp" in page
    assert "<strong>thường niên</strong>" in page
    assert "Phát động đợt đánh giá" in page


@pytest.mark.parametrize("fields, message", [
    (lambda: {"title": "  "}, "Hãy nhập tên đợt đánh giá, ví dụ “Đánh giá năng lực 2026”."),
    (lambda: {"target_levels": []}, "Hãy chọn ít nhất một cấp đơn vị được đánh giá."),
    (lambda: {"instruments": []}, "Hãy chọn ít nhất một công cụ đánh giá."),
    (lambda: {"opens_on": day(10).isoformat(), "due_on": day(5).isoformat()},
     "Hạn hoàn thành phải từ ngày bắt đầu trở đi."),
    (lambda: {"opens_on": day(-30).isoformat(), "due_on": day(-1).isoformat()},
     "Hạn hoàn thành đã qua; hãy chọn một ngày từ hôm nay trở đi."),
    (lambda: {"due_on": "31/02/2026"}, "Hạn hoàn thành: tháng 2 năm 2026 có 28 ngày, không có ngày 31."),
    (lambda: {"due_on": "hai tuần nữa"}, "Ngày không đúng dạng ngày/tháng/năm, ví dụ 25/03/2026."),
    (lambda: {"due_on": ""}, "Hãy chọn hạn hoàn thành."),
    (lambda: {"instruments": ["magic"]}, "Hãy chọn các mục trong danh sách."),
    (lambda: {"target_roles": ["boss"]}, "Hãy chọn các mục trong danh sách."),
    (lambda: {"instruments": ["trainer"]}, "hãy chọn thêm tự đánh giá, đánh giá của cấp trên hoặc bài"),
], ids=["title", "levels", "instruments", "due-before-start", "due-past", "no-such-day", "bad-date", "no-due",
        "bad-instrument", "bad-role", "rubric-alone"])
def test_bad_settings_are_refused_with_a_clear_message(client, central_admin, framework, tree, fields, message):
    sign_in_as(client, central_admin)
    response = client.post("/assessments/campaigns/new", data=form_data(tree.central, framework, **fields()))
    assert response.status_code == 200
    assert message in text(response)
    assert count(Campaign) == 0


def test_typed_values_stay_in_the_form_after_a_mistake(client, central_admin, framework, tree):
    sign_in_as(client, central_admin)
    response = client.post("/assessments/campaigns/new", data=form_data(
        tree.central, framework, title="Đánh giá giữa kỳ", description="Ghi chú riêng", instruments=[]))
    page = text(response)
    assert 'value="Đánh giá giữa kỳ"' in page and "Ghi chú riêng" in page


def test_province_admin_cannot_target_a_level_above_the_province(client, admin_a, framework, tree):
    sign_in_as(client, admin_a)
    page = text(client.get("/assessments/campaigns/new"))
    assert "Tỉnh đoàn Lào Cai (DOAN-LCI)" in page and "DOAN-TW" not in page
    assert 'value="central"' not in page
    # Sent anyway: the rule holds on the server too.
    with pytest.raises(campaigns.CampaignRefused) as refused:
        campaigns.check_campaign(admin_a, campaigns.CampaignInput(
            "Đợt thử", "", tree.province_a.id, framework.id, ["central", "province"], [], [SELF], True, day(), day(9)))
    assert refused.value.errors["target_levels"] == [
        "Chỉ chọn được cấp của đơn vị phát động (Tỉnh / thành phố) và các cấp dưới."]


def test_province_admin_cannot_launch_from_the_central_office(client, admin_a, framework, tree):
    sign_in_as(client, admin_a)
    response = client.post("/assessments/campaigns/new", data=form_data(tree.central, framework))
    assert response.status_code == 200
    assert "Hãy chọn một mục trong danh sách." in text(response)
    assert count(Campaign) == 0
    with pytest.raises(campaigns.CampaignRefused) as refused:
        campaigns.check_campaign(admin_a, campaigns.CampaignInput(
            "Đợt thử", "", tree.province_b.id, framework.id, ["grassroots"], [], [SELF], True, day(), day(9)))
    assert "Hãy chọn đơn vị phát động trong phạm vi bạn quản lý." in refused.value.errors["unit_id"]


def test_a_framework_that_is_not_published_cannot_be_chosen(app_ctx, central_admin, framework, tree):
    framework.status = DRAFT
    db.session.commit()
    with pytest.raises(campaigns.CampaignRefused) as refused:
        campaigns.check_campaign(central_admin, campaigns.CampaignInput(
            "Đợt thử", "", tree.central.id, framework.id, ["province"], [], [SELF], True, day(), day(9)))
    assert refused.value.errors["framework_id"] == ["Hãy chọn một phiên bản khung năng lực đã ban hành."]


def test_cadre_without_a_role_cannot_create_or_list_campaigns(client, cadre_a, framework):
    sign_in_as(client, cadre_a)
    assert client.get("/assessments/campaigns/new").status_code == 403
    assert client.get("/assessments/campaigns").status_code == 403


def test_draft_is_edited_and_saved(client, central_admin, framework, tree):
    campaign = new_campaign(central_admin, tree.central, framework)
    sign_in_as(client, central_admin)
    page = text(client.get(f"/assessments/campaigns/{campaign.id}/edit"))
    assert 'value="Đánh giá năng lực 2026"' in page
    response = client.post(f"/assessments/campaigns/{campaign.id}/edit", data=form_data(
        tree.central, framework, title="Đánh giá năng lực cán bộ 2026", target_levels=["branch"], instruments=[SELF]))
    assert response.status_code == 302
    campaign = latest_campaign()
    assert campaign.title == "Đánh giá năng lực cán bộ 2026"
    assert campaign.target_levels == ["branch"] and campaign.instruments == [SELF]


def test_launched_campaign_settings_are_fixed(client, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework)
    campaigns.launch_campaign(campaign)
    db.session.commit()
    sign_in_as(client, central_admin)
    response = client.get(f"/assessments/campaigns/{campaign.id}/edit")
    assert response.status_code == 302
    message = "Đợt đánh giá đã phát động nên các thiết lập được giữ cố định, không sửa được nữa."
    assert message in text(client.get(response.headers["Location"]))
    client.post(f"/assessments/campaigns/{campaign.id}/edit", data=form_data(tree.central, framework, title="Đổi tên"))
    assert latest_campaign().title == "Đánh giá năng lực 2026"
    with pytest.raises(RuleError, match="giữ cố định"):
        campaigns.update_campaign(campaign, {"title": "Đổi tên"})
    db.session.rollback()


def test_another_province_cannot_edit_launch_or_close_a_draft(client, admin_a, admin_b, framework, tree, people):
    campaign = new_campaign(admin_a, tree.province_a, framework)
    sign_in_as(client, admin_b)
    assert client.get(f"/assessments/campaigns/{campaign.id}/edit").status_code == 403
    assert client.post(f"/assessments/campaigns/{campaign.id}/launch").status_code == 403
    assert client.post(f"/assessments/campaigns/{campaign.id}/close").status_code == 403
    assert client.get(f"/assessments/campaigns/{campaign.id}").status_code == 403
    assert client.get("/assessments/campaigns/999999/edit").status_code == 404
    assert latest_campaign().status == CAMPAIGN_DRAFT and count(Participant) == 0


# --- Launching ------------------------------------------------------------------------------------

def test_launch_assesses_exactly_the_targeted_cadres_with_their_snapshot(
        app_ctx, central_admin, admin_a, admin_b, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework)
    counts = campaigns.launch_campaign(campaign)
    db.session.commit()
    found = participants_of(campaign)
    # Province and grassroots levels; the inactive account and the dissolved unit are left out, and so are
    # the central office and the branches.
    expected_users = {people["pa"].id, people["ga"].id, people["ga2"].id, people["gb"].id, admin_a.id, admin_b.id}
    assert set(found) == expected_users
    assert counts.participants == 6
    hoa = found[people["ga"].id]
    assert (hoa.unit_id, hoa.level_code, hoa.volunteer_role) == (tree.grassroots_a.id, "grassroots", "coordinator")
    # The coordinator role raises PLAN and SAFE above what a grassroots cadre is expected to reach.
    assert hoa.expected == {"PLAN": 3, "TEAM": 3, "SAFE": 3, "TRAIN": 2}
    assert found[people["ga2"].id].expected == {"PLAN": 2, "TEAM": 3, "SAFE": 2, "TRAIN": 2}
    assert found[people["pa"].id].expected == {"PLAN": 3, "TEAM": 3, "SAFE": 3, "TRAIN": 3}
    assert found[people["gb"].id].volunteer_role == "team_leader"
    assert all(p.self_done_at is None and p.completed_at is None for p in found.values())
    # Unit assessments: open units of the target levels that have indicators.
    units = {ua.unit_id: ua.status for ua in db.session.scalars(
        select(UnitAssessment).where(UnitAssessment.campaign_id == campaign.id))}
    assert units == {tree.province_a.id: NOT_STARTED, tree.province_b.id: NOT_STARTED,
                     tree.grassroots_a.id: NOT_STARTED, tree.grassroots_b.id: NOT_STARTED}
    assert counts.units == 4
    campaign = latest_campaign()
    assert campaign.status == CAMPAIGN_OPEN and campaign.launched_at is not None
    assert campaign.is_open


def test_launch_keeps_to_the_target_roles_and_the_launching_subtree(app_ctx, admin_a, framework, tree, people):
    campaign = new_campaign(admin_a, tree.province_a, framework, target_levels=["grassroots", "branch"],
                            target_roles=["coordinator"], assess_units=False)
    counts = campaigns.launch_campaign(campaign)
    db.session.commit()
    found = participants_of(campaign)
    assert set(found) == {people["ga"].id, people["ba"].id}
    assert found[people["ba"].id].level_code == "branch"
    # A branch coordinator: the role's PLAN 3 and SAFE 3 over the branch's PLAN 1 and SAFE 2.
    assert found[people["ba"].id].expected == {"PLAN": 3, "TEAM": 2, "SAFE": 3, "TRAIN": 1}
    assert (counts.participants, counts.units) == (2, 0)
    assert count(UnitAssessment) == 0


def test_units_without_indicators_for_their_level_are_not_assessed(app_ctx, admin_a, framework, tree, people):
    campaign = new_campaign(admin_a, tree.province_a, framework, target_levels=["branch"])
    counts = campaigns.launch_campaign(campaign)
    db.session.commit()
    assert (counts.participants, counts.units) == (1, 0)
    assert set(participants_of(campaign)) == {people["ba"].id}


def test_launch_without_anyone_to_assess_is_refused_and_changes_nothing(client, admin_a, framework, tree, people):
    campaign = new_campaign(admin_a, tree.province_a, framework, target_levels=["branch"],
                            target_roles=["team_leader"], assess_units=False)
    sign_in_as(client, admin_a)
    response = client.post(f"/assessments/campaigns/{campaign.id}/launch")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Không có cán bộ hay đơn vị nào thuộc đối tượng của đợt đánh giá" in page
    assert latest_campaign().status == CAMPAIGN_DRAFT
    assert count(Participant) == 0 and count(UnitAssessment) == 0


def test_launch_against_an_unpublished_framework_is_refused(app_ctx, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework)
    framework.status = DRAFT
    db.session.commit()
    with pytest.raises(RuleError, match="chưa được ban hành"):
        campaigns.launch_campaign(campaign)
    db.session.rollback()
    assert latest_campaign().status == CAMPAIGN_DRAFT and count(Participant) == 0


def test_launch_after_the_due_day_is_refused(app_ctx, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework, opens_on=day(-20), due_on=day(-1))
    with pytest.raises(RuleError, match="Hạn hoàn thành đã qua"):
        campaigns.launch_campaign(campaign)
    db.session.rollback()
    assert count(Participant) == 0


def test_launch_before_the_opening_day_is_refused(client, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework, opens_on=day(3), due_on=day(30))
    sign_in_as(client, central_admin)
    assert f"Phát động được từ ngày bắt đầu, {day(3).strftime('%d/%m/%Y')}." in text(
        client.get(f"/assessments/campaigns/{campaign.id}"))
    response = client.post(f"/assessments/campaigns/{campaign.id}/launch")
    assert (f"Đợt đánh giá bắt đầu từ ngày {day(3).strftime('%d/%m/%Y')} nên chỉ phát động được từ ngày đó"
            in text(client.get(response.headers["Location"])))
    assert latest_campaign().status == CAMPAIGN_DRAFT and count(Participant) == 0


def test_launch_through_the_page_says_how_many_and_cannot_repeat(client, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework)
    sign_in_as(client, central_admin)
    preview = text(client.get(f"/assessments/campaigns/{campaign.id}"))
    assert "Nếu phát động bây giờ: 4 cán bộ được đánh giá, 4 đơn vị tự đánh giá năng lực." in preview
    response = client.post(f"/assessments/campaigns/{campaign.id}/launch")
    page = text(client.get(response.headers["Location"]))
    assert "Đã phát động đợt đánh giá: 4 cán bộ được đánh giá, 4 đơn vị tự đánh giá năng lực." in page
    again = client.post(f"/assessments/campaigns/{campaign.id}/launch")
    assert "Đợt đánh giá đã được phát động từ trước." in text(client.get(again.headers["Location"]))
    assert count(Participant) == 4 and count(UnitAssessment) == 4


def test_closing_needs_a_launched_campaign_and_happens_once(client, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework)
    sign_in_as(client, central_admin)
    response = client.post(f"/assessments/campaigns/{campaign.id}/close")
    assert "Đợt đánh giá chưa phát động nên chưa thể kết thúc." in text(client.get(response.headers["Location"]))
    client.post(f"/assessments/campaigns/{campaign.id}/launch")
    page = text(client.get(f"/assessments/campaigns/{campaign.id}"))
    assert "Kết thúc đợt đánh giá? Cán bộ và đơn vị sẽ không làm tiếp được nữa" in page
    response = client.post(f"/assessments/campaigns/{campaign.id}/close")
    page = text(client.get(response.headers["Location"]))
    assert "Đợt đánh giá đã kết thúc. Kết quả được giữ nguyên để xem lại." in page
    campaign = latest_campaign()
    assert campaign.status == CAMPAIGN_CLOSED and campaign.closed_at is not None
    assert not campaign.is_open
    again = client.post(f"/assessments/campaigns/{campaign.id}/close")
    assert "Đợt đánh giá đã kết thúc từ trước." in text(client.get(again.headers["Location"]))


# --- The list -------------------------------------------------------------------------------------

def test_each_province_sees_the_national_campaign_and_its_own(client, central_admin, admin_a, admin_b, framework,
                                                              tree, people):
    national = new_campaign(central_admin, tree.central, framework, title="Đánh giá toàn quốc 2026")
    campaigns.launch_campaign(national)
    own_a = new_campaign(admin_a, tree.province_a, framework, title="Đánh giá Lào Cai 2026",
                         target_levels=["grassroots"])
    campaigns.launch_campaign(own_a)
    new_campaign(admin_a, tree.province_a, framework, title="Bản nháp của Lào Cai")
    new_campaign(central_admin, tree.central, framework, title="Bản nháp Trung ương")
    db.session.commit()

    sign_in_as(client, admin_b)
    page = content(client.get("/assessments/campaigns"))
    assert "Đánh giá toàn quốc 2026" in page
    assert "Lào Cai" not in page and "Bản nháp" not in page
    assert "Tạo đợt đánh giá" in page
    assert client.get(f"/assessments/campaigns/{own_a.id}").status_code == 403

    sign_in_as(client, admin_a)
    page = content(client.get("/assessments/campaigns"))
    assert "Đánh giá toàn quốc 2026" in page and "Đánh giá Lào Cai 2026" in page
    assert "Bản nháp của Lào Cai" in page and "Bản nháp Trung ương" not in page

    sign_in_as(client, central_admin)
    page = content(client.get("/assessments/campaigns"))
    for title in ("Đánh giá toàn quốc 2026", "Đánh giá Lào Cai 2026", "Bản nháp Trung ương"):
        assert title in page
    assert "Bản nháp của Lào Cai" in page  # the central office manages the province's campaigns too


def test_the_list_counts_only_participants_in_the_viewers_scope(app_ctx, central_admin, admin_a, framework,
                                                                tree, people):
    national = new_campaign(central_admin, tree.central, framework)
    campaigns.launch_campaign(national)
    db.session.commit()
    row = campaigns.campaign_page(admin_a).items[0]
    assert row.participants == 4  # province A's admin and cadre, and two grassroots cadres
    assert campaigns.campaign_page(central_admin).items[0].participants == 5


def test_the_list_filters_by_status_and_year(client, central_admin, framework, tree, people):
    launched = new_campaign(central_admin, tree.central, framework, title="Đợt đang diễn ra")
    campaigns.launch_campaign(launched)
    old = new_campaign(central_admin, tree.central, framework, title="Đợt năm trước")
    old.opens_on, old.due_on = date(day().year - 1, 3, 1), date(day().year - 1, 4, 1)
    db.session.commit()
    sign_in_as(client, central_admin)
    page = content(client.get("/assessments/campaigns?status=open"))
    assert "Đợt đang diễn ra" in page and "Đợt năm trước" not in page
    page = content(client.get(f"/assessments/campaigns?year={day().year - 1}"))
    assert "Đợt năm trước" in page and "Đợt đang diễn ra" not in page
    page = content(client.get("/assessments/campaigns"))
    assert f"Năm {day().year - 1}" in page and f"Năm {day().year}" in page


def test_reviewer_follows_campaigns_but_cannot_create_them(client, make_user, central_admin, framework, tree, people):
    campaign = new_campaign(central_admin, tree.central, framework, title="Đánh giá toàn quốc 2026")
    campaigns.launch_campaign(campaign)
    db.session.commit()
    reviewer = make_user(tree.province_a, "Mai Thẩm Định", roles=[(Role.REVIEWER, tree.province_a)])
    sign_in_as(client, reviewer)
    page = content(client.get("/assessments/campaigns"))
    assert "Đánh giá toàn quốc 2026" in page and "Tạo đợt đánh giá" not in page
    assert client.get("/assessments/campaigns/new").status_code == 403
    assert client.get(f"/assessments/campaigns/{campaign.id}").status_code == 200


# --- Helpers for the other assessment pages -------------------------------------------------------

def test_open_participations_and_pending_instruments(app_ctx, central_admin, framework, tree, people):
    first = new_campaign(central_admin, tree.central, framework, title="Đợt một", instruments=[SELF, SUPERVISOR])
    campaigns.launch_campaign(first)
    second = new_campaign(central_admin, tree.central, framework, title="Đợt hai", opens_on=day(-1),
                          instruments=[SELF, KNOWLEDGE])
    campaigns.launch_campaign(second)
    later = new_campaign(central_admin, tree.central, framework, title="Đợt chưa phát động")
    closed = new_campaign(central_admin, tree.central, framework, title="Đợt đã đóng")
    campaigns.launch_campaign(closed)
    campaigns.close_campaign(closed)
    db.session.commit()
    hoa = people["ga"]
    found = campaigns.open_participations(hoa)
    assert [p.campaign.title for p in found] == ["Đợt một", "Đợt hai"]
    assert not later.is_open and first.is_open
    assert campaigns.pending_instruments(found[0]) == [SELF]
    assert campaigns.pending_instruments(found[1]) == [SELF, KNOWLEDGE]
    found[1].knowledge_done_at = utcnow()
    assert campaigns.pending_instruments(found[1]) == [SELF]
    found[1].self_done_at = utcnow()
    assert campaigns.pending_instruments(found[1]) == []
    assert campaigns.open_participations(people["tw"]) == []
