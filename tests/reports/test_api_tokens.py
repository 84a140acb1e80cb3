"""Personal API tokens: created on a signed-in page, shown once, kept as a hash, revocable, and worth
exactly the roles their owner holds when they are used."""
import hashlib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.auth.permissions import Role
from lms.db import db, utcnow
from lms.people.models import RoleAssignment
from lms.reports import api_tokens
from lms.reports.models import ApiToken
from tests.conftest import PASSWORD, count, login, sign_in_as, text


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def new_token(user, days: int = 365, name: str = "Bảng tính") -> str:
    _token, secret = api_tokens.create_token(user, name, days)
    db.session.commit()
    return secret


def shown_secret(page: str) -> str:
    match = re.search(r'id="new-token" value="(lms_[A-Za-z0-9_-]+)"', page)
    assert match, "the new token is shown"
    return match.group(1)


def reload(token_id: int) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token_id)


# --- the page ----------------------------------------------------------------------------------

def test_the_page_is_for_signed_in_report_viewers(client, admin_a, cadre_a):
    response = client.get("/api/v1/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in_as(client, cadre_a)
    assert client.get("/api/v1/tokens").status_code == 403
    sign_in_as(client, admin_a)
    page = text(client.get("/api/v1/tokens"))
    assert "Mã truy cập API" in page and "Bạn chưa có mã truy cập nào." in page
    assert '<option selected value="365">' in page  # a year unless chosen otherwise


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, admin_a):
    sign_in_as(client, admin_a)
    response = client.post("/api/v1/tokens", data={"name": "  Bảng tính   thống kê ", "days": "365"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    secret = shown_secret(page)
    assert "mã chỉ hiện một lần" in page and f"Authorization: Bearer {secret}" in page

    token = db.session.scalar(select(ApiToken))
    assert token.user_id == admin_a.id and token.name == "Bảng tính thống kê"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8] and secret.startswith("lms_") and len(secret) > 40
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert timedelta(days=365) - timedelta(minutes=1) < token.expires_at - utcnow() <= timedelta(days=365)
    assert token.last_used_at is None and token.revoked_at is None

    again = text(client.get("/api/v1/tokens"))
    assert secret not in again
    assert "Bảng tính thống kê" in again and token.prefix in again and "Chưa dùng" in again

    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    assert reload(token.id).last_used_at is not None
    assert "Chưa dùng" not in text(client.get("/api/v1/tokens"))


def test_the_expiry_is_chosen_from_the_list(client, admin_a):
    sign_in_as(client, admin_a)
    client.post("/api/v1/tokens", data={"name": "Ngắn hạn", "days": "30"})
    token = db.session.scalar(select(ApiToken))
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    page = text(client.post("/api/v1/tokens", data={"name": "Lạ", "days": "3"}))
    assert "Hãy chọn một mục trong danh sách." in page
    assert count(ApiToken) == 1


def test_a_token_needs_a_name(client, admin_a):
    sign_in_as(client, admin_a)
    page = text(client.post("/api/v1/tokens", data={"name": "   ", "days": "365"}))
    assert "Hãy đặt tên cho mã truy cập." in page and 'id="new-token"' not in page
    assert count(ApiToken) == 0


def test_the_form_is_protected_against_cross_site_posts(app, admin_a, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    browser = app.test_client()
    page = text(browser.get("/login"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post("/login", data={"identifier": admin_a.email, "password": PASSWORD,
                                        "csrf_token": csrf}).status_code == 302
    assert browser.post("/api/v1/tokens", data={"name": "Giả mạo", "days": "365"}).status_code == 400
    assert count(ApiToken) == 0
    page = text(browser.get("/api/v1/tokens"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = browser.post("/api/v1/tokens", data={"name": "Thật", "days": "365", "csrf_token": csrf})
    assert response.status_code == 200 and count(ApiToken) == 1


def test_a_person_has_at_most_twenty_live_tokens(app_ctx, admin_a):
    for number in range(api_tokens.MAX_ACTIVE_TOKENS):
        new_token(admin_a, name=f"Mã {number}")
    with pytest.raises(api_tokens.TokenError):
        api_tokens.create_token(admin_a, "Thừa", 365)
    db.session.rollback()
    first = db.session.scalar(select(ApiToken).order_by(ApiToken.id))
    first.expires_at = utcnow() - timedelta(days=1)  # an expired token no longer counts
    db.session.commit()
    api_tokens.create_token(admin_a, "Thay thế", 365)


# --- revoking ------------------------------------------------------------------------------------

def test_revoking_stops_the_token_at_once(client, admin_a):
    secret = new_token(admin_a)
    token = db.session.scalar(select(ApiToken))
    sign_in_as(client, admin_a)
    # The button first asks, and says what revoking does.
    confirm = re.search(r'<details class="confirm">(.*?)</details>', text(client.get("/api/v1/tokens")), re.S)
    assert confirm and f'action="/api/v1/tokens/{token.id}/revoke"' in confirm.group(1)
    assert ("Thu hồi mã “Bảng tính”? Chương trình đang dùng mã này sẽ không đọc được số liệu nữa; việc này không "
            "hoàn tác được.") in confirm.group(1)
    response = client.post(f"/api/v1/tokens/{token.id}/revoke")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Đã thu hồi mã “Bảng tính”" in page and "Bạn chưa có mã truy cập nào." in page
    assert reload(token.id).revoked_at is not None
    answer = client.get("/api/v1/units", headers=bearer(secret))
    assert answer.status_code == 401 and answer.json["code"] == "invalid_token"


def test_revoking_a_token_revoked_already_says_when_and_changes_nothing(client, admin_a):
    """The form sent twice, or from a second tab: back to the page with a word, not a 404."""
    new_token(admin_a)
    token = db.session.scalar(select(ApiToken))
    token.revoked_at = datetime(2025, 3, 4, 7, 5)  # UTC: 14:05 in Việt Nam
    db.session.commit()
    sign_in_as(client, admin_a)
    response = client.post(f"/api/v1/tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/api/v1/tokens"
    page = text(client.get(response.headers["Location"]))
    assert "Mã “Bảng tính” đã bị thu hồi lúc 14:05, 04/03/2025; không cần thu hồi lại." in page
    assert "Đã thu hồi mã" not in page
    assert reload(token.id).revoked_at == datetime(2025, 3, 4, 7, 5)


def test_nobody_revokes_another_persons_token(client, admin_a, admin_b):
    secret = new_token(admin_b, name="Mã của Hân")
    token = db.session.scalar(select(ApiToken))
    sign_in_as(client, admin_a)
    assert client.post(f"/api/v1/tokens/{token.id}/revoke").status_code == 404
    assert client.post(f"/api/v1/tokens/{token.id + 1}/revoke").status_code == 404  # no token at all
    assert "Mã của Hân" not in text(client.get("/api/v1/tokens"))
    assert reload(token.id).revoked_at is None
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    api_tokens.revoke_token(token)
    db.session.commit()
    assert client.post(f"/api/v1/tokens/{token.id}/revoke").status_code == 404  # nor when it was revoked


# --- what a token is worth -------------------------------------------------------------------------

def test_an_expired_token_is_refused(client, admin_a):
    secret = new_token(admin_a, days=30)
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/units", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json == {"error": "Mã truy cập đã hết hạn. Hãy tạo mã mới.", "code": "expired_token"}
    sign_in_as(client, admin_a)
    assert "Đã hết hạn" in text(client.get("/api/v1/tokens"))


def test_the_token_of_a_deactivated_account_is_refused(client, admin_a):
    secret = new_token(admin_a)
    admin_a.is_active = False
    db.session.commit()
    response = client.get("/api/v1/units", headers=bearer(secret))
    assert response.status_code == 401 and response.json["code"] == "inactive_account"
    admin_a.is_active = True
    db.session.commit()
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200


def test_a_token_carries_the_roles_its_owner_holds_now(client, tree, admin_a):
    secret = new_token(admin_a)
    assert client.get(f"/api/v1/units/{tree.province_a.id}", headers=bearer(secret)).status_code == 200
    db.session.execute(RoleAssignment.__table__.delete().where(RoleAssignment.user_id == admin_a.id))
    db.session.commit()
    db.session.expire_all()
    response = client.get(f"/api/v1/units/{tree.province_a.id}", headers=bearer(secret))
    assert response.status_code == 403 and response.json["code"] == "no_report_scope"
    db.session.add(RoleAssignment(user_id=admin_a.id, role=Role.REVIEWER, unit_id=tree.grassroots_a.id))
    db.session.commit()
    db.session.expire_all()
    assert client.get(f"/api/v1/units/{tree.province_a.id}", headers=bearer(secret)).status_code == 403
    assert client.get(f"/api/v1/units/{tree.grassroots_a.id}", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("header, code", [
    (None, "missing_token"),
    ("", "missing_token"),
    ("Basic YWRtaW46YWRtaW4=", "malformed_token"),
    ("Bearer", "malformed_token"),
    ("Bearer lms_a lms_b", "malformed_token"),
    ("Bearer lms_khong-co-ma-nay", "invalid_token"),
])
def test_requests_without_a_valid_bearer_token_get_401(client, admin_a, header, code):
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == code and response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="lms"')
    assert response.mimetype == "application/json"


def test_the_scheme_name_is_case_insensitive(client, admin_a):
    secret = new_token(admin_a)
    assert client.get("/api/v1/units", headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_a_signed_in_session_is_no_key_to_the_api(client, admin_a):
    assert login(client, admin_a).status_code == 302
    assert client.get("/api/v1/tokens").status_code == 200
    response = client.get("/api/v1/units")
    assert response.status_code == 401 and response.json["code"] == "missing_token"


def test_the_account_page_links_the_tokens_for_report_viewers_only(client, admin_a, cadre_a):
    sign_in_as(client, admin_a)
    assert 'href="/api/v1/tokens"' in text(client.get("/account"))
    sign_in_as(client, cadre_a)
    assert 'href="/api/v1/tokens"' not in text(client.get("/account"))
