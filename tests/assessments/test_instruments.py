"""The self-assessment: who may fill it in and when, every competency rated, evidence checked (text,
links, files by their content), results recomputed, and a second sending that updates the first."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from lms.assessments.framework import expected_levels
from lms.assessments.models import (
    CAMPAIGN_CLOSED, CAMPAIGN_OPEN, SELF, SUPERVISOR, Campaign, CompetencyResult, EvidenceFile, Participant, Rating)
from lms.db import db
from lms.i18n import local_today
from tests.conftest import sign_in_as, text

LEVELS = {"PLAN": 3, "TEAM": 2, "SAFE": 1, "TRAIN": 4}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


# --- Builders shared with the other instrument tests ---------------------------------------------

def make_campaign(framework, unit, creator, instruments=(SELF,), status=CAMPAIGN_OPEN, title="Đánh giá năng lực 2026"):
    today = local_today()
    campaign = Campaign(title=title, framework_id=framework.id, unit_id=unit.id,
                        target_levels=["province", "grassroots", "branch"], instruments=list(instruments),
                        opens_on=today - timedelta(days=1), due_on=today + timedelta(days=30), status=status,
                        created_by_id=creator.id)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def make_participant(campaign, user):
    """What launching a campaign does for one cadre: their unit, level and role, and the expected levels."""
    participant = Participant(campaign_id=campaign.id, user_id=user.id, unit_id=user.unit_id,
                              level_code=user.unit.level.code, volunteer_role=user.volunteer_role,
                              expected=expected_levels(campaign.framework, user.unit.level.code, user.volunteer_role))
    db.session.add(participant)
    db.session.flush()
    return participant


def sheet(levels=LEVELS, **extra) -> dict:
    return {**{f"level_{code}": str(level) for code, level in levels.items()}, **extra}


def ratings(participant, source=SELF) -> dict[str, Rating]:
    return {r.competency_code: r for r in db.session.scalars(
        select(Rating).where(Rating.participant_id == participant.id, Rating.source == source))}


def self_url(participant) -> str:
    return f"/assessments/participations/{participant.id}/self"


def setup_self(framework, tree, central_admin, cadre, instruments=(SELF,), status=CAMPAIGN_OPEN):
    campaign = make_campaign(framework, tree.central, central_admin, instruments=instruments, status=status)
    participant = make_participant(campaign, cadre)
    db.session.commit()
    return participant


# --- The page -------------------------------------------------------------------------------------

def test_page_shows_each_competency_by_domain_with_levels_and_indicators(client, framework, tree, central_admin,
                                                                         cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    page = text(client.get(self_url(participant)))
    assert 'enctype="multipart/form-data"' in page
    for title in ("Tổ chức hoạt động", "An toàn và tập huấn", "Khảo sát nhu cầu và lập kế hoạch",
                  "Lập kế hoạch hoạt động tình nguyện từ nhu cầu thực tế.", "Mức 3 · Thành thạo",
                  "Lập được kế hoạch năm của đơn vị.", "Đào tạo tập huấn viên."):
        assert title in page
    assert page.index("Tổ chức hoạt động") < page.index("Điều phối đội hình") < page.index("An toàn và tập huấn")
    assert page.count('<fieldset class="rating') == 4
    assert 'name="evidence_file_PLAN"' in page and 'name="level_TRAIN"' in page


def test_self_assessment_saves_ratings_results_and_completes_a_self_only_campaign(client, framework, tree,
                                                                                  central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    response = client.post(self_url(participant), data=sheet(
        evidence_text_PLAN="Lập kế hoạch Mùa hè xanh 2025 của xã.",
        evidence_url_PLAN="https://doanxa.example.vn/ke-hoach"))
    assert response.status_code == 302  # to the cadre's profile, where the results show
    assert "Đã lưu phần tự đánh giá của bạn." in text(client.get(response.headers["Location"]))
    page = text(client.get(self_url(participant)))
    assert "Lập kế hoạch Mùa hè xanh 2025 của xã." in page  # shown again, filled in
    assert '<input checked id="level_PLAN-2" name="level_PLAN" type="radio" value="3">' in page
    assert '<input checked id="level_TRAIN-3" name="level_TRAIN" type="radio" value="4">' in page

    saved = ratings(participant)
    assert {code: r.level for code, r in saved.items()} == LEVELS
    assert saved["PLAN"].evidence_url == "https://doanxa.example.vn/ke-hoach"
    assert saved["PLAN"].rated_by_id == cadre_a.id
    results = {r.competency_code: (r.expected, r.achieved, r.gap) for r in db.session.scalars(
        select(CompetencyResult).where(CompetencyResult.participant_id == participant.id))}
    # Grassroots expectations: PLAN 2, TEAM 3, SAFE 2, TRAIN 2.
    assert results == {"PLAN": (2, 3, 0), "TEAM": (3, 2, 1), "SAFE": (2, 1, 1), "TRAIN": (2, 4, 0)}
    db.session.refresh(participant)
    assert participant.self_done_at is not None and participant.completed_at is not None


def test_self_done_does_not_complete_when_the_supervisor_is_still_to_rate(client, framework, tree, central_admin,
                                                                          cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a, instruments=(SELF, SUPERVISOR))
    sign_in_as(client, cadre_a)
    assert client.post(self_url(participant), data=sheet()).status_code == 302
    db.session.refresh(participant)
    assert participant.self_done_at is not None and participant.completed_at is None


def test_every_competency_must_be_rated_and_nothing_is_saved(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    levels = {"PLAN": 3, "SAFE": 2}
    response = client.post(self_url(participant), data=sheet(levels, level_TRAIN="9",
                                                               evidence_text_PLAN="Đã lập kế hoạch năm."))
    assert response.status_code == 200
    page = text(response)
    assert "Hãy chọn mức năng lực cho “Điều phối đội hình tình nguyện”." in page
    assert "Hãy chọn mức năng lực cho “Tập huấn cho cán bộ”." in page
    assert "Hãy chọn mức năng lực cho “Khảo sát nhu cầu và lập kế hoạch”." not in page
    assert "Đã lập kế hoạch năm." in page  # what was typed is kept
    assert ratings(participant) == {}
    db.session.refresh(participant)
    assert participant.self_done_at is None


def test_evidence_link_must_be_a_web_address(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    for bad in ("javascript:alert(1)", "ftp://doan.vn/tep", "doan.vn/ke-hoach", "https:// khoảng trắng"):
        response = client.post(self_url(participant), data=sheet(evidence_url_TEAM=bad))
        assert response.status_code == 200
        assert ("Đường dẫn minh chứng cho “Điều phối đội hình tình nguyện” phải là một địa chỉ web "
                "bắt đầu bằng http:// hoặc https://.") in text(response)
    too_long = client.post(self_url(participant), data=sheet(evidence_text_SAFE="x" * 2001))
    assert "Minh chứng cho “Bảo đảm an toàn” dài quá 2000 ký tự." in text(too_long)
    assert ratings(participant) == {}


def _upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def test_a_pdf_is_kept_as_evidence_and_stays_until_replaced(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    response = client.post(self_url(participant), data=sheet(evidence_file_PLAN=_upload(PDF, "ke-hoach.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db.session.scalar(select(EvidenceFile))
    assert (evidence.filename, evidence.content_type, evidence.unit_id) == ("ke-hoach.pdf", "application/pdf",
                                                                           cadre_a.unit_id)
    assert ratings(participant)["PLAN"].evidence_file_id == evidence.id
    page = text(client.get(self_url(participant)))
    assert "ke-hoach.pdf" in page and f"/assessments/evidence/{evidence.id}" in page
    assert client.get(f"/assessments/evidence/{evidence.id}").data == PDF

    # Sent again with other levels and no file: the file stays.
    again = sheet({**LEVELS, "PLAN": 4})
    assert client.post(self_url(participant), data=again, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    saved = ratings(participant)
    assert saved["PLAN"].level == 4 and saved["PLAN"].evidence_file_id == evidence.id
    assert db.session.scalar(select(func.count(Rating.id))) == 4

    # A new file replaces it.
    client.post(self_url(participant), data=sheet(evidence_file_PLAN=_upload(PDF + b"%v2", "ke-hoach-2.pdf")),
                content_type="multipart/form-data")
    db.session.expire_all()
    assert ratings(participant)["PLAN"].evidence_file.filename == "ke-hoach-2.pdf"


def test_disallowed_files_are_refused_with_the_reason_and_nothing_is_saved(client, framework, tree, central_admin,
                                                                          cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    response = client.post(self_url(participant), data=sheet(
        evidence_file_PLAN=_upload(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "cai-dat.exe"),
        evidence_file_TEAM=_upload(b"Day la van ban thuong, khong phai PDF.", "bao-cao.pdf"),
        evidence_file_SAFE=_upload(PDF, "an-toan.pdf")), content_type="multipart/form-data")
    assert response.status_code == 200
    page = text(response)
    assert "Tệp “cai-dat.exe” không phải là tệp PDF, JPG, PNG, DOCX hoặc XLSX hợp lệ." in page
    assert "Tệp “bao-cao.pdf” không phải là tệp PDF, JPG, PNG, DOCX hoặc XLSX hợp lệ." in page
    assert ratings(participant) == {}
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0  # not even the good file


def test_only_the_cadre_may_open_or_send_their_self_assessment(client, framework, tree, central_admin, cadre_a,
                                                               admin_a, make_user):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    colleague = make_user(tree.grassroots_a, "Lò Văn Sáng")
    for other in (admin_a, colleague, central_admin):
        sign_in_as(client, other)
        assert client.get(self_url(participant)).status_code == 403
        assert client.post(self_url(participant), data=sheet()).status_code == 403
    assert ratings(participant) == {}
    sign_in_as(client, cadre_a)
    assert client.get("/assessments/participations/999999/self").status_code == 404
    client.post("/logout")
    assert client.get(self_url(participant)).status_code == 302  # to the sign-in page


def test_a_campaign_without_self_assessment_has_no_such_page(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a, instruments=(SUPERVISOR,))
    sign_in_as(client, cadre_a)
    assert client.get(self_url(participant)).status_code == 404


def test_a_closed_campaign_shows_the_answers_and_refuses_changes(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a)
    sign_in_as(client, cadre_a)
    assert client.post(self_url(participant), data=sheet()).status_code == 302
    participant.campaign.status = CAMPAIGN_CLOSED
    db.session.commit()

    page = text(client.get(self_url(participant)))
    assert "Đợt đánh giá “Đánh giá năng lực 2026” đã kết thúc, nên không thể gửi hay sửa đánh giá nữa." in page
    assert "<form method=\"post\" enctype" not in page
    assert "Mức 4 · Dẫn dắt" in page  # TRAIN as sent

    response = client.post(self_url(participant), data=sheet({**LEVELS, "TRAIN": 1}), follow_redirects=True)
    assert "đã kết thúc" in text(response)
    db.session.expire_all()
    assert ratings(participant)["TRAIN"].level == 4


def test_draft_campaign_is_not_open_yet(client, framework, tree, central_admin, cadre_a):
    participant = setup_self(framework, tree, central_admin, cadre_a, status="draft")
    sign_in_as(client, cadre_a)
    assert "chưa bắt đầu" in text(client.get(self_url(participant)))
    client.post(self_url(participant), data=sheet())
    assert ratings(participant) == {}
