"""The unit capacity assessment as people use it: the lists of units to assess and to review, answering
with evidence, drafts, submitting (complete, then locked), the review that approves or returns with
comments, the history with each submission kept as sent, the e-mails each step sends, and the scope
that keeps each province to its own units and away from reviewing itself."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessments.models import (Campaign, UnitAnswer, UnitAssessment, UnitAssessmentEvent)
from lms.auth.permissions import Role
from lms.db import db
from lms.i18n import local_today
from lms.trainers.models import TrainerProfile
from tests.conftest import content, outbox, sign_in_as, text

LOCKED = "Bản đánh giá đã gửi và đang được khóa"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def reload(assessment: UnitAssessment) -> UnitAssessment:
    db.session.expire_all()
    return db.session.get(UnitAssessment, assessment.id)


def answers(assessment: UnitAssessment) -> dict[str, UnitAnswer]:
    db.session.expire_all()
    return {a.indicator_code: a for a in db.session.scalars(
        select(UnitAnswer).where(UnitAnswer.assessment_id == assessment.id))}


def events(assessment: UnitAssessment) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(e.action, e.round) for e in db.session.scalars(
        select(UnitAssessmentEvent).where(UnitAssessmentEvent.assessment_id == assessment.id)
        .order_by(UnitAssessmentEvent.at, UnitAssessmentEvent.id))]


def url(assessment: UnitAssessment, tail: str = "") -> str:
    return f"/assessments/units/{assessment.id}{tail}"


@pytest.fixture()
def campaign(framework, tree, central_admin):
    today = local_today()
    campaign = Campaign(title="Đánh giá năng lực năm nay", framework_id=framework.id, unit_id=tree.central.id,
                        target_levels=["province", "grassroots"], instruments=["self"], assess_units=True,
                        opens_on=today - timedelta(days=10), due_on=today + timedelta(days=30), status="open",
                        created_by_id=central_admin.id)
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture()
def units(campaign, tree):
    """Assessments of province A, its grassroots unit and province B, not started."""
    rows = {name: UnitAssessment(campaign_id=campaign.id, unit_id=getattr(tree, name).id)
            for name in ("province_a", "grassroots_a", "province_b")}
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


@pytest.fixture()
def ua(units):
    return units["province_a"]


def complete(**changes) -> dict:
    """A full answer to province A's declared indicators (coordinator yes with a link, 3 clubs, highlights)."""
    data = {"value_coordinator": "yes", "evidence_url_coordinator": "https://tinhdoan.example.vn/qd-12.pdf",
            "evidence_text_coordinator": "Quyết định số 12-QĐ/TĐTN", "value_clubs": "3",
            "value_highlights": "Chiến dịch Mùa hè xanh ở 9 xã biên giới."}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def save(client, assessment, **changes):
    return client.post(url(assessment), data={**complete(**changes), "save": "Lưu nháp"})


def send(client, assessment, **changes):
    return client.post(url(assessment), data={**complete(**changes), "send": "Gửi thẩm định"})


def give_back(client, assessment, **comments):
    data = {f"comment_{code}": comment for code, comment in comments.items()}
    data.update({"note": "Cần bổ sung.", "give_back": "Trả lại để bổ sung"})
    return client.post(url(assessment, "/review"), data=data)


def approve(client, assessment, note: str = "Đạt yêu cầu."):
    return client.post(url(assessment, "/review"), data={"note": note, "approve": "Phê duyệt"})


# --- The listing ----------------------------------------------------------------------------------

def test_list_shows_my_units_and_those_waiting_for_my_review(client, units, admin_a, central_admin):
    sign_in_as(client, admin_a)
    page = content(client.get("/assessments/units"))
    assert "Đơn vị của tôi" in page and "Chờ thẩm định" in page
    assert "Tỉnh đoàn Lào Cai" in page and "Đoàn xã Bát Xát" in page and "Chưa bắt đầu" in page
    assert "Tỉnh đoàn An Giang" not in page
    assert "Không có bản đánh giá nào của đơn vị cấp dưới đang chờ bạn thẩm định." in page

    sign_in_as(client, admin_a)
    assert send(client, units["grassroots_a"], value_highlights=None).status_code == 302
    page = content(client.get("/assessments/units"))
    waiting = page[page.index("Chờ thẩm định"):]
    assert "Đoàn xã Bát Xát" in waiting and "Đã gửi" in waiting and "Tỉnh đoàn Lào Cai" not in waiting
    # Filtering by status narrows my own list.
    mine = content(client.get("/assessments/units?status=not_started"))
    mine = mine[mine.index("Đơn vị của tôi"):mine.index("Đơn vị cấp dưới")]
    assert "Tỉnh đoàn Lào Cai" in mine and "Đoàn xã Bát Xát" not in mine

    # The central office reviews every unit under it, and its own province admins never review themselves.
    sign_in_as(client, central_admin)
    waiting = content(client.get("/assessments/units"))
    waiting = waiting[waiting.index("Chờ thẩm định"):]
    assert "Đoàn xã Bát Xát" in waiting and "Tỉnh đoàn Lào Cai" not in waiting
    sign_in_as(client, admin_a)
    send(client, units["province_a"])
    sign_in_as(client, central_admin)
    waiting = content(client.get(f"/assessments/units?campaign={units['province_a'].campaign_id}"))
    waiting = waiting[waiting.index("Chờ thẩm định"):]
    assert "Tỉnh đoàn Lào Cai" in waiting and "Đoàn xã Bát Xát" in waiting
    sign_in_as(client, admin_a)
    waiting = content(client.get("/assessments/units"))
    waiting = waiting[waiting.index("Chờ thẩm định"):]
    assert "Tỉnh đoàn Lào Cai" not in waiting


def test_list_refuses_a_cadre_without_an_admin_role(client, units, cadre_a):
    sign_in_as(client, cadre_a)
    assert client.get("/assessments/units").status_code == 403


# --- Answering ------------------------------------------------------------------------------------

def test_page_shows_computed_values_against_targets_and_the_declared_questions(client, ua, admin_a, make_user, tree):
    trainer = make_user(tree.grassroots_a, "Lò Văn Minh")
    db.session.add(TrainerProfile(user_id=trainer.id, tier="provincial", status="certified"))
    db.session.commit()
    sign_in_as(client, admin_a)
    page = content(client.get(url(ua)))
    assert "Tỉnh đoàn Lào Cai" in page and "Đánh giá năng lực năm nay" in page and "Chưa bắt đầu" in page
    assert "Số tập huấn viên được công nhận" in page and "1 người" in page and "tối thiểu 2 người" in page
    assert "Chưa đạt" in page
    assert "Tỉ lệ lớp tập huấn tổ chức so với kế hoạch" in page and "không có dữ liệu" in page
    assert 'name="value_coordinator"' in page and 'name="value_clubs"' in page and 'name="value_highlights"' in page
    assert 'name="evidence_file_coordinator"' in page and "Cần minh chứng" in page
    assert "Lưu nháp" in page and "Gửi thẩm định" in page


def test_save_draft_keeps_the_answers_and_marks_the_assessment_a_draft(client, ua, admin_a):
    sign_in_as(client, admin_a)
    response = save(client, ua, value_highlights="")
    assert response.status_code == 302
    assert "Đã lưu nháp bản đánh giá." in text(client.get(url(ua)))
    assert reload(ua).status == "draft" and reload(ua).round == 0
    saved = answers(ua)
    assert saved["coordinator"].value == "yes"
    assert saved["coordinator"].evidence_url == "https://tinhdoan.example.vn/qd-12.pdf"
    assert saved["clubs"].value == "3" and saved["highlights"].value == ""
    assert events(ua) == []
    page = content(client.get(url(ua)))
    assert 'value="3"' in page and "Quyết định số 12-QĐ/TĐTN" in page


def test_bad_input_is_refused_with_specific_messages_and_nothing_changed(client, ua, admin_a):
    sign_in_as(client, admin_a)
    response = save(client, ua, value_clubs="mười", evidence_url_coordinator="ftp://tinhdoan.example.vn/qd.pdf",
                    value_highlights="x" * 501)
    page = content(response)
    assert response.status_code == 200
    assert "Hãy nhập một số nguyên, ví dụ 15." in page
    assert "Đường dẫn phải bắt đầu bằng http:// hoặc https://" in page
    assert "Tối đa 500 ký tự." in page
    assert 'value="ftp://tinhdoan.example.vn/qd.pdf"' in page  # what was typed stays on the form
    assert reload(ua).status == "not_started" and answers(ua) == {}
    response = save(client, ua, value_clubs="-2")
    assert "Hãy nhập một số nguyên từ 0 đến 1000000." in content(response)
    assert answers(ua) == {}


def test_a_file_that_is_no_document_is_refused_by_name(client, ua, admin_a):
    sign_in_as(client, admin_a)
    data = {**complete(evidence_url_coordinator=""), "save": "Lưu nháp",
            "evidence_file_coordinator": (io.BytesIO(b"not a pdf at all"), "quyet-dinh.pdf")}
    response = client.post(url(ua), data=data, content_type="multipart/form-data")
    assert "Tệp “quyet-dinh.pdf” không phải là tệp" in content(response)
    assert answers(ua) == {} and reload(ua).status == "not_started"


def test_submitting_with_missing_answers_names_each_indicator_and_changes_nothing(client, ua, admin_a):
    sign_in_as(client, admin_a)
    response = send(client, ua, value_clubs="", value_highlights="")
    page = content(response)
    assert response.status_code == 200
    assert "Chưa trả lời chỉ số “Số đội hình, câu lạc bộ tình nguyện được kết nối”." in page
    assert "Chưa trả lời chỉ số “Những việc làm nổi bật trong năm”." in page
    assert "Có điều phối viên" not in page[:page.index("Chỉ số tính từ dữ liệu")]  # answered, not named
    assert reload(ua).status == "not_started" and reload(ua).round == 0
    assert answers(ua) == {} and events(ua) == []
    assert 'value="https://tinhdoan.example.vn/qd-12.pdf"' in page  # what was typed stays on the form


def test_evidence_is_required_by_file_or_link_where_the_indicator_asks(client, ua, admin_a):
    sign_in_as(client, admin_a)
    response = send(client, ua, evidence_url_coordinator="")
    assert ("Chỉ số “Có điều phối viên tình nguyện được phân công bằng văn bản” cần minh chứng: "
            "hãy tải tệp lên hoặc dán đường dẫn.") in content(response)
    assert reload(ua).status == "not_started" and events(ua) == []
    # A description alone is no evidence; a file is.
    data = {**complete(evidence_url_coordinator=""), "send": "Gửi thẩm định",
            "evidence_file_coordinator": (io.BytesIO(PDF), "quyet-dinh-12.pdf")}
    response = client.post(url(ua), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assessment = reload(ua)
    assert assessment.status == "submitted" and assessment.round == 1
    coordinator = answers(ua)["coordinator"]
    assert coordinator.evidence_file is not None and coordinator.evidence_file.filename == "quyet-dinh-12.pdf"
    page = content(client.get(url(ua)))
    link = f"/assessments/evidence/{coordinator.evidence_file_id}"
    assert link in page and "quyet-dinh-12.pdf" in page
    assert client.get(link).data == PDF


def test_answering_no_needs_no_evidence(client, ua, admin_a):
    sign_in_as(client, admin_a)
    assert send(client, ua, value_coordinator="no", evidence_url_coordinator="").status_code == 302
    assert reload(ua).status == "submitted"


def test_submitting_locks_the_assessment(client, ua, admin_a, app):
    sign_in_as(client, admin_a)
    assert send(client, ua).status_code == 302
    assessment = reload(ua)
    assert assessment.status == "submitted" and assessment.round == 1 and assessment.submitted_by_id == admin_a.id
    assert assessment.submitted_at is not None
    assert set(assessment.computed) == {"core-course", "trainers", "cohorts", "participation"}
    page = content(client.get(url(ua)))
    assert "Đã gửi" in page and 'name="value_clubs"' not in page and "Lưu nháp" not in page
    assert "Bản đánh giá đã gửi và đang được khóa trong khi chờ thẩm định." in page

    response = save(client, ua, value_clubs="99")
    assert response.status_code == 302
    assert LOCKED in text(client.get(url(ua)))
    assert answers(ua)["clubs"].value == "3" and reload(ua).status == "submitted"
    response = send(client, ua, value_clubs="99")
    assert LOCKED in text(client.get(response.headers["Location"]))
    assert reload(ua).round == 1 and events(ua) == [("submitted", 1)]


def test_a_closed_campaign_takes_no_answers(client, ua, admin_a, campaign):
    campaign.status = "closed"
    db.session.commit()
    sign_in_as(client, admin_a)
    assert 'name="value_clubs"' not in content(client.get(url(ua)))
    response = save(client, ua)
    assert "không mở nên không lưu hay gửi được" in text(client.get(response.headers["Location"]))
    assert answers(ua) == {} and reload(ua).status == "not_started"


# --- Reviewing ------------------------------------------------------------------------------------

def test_returning_needs_a_comment_on_at_least_one_indicator(client, ua, admin_a, central_admin):
    sign_in_as(client, admin_a)
    send(client, ua)
    sign_in_as(client, central_admin)
    response = give_back(client, ua)
    assert response.status_code == 200
    assert "Hãy ghi nhận xét cho ít nhất một chỉ số cần bổ sung trước khi trả lại." in content(response)
    assert reload(ua).status == "submitted" and events(ua) == [("submitted", 1)]


def test_return_edit_resubmit_approve_keeps_every_round(client, ua, admin_a, central_admin, make_user, tree):
    sign_in_as(client, admin_a)
    assert send(client, ua).status_code == 302
    first_computed = dict(reload(ua).computed)
    assert first_computed["trainers"] == 0

    sign_in_as(client, central_admin)
    page = content(client.get(url(ua)))
    assert "Thẩm định" in page and "Phê duyệt" in page and 'name="comment_clubs"' in page
    response = give_back(client, ua, clubs="Mới 3 đội, cần danh sách các đội hình kèm theo.",
                         trainers="Chưa có tập huấn viên nào được công nhận.")
    assert response.status_code == 302
    assessment = reload(ua)
    assert assessment.status == "returned" and assessment.reviewed_by_id == central_admin.id
    saved = answers(ua)
    assert saved["clubs"].review_comment == "Mới 3 đội, cần danh sách các đội hình kèm theo."
    assert saved["trainers"].review_comment == "Chưa có tập huấn viên nào được công nhận."  # a computed one
    assert saved["coordinator"].review_comment == ""

    # The unit sees the comments beside their indicators and can edit again.
    sign_in_as(client, admin_a)
    page = content(client.get(url(ua)))
    assert "Bị trả lại" in page and "Nhận xét của cấp thẩm định" in page
    assert "Mới 3 đội, cần danh sách các đội hình kèm theo." in page and 'name="value_clubs"' in page
    # Meanwhile a trainer is certified: the live value changes, the first round keeps what was sent.
    trainer = make_user(tree.grassroots_a, "Lò Văn Minh")
    db.session.add(TrainerProfile(user_id=trainer.id, tier="provincial", status="certified"))
    db.session.commit()
    assert save(client, ua, value_clubs="12").status_code == 302
    assert reload(ua).status == "draft"
    assert send(client, ua, value_clubs="12").status_code == 302
    assessment = reload(ua)
    assert assessment.status == "submitted" and assessment.round == 2 and assessment.computed["trainers"] == 1
    assert all(a.review_comment == "" for a in answers(ua).values())

    sign_in_as(client, central_admin)
    assert approve(client, ua).status_code == 302
    assessment = reload(ua)
    assert assessment.status == "approved" and assessment.reviewed_at is not None
    assert events(ua) == [("submitted", 1), ("returned", 1), ("submitted", 2), ("approved", 2)]
    returned = db.session.scalar(select(UnitAssessmentEvent).where(UnitAssessmentEvent.action == "returned"))
    assert returned.comments == {"clubs": "Mới 3 đội, cần danh sách các đội hình kèm theo.",
                                 "trainers": "Chưa có tập huấn viên nào được công nhận."}
    assert returned.note == "Cần bổ sung." and returned.by_user_id == central_admin.id
    first = db.session.scalar(select(UnitAssessmentEvent).where(UnitAssessmentEvent.action == "submitted",
                                                                UnitAssessmentEvent.round == 1))
    assert first.snapshot["answers"]["clubs"]["value"] == "3" and first.snapshot["computed"] == first_computed

    # The history lists every step, with a link to each submission as sent.
    sign_in_as(client, admin_a)
    page = content(client.get(url(ua)))
    history = page[page.index("Lịch sử"):]
    for label in ("Gửi thẩm định", "Trả lại để bổ sung", "Phê duyệt", "lần 1", "lần 2", "Phạm Quốc Bảo",
                  "Trần Văn Hùng", "Chưa có tập huấn viên nào được công nhận.", "Đạt yêu cầu."):
        assert label in history
    assert url(ua, "/rounds/1") in history and url(ua, "/rounds/2") in history
    round_one = content(client.get(url(ua, "/rounds/1")))
    assert "3 đội" in round_one and "12 đội" not in round_one and "0 người" in round_one
    assert "Mới 3 đội, cần danh sách các đội hình kèm theo." in round_one and "Trả lại để bổ sung" in round_one
    round_two = content(client.get(url(ua, "/rounds/2")))
    assert "12 đội" in round_two and "1 người" in round_two and "Phê duyệt" in round_two
    assert client.get(url(ua, "/rounds/3")).status_code == 404
    # Approved is locked for good.
    save(client, ua, value_clubs="20")
    assert answers(ua)["clubs"].value == "12" and reload(ua).status == "approved"


def test_a_submitted_assessment_shows_the_values_as_sent(client, ua, admin_a, make_user, tree):
    sign_in_as(client, admin_a)
    send(client, ua)
    trainer = make_user(tree.grassroots_a, "Lò Văn Minh")
    db.session.add(TrainerProfile(user_id=trainer.id, tier="provincial", status="certified"))
    db.session.commit()
    page = content(client.get(url(ua)))
    assert "0 người" in page and "1 người" not in page


# --- Scope ----------------------------------------------------------------------------------------

def test_another_province_cannot_see_or_change_the_assessment(client, ua, admin_b, admin_a):
    sign_in_as(client, admin_b)
    assert client.get(url(ua)).status_code == 403
    assert save(client, ua).status_code == 403
    assert client.get(url(ua, "/rounds/1")).status_code == 403
    assert client.get("/assessments/units/999999").status_code == 404
    assert answers(ua) == {} and reload(ua).status == "not_started"
    sign_in_as(client, admin_a)
    send(client, ua)
    sign_in_as(client, admin_b)
    assert approve(client, ua).status_code == 403
    assert reload(ua).status == "submitted"


def test_a_province_cannot_review_itself_but_the_central_office_can(client, ua, admin_a, central_admin, make_user,
                                                                    tree):
    sign_in_as(client, admin_a)
    send(client, ua)
    page = content(client.get(url(ua)))
    assert 'name="comment_clubs"' not in page and "Phê duyệt" not in page[:page.index("Lịch sử")]
    assert approve(client, ua).status_code == 403
    assert give_back(client, ua, clubs="Tự trả lại").status_code == 403
    assert reload(ua).status == "submitted" and events(ua) == [("submitted", 1)]

    # A reviewer of the central office (no admin role) may see, review and approve.
    reviewer = make_user(tree.central, "Hoàng Minh Thẩm", roles=[(Role.REVIEWER, tree.central)])
    sign_in_as(client, reviewer)
    assert 'name="comment_clubs"' in content(client.get(url(ua)))
    assert approve(client, ua).status_code == 302
    assert reload(ua).status == "approved" and reload(ua).reviewed_by_id == reviewer.id


def test_a_grassroots_assessment_is_reviewed_by_its_province(client, units, admin_a, make_user, tree):
    grassroots_admin = make_user(tree.grassroots_a, "Giàng Seo Phủ", roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    ga = units["grassroots_a"]
    sign_in_as(client, grassroots_admin)
    assert client.get(url(units["province_a"])).status_code == 403  # the unit above is not theirs
    assert send(client, ga, value_highlights=None).status_code == 302
    assert approve(client, ga).status_code == 403
    sign_in_as(client, admin_a)
    assert give_back(client, ga, coordinator="Cần bản scan quyết định.").status_code == 302
    assert reload(ga).status == "returned"


# --- E-mails --------------------------------------------------------------------------------------

def test_each_step_emails_the_people_it_concerns(client, app, units, admin_a, admin_b, central_admin, make_user,
                                                tree):
    grassroots_admin = make_user(tree.grassroots_a, "Giàng Seo Phủ", email="phu@example.org",
                                 roles=[(Role.UNIT_ADMIN, tree.grassroots_a)])
    second_admin_a = make_user(tree.province_a, "Vàng A Dế", email="de@example.org",
                               roles=[(Role.UNIT_ADMIN, tree.province_a)])
    province_reviewer = make_user(tree.province_a, "Sùng Thị Mai", email="mai@example.org",
                                  roles=[(Role.REVIEWER, tree.province_a)])
    ua = units["province_a"]
    second_admin_a.locale = central_admin.locale = "en"  # each reads their mail in their own language
    db.session.commit()

    sign_in_as(client, admin_a)
    send(client, ua)
    mail = outbox(app)
    assert [m["To"] for m in mail] == ["central@example.org"]
    assert mail[0]["Subject"] == "Tỉnh đoàn Lào Cai has submitted its capacity assessment for review"
    assert f"http://lms.test/assessments/units/{ua.id}" in mail[0].get_content()

    sign_in_as(client, central_admin)
    give_back(client, ua, clubs="Cần danh sách đội hình.")
    returned = {m["To"]: m for m in outbox(app)[1:]}
    assert sorted(returned) == ["admin.a@example.org", "de@example.org"]
    assert returned["admin.a@example.org"]["Subject"] == \
        "Bản đánh giá năng lực của Tỉnh đoàn Lào Cai bị trả lại để bổ sung"
    assert "Cần bổ sung." in returned["admin.a@example.org"].get_content()
    assert returned["de@example.org"]["Subject"] == \
        "The capacity assessment of Tỉnh đoàn Lào Cai has been returned for revision"

    sign_in_as(client, second_admin_a)
    send(client, ua, value_clubs="12")
    sign_in_as(client, central_admin)
    approve(client, ua)
    approved = outbox(app)[-2:]
    assert sorted(m["To"] for m in approved) == ["admin.a@example.org", "de@example.org"]
    assert sorted(m["Subject"] for m in approved) == [
        "Bản đánh giá năng lực của Tỉnh đoàn Lào Cai đã được phê duyệt",
        "The capacity assessment of Tỉnh đoàn Lào Cai has been approved"]

    # A grassroots submission goes to province A's admins and reviewers, not to the central office.
    before = len(outbox(app))
    sign_in_as(client, grassroots_admin)
    send(client, units["grassroots_a"], value_highlights=None)
    sent = sorted(m["To"] for m in outbox(app)[before:])
    assert sent == sorted(["admin.a@example.org", "de@example.org", province_reviewer.email])
    assert "admin.b@example.org" not in {m["To"] for m in outbox(app)}


def test_the_submitted_snapshot_view_is_read_only(client, ua, admin_a):
    sign_in_as(client, admin_a)
    send(client, ua)
    page = content(client.get(url(ua, "/rounds/1")))
    assert "Bản đã gửi lần 1" in page and 'name="value_' not in page and "Lưu nháp" not in page
    assert "https://tinhdoan.example.vn/qd-12.pdf" in page and "Chưa thẩm định" in page

