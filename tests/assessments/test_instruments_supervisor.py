"""The supervisor assessment: the queue of cadres an administrator of the unit above may rate, the
rating sheet with the cadre's own ratings beside it, and who may (not) rate whom."""
from sqlalchemy import select

from lms.assessments.models import CAMPAIGN_CLOSED, SELF, SUPERVISOR, CompetencyResult
from lms.auth.permissions import Role
from lms.db import db, utcnow
from tests.assessments.test_instruments import (
    make_campaign, make_participant, ratings, sheet, sign_in_as, text)


def supervisor_url(participant) -> str:
    return f"/assessments/participations/{participant.id}/supervisor"


def _campaign(framework, tree, central_admin, instruments=(SELF, SUPERVISOR), title="Đánh giá năng lực 2026"):
    return make_campaign(framework, tree.central, central_admin, instruments=instruments, title=title)


def test_queue_lists_only_cadres_of_the_units_below(client, framework, tree, central_admin, admin_a, make_user):
    campaign = _campaign(framework, tree, central_admin)
    grassroots_a = make_participant(campaign, make_user(tree.grassroots_a, "Hoàng Văn Bình"))
    branch_a = make_participant(campaign, make_user(tree.branch_a, "Vàng Thị Mai"))
    make_participant(campaign, make_user(tree.province_a, "Đặng Văn Tỉnh"))  # a fellow province-level cadre
    make_participant(campaign, make_user(tree.grassroots_b, "Trương Văn Phú"))  # province B
    make_participant(campaign, admin_a)  # themself
    self_only = _campaign(framework, tree, central_admin, instruments=(SELF,), title="Chỉ tự đánh giá")
    make_participant(self_only, make_user(tree.grassroots_a, "Sùng Văn Khoa"))
    closed = _campaign(framework, tree, central_admin, title="Đợt đã đóng")
    closed.status = CAMPAIGN_CLOSED
    make_participant(closed, make_user(tree.grassroots_a, "Lý Thị Đóng"))
    db.session.commit()

    sign_in_as(client, admin_a)
    page = text(client.get("/assessments/supervision"))
    assert "Hoàng Văn Bình" in page and "Vàng Thị Mai" in page
    for absent in ("Đặng Văn Tỉnh", "Trương Văn Phú", "Trần Văn Hùng", "Sùng Văn Khoa", "Lý Thị Đóng"):
        assert absent not in page
    assert f"/assessments/participations/{grassroots_a.id}/supervisor" in page
    assert "Cán bộ 1–2 trong tổng số 2." in page

    # Search by name without diacritics, and by status.
    assert "Vàng Thị Mai" not in text(client.get("/assessments/supervision?q=binh"))
    assert "Hoàng Văn Bình" in text(client.get("/assessments/supervision?q=binh"))
    branch_a.supervisor_done_at = utcnow()
    db.session.commit()
    done = text(client.get("/assessments/supervision?status=done"))
    assert "Vàng Thị Mai" in done and "Hoàng Văn Bình" not in done
    todo = text(client.get(f"/assessments/supervision?status=todo&campaign={campaign.id}"))
    assert "Hoàng Văn Bình" in todo and "Vàng Thị Mai" not in todo


def test_queue_of_a_grassroots_admin_and_of_a_cadre(client, framework, tree, central_admin, cadre_a, make_user):
    campaign = _campaign(framework, tree, central_admin)
    make_participant(campaign, cadre_a)
    make_participant(campaign, make_user(tree.branch_a, "Vàng Thị Mai"))
    grassroots_admin = make_user(tree.grassroots_a, "Giàng A Lử", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    db.session.commit()
    sign_in_as(client, grassroots_admin)
    page = text(client.get("/assessments/supervision"))
    assert "Vàng Thị Mai" in page and "Nguyễn Thị Hoa" not in page  # not a fellow of the same unit
    sign_in_as(client, cadre_a)
    assert client.get("/assessments/supervision").status_code == 403


def test_supervisor_rating_combines_with_the_self_assessment(client, framework, tree, central_admin, admin_a,
                                                             cadre_a):
    participant = make_participant(_campaign(framework, tree, central_admin), cadre_a)
    db.session.commit()
    sign_in_as(client, cadre_a)
    client.post(f"/assessments/participations/{participant.id}/self",
                data=sheet({"PLAN": 4, "TEAM": 3, "SAFE": 2, "TRAIN": 3}, evidence_text_PLAN="Kế hoạch năm 2025."))

    sign_in_as(client, admin_a)
    page = text(client.get(supervisor_url(participant)))
    assert "Cán bộ tự đánh giá:" in page and "Kế hoạch năm 2025." in page and "Mức 4 · Dẫn dắt" in page
    assert 'name="comment_PLAN"' in page and "evidence_file" not in page
    response = client.post(supervisor_url(participant), data=sheet(
        {"PLAN": 2, "TEAM": 2, "SAFE": 3, "TRAIN": 3}, comment_PLAN="Cần rèn thêm khâu khảo sát."))
    assert response.status_code == 302
    assert "Đã lưu đánh giá của bạn về Nguyễn Thị Hoa." in text(client.get(response.headers["Location"]))

    given = ratings(participant, SUPERVISOR)
    assert {code: r.level for code, r in given.items()} == {"PLAN": 2, "TEAM": 2, "SAFE": 3, "TRAIN": 3}
    assert given["PLAN"].evidence_text == "Cần rèn thêm khâu khảo sát." and given["PLAN"].rated_by_id == admin_a.id
    achieved = {r.competency_code: r.achieved for r in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}
    # self 4 + supervisor 2 → 8/3 → 3; 3 + 2 → 7/3 → 2; 2 + 3 → 8/3 → 3; 3 + 3 → 3
    assert achieved == {"PLAN": 3, "TEAM": 2, "SAFE": 3, "TRAIN": 3}
    db.session.refresh(participant)
    assert participant.supervisor_id == admin_a.id and participant.supervisor_done_at is not None
    assert participant.completed_at is not None

    # Shown again, filled in; the queue now says done.
    assert "Cần rèn thêm khâu khảo sát." in text(client.get(supervisor_url(participant)))
    assert "Đã đánh giá" in text(client.get("/assessments/supervision"))


def test_supervisor_must_rate_every_competency(client, framework, tree, central_admin, admin_a, cadre_a):
    participant = make_participant(_campaign(framework, tree, central_admin), cadre_a)
    db.session.commit()
    sign_in_as(client, admin_a)
    response = client.post(supervisor_url(participant), data=sheet({"PLAN": 2}, comment_SAFE="x" * 2001))
    page = text(response)
    assert response.status_code == 200
    assert "Hãy chọn mức năng lực cho “Bảo đảm an toàn”." in page
    assert "Nhận xét về “Bảo đảm an toàn” dài quá 2000 ký tự." in page
    assert ratings(participant, SUPERVISOR) == {}


def test_other_provinces_fellows_and_cadres_may_not_rate(client, framework, tree, central_admin, admin_a, admin_b,
                                                         cadre_a, make_user):
    campaign = _campaign(framework, tree, central_admin)
    participant = make_participant(campaign, cadre_a)
    fellow = make_participant(campaign, make_user(tree.province_a, "Đặng Văn Tỉnh"))
    db.session.commit()
    sign_in_as(client, admin_b)
    assert client.get(supervisor_url(participant)).status_code == 403
    assert client.post(supervisor_url(participant), data=sheet()).status_code == 403
    sign_in_as(client, admin_a)
    assert client.get(supervisor_url(fellow)).status_code == 403  # same level: not the unit above
    sign_in_as(client, cadre_a)
    assert client.post(supervisor_url(participant), data=sheet()).status_code == 403
    assert client.get("/assessments/participations/999999/supervisor").status_code == 404
    assert ratings(participant, SUPERVISOR) == {} and ratings(fellow, SUPERVISOR) == {}
    db.session.refresh(participant)
    assert participant.supervisor_done_at is None


def test_an_admin_never_rates_themself(client, framework, tree, central_admin, make_user):
    # Works in a grassroots unit and administers the province: the unit above their own.
    both = make_user(tree.grassroots_a, "Mai Văn Kiêm", roles=[(Role.UNIT_ADMIN, tree.province_a)])
    participant = make_participant(_campaign(framework, tree, central_admin), both)
    db.session.commit()
    sign_in_as(client, both)
    assert client.get(supervisor_url(participant)).status_code == 403
    assert client.post(supervisor_url(participant), data=sheet()).status_code == 403
    assert "Mai Văn Kiêm" not in text(client.get("/assessments/supervision"))
    assert ratings(participant, SUPERVISOR) == {}


def test_closed_campaign_refuses_supervisor_ratings(client, framework, tree, central_admin, admin_a, cadre_a):
    campaign = _campaign(framework, tree, central_admin)
    participant = make_participant(campaign, cadre_a)
    campaign.status = CAMPAIGN_CLOSED
    db.session.commit()
    sign_in_as(client, admin_a)
    assert "đã kết thúc" in text(client.get(supervisor_url(participant)))
    response = client.post(supervisor_url(participant), data=sheet(), follow_redirects=True)
    assert "đã kết thúc, nên không thể gửi hay sửa đánh giá nữa." in text(response)
    assert ratings(participant, SUPERVISOR) == {}


def test_campaign_without_supervisor_assessment_has_no_sheet(client, framework, tree, central_admin, admin_a, cadre_a):
    participant = make_participant(_campaign(framework, tree, central_admin, instruments=(SELF,)), cadre_a)
    db.session.commit()
    sign_in_as(client, admin_a)
    assert client.get(supervisor_url(participant)).status_code == 404
    assert ratings(participant, SELF) == {}
