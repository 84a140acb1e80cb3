"""Signing in and out, lock-out after repeated failures, passwords, reset by e-mail, and first
sign-in with an activation code."""
import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select, update

from lms.auth.services import ACTIVATION, issue_token
from lms.db import db, utcnow
from lms.people.models import AuthToken, User
from tests.conftest import PASSWORD, login, outbox

WRONG_CREDENTIALS = "E-mail/số điện thoại hoặc mật khẩu không đúng."
NEW_PASSWORD = "mat-khau-moi-2"
RESET_LINK = re.compile(r"https?://[^\s/]+/password/reset/([A-Za-z0-9_-]+)")


def _location(response) -> str:
    """The path a redirect leads to, whether the header is absolute or relative."""
    assert response.status_code in (301, 302, 303), response.status_code
    return urlsplit(response.headers["Location"]).path


def _page(response) -> str:
    return response.get_data(as_text=True)


def _is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --- signing in -----------------------------------------------------------------------------

def test_cadre_signs_in_with_email_and_lands_on_home(client, cadre_a):
    response = login(client, "hoa@example.org")
    assert _location(response) == "/"
    assert "Xin chào, Hoa" in _page(client.get("/"))


def test_email_is_matched_whatever_its_case(client, make_user, tree):
    make_user(tree.grassroots_a, "Nguyễn Thị Hoa", email="Hoa.Nguyen@Example.ORG")
    assert _location(login(client, "  HOA.NGUYEN@example.org ")) == "/"


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "0912.345.678", "+84 912 345 678", "0912345678"])
def test_cadre_signs_in_with_phone_number_however_it_is_typed(client, make_user, tree, typed):
    make_user(tree.grassroots_a, "Lò Văn Minh", email=None, phone="+84912345678")
    assert _location(login(client, typed)) == "/"
    assert _is_signed_in(client)


def test_wrong_password_shows_a_vietnamese_message(client, cadre_a):
    response = login(client, cadre_a, "sai-mat-khau")
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in _page(response)
    assert not _is_signed_in(client)


def test_unknown_account_gets_the_same_message_as_a_wrong_password(client, cadre_a):
    response = login(client, "khong-ton-tai@example.org", "sai-mat-khau")
    assert WRONG_CREDENTIALS in _page(response)


def test_empty_form_asks_for_both_fields_in_vietnamese(client, app_ctx):
    page = _page(client.post("/login", data={"identifier": "", "password": ""}))
    assert "Hãy nhập e-mail hoặc số điện thoại." in page
    assert "Hãy nhập mật khẩu." in page


def test_signed_in_user_visiting_login_goes_home(client, cadre_a):
    login(client, cadre_a)
    assert _location(client.get("/login")) == "/"


def test_protected_page_sends_an_anonymous_visitor_to_sign_in(client, app_ctx):
    response = client.get("/account")
    assert _location(response) == "/login"
    assert urlsplit(response.headers["Location"]).query == "next=%2Faccount"


# --- lock-out -------------------------------------------------------------------------------

def _fail_until_locked(client, user, app) -> str:
    failures = app.config["LMS_LOGIN_MAX_FAILURES"]
    for _attempt in range(failures - 1):
        assert WRONG_CREDENTIALS in _page(login(client, user, "sai-mat-khau"))
    return _page(login(client, user, "sai-mat-khau"))


def test_account_locks_after_too_many_wrong_passwords(client, app, cadre_a):
    assert app.config["LMS_LOGIN_MAX_FAILURES"] == 5
    page = _fail_until_locked(client, cadre_a, app)
    minutes = app.config["LMS_LOGIN_LOCK_MINUTES"]
    assert f"Tài khoản tạm khóa vì đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút" in page


def test_locked_account_refuses_even_the_right_password(client, app, cadre_a):
    _fail_until_locked(client, cadre_a, app)
    response = login(client, cadre_a, PASSWORD)
    assert "Tài khoản tạm khóa" in _page(response)
    assert re.search(r"thử lại sau \d+ phút", _page(response))
    assert not _is_signed_in(client)


def test_locked_account_opens_again_when_the_lock_expires(client, app, cadre_a):
    _fail_until_locked(client, cadre_a, app)
    db.session.execute(update(User).where(User.id == cadre_a.id)
                       .values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _location(login(client, cadre_a, PASSWORD)) == "/"


def test_successful_sign_in_clears_earlier_failures(client, app, cadre_a):
    failures = app.config["LMS_LOGIN_MAX_FAILURES"]
    for _attempt in range(failures - 1):
        login(client, cadre_a, "sai-mat-khau")
    login(client, cadre_a, PASSWORD)
    client.post("/logout")
    for _attempt in range(failures - 1):
        login(client, cadre_a, "sai-mat-khau")
    assert _location(login(client, cadre_a, PASSWORD)) == "/"


def test_inactive_account_cannot_sign_in(client, make_user, tree):
    user = make_user(tree.grassroots_a, "Hoàng Văn Nam", is_active=False)
    response = login(client, user)
    assert "Tài khoản này đã ngừng hoạt động" in _page(response)
    assert not _is_signed_in(client)


def test_account_deactivated_while_signed_in_loses_access(client, cadre_a):
    login(client, cadre_a)
    assert _is_signed_in(client)
    db.session.execute(update(User).where(User.id == cadre_a.id).values(is_active=False))
    db.session.commit()
    assert _location(client.get("/account")) == "/login"


# --- signing out ----------------------------------------------------------------------------

def test_sign_out_ends_the_session(client, cadre_a):
    login(client, cadre_a)
    response = client.post("/logout")
    assert _location(response) == "/login"
    assert "Bạn đã đăng xuất." in _page(client.get("/login"))
    assert not _is_signed_in(client)


def test_sign_out_is_not_a_link_that_a_page_could_trigger(client, cadre_a):
    login(client, cadre_a)
    assert client.get("/logout").status_code == 405
    assert _is_signed_in(client)


# --- changing the password ------------------------------------------------------------------

def _change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                   "confirm_password": new if confirm is None else confirm})


def test_change_password_refuses_a_wrong_current_password(client, cadre_a):
    login(client, cadre_a)
    response = _change_password(client, "khong-phai-mat-khau", NEW_PASSWORD)
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in _page(response)
    client.post("/logout")
    assert _location(login(client, cadre_a, PASSWORD)) == "/"


def test_change_password_refuses_a_confirmation_that_does_not_match(client, cadre_a):
    login(client, cadre_a)
    response = _change_password(client, PASSWORD, NEW_PASSWORD, "mat-khau-khac-3")
    assert "Hai lần nhập mật khẩu không khớp nhau." in _page(response)


def test_change_password_refuses_a_short_password(client, cadre_a):
    login(client, cadre_a)
    response = _change_password(client, PASSWORD, "ngan")
    assert "Mật khẩu cần từ 8 đến 128 ký tự." in _page(response)


def test_changed_password_replaces_the_old_one(client, cadre_a):
    login(client, cadre_a)
    response = _change_password(client, PASSWORD, NEW_PASSWORD)
    assert _location(response) == "/account"
    assert "Đã đổi mật khẩu." in _page(client.get("/account"))
    client.post("/logout")
    assert WRONG_CREDENTIALS in _page(login(client, cadre_a, PASSWORD))
    assert _location(login(client, cadre_a, NEW_PASSWORD)) == "/"


def test_passwords_are_stored_hashed_with_the_configured_method(client, app, cadre_a):
    login(client, cadre_a)
    _change_password(client, PASSWORD, NEW_PASSWORD)
    stored = db.session.scalar(select(User.password_hash).where(User.id == cadre_a.id))
    assert NEW_PASSWORD not in stored
    assert stored.startswith(app.config["LMS_PASSWORD_HASH_METHOD"] + "$")


# --- forgotten password ---------------------------------------------------------------------

def _request_reset(client, identifier: str):
    return client.post("/password/forgot", data={"identifier": identifier})


def _reset_token(app) -> str:
    mails = outbox(app)
    assert mails, "no e-mail was sent"
    match = RESET_LINK.search(mails[-1].get_content())
    assert match, "the e-mail holds no reset link"
    return match.group(1)


def _reset(client, token: str, password: str = NEW_PASSWORD):
    return client.post(f"/password/reset/{token}", data={"new_password": password, "confirm_password": password})


NEUTRAL_ANSWER = "Nếu tài khoản có e-mail, chúng tôi đã gửi hướng dẫn đặt lại mật khẩu."


def test_forgot_password_sends_a_vietnamese_email_with_a_reset_link(client, app, cadre_a):
    response = _request_reset(client, "hoa@example.org")
    assert _location(response) == "/login"
    assert NEUTRAL_ANSWER in _page(client.get("/login"))
    [mail] = outbox(app)
    assert mail["To"] == "hoa@example.org"
    assert mail["Subject"] == "Đặt lại mật khẩu"
    assert RESET_LINK.search(mail.get_content())


def test_forgot_password_works_with_the_phone_number_too(client, app, make_user, tree):
    make_user(tree.grassroots_a, "Lò Văn Minh", email="minh@example.org", phone="+84912345678")
    _request_reset(client, "0912 345 678")
    [mail] = outbox(app)
    assert mail["To"] == "minh@example.org"


def test_unknown_account_gets_the_same_answer_and_no_email(client, app, cadre_a):
    response = _request_reset(client, "khong-ton-tai@example.org")
    assert _location(response) == "/login"
    assert NEUTRAL_ANSWER in _page(client.get("/login"))
    assert outbox(app) == []


def test_reset_link_sets_a_new_password(client, app, cadre_a):
    _request_reset(client, cadre_a.email)
    token = _reset_token(app)
    assert "Đặt lại mật khẩu" in _page(client.get(f"/password/reset/{token}"))
    assert _location(_reset(client, token)) == "/login"
    assert WRONG_CREDENTIALS in _page(login(client, cadre_a, PASSWORD))
    assert _location(login(client, cadre_a, NEW_PASSWORD)) == "/"


def test_reset_link_works_only_once(client, app, cadre_a):
    _request_reset(client, cadre_a.email)
    token = _reset_token(app)
    _reset(client, token)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "Đường dẫn không còn hiệu lực" in _page(response)
    assert _reset(client, token, "mat-khau-thu-ba").status_code == 400
    assert _location(login(client, cadre_a, NEW_PASSWORD)) == "/"


def test_reset_link_expires(client, app, cadre_a):
    _request_reset(client, cadre_a.email)
    token = _reset_token(app)
    db.session.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "Đường dẫn không còn hiệu lực" in _page(response)
    assert _reset(client, token).status_code == 400


def test_a_newer_reset_link_replaces_the_older_one(client, app, cadre_a):
    _request_reset(client, cadre_a.email)
    older = _reset_token(app)
    _request_reset(client, cadre_a.email)
    newer = _reset_token(app)
    assert client.get(f"/password/reset/{older}").status_code == 400
    assert client.get(f"/password/reset/{newer}").status_code == 200


def test_resetting_the_password_unlocks_a_locked_account(client, app, cadre_a):
    _fail_until_locked(client, cadre_a, app)
    _request_reset(client, cadre_a.email)
    _reset(client, _reset_token(app))
    assert _location(login(client, cadre_a, NEW_PASSWORD)) == "/"


# --- first sign-in with an activation code --------------------------------------------------

@pytest.fixture()
def new_cadre(make_user, tree):
    """A cadre created by an import: no password yet, an activation code printed for them."""
    user = make_user(tree.branch_a, "Giàng A Páo", email=None, phone="+84988123456", password=None)
    code = issue_token(user, ACTIVATION, timedelta(days=30))
    db.session.commit()
    return user, code


def test_activation_code_signs_in_and_asks_for_a_password(client, new_cadre):
    user, code = new_cadre
    assert user.password_hash is None
    response = login(client, "0988 123 456", code)
    assert _location(response) == "/account/set-password"
    assert "Đặt mật khẩu của bạn" in _page(client.get("/account/set-password"))


def test_activation_code_may_be_typed_in_lower_case(client, new_cadre):
    _user, code = new_cadre
    assert _location(login(client, "0988123456", f" {code.lower()} ")) == "/account/set-password"


def test_no_other_page_opens_until_the_password_is_set(client, tree, new_cadre):
    _user, code = new_cadre
    login(client, "0988123456", code)
    for address in ("/", "/account", "/account/password", "/units/", f"/units/{tree.branch_a.id}"):
        assert _location(client.get(address)) == "/account/set-password", address


def test_after_setting_a_password_the_cadre_uses_it(client, new_cadre):
    user, code = new_cadre
    login(client, "0988123456", code)
    response = client.post("/account/set-password",
                           data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert _location(response) == "/"
    assert "Xin chào, Páo" in _page(client.get("/"))
    client.post("/logout")
    assert WRONG_CREDENTIALS in _page(login(client, "0988123456", code))
    assert _location(login(client, "0988123456", NEW_PASSWORD)) == "/"


def test_activation_code_works_only_once(client, new_cadre):
    _user, code = new_cadre
    login(client, "0988123456", code)
    client.post("/logout")
    assert WRONG_CREDENTIALS in _page(login(client, "0988123456", code))


def test_activation_code_is_refused_once_expired(client, new_cadre):
    _user, code = new_cadre
    db.session.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert WRONG_CREDENTIALS in _page(login(client, "0988123456", code))


def test_activation_code_of_one_cadre_does_not_open_another_account(client, new_cadre, make_user, tree):
    _user, code = new_cadre
    make_user(tree.branch_a, "Sùng Thị Mai", email=None, phone="+84977123456", password=None)
    assert WRONG_CREDENTIALS in _page(login(client, "0977123456", code))


# --- where sign-in leads --------------------------------------------------------------------

def test_sign_in_returns_to_the_page_asked_for(client, cadre_a):
    response = client.post("/login?next=/account", data={"identifier": cadre_a.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "javascript:alert(1)",
    "evil.example",
])
def test_sign_in_never_redirects_to_another_site(client, cadre_a, target):
    response = client.post("/login", query_string={"next": target},
                           data={"identifier": cadre_a.email, "password": PASSWORD})
    # Browsers read a backslash in a URL as a slash.
    location = response.headers["Location"].replace("\\", "/")
    followed = urlsplit(urljoin("http://lms.test/login", location))
    assert (followed.scheme, followed.netloc) == ("http", "lms.test")


def test_messages_waiting_for_one_person_are_not_shown_to_the_next(client, cadre_a, make_user):
    login(client, cadre_a)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Tin nhắn riêng của người trước")]
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert "Tin nhắn riêng của người trước" not in page
    assert "Bạn đã đăng xuất." in page
