"""Campaign progress with drill-down through the unit tree, kept to each viewer's scope, and the reminders
sent from the page and by the daily command."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.assessments import campaigns
from lms.assessments.models import (APPROVED, NOT_STARTED, RETURNED, SELF, SUBMITTED,
                                    UNIT_DRAFT, UNIT_STATUSES, Campaign, Participant, UnitAssessment)
from lms.auth.permissions import Role
from lms.db import db, utcnow
from lms.orgs.models import Unit
from lms.orgs.services import create_unit
from tests.assessments.test_campaigns import day, new_campaign, sign_in_as, text
from tests.conftest import level, outbox


def body(message) -> str:
    return message.get_content()


@pytest.fixture()
def national(tree, make_user, central_admin, admin_a, admin_b, framework):
    """A launched national campaign over every level below the centre, with cadres in both provinces and a
    second branch in province A."""
    branch_a2 = create_unit(parent=tree.grassroots_a, level=level("branch"), code="DOAN-LCI-BATXAT-CD02",
                            name="Chi đoàn thôn Cốc Mỳ")
    db.session.commit()
    people = {
        "pa": make_user(tree.province_a, "Lò Thị Tỉnh", email="pa@example.org"),
        "ga": make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="hoa@example.org"),
        "ba1": make_user(tree.branch_a, "Lò Văn An", email="an@example.org"),
        "ba2": make_user(tree.branch_a, "Vàng Thị Bình", email="binh@example.org"),
        "ba3": make_user(branch_a2, "Sùng Văn Cốc", email="coc@example.org"),
        "gb": make_user(tree.grassroots_b, "Võ Thị Trâm", email="tram@example.org"),
        "bb": make_user(tree.branch_b, "Trần Văn Gió", email="gio@example.org"),
    }
    campaign = new_campaign(central_admin, tree.central, framework, title="Đánh giá năng lực 2026",
                            target_levels=["province", "grassroots", "branch"])
    campaigns.launch_campaign(campaign)
    db.session.commit()
    part = {key: db.session.scalar(select(Participant).where(Participant.user_id == user.id)) for key, user in
            people.items()}
    part["admin_a"] = db.session.scalar(select(Participant).where(Participant.user_id == admin_a.id))
    part["admin_b"] = db.session.scalar(select(Participant).where(Participant.user_id == admin_b.id))
    # Some progress, set directly.
    now = utcnow()
    for key in ("ga", "ba1", "ba3", "gb"):
        part[key].self_done_at = now
    for key in ("ba1", "gb"):
        part[key].supervisor_done_at = now
    for key in ("ba1", "ba2", "bb"):
        part[key].knowledge_done_at = now
    part["ba1"].completed_at = now
    part["gb"].completed_at = now
    assessments = {ua.unit_id: ua for ua in db.session.scalars(select(UnitAssessment))}
    assessments[tree.province_a.id].status = SUBMITTED
    assessments[tree.grassroots_a.id].status = UNIT_DRAFT
    assessments[tree.grassroots_b.id].status = APPROVED
    db.session.commit()
    return {"campaign": campaign, "people": people, "part": part, "branch_a2": branch_a2}


def direct_counts(campaign, unit: Unit, own: bool = False) -> dict:
    """Counted one participant at a time, the slow way, to check the grouped query."""
    inside = [p for p in db.session.scalars(select(Participant).where(Participant.campaign_id == campaign.id))
              if (p.unit_id == unit.id if own else p.unit.path.startswith(unit.path))]
    units = [ua for ua in db.session.scalars(select(UnitAssessment).where(UnitAssessment.campaign_id == campaign.id))
             if (ua.unit_id == unit.id if own else ua.unit.path.startswith(unit.path))]
    return {"participants": len(inside), "self_done": sum(p.self_done_at is not None for p in inside),
            "supervisor_done": sum(p.supervisor_done_at is not None for p in inside),
            "knowledge_done": sum(p.knowledge_done_at is not None for p in inside),
            "completed": sum(p.completed_at is not None for p in inside),
            "units": {status: sum(ua.status == status for ua in units) for status in UNIT_STATUSES}}


def as_counts(row) -> dict:
    return {"participants": row.participants, "self_done": row.self_done, "supervisor_done": row.supervisor_done,
            "knowledge_done": row.knowledge_done, "completed": row.completed, "units": row.units}


# --- Progress -------------------------------------------------------------------------------------

def test_progress_per_child_unit_equals_direct_counts(app_ctx, national, tree):
    campaign = national["campaign"]
    for node in (tree.central, tree.province_a, tree.grassroots_a, tree.branch_a):
        rows = campaigns.progress_rows(campaign, node)
        for row in rows:
            unit = db.session.get(Unit, row.unit_id)
            assert as_counts(row) == direct_counts(campaign, unit, own=row.own), (node.code, unit.code, row.own)
        assert as_counts(campaigns.progress_total(rows)) == direct_counts(campaign, node)


def test_progress_rows_of_the_national_level(app_ctx, national, tree):
    rows = campaigns.progress_rows(national["campaign"], tree.central)
    assert [(row.name, row.own) for row in rows] == [("Tỉnh đoàn An Giang", False), ("Tỉnh đoàn Lào Cai", False)]
    lao_cai = rows[1]
    # Admin, cadre, grassroots cadre, three branch cadres.
    assert (lao_cai.participants, lao_cai.self_done, lao_cai.supervisor_done, lao_cai.knowledge_done,
            lao_cai.completed) == (6, 3, 1, 2, 1)
    assert lao_cai.percent == 16
    assert lao_cai.units == {NOT_STARTED: 0, UNIT_DRAFT: 1, SUBMITTED: 1, RETURNED: 0, APPROVED: 0}
    province = campaigns.progress_rows(national["campaign"], tree.province_a)
    assert [(row.name, row.own, row.participants) for row in province] == [
        ("Tỉnh đoàn Lào Cai", True, 2), ("Đoàn xã Bát Xát", False, 4)]
    branches = campaigns.progress_rows(national["campaign"], tree.grassroots_a)
    assert [(row.name, row.own, row.participants) for row in branches] == [
        ("Đoàn xã Bát Xát", True, 1), ("Chi đoàn thôn Bản Vai", False, 2), ("Chi đoàn thôn Cốc Mỳ", False, 1)]


def test_central_admin_drills_down_from_the_nation_to_a_branch(client, national, central_admin, tree):
    campaign = national["campaign"]
    sign_in_as(client, central_admin)
    page = text(client.get(f"/assessments/campaigns/{campaign.id}"))
    assert "Tỉnh đoàn Lào Cai" in page and "Tỉnh đoàn An Giang" in page
    assert f'href="/assessments/campaigns/{campaign.id}?unit={tree.province_a.id}"' in page
    assert "Tổng cộng" in page
    assert "2/9 cán bộ đã hoàn thành · 22%" in page
    for header in ("Đã tự đánh giá", "Cấp trên đã đánh giá", "Đã làm bài kiểm tra", "Đơn vị: Đã gửi"):
        assert header in page
    page = text(client.get(f"/assessments/campaigns/{campaign.id}?unit={tree.grassroots_a.id}"))
    assert "Riêng Đoàn xã Bát Xát" in page and "Chi đoàn thôn Cốc Mỳ" in page
    assert "Tỉnh đoàn An Giang" not in page
    # The breadcrumb leads back up to the nation.
    assert f'href="/assessments/campaigns/{campaign.id}?unit={tree.central.id}"' in page
    assert f'href="/assessments/campaigns/{campaign.id}?unit={tree.province_a.id}"' in page


def test_only_the_instruments_the_campaign_uses_get_a_column(client, central_admin, framework, tree, national):
    other = new_campaign(central_admin, tree.central, framework, title="Chỉ tự đánh giá", instruments=[SELF],
                         assess_units=False)
    campaigns.launch_campaign(other)
    db.session.commit()
    sign_in_as(client, central_admin)
    page = text(client.get(f"/assessments/campaigns/{other.id}"))
    assert "Đã tự đánh giá" in page
    assert "Cấp trên đã đánh giá" not in page and "Đã làm bài kiểm tra" not in page and "Đơn vị: Đã gửi" not in page


def test_province_admin_sees_only_their_province_of_a_national_campaign(client, national, admin_a, tree):
    campaign = national["campaign"]
    sign_in_as(client, admin_a)
    response = client.get(f"/assessments/campaigns/{campaign.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Tiến độ: Tỉnh đoàn Lào Cai" in page
    assert "Đoàn xã Bát Xát" in page
    assert "An Giang" not in page and "Phú Quốc" not in page and "Trần Văn Gió" not in page
    assert f'unit={tree.central.id}"' not in page  # never above their scope
    assert "1/6 cán bộ đã hoàn thành" in page
    for unit in (tree.province_b, tree.grassroots_b, tree.branch_b, tree.central):
        assert client.get(f"/assessments/campaigns/{campaign.id}?unit={unit.id}").status_code == 403
    assert client.get(f"/assessments/campaigns/{campaign.id}?unit=999999").status_code == 404
    drill = text(client.get(f"/assessments/campaigns/{campaign.id}?unit={tree.grassroots_a.id}"))
    assert f'href="/assessments/campaigns/{campaign.id}?unit={tree.province_a.id}"' in drill
    assert f'unit={tree.central.id}"' not in drill


def test_unit_outside_the_campaign_is_not_found(client, admin_a, framework, tree, national):
    own = new_campaign(admin_a, tree.province_a, framework, title="Đánh giá Lào Cai", target_levels=["branch"])
    campaigns.launch_campaign(own)
    db.session.commit()
    sign_in_as(client, admin_a)
    assert client.get(f"/assessments/campaigns/{own.id}?unit={tree.central.id}").status_code == 404
    assert client.get(f"/assessments/campaigns/{own.id}?unit={tree.province_b.id}").status_code == 404


def test_viewer_with_several_units_starts_from_all_of_them(client, national, make_user, tree):
    both = make_user(tree.branch_a, "Mai Hai Nơi", roles=[(Role.REVIEWER, tree.branch_a),
                                                          (Role.REVIEWER, tree.grassroots_b)])
    sign_in_as(client, both)
    campaign = national["campaign"]
    page = text(client.get(f"/assessments/campaigns/{campaign.id}"))
    assert "Các đơn vị của bạn" in page
    assert "Chi đoàn thôn Bản Vai" in page and "Đoàn đặc khu Phú Quốc" in page
    assert "Tỉnh đoàn Lào Cai" not in page and "Gửi nhắc nhở" not in page
    roots = campaigns.progress_roots(both, campaign)
    rows = campaigns.progress_rows(campaign, None, roots)
    assert {row.name: row.participants for row in rows} == {"Chi đoàn thôn Bản Vai": 2, "Đoàn đặc khu Phú Quốc": 2}
    assert client.get(f"/assessments/campaigns/{campaign.id}?unit={tree.grassroots_a.id}").status_code == 403


def test_dissolved_unit_keeps_its_row_while_it_has_participants(app_ctx, national, tree):
    branch = national["branch_a2"]
    branch.closed_at = utcnow()
    db.session.commit()
    rows = {row.name: row for row in campaigns.progress_rows(national["campaign"], tree.grassroots_a)}
    assert rows["Chi đoàn thôn Cốc Mỳ"].closed and rows["Chi đoàn thôn Cốc Mỳ"].participants == 1


def test_cadre_cannot_see_the_campaign_page(client, national):
    sign_in_as(client, national["people"]["ga"])
    assert client.get(f"/assessments/campaigns/{national['campaign'].id}").status_code == 403
    assert client.post(f"/assessments/campaigns/{national['campaign'].id}/remind",
                       data={"unit": national["people"]["ga"].unit_id}).status_code == 403


# --- Reminders ------------------------------------------------------------------------------------

def test_reminders_go_to_those_with_own_tasks_left_in_the_node(client, app, national, admin_a, tree):
    campaign, part, people = national["campaign"], national["part"], national["people"]
    # ba1 has done both own tasks; pa has no e-mail; ga was reminded yesterday; ba2 four days ago.
    people["pa"].email = None
    part["ga"].reminded_at = utcnow() - timedelta(days=1)
    part["ba2"].reminded_at = utcnow() - timedelta(days=4)
    db.session.commit()
    sign_in_as(client, admin_a)
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.province_a.id})
    assert response.headers["Location"].endswith(f"/assessments/campaigns/{campaign.id}?unit={tree.province_a.id}")
    sent = {message["To"]: message for message in outbox(app)}
    assert set(sent) == {"admin.a@example.org", "binh@example.org", "coc@example.org"}
    assert "Đã gửi e-mail nhắc nhở tới 3 cán bộ." in text(client.get(response.headers["Location"]))

    binh = body(sent["binh@example.org"])
    assert "Chào Vàng Thị Bình," in binh
    assert "“Đánh giá năng lực 2026”" in binh and "Trung ương Đoàn TNCS Hồ Chí Minh" in binh
    assert f"Hạn hoàn thành: {campaign.due_on.strftime('%d/%m/%Y')}." in binh
    assert "- Tự đánh giá" in binh and "Bài kiểm tra kiến thức" not in binh  # her test is done
    assert re.search(r"http://lms\.test/assessments/\S*", binh)
    coc = body(sent["coc@example.org"])
    assert "- Bài kiểm tra kiến thức" in coc and "- Tự đánh giá" not in coc
    assert sent["binh@example.org"]["Subject"] == (
        f"Nhắc nhở: Đánh giá năng lực 2026, hạn {campaign.due_on.strftime('%d/%m/%Y')}")

    db.session.expire_all()
    reminded = set(db.session.scalars(select(Participant.user_id).where(
        Participant.reminded_at >= utcnow() - timedelta(minutes=5))))
    assert reminded == {national["part"]["admin_a"].user_id, people["ba2"].id, people["ba3"].id}
    assert db.session.get(Campaign, campaign.id).last_reminder_at is not None


def test_reminders_are_not_repeated_within_three_days(client, app, national, admin_a, tree):
    campaign = national["campaign"]
    sign_in_as(client, admin_a)
    client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    first = len(outbox(app))
    assert first == 3  # grassroots cadre, two branch cadres who have not finished their own tasks
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    assert len(outbox(app)) == first
    assert "Không có ai cần nhắc" in text(client.get(response.headers["Location"]))
    # Three days later they are reminded again.
    db.session.execute(Participant.__table__.update().values(reminded_at=utcnow() - timedelta(days=3, minutes=1)))
    db.session.commit()
    client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    assert len(outbox(app)) == 2 * first


def test_reminding_needs_campaign_management_over_the_node(client, app, national, admin_b, make_user, tree):
    campaign = national["campaign"]
    sign_in_as(client, admin_b)
    assert client.post(f"/assessments/campaigns/{campaign.id}/remind",
                       data={"unit": tree.province_a.id}).status_code == 403
    assert client.post(f"/assessments/campaigns/{campaign.id}/remind",
                       data={"unit": tree.central.id}).status_code == 403
    reviewer = make_user(tree.province_a, "Mai Thẩm Định", roles=[(Role.REVIEWER, tree.province_a)])
    sign_in_as(client, reviewer)
    page = text(client.get(f"/assessments/campaigns/{campaign.id}"))
    assert "Gửi nhắc nhở" not in page
    assert client.post(f"/assessments/campaigns/{campaign.id}/remind",
                       data={"unit": tree.province_a.id}).status_code == 403
    assert outbox(app) == []
    assert db.session.scalar(select(func.count()).where(Participant.reminded_at.is_not(None))) == 0


def test_no_reminders_once_the_campaign_is_closed(client, app, national, central_admin, tree):
    campaign = national["campaign"]
    campaigns.close_campaign(campaign)
    db.session.commit()
    sign_in_as(client, central_admin)
    assert "Gửi nhắc nhở" not in text(client.get(f"/assessments/campaigns/{campaign.id}"))
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.central.id})
    assert "Đợt đánh giá đã kết thúc." in text(client.get(response.headers["Location"]))
    assert outbox(app) == []


def test_daily_command_reminds_open_campaigns_not_yet_due(app, client, national, central_admin, framework, tree):
    overdue = new_campaign(central_admin, tree.central, framework, title="Đợt quá hạn", target_levels=["province"])
    campaigns.launch_campaign(overdue)
    overdue.opens_on, overdue.due_on = day(-30), day(-1)
    draft = new_campaign(central_admin, tree.central, framework, title="Đợt nháp", target_levels=["province"])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "assessments", "remind"])
    assert result.exit_code == 0, result.output
    assert "Tổng số lời nhắc đã gửi: 8." in result.output  # everyone in the national campaign but the one who finished
    titles = {message["Subject"] for message in outbox(app)}
    assert titles == {f"Nhắc nhở: Đánh giá năng lực 2026, hạn {national['campaign'].due_on.strftime('%d/%m/%Y')}"}
    assert all("http://lms.test/assessments/" in body(message) for message in outbox(app))
    assert all(body(message).startswith("Chào ") for message in outbox(app))
    again = app.test_cli_runner().invoke(args=["lms", "assessments", "remind"])
    assert "Tổng số lời nhắc đã gửi: 0." in again.output
    assert draft.status == "draft"


def mail_server_down(app) -> None:
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=1)  # nothing listens there: refused at once


def mail_server_back(app) -> None:
    app.config["LMS_SMTP_HOST"] = ""  # the e-mails go to the outbox the tests read


def test_a_reminder_no_email_reached_is_withdrawn(client, app, national, admin_a, tree):
    campaign, part = national["campaign"], national["part"]
    four_days_ago = utcnow() - timedelta(days=4)
    part["ga"].reminded_at = four_days_ago
    db.session.commit()
    sign_in_as(client, admin_a)
    mail_server_down(app)
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    page = text(client.get(response.headers["Location"]))
    assert "Máy chủ thư chưa gửi được e-mail nhắc tới 3 cán bộ: " in page and "; hãy nhắc lại sau." in page
    assert all(name in page for name in ("Nguyễn Thị Hoa", "Vàng Thị Bình", "Sùng Văn Cốc"))
    assert "Đã gửi e-mail nhắc nhở" not in page
    # As if nobody had been reminded: Hoa's reminder of four days ago is hers again.
    db.session.expire_all()
    assert db.session.get(Participant, part["ga"].id).reminded_at == four_days_ago
    assert db.session.scalar(select(func.count()).where(Participant.reminded_at.is_not(None))) == 1
    assert db.session.get(Campaign, campaign.id).last_reminder_at == four_days_ago
    # Once the mail server answers, they are reminded at once, without waiting three days.
    mail_server_back(app)
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    assert "Đã gửi e-mail nhắc nhở tới 3 cán bộ." in text(client.get(response.headers["Location"]))
    assert sorted(message["To"] for message in outbox(app)) == ["binh@example.org", "coc@example.org",
                                                               "hoa@example.org"]


def test_a_refused_address_is_named_and_keeps_its_reminder(client, app, national, admin_a, tree, smtp_server):
    campaign = national["campaign"]
    recorder = smtp_server(refusing=("coc@example.org",))
    sign_in_as(client, admin_a)
    response = client.post(f"/assessments/campaigns/{campaign.id}/remind", data={"unit": tree.grassroots_a.id})
    page = text(client.get(response.headers["Location"]))
    assert "Đã gửi e-mail nhắc nhở tới 2 cán bộ." in page
    assert "Máy chủ thư từ chối địa chỉ e-mail của 1 cán bộ: Sùng Văn Cốc; hãy kiểm tra lại địa chỉ của họ." in page
    assert sorted(recorder.recipients) == ["binh@example.org", "hoa@example.org"]
    # A new try would be refused too: Cốc waits three days, as those reached do.
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Participant.reminded_at.is_not(None))) == 3


def test_many_people_not_reached_are_named_five_and_counted(client, app, national, central_admin, tree):
    sign_in_as(client, central_admin)
    mail_server_down(app)
    response = client.post(f"/assessments/campaigns/{national['campaign'].id}/remind", data={"unit": tree.central.id})
    page = text(client.get(response.headers["Location"]))
    assert re.search(r"Máy chủ thư chưa gửi được e-mail nhắc tới 8 cán bộ: ([^,<]+, ){4}[^,<]+ và 3 người khác; "
                     r"hãy nhắc lại sau\.", page)


def test_the_daily_command_fails_naming_whom_no_email_reached(app, client, national):
    mail_server_down(app)
    result = app.test_cli_runner().invoke(args=["lms", "assessments", "remind"])
    assert result.exit_code == 1
    assert "Đánh giá năng lực 2026: đã gửi 0 lời nhắc, 8 người chưa nhận được." in result.output
    assert re.search(r"Không kết nối được máy chủ thư để gửi cho 8 người: ([a-z]+@example\.org, ){4}"
                     r"[a-z]+@example\.org và 3 người khác\.", result.output)
    assert db.session.scalar(select(func.count()).where(Participant.reminded_at.is_not(None))) == 0
    mail_server_back(app)
    result = app.test_cli_runner().invoke(args=["lms", "assessments", "remind"])
    assert result.exit_code == 0, result.output
    assert "Tổng số lời nhắc đã gửi: 8." in result.output and len(outbox(app)) == 8


def test_the_progress_table_downloads_as_shown_and_only_within_scope(client, national, admin_a, tree):
    import csv
    import io

    from openpyxl import load_workbook

    campaign = national["campaign"]
    sign_in_as(client, admin_a)
    response = client.get(f"/assessments/campaigns/{campaign.id}/progress.xlsx?unit={tree.province_a.id}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Đơn vị", "Cán bộ tham gia") and sheet.freeze_panes == "A2"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Đoàn xã Bát Xát"][1] == 4 and isinstance(by_name["Đoàn xã Bát Xát"][1], int)
    assert by_name["Tổng cộng"][1] == 6
    assert not any("An Giang" in str(row[0]) for row in rows)

    csv_rows = list(csv.reader(io.StringIO(client.get(
        f"/assessments/campaigns/{campaign.id}/progress.csv?unit={tree.province_a.id}").data.decode("utf-8-sig"))))
    assert csv_rows[0][0] == "Đơn vị" and csv_rows[-1][:2] == ["Tổng cộng", "6"]
    assert client.get(f"/assessments/campaigns/{campaign.id}/progress.xlsx?unit={tree.province_b.id}").status_code == 403
